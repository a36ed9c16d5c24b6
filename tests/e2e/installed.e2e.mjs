// The installed package (`make bundle` then `dpkg -i`): the binary on PATH opens its window
// under Xvfb and shows the first-run screen. Run by tests/bundle/install-test.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { remote } from 'webdriverio';

let browser;

before(async () => {
  browser = await remote({
    hostname: '127.0.0.1',
    port: Number(process.env.TAURI_DRIVER_PORT),
    logLevel: 'warn',
    capabilities: { 'tauri:options': { application: process.env.SLOTLINE_BIN } },
  });
});

after(async () => {
  if (browser) await browser.deleteSession();
});

test('the installed app opens on the first-run screen', async () => {
  const firstRun = await browser.$('[data-testid="first-run"]');
  await firstRun.waitForDisplayed({ timeout: 30000 });
  assert.ok(await (await browser.$('[data-testid="connect-calendly"]')).isDisplayed());
  assert.ok(await (await browser.$('[data-testid="explore-sandbox"]')).isDisplayed());
  assert.equal(await browser.getTitle(), 'Slotline');
  const artifacts = process.env.SLOTLINE_E2E_ARTIFACTS;
  if (artifacts) await browser.saveScreenshot(join(artifacts, 'installed-first-run.png'));
});
