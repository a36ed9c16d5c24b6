// The days a clients report or the insights cover: a preset (this month, last month, this quarter)
// or two days picked by hand, in the display zone. Kept between the two views for the session.

import type { DayRange } from '../../ipc';
import { addDays, addMonths, todayIn } from '../../lib/time';

export type Preset = 'this-month' | 'last-month' | 'this-quarter' | 'custom';

export const PRESETS: Array<{ id: Preset; label: string }> = [
  { id: 'this-month', label: 'This month' },
  { id: 'last-month', label: 'Last month' },
  { id: 'this-quarter', label: 'This quarter' },
  { id: 'custom', label: 'Custom…' },
];

/** The first and last day (`YYYY-MM-DD`, inclusive) of a preset, as of `now` in `zone`. */
export function presetDays(preset: Exclude<Preset, 'custom'>, now: Date, zone: string): { from: string; to: string } {
  const today = todayIn(now, zone);
  const first = `${today.slice(0, 7)}-01`;
  const lastOf = (start: string, months: number) => addDays(addMonths(start, months), -1);
  switch (preset) {
    case 'this-month':
      return { from: first, to: lastOf(first, 1) };
    case 'last-month': {
      const from = addMonths(first, -1);
      return { from, to: lastOf(from, 1) };
    }
    case 'this-quarter': {
      const month = Number(today.slice(5, 7));
      const from = `${today.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, '0')}-01`;
      return { from, to: lastOf(from, 3) };
    }
  }
}

export type RangeChoice = { preset: Preset; from: string; to: string };

let remembered: RangeChoice | null = null;

/** The range both views open with: the last one picked this session, else this month. */
export function initialChoice(now: Date, zone: string): RangeChoice {
  return remembered ?? { preset: 'this-month', ...presetDays('this-month', now, zone) };
}

export function remember(choice: RangeChoice): void {
  remembered = choice;
}

/** Whether two days make a range Rust accepts (both days, in order). */
export function isValidRange(from: string, to: string): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  return day.test(from) && day.test(to) && from <= to;
}

export function dayRange(choice: RangeChoice, zone: string): DayRange {
  return { from: choice.from, to: choice.to, tz: zone };
}
