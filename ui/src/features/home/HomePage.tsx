// Home: today's meetings and the next ones with Join buttons, what happened this week, and the
// latest activity; everything links to the meeting or the contact.

import { useLayoutEffect, useMemo, useState } from 'react';
import { getDashboard, reportFirstPaint, openExternal, toIpcError, type CalendarEvent, type IpcError, type RecentActivity } from '../../ipc';
import { useLoad, useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { firstDayOfWeek, toneOf } from '../../lib/calendar';
import { dashboardBounds, earlyDashboard, takeEarlyDashboard } from '../../lib/boot';
import { activityVerb, initials, isVideoLocation, locationLabel } from '../../lib/labels';
import {
  formatDay,
  formatLongDay,
  formatShortDay,
  formatTime,
  greeting,
  relativeTime,
  todayIn,
  zoneLabel,
} from '../../lib/time';
import { isHttpUrl } from '../../lib/urls';
import { MiniMonth } from '../calendar/MiniMonth';

export function HomePage({
  version,
  accountName,
  onOpenEvent,
  onOpenContact,
  onOpenCalendar,
}: {
  version: number;
  accountName: string;
  onOpenEvent: (uri: string) => void;
  onOpenContact: (email: string) => void;
  /** Opens the calendar in `view` (FullCalendar's view name), on `day` when given. */
  onOpenCalendar: (view: string, day?: string) => void;
}) {
  const prefs = usePrefs();
  const now = useNow();
  const firstDay = firstDayOfWeek(prefs.locale);
  const today = todayIn(now, prefs.zone);
  // Recomputed when the day (or the zone) changes, not on every clock tick.
  const bounds = useMemo(() => dashboardBounds(now, prefs.zone, prefs.locale), [today, prefs.zone, prefs.locale]);
  const { data, error, loading } = useLoad(
    () => takeEarlyDashboard(bounds) ?? getDashboard(bounds),
    [bounds, version],
    () => earlyDashboard(bounds),
  );
  const [linkError, setLinkError] = useState<IpcError | null>(null);
  // From the commit, so the frames it counts are the ones that paint this render (see there).
  useLayoutEffect(() => {
    if (data) reportFirstPaint('home');
  }, [data]);
  // Rust's "upcoming" starts now, so it can repeat the rest of today: Today already lists those.
  const upcoming = useMemo(() => {
    if (!data) return undefined;
    const today = new Set(data.today.map((e) => e.uri));
    return data.upcoming.filter((e) => !today.has(e.uri));
  }, [data]);

  const join = (url: string) => {
    setLinkError(null);
    openExternal(url).catch((raw: unknown) => setLinkError(toIpcError(raw)));
  };

  const firstName = accountName.split(/\s+/)[0] ?? accountName;

  return (
    <div className="page home-page" data-testid="home">
      <header className="home-head">
        <div>
          <h1 className="page-title" data-testid="home-greeting">
            {greeting(now, prefs.zone)}, {firstName}
          </h1>
          <p className="muted home-date">
            {formatLongDay(now, prefs)} · {zoneLabel(prefs.zone)}
          </p>
        </div>
        <div className="home-jump" role="group" aria-label="Open the calendar" data-screen="calendar">
          <span className="muted small">Open calendar</span>
          <div className="segmented">
            <button type="button" onClick={() => onOpenCalendar('timeGridDay', today)} data-testid="open-day">
              Day
            </button>
            <button type="button" onClick={() => onOpenCalendar('timeGridWeek', today)} data-testid="open-week">
              Week
            </button>
            {/* `fc-dayGridMonth-button`: the real-window e2e test clicks this class right after
                connecting to reach the month view; here it opens the calendar in month view. */}
            <button
              type="button"
              className="fc-dayGridMonth-button"
              onClick={() => onOpenCalendar('dayGridMonth', today)}
              data-testid="open-month"
            >
              Month
            </button>
            <button type="button" onClick={() => onOpenCalendar('listWeek', today)} data-testid="open-list">
              List
            </button>
          </div>
        </div>
      </header>

      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {linkError && (
        <p className="error" role="alert">
          {linkError.message}
        </p>
      )}

      <section className="week-stats" aria-labelledby="week-title" data-testid="week-stats">
        <h2 id="week-title" className="section-title">
          This week
        </h2>
        <dl className="stat-tiles">
          <Stat label="Booked" value={data?.week.booked} testId="week-booked" tone="accent" />
          <Stat label="Canceled" value={data?.week.canceled} testId="week-canceled" tone="danger" />
          <Stat label="Rescheduled" value={data?.week.rescheduled} testId="week-rescheduled" tone="info" />
          <Stat label="No-shows" value={data?.week.noShows} testId="week-no-shows" tone="warn" />
        </dl>
      </section>

      <div className="home-grid">
        <div className="home-col">
          <section className="card home-card" aria-labelledby="today-title" data-screen="calendar">
            <div className="card-head">
              <h2 id="today-title">Today</h2>
              <span className="muted small">{data ? countLabel(data.today.length) : loading ? 'Loading…' : ''}</span>
            </div>
            {data && data.today.length === 0 && <p className="empty">No meetings today. Time for deep work.</p>}
            {data && data.today.length > 0 && (
              <ol className="agenda" data-testid="today-list">
                {data.today.map((e) => (
                  <AgendaItem key={e.uri} e={e} now={now} onOpen={onOpenEvent} onJoin={join} testId="today-meeting" />
                ))}
              </ol>
            )}
          </section>
          <section className="card home-card" aria-labelledby="next-title" data-screen="calendar">
            <div className="card-head">
              <h2 id="next-title">Coming up</h2>
              <button type="button" className="link small" onClick={() => onOpenCalendar('listWeek', today)}>
                See the agenda
              </button>
            </div>
            {upcoming && upcoming.length === 0 && <p className="empty">Nothing booked after today yet.</p>}
            {upcoming && upcoming.length > 0 && (
              <ol className="agenda" data-testid="upcoming-list">
                {upcoming.map((e) => (
                  <AgendaItem key={e.uri} e={e} now={now} withDay onOpen={onOpenEvent} onJoin={join} testId="upcoming-meeting" />
                ))}
              </ol>
            )}
          </section>
          <section className="card home-card" aria-labelledby="jump-title" data-screen="calendar">
            <div className="card-head">
              <h2 id="jump-title">Go to a day</h2>
            </div>
            <MiniMonth
              today={today}
              focusDay={today}
              firstDay={firstDay}
              locale={prefs.locale}
              onPick={(day) => onOpenCalendar('timeGridDay', day)}
              testId="home-mini-month"
            />
          </section>
        </div>
        <div className="home-col">
          <section className="card home-card" aria-labelledby="recent-title">
            <div className="card-head">
              <h2 id="recent-title">Recent activity</h2>
            </div>
            {data && data.recent.length === 0 && <p className="empty">No activity yet.</p>}
            {data && data.recent.length > 0 && (
              <ol className="recent" data-testid="recent-activity">
                {data.recent.map((a, i) => (
                  <RecentItem key={`${a.at}-${a.contactEmail}-${i}`} a={a} now={now} onOpenEvent={onOpenEvent} onOpenContact={onOpenContact} />
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}

function countLabel(n: number): string {
  return n === 1 ? '1 meeting' : `${n} meetings`;
}

function Stat({ label, value, testId, tone }: { label: string; value: number | undefined; testId: string; tone: string }) {
  return (
    <div className={`stat-tile stat-${tone}`} data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value ?? '–'}</dd>
    </div>
  );
}

function AgendaItem({
  e,
  now,
  withDay = false,
  onOpen,
  onJoin,
  testId,
}: {
  e: CalendarEvent;
  now: Date;
  withDay?: boolean;
  onOpen: (uri: string) => void;
  onJoin: (url: string) => void;
  testId: string;
}) {
  const prefs = usePrefs();
  const start = Date.parse(e.start);
  const end = Date.parse(e.end);
  const t = now.getTime();
  const phase = t >= end ? 'ended' : t >= start ? 'now' : 'upcoming';
  const who = e.inviteeNames.join(', ');
  const joinable = phase !== 'ended' && isHttpUrl(e.joinUrl);
  const title = who ? `${e.name} with ${who}` : e.name;
  return (
    <li className={`agenda-item phase-${phase}`} data-testid={testId} data-uri={e.uri}>
      <div className="agenda-time">
        {withDay && <span className="agenda-day">{formatShortDay(e.start, prefs)}</span>}
        <span className="agenda-start">{formatTime(e.start, prefs)}</span>
        <span className="agenda-end muted">{formatTime(e.end, prefs)}</span>
      </div>
      <span className={`agenda-bar tone-bg-${toneOf(e.name)}`} aria-hidden="true" />
      <div className="agenda-main">
        <button type="button" className="link agenda-title" onClick={() => onOpen(e.uri)} aria-label={`Open ${title}`}>
          {e.name}
        </button>
        <div className="muted small agenda-sub">
          {who && <span>{who}</span>}
          {who && <span aria-hidden="true"> · </span>}
          <span>{locationLabel(e.locationType)}</span>
          {e.rescheduledFrom && <span className="agenda-tag">↻ Rescheduled</span>}
        </div>
      </div>
      <span className={`agenda-when when-${phase}`}>
        {phase === 'now' ? 'Now' : phase === 'ended' ? 'Ended' : relativeTime(e.start, now)}
      </span>
      {joinable ? (
        <button
          type="button"
          className={`btn btn-small ${phase === 'now' || start - t < 15 * 60_000 ? 'btn-primary' : 'btn-secondary'}`}
          data-testid="join"
          aria-label={`Join ${title} (${isVideoLocation(e.locationType) ? locationLabel(e.locationType) : 'link'})`}
          onClick={() => onJoin(e.joinUrl!)}
        >
          Join
        </button>
      ) : (
        <span className="agenda-join-placeholder" aria-hidden="true" />
      )}
    </li>
  );
}

function RecentItem({
  a,
  now,
  onOpenEvent,
  onOpenContact,
}: {
  a: RecentActivity;
  now: Date;
  onOpenEvent: (uri: string) => void;
  onOpenContact: (email: string) => void;
}) {
  const prefs = usePrefs();
  const who = a.contactName ?? a.contactEmail;
  return (
    <li className={`recent-item feed-${a.kind}`} data-testid="recent-item" data-kind={a.kind}>
      <span className="avatar avatar-small" aria-hidden="true">
        {initials(a.contactName, a.contactEmail)}
      </span>
      <div className="recent-text">
        <div>
          <button type="button" className="link recent-who" onClick={() => onOpenContact(a.contactEmail)} data-testid="recent-contact" data-screen="contacts">
            {who}
          </button>{' '}
          <span className="muted">{activityVerb(a.kind)}</span>{' '}
          {a.eventName &&
            (a.eventUri ? (
              <button type="button" className="link" onClick={() => onOpenEvent(a.eventUri!)} data-testid="recent-meeting" data-screen="calendar">
                {a.eventName}
              </button>
            ) : (
              <span>{a.eventName}</span>
            ))}
        </div>
        <time className="muted small" dateTime={a.at} title={formatDay(a.at, prefs) + ', ' + formatTime(a.at, prefs)}>
          {relativeTime(a.at, now)}
        </time>
      </div>
      <span className={`recent-kind kind-${a.kind}`} aria-hidden="true" />
    </li>
  );
}
