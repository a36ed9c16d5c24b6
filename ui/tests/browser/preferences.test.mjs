// Settings backed by Preferences: notifications, the reconcile interval, real-time mode (ngrok
// with the keyring-held authtoken and a static domain, or the user's own https URL), the ICS
// feed with its URL, and Export with "Show in folder".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, useBrowser, WIDE } from './harness.mjs';

const env = useBrowser();

async function settings(mock = {}, opts = {}) {
  const app = await openApp(env.browser, env.server.url, { mock, ...opts });
  await app.page.getByTestId('nav-settings').click();
  await app.page.getByTestId('realtime-settings').waitFor();
  return app;
}

const lastPrefs = async (page) => (await calls(page, 'save_preferences')).at(-1)?.args.prefs;
const stored = (page) => page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.preferences);

test('notifications and show canceled save at once', async () => {
  const { page, context, problems } = await settings();
  const notifications = page.getByTestId('settings-notifications');
  assert.equal(await notifications.isChecked(), true);
  assert.equal(await page.getByLabel('Desktop notifications for new bookings, cancellations and reschedules').count(), 1);
  await notifications.uncheck();
  await page.getByTestId('display-saved').filter({ hasText: 'Saved.' }).waitFor();
  const sent = await lastPrefs(page);
  assert.equal(sent.notifications, false);
  // The whole object goes to Rust, read-only fields included (Rust ignores those).
  assert.deepEqual(Object.keys(sent).sort(), [
    'hasNgrokAuthtoken',
    'icsFeed',
    'icsFeedNotice',
    'icsFeedUrl',
    'ngrokDomain',
    'notifications',
    'publicUrl',
    'reconcileMinutes',
    'secondaryTimezone',
    'showCanceled',
    'syncDaysAhead',
    'syncDaysBack',
    'timezone',
    'webhookMode',
  ]);
  await page.getByTestId('settings-show-canceled').check();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.preferences.showCanceled === true);
  await page.getByTestId('nav-calendar').click();
  assert.equal(await page.getByTestId('toggle-canceled').isChecked(), true, 'the calendar toggle agrees');
  await assertClean(page, problems);
  await context.close();
});

test('reconcile every N minutes validates 1 to 1440 and saves', async () => {
  const { page, context, problems } = await settings();
  const minutes = page.getByTestId('reconcile-minutes');
  const save = page.getByTestId('reconcile-save');
  assert.equal(await minutes.inputValue(), '15');
  assert.equal(await page.getByLabel('Reconcile every').count(), 1);
  assert.ok(await save.isDisabled());
  await minutes.fill('0');
  assert.match(await page.getByTestId('reconcile-error').innerText(), /between 1 and 1440/);
  assert.equal(await minutes.getAttribute('aria-invalid'), 'true');
  await save.click();
  assert.equal((await calls(page, 'save_preferences')).length, 0);
  await minutes.fill('30');
  await page.getByTestId('reconcile-error').waitFor({ state: 'detached' });
  await save.click();
  await page.getByTestId('reconcile-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await lastPrefs(page)).reconcileMinutes, 30);
  assert.ok(await save.isDisabled());
  await assertClean(page, problems);
  await context.close();
});

test('ngrok: the authtoken goes to the keyring and never comes back; the static domain is checked', async () => {
  const { page, context, problems } = await settings({ preferences: { hasNgrokAuthtoken: false, ngrokDomain: null } });
  assert.equal(await page.getByTestId('webhook-mode-ngrok').isChecked(), true);
  assert.equal(await page.getByRole('group', { name: 'Receive Calendly webhooks' }).getByRole('radio').count(), 3);
  const token = page.getByTestId('ngrok-token');
  assert.equal(await token.getAttribute('type'), 'password');
  assert.equal(await page.getByLabel('ngrok authtoken').count(), 1);
  assert.ok(await page.getByTestId('ngrok-token-save').isDisabled());
  await token.fill('short');
  await page.getByTestId('ngrok-token-save').click();
  await page.getByTestId('ngrok-token-error').waitFor();
  assert.match(await page.getByTestId('ngrok-token-error').innerText(), /does not look like an ngrok authtoken/);

  const secret = '2dVx9Qk3LmPqR7sT_4uWbYcZ8eFgHjKn5oAi6';
  await token.fill(secret);
  await page.getByTestId('ngrok-token-save').click();
  await page.getByTestId('ngrok-token-stored').waitFor();
  assert.equal((await page.getByTestId('ngrok-token-stored').innerText()).trim(), 'Stored in the keyring');
  assert.deepEqual((await calls(page, 'set_ngrok_authtoken')).map((c) => c.args), [{ token: 'short' }, { token: secret }]);
  assert.equal((await stored(page)).hasNgrokAuthtoken, true);
  assert.ok(!(await page.content()).includes(secret), 'the token is not kept on the page');
  assert.ok((await calls(page, 'save_preferences')).every((c) => !JSON.stringify(c.args).includes(secret)));

  const domain = page.getByTestId('ngrok-domain');
  await domain.fill('https://dana.ngrok.app');
  assert.match(await page.getByTestId('ngrok-domain-error').innerText(), /without https/);
  await page.getByTestId('realtime-save').click();
  assert.equal((await calls(page, 'save_preferences')).length, 0);
  await domain.fill('dana-whitfield.ngrok.app');
  await page.getByTestId('realtime-save').click();
  await page.getByTestId('realtime-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.deepEqual(
    (({ webhookMode, ngrokDomain, publicUrl }) => ({ webhookMode, ngrokDomain, publicUrl }))(await lastPrefs(page)),
    { webhookMode: 'ngrok', ngrokDomain: 'dana-whitfield.ngrok.app', publicUrl: null },
  );
  await screenshot(page, 'settings-realtime-ngrok');

  await page.getByTestId('ngrok-token-remove').click();
  await token.waitFor();
  assert.deepEqual((await calls(page, 'set_ngrok_authtoken')).at(-1).args, { token: null });
  await assertClean(page, problems);
  await context.close();
});

test('my own public URL must be https; real-time can be switched off', async () => {
  const { page, context, problems } = await settings();
  await page.getByTestId('webhook-mode-public-url').check();
  await page.getByTestId('ngrok-fields').waitFor({ state: 'detached' });
  const url = page.getByTestId('public-url');
  assert.equal(await page.getByLabel('Public URL', { exact: true }).count(), 1);
  await url.fill('http://hooks.whitfield-consulting.com');
  await url.blur();
  assert.match(await page.getByTestId('public-url-error').innerText(), /must start with https:\/\//);
  assert.equal(await url.getAttribute('aria-invalid'), 'true');
  await page.getByTestId('realtime-save').click();
  assert.equal((await calls(page, 'save_preferences')).length, 0);
  assert.ok(await url.evaluate((el) => el === document.activeElement), 'focus goes to the field to fix');

  await url.fill('https://hooks.whitfield-consulting.com/');
  await page.getByTestId('public-url-error').waitFor({ state: 'detached' });
  await page.getByTestId('realtime-save').click();
  await page.getByTestId('realtime-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await lastPrefs(page)).webhookMode, 'public-url');
  // Rust trims the trailing slash; the field shows what was stored.
  assert.equal(await url.inputValue(), 'https://hooks.whitfield-consulting.com');
  // Rust restarts delivery and says `webhooks` changed: the status line follows.
  await page
    .getByTestId('status-webhooks')
    .filter({ hasText: 'Live via your public URL (https://hooks.whitfield-consulting.com)' })
    .waitFor();
  await screenshot(page, 'settings-realtime-public-url');

  await page.getByTestId('webhook-mode-off').check();
  await page.getByTestId('realtime-save').click();
  await page.getByTestId('realtime-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await stored(page)).webhookMode, 'off');
  await page.getByTestId('status-webhooks').filter({ hasText: 'Real-time off' }).waitFor();
  assert.equal(await page.getByTestId('status-last-webhook').count(), 1, 'the last delivery stays known');
  await assertClean(page, problems);
  await context.close();
});

test('the ICS feed switch shows the URL to subscribe to, with Copy', async () => {
  const { page, context, problems } = await settings({}, {});
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const feed = page.getByTestId('ics-feed');
  assert.equal(await feed.getAttribute('role'), 'switch');
  assert.equal(await page.getByRole('switch', { name: 'Serve a read-only ICS feed on this computer' }).count(), 1);
  assert.equal(await page.getByTestId('ics-feed-url').count(), 0);
  await page.getByText('Serve a read-only ICS feed on this computer').click();
  const url = page.getByTestId('ics-feed-url');
  await url.waitFor();
  assert.equal(await url.innerText(), 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics');
  assert.equal((await lastPrefs(page)).icsFeed, true);
  await page.getByTestId('ics-feed-copy').click();
  await page.getByTestId('ics-feed-copied').filter({ hasText: 'Copied.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics');
  await page.getByTestId('feed-settings').screenshot({ path: new URL('../../test-results/settings-ics-feed.png', import.meta.url).pathname });

  await feed.press('Space');
  await url.waitFor({ state: 'detached' });
  assert.equal((await stored(page)).icsFeed, false);
  await assertClean(page, problems);
  await context.close();
});

test('Export writes ICS, CSV or JSON to Downloads and shows the file', async () => {
  const { page, context, problems } = await settings();
  const card = page.getByTestId('export-card');
  await card.scrollIntoViewIfNeeded();
  assert.equal(await page.getByRole('button', { name: 'Export as ICS, calendar apps' }).count(), 1);
  await page.getByTestId('export-ics').click();
  const result = page.getByTestId('export-result');
  await result.waitFor();
  assert.equal(await result.locator('code').innerText(), '/home/dana/Downloads/slotline-2026-03-11.ics');
  assert.match(await result.innerText(), /^Saved to \/home\/dana\/Downloads\/slotline-2026-03-11\.ics\s+Show in folder$/);
  await page.getByTestId('export-reveal').click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.revealed.length === 1);
  assert.deepEqual(await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.revealed), ['/home/dana/Downloads/slotline-2026-03-11.ics']);

  await page.getByTestId('export-include-canceled').check();
  await page.getByTestId('export-csv').click();
  await result.locator('code', { hasText: 'slotline-2026-03-11-with-canceled.csv' }).waitFor();
  await page.getByTestId('export-json').click();
  await result.locator('code', { hasText: '.json' }).waitFor();
  assert.deepEqual((await calls(page, 'export_file')).map((c) => c.args), [
    { format: 'ics', includeCanceled: false },
    { format: 'csv', includeCanceled: true },
    { format: 'json', includeCanceled: true },
  ]);
  await card.screenshot({ path: new URL('../../test-results/settings-export.png', import.meta.url).pathname });
  await assertClean(page, problems);
  await context.close();
});

test('a failed export says why', async () => {
  const { page, context, problems } = await settings({ exportError: 'Could not write to /home/dana/Downloads: the disk is full.' });
  await page.getByTestId('export-json').click();
  await page.getByTestId('export-error').waitFor();
  assert.equal(await page.getByTestId('export-error').innerText(), 'Could not write to /home/dana/Downloads: the disk is full.');
  assert.equal(await page.getByTestId('export-result').count(), 0);
  await assertClean(page, problems);
  await context.close();
});

test('Settings in light and dark', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, context, problems } = await settings(
      { preferences: { icsFeed: true, icsFeedUrl: 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics', secondaryTimezone: 'America/New_York' } },
      { colorScheme, viewport: { width: WIDE.width, height: 2300 } },
    );
    await page.getByTestId('ics-feed-url').waitFor();
    await screenshot(page, colorScheme === 'light' ? 'settings-full' : 'settings-full-dark');
    await assertClean(page, problems);
    await context.close();
  }
});
