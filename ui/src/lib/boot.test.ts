import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  askEarly,
  dashboardBounds,
  earlyAnswer,
  earlyDashboard,
  firstScreenAsked,
  forgetEarly,
  takeEarly,
  takeEarlyDashboard,
} from './boot';
import { systemPrefs } from './time';

type Call = { cmd: string; args: unknown };
let calls: Call[];
let answers: Record<string, () => unknown>;

beforeEach(() => {
  calls = [];
  answers = {
    get_store_problem: () => null,
    get_status: () => ({ account: null }),
    get_preferences: () => ({ timezone: 'Asia/Tokyo' }),
    dashboard: () => ({ today: [], upcoming: [] }),
  };
  const invoke = (cmd: string, args: unknown) => {
    calls.push({ cmd, args });
    try {
      return Promise.resolve(answers[cmd]!());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  (globalThis as { window?: unknown }).window = { __TAURI_INTERNALS__: { invoke } };
});

afterEach(() => {
  forgetEarly();
  delete (globalThis as { window?: unknown }).window;
});

const tick = () => new Promise((r) => setTimeout(r, 0));

const systemBounds = (now: Date) => dashboardBounds(now, systemPrefs().zone, systemPrefs().locale);

describe('askEarly', () => {
  it('asks everything at once, and the dashboard again when the stored zone is another', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    const now = new Date('2026-03-11T20:00:00Z');
    askEarly(now);
    // One round trip: the store, the preferences, the status and the system zone's dashboard.
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem', 'get_preferences', 'get_status', 'dashboard']);
    expect(calls[3]?.args).toEqual(systemBounds(now));
    await firstScreenAsked();
    const { locale } = systemPrefs();
    // 20:00 UTC is already the 12th in Tokyo: the range Home asks for in the stored zone.
    const bounds = dashboardBounds(now, 'Asia/Tokyo', locale);
    expect(bounds.dayStart).toBe('2026-03-11T15:00:00Z');
    if (systemPrefs().zone !== 'Asia/Tokyo') {
      expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem', 'get_preferences', 'get_status', 'dashboard', 'dashboard']);
      // The system zone's guess is not kept: Home asks for the stored zone's range.
      expect(takeEarlyDashboard(systemBounds(now))).toBeUndefined();
    }
    expect(calls.at(-1)?.args).toEqual(bounds);
    expect(await takeEarly('storeProblem')).toBeNull();
    expect(await takeEarly('status')).toEqual({ account: { email: 'a@example.com' } });
    expect(takeEarly('status')).toBeUndefined();
    // Another range (another zone) is not answered early; the asked one is, once.
    expect(takeEarlyDashboard(dashboardBounds(now, 'UTC', locale))).toBeUndefined();
    expect(await takeEarlyDashboard(bounds)).toEqual({ today: [], upcoming: [] });
    expect(takeEarlyDashboard(bounds)).toBeUndefined();
  });

  it('asks the dashboard once when no zone is picked (the system zone)', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    answers.get_preferences = () => ({ timezone: null });
    const now = new Date('2026-03-11T20:00:00Z');
    askEarly(now);
    await firstScreenAsked();
    expect(calls.filter((c) => c.cmd === 'dashboard')).toHaveLength(1);
    expect(earlyDashboard(systemBounds(now))).toEqual({ today: [], upcoming: [] });
  });

  it('drops whatever a store that did not open answered', async () => {
    answers.get_store_problem = () => ({ kind: 'foreign', message: 'not ours', path: '/x' });
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    const now = new Date();
    askEarly(now);
    await firstScreenAsked();
    expect(earlyAnswer('storeProblem')).toEqual({ value: { kind: 'foreign', message: 'not ours', path: '/x' } });
    // The recovery screen comes first; the app asks again once the store has opened.
    expect(takeEarly('status')).toBeUndefined();
    expect(takeEarly('preferences')).toBeUndefined();
    expect(earlyAnswer('status')).toBeUndefined();
    expect(takeEarlyDashboard(systemBounds(now))).toBeUndefined();
  });

  it('keeps no dashboard without an account (first run)', async () => {
    const now = new Date();
    askEarly(now);
    await firstScreenAsked();
    expect(earlyAnswer('status')).toEqual({ value: { account: null } });
    expect(earlyDashboard(systemBounds(now))).toBeUndefined();
    expect(takeEarlyDashboard(systemBounds(now))).toBeUndefined();
  });

  it('keeps a refusal for the taker instead of losing it', async () => {
    answers.get_status = () => {
      throw { kind: 'store', message: 'no store' };
    };
    askEarly();
    await firstScreenAsked();
    expect(earlyAnswer('status')).toBeUndefined();
    await expect(takeEarly('status')).rejects.toEqual({ kind: 'store', message: 'no store' });
  });

  it('forgets the answers not taken yet when the data changes', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    askEarly();
    await tick();
    forgetEarly();
    expect(takeEarly('preferences')).toBeUndefined();
    expect(takeEarly('status')).toBeUndefined();
    expect(earlyAnswer('status')).toBeUndefined();
  });
});

describe('the questions early.js asked as the window opened', () => {
  const preAsk = (values: Record<string, Promise<unknown>>, bounds: unknown) => {
    (globalThis as unknown as { window: Record<string, unknown> }).window.__SLOTLINE_EARLY__ = {
      storeProblem: values.get_store_problem,
      preferences: values.get_preferences,
      status: values.get_status,
      dashboard: { bounds, answer: values.dashboard },
    };
  };

  it('takes their answers instead of asking again', async () => {
    const now = new Date();
    preAsk(
      {
        get_store_problem: Promise.resolve(null),
        get_preferences: Promise.resolve({ timezone: null }),
        get_status: Promise.resolve({ account: { email: 'early@example.com' } }),
        dashboard: Promise.resolve({ today: ['early'], upcoming: [] }),
      },
      // Built in another key order than boot.ts builds it: the range is compared, not the text.
      { weekEnd: systemBounds(now).weekEnd, weekStart: systemBounds(now).weekStart, dayEnd: systemBounds(now).dayEnd, dayStart: systemBounds(now).dayStart },
    );
    askEarly(now);
    await firstScreenAsked();
    expect(calls).toEqual([]);
    expect(earlyAnswer('status')).toEqual({ value: { account: { email: 'early@example.com' } } });
    expect(earlyDashboard(systemBounds(now))).toEqual({ today: ['early'], upcoming: [] });
    expect(await takeEarly('preferences')).toEqual({ timezone: null });
    expect(await takeEarlyDashboard(systemBounds(now))).toEqual({ today: ['early'], upcoming: [] });
    // They are taken once: a second boot (after the data changed) asks Rust.
    forgetEarly();
    askEarly(now);
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem', 'get_preferences', 'get_status', 'dashboard']);
  });

  it('asks for the dashboard again when early.js asked for another range', async () => {
    const now = new Date('2026-03-11T20:00:00Z');
    preAsk(
      {
        get_store_problem: Promise.resolve(null),
        get_preferences: Promise.resolve({ timezone: null }),
        get_status: Promise.resolve({ account: { email: 'early@example.com' } }),
        dashboard: Promise.resolve({ today: ['yesterday'], upcoming: [] }),
      },
      dashboardBounds(new Date('2026-03-10T20:00:00Z'), systemPrefs().zone, systemPrefs().locale),
    );
    askEarly(now);
    await firstScreenAsked();
    expect(calls).toEqual([{ cmd: 'dashboard', args: systemBounds(now) }]);
    expect(await takeEarlyDashboard(systemBounds(now))).toEqual({ today: [], upcoming: [] });
  });

  it('hands a refusal over as the commands do, as an IpcError', async () => {
    const refused = Promise.reject('the keyring is locked');
    refused.catch(() => undefined);
    preAsk(
      {
        get_store_problem: Promise.resolve(null),
        get_preferences: Promise.resolve({ timezone: null }),
        get_status: refused,
        dashboard: Promise.resolve({ today: [], upcoming: [] }),
      },
      systemBounds(new Date()),
    );
    askEarly();
    await firstScreenAsked();
    await expect(takeEarly('status')).rejects.toEqual({ kind: 'internal', message: 'the keyring is locked' });
  });
});

describe('the first screen in hand', () => {
  it('settles once every answer is in, each one readable before anyone takes it', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    answers.get_preferences = () => ({ timezone: null });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const dashboard = answers.dashboard!;
    answers.dashboard = () => held.then(dashboard);
    const now = new Date();
    askEarly(now);
    let settled = false;
    void firstScreenAsked().then(() => (settled = true));
    await tick();
    // The status is in, the dashboard is not: the window does not render yet.
    expect(earlyAnswer('status')).toEqual({ value: { account: { email: 'a@example.com' } } });
    expect(settled).toBe(false);
    release();
    await tick();
    expect(settled).toBe(true);
    expect(earlyDashboard(systemBounds(now))).toEqual({ today: [], upcoming: [] });
    // Reading is not taking; taking is once.
    expect(earlyAnswer('preferences')).toEqual({ value: { timezone: null } });
    expect(await takeEarly('preferences')).toEqual({ timezone: null });
    expect(earlyAnswer('preferences')).toBeUndefined();
    await takeEarlyDashboard(systemBounds(now));
    expect(earlyDashboard(systemBounds(now))).toBeUndefined();
  });

  it('settles when the dashboard is refused, and when the store did not open', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    answers.dashboard = () => {
      throw { kind: 'store', message: 'busy' };
    };
    askEarly();
    await firstScreenAsked();
    answers.get_store_problem = () => ({ kind: 'corrupt', message: 'damaged', path: '/x' });
    askEarly();
    await firstScreenAsked();
  });

  it('settles at once without a backend, and when the data changes before the answers', async () => {
    (globalThis as { window?: unknown }).window = {};
    askEarly();
    await firstScreenAsked();
    (globalThis as { window?: unknown }).window = { __TAURI_INTERNALS__: { invoke: () => new Promise(() => undefined) } };
    askEarly();
    forgetEarly();
    await firstScreenAsked();
  });
});
