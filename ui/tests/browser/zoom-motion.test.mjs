// Reduced motion: with `prefers-reduced-motion: reduce` nothing in the app transitions or
// animates (and without it, the same elements do, so the check is not empty). 200% zoom of a
// 1280×800 window (a 640×400 CSS-pixel viewport at device scale 2): no view scrolls sideways or
// cuts content off at the right, and its key controls can be scrolled to, fully on screen and
// not covered. The calendar grid alone may scroll inside its own frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, gotoCalendar, openApp, switchView, tile, useBrowser } from './harness.mjs';

const env = useBrowser();

/** Every element (and ::before/::after) with a transition or animation longer than zero. */
function moving(page) {
  return page.evaluate(() => {
    const long = (list) => list.split(',').some((d) => parseFloat(d) > 0);
    const out = [];
    for (const el of document.querySelectorAll('*')) {
      for (const pseudo of [null, '::before', '::after']) {
        const s = getComputedStyle(el, pseudo);
        const anim = s.animationName !== 'none' && long(s.animationDuration);
        if (long(s.transitionDuration) || anim) {
          const name = `${el.tagName.toLowerCase()}${el.classList.length ? `.${[...el.classList].join('.')}` : ''}${pseudo ?? ''}`;
          out.push(`${name} transition ${s.transitionDuration} animation ${anim ? s.animationDuration : '-'}`);
        }
      }
    }
    return [...new Set(out)];
  });
}

/** Moving elements with no preference, then none with `reduce`. */
async function assertStill(page, where, expect) {
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  const normally = await moving(page);
  for (const selector of expect) {
    assert.ok(normally.some((m) => m.startsWith(selector)), `${where}: expected ${selector} to move without the preference; moving: ${normally.join(' | ')}`);
  }
  await page.emulateMedia({ reducedMotion: 'reduce' });
  assert.deepEqual(await moving(page), [], `${where}: still moving with prefers-reduced-motion`);
}

test('prefers-reduced-motion turns off every transition and animation', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { scenario: 'first-run', settings: { oauthClientId: 'Vx3kT9qLm2Pw8sRz4bNc6dFh1jKy5aGe' }, oauthOutcome: 'manual' },
  });
  await page.getByTestId('connect-calendly').click();
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  // The waiting spinner and the buttons' hover colours.
  await assertStill(page, 'connect: waiting', ['span.spinner', 'button.btn']);
  await assertClean(page, problems);
  await context.close();

  const app = await openApp(env.browser, env.server.url);
  await app.page.getByTestId('nav-settings').click();
  await app.page.getByTestId('feed-settings').waitFor();
  // A sync in progress draws its bar; the feed and login switches slide.
  await app.page.evaluate(() =>
    window.__SLOTLINE_MOCK_CONTROL__.syncProgress({ running: true, pages: 1, events: 40, morePages: true, requestsLeft: null, rateLimit: null, error: null }),
  );
  await app.page.getByTestId('sync-progress-fill').waitFor();
  await assertStill(app.page, 'settings with a sync running', ['span.switch-track', 'span.switch-track::after', 'button.btn', 'span']);
  await assertClean(app.page, app.problems);
  await app.context.close();
});

const ZOOM = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 };

/**
 * The page does not scroll sideways; nothing visible (outside the calendar grid) reaches past the
 * right edge or is cut off by a box that scrolls or clips sideways. Text deliberately ended with
 * an ellipsis (its full text in a tooltip or nearby) does not count.
 */
async function assertReflows(page, view) {
  const problems = await page.evaluate(() => {
    const found = [];
    const se = document.scrollingElement;
    if (se.scrollWidth > se.clientWidth) found.push(`the page scrolls sideways: ${se.scrollWidth} > ${se.clientWidth}`);
    const width = document.documentElement.clientWidth;
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}.${[...el.classList].join('.')}`;
    for (const el of document.querySelectorAll('body *')) {
      if (el.closest('.fc-view-harness') || !el.checkVisibility({ visibilityProperty: true })) continue;
      const s = getComputedStyle(el);
      if (s.textOverflow === 'ellipsis') continue;
      const r = el.getBoundingClientRect();
      // Text for screen readers only (a 1 px clipped box) is not on screen to lose.
      if (r.width <= 1 || r.height <= 1) continue;
      if (r.right > width + 1) found.push(`${name(el)} ends at ${Math.round(r.right)} px`);
      if (s.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) found.push(`${name(el)} hides ${el.scrollWidth - el.clientWidth} px sideways`);
    }
    return found;
  });
  assert.deepEqual(problems, [], `${view} at 200%`);
}

/** Each control can be scrolled to and is then wholly on screen and on top. */
async function assertReachable(page, view, testIds) {
  for (const id of testIds) {
    const el = page.getByTestId(id).first();
    assert.ok(await el.isVisible(), `${view}: ${id} is not shown at 200%`);
    const ok = await el.evaluate((node) => {
      node.scrollIntoView({ block: 'center', inline: 'nearest' });
      const r = node.getBoundingClientRect();
      const inside = r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      // A visually hidden input (a switch) shows as its track, the label's next element.
      const target = r.width <= 1 ? node.closest('label') : node;
      return { inside, onTop: !!top && (target.contains(top) || top.contains(target)), rect: [r.left, r.top, r.right, r.bottom].map(Math.round) };
    });
    assert.ok(ok.inside, `${view}: ${id} is not wholly on screen at 200% (${ok.rect})`);
    assert.ok(ok.onTop, `${view}: ${id} is covered at 200% (${ok.rect})`);
  }
}

const SHELL = ['nav-home', 'nav-calendar', 'nav-contacts', 'nav-settings', 'open-search', 'sync-now'];

test('at 200% zoom every view reflows and keeps its controls reachable', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { ...ZOOM, mock: { webhooks: { failed: 2 } } });
  await page.getByTestId('recent-item').first().waitFor();
  await assertReflows(page, 'home');
  await assertReachable(page, 'home', [...SHELL, 'open-month', 'join', 'recent-meeting', 'webhook-details-link']);

  await gotoCalendar(page);
  const calendarControls = ['mini-month', 'secondary-zone', 'toggle-canceled', 'calendar-zone', 'shortcuts-button'];
  for (const view of ['Week', 'Month', 'Day', 'List']) {
    if (view !== 'Week') await switchView(page, view);
    await page.locator('.fc-view').waitFor();
    await assertReflows(page, `calendar ${view}`);
    await assertReachable(page, `calendar ${view}`, calendarControls);
  }
  await switchView(page, 'Week');
  await tile(page, 'PRIYA-DISCOVERY').click();
  await page.getByTestId('detail-title').waitFor();
  await assertReflows(page, 'meeting details');
  await assertReachable(page, 'meeting details', ['detail-close', 'detail-title', 'join-meeting', 'calendly-reschedule', 'detail-hosts', 'toggle-canceled']);
  await page.getByTestId('detail-close').click();

  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contact-row').first().waitFor();
  await assertReflows(page, 'contacts');
  await assertReachable(page, 'contacts', ['contact-search', 'contact-row']);
  await page.locator('[data-testid=contact-row][data-email="priya@northwind-labs.com"] button').click();
  await page.getByTestId('contact-feed').waitFor();
  await assertReflows(page, 'a contact');
  await assertReachable(page, 'a contact', ['contact-back', 'contact-feed', 'contact-answers']);

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('export-card').waitFor();
  await page.getByTestId('webhook-mode-ngrok').check();
  await assertReflows(page, 'settings');
  await assertReachable(page, 'settings', ['ngrok-domain', 'realtime-save', 'reconcile-minutes', 'ics-feed', 'export-ics', 'settings-save', 'disconnect', ...SHELL]);

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('discovery');
  await page.getByTestId('search-result').first().waitFor();
  await assertReflows(page, 'search');
  await assertReachable(page, 'search', ['search-input', 'search-result', 'search-status']);
  await assertClean(page, problems);
  await context.close();
});

test('at 200% zoom first run, the connect forms and the recovery screen reflow', async () => {
  const first = await openApp(env.browser, env.server.url, { ...ZOOM, mock: { scenario: 'first-run' } });
  await first.page.getByTestId('first-run').waitFor();
  await assertReflows(first.page, 'first run');
  await assertReachable(first.page, 'first run', ['connect-calendly', 'explore-sandbox']);
  await first.page.getByTestId('connect-calendly').click();
  await first.page.getByTestId('oauth-secret-toggle').click();
  await first.page.getByTestId('use-token').click();
  await first.page.getByTestId('token-input').waitFor();
  await assertReflows(first.page, 'connect');
  await assertReachable(first.page, 'connect', ['oauth-client-id', 'oauth-client-secret', 'oauth-start', 'token-input', 'token-submit']);
  await assertClean(first.page, first.problems);
  await first.context.close();

  const problem = {
    kind: 'corrupt',
    path: '/home/dana/.local/share/app.slotline.desktop/slotline.db',
    message: 'This file is damaged: SQLite cannot read its pages.',
    canMoveAside: true,
  };
  const rec = await openApp(env.browser, env.server.url, { ...ZOOM, mock: { storeProblem: problem } });
  await rec.page.getByTestId('recovery').waitFor();
  await assertReflows(rec.page, 'recovery');
  await assertReachable(rec.page, 'recovery', ['recovery-path', 'move-aside', 'quit']);
  await assertClean(rec.page, rec.problems);
  await rec.context.close();
});
