// The event detail panel: what it shows for an ordinary, a canceled, a rescheduled, a no-show and
// a group meeting, its links, and that it works from the keyboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, gotoCalendar, openApp, opened, screenshot, tile, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function connected() {
  const app = await openApp(env.browser, env.server.url);
  await gotoCalendar(app.page);
  return app;
}

test('clicking a meeting opens its details from get_event', async () => {
  const { page, context, problems } = await connected();
  await tile(page, 'PRIYA-DISCOVERY').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('detail-title').waitFor();
  assert.deepEqual((await calls(page, 'get_event')).map((c) => c.args), [{ uri: uri('PRIYA-DISCOVERY') }]);
  assert.equal(await panel.getByTestId('detail-title').innerText(), 'Discovery Call');
  assert.match(await panel.getByTestId('detail-time').innerText(), /^Wed,? 11 Mar 2026, 10:00–10:30 · 30 min$/);
  assert.equal(await panel.getByTestId('detail-status').innerText(), 'Scheduled');
  const text = await panel.innerText();
  assert.match(text, /Zoom/);
  assert.match(text, /Priya was referred by Jonas Meyer/);
  assert.match(text, /INVITEES \(1 of 1 attending\)/i);
  const invitee = panel.getByTestId('invitee');
  assert.match(await invitee.innerText(), /Priya Raman\s+priya@northwind-labs\.com\s+Their zone: Europe\/London\s+Attending/);
  assert.match(
    await invitee.getByTestId('invitee-qa').innerText(),
    /What would you like to get out of this call\?\s+We are launching a B2B offer in Q2/,
  );
  assert.match(await panel.getByTestId('detail-hosts').innerText(), /Dana Whitfield\s+dana@whitfield-consulting\.com/);
  assert.equal(await panel.getByTestId('detail-guests').innerText(), 'L\nlena.fischer@northwind-labs.com');
  assert.equal(await panel.getByTestId('no-show-badge').count(), 0);
  // The selected tile is marked.
  assert.match(await tile(page, 'PRIYA-DISCOVERY').getAttribute('class'), /ev-selected/);
  await screenshot(page, 'detail-active');

  // Join opens the video link through the opener plugin; Calendly's links likewise.
  await panel.getByTestId('join-meeting').click();
  await panel.getByTestId('calendly-reschedule').click();
  await panel.getByTestId('calendly-cancel').click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.opened.length === 3);
  const urls = await opened(page);
  assert.match(urls[0], /^https:\/\/zoom\.us\/j\/8\d+$/);
  assert.equal(urls[1], 'https://calendly.com/reschedulings/PRIYA-DISCOVERY-I1');
  assert.equal(urls[2], 'https://calendly.com/cancellations/PRIYA-DISCOVERY-I1');

  await panel.getByTestId('detail-close').click();
  await panel.waitFor({ state: 'detached' });
  await assertClean(page, problems);
  await context.close();
});

test('a canceled meeting says who canceled and why, without Join', async () => {
  const { page, context, problems } = await connected();
  await page.getByTestId('toggle-canceled').check();
  await tile(page, 'MARCUS-STRATEGY').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('detail-cancellation').waitFor();
  assert.equal(await panel.getByTestId('detail-status').innerText(), 'Canceled');
  assert.match(
    await panel.getByTestId('detail-cancellation').innerText(),
    /^Canceled by Marcus Lee \(invitee\)\s+“Budget freeze until Q3 — I will rebook then\.”$/,
  );
  assert.equal(await panel.getByTestId('join-meeting').count(), 0);
  assert.equal(await panel.getByTestId('calendly-cancel').count(), 0);
  const decoration = await panel.getByTestId('detail-title').evaluate((el) => getComputedStyle(el).textDecorationLine);
  assert.equal(decoration, 'line-through');
  await screenshot(page, 'detail-canceled');
  await assertClean(page, problems);
  await context.close();
});

test('reschedule links load the other booking and move the calendar there', async () => {
  const { page, context, problems } = await connected();
  await page.getByTestId('toggle-canceled').check();
  await tile(page, 'SOFIA-OLD').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('rescheduled-to').waitFor();
  assert.match(await panel.getByTestId('detail-cancellation').innerText(), /^Rescheduled by Sofia Alvarez \(invitee\)$/);

  await panel.getByTestId('rescheduled-to').click();
  await panel.getByTestId('rescheduled-from').waitFor();
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('SOFIA-NEW'));
  assert.match(await panel.getByTestId('detail-time').innerText(), /^Tue,? 17 Mar 2026, 11:30–12:00/);
  assert.equal(await panel.getByTestId('detail-status').innerText(), 'Scheduled');
  // The calendar went to the week of the new booking and highlights it.
  await page.locator('.fc-toolbar-title', { hasText: '16 – 22 Mar 2026' }).waitFor();
  await page.locator(`.fc [data-uri="${uri('SOFIA-NEW')}"].ev-selected`).waitFor();
  await screenshot(page, 'detail-rescheduled');

  await panel.getByTestId('rescheduled-from').click();
  await panel.getByTestId('rescheduled-to').waitFor();
  await page.locator('.fc-toolbar-title', { hasText: '9 – 15 Mar 2026' }).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('no-shows and group meetings show per-invitee state', async () => {
  const { page, context, problems } = await connected();
  await page.getByRole('button', { name: 'Previous week' }).click();
  await tile(page, 'E0202').click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('no-show-badge').waitFor();
  assert.match(await panel.getByTestId('invitee').innerText(), /Tom Becker[\s\S]*No-show/);

  await page.getByRole('button', { name: 'Next week' }).click();
  await page.getByRole('button', { name: 'Next week' }).click();
  await tile(page, 'PRICING-WORKSHOP').click();
  await panel.locator('[data-email="ben.carter@greenfield.org"]').waitFor();
  assert.match(await panel.innerText(), /INVITEES \(3 of 4 attending\)/i);
  assert.equal(await panel.getByTestId('invitee').count(), 4);
  assert.match(
    await panel.locator('[data-email="ben.carter@greenfield.org"]').innerText(),
    /Canceled[\s\S]*Canceled by Ben Carter: “Double-booked/,
  );
  assert.match(await tile(page, 'PRICING-WORKSHOP').innerText(), /Jonas Meyer, Fatima Zahra, Elena Petrova/);
  await screenshot(page, 'detail-group');
  await assertClean(page, problems);
  await context.close();
});

test('the keyboard opens and closes the details', async () => {
  const { page, context, problems } = await connected();
  await tile(page, 'PRIYA-DISCOVERY').focus();
  await page.keyboard.press('Enter');
  const title = page.getByTestId('detail-title');
  await title.waitFor();
  assert.ok(await title.evaluate((el) => el === document.activeElement), 'focus moves to the details');
  await page.keyboard.press('Escape');
  await page.getByTestId('event-detail').waitFor({ state: 'detached' });
  await assertClean(page, problems);
  await context.close();
});
