// Settings → Start at login: off by default, the switch adds and removes the login item, and a
// failure says what went wrong and leaves the switch as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, useBrowser } from './harness.mjs';

const env = useBrowser();

async function settings() {
  const app = await openApp(env.browser, env.server.url);
  await app.page.getByTestId('nav-settings').click();
  await app.page.getByTestId('autostart-settings').waitFor();
  return app;
}

test('start at login is off by default and the switch adds and removes the login item', async () => {
  const { page, context, problems } = await settings();
  const toggle = page.getByRole('switch', { name: 'Start Slotline in the tray when I log in' });
  await page.waitForFunction(() => !document.querySelector('[data-testid="autostart"]').disabled);
  assert.equal(await toggle.isChecked(), false);
  const label = page.getByText('Start Slotline in the tray when I log in');
  await label.click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.autostart === true);
  assert.equal(await toggle.isChecked(), true);
  assert.deepEqual(
    (await calls(page, 'set_autostart')).map((c) => c.args),
    [{ enabled: true }],
  );
  await screenshot(page, 'settings-autostart');
  await label.click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.autostart === false);
  assert.equal(await toggle.isChecked(), false);
  await assertClean(page, problems);
  await context.close();
});

test('a login item that cannot be written shows the reason and stays off', async () => {
  const { page, context, problems } = await settings();
  await page.waitForFunction(() => !document.querySelector('[data-testid="autostart"]').disabled);
  await page.evaluate(() => {
    window.__SLOTLINE_MOCK_CONTROL__.autostartFails = true;
  });
  await page.getByText('Start Slotline in the tray when I log in').click();
  const error = page.getByTestId('autostart-error');
  await error.waitFor();
  assert.match(await error.innerText(), /could not change the login item: permission denied/);
  await page.waitForFunction(() => !document.querySelector('[data-testid="autostart"]').disabled);
  assert.equal(await page.getByTestId('autostart').isChecked(), false);
  await assertClean(page, problems);
  await context.close();
});
