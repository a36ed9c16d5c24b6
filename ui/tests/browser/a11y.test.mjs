// Accessibility: an axe-core audit (WCAG 2.0–2.2 A/AA and best practices) of every view and
// state a user reaches, each in the light and the dark theme, with zero violations allowed; plus
// what axe cannot judge: Tab order and visible focus rings on Home, and the contrast of text on
// gradients (axe reports those as "needs review").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, gotoCalendar, openApp, switchView, tile, useBrowser } from './harness.mjs';
import { auditor } from './axe.mjs';

const env = useBrowser();

/** Fails with every violation found in the flow (rule, impact, nodes, axe's summary). */
function assertNoViolations(a, atLeast) {
  assert.equal(a.found.length, 0, `axe found violations:\n${a.found.join('\n')}`);
  assert.ok(a.seen.length >= atLeast, `audited ${a.seen.length} states: ${a.seen.join(', ')}`);
}

const CLIENT_ID = 'Vx3kT9qLm2Pw8sRz4bNc6dFh1jKy5aGe';

test('axe: first run, the OAuth form, waiting for the browser, a refused sign-in, the token form', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { scenario: 'first-run', settings: { oauthClientId: CLIENT_ID }, oauthOutcome: 'manual' },
  });
  const a = auditor(page);
  await page.getByTestId('first-run').waitFor();
  await a.check('first run');

  await page.getByTestId('connect-calendly').click();
  await page.getByTestId('oauth-start').waitFor();
  await page.getByTestId('oauth-secret-toggle').click();
  await page.getByTestId('oauth-client-secret').waitFor();
  await a.check('connect: OAuth form');

  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.calls.some((c) => c.cmd === 'finish_oauth'));
  await a.check('connect: waiting for the browser');

  await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.redirect('deny'));
  await page.getByTestId('oauth-error').waitFor();
  await page.getByTestId('use-token').click();
  await page.getByTestId('token-input').fill('not-a-token');
  await page.getByTestId('token-submit').click();
  await page.getByTestId('token-error').waitFor();
  await a.check('connect: refused sign-in and the token form with its error');

  assertNoViolations(a, 4);
  await assertClean(page, problems);
  await context.close();
});

test('axe: Home, the calendar in every view, its popovers, and the meeting details', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { webhooks: { failed: 2 }, preferences: { showCanceled: true, secondaryTimezone: 'America/New_York' } },
  });
  const a = auditor(page);
  await page.getByTestId('recent-item').first().waitFor();
  await a.check('home');
  await page.getByTestId('webhook-details-link').click();
  await page.getByTestId('webhook-details').waitFor();
  await a.check('home: webhook details');
  await page.keyboard.press('Escape');

  await gotoCalendar(page);
  await page.getByTestId('secondary-slot').first().waitFor();
  await a.check('calendar: week with a second zone');
  await page.getByTestId('shortcuts-button').click();
  await page.getByTestId('shortcuts-help').waitFor();
  await a.check('calendar: keyboard shortcuts');
  await page.keyboard.press('Escape');
  await page.getByTestId('calendar-zone').click();
  await page.getByTestId('calendar-zone').fill('new');
  await page.getByTestId('calendar-zone-options').getByTestId('zone-option').first().waitFor();
  await a.check('calendar: the time zone picker open');
  await page.keyboard.press('Escape');

  await switchView(page, 'Month');
  await tile(page, 'PRICING-WORKSHOP').waitFor();
  await a.check('calendar: month');
  await switchView(page, 'Day');
  await tile(page, 'MARCUS-STRATEGY').waitFor();
  await a.check('calendar: day');
  await switchView(page, 'List');
  await page.locator('.fc-listWeek-view').waitFor();
  await a.check('calendar: list');

  await switchView(page, 'Week');
  await tile(page, 'PRIYA-DISCOVERY').click();
  await page.getByTestId('invitee-local-time').first().waitFor();
  await a.check('meeting details');
  await tile(page, 'SOFIA-OLD').click();
  await page.getByTestId('detail-cancellation').waitFor();
  await a.check('meeting details: a rescheduled meeting with its chain');

  assertNoViolations(a, 10);
  await assertClean(page, problems);
  await context.close();
});

test('axe: Contacts, a contact, and search with results', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  const a = auditor(page);
  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contact-row').first().waitFor();
  await a.check('contacts');
  await page.locator('[data-testid=contact-row][data-email="priya@northwind-labs.com"] button').click();
  await page.getByTestId('contact-feed').waitFor();
  await a.check('a contact');

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('discovery');
  await page.getByTestId('search-status').filter({ hasText: /meetings/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await a.check('search with results');
  await page.getByTestId('search-input').fill('zzzz');
  await page.getByTestId('search-status').filter({ hasText: /Nothing matches/ }).waitFor();
  await a.check('search with no results');

  assertNoViolations(a, 4);
  await assertClean(page, problems);
  await context.close();
});

test('axe: Clients and Insights (its charts, their legends and labels, the heatmap and its scale)', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { viewport: { width: 1440, height: 1160 } });
  const a = auditor(page);
  await page.getByTestId('nav-clients').click();
  await page.getByTestId('client-row').first().waitFor();
  await a.check('clients');
  await page.getByTestId('nav-insights').click();
  for (const chart of ['chart-weekly', 'chart-rates', 'chart-lead']) {
    await page.locator(`[data-testid=${chart}] .u-categories span`).first().waitFor();
  }
  await page.getByTestId('heat-scale').waitFor();
  await a.check('insights');
  assertNoViolations(a, 2);
  await assertClean(page, problems);
  await context.close();
});

test('axe: Settings, each section in its states, and the Reconnect banner', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: {
      reconnect: 'Calendly refused the saved authorization (invalid_grant). Reconnect to keep syncing.',
      account: { authKind: 'oauth', sandbox: false, apiUrl: 'https://api.calendly.com' },
      settings: { oauthClientId: CLIENT_ID },
      preferences: { icsFeed: true, icsFeedUrl: 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics' },
    },
  });
  const a = auditor(page);
  await page.getByTestId('reconnect-banner').waitFor();
  await page.getByTestId('reconnect-banner').getByTestId('connect-calendly').click();
  await page.getByTestId('oauth-start').waitFor();
  await a.check('reconnect banner with the connect panel');
  await page.getByTestId('reconnect-banner').getByRole('button', { name: 'Close', exact: true }).click();

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('export-card').waitFor();
  await a.check('settings');

  await page.getByTestId('webhook-mode-ngrok').check();
  await page.getByTestId('ngrok-domain').fill('not a domain');
  await page.getByTestId('realtime-save').click();
  await page.getByTestId('ngrok-domain-error').waitFor();
  await a.check('settings: real-time over ngrok, with a field error');
  await page.getByTestId('webhook-mode-public-url').check();
  await page.getByTestId('public-url').fill('ftp://nope');
  await page.getByTestId('realtime-save').click();
  await page.getByTestId('public-url-error').waitFor();
  await a.check('settings: real-time on a public URL, with a field error');

  await page.getByTestId('reconcile-minutes').fill('0');
  await page.getByTestId('reconcile-save').click();
  await page.getByTestId('reconcile-error').waitFor();
  await page.getByTestId('settings-redirect-port').fill('80');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('settings-port-error').waitFor();
  await a.check('settings: sync interval and redirect port errors');

  await page.getByTestId('erase-history').check();
  await page.getByTestId('disconnect').click();
  await page.getByTestId('disconnect-confirm').waitFor();
  await a.check('settings: confirm disconnect');

  assertNoViolations(a, 6);
  await assertClean(page, problems);
  await context.close();
});

test('axe: the recovery screen, and after moving the database aside', async () => {
  const problem = {
    kind: 'corrupt',
    path: '/home/dana/.local/share/app.slotline.desktop/slotline.db',
    message: 'This file is damaged: SQLite cannot read its pages.',
    canMoveAside: true,
  };
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { storeProblem: problem } });
  const a = auditor(page);
  await page.getByTestId('recovery').waitFor();
  await a.check('recovery');
  await page.getByTestId('move-aside').click();
  await page.getByTestId('recovery-moved').waitFor();
  await a.check('recovery: moved aside');
  assertNoViolations(a, 2);
  await assertClean(page, problems);
  await context.close();
});

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

// axe checks names and roles but not the order Tab takes, nor that focus can be seen.
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

// axe leaves text on a gradient undecided ("needs review"): the avatars' initials are checked
// here against every colour stop of their background, in both themes.
test('text on gradients (avatar initials) has at least 4.5:1 against every stop, in light and dark', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('recent-item').first().waitFor();
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const worst = await page.locator('.avatar').first().evaluate((el) => {
      const rgb = (c) => (/rgba?\(([^)]+)\)/.exec(c)?.[1] ?? '').split(/[ ,/]+/).filter(Boolean).map(Number);
      const lum = ([r, g, b]) =>
        [r, g, b]
          .map((v) => v / 255)
          .map((s) => (s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4))
          .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
      const ratio = (x, y) => {
        const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
        return (hi + 0.05) / (lo + 0.05);
      };
      const s = getComputedStyle(el);
      const stops = s.backgroundImage.match(/rgba?\([^)]+\)/g) ?? [];
      if (stops.length < 2) throw new Error(`expected a gradient, got ${s.backgroundImage}`);
      return Math.min(...stops.map((c) => ratio(rgb(s.color), rgb(c))));
    });
    assert.ok(worst >= 4.5, `${colorScheme}: avatar initials have contrast ${worst.toFixed(2)}:1 on part of their gradient`);
  }
  await assertClean(page, problems);
  await context.close();
});
