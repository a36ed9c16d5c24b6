// Meetings across DST changes land on the right day and hour. Each test places meetings at known
// UTC instants around a transition and reads where FullCalendar put them: the day column (or
// month cell) and the row of the time grid, compared with the slot row for the expected hour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, switchView, tile, useBrowser } from './harness.mjs';

const env = useBrowser();

const at = (id, start, minutes = 30, invitee) => ({
  id,
  name: 'Board Prep',
  start,
  end: new Date(Date.parse(start) + minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  invitee,
});

async function calendar(opts) {
  const app = await openApp(env.browser, opts.server ?? env.server.url, opts);
  await app.page.getByTestId('nav-calendar').click();
  await app.page.getByTestId('calendar').waitFor();
  return app;
}

/** The day a tile sits in and whether its top edge is on the slot row of `time` (HH:MM). */
async function placement(page, id, time) {
  const el = tile(page, id).first();
  await el.waitFor();
  return el.evaluate((node, t) => {
    const col = node.closest('td.fc-timegrid-col, td.fc-daygrid-day');
    const slot = t && document.querySelector(`td.fc-timegrid-slot-lane[data-time="${t}:00"]`);
    const top = node.getBoundingClientRect().top;
    return {
      day: col?.dataset.date ?? null,
      onRow: slot ? Math.abs(slot.getBoundingClientRect().top - top) <= 1.5 : null,
      text: node.innerText.split('\n')[0],
    };
  }, time ?? null);
}

test('America/Santiago: the repeated hour when winter time starts, the missing midnight in September', async () => {
  const meetings = [
    at('STGO-A', '2026-04-05T02:30:00Z'), // Sat 4 Apr 23:30 -03, before the switch
    at('STGO-B', '2026-04-05T03:30:00Z'), // Sat 4 Apr 23:30 -04, the same wall time an hour later
    at('STGO-C', '2026-04-05T04:30:00Z'), // Sun 5 Apr 00:30 -04
    at('STGO-D', '2026-09-06T03:30:00Z'), // Sat 5 Sep 23:30 -04
    at('STGO-E', '2026-09-06T04:30:00Z'), // Sun 6 Sep 01:30 -03: 00:00–01:00 does not exist
  ];
  const { page, context, problems } = await calendar({
    now: '2026-04-04T15:00:00Z',
    mock: { preferences: { timezone: 'America/Santiago' }, extraMeetings: meetings },
  });
  await tile(page, 'STGO-A').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '30 Mar – 5 Apr 2026');
  // Monday 00:00 -03 to the next Monday 00:00 -04: a week of 169 hours.
  assert.deepEqual((await calls(page, 'list_events')).at(-1).args, {
    from: '2026-03-30T03:00:00Z',
    to: '2026-04-06T04:00:00Z',
    includeCanceled: false,
  });
  // STGO-A ends at 23:00 -04 on the wall clock, half an hour "before" it starts: one tile, to midnight.
  assert.equal(await tile(page, 'STGO-A').count(), 1);
  assert.deepEqual(await placement(page, 'STGO-A', '23:30'), { day: '2026-04-04', onRow: true, text: '23:30 Board Prep' });
  assert.deepEqual(await placement(page, 'STGO-B', '23:30'), { day: '2026-04-04', onRow: true, text: '23:30 Board Prep' });
  assert.deepEqual(await placement(page, 'STGO-C', '00:30'), { day: '2026-04-05', onRow: true, text: '00:30 Board Prep' });
  await tile(page, 'STGO-B').scrollIntoViewIfNeeded();
  await screenshot(page, 'dst-santiago-april');

  // September, through the mini month; the list for that week shows Saturday 23:30 and Sunday 01:30.
  for (let i = 0; i < 5; i++) await page.getByTestId('mini-month').getByRole('button', { name: 'Next month' }).click();
  await page.getByTestId('mini-month').locator('[data-day="2026-09-05"]').click();
  await page.locator('.fc-toolbar-title', { hasText: '31 Aug – 6 Sept 2026' }).waitFor();
  assert.deepEqual(await placement(page, 'STGO-D', '23:30'), { day: '2026-09-05', onRow: true, text: '23:30 Board Prep' });
  assert.deepEqual(await placement(page, 'STGO-E', '01:30'), { day: '2026-09-06', onRow: true, text: '01:30 Board Prep' });
  await switchView(page, 'List');
  const list = await page.locator('.fc-listWeek-view').innerText();
  assert.match(list, /Saturday\s+5 September 2026\s+23:30 - 00:00\s+Board Prep/);
  // STGO-D lasts 30 minutes but ends at 01:00 -03 on the wall clock (midnight was skipped), so it
  // carries over into Sunday; STGO-E follows at 01:30.
  assert.match(list, /Sunday\s+6 September 2026\s+00:00 - 01:00\s+Board Prep[^\n]*\n01:30 - 02:00\s+Board Prep/);
  await assertClean(page, problems);
  await context.close();
});

test('Europe/Amsterdam as the system zone: 02:00–03:00 is skipped in March and repeated in October', async () => {
  const meetings = [
    at('AMS-A', '2026-03-29T00:30:00Z'), // 01:30 CET
    at('AMS-B', '2026-03-29T01:30:00Z'), // 03:30 CEST, one real hour later
    at('AMS-C', '2026-10-25T00:30:00Z'), // 02:30 CEST
    at('AMS-D', '2026-10-25T01:30:00Z'), // 02:30 CET
  ];
  const { page, context, problems } = await calendar({
    now: '2026-03-28T12:00:00Z',
    timezoneId: 'Europe/Amsterdam',
    mock: { extraMeetings: meetings },
  });
  assert.equal(await page.getByTestId('calendar').getAttribute('data-zone'), 'Europe/Amsterdam', 'null means the system zone');
  await tile(page, 'AMS-A').waitFor();
  assert.deepEqual((await calls(page, 'list_events')).at(-1).args, {
    from: '2026-03-22T23:00:00Z',
    to: '2026-03-29T22:00:00Z',
    includeCanceled: false,
  });
  assert.deepEqual(await placement(page, 'AMS-A', '01:30'), { day: '2026-03-29', onRow: true, text: '01:30 Board Prep' });
  assert.deepEqual(await placement(page, 'AMS-B', '03:30'), { day: '2026-03-29', onRow: true, text: '03:30 Board Prep' });

  // October: the mini month's Next month, then the 25th.
  for (let i = 0; i < 7; i++) await page.getByTestId('mini-month').getByRole('button', { name: 'Next month' }).click();
  await page.getByTestId('mini-month').locator('[data-day="2026-10-25"]').click();
  await page.locator('.fc-toolbar-title', { hasText: '19 – 25 Oct 2026' }).waitFor();
  assert.deepEqual(await placement(page, 'AMS-C', '02:30'), { day: '2026-10-25', onRow: true, text: '02:30 Board Prep' });
  assert.deepEqual(await placement(page, 'AMS-D', '02:30'), { day: '2026-10-25', onRow: true, text: '02:30 Board Prep' });
  await assertClean(page, problems);
  await context.close();
});

test('Australia/Sydney from Preferences: the same UTC hour is 10:00 before the April switch, 09:00 after', async () => {
  const meetings = [
    at('SYD-A', '2026-04-03T23:00:00Z', 60), // Sat 4 Apr 10:00 AEDT
    at('SYD-B', '2026-04-04T23:00:00Z', 60), // Sun 5 Apr 09:00 AEST
    at('SYD-C', '2026-10-02T23:00:00Z', 60), // Sat 3 Oct 09:00 AEST
    at('SYD-D', '2026-10-03T23:00:00Z', 60), // Sun 4 Oct 10:00 AEDT
  ];
  const { page, context, problems } = await calendar({
    now: '2026-04-02T01:00:00Z',
    mock: { preferences: { timezone: 'Australia/Sydney' }, extraMeetings: meetings },
  });
  await tile(page, 'SYD-A').waitFor();
  assert.equal(await page.getByTestId('calendar').getAttribute('data-zone'), 'Australia/Sydney');
  assert.deepEqual(await placement(page, 'SYD-A', '10:00'), { day: '2026-04-04', onRow: true, text: '10:00 Board Prep' });
  assert.deepEqual(await placement(page, 'SYD-B', '09:00'), { day: '2026-04-05', onRow: true, text: '09:00 Board Prep' });
  await tile(page, 'SYD-B').scrollIntoViewIfNeeded();
  await screenshot(page, 'dst-sydney-april');

  await switchView(page, 'Month');
  await page.locator('.fc-dayGridMonth-view').waitFor();
  assert.deepEqual(await placement(page, 'SYD-A'), { day: '2026-04-04', onRow: null, text: '10:00' });
  assert.deepEqual(await placement(page, 'SYD-B'), { day: '2026-04-05', onRow: null, text: '09:00' });

  // October, from the keyboard: six times → in month view, then week view.
  await page.locator('.fc-toolbar-title').click();
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowRight');
  await page.locator('.fc-toolbar-title', { hasText: 'October 2026' }).waitFor();
  await page.keyboard.press('w');
  await page.locator('.fc-timeGridWeek-view').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '28 Sept – 4 Oct 2026');
  assert.deepEqual(await placement(page, 'SYD-C', '09:00'), { day: '2026-10-03', onRow: true, text: '09:00 Board Prep' });
  assert.deepEqual(await placement(page, 'SYD-D', '10:00'), { day: '2026-10-04', onRow: true, text: '10:00 Board Prep' });

  // The invitee in Santiago sees both switches: the detail names her local hour.
  await tile(page, 'SYD-D').click();
  await page.getByTestId('invitee-local-time').waitFor();
  assert.equal(await page.getByTestId('invitee-local-time').innerText(), '10:00 for you, Sat 20:00 for Camila in America/Santiago');
  await assertClean(page, problems);
  await context.close();
});
