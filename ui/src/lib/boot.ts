// The first screen's questions to Rust, asked as the window boots instead of one after another
// as each screen mounts: whether the store opened, then the status and the preferences together,
// then (once the preferences say which zone) Home's dashboard. Each answer is taken once, by the
// component that would otherwise have asked; later loads ask Rust again as before.

import {
  getDashboard,
  getPreferences,
  getStatus,
  getStoreProblem,
  hasBackend,
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

type Early = {
  storeProblem?: Promise<StoreProblem | null>;
  status?: Promise<StatusView>;
  preferences?: Promise<Preferences>;
  dashboard?: { key: string; answer: Promise<Dashboard> };
};

let early: Early = {};
let generation = 0;

/** A rejection nobody has taken yet is not an unhandled one: the taker sees it. */
function kept<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Asks the first screen's questions as early as they can be asked: the store's state at once,
 * and the moment it says the store is open (nothing else is asked of a store that did not open)
 * the status and the preferences together, then Home's dashboard when the account is connected.
 * Call once, before the first render.
 */
export function askEarly(now: Date = new Date()): void {
  if (!hasBackend()) return;
  const mine = ++generation;
  const storeProblem = kept(getStoreProblem());
  early = { storeProblem };
  // Each `then` here is registered before the taker's, so the next questions are already out
  // (and in `early`) when the screen that wants their answers mounts.
  storeProblem.then(
    (problem) => {
      if (problem || generation !== mine) return;
      const preferences = kept(getPreferences());
      const status = kept(getStatus());
      Object.assign(early, { preferences, status });
      Promise.all([preferences, status]).then(
        ([p, s]) => {
          if (generation !== mine || !s.account) return;
          const display = systemPrefs({ zone: p.timezone });
          const bounds = dashboardBounds(now, display.zone, display.locale);
          early.dashboard = { key: JSON.stringify(bounds), answer: kept(getDashboard(bounds)) };
        },
        () => undefined,
      );
    },
    () => undefined,
  );
}

/** The early answer to `question`, once; `undefined` when there is none (ask Rust then). */
export function takeEarly<K extends 'storeProblem' | 'status' | 'preferences'>(question: K): Early[K] {
  const answer = early[question];
  delete early[question];
  return answer;
}

/** The early dashboard when it was asked for exactly `bounds`, once. */
export function takeEarlyDashboard(bounds: DashboardBounds): Promise<Dashboard> | undefined {
  const d = early.dashboard;
  if (!d || d.key !== JSON.stringify(bounds)) return undefined;
  delete early.dashboard;
  return d.answer;
}

/** Forgets every early answer not taken yet (the data changed since they were asked). */
export function forgetEarly(): void {
  generation++;
  early = {};
}
