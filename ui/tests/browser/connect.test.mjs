// Connecting through OAuth: the panel, the waiting state (Cancel, Copy link), the connected
// account, cancel and failures, and the Reconnect banner when Calendly refused the grant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, opened, screenshot, uri, useBrowser } from './harness.mjs';

const env = useBrowser();

const CLIENT_ID = 'Vx3kT9qLm2Pw8sRz4bNc6dFh1jKy5aGe';
const AVATAR =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#0e7490"/><circle cx="32" cy="26" r="12" fill="#e0f2fe"/></svg>',
  );

const mockControl = (page, fn, arg) => page.evaluate(fn, arg);

async function openPanel(mock) {
  const app = await openApp(env.browser, env.server.url, { mock: { scenario: 'first-run', ...mock } });
  await app.page.getByTestId('connect-calendly').click();
  await app.page.getByTestId('oauth-start').waitFor();
  return app;
}

test('OAuth: Continue in browser waits with Cancel and Copy link, then shows the account and the calendar', async () => {
  const { page, context, problems } = await openPanel({
    settings: { oauthClientId: CLIENT_ID },
    oauthOutcome: 'manual',
    oauthAccount: { avatarUrl: AVATAR, timezone: 'America/New_York', name: 'Dana Whitfield' },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.server.url).origin });

  // The panel: client ID prefilled from get_settings, the secret behind a disclosure, the redirect to register.
  const clientId = page.getByTestId('oauth-client-id');
  assert.equal(await clientId.inputValue(), CLIENT_ID);
  assert.equal(await page.getByLabel('OAuth client ID').count(), 1, 'the client ID field is labelled');
  assert.equal(await page.getByTestId('oauth-client-secret').isVisible(), false, 'the secret is folded away');
  assert.equal(await page.getByTestId('oauth-secret-toggle').innerText(), 'Client secret (web apps only)');
  assert.equal(await page.getByTestId('oauth-help-redirect').innerText(), 'http://localhost:53682/callback');
  assert.equal(await page.getByTestId('oauth-start').innerText(), 'Continue in browser');
  await screenshot(page, 'connect-oauth-panel');

  await page.getByTestId('oauth-start').click();
  const waiting = page.getByTestId('oauth-waiting');
  await waiting.waitFor();
  assert.match(await waiting.innerText(), /Approve Slotline in your browser…/);
  assert.deepEqual((await calls(page, 'begin_oauth')).map((c) => c.args), [
    { clientId: CLIENT_ID, clientSecret: null, redirectPort: null },
  ]);
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.calls.some((c) => c.cmd === 'finish_oauth'));
  // Rust opens the system browser; the window itself opens nothing.
  assert.deepEqual(await opened(page), []);
  const authorizeUrl = await mockControl(page, () => window.__SLOTLINE_MOCK_CONTROL__.browserOpened[0]);
  assert.match(authorizeUrl, /^https:\/\/auth\.calendly\.com\/oauth\/authorize\?response_type=code&client_id=Vx3kT9/);
  assert.equal(await page.getByTestId('oauth-authorize-url').inputValue(), authorizeUrl, 'the link is shown for copying');
  assert.equal(await page.getByTestId('oauth-redirect-uri').innerText(), 'http://localhost:53682/callback');
  assert.ok(await page.getByTestId('oauth-cancel').isEnabled());
  assert.ok(await page.getByTestId('explore-sandbox').isDisabled(), 'no sandbox while connecting');
  assert.ok(await page.getByTestId('use-token').isDisabled(), 'no token form while connecting');

  await page.getByTestId('oauth-copy-link').click();
  await page.getByTestId('oauth-copy-result').filter({ hasText: 'Link copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), authorizeUrl);
  await screenshot(page, 'connect-oauth-waiting');

  // The browser comes back: the connected account shows, then the calendar.
  await mockControl(page, () => window.__SLOTLINE_MOCK_CONTROL__.redirect('approve'));
  const card = page.getByTestId('connected-account');
  await card.waitFor();
  assert.equal(await card.getByTestId('account-name').innerText(), 'Dana Whitfield');
  assert.equal(await card.getByTestId('account-email').innerText(), 'dana@whitfield-consulting.com');
  assert.equal(await card.getByTestId('account-timezone').innerText(), 'Time zone: America/New York');
  const avatar = card.getByTestId('account-avatar');
  assert.equal(await avatar.getAttribute('src'), AVATAR);
  await avatar.evaluate(
    (img) =>
      img.complete && img.naturalWidth > 0
        ? true
        : new Promise((resolve, reject) => {
            img.addEventListener('load', () => resolve(true), { once: true });
            img.addEventListener('error', () => reject(new Error('the avatar failed to load')), { once: true });
          }),
  );
  assert.ok(await avatar.evaluate((img) => img.naturalWidth > 0), 'the avatar loads');
  assert.equal(await page.getByTestId('status-line').count(), 0, 'the account stays on screen a moment');
  await screenshot(page, 'connect-oauth-connected');

  await page.getByTestId('status-line').waitFor();
  assert.equal(await page.getByTestId('first-run').count(), 0);
  assert.equal(await page.getByTestId('status-account').innerText(), 'Dana Whitfield · dana@whitfield-consulting.com');
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page', 'Home comes first');
  await page.locator(`[data-testid=today-meeting][data-uri="${uri('PRIYA-DISCOVERY')}"]`).waitFor();
  assert.equal((await calls(page, 'finish_oauth')).length, 1);
  assert.equal((await calls(page, 'cancel_oauth')).length, 0);
  await assertClean(page, problems);
  await context.close();
});

test('OAuth: the panel appears with the saved client ID already in it, even when get_settings is slow', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { scenario: 'first-run', settings: { oauthClientId: CLIENT_ID }, latencyMs: 400 },
  });
  await page.getByTestId('connect-calendly').click();
  await page.getByTestId('oauth-loading').waitFor();
  const clientId = page.getByTestId('oauth-client-id');
  await clientId.waitFor();
  assert.equal(await clientId.inputValue(), CLIENT_ID, 'never shown half-filled');
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'oauth-client-id');
  await assertClean(page, problems);
  await context.close();
});

test('OAuth: a typed client ID and secret are sent; without an avatar the card shows initials', async () => {
  const { page, context, problems } = await openPanel({ oauthDelayMs: 300 });
  const clientId = page.getByTestId('oauth-client-id');
  assert.equal(await clientId.inputValue(), '', 'nothing saved, nothing prefilled');
  assert.ok(await clientId.evaluate((el) => el === document.activeElement), 'the client ID field gets focus');
  await clientId.fill(`  ${CLIENT_ID} `);
  await page.getByTestId('oauth-secret-toggle').click();
  await page.getByTestId('oauth-client-secret').fill('s3cr3t-web-app');
  await page.getByTestId('oauth-start').click();
  const card = page.getByTestId('connected-account');
  await card.waitFor();
  assert.deepEqual((await calls(page, 'begin_oauth')).map((c) => c.args), [
    { clientId: CLIENT_ID, clientSecret: 's3cr3t-web-app', redirectPort: null },
  ]);
  assert.equal(await card.getByTestId('account-avatar').count(), 0);
  assert.equal(await card.getByTestId('account-initials').innerText(), 'DW');
  assert.equal(await card.getByTestId('account-timezone').innerText(), 'Time zone: Europe/Berlin');
  // No need to wait: Open calendar goes straight on.
  await page.getByTestId('connected-continue').click();
  await page.getByTestId('status-line').waitFor();
  await assertClean(page, problems);
  await context.close();
});

test('OAuth: Cancel returns to the panel without an error, and a new attempt works', async () => {
  const { page, context, problems } = await openPanel({ settings: { oauthClientId: CLIENT_ID }, oauthOutcome: 'manual' });
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.oauthPending());
  assert.ok(await page.getByTestId('oauth-cancel').evaluate((el) => el === document.activeElement), 'Cancel has focus');

  await page.getByTestId('oauth-cancel').click();
  await page.getByTestId('oauth-form').waitFor();
  assert.equal(await page.getByTestId('oauth-waiting').count(), 0);
  assert.equal(await page.getByTestId('oauth-error').count(), 0, 'canceling is not an error');
  assert.equal((await calls(page, 'cancel_oauth')).length, 1);
  assert.equal(await page.getByTestId('oauth-client-id').inputValue(), CLIENT_ID);
  assert.ok(await page.getByTestId('explore-sandbox').isEnabled());
  assert.ok(await page.getByTestId('first-run').isVisible());
  assert.ok(await page.getByTestId('oauth-start').evaluate((el) => el === document.activeElement), 'focus back on the start button');
  await screenshot(page, 'connect-oauth-canceled');

  // A second attempt runs the whole flow again.
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.oauthPending());
  await mockControl(page, () => window.__SLOTLINE_MOCK_CONTROL__.redirect('approve'));
  await page.getByTestId('connected-account').waitFor();
  assert.equal((await calls(page, 'begin_oauth')).length, 2);
  await assertClean(page, problems);
  await context.close();
});

test('OAuth: a denied flow shows the message and what to do next', async () => {
  const { page, context, problems } = await openPanel({
    settings: { oauthClientId: CLIENT_ID },
    oauthOutcome: 'deny',
    oauthDelayMs: 200,
  });
  await page.getByTestId('oauth-start').click();
  const error = page.getByTestId('oauth-error');
  await error.waitFor();
  const text = await error.innerText();
  assert.match(text, /Calendly says access was denied/);
  assert.match(text, /choose “Approve” on Calendly’s page/);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await page.getByTestId('oauth-waiting').count(), 0);
  assert.ok(await page.getByTestId('oauth-start').isEnabled(), 'ready to try again');
  assert.equal(await page.getByTestId('status-line').count(), 0, 'still not connected');
  await screenshot(page, 'connect-oauth-denied');
  await assertClean(page, problems);
  await context.close();
});

test('OAuth: an empty client ID and a busy port are refused before the browser opens', async () => {
  const { page, context, problems } = await openPanel({ busyPorts: [53682] });
  await page.getByTestId('oauth-start').click();
  const error = page.getByTestId('oauth-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Enter your OAuth app’s client ID first/);
  const clientId = page.getByTestId('oauth-client-id');
  assert.equal(await clientId.getAttribute('aria-invalid'), 'true');
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'oauth-client-id');
  assert.deepEqual((await calls(page, 'begin_oauth')).map((c) => c.args.clientId), ['']);
  assert.equal((await calls(page, 'finish_oauth')).length, 0, 'nothing to wait for');
  assert.deepEqual(await mockControl(page, () => window.__SLOTLINE_MOCK_CONTROL__.browserOpened), []);

  await clientId.fill(CLIENT_ID);
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-error').filter({ hasText: 'Port 53682 on localhost is taken' }).waitFor();
  assert.equal(await clientId.getAttribute('aria-invalid'), null, 'the client ID is fine now');
  assert.equal((await calls(page, 'finish_oauth')).length, 0);
  await assertClean(page, problems);
  await context.close();
});

test('the Reconnect banner appears when Calendly refused the grant, and reconnecting clears it', async () => {
  const message = 'Calendly no longer accepts Slotline’s authorization (invalid_grant): it was revoked or expired. Reconnect to keep syncing; your history is kept.';
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: {
      account: { authKind: 'oauth', sandbox: false, apiUrl: 'https://api.calendly.com' },
      reconnect: message,
      settings: { oauthClientId: CLIENT_ID },
      oauthDelayMs: 400,
    },
  });
  const banner = page.getByTestId('reconnect-banner');
  await banner.waitFor();
  assert.equal(await banner.getByRole('heading').innerText(), 'Reconnect Calendly');
  assert.equal(await page.getByTestId('reconnect-message').innerText(), message);
  assert.equal(await page.getByTestId('status-reconnect').innerText(), '⚠ Reconnect Calendly');
  // The banner sits above Home, which still shows the local history.
  await page.getByTestId('today-meeting').first().waitFor();
  const bannerBox = await banner.boundingBox();
  const homeBox = await page.getByTestId('home').boundingBox();
  assert.ok(bannerBox.y + bannerBox.height <= homeBox.y, 'banner above Home');
  await screenshot(page, 'reconnect-banner');

  // It stays on other pages; Reconnect opens the Connect flow.
  await page.getByTestId('nav-contacts').click();
  await banner.getByTestId('connect-calendly').click();
  assert.equal(await page.getByTestId('oauth-client-id').inputValue(), CLIENT_ID);
  await banner.getByTestId('oauth-start').click();
  await banner.getByTestId('oauth-waiting').waitFor();
  await banner.getByTestId('connected-account').waitFor();
  await screenshot(page, 'reconnect-connected');
  await banner.waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('status-reconnect').count(), 0);
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page', 'back home');
  assert.equal((await calls(page, 'finish_oauth')).length, 1);
  await assertClean(page, problems);
  await context.close();
});

test('the status line’s Reconnect opens the banner’s Connect flow', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { reconnect: 'Calendly refused the refresh token. Reconnect Calendly to keep syncing.' },
  });
  await page.getByTestId('status-reconnect').click();
  await page.getByTestId('reconnect-banner').getByTestId('oauth-form').waitFor();
  await assertClean(page, problems);
  await context.close();
});
