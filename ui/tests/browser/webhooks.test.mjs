// The status line's real-time part: live via ngrok or the user's URL, polling with the reason,
// the last webhook, failed deliveries with a details panel, and `data-changed: webhooks`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, useBrowser } from './harness.mjs';

const env = useBrowser();

async function app(webhooks) {
  const a = await openApp(env.browser, env.server.url, { mock: { webhooks } });
  await a.page.getByTestId('status-webhooks').waitFor();
  return a;
}

test('live via ngrok with the public URL and the last webhook; the old parts stay', async () => {
  const { page, context, problems } = await app();
  assert.equal(await page.getByTestId('status-webhooks').innerText(), 'Live via ngrok (https://dana-whitfield.ngrok.app)');
  assert.equal(await page.getByTestId('status-last-webhook').innerText(), 'Last webhook 14 minutes ago');
  assert.match(await page.getByTestId('status-last-webhook').getAttribute('title'), /^Wed,? 11 Mar 2026, 08:46$/);
  assert.equal(await page.getByTestId('status-webhook-failures').count(), 0);
  assert.equal(await page.getByTestId('webhook-details-link').count(), 0);
  const line = await page.getByTestId('status-line').innerText();
  assert.match(line, /Dana Whitfield · dana@whitfield-consulting\.com \(offline sandbox\)/);
  assert.match(line, /Synced 3 minutes ago/);
  assert.match(line, /38 meetings · 14 contacts/);
  await assertClean(page, problems);
  await context.close();
});

test('your own public URL, polling with its reason, and real-time off', async () => {
  let a = await app({ tunnel: 'public-url', publicUrl: 'https://hooks.whitfield-consulting.com' });
  assert.equal(await a.page.getByTestId('status-webhooks').innerText(), 'Live via your public URL (https://hooks.whitfield-consulting.com)');
  await assertClean(a.page, a.problems);
  await a.context.close();

  a = await app({
    state: 'polling',
    tunnel: null,
    publicUrl: null,
    subscription: 'refused: Calendly webhooks need a Standard plan or higher (403 Permission Denied)',
    lastDelivery: null,
  });
  assert.equal(
    await a.page.getByTestId('status-webhooks').innerText(),
    'Polling only: Calendly webhooks need a Standard plan or higher (403 Permission Denied)',
  );
  assert.equal(await a.page.getByTestId('status-last-webhook').count(), 0);
  assert.match(await a.page.getByTestId('status-webhooks').getAttribute('class'), /tone-polling/);
  await screenshot(a.page, 'status-line-polling');
  await assertClean(a.page, a.problems);
  await a.context.close();

  a = await app({ state: 'off', tunnel: null, publicUrl: null, subscription: null, lastDelivery: null });
  assert.equal(await a.page.getByTestId('status-webhooks').innerText(), 'Real-time off');
  await assertClean(a.page, a.problems);
  await a.context.close();
});

test('failed deliveries show a details link that opens a small panel', async () => {
  const message = 'Calendly could not reach https://dana-whitfield.ngrok.app (502 Bad Gateway): the tunnel restarted.';
  const { page, context, problems } = await app({ failed: 3, pending: 2, message });
  assert.equal(await page.getByTestId('status-webhook-failures').innerText(), '3 failed deliveries');
  const link = page.getByTestId('webhook-details-link');
  assert.equal(await link.innerText(), 'details');
  assert.equal(await link.getAttribute('aria-expanded'), 'false');
  await link.click();
  const panel = page.getByTestId('webhook-details');
  await panel.waitFor();
  assert.equal(await link.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.getByRole('dialog', { name: 'Webhook delivery details' }).count(), 1);
  assert.equal(await panel.getByTestId('webhook-message').innerText(), message);
  assert.equal(await panel.getByTestId('webhook-pending').innerText(), '2');
  assert.equal(await panel.getByTestId('webhook-failed').innerText(), '3');
  assert.match(await panel.innerText(), /Subscription\s+active/);
  assert.match(await panel.innerText(), /Last delivery\s+Wed,? 11 Mar 2026, 08:46/);
  await screenshot(page, 'status-webhook-details');
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'webhook-details-link');
  await assertClean(page, problems);
  await context.close();
});

test('data-changed naming webhooks refreshes the line: from live to failing', async () => {
  const { page, context, problems } = await app();
  const before = (await calls(page, 'get_status')).length;
  await page.evaluate(async () => {
    const mock = window.__SLOTLINE_MOCK_CONTROL__;
    mock.status.webhooks = { ...mock.status.webhooks, state: 'error', failed: 1, message: 'The ngrok tunnel closed: authentication failed (ERR_NGROK_105).' };
    await mock.dataChanged(['webhooks']);
  });
  await page.getByTestId('status-webhook-failures').waitFor();
  assert.equal((await calls(page, 'get_status')).length, before + 1);
  assert.equal(
    await page.getByTestId('status-webhooks').innerText(),
    'Real-time error: The ngrok tunnel closed: authentication failed (ERR_NGROK_105).',
  );
  assert.equal(await page.getByTestId('status-webhook-failures').innerText(), '1 failed delivery');
  await page.getByTestId('webhook-details-link').click();
  await page.getByTestId('webhook-details').getByRole('button', { name: 'Close webhook details' }).click();
  await page.getByTestId('webhook-details').waitFor({ state: 'detached' });
  await assertClean(page, problems);
  await context.close();
});
