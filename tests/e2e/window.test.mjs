// The real Slotline window under Xvfb, driven through tauri-driver: first run, "Explore the
// offline sandbox", a month of sandbox meetings, a meeting's detail, the contacts feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { remote } from 'webdriverio';

const artifacts = process.env.SLOTLINE_E2E_ARTIFACTS;
let browser;

before(async () => {
  browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.TAURI_DRIVER_PORT),
    logLevel: 'warn',
    capabilities: {
      'tauri:options': { application: process.env.SLOTLINE_BIN },
    },
  });
});

after(async () => {
  if (browser) await browser.deleteSession();
});

async function shot(name) {
  if (artifacts) await browser.saveScreenshot(join(artifacts, `e2e-${name}.png`));
}

test('first run offers Connect Calendly and the offline sandbox', async () => {
  const firstRun = await browser.$('[data-testid="first-run"]');
  await firstRun.waitForDisplayed({ timeout: 30000 });
  assert.ok(await (await browser.$('[data-testid="connect-calendly"]')).isDisplayed());
  assert.ok(await (await browser.$('[data-testid="explore-sandbox"]')).isDisplayed());
  await shot('first-run');
  // The start's User Timing marks, which `make bench` reads to say where the first paint's time
  // goes: each once, in the order the start takes them.
  const marks = await browser.execute(() =>
    ['slotline:early', 'slotline:module', 'slotline:answers', 'slotline:commit'].map((name) =>
      performance.getEntriesByName(name, 'mark').map((m) => m.startTime),
    ),
  );
  assert.deepEqual(marks.map((m) => m.length), [1, 1, 1, 1], `marks: ${JSON.stringify(marks)}`);
  const times = marks.map(([t]) => t);
  assert.deepEqual([...times].sort((a, b) => a - b), times, `marks out of order: ${times}`);
});

test('a second launch hands over to the running window and exits', async () => {
  const started = Date.now();
  const second = spawnSync(process.env.SLOTLINE_BIN, [], { encoding: 'utf8', timeout: 20000 });
  assert.equal(second.error, undefined, `the second launch did not exit: ${second.error}`);
  assert.equal(second.status, 0, second.stderr);
  assert.ok(Date.now() - started < 20000);
  // The first window is still there and answering.
  assert.ok(await (await browser.$('[data-testid="first-run"]')).isDisplayed());
  assert.equal((await browser.getWindowHandles()).length, 1, 'still one window');
});

test('exploring the sandbox fills the calendar with meetings from the store', async () => {
  await (await browser.$('[data-testid="explore-sandbox"]')).click();
  const month = await browser.$('.fc-dayGridMonth-button');
  await month.waitForClickable({ timeout: 60000 });
  await month.click();
  try {
    await browser.waitUntil(
      async () => (await browser.$$('.fc-event')).length > 3,
      { timeout: 60000, timeoutMsg: 'no meetings appeared in the calendar' },
    );
  } finally {
    await shot('after-explore');
  }
  const status = await (await browser.$('[data-testid="status-line"]')).getText();
  assert.match(status, /sandbox/i);
  assert.match(status, /Maya|@/);
  await shot('calendar-month');
});

test('a meeting opens its detail panel', async () => {
  const events = await browser.$$('.fc-event');
  await events[0].click();
  const detail = await browser.$('[data-testid="event-detail"]');
  await detail.waitForDisplayed({ timeout: 15000 });
  const text = await detail.getText();
  assert.match(text, /@/, 'the detail lists invitees with their email');
  await shot('event-detail');
});

test('in the real window the grid moves with the arrow keys, Enter opens, Escape returns focus', async () => {
  await browser.keys('Escape');
  await (await browser.$('[data-testid="event-detail"]')).waitForDisplayed({ reverse: true, timeout: 10000 });
  // The grid is one tab stop: focus its current tile, then move with the arrows.
  const first = await browser.execute(() => {
    const tile = document.querySelector('.fc-daygrid-event[role="button"][tabindex="0"]');
    tile?.focus();
    return document.activeElement === tile ? tile.textContent : null;
  });
  assert.ok(first, 'a tile of the grid takes the focus');
  await browser.keys('ArrowRight');
  const moved = await browser.execute(() => {
    const el = document.activeElement;
    el.dataset.e2eOpened = 'yes';
    return { tile: el.matches('.fc-daygrid-event, .fc-daygrid-more-link'), text: el.textContent };
  });
  assert.ok(moved.tile, 'the focus stays on the grid');
  assert.notEqual(moved.text, first, 'ArrowRight moved to another meeting');
  await browser.keys('Enter');
  const detail = await browser.$('[data-testid="event-detail"]');
  await detail.waitForDisplayed({ timeout: 15000 });
  await browser.keys('Escape');
  await detail.waitForDisplayed({ reverse: true, timeout: 10000 });
  const back = await browser.execute(() => document.activeElement?.dataset.e2eOpened === 'yes');
  assert.ok(back, 'closing the details puts the focus back on the tile that opened them');
});

test('Ctrl+plus zooms the real window and Ctrl+minus zooms back', async () => {
  const width = () => browser.execute(() => window.innerWidth);
  const before = await width();
  await browser.keys(['Control', '=']);
  await browser.waitUntil(async () => (await width()) < before * 0.9, {
    timeout: 10000,
    timeoutMsg: 'Ctrl+= did not zoom the page',
  });
  await shot('zoomed');
  await browser.keys(['Control', '-']);
  await browser.waitUntil(async () => Math.abs((await width()) - before) <= 2, {
    timeout: 10000,
    timeoutMsg: 'Ctrl+- did not zoom back',
  });
});

test('the contacts view lists people with their activity', async () => {
  await (await browser.$('[data-testid="nav-contacts"]')).click();
  await browser.waitUntil(async () => (await browser.$$('[data-testid="contact-row"]')).length > 3, {
    timeout: 15000,
    timeoutMsg: 'no contacts listed',
  });
  await (await browser.$('[data-testid="contact-row"] button')).click();
  const feed = await browser.$('[data-testid="contact-feed"]');
  await feed.waitForDisplayed({ timeout: 15000 });
  assert.match(await feed.getText(), /booked|rescheduled|canceled/i);
  await shot('contact-feed');
});

test('in the real window: the Clients view lists the clients of this month from the store, and Insights draws', async () => {
  await (await browser.$('[data-testid="nav-clients"]')).click();
  await (await browser.$('[data-testid="clients-page"]')).waitForDisplayed({ timeout: 15000 });
  await browser.waitUntil(async () => (await browser.$$('[data-testid="client-row"]')).length > 0, {
    timeout: 30000,
    timeoutMsg: 'no client rows for this month of sandbox meetings',
  });
  const first = await (await browser.$$('[data-testid="client-name"]'))[0].getText();
  assert.ok(first.trim().length > 0, 'a client has a name');
  await shot('clients');
  await (await browser.$('[data-testid="nav-insights"]')).click();
  await (await browser.$('[data-testid="insights-page"]')).waitForDisplayed({ timeout: 15000 });
  // uPlot draws on a canvas, loaded with the view; the heatmap is a table.
  await browser.waitUntil(async () => (await browser.$$('[data-testid="chart-weekly"] canvas')).length > 0, {
    timeout: 30000,
    timeoutMsg: 'the weekly chart did not draw',
  });
  assert.ok(await (await browser.$('[data-testid="heatmap"]')).isDisplayed());
  await shot('insights');
});

test('a booking made in Calendly arrives live through a signed webhook', async () => {
  // The explored sandbox runs inside the app; `slotline status` names its API URL.
  const status = execFileSync(process.env.SLOTLINE_BIN, ['status'], { encoding: 'utf8' });
  const api = status.match(/^API: (\S+)/m)?.[1];
  assert.ok(api, `status names the API URL: ${status}`);
  const start = new Date(Date.now() + 2 * 86400000);
  start.setUTCHours(14, 0, 0, 0);
  const r = await fetch(`${api}/_sandbox/book`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invitee_name: 'Livia Booking', invitee_email: 'livia.booking@example.com', start: start.toISOString() }),
  });
  assert.equal(r.status, 201, await r.text());
  // Back to the contacts list (the previous test left a contact's page open).
  await (await browser.$('[data-testid="nav-contacts"]')).click();
  const back = await browser.$('[data-testid="contact-back"]');
  if (await back.isExisting()) await back.click();
  try {
    await browser.waitUntil(
      async () => (await browser.$('[data-testid="contact-row"][data-email="livia.booking@example.com"]')).isExisting(),
      { timeout: 20000, timeoutMsg: 'the live booking did not reach the contacts list' },
    );
  } catch (e) {
    const deliveries = await (await fetch(`${api}/_sandbox/deliveries`)).text();
    const exported = execFileSync(process.env.SLOTLINE_BIN, ['export', '--format', 'json'], { encoding: 'utf8' });
    console.log('deliveries:', deliveries.slice(0, 1500));
    console.log('stored:', exported.includes('livia.booking@example.com'));
    await shot('live-booking-failed');
    throw e;
  }
  await shot('live-booking');
});

test('Start at login writes and removes the XDG autostart entry', async () => {
  const config = process.env.XDG_CONFIG_HOME || join(process.env.HOME, '.config');
  const entry = join(config, 'autostart', 'Slotline.desktop');
  assert.ok(!existsSync(entry), 'no login item before the user asks for one');
  await (await browser.$('[data-testid="nav-settings"]')).click();
  const toggle = await browser.$('[data-testid="autostart"]');
  await toggle.waitForEnabled({ timeout: 15000 });
  assert.equal(await toggle.isSelected(), false, 'off by default');
  // The checkbox is drawn as a switch; the user clicks its label.
  const label = await browser.$('[data-testid="autostart-settings"] label.switch');
  await label.click();
  await browser.waitUntil(async () => existsSync(entry), { timeout: 10000, timeoutMsg: 'no autostart entry written' });
  const desktop = readFileSync(entry, 'utf8');
  assert.match(desktop, /^Exec=.*slotline.* --hidden$/m, desktop);
  await browser.waitUntil(async () => toggle.isSelected(), { timeout: 5000, timeoutMsg: 'the switch did not turn on' });
  await shot('settings-autostart');
  await label.click();
  await browser.waitUntil(async () => !existsSync(entry), { timeout: 10000, timeoutMsg: 'the autostart entry stayed' });
});

test('disconnecting with erase returns to the first-run screen', async () => {
  await (await browser.$('[data-testid="nav-settings"]')).click();
  const erase = await browser.$('[data-testid="erase-history"]');
  await erase.waitForDisplayed({ timeout: 15000 });
  if (!(await erase.isSelected())) await erase.click();
  await (await browser.$('[data-testid="disconnect"]')).click();
  const confirm = await browser.$('[data-testid="disconnect-confirm"]');
  if (await confirm.isExisting()) await confirm.click();
  await (await browser.$('[data-testid="first-run"]')).waitForDisplayed({ timeout: 30000 });
});

test('Connect Calendly: approve on the sandbox consent page, see the connected account', async () => {
  await (await browser.$('[data-testid="connect-calendly"]')).click();
  const clientId = await browser.$('[data-testid="oauth-client-id"]');
  await clientId.waitForDisplayed({ timeout: 15000 });
  assert.equal(await clientId.getValue(), 'slotline-sandbox-client');
  await (await browser.$('[data-testid="oauth-start"]')).click();
  await (await browser.$('[data-testid="oauth-waiting"]')).waitForDisplayed({ timeout: 15000 });
  await shot('oauth-waiting');
  const account = await browser.$('[data-testid="connected-account"]');
  await account.waitForDisplayed({ timeout: 60000 });
  const text = await account.getText();
  assert.match(text, /Maya/);
  assert.match(text, /@/);
  await shot('oauth-connected');
  const month = await browser.$('.fc-dayGridMonth-button');
  await month.waitForClickable({ timeout: 60000 });
  await month.click();
  await browser.waitUntil(async () => (await browser.$$('.fc-event')).length > 3, {
    timeout: 60000,
    timeoutMsg: 'the OAuth account synced no meetings',
  });
  const status = await (await browser.$('[data-testid="status-line"]')).getText();
  assert.doesNotMatch(status, /sandbox\)/i);
});
