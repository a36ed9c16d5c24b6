// axe-core in the browser tests: injected with `page.evaluate(source)` (that runs in the page's
// main world without a <script> element, so the app's CSP is left as it is), run on the whole
// document in the light and the dark theme, and reported so a failure says what to fix.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.0, 2.1 and 2.2 at A and AA, and Deque's best practices (runOnly by tag also runs their experimental rules). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice'];

/**
 * Rules switched off, each with the reason. Only rules that cannot apply to this app belong here,
 * never one that found a real problem.
 */
export const AXE_DISABLED = {};

/** Waits until no CSS transition is running (a theme switch may still be fading colours). */
async function settle(page) {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.constructor.name !== 'CSSTransition' || a.playState !== 'running'));
}

/** Runs axe on the page as it is now: `[]` or one line per rule and node. */
async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(
    async ({ tags, disabled }) => {
      const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
      const res = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
      return res.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim() })),
      }));
    },
    { tags: AXE_TAGS, disabled: Object.keys(AXE_DISABLED) },
  );
}

/**
 * Audits the page in both themes (switching `prefers-color-scheme` in place, then back to the
 * theme it had): `[{ colorScheme, id, impact, help, nodes: [{ target, summary }] }]`.
 */
export async function audit(page) {
  const found = [];
  const own = (await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)) ? 'dark' : 'light';
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await settle(page);
    for (const v of await runAxe(page)) found.push({ colorScheme, ...v });
  }
  await page.emulateMedia({ colorScheme: own });
  await settle(page);
  return found;
}

/**
 * A collector for one flow: `check(label)` audits the page now; `found` holds one readable block
 * per rule broken (view, theme, rule id, impact, help, then each node's target and axe's summary
 * of the fix). A node already listed for the same rule and theme in an earlier view is counted,
 * not repeated.
 */
export function auditor(page) {
  const found = [];
  const seen = [];
  const listed = new Set();
  return {
    async check(label) {
      seen.push(label);
      for (const v of await audit(page)) {
        const fresh = v.nodes.filter((n) => !listed.has(`${v.colorScheme}|${v.id}|${n.target}`));
        const again = v.nodes.length - fresh.length;
        found.push(
          `${label} (${v.colorScheme}): ${v.id} [${v.impact}] ${v.help} — ${v.nodes.length} node(s)` +
            (again ? `, ${again} listed above` : ''),
        );
        for (const n of fresh) {
          listed.add(`${v.colorScheme}|${v.id}|${n.target}`);
          found.push(`    ${n.target}\n      ${n.summary}`);
        }
      }
    },
    seen,
    found,
  };
}
