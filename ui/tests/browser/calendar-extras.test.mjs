// Calendar extras: the mini month, keyboard shortcuts and their `?` popover, "Show canceled"
// persisted in Preferences, and reschedule markers linking both halves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, screenshot, tile, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function calendar(opts = {}) {
  const app = await openApp(env.browser, env.server.url, opts);
  await gotoCalendar(app.page);
  return app;
}

const title = (page) => page.locator('.fc-toolbar-title').innerText();
const waitTitle = (page, text) => page.locator('.fc-toolbar-title', { hasText: text }).waitFor();

test('the mini month shows the visible week and goes to a clicked day', async () => {
  const { page, context, problems } = await calendar();
  const mini = page.getByTestId('mini-month');
  assert.match(await mini.innerText(), /^March 2026/);
  const inRange = await mini.locator('.mini-day.in-range').evaluateAll((els) => els.map((e) => e.dataset.day));
  assert.deepEqual(inRange, ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15']);
  const today = mini.locator('[aria-current="date"]');
  assert.equal(await today.getAttribute('data-day'), '2026-03-11');
  assert.equal(await today.getAttribute('aria-label'), 'Wednesday, 11 March 2026');
  // Days with meetings carry a dot.
  assert.match(await mini.locator('[data-day="2026-03-12"]').getAttribute('class'), /busy/);
  assert.doesNotMatch(await mini.locator('[data-day="2026-03-14"]').getAttribute('class'), /busy/);

  await mini.locator('[data-day="2026-03-25"]').click();
  await waitTitle(page, '23 – 29 Mar 2026');
  await tile(page, 'E0503').waitFor();
  assert.equal(await mini.locator('.mini-day.in-range').first().getAttribute('data-day'), '2026-03-23');

  // Another month: the grid pages, the calendar follows a click there.
  await mini.getByRole('button', { name: 'Next month' }).click();
  assert.match(await mini.innerText(), /^April 2026/);
  await mini.locator('[data-day="2026-04-02"]').click();
  await waitTitle(page, '30 Mar – 5 Apr 2026');
  await tile(page, 'E0604').waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('the mini month works from the keyboard without moving the big calendar', async () => {
  const { page, context, problems } = await calendar();
  const mini = page.getByTestId('mini-month');
  // Only one day is in the tab order: the cursor (today).
  assert.equal(await mini.locator('button.mini-day[tabindex="0"]').count(), 1);
  await mini.locator('[data-day="2026-03-11"]').focus();
  for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.day), '2026-03-18');
  assert.equal(await title(page), '9 – 15 Mar 2026', 'arrows in the grid are not calendar shortcuts');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('PageDown');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.day), '2026-04-25');
  assert.match(await mini.innerText(), /^April 2026/);
  await page.keyboard.press('Enter');
  await waitTitle(page, '20 – 26 Apr 2026');
  await assertClean(page, problems);
  await context.close();
});

test('keyboard shortcuts switch views and move through time; typing in a field is left alone', async () => {
  const { page, context, problems } = await calendar();
  await page.locator('.fc-toolbar-title').click();
  await page.keyboard.press('m');
  await page.locator('.fc-dayGridMonth-view').waitFor();
  assert.equal(await title(page), 'March 2026');
  await page.keyboard.press('ArrowRight');
  await waitTitle(page, 'April 2026');
  await page.keyboard.press('t');
  await waitTitle(page, 'March 2026');
  await page.keyboard.press('d');
  await page.locator('.fc-timeGridDay-view').waitFor();
  assert.equal(await title(page), '11 March 2026');
  await page.keyboard.press('ArrowLeft');
  await waitTitle(page, '10 March 2026');
  await page.keyboard.press('l');
  await page.locator('.fc-listWeek-view').waitFor();
  await page.keyboard.press('w');
  await page.locator('.fc-timeGridWeek-view').waitFor();
  assert.equal(await title(page), '9 – 15 Mar 2026');
  await tile(page, 'PRIYA-DISCOVERY').waitFor();
  // The month fetched once covers the day and list views inside it: no request per key press.
  assert.deepEqual(
    (await calls(page, 'list_events')).map((c) => c.args.from),
    ['2026-03-08T23:00:00Z', '2026-02-22T23:00:00Z', '2026-03-29T22:00:00Z', '2026-02-22T23:00:00Z'],
  );

  // Letters typed into the zone picker stay there.
  const zone = page.getByTestId('calendar-zone');
  await zone.click();
  await page.keyboard.type('mdl');
  assert.equal(await zone.inputValue(), 'mdl');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await title(page), '9 – 15 Mar 2026');
  assert.equal(await page.locator('.fc-timeGridWeek-view').count(), 1);
  await page.keyboard.press('Escape');
  await assertClean(page, problems);
  await context.close();
});

test('? shows the shortcuts; Escape closes them and gives focus back', async () => {
  const { page, context, problems } = await calendar();
  await page.locator('.fc-toolbar-title').click();
  await page.keyboard.press('?');
  const help = page.getByTestId('shortcuts-help');
  await help.waitFor();
  assert.equal(await help.getAttribute('role'), 'dialog');
  assert.equal(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count(), 1);
  const text = await help.innerText();
  for (const line of [/T\s+Go to today/, /←\s+Previous month, week or day/, /M\s+Month view/, /L\s+List \(agenda\) view/, /Ctrl\s*\+\s*K\s+Search meetings and contacts/]) {
    assert.match(text, line);
  }
  assert.equal(await page.getByTestId('shortcuts-button').getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'calendar-shortcuts');
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'shortcuts-button');
  // The button opens it too, and it is labelled.
  assert.equal(await page.getByRole('button', { name: 'Keyboard shortcuts' }).count(), 1);
  await page.getByTestId('shortcuts-button').click();
  await help.waitFor();
  await page.getByRole('button', { name: 'Close keyboard shortcuts' }).click();
  await help.waitFor({ state: 'detached' });
  await assertClean(page, problems);
  await context.close();
});

test('Show canceled is stored in Preferences and restored on the next start', async () => {
  const first = await calendar();
  await first.page.getByTestId('toggle-canceled').check();
  await tile(first.page, 'MARCUS-STRATEGY').waitFor();
  const saved = (await calls(first.page, 'save_preferences')).map((c) => c.args.prefs.showCanceled);
  assert.deepEqual(saved, [true]);
  await assertClean(first.page, first.problems);
  await first.context.close();

  // The next start reads it back: canceled meetings are fetched from the first request on.
  const next = await calendar({ mock: { preferences: { showCanceled: true } } });
  await tile(next.page, 'MARCUS-STRATEGY').waitFor();
  assert.equal(await next.page.getByTestId('toggle-canceled').isChecked(), true);
  assert.deepEqual((await calls(next.page, 'list_events')).map((c) => c.args.includeCanceled), [true]);
  await next.page.getByTestId('toggle-canceled').uncheck();
  await tile(next.page, 'MARCUS-STRATEGY').waitFor({ state: 'detached' });
  assert.equal((await calls(next.page, 'save_preferences')).at(-1).args.prefs.showCanceled, false);
  await assertClean(next.page, next.problems);
  await next.context.close();
});

test('rescheduled meetings carry a marker and the other half is outlined with the selection', async () => {
  const { page, context, problems } = await calendar({ mock: { preferences: { showCanceled: true } } });
  await page.keyboard.press('m');
  await page.locator('.fc-dayGridMonth-view').waitFor();
  const old = tile(page, 'SOFIA-OLD');
  const fresh = tile(page, 'SOFIA-NEW');
  await fresh.waitFor();
  assert.equal(await old.getAttribute('data-rescheduled-to'), uri('SOFIA-NEW'));
  assert.equal(await fresh.getAttribute('data-rescheduled-from'), uri('SOFIA-OLD'));
  assert.match(await fresh.innerText(), /Sofia Alvarez\s*↻/);

  // Selecting the new booking outlines the old one (in Wednesday's "+ more" here).
  await fresh.click();
  await page.getByTestId('rescheduled-from').waitFor();
  assert.match(await fresh.getAttribute('class'), /ev-selected/);
  await page.locator(`.fc [data-uri="${uri('SOFIA-OLD')}"].ev-linked`).waitFor({ state: 'attached' });
  assert.doesNotMatch(await tile(page, 'PRIYA-DISCOVERY').getAttribute('class'), /ev-linked/);

  // Week views spell the markers out; the outline follows into the week of the old booking.
  await page.locator('.fc-toolbar-title').click();
  await page.keyboard.press('w');
  await page.locator('.fc-timeGridWeek-view').waitFor();
  assert.match(await tile(page, 'SOFIA-OLD').getByTestId('rescheduled-marker').innerText(), /Moved →/);
  assert.match(await tile(page, 'SOFIA-OLD').getAttribute('class'), /ev-linked/);
  await tile(page, 'SOFIA-OLD').scrollIntoViewIfNeeded();
  await screenshot(page, 'calendar-rescheduled-linked');
  await page.keyboard.press('ArrowRight');
  await tile(page, 'SOFIA-NEW').waitFor();
  assert.match(await tile(page, 'SOFIA-NEW').getByTestId('rescheduled-marker').innerText(), /↻ Rescheduled/);
  await assertClean(page, problems);
  await context.close();
});
