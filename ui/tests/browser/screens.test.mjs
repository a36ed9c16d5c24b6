// The screenshots for the project's front page: every view in light and dark at 1440×900, with the
// sandbox's month of meetings. Each also checks that the view rendered what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClean, gotoCalendar, openApp, screenshot, switchView, tile, useBrowser, WIDE } from './harness.mjs';

const env = useBrowser();

const SCHEMES = ['light', 'dark'];

/** Opens the app wide in `colorScheme`, runs `show`, saves `screen-<name>-<scheme>.png`. */
async function shoot(name, show, { mock = {}, viewport = WIDE } = {}) {
  for (const colorScheme of SCHEMES) {
    const { page, context, problems } = await openApp(env.browser, env.server.url, { colorScheme, viewport, mock });
    await show(page);
    // No animation or half-loaded image in the picture.
    await page.evaluate(() => Promise.all([...document.images].map((i) => (i.complete ? null : new Promise((r) => (i.onload = r))))));
    await screenshot(page, `screen-${name}-${colorScheme}`);
    await assertClean(page, problems);
    await context.close();
  }
}

test('screen: home', async () => {
  await shoot('home', async (page) => {
    await page.getByTestId('recent-item').first().waitFor();
    assert.equal(await page.getByTestId('today-meeting').count(), 3);
  });
});

test('screen: calendar week with a second zone', async () => {
  await shoot(
    'calendar-week',
    async (page) => {
      await gotoCalendar(page);
      await page.getByTestId('secondary-slot').first().waitFor();
      assert.equal(await page.locator('.fc [data-uri]').count(), 7);
    },
    { mock: { preferences: { secondaryTimezone: 'America/New_York' } } },
  );
});

test('screen: calendar month with canceled meetings', async () => {
  await shoot(
    'calendar-month',
    async (page) => {
      await gotoCalendar(page);
      await switchView(page, 'Month');
      await tile(page, 'PRICING-WORKSHOP').waitFor();
      assert.equal(await page.getByTestId('toggle-canceled').isChecked(), true);
    },
    { mock: { preferences: { showCanceled: true } } },
  );
});

test('screen: calendar day', async () => {
  await shoot(
    'calendar-day',
    async (page) => {
      await gotoCalendar(page);
      await switchView(page, 'Day');
      await page.locator('.fc-timeGridDay-view').waitFor();
      await tile(page, 'MARCUS-STRATEGY').waitFor();
    },
    { mock: { preferences: { showCanceled: true, secondaryTimezone: 'America/Los_Angeles' } } },
  );
});

test('screen: agenda (list)', async () => {
  await shoot('calendar-list', async (page) => {
    await gotoCalendar(page);
    await switchView(page, 'List');
    await page.locator('.fc-listWeek-view').waitFor();
    assert.equal(await page.locator('.fc-list-event').count(), 7);
  });
});

test('screen: a meeting’s details', async () => {
  await shoot('meeting', async (page) => {
    await gotoCalendar(page);
    await tile(page, 'PRIYA-DISCOVERY').click();
    await page.getByTestId('invitee-local-time').waitFor();
  });
});

test('screen: contacts', async () => {
  await shoot('contacts', async (page) => {
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('contact-row').first().waitFor();
    assert.equal(await page.getByTestId('contact-row').count(), 14);
  });
});

test('screen: a contact’s activity', async () => {
  await shoot('contact', async (page) => {
    await page.getByTestId('nav-contacts').click();
    await page.locator('[data-testid=contact-row][data-email="priya@northwind-labs.com"] button').click();
    await page.getByTestId('contact-feed').waitFor();
  });
});

test('screen: search', async () => {
  await shoot('search', async (page) => {
    await page.getByTestId('today-meeting').first().waitFor();
    await page.keyboard.press('Control+k');
    await page.getByTestId('search-input').fill('discovery');
    await page.getByTestId('search-status').filter({ hasText: /meetings/ }).waitFor();
    await page.keyboard.press('ArrowDown');
  });
});

test('screen: settings', async () => {
  await shoot(
    'settings',
    async (page) => {
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('display-settings').waitFor();
      await page.getByTestId('display-settings').scrollIntoViewIfNeeded();
      await page.locator('.content').evaluate((el) => el.scrollTo(0, document.querySelector('[data-testid=display-settings]').offsetTop - 20));
    },
    { mock: { preferences: { icsFeed: true, icsFeedUrl: 'http://127.0.0.1:47616/feed/7c1e9a52d4/slotline.ics' } } },
  );
});
