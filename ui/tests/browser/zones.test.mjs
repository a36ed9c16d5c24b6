// Time zones: the searchable picker over `list_timezones` (toolbar and Settings), the calendar and
// every time following Preferences.timezone, the second zone in the time grid, and each invitee's
// own local time in the meeting details.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, screenshot, switchView, tile, uri, useBrowser, WIDE } from './harness.mjs';

const env = useBrowser();

async function calendar(opts = {}) {
  const app = await openApp(env.browser, env.server.url, opts);
  await gotoCalendar(app.page);
  return app;
}

/** The picker's options once it shows some: the list follows the typing a render later. */
async function options(page, testId) {
  const list = page.getByTestId(`${testId}-options`).getByTestId('zone-option');
  await list.first().waitFor();
  return list.evaluateAll((els) => els.map((e) => e.dataset.zone));
}

/** Waits up to 5 s for the picker to show exactly `expected` (a read right after typing can see
 *  the list of a shorter query, or none yet), then asserts it. */
async function expectOptions(page, testId, expected) {
  let seen;
  for (let i = 0; i < 50; i++) {
    seen = await options(page, testId);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(seen, expected);
}

test('the toolbar picker finds zones as you type and moves the calendar to the picked zone', async () => {
  const { page, context, problems } = await calendar();
  const zone = page.getByTestId('calendar-zone');
  assert.equal(await zone.inputValue(), 'System (Europe/Berlin)');
  assert.equal(await zone.getAttribute('role'), 'combobox');
  assert.equal(await page.getByLabel('Time zone', { exact: true }).count(), 1, 'the picker is labelled');
  assert.equal(await zone.getAttribute('aria-expanded'), 'false');

  await zone.click();
  await zone.fill('berl');
  assert.equal(await zone.getAttribute('aria-expanded'), 'true');
  await expectOptions(page, 'calendar-zone', ['Europe/Berlin']);
  assert.match(await page.getByTestId('calendar-zone-options').innerText(), /Europe\/Berlin\s+UTC\+01:00/);
  // The zones come from Rust, once per window.
  assert.equal((await calls(page, 'list_timezones')).length, 1);

  await zone.fill('new y');
  assert.equal((await options(page, 'calendar-zone'))[0], 'America/New_York');
  const listBefore = (await calls(page, 'list_events')).length;
  await zone.press('Enter');
  await page.locator('[data-testid=calendar][data-zone="America/New_York"]').waitFor();
  assert.equal(await zone.inputValue(), 'America/New York');
  const saved = (await calls(page, 'save_preferences')).at(-1).args.prefs;
  assert.equal(saved.timezone, 'America/New_York');
  assert.equal(saved.showCanceled, false, 'the rest of the preferences is sent unchanged');

  // The visible week is now New York's, in UTC; Priya's 09:00Z call sits at 05:00 on Wednesday.
  await page.waitForFunction((n) => window.__SLOTLINE_MOCK_CONTROL__.calls.filter((c) => c.cmd === 'list_events').length > n, listBefore);
  assert.deepEqual((await calls(page, 'list_events')).at(-1).args, {
    from: '2026-03-09T04:00:00Z',
    to: '2026-03-16T04:00:00Z',
    includeCanceled: false,
  });
  const priya = tile(page, 'PRIYA-DISCOVERY');
  await page.waitForFunction((u) => document.querySelector(`.fc [data-uri="${u}"]`)?.innerText.startsWith('05:00'), uri('PRIYA-DISCOVERY'));
  assert.equal(await priya.evaluate((el) => el.closest('td.fc-timegrid-col')?.dataset.date), '2026-03-11');
  assert.match(await priya.getAttribute('aria-label'), /Wed,? 11 Mar 2026, 05:00–05:30$/);
  await assertClean(page, problems);
  await context.close();
});

test('the picker works from the keyboard; Escape keeps the zone; System goes back to null', async () => {
  const { page, context, problems } = await calendar({ mock: { preferences: { timezone: 'Asia/Tokyo' } } });
  const zone = page.getByTestId('calendar-zone');
  assert.equal(await zone.inputValue(), 'Asia/Tokyo');
  await zone.focus();
  await page.keyboard.press('ArrowDown');
  // Opening on the current zone marks it active.
  const activeId = await zone.getAttribute('aria-activedescendant');
  assert.equal(await page.locator(`[id="${activeId}"]`).getAttribute('data-zone'), 'Asia/Tokyo');
  await page.keyboard.type('sao');
  await page.keyboard.press('Escape');
  assert.equal(await zone.getAttribute('aria-expanded'), 'false');
  assert.equal(await zone.inputValue(), 'Asia/Tokyo', 'Escape restores the shown zone');
  assert.equal((await calls(page, 'save_preferences')).length, 0);

  await page.keyboard.type('system');
  await expectOptions(page, 'calendar-zone', ['']);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=calendar][data-zone="Europe/Berlin"]').waitFor();
  assert.equal((await calls(page, 'save_preferences')).at(-1).args.prefs.timezone, null);
  assert.equal(await zone.inputValue(), 'System (Europe/Berlin)');
  await assertClean(page, problems);
  await context.close();
});

test('a second zone adds its hours to the week and day views', async () => {
  const { page, context, problems } = await calendar({ viewport: WIDE });
  const secondary = page.getByTestId('secondary-zone');
  assert.equal(await secondary.inputValue(), 'None');
  assert.equal(await page.getByTestId('secondary-slot').count(), 0);
  await secondary.click();
  await secondary.fill('kolk');
  await page.getByTestId('secondary-zone-options').locator('[data-zone="Asia/Kolkata"]').click();
  await page.getByTestId('secondary-slot').first().waitFor();
  assert.equal((await calls(page, 'save_preferences')).at(-1).args.prefs.secondaryTimezone, 'Asia/Kolkata');

  // 10:00 in Berlin (UTC+1) is 14:30 in Kolkata (UTC+5:30).
  const label = page.locator('td.fc-timegrid-slot-label[data-time="10:00:00"]');
  assert.equal(await label.innerText(), '10:00\n14:30');
  assert.match(await page.getByTestId('zone-axis-header').innerText(), /^UTC\+1\s+UTC\+5:30$/);
  assert.match(await page.getByTestId('zone-legend').innerText(), /Berlin \(dark\) and Kolkata \(grey\)/);
  await screenshot(page, 'calendar-week-two-zones');

  await switchView(page, 'Day');
  await page.locator('.fc-timeGridDay-view').waitFor();
  assert.equal(await page.locator('td.fc-timegrid-slot-label[data-time="17:00:00"]').innerText(), '17:00\n21:30');
  // Late hours name the other day.
  assert.match(await page.locator('td.fc-timegrid-slot-label[data-time="22:00:00"]').innerText(), /^22:00\nThu,? 02:30$/);
  await assertClean(page, problems);
  await context.close();
});

test('the second zone follows DST: New York is 5 hours behind Berlin in mid-March, 6 in April', async () => {
  const { page, context, problems } = await calendar({ mock: { preferences: { secondaryTimezone: 'America/New_York' } } });
  const ten = () => page.locator('td.fc-timegrid-slot-label[data-time="10:00:00"]').innerText();
  assert.equal(await ten(), '10:00\n05:00');
  // Three weeks on, Europe has switched too.
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next week' }).click();
  await page.locator('.fc-toolbar-title', { hasText: '30 Mar – 5 Apr 2026' }).waitFor();
  assert.equal(await ten(), '10:00\n04:00');
  assert.match(await page.getByTestId('zone-axis-header').innerText(), /^UTC\+2\s+UTC−4$/);
  await assertClean(page, problems);
  await context.close();
});

test('the details show each invitee’s own local time, in the picked zone too', async () => {
  const { page, context, problems } = await calendar();
  await tile(page, 'PRIYA-DISCOVERY').click();
  const local = page.getByTestId('invitee-local-time');
  await local.first().waitFor();
  assert.equal(await local.innerText(), '10:00 for you, 09:00 for Priya in Europe/London');

  await tile(page, 'GRACE-FOLLOWUP').click();
  await page.locator(`[data-testid=invitee-local-time][data-email="grace.kim@lumen.health"]`).waitFor();
  assert.equal(await local.innerText(), '17:00 for you, 09:00 for Grace in America/Los Angeles');

  // A group: one line per attending invitee (Ben canceled his seat).
  await page.getByRole('button', { name: 'Next week' }).click();
  await tile(page, 'PRICING-WORKSHOP').click();
  await page.locator(`[data-testid=invitee-local-time][data-email="elena.petrova@volga-design.com"]`).waitFor();
  assert.deepEqual(await local.allInnerTexts(), [
    '16:00 for you, 16:00 for Jonas in Europe/Berlin',
    '16:00 for you, 15:00 for Fatima in Africa/Casablanca',
    '16:00 for you, 16:00 for Elena in Europe/Berlin',
  ]);

  // In Tokyo the workshop starts at midnight on Friday; for the invitees it is still Thursday.
  const zone = page.getByTestId('calendar-zone');
  await zone.click();
  await zone.fill('tokyo');
  await zone.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=invitee-local-time]')?.innerText.startsWith('00:00'));
  assert.deepEqual(await local.allInnerTexts(), [
    '00:00 for you, Thu 16:00 for Jonas in Europe/Berlin',
    '00:00 for you, Thu 15:00 for Fatima in Africa/Casablanca',
    '00:00 for you, Thu 16:00 for Elena in Europe/Berlin',
  ]);
  assert.match(await page.getByTestId('detail-time').innerText(), /^Fri,? 20 Mar 2026, 00:00–01:30/);
  await assertClean(page, problems);
  await context.close();
});

test('Settings picks the zone and the second zone; the calendar and the facts follow', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url);
  await page.getByTestId('nav-settings').click();
  const zone = page.getByTestId('settings-zone');
  await zone.waitFor();
  assert.equal(await page.getByLabel('Time zone', { exact: true }).count(), 1);
  assert.equal(await page.getByLabel('Second time zone', { exact: true }).count(), 1);
  await zone.click();
  await zone.fill('sydn');
  assert.equal((await options(page, 'settings-zone'))[0], 'Australia/Sydney');
  await screenshot(page, 'settings-zone-picker');
  await page.keyboard.press('Enter');
  await page.getByTestId('display-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.match(await page.getByTestId('connection-facts').innerText(), /Time zone\s+Australia\/Sydney \(picked below\)/);

  const second = page.getByTestId('settings-secondary-zone');
  await second.click();
  await second.fill('berlin');
  await page.keyboard.press('Enter');
  await page.getByTestId('display-saved').filter({ hasText: 'Saved.' }).waitFor();
  const stored = await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.preferences);
  assert.equal(stored.timezone, 'Australia/Sydney');
  assert.equal(stored.secondaryTimezone, 'Europe/Berlin');

  await gotoCalendar(page);
  assert.equal(await page.getByTestId('calendar').getAttribute('data-zone'), 'Australia/Sydney');
  // 09:00Z on Wednesday is 20:00 in Sydney (AEDT, UTC+11).
  assert.match(await tile(page, 'PRIYA-DISCOVERY').innerText(), /^20:00\s+Discovery Call/);
  assert.equal(await page.locator('td.fc-timegrid-slot-label[data-time="20:00:00"]').innerText(), '20:00\n10:00');
  await assertClean(page, problems);
  await context.close();
});

test('a zone Rust refuses is reported and the stored one comes back', async () => {
  const { page, context, problems } = await calendar({ mock: { refuseZones: ['Pacific/Chatham'] } });
  const zone = page.getByTestId('calendar-zone');
  await zone.click();
  await zone.fill('chatham');
  await zone.press('Enter');
  const banner = page.locator('.banner-error');
  await banner.waitFor();
  assert.equal(await banner.innerText(), 'Could not save: Pacific/Chatham is not an IANA time zone.');
  await page.locator('[data-testid=calendar][data-zone="Europe/Berlin"]').waitFor();
  assert.equal(await zone.inputValue(), 'System (Europe/Berlin)');
  assert.match(await tile(page, 'PRIYA-DISCOVERY').innerText(), /^10:00/);
  await assertClean(page, problems);
  await context.close();
});
