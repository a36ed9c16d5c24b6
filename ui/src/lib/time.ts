// Time helpers. Everything takes its clock (`now`) and display preferences as arguments so it
// stays testable; Calendly and Rust speak UTC RFC 3339, the screen speaks the user's zone.

import { DateTime } from 'luxon';

/** How times are shown: the zone, the locale and the clock style. */
export type DisplayPrefs = { zone: string; locale: string; hour12: boolean };

/**
 * The system's preferences. `picked` is the hook for a zone the user chooses in Settings later;
 * FullCalendar gets the same zone through its luxon plugin.
 */
export function systemPrefs(picked?: { zone?: string | null }): DisplayPrefs {
  const resolved = Intl.DateTimeFormat().resolvedOptions();
  const hourCycle = new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return {
    zone: picked?.zone || resolved.timeZone || 'UTC',
    locale: resolved.locale || 'en',
    hour12: hourCycle === 'h11' || hourCycle === 'h12',
  };
}

/** A `Date` as UTC RFC 3339 with whole seconds, e.g. `2026-03-01T23:00:00Z`. */
export function toUtcIso(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('toUtcIso: invalid date');
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A visible calendar range as the `list_events` arguments want it. */
export function rangeToUtc(range: { start: Date; end: Date }): { from: string; to: string } {
  return { from: toUtcIso(range.start), to: toUtcIso(range.end) };
}

function inZone(iso: string, prefs: DisplayPrefs): DateTime {
  return DateTime.fromISO(iso, { zone: prefs.zone }).setLocale(prefs.locale);
}

const DAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

function timeOpts(prefs: DisplayPrefs): Intl.DateTimeFormatOptions {
  return { hour: prefs.hour12 ? 'numeric' : '2-digit', minute: '2-digit', hourCycle: prefs.hour12 ? 'h12' : 'h23' };
}

/** `Wed 11 Mar 2026` (en-GB) */
export function formatDay(iso: string, prefs: DisplayPrefs): string {
  const dt = inZone(iso, prefs);
  return dt.isValid ? dt.toLocaleString(DAY) : iso;
}

/** `14:30` or `2:30 PM` */
export function formatTime(iso: string, prefs: DisplayPrefs): string {
  const dt = inZone(iso, prefs);
  return dt.isValid ? dt.toLocaleString(timeOpts(prefs)) : iso;
}

/** `Wed 11 Mar 2026, 14:30` */
export function formatDateTime(iso: string, prefs: DisplayPrefs): string {
  const dt = inZone(iso, prefs);
  return dt.isValid ? `${formatDay(iso, prefs)}, ${formatTime(iso, prefs)}` : iso;
}

/**
 * A meeting's span: `Wed 11 Mar 2026, 10:00–10:30` within a day, both dates when it crosses
 * midnight in the display zone.
 */
export function formatTimeRange(startIso: string, endIso: string, prefs: DisplayPrefs): string {
  const start = inZone(startIso, prefs);
  const end = inZone(endIso, prefs);
  if (!start.isValid || !end.isValid) return `${startIso} – ${endIso}`;
  if (start.hasSame(end, 'day')) {
    return `${formatDateTime(startIso, prefs)}–${formatTime(endIso, prefs)}`;
  }
  return `${formatDateTime(startIso, prefs)} – ${formatDateTime(endIso, prefs)}`;
}

/** `30 min`, `1 h 30 min` */
export function formatDuration(startIso: string, endIso: string): string {
  const minutes = Math.round((Date.parse(endIso) - Date.parse(startIso)) / 60000);
  if (!Number.isFinite(minutes) || minutes < 0) return '';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** `just now`, `5 minutes ago`, `in 2 days`, `yesterday` … relative to `now`. */
export function relativeTime(iso: string, now: Date, locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const diffSec = (then - now.getTime()) / 1000;
  if (Math.abs(diffSec) < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['week', 604800],
    ['month', 2629800],
    ['year', 31557600],
  ];
  let chosen: [Intl.RelativeTimeFormatUnit, number] = units[0]!;
  for (const unit of units) {
    if (Math.abs(diffSec) >= unit[1]) chosen = unit;
  }
  return rtf.format(Math.round(diffSec / chosen[1]), chosen[0]);
}
