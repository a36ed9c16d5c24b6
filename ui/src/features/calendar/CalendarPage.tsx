// The calendar: FullCalendar fed by `list_events` for exactly the visible range, in the zone from
// Preferences (luxon plugin), with an optional second zone in the time grid, canceled meetings
// behind a persisted toggle, a mini month, keyboard shortcuts and a detail panel on the right.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import FullCalendar from '@fullcalendar/react';
import dayGridPlugin from '@fullcalendar/daygrid';
import timeGridPlugin from '@fullcalendar/timegrid';
import listPlugin from '@fullcalendar/list';
import interactionPlugin from '@fullcalendar/interaction';
import luxonPlugin from '@fullcalendar/luxon3';
import type {
  DatesSetArg,
  EventClickArg,
  EventContentArg,
  EventInput,
  EventMountArg,
  EventSourceFuncArg,
  MoreLinkMountArg,
  SlotLabelContentArg,
} from '@fullcalendar/core';
import { listEvents, toIpcError, type CalendarEvent, type EventDetail, type IpcError } from '../../ipc';
import { usePreferences, usePrefs } from '../../lib/prefs';
import {
  dayOf,
  formatLongDay,
  rangeToUtc,
  shortOffset,
  systemZone,
  todayIn,
  wallTimeIn,
  zoneCity,
  zoneLabel,
} from '../../lib/time';
import { firstDayOfWeek } from '../../lib/calendar';
import { calendarAction, isTypingTarget, VIEW_OF } from '../../lib/shortcuts';
import { ZonePicker } from '../zones/ZonePicker';
import { EventDetailPanel } from './EventDetailPanel';
import { dayCellDidMount, moreLinkDidMount, repairToolbar } from './fcAria';
import { useGridKeys } from './gridKeys';
import { MiniMonth } from './MiniMonth';
import { ShortcutsHelp } from './ShortcutsHelp';
import { tileContent } from './tileDom';
import { describeTile, foldBusyDays, tileClock, tileInput, tileLabel, type MoreTile } from './tileText';

/** The meeting whose details are open; `reveal` asks the calendar to go to its date. */
export type Selection = { uri: string; reveal: boolean };
/** The calendar's view and date, kept by the shell so switching tabs (or Home's jumps) keep it. */
export type CalendarState = { view: string; date: string | null };

const PLUGINS = [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin];
const HEADER_TOOLBAR = {
  left: 'prev,next today',
  center: 'title',
  right: 'dayGridMonth,timeGridWeek,timeGridDay,listWeek',
};
const BUTTON_TEXT = { today: 'Today', month: 'Month', week: 'Week', day: 'Day', list: 'List' };
const BUTTON_HINTS = { prev: 'Previous $0', next: 'Next $0', today: 'Go to today' };
const BUSINESS_HOURS = { daysOfWeek: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '18:00' };

type Range = { start: string; end: string; current: string; view: string };

/** How many tiles a month cell has room for, from the grid on screen (4 before it is laid out). */
function monthRoom(frame: HTMLElement | null): number {
  const cell = frame?.querySelector<HTMLElement>('.fc-daygrid-day-frame');
  const top = cell?.querySelector<HTMLElement>('.fc-daygrid-day-top');
  const tile = frame?.querySelector<HTMLElement>('.fc-daygrid-event-harness');
  if (!cell || !top || cell.clientHeight === 0) return 4;
  const tileHeight = tile?.offsetHeight || 22;
  return Math.max(2, Math.floor((cell.clientHeight - top.offsetHeight - 2) / tileHeight));
}

/** The day a time grid's secondary labels are computed for: today when visible, else the first. */
function referenceDay(range: Range | null, zone: string): string {
  const today = todayIn(new Date(), zone);
  if (!range) return today;
  return today >= range.start && today < range.end ? today : range.start;
}

export function CalendarPage({
  eventsVersion,
  selection,
  onSelect,
  state,
  onState,
  onOpenContact,
}: {
  eventsVersion: number;
  selection: Selection | null;
  onSelect: (s: Selection | null) => void;
  state: CalendarState;
  onState: (s: CalendarState) => void;
  onOpenContact: (email: string) => void;
}) {
  const prefs = usePrefs();
  const { prefs: stored, save } = usePreferences();
  const calendarRef = useRef<FullCalendar>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const initial = useRef(state);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [range, setRange] = useState<Range | null>(null);
  const [busyDays, setBusyDays] = useState<ReadonlySet<string>>(new Set());
  const [helpOpen, setHelpOpen] = useState(false);
  const includeCanceled = stored.showCanceled;
  const secondary = stored.secondaryTimezone && stored.secondaryTimezone !== prefs.zone ? stored.secondaryTimezone : null;
  const sysZone = useMemo(() => systemZone(), []);

  const prefsRef = useRef(prefs);
  prefsRef.current = prefs;
  const fetchEvents = useCallback(
    (info: EventSourceFuncArg, success: (events: EventInput[]) => void, failure: (error: Error) => void) => {
      const { from, to } = rangeToUtc(info);
      listEvents(from, to, includeCanceled).then(
        (events) => {
          setLoadError(null);
          const clock = tileClock(prefsRef.current);
          const dayOfEvent = (e: CalendarEvent) => clock.day(Date.parse(e.start));
          setBusyDays(new Set(events.filter((e) => e.status !== 'canceled').map(dayOfEvent)));
          const inputs = events.map((e) => tileInput(e, clock, prefsRef.current.zone));
          // Only the month view (six weeks) folds busy days; the others show every meeting.
          const month = info.end.getTime() - info.start.getTime() > 20 * 86_400_000;
          success(month ? foldBusyDays(events, inputs, dayOfEvent, monthRoom(frameRef.current) - 1) : inputs);
        },
        (raw: unknown) => {
          const err = toIpcError(raw);
          setLoadError(err);
          failure(new Error(err.message));
        },
      );
    },
    [includeCanceled],
  );

  // After each render of a new range, FullCalendar's toolbar is in the DOM.
  useEffect(() => repairToolbar(frameRef.current), [range]);

  // Rust said the stored meetings changed.
  const seenVersion = useRef(eventsVersion);
  useEffect(() => {
    if (seenVersion.current === eventsVersion) return;
    seenVersion.current = eventsVersion;
    calendarRef.current?.getApi().refetchEvents();
  }, [eventsVersion]);

  const stateRef = useRef(state);
  stateRef.current = state;
  const onDatesSet = useCallback(
    (arg: DatesSetArg) => {
      const zone = prefsRef.current.zone;
      setRange({
        start: dayOf(arg.view.currentStart, zone),
        end: dayOf(arg.view.currentEnd, zone),
        current: dayOf(arg.view.currentStart, zone),
        view: arg.view.type,
      });
      onState({ ...stateRef.current, view: arg.view.type, date: arg.view.currentStart.toISOString() });
    },
    [onState],
  );

  const today = todayIn(new Date(), prefs.zone);
  const grid = useGridKeys({ frameRef, calendarRef, selectedUri: selection?.uri ?? null, today });
  // The element that opened the details (a tile), for focus to return to when they close.
  const opener = useRef<HTMLElement | null>(null);

  const onEventClick = useCallback(
    (arg: EventClickArg) => {
      arg.jsEvent.preventDefault();
      const more = arg.event.extendedProps.more as MoreTile | undefined;
      if (more) {
        grid.focusFirstNext();
        arg.view.calendar.changeView('timeGridDay', more.day);
        return;
      }
      opener.current = arg.el;
      onSelect({ uri: arg.event.id, reveal: false });
    },
    [onSelect, grid],
  );

  const onLoading = useCallback(
    (busy: boolean) => {
      setLoading(busy);
      grid.onLoading(busy);
    },
    [grid],
  );

  // FullCalendar's "+N more" opens the day too (its popover cannot be reached by keyboard).
  const onMoreLinkClick = useCallback(() => {
    grid.focusFirstNext();
    return 'timeGridDay';
  }, [grid]);

  const onMoreLinkDidMount = useCallback(
    (arg: MoreLinkMountArg) => {
      moreLinkDidMount(arg);
      grid.schedule();
    },
    [grid],
  );

  /**
   * Closing the details gives focus back to the tile that opened them, or to the meeting's tile
   * when they were opened from elsewhere (Home, search), or to the grid, or the page heading.
   */
  const closeDetail = useCallback(() => {
    const uri = selection?.uri;
    onSelect(null);
    const frame = frameRef.current;
    const back =
      (opener.current?.isConnected ? opener.current : null) ??
      frame?.querySelector<HTMLElement>(`.fc [data-uri="${CSS.escape(uri ?? '')}"]`) ??
      frame?.querySelector<HTMLElement>('.fc [tabindex="0"]') ??
      headingRef.current;
    opener.current = null;
    back?.focus();
  }, [selection?.uri, onSelect]);

  const onEventDidMount = useCallback(
    (arg: EventMountArg) => {
      const more = arg.event.extendedProps.more as MoreTile | undefined;
      if (more) {
        arg.el.dataset.testid = 'calendar-more';
        arg.el.dataset.moreCount = String(more.count);
        if (arg.el.tagName === 'A') arg.el.setAttribute('role', 'button');
        const label = `${more.count} more meetings on ${formatLongDay(new Date(`${more.day}T12:00:00Z`), { ...prefs, zone: 'UTC' })}: open the day`;
        arg.el.setAttribute('aria-label', label);
        arg.el.title = label;
        grid.schedule();
        return;
      }
      const e = arg.event.extendedProps.calendarEvent as CalendarEvent | undefined;
      if (!e) return;
      arg.el.dataset.uri = e.uri;
      arg.el.dataset.status = e.status;
      arg.el.dataset.testid = 'calendar-event';
      if (e.rescheduledFrom) arg.el.dataset.rescheduledFrom = e.rescheduledFrom;
      if (e.rescheduledTo) arg.el.dataset.rescheduledTo = e.rescheduledTo;
      // FullCalendar renders tiles as focusable <a>s without href, which have no role: they act as
      // buttons (Enter opens the details), so they say so, with the meeting as their name.
      if (arg.el.tagName === 'A') arg.el.setAttribute('role', 'button');
      const clock = tileClock(prefs);
      arg.el.setAttribute('aria-label', tileLabel(e, clock, arg.view.type));
      arg.el.title = describeTile(e, clock);
      grid.schedule();
    },
    [prefs, grid],
  );

  // The selected meeting is ringed; the other half of a reschedule is outlined with it.
  const selectedUri = selection?.uri;
  const eventClassNames = useCallback(
    (arg: { event: { id: string; extendedProps: Record<string, unknown> } }) => {
      if (!selectedUri) return [];
      if (arg.event.id === selectedUri) return ['ev-selected'];
      const e = arg.event.extendedProps.calendarEvent as CalendarEvent | undefined;
      return e && (e.rescheduledFrom === selectedUri || e.rescheduledTo === selectedUri) ? ['ev-linked'] : [];
    },
    [selectedUri],
  );

  const onDetailLoaded = useCallback(
    (detail: EventDetail) => {
      if (!selection?.reveal) return;
      const api = calendarRef.current?.getApi();
      if (api) {
        const t = Date.parse(detail.start);
        const { activeStart, activeEnd } = api.view;
        if (t < activeStart.getTime() || t >= activeEnd.getTime()) api.gotoDate(detail.start);
      }
      // Going there once is enough; later reloads must not move the calendar.
      onSelect({ uri: detail.uri, reveal: false });
    },
    [selection?.reveal, onSelect],
  );

  const eventContent = useCallback((arg: EventContentArg) => tileContent(arg, tileClock(prefs)), [prefs]);

  const hour12 = prefs.hour12;
  const timeFormat = useMemo(
    () => ({ hour: hour12 ? ('numeric' as const) : ('2-digit' as const), minute: '2-digit' as const, hour12 }),
    [hour12],
  );

  // With a second zone, each hour label shows both zones, and the axis header names them. The
  // labels depend on the visible days (offsets change with DST), so the function does too:
  // FullCalendar re-renders the labels when it changes.
  const refDay = range && range.view.startsWith('timeGrid') ? referenceDay(range, prefs.zone) : null;
  const slotLabelContent = useCallback(
    (arg: SlotLabelContentArg) => {
      if (!secondary) return arg.text;
      const minutes = arg.time.days * 1440 + Math.round(arg.time.milliseconds / 60000);
      const day = refDay ?? todayIn(new Date(), prefs.zone);
      return (
        <span className="slot-two">
          <span className="slot-primary">{arg.text}</span>
          <span className="slot-secondary" data-testid="secondary-slot">
            {wallTimeIn(day, minutes, prefs.zone, secondary, prefs)}
          </span>
        </span>
      );
    },
    [secondary, prefs, refDay],
  );
  const views = useMemo(() => {
    const axisHeader = secondary
      ? {
          weekNumbers: true,
          weekNumberContent: (arg: { date: Date }) => (
            <span className="slot-two slot-zones" data-testid="zone-axis-header">
              <span className="slot-primary" title={zoneLabel(prefs.zone)}>
                {shortOffset(prefs.zone, arg.date)}
              </span>
              <span className="slot-secondary" title={zoneLabel(secondary)}>
                {shortOffset(secondary, arg.date)}
              </span>
            </span>
          ),
        }
      : {};
    // Tiles render their own time (tileDom.ts): FullCalendar's time text, formatted per tile
    // through the zone plugin, would be computed and thrown away. The list view shows it.
    return {
      dayGridMonth: { displayEventTime: false },
      timeGridWeek: {
        displayEventTime: false,
        ...axisHeader,
        dayHeaderFormat: { weekday: 'short' as const, day: 'numeric' as const, month: 'short' as const, omitCommas: true },
      },
      timeGridDay: { displayEventTime: false, ...axisHeader, dayHeaderFormat: { weekday: 'long' as const, day: 'numeric' as const, month: 'long' as const } },
    };
  }, [secondary, prefs.zone]);

  const toggleCanceled = (checked: boolean) => {
    setSaveError(null);
    save({ showCanceled: checked }).catch((raw: unknown) => setSaveError(toIpcError(raw)));
  };
  const pickZone = (field: 'timezone' | 'secondaryTimezone') => (zone: string | null) => {
    setSaveError(null);
    save({ [field]: zone }).catch((raw: unknown) => setSaveError(toIpcError(raw)));
  };

  // Keyboard shortcuts: t, ←/→, m/w/d/l and ? (documented in the ? popover).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || isTypingTarget(document.activeElement)) return;
      const action = calendarAction(e);
      const api = calendarRef.current?.getApi();
      if (!action || !api) return;
      e.preventDefault();
      if (action === 'help') setHelpOpen((o) => !o);
      else if (action === 'today') api.today();
      else if (action === 'prev') api.prev();
      else if (action === 'next') api.next();
      else api.changeView(VIEW_OF[action]!);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const firstDay = firstDayOfWeek(prefs.locale);

  return (
    <div className={`calendar-page${selection ? ' with-detail' : ''}`}>
      <aside className="calendar-side" aria-label="Calendar tools">
        <MiniMonth
          today={today}
          focusDay={range && (today < range.start || today >= range.end) ? range.current : today}
          rangeStart={range?.view === 'dayGridMonth' ? undefined : range?.start}
          rangeEnd={range?.view === 'dayGridMonth' ? undefined : range?.end}
          firstDay={firstDay}
          locale={prefs.locale}
          busyDays={busyDays}
          onPick={(day) => calendarRef.current?.getApi().gotoDate(day)}
        />
        <div className="side-section">
          <ZonePicker
            label="Second time zone"
            value={stored.secondaryTimezone}
            onChange={pickZone('secondaryTimezone')}
            nullLabel="None"
            nullHint="One column of hours"
            testId="secondary-zone"
          />
          <p className="side-hint muted small" data-testid="zone-legend">
            {secondary
              ? `Hours on the left: ${zoneCity(prefs.zone)} (dark) and ${zoneCity(secondary)} (grey), in week and day views.`
              : 'Add a second column of hours to the week and day views, e.g. a client’s zone.'}
          </p>
        </div>
        <div className="side-section">
          <label className="toggle">
            <input
              type="checkbox"
              data-testid="toggle-canceled"
              checked={includeCanceled}
              onChange={(e) => toggleCanceled(e.target.checked)}
            />
            <span>Show canceled</span>
          </label>
          <div className="legend small muted" aria-hidden="true">
            <span className="legend-item">
              <span className="legend-swatch legend-canceled" /> Canceled
            </span>
            <span className="legend-item">
              <span className="legend-mark">↻</span> Rescheduled
            </span>
            <span className="legend-item">
              <span className="legend-mark legend-noshow">!</span> No-show
            </span>
          </div>
        </div>
      </aside>
      <div className="calendar-main">
        <div className="page-toolbar">
          <h1 className="page-title" ref={headingRef} tabIndex={-1}>
            Calendar
          </h1>
          <ZonePicker
            label="Time zone"
            hideLabel
            value={stored.timezone}
            onChange={pickZone('timezone')}
            nullLabel={`System (${zoneLabel(sysZone)})`}
            nullHint="This computer’s zone"
            testId="calendar-zone"
          />
          <span className="muted small" aria-live="polite">
            {loading ? 'Loading…' : ''}
          </span>
          <span className="toolbar-spacer" />
          <ShortcutsHelp open={helpOpen} onOpenChange={setHelpOpen} />
        </div>
        {(loadError || saveError) && (
          <div className="banner banner-error" role="alert">
            <span>
              {loadError ? `Could not load meetings: ${loadError.message}` : `Could not save: ${saveError!.message}`}
            </span>
            {loadError && (
              <button type="button" className="btn btn-small" onClick={() => calendarRef.current?.getApi().refetchEvents()}>
                Retry
              </button>
            )}
          </div>
        )}
        <div
          className="calendar-frame"
          data-testid="calendar"
          data-zone={prefs.zone}
          ref={frameRef}
          onKeyDown={grid.onKeyDown}
          onFocus={grid.onFocus}
        >
          <FullCalendar
            ref={calendarRef}
            plugins={PLUGINS}
            timeZone={prefs.zone}
            locale={prefs.locale}
            views={views}
            firstDay={firstDay}
            initialView={initial.current.view}
            initialDate={initial.current.date ?? undefined}
            headerToolbar={HEADER_TOOLBAR}
            buttonText={BUTTON_TEXT}
            buttonHints={BUTTON_HINTS}
            height="100%"
            nowIndicator
            dayMaxEvents
            allDaySlot={false}
            scrollTime="07:30:00"
            businessHours={BUSINESS_HOURS}
            eventTimeFormat={timeFormat}
            slotLabelFormat={timeFormat}
            slotLabelContent={slotLabelContent}
            displayEventEnd
            events={fetchEvents}
            loading={onLoading}
            datesSet={onDatesSet}
            eventClick={onEventClick}
            eventDidMount={onEventDidMount}
            moreLinkDidMount={onMoreLinkDidMount}
            moreLinkClick={onMoreLinkClick}
            dayCellDidMount={dayCellDidMount}
            eventClassNames={eventClassNames}
            eventContent={eventContent}
            noEventsText="No meetings in this period"
          />
        </div>
      </div>
      {selection && (
        <EventDetailPanel
          uri={selection.uri}
          version={eventsVersion}
          onClose={closeDetail}
          onOpenEvent={(uri) => onSelect({ uri, reveal: true })}
          onOpenContact={onOpenContact}
          onLoaded={onDetailLoaded}
        />
      )}
    </div>
  );
}
