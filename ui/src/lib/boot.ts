// The first screen's questions to Rust, asked as the window boots instead of one after another
// as each screen mounts: whether the store opened, the status, the preferences and Home's
// dashboard, all at once (`public/early.js` asks them before this code has even loaded; see
// `askEarly`). Each answer is taken once, by the component that would otherwise have asked;
// later loads ask Rust again as before.
//
// The window renders once these have been answered (`firstScreenAsked`), and each screen starts
// from the answer already in hand (`earlyAnswer`, `earlyDashboard`): the first screen is laid out
// and painted once, with its data, instead of a loading state first and again when each answer
// arrives (every paint of the whole window costs tens of ms in a webview painting in software).

import {
  getDashboard,
  getPreferences,
  getStatus,
  getStoreProblem,
  hasBackend,
  toIpcError,
  type Dashboard,
  type Preferences,
  type StatusView,
  type StoreProblem,
} from '../ipc';
import { firstDayOfWeek } from './calendar';
import { dayBounds, systemPrefs, weekBounds } from './time';

export type DashboardBounds = { dayStart: string; dayEnd: string; weekStart: string; weekEnd: string };

/** Home's dashboard range: the day and the week around `now` in `zone`. */
export function dashboardBounds(now: Date, zone: string, locale: string): DashboardBounds {
  const day = dayBounds(now, zone);
  const week = weekBounds(now, zone, firstDayOfWeek(locale));
  return { dayStart: day.start, dayEnd: day.end, weekStart: week.start, weekEnd: week.end };
}

/** A dashboard range as one comparable string. */
function boundsKey(b: DashboardBounds): string {
  return [b.dayStart, b.dayEnd, b.weekStart, b.weekEnd].join(' ');
}

/** What `public/early.js` asked as the window opened, before this code loaded. */
type PreAsked = {
  storeProblem: Promise<unknown>;
  preferences: Promise<unknown>;
  status: Promise<unknown>;
  dashboard: { bounds: DashboardBounds; answer: Promise<unknown> };
};

declare global {
  interface Window {
    __SLOTLINE_EARLY__?: PreAsked;
  }
}

/** The questions `public/early.js` asked, once (a later `askEarly` asks Rust itself). */
function takePreAsked(): PreAsked | undefined {
  const pre = window.__SLOTLINE_EARLY__;
  delete window.__SLOTLINE_EARLY__;
  return pre;
}

/** A raw `invoke` answer as the typed commands in `ipc` give it: refusals as `IpcError`s. */
function asCommand<T>(answer: Promise<unknown>): Promise<T> {
  return answer.then(
    (value) => value as T,
    (raw: unknown) => {
      throw toIpcError(raw);
    },
  );
}

type Early = {
  storeProblem?: Promise<StoreProblem | null>;
  status?: Promise<StatusView>;
  preferences?: Promise<Preferences>;
  dashboard?: { key: string; answer: Promise<Dashboard> };
};

type Answers = { storeProblem: StoreProblem | null; status: StatusView; preferences: Preferences };

let early: Early = {};
/** The answers that have arrived, by question, while nobody has taken them. */
let settled: Partial<Answers> & { dashboard?: { key: string; value: Dashboard } } = {};
let generation = 0;
let asked: Promise<void> = Promise.resolve();
let allAsked: () => void = () => undefined;

/** A rejection nobody has taken yet is not an unhandled one: the taker sees it. */
function kept<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Asks the first screen's questions at once, in parallel (one round trip instead of three): the
 * store's state, the preferences, the status, and Home's dashboard for the system zone (the
 * usual case: no zone picked in Settings). In the Tauri window `public/early.js` has already
 * asked them as the window opened, and those answers are used instead. What a store that did not
 * open answers is dropped; a dashboard for another range (another zone) is asked again once the
 * preferences name it; without an account (first run) it is dropped. Call once, before the first
 * render.
 */
export function askEarly(now: Date = new Date()): void {
  if (!hasBackend()) return;
  const mine = ++generation;
  const current = () => generation === mine;
  allAsked();
  let resolve!: () => void;
  asked = new Promise((r) => (resolve = r));
  allAsked = resolve;
  const done = () => resolve();
  /** `answer`, noted in `settled` the moment it arrives (before any taker sees it). */
  const noted = <K extends keyof Answers>(question: K, answer: Promise<Answers[K]>): Promise<Answers[K]> => {
    answer.then(
      (value) => {
        if (current() && early[question] === answer) settled[question] = value;
      },
      () => undefined,
    );
    return kept(answer);
  };
  /** `answer` as the early dashboard for the range `key`, noted in `settled` on arrival. */
  const keepDashboard = (key: string, answer: Promise<Dashboard>): Promise<Dashboard> => {
    early.dashboard = { key, answer: kept(answer) };
    answer.then(
      (value) => {
        if (current() && early.dashboard?.answer === answer) settled.dashboard = { key, value };
      },
      () => undefined,
    );
    return answer;
  };
  const dashboardFor = (zone: string): Promise<Dashboard> => {
    const bounds = dashboardBounds(now, zone, systemPrefs().locale);
    const key = boundsKey(bounds);
    if (early.dashboard?.key === key) return early.dashboard.answer;
    return keepDashboard(key, getDashboard(bounds));
  };
  // Each `then` here is registered before the taker's, so whatever is dropped is gone before
  // the screen that would take it mounts.
  const pre = takePreAsked();
  const storeProblem = noted('storeProblem', pre ? asCommand(pre.storeProblem) : getStoreProblem());
  const preferences = noted('preferences', pre ? asCommand(pre.preferences) : getPreferences());
  const status = noted('status', pre ? asCommand(pre.status) : getStatus());
  early = { storeProblem, preferences, status };
  if (pre) keepDashboard(boundsKey(pre.dashboard.bounds), asCommand(pre.dashboard.answer));
  // The same range as early.js asked keeps its answer; another (the day has turned, or `Date`
  // and Intl disagree about the zone) is asked for.
  dashboardFor(systemPrefs().zone);
  const drop = (...questions: Array<keyof Early>) => {
    for (const q of questions) {
      delete early[q];
      delete settled[q];
    }
  };
  storeProblem.then(
    (problem) => {
      if (!current()) return done();
      if (problem) {
        // The recovery screen comes first; once it opens the store, the app asks again.
        drop('preferences', 'status', 'dashboard');
        return done();
      }
      Promise.all([preferences, status]).then(
        ([p, s]) => {
          if (!current()) return done();
          if (!s.account) {
            drop('dashboard');
            return done();
          }
          dashboardFor(systemPrefs({ zone: p.timezone }).zone).then(done, done);
        },
        done,
      );
    },
    () => {
      if (current()) drop('preferences', 'status', 'dashboard');
      done();
    },
  );
}

/**
 * Settles once every question `askEarly` asked has been answered (or refused), or at once when
 * it asked none; the window renders after it (or after a cap, should Rust be slow to answer).
 */
export function firstScreenAsked(): Promise<void> {
  return asked;
}

/** The answer to `question` if it has already arrived and nobody has taken it; not taken. */
export function earlyAnswer<K extends keyof Answers>(question: K): { value: Answers[K] } | undefined {
  return question in settled ? { value: settled[question] as Answers[K] } : undefined;
}

/** The dashboard for exactly `bounds` if it has already arrived and nobody has taken it. */
export function earlyDashboard(bounds: DashboardBounds): Dashboard | undefined {
  const d = settled.dashboard;
  return d && d.key === boundsKey(bounds) ? d.value : undefined;
}

/** The early answer to `question`, once; `undefined` when there is none (ask Rust then). */
export function takeEarly<K extends 'storeProblem' | 'status' | 'preferences'>(question: K): Early[K] {
  const answer = early[question];
  delete early[question];
  delete settled[question];
  return answer;
}

/** The early dashboard when it was asked for exactly `bounds`, once. */
export function takeEarlyDashboard(bounds: DashboardBounds): Promise<Dashboard> | undefined {
  const d = early.dashboard;
  if (!d || d.key !== boundsKey(bounds)) return undefined;
  delete early.dashboard;
  delete settled.dashboard;
  return d.answer;
}

/** Forgets every early answer not taken yet (the data changed since they were asked). */
export function forgetEarly(): void {
  generation++;
  early = {};
  settled = {};
  allAsked();
}
