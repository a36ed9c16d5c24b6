// The small month grid beside the calendar (and on Home): click a day, or move with the arrow
// keys and press Enter, to go there. Days are calendar dates (`YYYY-MM-DD`), zone-free.

import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { addDays, addMonths, formatCalendarDay, weekdayOf } from '../../lib/time';

/** luxon's DATE_HUGE: `Wednesday, March 11, 2026`. */
const HUGE: Intl.DateTimeFormatOptions = { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' };

export function MiniMonth({
  today,
  focusDay,
  rangeStart,
  rangeEnd,
  firstDay,
  locale,
  busyDays,
  onPick,
  testId = 'mini-month',
}: {
  /** Today in the display zone. */
  today: string;
  /** The day the grid opens on (and follows when it changes). */
  focusDay: string;
  /** The calendar's visible days `[rangeStart, rangeEnd)`, highlighted. */
  rangeStart?: string;
  rangeEnd?: string;
  /** 0 = Sunday. */
  firstDay: number;
  locale: string;
  /** Days with meetings, marked with a dot. */
  busyDays?: ReadonlySet<string>;
  onPick: (day: string) => void;
  testId?: string;
}) {
  const titleId = useId();
  const [cursor, setCursor] = useState(focusDay);
  const gridRef = useRef<HTMLTableElement>(null);
  const [focusWithin, setFocusWithin] = useState(false);

  // Follow the calendar when it moves (but not while the user is moving around in the grid).
  useEffect(() => {
    if (!focusWithin) setCursor(focusDay);
  }, [focusDay, focusWithin]);

  // A zone the webview's Intl does not know leaves no "today" (`todayIn` answers ''): the grid
  // opens on UTC's day rather than failing to render.
  const shown = /^\d{4}-\d{2}-\d{2}$/.test(cursor) ? cursor : new Date().toISOString().slice(0, 10);
  const month = `${shown.slice(0, 7)}-01`;
  const weeks = useMemo(() => {
    const start = addDays(month, -((weekdayOf(month) - firstDay + 7) % 7));
    const rows: string[][] = [];
    for (let w = 0; w < 6; w++) {
      rows.push(Array.from({ length: 7 }, (_, d) => addDays(start, w * 7 + d)));
    }
    return rows;
  }, [month, firstDay]);

  const title = formatCalendarDay(month, { month: 'long', year: 'numeric' }, locale);
  const weekdays = weeks[0]!.map((d) => ({
    short: formatCalendarDay(d, { weekday: 'narrow' }, locale),
    long: formatCalendarDay(d, { weekday: 'long' }, locale),
  }));

  // Roving focus: after a key moved the cursor (maybe into another month), focus its day.
  const moveFocus = useRef(false);
  useLayoutEffect(() => {
    if (!moveFocus.current) return;
    moveFocus.current = false;
    gridRef.current?.querySelector<HTMLElement>(`[data-day="${cursor}"]`)?.focus();
  }, [cursor]);
  const focusCursor = (day: string) => {
    moveFocus.current = true;
    setCursor(day);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    const intoWeek = (weekdayOf(shown) - firstDay + 7) % 7;
    const moves: Record<string, () => string> = {
      ArrowLeft: () => addDays(shown, -1),
      ArrowRight: () => addDays(shown, 1),
      ArrowUp: () => addDays(shown, -7),
      ArrowDown: () => addDays(shown, 7),
      PageUp: () => addMonths(shown, -1),
      PageDown: () => addMonths(shown, 1),
      Home: () => addDays(shown, -intoWeek),
      End: () => addDays(shown, 6 - intoWeek),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      focusCursor(move());
    }
  };

  const shiftMonth = (months: number) => setCursor(addMonths(month, months));

  return (
    <div
      className="mini-month"
      data-testid={testId}
      onFocus={() => setFocusWithin(true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocusWithin(false);
      }}
    >
      <div className="mini-month-head">
        <span id={titleId} className="mini-month-title" aria-live="polite">
          {title}
        </span>
        <button type="button" className="icon-btn" aria-label="Previous month" onClick={() => shiftMonth(-1)}>
          ‹
        </button>
        <button type="button" className="icon-btn" aria-label="Next month" onClick={() => shiftMonth(1)}>
          ›
        </button>
      </div>
      <table role="grid" aria-labelledby={titleId} ref={gridRef} onKeyDown={onKeyDown}>
        <thead>
          <tr>
            {weekdays.map((w) => (
              <th key={w.long} scope="col" abbr={w.long}>
                <span aria-hidden="true">{w.short}</span>
                <span className="visually-hidden">{w.long}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((row) => (
            <tr key={row[0]}>
              {row.map((day) => {
                const outside = day.slice(0, 7) !== month.slice(0, 7);
                const inRange = !!rangeStart && !!rangeEnd && day >= rangeStart && day < rangeEnd;
                const classes = ['mini-day'];
                if (outside) classes.push('outside');
                if (inRange) classes.push('in-range');
                if (day === today) classes.push('today');
                if (busyDays?.has(day)) classes.push('busy');
                return (
                  <td key={day} role="gridcell" aria-selected={inRange}>
                    <button
                      type="button"
                      className={classes.join(' ')}
                      data-day={day}
                      tabIndex={day === shown ? 0 : -1}
                      aria-current={day === today ? 'date' : undefined}
                      aria-label={formatCalendarDay(day, HUGE, locale)}
                      onFocus={() => setCursor(day)}
                      onClick={() => {
                        setCursor(day);
                        onPick(day);
                      }}
                    >
                      {Number(day.slice(8))}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
