// The recovery screen: a database that cannot be opened at start is explained (what, which file,
// what moving it aside means) with "Move it aside and start fresh" and "Quit"; nothing else calls
// the backend until the store opens, and after the move the app starts as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, calls, openApp, screenshot, useBrowser } from './harness.mjs';

const PATH = '/home/dana/.local/share/app.slotline.desktop/slotline.db';
const FOREIGN = {
  kind: 'foreign',
  path: PATH,
  message: 'This file belongs to another program (its tables, recipes, are not Slotline’s).',
  canMoveAside: true,
};

const env = useBrowser();

test('a foreign database is explained and moved aside, then the app starts', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, { mock: { storeProblem: FOREIGN } });
  const screen = page.getByTestId('recovery');
  await screen.waitFor();
  assert.equal(await screen.getByRole('heading', { level: 1 }).innerText(), 'This database belongs to another program');
  assert.equal(await page.getByTestId('recovery-message').innerText(), FOREIGN.message);
  assert.equal(await page.getByTestId('recovery-path').innerText(), PATH);
  assert.match(await screen.innerText(), /nothing is deleted/);
  assert.equal(await page.getByTestId('move-aside').innerText(), 'Move it aside and start fresh');
  assert.equal(await page.getByTestId('quit').innerText(), 'Quit');
  assert.equal(await page.getByTestId('retry').count(), 0);
  // Only the boot's one round of questions (asked together; Rust refuses the others without a
  // store) and nothing after it: the app proper is not mounted until the store opens.
  assert.deepEqual(
    (await calls(page)).map((c) => c.cmd),
    ['get_store_problem', 'get_preferences', 'get_status', 'dashboard'],
  );
  await screenshot(page, 'recovery-foreign');

  await page.getByTestId('move-aside').click();
  const moved = page.getByTestId('recovery-moved');
  await moved.waitFor();
  const movedPath = await page.getByTestId('recovery-moved-path').innerText();
  assert.match(movedPath, /slotline\.moved-\d{8}T\d{6}Z\.db$/);
  assert.deepEqual(await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.movedAside), [movedPath]);
  assert.deepEqual((await calls(page, 'recover_store')).map((c) => c.args), [{ moveAside: true }]);
  assert.ok(await page.getByTestId('recovery-continue').evaluate((el) => el === document.activeElement));

  await page.getByTestId('recovery-continue').click();
  // The app proper now starts: the connected scenario's shell.
  await page.getByTestId('status-line').waitFor();
  assert.equal(await page.getByTestId('recovery').count(), 0);
  // It asked again, not taking what it was told before the store opened.
  assert.equal((await calls(page, 'get_status')).length, 2);
  assert.equal((await calls(page, 'get_preferences')).length, 2);
  await assertClean(page, problems);
  await context.close();
});

test('a failed move says why and can be tried again; Quit quits', async () => {
  const { page, context, problems } = await openApp(env.browser, env.server.url, {
    mock: {
      storeProblem: { ...FOREIGN, kind: 'corrupt', message: 'This file is damaged: SQLite cannot read its pages.' },
      recoverFailures: 1,
    },
  });
  await page.getByTestId('recovery').waitFor();
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Slotline’s database is damaged');
  await page.getByTestId('move-aside').click();
  const error = page.getByTestId('recovery-error');
  await error.waitFor();
  assert.match(await error.innerText(), /could not move .*slotline\.db aside: Permission denied/);
  assert.equal(await error.getAttribute('role'), 'alert');
  // Still on the recovery screen, buttons usable again.
  assert.equal(await page.getByTestId('move-aside').isEnabled(), true);
  await page.getByTestId('quit').click();
  await page.waitForFunction(() => window.__SLOTLINE_MOCK_CONTROL__.quit === true);
  assert.equal(await page.evaluate(() => window.__SLOTLINE_MOCK_CONTROL__.movedAside.length), 0);
  await assertClean(page, problems);
  await context.close();
});

test('a newer schema offers the newer Slotline first; a locked file offers Try again', async () => {
  {
    const { page, context, problems } = await openApp(env.browser, env.server.url, {
      mock: {
        storeProblem: {
          kind: 'too_new',
          path: PATH,
          message: 'This file was written by a newer Slotline (schema version 9; this one knows up to 5).',
          canMoveAside: true,
        },
      },
    });
    await page.getByTestId('recovery').waitFor();
    assert.match(await page.getByTestId('recovery').innerText(), /Open it with the newer Slotline, or move it aside/);
    await assertClean(page, problems);
    await context.close();
  }
  {
    const { page, context, problems } = await openApp(env.browser, env.server.url, {
      mock: {
        storeProblem: {
          kind: 'unavailable',
          path: PATH,
          message: 'Slotline could not open it: the database is locked by another program (waited 5 s).',
          canMoveAside: false,
        },
      },
    });
    await page.getByTestId('recovery').waitFor();
    assert.equal(await page.getByTestId('move-aside').count(), 0);
    // Try again cannot move anything; the mock answers like Rust while it stays locked.
    await page.getByTestId('retry').click();
    await page.getByTestId('recovery-error').waitFor();
    assert.deepEqual((await calls(page, 'recover_store')).map((c) => c.args), [{ moveAside: false }]);
    await screenshot(page, 'recovery-locked');
    await assertClean(page, problems);
    await context.close();
  }
});
