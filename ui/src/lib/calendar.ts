// Turning the `list_events` read model into FullCalendar input, kept pure for unit tests.

import type { EventInput } from '@fullcalendar/core';
import type { CalendarEvent } from '../ipc/bindings.gen';
import { formatTimeRange, wallClock, type DisplayPrefs } from './time';

export const TONES = 6;

/** A stable colour slot per meeting type, so a type keeps its colour across weeks. */
export function toneOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return h % TONES;
}

export function eventClassNames(e: CalendarEvent): string[] {
  const names = ['ev', `ev-tone-${toneOf(e.name)}`];
  if (e.status === 'canceled') names.push('ev-canceled');
  if (e.anyNoShow) names.push('ev-noshow');
  if (e.rescheduledFrom) names.push('ev-rescheduled');
  return names;
}

/** `Discovery Call · Priya Raman` */
export function eventTitle(e: CalendarEvent): string {
  const who = e.inviteeNames.join(', ');
  return who ? `${e.name} · ${who}` : e.name;
}

/**
 * FullCalendar places events by wall-clock time in the display zone. A meeting across the hour
 * that repeats when clocks go back (23:30 -03 to 23:00 -04 in Santiago) ends "before" it starts
 * on the wall clock, which FullCalendar would replace with its default hour. Such an end is given
 * as the wall-clock start plus the real length, as a zone-less time FullCalendar reads in `zone`.
 */
export function wallClockEnd(startIso: string, endIso: string, zone: string): string {
  const wallStart = wallClock(startIso, zone);
  const wallEnd = wallClock(endIso, zone);
  if (!wallStart || !wallEnd || wallEnd > wallStart) return endIso;
  const ms = Math.max(Date.parse(endIso) - Date.parse(startIso), 0);
  return new Date(Date.parse(`${wallStart}Z`) + ms).toISOString().slice(0, 19);
}

export function toEventInput(e: CalendarEvent, zone?: string): EventInput {
  return {
    id: e.uri,
    title: eventTitle(e),
    start: e.start,
    end: zone ? wallClockEnd(e.start, e.end, zone) : e.end,
    classNames: eventClassNames(e),
    extendedProps: { calendarEvent: e },
  };
}

/** What a screen reader says for a calendar tile. */
export function describeEvent(e: CalendarEvent, prefs: DisplayPrefs): string {
  const parts = [eventTitle(e), formatTimeRange(e.start, e.end, prefs)];
  if (e.status === 'canceled') parts.push('canceled');
  if (e.anyNoShow) parts.push('no-show');
  if (e.rescheduledFrom) parts.push('rescheduled');
  return parts.join(', ');
}

/** The locale's first day of the week for FullCalendar (0 = Sunday), Monday when unknown. */
export function firstDayOfWeek(locale: string): number {
  try {
    const loc = new Intl.Locale(locale) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info && typeof info.firstDay === 'number') return info.firstDay % 7;
  } catch {
    // An odd locale string: fall through.
  }
  return 1;
}
