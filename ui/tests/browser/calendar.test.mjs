// The calendar's four views, the visible-range fetch in UTC, the zone, and the canceled toggle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, screenshot, switchView, tile, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function connected(opts = {}) {
  const app = await openApp(env.browser, env.server.url, opts);
  await gotoCalendar(app.page);
  return app;
}

test('week view fetches exactly the visible Berlin week in UTC and shows its meetings', async () => {
  const { page, context, problems } = await connected();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '9 – 15 Mar 2026');
  assert.deepEqual((await calls(page, 'list_events')).map((c) => c.args), [
    { from: '2026-03-08T23:00:00Z', to: '2026-03-15T23:00:00Z', includeCanceled: false },
  ]);
  // Seven active meetings this week; the canceled and the rescheduled-away ones are hidden.
  const uris = await page.locator('.fc [data-uri]').evaluateAll((els) => els.map((e) => e.dataset.uri));
  assert.equal(uris.length, 7, uris.join('\n'));
  assert.ok(!uris.includes(uri('MARCUS-STRATEGY')));
  assert.ok(!uris.includes(uri('SOFIA-OLD')));

  const priya = tile(page, 'PRIYA-DISCOVERY');
  assert.match(await priya.innerText(), /10:00\s+Discovery Call\s+Priya Raman/);
  // 10:00 Berlin is 09:00Z: the tile sits in Wednesday's column, in the 10:00 row.
  const col = await priya.evaluate((el) => el.closest('td.fc-timegrid-col')?.getAttribute('data-date'));
  assert.equal(col, '2026-03-11');
  const label = await priya.getAttribute('aria-label');
  assert.match(label, /^10:00 Discovery Call, Priya Raman, Wed,? 11 Mar 2026, 10:00–10:30$/);
  await screenshot(page, 'calendar-week');
  await assertClean(page, problems);
  await context.close();
});

test('month view spans the DST switch and renders the whole month', async () => {
  const { page, context, problems } = await connected();
  await switchView(page, 'Month');
  await page.locator('.fc-dayGridMonth-view').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), 'March 2026');
  const last = (await calls(page, 'list_events')).at(-1).args;
  // Mon 23 Feb 00:00 CET … Mon 6 Apr 00:00 CEST.
  assert.deepEqual(last, { from: '2026-02-22T23:00:00Z', to: '2026-04-05T22:00:00Z', includeCanceled: false });
  await tile(page, 'PRICING-WORKSHOP').waitFor();
  const count = await page.locator('.fc-dayGridMonth-view [data-uri]').count();
  assert.equal(count, 34, 'all 34 active meetings from 23 Feb to 5 Apr (4 of 38 are canceled)');
  // After the switch to summer time the 11:00 Berlin meeting still says 11:00.
  assert.match(await tile(page, 'E0501').innerText(), /11:00\s*Aiko Tanaka/);
  await screenshot(page, 'calendar-month');
  await assertClean(page, problems);
  await context.close();
});

test('day view shows today’s meetings with invitees', async () => {
  const { page, context, problems } = await connected();
  await switchView(page, 'Day');
  await page.locator('.fc-timeGridDay-view').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '11 March 2026');
  const tiles = page.locator('.fc-timeGridDay-view [data-uri]');
  assert.equal(await tiles.count(), 3);
  assert.match(await tiles.first().innerText(), /10:00\s+Discovery Call\s+Priya Raman/);
  await page.getByTestId('toggle-canceled').check();
  await tile(page, 'MARCUS-STRATEGY').waitFor();
  assert.equal(await tiles.count(), 5);
  await screenshot(page, 'calendar-day');
  await assertClean(page, problems);
  await context.close();
});

test('list view lists the week by day with invitees', async () => {
  const { page, context, problems } = await connected();
  await switchView(page, 'List');
  await page.locator('.fc-listWeek-view').waitFor();
  const rows = page.locator('.fc-list-event');
  assert.equal(await rows.count(), 7);
  const text = await page.locator('.fc-listWeek-view').innerText();
  assert.match(text, /Wednesday\s+11 March 2026/);
  assert.match(text, /10:00 - 10:30\s+Discovery Call · Priya Raman/);
  assert.match(text, /11:00 - 13:00\s+On-site Review · Noah Schmidt/);
  await screenshot(page, 'calendar-list');
  await assertClean(page, problems);
  await context.close();
});

test('prev / next / today move the range and refetch it', async () => {
  const { page, context, problems } = await connected();
  await page.getByRole('button', { name: 'Next week' }).click();
  await tile(page, 'SOFIA-NEW').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '16 – 22 Mar 2026');
  assert.deepEqual((await calls(page, 'list_events')).at(-1).args, {
    from: '2026-03-15T23:00:00Z',
    to: '2026-03-22T23:00:00Z',
    includeCanceled: false,
  });
  assert.match(await tile(page, 'SOFIA-NEW').innerText(), /Rescheduled/);
  await page.getByRole('button', { name: 'Today', exact: true }).click();
  await tile(page, 'PRIYA-DISCOVERY').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '9 – 15 Mar 2026');
  await assertClean(page, problems);
  await context.close();
});

test('Show canceled fetches canceled meetings and strikes them through', async () => {
  const { page, context, problems } = await connected();
  const toggle = page.getByTestId('toggle-canceled');
  assert.equal(await toggle.isChecked(), false);
  assert.equal(await page.getByLabel('Show canceled').count(), 1, 'the toggle is labelled');
  await toggle.check();
  const marcus = tile(page, 'MARCUS-STRATEGY');
  await marcus.waitFor();
  assert.equal((await calls(page, 'list_events')).at(-1).args.includeCanceled, true);
  assert.equal(await marcus.getAttribute('data-status'), 'canceled');
  assert.match(await marcus.innerText(), /Strategy Session\s+Marcus Lee\s+Canceled/);
  const decoration = await marcus.locator('.ev-name').evaluate((el) => getComputedStyle(el).textDecorationLine);
  assert.equal(decoration, 'line-through');
  await tile(page, 'SOFIA-OLD').waitFor();
  await screenshot(page, 'calendar-week-canceled');

  await toggle.uncheck();
  await marcus.waitFor({ state: 'detached' });
  assert.equal((await calls(page, 'list_events')).at(-1).args.includeCanceled, false);
  assert.equal(await tile(page, 'SOFIA-OLD').count(), 0);
  await assertClean(page, problems);
  await context.close();
});

test('dark theme follows prefers-color-scheme', async () => {
  const { page, context, problems } = await connected({ colorScheme: 'dark' });
  const bg = await page.locator('.calendar-frame').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(23, 27, 46)');
  await tile(page, 'PRIYA-DISCOVERY').click();
  await page.getByTestId('detail-title').waitFor();
  await screenshot(page, 'calendar-week-dark');
  await assertClean(page, problems);
  await context.close();
});
