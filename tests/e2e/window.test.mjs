// The real Slotline window under Xvfb, driven through tauri-driver: first run, "Explore the
// offline sandbox", a month of sandbox meetings, a meeting's detail, the contacts feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
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
