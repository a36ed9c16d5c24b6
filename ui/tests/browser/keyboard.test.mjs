// The keyboard alone: Tab reaches every control on each view (and nothing is clickable that Tab
// or an arrow key cannot reach), the calendar grid moves with the arrow keys and opens with Enter,
// and focus goes back to what opened a panel or dialog when it closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, gotoCalendar, openApp, tile, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

/**
 * Tabs through `scope` (the whole page, or a modal dialog) from the start until focus comes back
 * round, and returns the controls Tab never reached, and the elements a mouse can use that are
 * neither focusable nor inside or around something focusable (a click-only control).
 */
async function tabWalk(page, scope = 'body') {
  const candidates = await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    const focusable = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const shown = (el) => el.checkVisibility({ visibilityProperty: true }) && !el.closest('[inert]');
    let n = 0;
    const names = [];
    for (const el of root.querySelectorAll(focusable)) {
      if (el.disabled || el.tabIndex < 0 || !shown(el)) continue;
      // A radio group is one tab stop (its checked radio); arrow keys choose within it.
      if (el.type === 'radio' && !el.checked && root.querySelector(`input[type=radio][name="${el.name}"]:checked`)) continue;
      el.dataset.kb = String(n++);
      names.push(`${el.tagName.toLowerCase()} ${el.dataset.testid ?? el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 40)}`);
    }
    // Click-only: a pointer cursor on something no key can reach. Options of a combobox's list
    // are reached with the arrow keys (aria-activedescendant), labels through their control.
    const clickOnly = [];
    for (const el of root.querySelectorAll('*')) {
      if (!shown(el) || getComputedStyle(el).cursor !== 'pointer') continue;
      // Only where the pointer starts (children inherit it).
      if (el.parentElement && getComputedStyle(el.parentElement).cursor === 'pointer') continue;
      if (el.matches(focusable) || el.closest(focusable) || el.querySelector(focusable)) continue;
      if (el.closest('[role="listbox"], label')) continue;
      clickOnly.push(el.outerHTML.slice(0, 120));
    }
    return { names, clickOnly };
  }, scope);
  await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    // Start before the first control: a modal dialog takes focus itself, the page from the top.
    if (root.tagName === 'DIALOG') root.querySelector('[data-kb]')?.focus();
    else document.activeElement?.blur();
  }, scope);
  const reached = new Set();
  let first;
  for (let i = 0; i < 200; i++) {
    const kb = await page.evaluate(() => document.activeElement?.dataset?.kb ?? null);
    if (kb !== null) {
      if (kb === first) break;
      first ??= kb;
      reached.add(kb);
    }
    await page.keyboard.press('Tab');
  }
  const missed = candidates.names.filter((_, i) => !reached.has(String(i)));
  return { count: candidates.names.length, missed, clickOnly: candidates.clickOnly };
}

async function assertAllReachable(page, view, scope, atLeast = 2) {
  const { count, missed, clickOnly } = await tabWalk(page, scope);
  assert.ok(count >= atLeast, `${view}: found ${count} controls`);
  assert.deepEqual(missed, [], `${view}: Tab never reaches these`);
  assert.deepEqual(clickOnly, [], `${view}: these can be clicked but not reached by keyboard`);
}

test('Tab reaches every control on first run, the connect forms and the recovery screen', async () => {
  const first = await openApp(env.browser, env.server.url, { mock: { scenario: 'first-run' } });
  await first.page.getByTestId('first-run').waitFor();
  await assertAllReachable(first.page, 'first run');
  await first.page.getByTestId('connect-calendly').press('Enter');
  await first.page.getByTestId('oauth-start').waitFor();
  await first.page.getByTestId('oauth-secret-toggle').press('Enter');
  await first.page.getByTestId('use-token').press('Enter');
  await first.page.getByTestId('token-input').waitFor();
  await assertAllReachable(first.page, 'connect: OAuth and token forms');
  await assertClean(first.page, first.problems);
  await first.context.close();

  const problem = { kind: 'corrupt', path: '/tmp/slotline.db', message: 'This file is damaged.', canMoveAside: true };
  const rec = await openApp(env.browser, env.server.url, { mock: { storeProblem: problem } });
  await rec.page.getByTestId('recovery').waitFor();
  await assertAllReachable(rec.page, 'recovery');
  await assertClean(rec.page, rec.problems);
  await rec.context.close();
});

test('Tab reaches every control on Home, the calendar with details, Contacts, a contact, Settings and search', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { webhooks: { failed: 2 } } });
  await page.getByTestId('recent-item').first().waitFor();
  await assertAllReachable(page, 'home');

  await gotoCalendar(page);
  await tile(page, 'PRIYA-DISCOVERY').click();
  await page.getByTestId('invitee-local-time').first().waitFor();
  await assertAllReachable(page, 'calendar with details');
  // The grid is one tab stop; its other tiles are reached with the arrow keys (below).
  assert.equal(await page.locator('.fc [data-uri][tabindex="0"]').count(), 1, 'one tile is tabbable');

  await page.getByTestId('nav-contacts').click();
  await page.getByTestId('contact-row').first().waitFor();
  await assertAllReachable(page, 'contacts');
  await page.locator('[data-testid=contact-row][data-email="priya@northwind-labs.com"] button').click();
  await page.getByTestId('contact-feed').waitFor();
  await assertAllReachable(page, 'a contact');

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('export-card').waitFor();
  await page.getByTestId('webhook-mode-ngrok').check();
  await assertAllReachable(page, 'settings');

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('discovery');
  await page.getByTestId('search-result').first().waitFor();
  // The dialog's one tab stop is its box; results are chosen with the arrow keys.
  await assertAllReachable(page, 'search', '[data-testid=search-dialog]', 1);
  await assertClean(page, problems);
  await context.close();
});

const focusedUri = (page) => page.evaluate(() => document.activeElement?.dataset.uri ?? document.activeElement?.outerHTML.slice(0, 80));
const title = (page) => page.locator('.fc-toolbar-title').innerText();

test('the calendar grid: arrows move between days and meetings, Enter opens the details, Escape comes back', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await gotoCalendar(page);
  // Tab from the view buttons enters the grid at today's first meeting.
  await page.getByRole('button', { name: 'List', exact: true }).focus();
  await page.keyboard.press('Tab');
  assert.equal(await focusedUri(page), uri('PRIYA-DISCOVERY'));
  assert.equal(await page.locator('.fc [data-uri][tabindex="0"]').count(), 1);

  const steps = [
    ['ArrowDown', 'E0305'], // Wed 12:30
    ['ArrowDown', 'GRACE-FOLLOWUP'], // Wed 17:00
    ['ArrowDown', 'GRACE-FOLLOWUP'], // the day's last: stays
    ['ArrowUp', 'E0305'],
    ['ArrowRight', 'E0303'], // Thu 10:00
    ['ArrowLeft', 'PRIYA-DISCOVERY'], // back to Wednesday, nearest in time (10:00)
    ['ArrowLeft', 'E0301'], // Tuesday has none: Monday, nearest in time (09:00, not 15:00)
    ['ArrowDown', 'E0302'],
    ['End', 'E0304'], // Friday's
    ['Home', 'E0301'],
    ['End', 'E0304'],
  ];
  for (const [key, id] of steps) {
    await page.keyboard.press(key);
    assert.equal(await focusedUri(page), uri(id), `after ${key}`);
  }
  assert.equal(await title(page), '9 – 15 Mar 2026', 'arrows in the grid do not change the week');
  assert.equal(await page.locator('.fc [data-uri][tabindex="0"]').count(), 1, 'the tab stop moved with focus');

  // Enter opens the meeting; Escape closes it and focus is back on its tile.
  await page.keyboard.press('Enter');
  const heading = page.getByTestId('detail-title');
  await heading.waitFor();
  assert.match(await heading.innerText(), /On-site/);
  assert.ok(await heading.evaluate((el) => el === document.activeElement), 'focus moves into the details');
  await page.keyboard.press('Escape');
  await page.getByTestId('event-detail').waitFor({ state: 'detached' });
  assert.equal(await focusedUri(page), uri('E0304'), 'focus is back on the tile that opened the details');
  // Space opens too; the close button gives focus back the same way.
  await page.keyboard.press(' ');
  await heading.waitFor();
  await page.getByTestId('detail-close').click();
  assert.equal(await focusedUri(page), uri('E0304'));

  // Past the last meeting, → goes on to next week's first.
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((u) => document.activeElement?.dataset.uri === u, uri('E0401'));
  assert.equal(await title(page), '16 – 22 Mar 2026');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((u) => document.activeElement?.dataset.uri === u, uri('E0304'));

  // Month: ↓ past a day's last meeting goes to the week below.
  await page.keyboard.press('m');
  await page.locator('.fc-dayGridMonth-view').waitFor();
  await tile(page, 'E0304').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await focusedUri(page), uri('E0404'), 'Fri 13 → Fri 20');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focusedUri(page), uri('E0304'));
  await assertClean(page, problems);
  await context.close();
});

test('focus goes back to what opened a panel or dialog when it closes', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { webhooks: { failed: 2 }, reconnect: 'Calendly refused the saved authorization. Reconnect to keep syncing.' },
  });
  const activeTestId = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);

  // The search dialog, opened from its button and from the keyboard on a tile.
  await page.getByTestId('open-search').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('search-input').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('search-dialog').waitFor({ state: 'detached' });
  assert.equal(await activeTestId(), 'open-search');

  // The details opened from Home come back to the meeting's tile in the calendar.
  await page.getByRole('button', { name: 'Open Discovery Call with Priya Raman' }).click();
  await page.getByTestId('detail-title').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('event-detail').waitFor({ state: 'detached' });
  assert.equal(await focusedUri(page), uri('PRIYA-DISCOVERY'));

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').waitFor();
  await page.keyboard.press('Escape');
  await page.getByTestId('search-dialog').waitFor({ state: 'detached' });
  assert.equal(await focusedUri(page), uri('PRIYA-DISCOVERY'));

  // The shortcuts popover opened with ? on a tile.
  await page.keyboard.press('?');
  await page.getByTestId('shortcuts-help').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await focusedUri(page), uri('PRIYA-DISCOVERY'));

  // The webhook details.
  await page.getByTestId('webhook-details-link').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('webhook-details').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await activeTestId(), 'webhook-details-link');

  // The Reconnect banner's panel.
  const banner = page.getByTestId('reconnect-banner');
  await banner.getByTestId('connect-calendly').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('oauth-start').waitFor();
  await banner.getByRole('button', { name: 'Close', exact: true }).click();
  assert.equal(await activeTestId(), 'connect-calendly');

  // A contact: opening lands on its name, going back on its row.
  await page.getByTestId('nav-contacts').click();
  const row = page.locator('[data-testid=contact-row][data-email="priya@northwind-labs.com"] button');
  await row.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'contact-name');
  await page.getByTestId('contact-back').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('tr')?.dataset.email === 'priya@northwind-labs.com');

  // Disconnect's question: Cancel comes back to the button it replaced.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('disconnect').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('disconnect-confirm').waitFor();
  // The question takes the focus: the confirm button, shown after the page loaded.
  assert.equal(await activeTestId(), 'disconnect-confirm');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  assert.equal(await activeTestId(), 'disconnect');
  await assertClean(page, problems);
  await context.close();
});
