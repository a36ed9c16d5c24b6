// The calendar's per-tile text and FullCalendar input, computed for thousands of meetings a
// month: the same strings as `lib/time` and `lib/calendar` (a unit test holds them equal), but
// from `Intl.DateTimeFormat`s made once per zone and locale instead of a luxon `DateTime` per
// call, which made a 600-meeting month spend most of its time formatting.

import type { EventInput } from '@fullcalendar/core';
import type { CalendarEvent } from '../../ipc';
import { eventClassNames, eventTitle, wallClockEnd } from '../../lib/calendar';
import type { DisplayPrefs } from '../../lib/time';

/** Formatters for one display zone, locale and clock style. */
export type TileClock = {
  /** `14:30` or `2:30 pm`, as `formatTime`. */
  time(ms: number): string;
  /** `YYYY-MM-DD` in the zone, as `isoDay`. */
  day(ms: number): string;
  /** `Wed 11 Mar 2026, 10:00–10:30`, as `formatTimeRange`. */
  range(startMs: number, endMs: number): string;
  /** The zone's offset from UTC in minutes at `ms`. */
  offset(ms: number): number;
};

const clocks = new Map<string, TileClock>();

/** Offsets change only at 15-minute boundaries (every real zone's transitions since 1970). */
const OFFSET_BUCKET_MS = 15 * 60_000;

export function tileClock(prefs: DisplayPrefs): TileClock {
  const key = `${prefs.zone}|${prefs.locale}|${prefs.hour12}`;
  const known = clocks.get(key);
  if (known) return known;
  const timeFmt = new Intl.DateTimeFormat(prefs.locale, {
    hour: prefs.hour12 ? 'numeric' : '2-digit',
    minute: '2-digit',
    hourCycle: prefs.hour12 ? 'h12' : 'h23',
    timeZone: prefs.zone,
  });
  const dayFmt = new Intl.DateTimeFormat(prefs.locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: prefs.zone,
  });
  const partsFmt = new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: prefs.zone,
  });
  const wall = new Map<number, { day: string; offset: number }>();
  // One formatToParts per 15 minutes of the zone's time line, shared by every tile in it.
  const wallAt = (ms: number) => {
    const bucket = Math.floor(ms / OFFSET_BUCKET_MS);
    let w = wall.get(bucket);
    if (!w) {
      const at = bucket * OFFSET_BUCKET_MS;
      const p: Record<string, string> = {};
      for (const part of partsFmt.formatToParts(at)) p[part.type] = part.value;
      const year = Number(p.year);
      const asUtc = Date.UTC(year, Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
      w = {
        day: `${String(year).padStart(4, '0')}-${p.month}-${p.day}`,
        offset: Math.round((asUtc - at) / 60_000),
      };
      if (wall.size > 50_000) wall.clear();
      wall.set(bucket, w);
    }
    return w;
  };
  const time = (ms: number) => timeFmt.format(ms);
  const dateTime = (ms: number) => `${dayFmt.format(ms)}, ${time(ms)}`;
  const clock: TileClock = {
    time,
    day: (ms) => wallAt(ms).day,
    offset: (ms) => wallAt(ms).offset,
    range: (startMs, endMs) =>
      wallAt(startMs).day === wallAt(endMs).day ? `${dateTime(startMs)}–${time(endMs)}` : `${dateTime(startMs)} – ${dateTime(endMs)}`,
  };
  clocks.set(key, clock);
  return clock;
}

/** What a screen reader says for a tile: `describeEvent` of lib/calendar, fast. */
export function describeTile(e: CalendarEvent, clock: TileClock): string {
  const start = Date.parse(e.start);
  const end = Date.parse(e.end);
  const when = Number.isNaN(start) || Number.isNaN(end) ? `${e.start} – ${e.end}` : clock.range(start, end);
  const parts = [eventTitle(e), when];
  if (e.status === 'canceled') parts.push('canceled');
  if (e.anyNoShow) parts.push('no-show');
  if (e.rescheduledFrom) parts.push('rescheduled');
  return parts.join(', ');
}

/** A word a time-grid or list tile shows after its title (tileDom draws each as a badge). */
export type TileBadge = { kind: 'canceled' | 'noshow' | 'rescheduled' | 'moved'; text: string; spoken: string };

export function tileBadges(e: CalendarEvent): TileBadge[] {
  const out: TileBadge[] = [];
  if (e.status === 'canceled' && !e.rescheduledTo) out.push({ kind: 'canceled', text: 'Canceled', spoken: 'Canceled' });
  if (e.anyNoShow) out.push({ kind: 'noshow', text: 'No-show', spoken: 'No-show' });
  if (e.rescheduledFrom) out.push({ kind: 'rescheduled', text: '↻ Rescheduled', spoken: 'Rescheduled' });
  else if (e.rescheduledTo) out.push({ kind: 'moved', text: 'Moved →', spoken: 'Moved' });
  return out;
}

/**
 * A tile's accessible name: what the tile shows, in the order it shows it (speech users say what
 * they see, WCAG 2.5.3), then the day and times, and in the month view, where tiles have no badges,
 * the states `describeTile` names.
 */
export function tileLabel(e: CalendarEvent, clock: TileClock, viewType: string): string {
  if (viewType.startsWith('list')) return describeTile(e, clock);
  const start = Date.parse(e.start);
  const end = Date.parse(e.end);
  const valid = !Number.isNaN(start) && !Number.isNaN(end);
  const when = valid ? clock.range(start, end) : `${e.start} – ${e.end}`;
  const time = valid ? `${clock.time(start)} ` : '';
  const who = e.inviteeNames.join(', ');
  if (viewType.startsWith('dayGrid')) {
    const parts = [`${time}${who || e.name}`];
    if (who) parts.push(e.name);
    parts.push(when);
    if (e.status === 'canceled') parts.push('canceled');
    if (e.anyNoShow) parts.push('no-show');
    if (e.rescheduledFrom) parts.push('rescheduled');
    return parts.join(', ');
  }
  const parts = [`${time}${e.name}`];
  if (who) parts.push(who);
  for (const b of tileBadges(e)) parts.push(b.spoken);
  parts.push(when);
  return parts.join(', ');
}

/**
 * `toEventInput` of lib/calendar, fast: the wall-clock end correction (a meeting across the hour
 * that repeats when clocks go back) is only needed when the offset changes during the meeting.
 */
export function tileInput(e: CalendarEvent, clock: TileClock, zone: string): EventInput {
  const start = Date.parse(e.start);
  const end = Date.parse(e.end);
  const sameOffset = !Number.isNaN(start) && !Number.isNaN(end) && clock.offset(start) === clock.offset(end);
  return {
    id: e.uri,
    title: eventTitle(e),
    start: e.start,
    end: sameOffset ? e.end : wallClockEnd(e.start, e.end, zone),
    classNames: eventClassNames(e),
    extendedProps: { calendarEvent: e },
  };
}

/** A day with more meetings than this is folded in the month view (see `foldBusyDays`). */
export const FOLD_OVER = 10;

/** What a folded day's summary tile carries in `extendedProps.more`. */
export type MoreTile = { day: string; count: number };

/**
 * The month view of a day with dozens of meetings can show a handful; FullCalendar would still
 * build, measure and hide a tile for each of them (5,000 a month took seconds). A day with more
 * than `FOLD_OVER` meetings keeps its first `keep` tiles and one summary tile, "+N more", which
 * opens the day. Quieter days are passed whole, so FullCalendar's own "+N more" works as usual.
 */
export function foldBusyDays(
  events: CalendarEvent[],
  inputs: EventInput[],
  dayOf: (e: CalendarEvent) => string,
  keep: number,
): EventInput[] {
  const byDay = new Map<string, number[]>();
  events.forEach((e, i) => {
    const day = dayOf(e);
    const list = byDay.get(day);
    if (list) list.push(i);
    else byDay.set(day, [i]);
  });
  const out: EventInput[] = [];
  for (const [day, idx] of byDay) {
    if (idx.length <= FOLD_OVER) {
      for (const i of idx) out.push(inputs[i]!);
      continue;
    }
    // FullCalendar's own order within a day: start, longer first, then title.
    const length = (e: CalendarEvent) => Date.parse(e.end) - Date.parse(e.start);
    idx.sort((a, b) => {
      const ea = events[a]!;
      const eb = events[b]!;
      return Date.parse(ea.start) - Date.parse(eb.start) || length(eb) - length(ea) || ea.name.localeCompare(eb.name);
    });
    const shown = idx.slice(0, Math.max(1, keep));
    for (const i of shown) out.push(inputs[i]!);
    const first = events[idx[shown.length]!]!;
    const at = Date.parse(first.start);
    const more: MoreTile = { day, count: idx.length - shown.length };
    out.push({
      id: `more|${day}`,
      title: `${more.count} more meetings`,
      start: first.start,
      end: new Date(at + 60_000).toISOString(),
      classNames: ['ev-more'],
      extendedProps: { more },
    });
  }
  return out;
}
