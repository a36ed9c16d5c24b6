// Home: the first screen after connecting. Today's and the next meetings with Join buttons, the
// week's counters, the latest activity (opening meetings and contacts), the day/week bounds sent
// to `dashboard` in the display zone, jumps into the calendar, and refetching on data-changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, opened, screenshot, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

async function home(opts = {}) {
  const app = await openApp(env.browser, env.server.url, opts);
  await app.page.getByTestId('today-meeting').first().waitFor();
  return app;
}

/** In the page before the app boots: what the window held the first time the app rendered. */
function watchFirstRender() {
  window.__renders = [];
  new MutationObserver(() => {
    const root = document.getElementById('root');
    if (!root || root.childElementCount === 0) return;
    window.__renders.push({
      loading: root.innerText.includes('Loading'),
      greeting: document.querySelector('[data-testid="home-greeting"]')?.textContent ?? null,
      today: document.querySelectorAll('[data-testid="today-meeting"]').length,
      booked: document.querySelector('[data-testid="week-booked"]')?.textContent ?? null,
    });
  }).observe(document, { childList: true, subtree: true, characterData: true });
}

const meeting = (page, id) => page.locator(`[data-uri="${uri(id)}"]`);

test('the first render is Home with its data: no loading state or empty counters first', async () => {
  // Each answer takes a while, as over Tauri's IPC: the window waits for them, not paints a
  // loading state meanwhile.
  const { page, context, problems } = await home({ initScript: watchFirstRender, mock: { latencyMs: 60 } });
  const renders = await page.evaluate(() => window.__renders);
  assert.ok(renders.length > 0);
  // The very first time anything is in the window, it is Home with today's meetings and the
  // week's counters: the app asks Rust first and renders once with the answers.
  assert.deepEqual(renders[0], renders.find((r) => r.today === 3));
  assert.equal(renders[0].loading, false);
  assert.equal(renders[0].greeting, 'Good morning, Dana');
  assert.match(renders[0].booked ?? '', /\d/);
  assert.ok(!renders.some((r) => r.loading), 'a loading state was shown');
  // One round of questions: each asked once.
  for (const cmd of ['get_store_problem', 'get_preferences', 'get_status', 'dashboard']) {
    assert.equal((await calls(page, cmd)).length, 1, cmd);
  }
  await assertClean(page, problems);
  await context.close();
});

test('Home is the first screen: today, the next meetings, the week and the latest activity', async () => {
  const { page, context, problems } = await home();
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page');
  assert.equal(await page.getByTestId('nav-home').innerText(), 'Home');
  const navOrder = await page.locator('nav .nav-item').evaluateAll((els) => els.map((e) => e.dataset.testid));
  assert.deepEqual(navOrder, ['nav-home', 'nav-calendar', 'nav-contacts', 'nav-clients', 'nav-insights', 'nav-settings']);
  assert.equal(await page.getByTestId('home-greeting').innerText(), 'Good morning, Dana');

  // The bounds are Wednesday and its Monday-first week in Berlin, as UTC instants.
  assert.deepEqual((await calls(page, 'dashboard')).map((c) => c.args), [
    {
      dayStart: '2026-03-10T23:00:00Z',
      dayEnd: '2026-03-11T23:00:00Z',
      weekStart: '2026-03-08T23:00:00Z',
      weekEnd: '2026-03-15T23:00:00Z',
    },
  ]);

  const today = page.getByTestId('today-meeting');
  assert.equal(await today.count(), 3);
  const rows = await today.evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  assert.deepEqual(rows, [
    '10:00 10:30 Discovery Call Priya Raman · Zoom in 1 hour Join',
    '12:30 13:00 Office Hours Liam O’Connor · Microsoft Teams in 4 hours Join',
    '17:00 17:30 Follow-up Grace Kim · Phone call (you call) in 8 hours',
  ]);
  // A phone call has no Join button.
  assert.equal(await meeting(page, 'GRACE-FOLLOWUP').getByTestId('join').count(), 0);

  // `upcoming` starts now, so it repeats the rest of today; Coming up leaves those to Today.
  const upcoming = page.getByTestId('upcoming-meeting');
  assert.equal(await upcoming.count(), 2);
  assert.match(await upcoming.first().innerText(), /^Thu 12 Mar\s+10:00\s+10:30\s+Discovery Call\s+Mateo Rossi · Zoom\s+tomorrow\s+Join$/i);

  assert.equal(await page.getByTestId('week-booked').innerText(), 'Booked\n14');
  assert.equal(await page.getByTestId('week-canceled').innerText(), 'Canceled\n1');
  assert.equal(await page.getByTestId('week-rescheduled').innerText(), 'Rescheduled\n1');
  assert.equal(await page.getByTestId('week-no-shows').innerText(), 'No-shows\n1');

  const recent = page.getByTestId('recent-item');
  assert.equal(await recent.count(), 10);
  assert.match(await recent.first().innerText(), /^HO\s+Hannah Okafor booked On-site Review\s+6 hours ago$/);
  assert.match(await recent.nth(3).innerText(), /Marcus Lee canceled Strategy Session\s+15 hours ago/);
  await screenshot(page, 'home');
  await assertClean(page, problems);
  await context.close();
});

test('Join opens the video link; the rows open the meeting in the calendar', async () => {
  const { page, context, problems } = await home();
  await meeting(page, 'PRIYA-DISCOVERY').getByTestId('join').click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.opened.length === 1);
  assert.match((await opened(page))[0], /^https:\/\/zoom\.us\/j\/8\d+$/);
  // Join buttons say what they join.
  assert.equal(
    await meeting(page, 'PRIYA-DISCOVERY').getByTestId('join').getAttribute('aria-label'),
    'Join Discovery Call with Priya Raman (Zoom)',
  );

  await page.getByRole('button', { name: 'Open Office Hours with Liam O’Connor' }).click();
  const panel = page.getByTestId('event-detail');
  await panel.getByTestId('detail-title').waitFor();
  assert.equal(await page.getByTestId('nav-calendar').getAttribute('aria-current'), 'page');
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('E0305'));
  await page.locator(`.fc [data-uri="${uri('E0305')}"].ev-selected`).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('recent activity opens the meeting or the contact', async () => {
  const { page, context, problems } = await home();
  const marcus = page.getByTestId('recent-item').filter({ hasText: 'Marcus Lee canceled' });
  await marcus.getByTestId('recent-meeting').click();
  await page.getByTestId('event-detail').getByTestId('detail-cancellation').waitFor();
  assert.equal((await calls(page, 'get_event')).at(-1).args.uri, uri('MARCUS-STRATEGY'));
  // A canceled meeting opens even with canceled meetings hidden in the grid.
  assert.match(await page.getByTestId('detail-cancellation').innerText(), /Canceled by Marcus Lee/);

  await page.getByTestId('nav-home').click();
  await page.getByTestId('recent-item').first().getByTestId('recent-contact').click();
  await page.getByTestId('contact-page').waitFor();
  assert.equal(await page.getByTestId('contact-name').innerText(), 'Hannah Okafor');
  assert.deepEqual((await calls(page, 'get_contact')).at(-1).args, { email: 'hannah@okafor-legal.com' });
  await assertClean(page, problems);
  await context.close();
});

test('Open calendar jumps to a view; the mini month opens a day', async () => {
  const { page, context, problems } = await home();
  await page.getByTestId('open-month').click();
  await page.locator('.fc-dayGridMonth-view').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), 'March 2026');
  assert.equal(await page.getByTestId('nav-calendar').getAttribute('aria-current'), 'page');

  await page.getByTestId('nav-home').click();
  await page.getByTestId('home-mini-month').locator('[data-day="2026-03-19"]').click();
  await page.locator('.fc-timeGridDay-view').waitFor();
  assert.equal(await page.locator('.fc-toolbar-title').innerText(), '19 March 2026');
  await page.locator(`.fc [data-uri="${uri('PRICING-WORKSHOP')}"]`).waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('the day and week follow the zone from Preferences', async () => {
  const { page, context, problems } = await home({ mock: { preferences: { timezone: 'America/Los_Angeles' } } });
  // 08:00Z is 01:00 in Los Angeles on Wednesday 11 March (PDT since the 8th).
  assert.deepEqual((await calls(page, 'dashboard')).at(-1).args, {
    dayStart: '2026-03-11T07:00:00Z',
    dayEnd: '2026-03-12T07:00:00Z',
    weekStart: '2026-03-09T07:00:00Z',
    weekEnd: '2026-03-16T07:00:00Z',
  });
  assert.equal(await page.getByTestId('home-greeting').innerText(), 'Good evening, Dana');
  assert.match(await page.locator('.home-date').innerText(), /Wednesday 11 March · America\/Los Angeles/);
  // Priya's 09:00Z call is 02:00 there.
  assert.match(await meeting(page, 'PRIYA-DISCOVERY').innerText(), /^02:00\s+02:30\s+Discovery Call/);
  await assertClean(page, problems);
  await context.close();
});

test('data-changed naming dashboard refetches Home', async () => {
  const { page, context, problems } = await home();
  const before = (await calls(page, 'dashboard')).length;
  await page.evaluate(async () => {
    const mock = window.__SLOTLINE_MOCK_CONTROL__;
    const e = mock.db.events.find((x) => x.uri.endsWith('/E0305'));
    e.status = 'canceled';
    e.invitees[0].status = 'canceled';
    await mock.dataChanged(['dashboard']);
  });
  await meeting(page, 'E0305').waitFor({ state: 'detached' });
  assert.equal((await calls(page, 'dashboard')).length, before + 1);
  assert.equal(await page.getByTestId('today-meeting').count(), 2);
  await assertClean(page, problems);
  await context.close();
});
