import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askEarly, dashboardBounds, forgetEarly, takeEarly, takeEarlyDashboard } from './boot';
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

describe('askEarly', () => {
  it('asks the store first, then status and preferences together, then the dashboard in the stored zone', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    const now = new Date('2026-03-11T20:00:00Z');
    askEarly(now);
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem']);
    await tick();
    const { locale } = systemPrefs();
    // 20:00 UTC is already the 12th in Tokyo: the range Home asks for in the stored zone.
    const bounds = dashboardBounds(now, 'Asia/Tokyo', locale);
    expect(bounds.dayStart).toBe('2026-03-11T15:00:00Z');
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem', 'get_preferences', 'get_status', 'dashboard']);
    expect(calls.at(-1)?.args).toEqual(bounds);
    expect(await takeEarly('storeProblem')).toBeNull();
    expect(await takeEarly('status')).toEqual({ account: { email: 'a@example.com' } });
    expect(takeEarly('status')).toBeUndefined();
    // Another range (another zone) is not answered early; the asked one is, once.
    expect(takeEarlyDashboard(dashboardBounds(now, 'UTC', locale))).toBeUndefined();
    expect(await takeEarlyDashboard(bounds)).toEqual({ today: [], upcoming: [] });
    expect(takeEarlyDashboard(bounds)).toBeUndefined();
  });

  it('asks nothing more of a store that did not open', async () => {
    answers.get_store_problem = () => ({ kind: 'foreign', message: 'not ours', path: '/x' });
    askEarly();
    await tick();
    expect(calls.map((c) => c.cmd)).toEqual(['get_store_problem']);
    expect(takeEarly('status')).toBeUndefined();
  });

  it('asks no dashboard without an account (first run)', async () => {
    askEarly();
    await tick();
    expect(calls.map((c) => c.cmd)).not.toContain('dashboard');
  });

  it('keeps a refusal for the taker instead of losing it', async () => {
    answers.get_status = () => {
      throw { kind: 'store', message: 'no store' };
    };
    askEarly();
    await tick();
    await expect(takeEarly('status')).rejects.toEqual({ kind: 'store', message: 'no store' });
  });

  it('forgets the answers not taken yet when the data changes', async () => {
    answers.get_status = () => ({ account: { email: 'a@example.com' } });
    askEarly();
    await tick();
    forgetEarly();
    expect(takeEarly('preferences')).toBeUndefined();
    expect(takeEarly('status')).toBeUndefined();
  });
});
