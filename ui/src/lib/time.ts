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
  const system = systemDisplay();
  return { ...system, zone: picked?.zone || system.zone };
}

let system: { at: number; prefs: DisplayPrefs } | undefined;

/**
 * The system's zone, locale and clock style, read at most once a second: each read constructs
 * Intl formatters, which costs a WebKit webview tens of ms over the first screen's many calls.
 */
function systemDisplay(): DisplayPrefs {
  const now = Date.now();
  if (system && now - system.at < 1000) return system.prefs;
  const resolved = Intl.DateTimeFormat().resolvedOptions();
  const hourCycle = new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hourCycle;
  const prefs = {
    zone: resolved.timeZone || 'UTC',
    locale: resolved.locale || 'en',
    hour12: hourCycle === 'h11' || hourCycle === 'h12',
  };
  system = { at: now, prefs };
  return prefs;
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

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** One formatter per locale: constructing one for each line of a list was most of its cost. */
function relativeFormat(locale: string): Intl.RelativeTimeFormat {
  let rtf = relativeFormats.get(locale);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
    relativeFormats.set(locale, rtf);
  }
  return rtf;
}

/** `just now`, `5 minutes ago`, `in 2 days`, `yesterday` … relative to `now`. */
export function relativeTime(iso: string, now: Date, locale = 'en'): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const diffSec = (then - now.getTime()) / 1000;
  if (Math.abs(diffSec) < 45) return 'just now';
  const rtf = relativeFormat(locale);
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

/** The zone this computer is set to. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** `America/New_York` → `America/New York`, for reading. */
export function zoneLabel(zone: string): string {
  return zone.replace(/_/g, ' ');
}

/** `America/Argentina/Buenos_Aires` → `Buenos Aires`. */
export function zoneCity(zone: string): string {
  return zoneLabel(zone.split('/').pop() ?? zone);
}

/** The zone's offset at `at` as `UTC+01:00`, `UTC−03:00` or `UTC`. */
export function zoneOffsetLabel(zone: string, at: Date): string {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) return '';
  const minutes = dt.offset;
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export type Bounds = { start: string; end: string };

/** The calendar day containing `now` in `zone`, as UTC instants (23 or 25 hours on DST days). */
export function dayBounds(now: Date, zone: string): Bounds {
  const start = DateTime.fromJSDate(now, { zone }).startOf('day');
  // The next day's own start: where midnight is skipped (Santiago in September) a day starts at
  // 01:00, and "start plus a day" would take the next day's first hour.
  return { start: toUtcIso(start.toJSDate()), end: toUtcIso(start.plus({ days: 1 }).startOf('day').toJSDate()) };
}

/** The week containing `now` in `zone`, starting on `firstDay` (0 = Sunday), as UTC instants. */
export function weekBounds(now: Date, zone: string, firstDay: number): Bounds {
  const day = DateTime.fromJSDate(now, { zone }).startOf('day');
  const back = (day.weekday % 7 - firstDay + 7) % 7;
  const start = day.minus({ days: back }).startOf('day');
  return { start: toUtcIso(start.toJSDate()), end: toUtcIso(start.plus({ weeks: 1 }).startOf('day').toJSDate()) };
}

/**
 * A wall-clock time of the day `day` (`YYYY-MM-DD`) in `zone`, shown in `other`: the secondary
 * column of the time grid. Returns `04:00`, or `Thu 02:00` when the day differs.
 */
export function wallTimeIn(day: string, minutes: number, zone: string, other: string, prefs: DisplayPrefs): string {
  const base = DateTime.fromISO(day, { zone }).set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  if (!base.isValid) return '';
  const there = base.setZone(other).setLocale(prefs.locale);
  const time = there.toLocaleString(timeOpts(prefs));
  return there.toISODate() === base.toISODate() ? time : `${there.toLocaleString({ weekday: 'short' })} ${time}`;
}

/**
 * What `iso` is in another zone, relative to the display zone's day: `16:00`, or `Thu 01:00`
 * when it falls on another day there.
 */
export function timeInZone(iso: string, zone: string, prefs: DisplayPrefs): string {
  const here = inZone(iso, prefs);
  const there = DateTime.fromISO(iso, { zone }).setLocale(prefs.locale);
  if (!here.isValid || !there.isValid) return iso;
  const time = there.toLocaleString(timeOpts(prefs));
  return there.toISODate() === here.toISODate() ? time : `${there.toLocaleString({ weekday: 'short' })} ${time}`;
}

/** `YYYY-MM-DD` of `iso` in the display zone. */
export function isoDay(iso: string, prefs: DisplayPrefs): string {
  return inZone(iso, prefs).toISODate() ?? iso.slice(0, 10);
}

/** `Good morning` / `Good afternoon` / `Good evening` by the display zone's hour. */
export function greeting(now: Date, zone: string): string {
  const hour = DateTime.fromJSDate(now, { zone }).hour;
  if (hour < 5 || hour >= 18) return 'Good evening';
  return hour < 12 ? 'Good morning' : 'Good afternoon';
}

/** `Wednesday 11 March` (en-GB) */
export function formatLongDay(date: Date, prefs: DisplayPrefs): string {
  return DateTime.fromJSDate(date, { zone: prefs.zone }).setLocale(prefs.locale).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long' });
}

/** A short offset for narrow places: `UTC+1`, `UTC−4`, `UTC+5:30`, `UTC`. */
export function shortOffset(zone: string, at: Date): string {
  const dt = DateTime.fromJSDate(at, { zone });
  if (!dt.isValid) return '';
  const m = dt.offset;
  if (m === 0) return 'UTC';
  const abs = Math.abs(m);
  const mins = abs % 60;
  return `UTC${m > 0 ? '+' : '−'}${Math.floor(abs / 60)}${mins ? `:${String(mins).padStart(2, '0')}` : ''}`;
}

/** Today's date (`YYYY-MM-DD`) in `zone`. */
export function todayIn(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate() ?? '';
}

/** A `Date` as its calendar day in `zone`. */
export function dayOf(date: Date, zone: string): string {
  return DateTime.fromJSDate(date, { zone }).toISODate() ?? '';
}

/** "10:00 for you, 16:00 for Anna in Europe/Berlin": a meeting's start in an invitee's own zone. */
export function inviteeLocalTime(
  startIso: string,
  invitee: { name: string | null; email: string; timezone: string | null },
  prefs: DisplayPrefs,
): string | null {
  if (!invitee.timezone) return null;
  const who = invitee.name?.trim().split(/\s+/)[0] || invitee.email;
  return `${formatTime(startIso, prefs)} for you, ${timeInZone(startIso, invitee.timezone, prefs)} for ${who} in ${zoneLabel(invitee.timezone)}`;
}

/** `Thu 12 Mar` (en-GB), for lists where the year is obvious. */
export function formatShortDay(iso: string, prefs: DisplayPrefs): string {
  const dt = inZone(iso, prefs);
  return dt.isValid ? dt.toLocaleString({ weekday: 'short', day: 'numeric', month: 'short' }).replace(',', '') : iso;
}
