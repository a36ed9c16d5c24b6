// The calendar grid from the keyboard (month, week and day views): one tab stop for the whole
// grid (a roving tabindex, as the ARIA grid pattern has it), and arrow keys between its tiles.
// ↑/↓ go to the previous/next meeting of the day (in the month view on into the week above or
// below), ←/→ to the nearest meeting on the previous/next day with meetings (past the first or
// last, to the previous/next period), Home/End to the first/last of the view. Enter and Space
// open a tile (FullCalendar's own handling); the list view is a plain list of links.

import { useCallback, useEffect, useMemo, useRef, type FocusEvent, type KeyboardEvent, type RefObject } from 'react';
import type FullCalendar from '@fullcalendar/react';

const ITEMS = [
  '.fc-daygrid-body .fc-daygrid-event[role="button"]',
  '.fc-daygrid-body .fc-daygrid-more-link',
  '.fc-timegrid-body .fc-timegrid-event[role="button"]',
].join(', ');

const DAY_MS = 86_400_000;

type Item = { el: HTMLElement; day: string; top: number; left: number; mid: number };

/** The tiles on screen (FullCalendar keeps tiles that do not fit, hidden), grouped by day. */
function layout(root: HTMLElement): { items: Item[]; byDay: Map<string, Item[]>; days: string[] } {
  const items: Item[] = [];
  for (const el of root.querySelectorAll<HTMLElement>(ITEMS)) {
    const day = el.closest<HTMLElement>('[data-date]')?.dataset.date;
    if (!day || getComputedStyle(el).visibility !== 'visible') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    items.push({ el, day, top: r.top, left: r.left, mid: r.top + r.height / 2 });
  }
  items.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.top - b.top || a.left - b.left));
  const byDay = new Map<string, Item[]>();
  for (const it of items) {
    const list = byDay.get(it.day);
    if (list) list.push(it);
    else byDay.set(it.day, [it]);
  }
  return { items, byDay, days: [...byDay.keys()] };
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** The item a key moves to from `from`, `'next'`/`'prev'` for the next/previous period, or null. */
export function target(
  key: string,
  from: HTMLElement,
  root: HTMLElement,
  month: boolean,
): HTMLElement | 'next' | 'prev' | null {
  const { items, byDay, days } = layout(root);
  const cur = items.find((it) => it.el === from);
  if (!cur) return null;
  const sameDay = byDay.get(cur.day)!;
  const at = sameDay.indexOf(cur);
  const nearest = (list: Item[]) =>
    list.reduce((best, it) => (Math.abs(it.mid - cur.mid) < Math.abs(best.mid - cur.mid) ? it : best)).el;
  switch (key) {
    case 'Home':
      return items[0]!.el;
    case 'End':
      return items[items.length - 1]!.el;
    case 'ArrowRight':
    case 'ArrowLeft': {
      const next = days[days.indexOf(cur.day) + (key === 'ArrowRight' ? 1 : -1)];
      if (!next) return key === 'ArrowRight' ? 'next' : 'prev';
      return nearest(byDay.get(next)!);
    }
    case 'ArrowDown':
    case 'ArrowUp': {
      const down = key === 'ArrowDown';
      const inDay = sameDay[at + (down ? 1 : -1)];
      if (inDay) return inDay.el;
      if (!month) return null;
      // The month's next (or previous) week with meetings, on the nearest weekday.
      const first = root.querySelector<HTMLElement>('.fc-daygrid-day[data-date]')?.dataset.date;
      if (!first) return null;
      const origin = dayNumber(first);
      const pos = (day: string) => {
        const n = dayNumber(day) - origin;
        return { week: Math.floor(n / 7), col: ((n % 7) + 7) % 7 };
      };
      const here = pos(cur.day);
      const candidates = days
        .map((d) => ({ d, ...pos(d) }))
        .filter((c) => (down ? c.week > here.week : c.week < here.week));
      if (candidates.length === 0) return null;
      const week = down ? Math.min(...candidates.map((c) => c.week)) : Math.max(...candidates.map((c) => c.week));
      const best = candidates
        .filter((c) => c.week === week)
        .reduce((b, c) => (Math.abs(c.col - here.col) < Math.abs(b.col - here.col) ? c : b));
      const list = byDay.get(best.d)!;
      return (down ? list[0] : list[list.length - 1])!.el;
    }
    default:
      return null;
  }
}

/**
 * Keeps exactly one tile tabbable: the one last focused, else the selected meeting, else the first
 * from today on, else the first.
 */
function syncTabStop(root: HTMLElement, preferred: string | null, today: string) {
  const { items } = layout(root);
  const all = root.querySelectorAll<HTMLElement>(ITEMS);
  if (items.length === 0) {
    for (const el of all) setTabIndex(el, -1);
    return;
  }
  const keyOf = (el: HTMLElement) => el.dataset.uri ?? `more|${el.closest<HTMLElement>('[data-date]')?.dataset.date}`;
  const stop =
    items.find((it) => preferred !== null && keyOf(it.el) === preferred) ?? items.find((it) => it.day >= today) ?? items[0]!;
  for (const el of all) setTabIndex(el, el === stop.el ? 0 : -1);
}

/** Writes only changes: a month can hold hundreds of tiles, and each write is a DOM mutation. */
function setTabIndex(el: HTMLElement, value: number) {
  if (el.tabIndex !== value) el.tabIndex = value;
}

export function useGridKeys({
  frameRef,
  calendarRef,
  selectedUri,
  today,
}: {
  frameRef: RefObject<HTMLDivElement>;
  calendarRef: RefObject<FullCalendar>;
  selectedUri: string | null;
  today: string;
}) {
  // The tile the user last focused (its URI, or `more|<day>` for a "+N more" link).
  const lastKey = useRef<string | null>(null);
  const selectedRef = useRef(selectedUri);
  selectedRef.current = selectedUri;
  const todayRef = useRef(today);
  todayRef.current = today;
  // After an arrow key went past the last (or first) tile into the next (or previous) period.
  const pendingEdge = useRef<'first' | 'last' | null>(null);
  const frame = useRef(0);

  const sync = useCallback(() => {
    const root = frameRef.current;
    if (!root) return;
    const edge = pendingEdge.current;
    if (edge) {
      const { items } = layout(root);
      if (items.length > 0) {
        lastKey.current = null;
        const el = (edge === 'first' ? items[0] : items[items.length - 1])!.el;
        pendingEdge.current = null;
        syncTabStop(root, el.dataset.uri ?? null, todayRef.current);
        el.focus();
        return;
      }
    }
    syncTabStop(root, lastKey.current ?? selectedRef.current, todayRef.current);
  }, [frameRef]);

  /** Tiles were added or removed: fix the tab stop once the frame has settled. */
  const schedule = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(sync);
  }, [sync]);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useEffect(schedule, [selectedUri, schedule]);

  /**
   * FullCalendar's `loading`. After an arrow key left the period, focus goes to the new period's
   * first (or last) tile once it is drawn, or to the Next (Previous) button when it has none.
   */
  const onLoading = useCallback(
    (loading: boolean) => {
      if (loading) return;
      schedule();
      window.setTimeout(() => {
        const edge = pendingEdge.current;
        if (!edge) return;
        sync();
        if (!pendingEdge.current) return;
        pendingEdge.current = null;
        frameRef.current?.querySelector<HTMLElement>(edge === 'first' ? '.fc-next-button' : '.fc-prev-button')?.focus();
      }, 150);
    },
    [sync, schedule, frameRef],
  );

  const onFocus = useCallback((e: FocusEvent<HTMLDivElement>) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>(ITEMS);
    const root = frameRef.current;
    if (!el || !root) return;
    lastKey.current = el.dataset.uri ?? `more|${el.closest<HTMLElement>('[data-date]')?.dataset.date}`;
    for (const other of root.querySelectorAll<HTMLElement>(ITEMS)) setTabIndex(other, other === el ? 0 : -1);
  }, [frameRef]);

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
      if (!['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
      const root = frameRef.current;
      const from = (e.target as HTMLElement).closest<HTMLElement>(ITEMS);
      const api = calendarRef.current?.getApi();
      if (!root || !from || !api || !root.contains(from)) return;
      // Arrows here move between tiles, not through time as they do elsewhere on the page.
      e.preventDefault();
      const to = target(e.key, from, root, api.view.type === 'dayGridMonth');
      if (to === 'next' || to === 'prev') {
        pendingEdge.current = to === 'next' ? 'first' : 'last';
        if (to === 'next') api.next();
        else api.prev();
      } else if (to) {
        to.focus();
      }
    },
    [frameRef, calendarRef],
  );

  /** Focus the first tile of what is drawn next (a "+N more" opened its day). */
  const focusFirstNext = useCallback(() => {
    pendingEdge.current = 'first';
  }, []);

  // One object for the life of the page, so FullCalendar's callbacks built on it stay the same.
  return useMemo(
    () => ({ onKeyDown, onFocus, schedule, onLoading, focusFirstNext }),
    [onKeyDown, onFocus, schedule, onLoading, focusFirstNext],
  );
}
