// First run: the welcome screen, the token form and its inline error, and the sandbox flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, tile, useBrowser } from './harness.mjs';

const env = useBrowser();

test('first run shows the product, the pitch and both ways in', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { scenario: 'first-run' } });
  const screen = page.getByTestId('first-run');
  await screen.waitFor();
  assert.equal(await screen.getByRole('heading', { level: 1 }).innerText(), 'Slotline');
  assert.match(await screen.innerText(), /Calendly meetings in a fast local calendar/);
  // The logo loads (wait for it: right after the screen appears the image may still be decoding).
  await page.waitForFunction(
    () => {
      const img = document.querySelector('[data-testid="first-run"] img.logo');
      return img && img.complete && img.naturalWidth > 0;
    },
    null,
    { timeout: 5000 },
  );
  assert.equal(await page.getByTestId('connect-calendly').innerText(), 'Connect Calendly');
  assert.equal(await page.getByTestId('explore-sandbox').innerText(), 'Explore the offline sandbox');
  // No app shell and no connect panel yet.
  assert.equal(await page.getByTestId('status-line').count(), 0);
  assert.equal(await page.getByTestId('token-input').count(), 0);
  assert.equal(await page.getByTestId('connect-panel').count(), 0);
  await screenshot(page, 'first-run');
  await assertClean(page, problems);
  await context.close();
});

test('the personal access token is the secondary way in, with an inline error', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { scenario: 'first-run' } });
  const connect = page.getByTestId('connect-calendly');
  assert.equal(await connect.getAttribute('aria-expanded'), 'false');
  await connect.click();
  assert.equal(await connect.getAttribute('aria-expanded'), 'true');
  // OAuth first; the token form only on request.
  await page.getByTestId('oauth-start').waitFor();
  assert.equal(await page.getByTestId('token-input').count(), 0);
  const useToken = page.getByTestId('use-token');
  assert.equal(await useToken.innerText(), 'Use a personal access token instead');
  await useToken.click();
  const input = page.getByTestId('token-input');
  await input.waitFor();
  assert.ok(await input.evaluate((el) => el === document.activeElement), 'the token field gets focus');
  assert.match(await page.locator('.token-form').innerText(), /connects without an OAuth app/);
  // The field is labelled.
  assert.equal(await page.getByLabel('Personal access token', { exact: true }).count(), 1);

  await input.fill('not-a-token');
  await page.getByTestId('token-submit').click();
  const error = page.getByTestId('token-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Calendly rejected this token \(401 Unauthenticated\)/);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await calls(page, 'connect_token')).map((c) => c.args), [{ token: 'not-a-token' }]);
  assert.equal((await calls(page, 'begin_oauth')).length, 0, 'no OAuth flow was started');
  await screenshot(page, 'first-run-token-error');

  await input.fill('eyJraWQiOiIxY2UxZTEzNjE3ZGNmNzY2YjNjZWJjY2Y4ZGM1YmFmYThhNjVlNjg0');
  await page.getByTestId('token-submit').click();
  await page.getByTestId('status-line').waitFor();
  const line = await page.getByTestId('status-account').innerText();
  assert.equal(line, 'Dana Whitfield · dana@whitfield-consulting.com', 'a real account is not labelled sandbox');
  await assertClean(page, problems);
  await context.close();
});

test('Explore the offline sandbox shows a busy state, then Home, and the month is one click away', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: { scenario: 'first-run', sandboxDelayMs: 1500 },
  });
  const explore = page.getByTestId('explore-sandbox');
  await explore.click();
  assert.match(await explore.innerText(), /Starting the sandbox…/);
  assert.equal(await explore.getAttribute('aria-busy'), 'true');
  assert.ok(await explore.isDisabled());
  assert.ok(await page.getByTestId('connect-calendly').isDisabled(), 'no second action while busy');
  await screenshot(page, 'first-run-sandbox-busy');

  await page.getByTestId('status-line').waitFor();
  assert.equal(await page.getByTestId('first-run').count(), 0);
  assert.match(await page.getByTestId('status-account').innerText(), /\(offline sandbox\)$/);
  await page.getByTestId('today-meeting').first().waitFor();
  assert.equal(await page.getByTestId('nav-home').getAttribute('aria-current'), 'page');
  assert.equal((await calls(page, 'explore_sandbox')).length, 1);
  await screenshot(page, 'first-run-sandbox-done');

  // The real-window e2e test's path: the first `.fc-dayGridMonth-button`, then `.fc-event`s.
  await page.locator('.fc-dayGridMonth-button').first().click();
  await page.locator('.fc-dayGridMonth-view').waitFor();
  await tile(page, 'PRICING-WORKSHOP').waitFor();
  assert.ok((await page.locator('.fc-event').count()) > 3);
  await page.locator('.fc-event').first().click();
  await page.getByTestId('event-detail').getByTestId('detail-title').waitFor();
  await assertClean(page, problems);
  await context.close();
});
