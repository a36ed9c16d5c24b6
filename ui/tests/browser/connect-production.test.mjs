// Connect with a Production Calendly app: its redirect is HTTPS on the user's public address
// (`https://<ngrok domain>/oauth/callback`), offered only when Real time has one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, useBrowser } from './harness.mjs';

const env = useBrowser();

const CLIENT_ID = 'Vx3kT9qLm2Pw8sRz4bNc6dFh1jKy5aGe';

async function openPanel(preferences) {
  const app = await openApp(env.browser, env.server.url, {
    mock: { scenario: 'first-run', settings: { oauthClientId: CLIENT_ID }, oauthOutcome: 'manual', preferences },
  });
  await app.page.getByTestId('connect-calendly').click();
  await app.page.getByTestId('oauth-start').waitFor();
  return app;
}

test('a Production app sends its HTTPS redirect on the ngrok domain to begin_oauth', async () => {
  const { page, context, problems } = await openPanel({ webhookMode: 'ngrok', ngrokDomain: 'dana-whitfield.ngrok.app' });
  const production = page.getByTestId('oauth-production');
  assert.equal(await production.isChecked(), false, 'the loopback (Sandbox app) redirect is the default');
  assert.match(
    await page.getByTestId('oauth-production-help').innerText(),
    /https:\/\/dana-whitfield\.ngrok\.app\/oauth\/callback/,
  );
  assert.equal(await page.getByLabel('Production app (HTTPS redirect)').count(), 1);
  await production.check();
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  assert.deepEqual((await calls(page, 'begin_oauth')).map((c) => c.args), [
    {
      clientId: CLIENT_ID,
      clientSecret: null,
      redirectPort: null,
      redirectUri: 'https://dana-whitfield.ngrok.app/oauth/callback',
    },
  ]);
  const authorize = await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.browserOpened.at(-1));
  assert.equal(new URL(authorize).searchParams.get('redirect_uri'), 'https://dana-whitfield.ngrok.app/oauth/callback');
  await assertClean(page, problems);
  await context.close();
});

test('without a public address the Production option is off and says what to set up', async () => {
  const { page, context, problems } = await openPanel({ webhookMode: 'off', ngrokDomain: null, publicUrl: null });
  assert.ok(await page.getByTestId('oauth-production').isDisabled());
  assert.match(await page.getByTestId('oauth-production-help').innerText(), /set up ngrok or your own public URL under Real time/);
  await page.getByTestId('oauth-start').click();
  await page.getByTestId('oauth-waiting').waitFor();
  assert.deepEqual((await calls(page, 'begin_oauth')).map((c) => c.args), [
    { clientId: CLIENT_ID, clientSecret: null, redirectPort: null },
  ]);
  await assertClean(page, problems);
  await context.close();
});
