// Accessibility: Tab reaches Home's controls in order, each with an accessible name (Playwright's
// own computation, through the ARIA snapshot) and a visible focus ring; every control on each view
// is labelled; WCAG contrast of text against its background is at least 4.5:1 in both themes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, gotoCalendar, openApp, useBrowser } from './harness.mjs';

const env = useBrowser();

/** `- button "Join …"` → { role: 'button', name: 'Join …' } (the first line of the ARIA snapshot). */
async function roleAndName(locator) {
  const snap = (await locator.ariaSnapshot()).split('\n')[0];
  // YAML quotes the whole entry when the name holds a colon: `- 'option "Workshop: …"'`.
  let line = snap.replace(/^- /, '');
  if (line.startsWith("'")) line = line.slice(1, line.lastIndexOf("'")).replace(/''/g, "'");
  const m = /^([a-z]+)(?: "((?:[^"\\]|\\.)*)")?/.exec(line);
  return { role: m?.[1] ?? '', name: m?.[2] ?? '', snap };
}

const INTERACTIVE = new Set(['button', 'link', 'textbox', 'combobox', 'checkbox', 'radio', 'switch', 'spinbutton', 'option', 'searchbox']);

test('Tab walks Home: every stop is a named control with a visible focus ring', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('recent-item').first().waitFor();
  const stops = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    if ((await focused.count()) === 0) break; // wrapped past the last control
    const { role, name, snap } = await roleAndName(focused);
    const ring = await focused.evaluate((el) => {
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
      const shadow = s.boxShadow !== 'none';
      // A visually hidden input (the feed switch) shows focus on its track instead.
      const sibling = el.nextElementSibling && getComputedStyle(el.nextElementSibling).outlineStyle !== 'none';
      return outline || shadow || !!sibling;
    });
    const id = await focused.evaluate((el) => el.dataset.testid ?? el.dataset.day ?? el.className);
    stops.push({ role, name, ring, id, snap });
  }
  assert.ok(stops.length >= 25, `reached ${stops.length} controls`);
  for (const s of stops) {
    assert.ok(INTERACTIVE.has(s.role), `focus landed on a non-control: ${s.snap}`);
    assert.ok(s.name.trim().length > 1, `unlabelled control: ${s.snap}`);
    assert.ok(s.ring, `no visible focus ring on ${s.snap}`);
  }
  const names = stops.map((s) => s.name);
  // In reading order: navigation, search, the calendar jumps, today's joins, the mini month, the activity, Sync now.
  const order = [
    'Home',
    'Calendar',
    'Contacts',
    'Settings',
    'Search',
    'Day',
    'Month',
    'Open Discovery Call with Priya Raman',
    'Join Discovery Call with Priya Raman (Zoom)',
    'Join Office Hours with Liam O’Connor (Microsoft Teams)',
    'See the agenda',
    'Previous month',
    'Wednesday, 11 March 2026',
    'Marcus Lee',
    'Strategy Session',
    'Sync now',
  ];
  let at = -1;
  for (const want of order) {
    const found = names.indexOf(want, at + 1);
    assert.ok(found > at, `“${want}” is reached after “${names[at] ?? 'the start'}”; stops: ${names.join(' | ')}`);
    at = found;
  }
  await assertClean(page, problems);
  await context.close();
});

/** Every visible control in `scope` (including FullCalendar's) has a role and a name. */
async function unlabelled(page, scope = 'body') {
  const handles = await page.locator(`${scope} :is(button, a[href], a[tabindex], input, select, textarea, [role=option], [tabindex]:not([tabindex="-1"]))`).all();
  const bad = [];
  for (const h of handles) {
    if (!(await h.isVisible())) continue;
    const { role, name, snap } = await roleAndName(h);
    if (!role || !name.trim()) bad.push(snap || (await h.evaluate((el) => el.outerHTML.slice(0, 120))));
  }
  return { bad, count: handles.length };
}

test('every control on Home, Calendar (with details), Contacts, Settings and Search is labelled', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { webhooks: { failed: 2 } } });
  await page.getByTestId('recent-item').first().waitFor();
  const report = {};
  report.home = await unlabelled(page);

  await gotoCalendar(page);
  await page.locator('.fc [data-uri]').first().click();
  await page.getByTestId('detail-title').waitFor();
  report.calendar = await unlabelled(page);

  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contacts-table').waitFor();
  report.contacts = await unlabelled(page);

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('export-card').waitFor();
  await page.getByTestId('webhook-mode-public-url').check();
  report.settings = await unlabelled(page);

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('a');
  await page.getByTestId('search-result').first().waitFor();
  report.search = await unlabelled(page, '[data-testid=search-dialog]');

  for (const [view, { bad, count }] of Object.entries(report)) {
    assert.ok(count > 3, `${view}: found ${count} controls`);
    assert.deepEqual(bad, [], `${view} has unlabelled controls`);
  }
  await assertClean(page, problems);
  await context.close();
});

/** WCAG 2 contrast of two CSS colours (`rgb()`/`rgba()` as computed; alpha is composited on white/black bg). */
function parse(c) {
  const m = /rgba?\(([^)]+)\)/.exec(c);
  if (!m) throw new Error(`not an rgb colour: ${c}`);
  const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  return { r, g, b, a };
}
function luminance({ r, g, b }) {
  const f = (v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function contrast(fg, bg) {
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The colour of `selector`'s text and the first opaque background behind it. */
async function colours(page, selector) {
  return page.locator(selector).first().evaluate((el) => {
    const fg = getComputedStyle(el).color;
    let node = el;
    let bg = 'rgb(255, 255, 255)';
    while (node) {
      const b = getComputedStyle(node).backgroundColor;
      if (b && b !== 'transparent' && !/rgba\([^)]*,\s*0\)$/.test(b)) {
        bg = b;
        break;
      }
      node = node.parentElement;
    }
    return { fg, bg };
  });
}

test('text contrast is at least 4.5:1 in light and dark', async () => {
  const pairs = [
    ['body text on the page', '.home-head .page-title'],
    ['body text in a card', '.agenda-title'],
    ['muted text on a card', '.agenda-sub'],
    ['muted text on the page', '.home-date'],
    ['section labels', '.section-title'],
    ['the current navigation item', '.nav-item[aria-current=page]'],
    ['other navigation items', '.nav-item:not([aria-current])'],
    ['links', '.recent-item [data-testid=recent-meeting]'],
    ['secondary buttons (Join)', '[data-testid=join].btn-secondary'],
    ['the status line', '.status-line [data-testid=status-sync]'],
    ['the status line account', '[data-testid=status-account]'],
    ['the live webhook state', '[data-testid=status-webhooks]'],
    ['the failed deliveries', '.status-webhook-problem'],
  ];
  const calendarPairs = [
    ['white text on meeting tiles', '.fc-v-event.ev .ev-name'],
    ['hour labels', '.fc-timegrid-slot-label-cushion'],
    ['day headers', '.fc-col-header-cell-cushion'],
    ['the active view button', '.fc-button-active'],
    ['mini month days', '.mini-day:not(.outside):not(.in-range):not(.today)'],
    ['mini month range', '.mini-day.in-range:not(.today)'],
    ['mini month today', '.mini-day.today'],
  ];
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, problems } = await openApp(env.browser, env.server.url, { colorScheme, mock: { webhooks: { failed: 2 } } });
    await page.getByTestId('recent-item').first().waitFor();
    const results = [];
    // The root pair the brief names: body text against the page background.
    const root = await page.evaluate(() => ({ fg: getComputedStyle(document.body).color, bg: getComputedStyle(document.documentElement).backgroundColor }));
    results.push(['body text / page background', contrast(parse(root.fg), parse(root.bg))]);
    for (const [what, selector] of pairs) {
      const { fg, bg } = await colours(page, selector);
      results.push([what, contrast(parse(fg), parse(bg))]);
    }
    await gotoCalendar(page);
    for (const [what, selector] of calendarPairs) {
      const { fg, bg } = await colours(page, selector);
      results.push([what, contrast(parse(fg), parse(bg))]);
    }
    for (const [what, ratio] of results) {
      assert.ok(ratio >= 4.5, `${colorScheme}: ${what} has contrast ${ratio.toFixed(2)}:1`);
    }
    assert.ok(results[0][1] >= 12, `${colorScheme}: body text is far above the minimum (${results[0][1].toFixed(2)}:1)`);
    await assertClean(page, problems);
    await context.close();
  }
});
