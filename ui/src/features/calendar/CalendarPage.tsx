// The calendar: FullCalendar fed by `list_events` for exactly the visible range, in the display
// zone (luxon plugin), with canceled meetings behind a toggle and a detail panel on the right.

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
} from '@fullcalendar/core';
import { listEvents, toIpcError, type CalendarEvent, type EventDetail, type IpcError } from '../../ipc';
import { usePrefs } from '../../lib/prefs';
import { formatTime, rangeToUtc, type DisplayPrefs } from '../../lib/time';
import { describeEvent, firstDayOfWeek, toEventInput } from '../../lib/calendar';
import { EventDetailPanel } from './EventDetailPanel';

/** The meeting whose details are open; `reveal` asks the calendar to go to its date. */
export type Selection = { uri: string; reveal: boolean };
export type CalendarState = { view: string; date: string | null; includeCanceled: boolean };

const PLUGINS = [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, luxonPlugin];
const HEADER_TOOLBAR = {
  left: 'prev,next today',
  center: 'title',
  right: 'dayGridMonth,timeGridWeek,timeGridDay,listWeek',
};
const BUTTON_TEXT = { today: 'Today', month: 'Month', week: 'Week', day: 'Day', list: 'List' };
const BUTTON_HINTS = { prev: 'Previous $0', next: 'Next $0', today: 'Go to today' };
const VIEWS = {
  timeGridWeek: { dayHeaderFormat: { weekday: 'short' as const, day: 'numeric' as const, month: 'short' as const, omitCommas: true } },
  timeGridDay: { dayHeaderFormat: { weekday: 'long' as const, day: 'numeric' as const, month: 'long' as const } },
};
const BUSINESS_HOURS = { daysOfWeek: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '18:00' };

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
  const calendarRef = useRef<FullCalendar>(null);
  const initial = useRef(state);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const { includeCanceled } = state;

  const fetchEvents = useCallback(
    (info: EventSourceFuncArg, success: (events: EventInput[]) => void, failure: (error: Error) => void) => {
      const { from, to } = rangeToUtc(info);
      listEvents(from, to, includeCanceled).then(
        (events) => {
          setLoadError(null);
          success(events.map(toEventInput));
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
      onState({ ...stateRef.current, view: arg.view.type, date: arg.view.currentStart.toISOString() });
    },
    [onState],
  );

  const onEventClick = useCallback(
    (arg: EventClickArg) => {
      arg.jsEvent.preventDefault();
      onSelect({ uri: arg.event.id, reveal: false });
    },
    [onSelect],
  );

  const onEventDidMount = useCallback(
    (arg: EventMountArg) => {
      const e = arg.event.extendedProps.calendarEvent as CalendarEvent | undefined;
      if (!e) return;
      arg.el.dataset.uri = e.uri;
      arg.el.dataset.status = e.status;
      arg.el.dataset.testid = 'calendar-event';
      arg.el.setAttribute('aria-label', describeEvent(e, prefs));
      arg.el.title = describeEvent(e, prefs);
    },
    [prefs],
  );

  const selectedUri = selection?.uri;
  const eventClassNames = useCallback(
    (arg: { event: { id: string } }) => (arg.event.id === selectedUri ? ['ev-selected'] : []),
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

  const eventContent = useCallback((arg: EventContentArg) => renderEventContent(arg, prefs), [prefs]);

  const hour12 = prefs.hour12;
  const timeFormat = useMemo(
    () => ({ hour: hour12 ? ('numeric' as const) : ('2-digit' as const), minute: '2-digit' as const, hour12 }),
    [hour12],
  );

  return (
    <div className={`calendar-page${selection ? ' with-detail' : ''}`}>
      <div className="calendar-main">
        <div className="page-toolbar">
          <h1 className="page-title">Calendar</h1>
          <label className="toggle">
            <input
              type="checkbox"
              data-testid="toggle-canceled"
              checked={includeCanceled}
              onChange={(e) => onState({ ...state, includeCanceled: e.target.checked })}
            />
            <span>Show canceled</span>
          </label>
          <span className="muted small" title="Times are shown in this zone">
            {prefs.zone.replace(/_/g, ' ')}
          </span>
          <span className="muted small" aria-live="polite">
            {loading ? 'Loading…' : ''}
          </span>
        </div>
        {loadError && (
          <div className="banner banner-error" role="alert">
            <span>Could not load meetings: {loadError.message}</span>
            <button type="button" className="btn btn-small" onClick={() => calendarRef.current?.getApi().refetchEvents()}>
              Retry
            </button>
          </div>
        )}
        <div className="calendar-frame" data-testid="calendar">
          <FullCalendar
            ref={calendarRef}
            plugins={PLUGINS}
            timeZone={prefs.zone}
            locale={prefs.locale}
            views={VIEWS}
            firstDay={firstDayOfWeek(prefs.locale)}
            initialView={initial.current.view}
            initialDate={initial.current.date ?? undefined}
            headerToolbar={HEADER_TOOLBAR}
            buttonText={BUTTON_TEXT}
            buttonHints={BUTTON_HINTS}
            height="100%"
            nowIndicator
            dayMaxEvents
            scrollTime="07:30:00"
            businessHours={BUSINESS_HOURS}
            eventTimeFormat={timeFormat}
            slotLabelFormat={timeFormat}
            displayEventEnd
            events={fetchEvents}
            loading={setLoading}
            datesSet={onDatesSet}
            eventClick={onEventClick}
            eventDidMount={onEventDidMount}
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
          onClose={() => onSelect(null)}
          onOpenEvent={(uri) => onSelect({ uri, reveal: true })}
          onOpenContact={onOpenContact}
          onLoaded={onDetailLoaded}
        />
      )}
    </div>
  );
}

/** Tiles show time, meeting type and invitees, as much as each view has room for. */
function renderEventContent(arg: EventContentArg, prefs: DisplayPrefs) {
  const e = arg.event.extendedProps.calendarEvent as CalendarEvent | undefined;
  const type = arg.view.type;
  if (!e) return true;
  const who = e.inviteeNames.join(', ');
  if (type.startsWith('dayGrid')) {
    // Month cells are narrow: start time and who, the meeting type is in the tooltip and label.
    return (
      <div className="ev-month">
        <span className="fc-daygrid-event-dot" />
        <span className="ev-time">{formatTime(e.start, prefs)}</span>
        <span className="ev-month-title">{who || e.name}</span>
        {e.anyNoShow && <span className="ev-flag" aria-hidden="true">!</span>}
      </div>
    );
  }
  const badges = (
    <>
      {e.status === 'canceled' && <span className="ev-badge ev-badge-canceled">Canceled</span>}
      {e.anyNoShow && <span className="ev-badge ev-badge-noshow">No-show</span>}
      {e.rescheduledFrom && <span className="ev-badge">Rescheduled</span>}
    </>
  );
  if (type.startsWith('list')) {
    return (
      <span className="ev-list">
        <span className="ev-name">{e.name}</span>
        {who && <span className="ev-who"> · {who}</span>}
        {badges}
      </span>
    );
  }
  return (
    <div className="ev-tile">
      <div className="ev-line">
        <span className="ev-time">{formatTime(e.start, prefs)}</span>{' '}
        <span className="ev-name">{e.name}</span>
      </div>
      {who && <div className="ev-who">{who}</div>}
      <div className="ev-badges">{badges}</div>
    </div>
  );
}
