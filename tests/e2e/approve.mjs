// A stand-in for the user's system browser in the real-window test: Slotline opens the
// authorize URL with $BROWSER; this opens it in Debian's Chromium and presses Allow on the
// sandbox's consent page, like a person would.
import { chromium } from 'playwright-core';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const url = process.argv[2];
const log = (m) => {
  if (process.env.SLOTLINE_E2E_ARTIFACTS) {
    appendFileSync(join(process.env.SLOTLINE_E2E_ARTIFACTS, 'approve.log'), `${new Date().toISOString()} ${m}\n`);
  }
};

try {
  log(`opening ${url.split('?')[0]}`);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(url);
  await page.click('#allow');
  await page.waitForLoadState('load');
  const text = await page.textContent('body');
  log(`after Allow: ${text.replace(/\s+/g, ' ').slice(0, 120)}`);
  if (process.env.SLOTLINE_E2E_ARTIFACTS) {
    await page.screenshot({ path: join(process.env.SLOTLINE_E2E_ARTIFACTS, 'e2e-oauth-callback.png') });
  }
  await browser.close();
} catch (e) {
  log(`failed: ${e}`);
  process.exit(1);
}
