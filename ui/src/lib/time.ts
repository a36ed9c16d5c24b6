// Time helpers. Everything takes its clock (`now`) and display preferences as arguments so it
// stays testable; Calendly and Rust speak UTC RFC 3339, the screen speaks the user's zone.
//
// Built on `Intl` alone, the way luxon reads zones (formatToParts in the zone), so the first screen
// loads without luxon (~70 KB of the start-up bundle, measured for issue 8); the calendar keeps
// luxon through FullCalendar's plugin, in its own chunk.

/** How times are shown: the zone, the locale and the clock style. */
export type DisplayPrefs = { zone: string; locale: string; hour12: boolean };

/**
 * The system's preferences. `picked` is the hook for a zone the user chooses in Settings later;
 * FullCalendar gets the same zone through its luxon plugin.
 */
export function systemPrefs(picked?: { zone?: string | null }): DisplayPrefs {
  const system = systemDisplay();
  // A zone Rust accepts (chrono-tz) that this webview's Intl does not know (an older ICU) cannot
  // be shown: the system zone is, rather than every time failing to format.
  const zone = picked?.zone;
  return { ...system, zone: zone && partsFormat(zone) ? zone : system.zone };
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

/** A wall clock reading in some zone; `weekday` 0 = Sunday. */
type Wall = { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number };

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const partsFormats = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's numeric-parts reader, or null for a zone Intl does not know. */
function partsFormat(zone: string): Intl.DateTimeFormat | null {
  let f = partsFormats.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        weekday: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    partsFormats.set(zone, f);
  }
  return f;
}

/** The wall clock in `zone` at the instant `ms`; null for an unknown zone or a bad instant. */
function wallAt(ms: number, zone: string): Wall | null {
  const f = partsFormat(zone);
  if (!f || !Number.isFinite(ms)) return null;
  const wall: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const part of f.formatToParts(ms)) {
    if (part.type === 'weekday') wall.weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type in wall) wall[part.type as keyof Wall] = Number(part.value);
  }
  if (wall.hour === 24) wall.hour = 0;
  return wall;
}

/**
 * A UTC instant from its fields, in ms; the day may overflow (32 March is 1 April). Unlike
 * `Date.UTC`, years 0–99 are those years, not 1900–1999.
 */
function utcMs(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** A wall clock reading as if it were UTC, in ms. */
function wallMs(w: Pick<Wall, 'year' | 'month' | 'day'> & Partial<Wall>): number {
  return utcMs(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at the instant `ms`, in minutes (east positive). */
function offsetAt(ms: number, zone: string): number {
  const w = wallAt(ms, zone);
  return w ? Math.round((wallMs(w) - Math.floor(ms / 1000) * 1000) / 60000) : 0;
}

/**
 * The instant a wall clock reading names in `zone` (luxon's rule): a time that happens twice
 * (clocks going back) is taken at the offset `hint` when it fits, a time that never happens
 * (clocks going forward) moves forward by the jump.
 */
function instantOf(w: Pick<Wall, 'year' | 'month' | 'day'> & Partial<Wall>, zone: string, hint?: number): number {
  const local = wallMs(w);
  const o = hint ?? offsetAt(local, zone);
  let guess = local - o * 60000;
  const o2 = offsetAt(guess, zone);
  if (o === o2) return guess;
  guess -= (o2 - o) * 60000;
  const o3 = offsetAt(guess, zone);
  if (o2 === o3) return guess;
  return local - Math.min(o2, o3) * 60000;
}

/** `YYYY-MM-DD` of a wall clock reading. */
function ymd(w: Pick<Wall, 'year' | 'month' | 'day'>): string {
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

const displayFormats = new Map<string, Intl.DateTimeFormat>();

/** `opts` in `zone` and `locale`, one formatter each (building one costs WebKit a lot). */
function display(opts: Intl.DateTimeFormatOptions, zone: string, locale: string): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${JSON.stringify(opts)}`;
  let f = displayFormats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone });
    }
    displayFormats.set(key, f);
  }
  return f;
}

/** `iso` as an instant, or null when it is not one or the display zone is unknown. */
function instant(iso: string, zone: string): number | null {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || !partsFormat(zone) ? null : ms;
}

const DAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

function timeOpts(prefs: DisplayPrefs): Intl.DateTimeFormatOptions {
  return { hour: prefs.hour12 ? 'numeric' : '2-digit', minute: '2-digit', hourCycle: prefs.hour12 ? 'h12' : 'h23' };
}

/** `Wed 11 Mar 2026` (en-GB) */
export function formatDay(iso: string, prefs: DisplayPrefs): string {
  const ms = instant(iso, prefs.zone);
  return ms === null ? iso : display(DAY, prefs.zone, prefs.locale).format(ms);
}

/** `14:30` or `2:30 PM` */
export function formatTime(iso: string, prefs: DisplayPrefs): string {
  const ms = instant(iso, prefs.zone);
  return ms === null ? iso : display(timeOpts(prefs), prefs.zone, prefs.locale).format(ms);
}

/** `Wed 11 Mar 2026, 14:30` */
export function formatDateTime(iso: string, prefs: DisplayPrefs): string {
  return instant(iso, prefs.zone) === null ? iso : `${formatDay(iso, prefs)}, ${formatTime(iso, prefs)}`;
}

/**
 * A meeting's span: `Wed 11 Mar 2026, 10:00–10:30` within a day, both dates when it crosses
 * midnight in the display zone.
 */
export function formatTimeRange(startIso: string, endIso: string, prefs: DisplayPrefs): string {
  const start = instant(startIso, prefs.zone);
  const end = instant(endIso, prefs.zone);
  if (start === null || end === null) return `${startIso} – ${endIso}`;
  if (ymd(wallAt(start, prefs.zone)!) === ymd(wallAt(end, prefs.zone)!)) {
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
  if (!partsFormat(zone) || Number.isNaN(at.getTime())) return '';
  const minutes = offsetAt(at.getTime(), zone);
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export type Bounds = { start: string; end: string };

/** The calendar day containing `now` in `zone`, as UTC instants (23 or 25 hours on DST days). */
export function dayBounds(now: Date, zone: string): Bounds {
  return daysFrom(now, zone, 0, 1);
}

/**
 * `[midnight `from` days after now's day, midnight `to` days after]` in `zone`, as UTC instants.
 * Each end is that day's own start: where midnight is skipped (Santiago in September) a day
 * starts at 01:00.
 */
function daysFrom(now: Date, zone: string, from: number, to: number): Bounds {
  const w = wallAt(now.getTime(), zone);
  if (!w) throw new RangeError(`unknown time zone ${zone}`);
  const hint = offsetAt(now.getTime(), zone);
  const midnight = (days: number) => {
    const d = new Date(utcMs(w.year, w.month - 1, w.day + days));
    return new Date(instantOf({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, zone, hint));
  };
  return { start: toUtcIso(midnight(from)), end: toUtcIso(midnight(to)) };
}

/** The week containing `now` in `zone`, starting on `firstDay` (0 = Sunday), as UTC instants. */
export function weekBounds(now: Date, zone: string, firstDay: number): Bounds {
  const w = wallAt(now.getTime(), zone);
  if (!w) throw new RangeError(`unknown time zone ${zone}`);
  const back = (w.weekday - firstDay + 7) % 7;
  return daysFrom(now, zone, -back, 7 - back);
}

/**
 * A wall-clock time of the day `day` (`YYYY-MM-DD`) in `zone`, shown in `other`: the secondary
 * column of the time grid. Returns `04:00`, or `Thu 02:00` when the day differs.
 */
export function wallTimeIn(day: string, minutes: number, zone: string, other: string, prefs: DisplayPrefs): string {
  const p = dayParts(day);
  if (!p || !partsFormat(zone) || !partsFormat(other)) return '';
  const date = { year: p[0], month: p[1], day: p[2] };
  // A time the clocks pass twice that day is its first pass: the offset the day starts with.
  const hint = offsetAt(instantOf(date, zone), zone);
  const at = instantOf({ ...date, hour: Math.floor(minutes / 60), minute: minutes % 60 }, zone, hint);
  return inOtherZone(at, zone, other, prefs);
}

/** `at` on the clock of `other`: `16:00`, or `Thu 01:00` when `other` is on another day than `zone`. */
function inOtherZone(at: number, zone: string, other: string, prefs: DisplayPrefs): string {
  const time = display(timeOpts(prefs), other, prefs.locale).format(at);
  return ymd(wallAt(at, other)!) === ymd(wallAt(at, zone)!)
    ? time
    : `${display({ weekday: 'short' }, other, prefs.locale).format(at)} ${time}`;
}

/**
 * What `iso` is in another zone, relative to the display zone's day: `16:00`, or `Thu 01:00`
 * when it falls on another day there.
 */
export function timeInZone(iso: string, zone: string, prefs: DisplayPrefs): string {
  const ms = instant(iso, prefs.zone);
  if (ms === null || !partsFormat(zone)) return iso;
  return inOtherZone(ms, prefs.zone, zone, prefs);
}

/** A calendar day (`YYYY-MM-DD`, zone-free) written with `opts` in `locale`: `Wednesday 11 March 2026`. */
export function formatCalendarDay(day: string, opts: Intl.DateTimeFormatOptions, locale: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? day : display(opts, 'UTC', locale).format(ms);
}

/** A calendar day's fields, or null when `day` is not `YYYY-MM-DD`. */
function dayParts(day: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? [+m[1]!, +m[2]!, +m[3]!] : null;
}

/** `YYYY-MM-DD` of a UTC instant. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar day `days` after `day` (both `YYYY-MM-DD`); `day` itself when it is not one. */
export function addDays(day: string, days: number): string {
  const p = dayParts(day);
  return p ? utcDay(utcMs(p[0], p[1] - 1, p[2] + days)) : day;
}

/** The same day `months` later, or that month's last day when it is shorter (31 Jan + 1 = 28 Feb). */
export function addMonths(day: string, months: number): string {
  const p = dayParts(day);
  if (!p) return day;
  const last = new Date(utcMs(p[0], p[1] - 1 + months + 1, 0)).getUTCDate();
  return utcDay(utcMs(p[0], p[1] - 1 + months, Math.min(p[2], last)));
}

/** The weekday of a calendar day, 0 = Sunday. */
export function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** `iso` on the wall clock of `zone` as `YYYY-MM-DDTHH:mm:ss`; null when either is invalid. */
export function wallClock(iso: string, zone: string): string | null {
  const ms = instant(iso, zone);
  if (ms === null) return null;
  const w = wallAt(ms, zone)!;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${ymd(w)}T${two(w.hour)}:${two(w.minute)}:${two(w.second)}`;
}

/** `YYYY-MM-DD` of `iso` in the display zone. */
export function isoDay(iso: string, prefs: DisplayPrefs): string {
  const ms = instant(iso, prefs.zone);
  return ms === null ? iso.slice(0, 10) : ymd(wallAt(ms, prefs.zone)!);
}

/** `Good morning` / `Good afternoon` / `Good evening` by the display zone's hour. */
export function greeting(now: Date, zone: string): string {
  const hour = wallAt(now.getTime(), zone)?.hour ?? Number.NaN;
  if (hour < 5 || hour >= 18) return 'Good evening';
  return hour < 12 ? 'Good morning' : 'Good afternoon';
}

/** `Wednesday 11 March` (en-GB) */
export function formatLongDay(date: Date, prefs: DisplayPrefs): string {
  if (!partsFormat(prefs.zone) || Number.isNaN(date.getTime())) return '';
  return display({ weekday: 'long', day: 'numeric', month: 'long' }, prefs.zone, prefs.locale).format(date);
}

/** A short offset for narrow places: `UTC+1`, `UTC−4`, `UTC+5:30`, `UTC`. */
export function shortOffset(zone: string, at: Date): string {
  if (!partsFormat(zone) || Number.isNaN(at.getTime())) return '';
  const m = offsetAt(at.getTime(), zone);
  if (m === 0) return 'UTC';
  const abs = Math.abs(m);
  const mins = abs % 60;
  return `UTC${m > 0 ? '+' : '−'}${Math.floor(abs / 60)}${mins ? `:${String(mins).padStart(2, '0')}` : ''}`;
}

/** Today's date (`YYYY-MM-DD`) in `zone`. */
export function todayIn(now: Date, zone: string): string {
  const w = wallAt(now.getTime(), zone);
  return w ? ymd(w) : '';
}

/** A `Date` as its calendar day in `zone`. */
export function dayOf(date: Date, zone: string): string {
  return todayIn(date, zone);
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
  const ms = instant(iso, prefs.zone);
  return ms === null ? iso : display({ weekday: 'short', day: 'numeric', month: 'short' }, prefs.zone, prefs.locale).format(ms).replace(',', '');
}
