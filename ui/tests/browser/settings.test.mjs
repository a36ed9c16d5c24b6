// Settings: the connection (kind, last token refresh) and the OAuth app (client ID, redirect port
// with inline validation, the redirect URI to register).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, NOW, openApp, screenshot, useBrowser } from './harness.mjs';

const env = useBrowser();

const OAUTH = { authKind: 'oauth', sandbox: false, apiUrl: 'https://api.calendly.com' };
const nowSeconds = Date.parse(NOW) / 1000;

async function settings(mock) {
  const app = await openApp(env.browser, env.server.url, { mock });
  await app.page.getByTestId('nav-settings').click();
  await app.page.getByTestId('settings-save').waitFor();
  return app;
}

test('an OAuth connection shows its kind, API URL and last token refresh', async () => {
  const { page, context, problems } = await settings({ account: OAUTH, lastRefresh: nowSeconds - 2 * 3600 });
  const facts = await page.getByTestId('connection-facts').innerText();
  assert.match(facts, /Name\s+Dana Whitfield/);
  assert.match(facts, /Email\s+dana@whitfield-consulting\.com/);
  assert.match(facts, /Connected with\s+OAuth/);
  assert.match(facts, /API URL\s+https:\/\/api\.calendly\.com/);
  const refresh = page.getByTestId('last-refresh');
  assert.equal(await refresh.innerText(), '2 hours ago');
  assert.match(await refresh.getAttribute('title'), /^Wed,? 11 Mar 2026, 07:00$/);
  await assertClean(page, problems);
  await context.close();
});

test('a personal access token shows no token refresh', async () => {
  const { page, context, problems } = await settings({ account: { ...OAUTH, authKind: 'pat' } });
  assert.match(await page.getByTestId('connection-facts').innerText(), /Connected with\s+Personal access token/);
  assert.equal(await page.getByTestId('last-refresh').count(), 0);
  await assertClean(page, problems);
  await context.close();
});

test('the OAuth app section validates the port, saves and shows the redirect URI to register', async () => {
  const { page, context, problems } = await settings({ settings: { oauthClientId: 'old-client', hasClientSecret: true } });
  const clientId = page.getByTestId('settings-client-id');
  const port = page.getByTestId('settings-redirect-port');
  const save = page.getByTestId('settings-save');
  assert.equal(await clientId.inputValue(), 'old-client');
  assert.equal(await port.inputValue(), '53682');
  assert.equal(await page.getByLabel('Redirect port').count(), 1, 'the port field is labelled');
  assert.equal(await page.getByTestId('settings-secret').innerText(), 'Stored in your system keyring');
  assert.ok(await save.isDisabled(), 'nothing to save yet');
  const help = page.getByTestId('redirect-uri-help');
  assert.match((await help.innerText()).trim(), /^Register the redirect URI that matches the kind of app/);
  assert.equal(
    (await page.getByTestId('redirect-uri-sandbox').innerText()).trim(),
    'Sandbox app: http://localhost:53682/callback (http + localhost is only allowed for Sandbox apps).',
  );
  // The mock's ngrok domain is dana-whitfield.ngrok.app: the Production redirect is on it.
  assert.equal(
    (await page.getByTestId('redirect-uri-production').innerText()).trim(),
    'Production app: https://dana-whitfield.ngrok.app/oauth/callback, served through your tunnel while Slotline runs.',
  );

  // Out of range: an inline error, the field marked, and Save sends nothing.
  await port.fill('80');
  const portError = page.getByTestId('settings-port-error');
  await portError.waitFor();
  assert.match(await portError.innerText(), /between 1024 and 65535/);
  assert.equal(await port.getAttribute('aria-invalid'), 'true');
  await save.click();
  assert.equal((await calls(page, 'save_settings')).length, 0);
  await port.fill('70000');
  assert.match(await portError.innerText(), /between 1024 and 65535/);
  await port.fill('');
  assert.equal(await portError.innerText(), 'Enter a port number.');
  await screenshot(page, 'settings-port-invalid');

  await port.fill('8765');
  await portError.waitFor({ state: 'detached' });
  assert.equal(await port.getAttribute('aria-invalid'), null);
  await clientId.fill('  new-client-id ');
  await save.click();
  await page.getByTestId('settings-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await calls(page, 'save_settings')).map((c) => c.args), [
    { oauthClientId: 'new-client-id', redirectPort: 8765 },
  ]);
  assert.equal(await page.getByTestId('loopback-redirect-uri').innerText(), 'http://localhost:8765/callback');
  assert.equal(await clientId.inputValue(), 'new-client-id');
  assert.ok(await save.isDisabled(), 'saved: nothing left to save');
  await screenshot(page, 'settings-oauth-saved');

  // An emptied client ID is saved as null.
  await clientId.fill('');
  await save.click();
  await page.getByTestId('settings-saved').filter({ hasText: 'Saved.' }).waitFor();
  assert.deepEqual((await calls(page, 'save_settings')).at(-1).args, { oauthClientId: null, redirectPort: 8765 });
  await assertClean(page, problems);
  await context.close();
});

test('the saved client ID prefills the Connect flow', async () => {
  const { page, context, problems } = await settings({ reconnect: 'Calendly refused the refresh token.' });
  await page.getByTestId('settings-client-id').fill('from-settings');
  await page.getByTestId('settings-save').click();
  await page.getByTestId('settings-saved').filter({ hasText: 'Saved.' }).waitFor();
  await page.getByTestId('reconnect-banner').getByTestId('connect-calendly').click();
  await page.getByTestId('oauth-client-id').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=oauth-client-id]').value === 'from-settings');
  await assertClean(page, problems);
  await context.close();
});
