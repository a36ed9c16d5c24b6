// Everything Slotline knows about one meeting, fed by `get_event`.

import { useEffect, useRef, useState } from 'react';
import { getEvent, openExternal, toIpcError, type EventDetail, type InviteeDetail, type IpcError, type Person } from '../../ipc';
import { useLoad } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { eventStatusLabel, initials, isVideoLocation, locationLabel } from '../../lib/labels';
import { formatDuration, formatTimeRange, inviteeLocalTime } from '../../lib/time';
import { isHttpUrl } from '../../lib/urls';
import { formatMoney } from '../../lib/money';
import { PrivateNotes } from './PrivateNotes';
import { RescheduleChain } from './RescheduleChain';

export function EventDetailPanel({
  uri,
  version,
  onClose,
  onOpenEvent,
  onOpenContact,
  onLoaded,
}: {
  uri: string;
  version: number;
  onClose: () => void;
  onOpenEvent: (uri: string) => void;
  onOpenContact: (email: string) => void;
  onLoaded: (detail: EventDetail) => void;
}) {
  const { data, error, loading } = useLoad(() => getEvent(uri), [uri, version]);
  const detail = data && data.uri === uri ? data : undefined;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [linkError, setLinkError] = useState<IpcError | null>(null);

  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  useEffect(() => {
    if (detail) onLoadedRef.current(detail);
  }, [detail]);

  // Move focus to the panel when it opens on another meeting, so keyboard users land in it.
  useEffect(() => {
    if (detail) headingRef.current?.focus();
  }, [detail?.uri]);

  const open = (url: string) => {
    setLinkError(null);
    openExternal(url).catch((raw: unknown) => setLinkError(toIpcError(raw)));
  };

  return (
    <aside
      className="detail-panel"
      data-testid="event-detail"
      aria-label="Meeting details"
      aria-busy={loading}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="detail-head">
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close meeting details" data-testid="detail-close">
          ×
        </button>
      </div>
      {error && !detail && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {!detail && !error && <p className="muted">Loading…</p>}
      {detail && (
        <DetailBody
          detail={detail}
          version={version}
          headingRef={headingRef}
          open={open}
          onOpenEvent={onOpenEvent}
          onOpenContact={onOpenContact}
        />
      )}
      {linkError && (
        <p className="error" role="alert">
          {linkError.message}
        </p>
      )}
    </aside>
  );
}

function DetailBody({
  detail,
  version,
  headingRef,
  open,
  onOpenEvent,
  onOpenContact,
}: {
  detail: EventDetail;
  version: number;
  headingRef: React.RefObject<HTMLHeadingElement>;
  open: (url: string) => void;
  onOpenEvent: (uri: string) => void;
  onOpenContact: (email: string) => void;
}) {
  const prefs = usePrefs();
  const canceled = detail.status === 'canceled';
  const rescheduledFrom = detail.invitees.find((i) => i.rescheduledFrom)?.rescheduledFrom ?? null;
  const rescheduledTo = detail.invitees.find((i) => i.rescheduledTo)?.rescheduledTo ?? null;
  const cancellation = canceled ? detail.invitees.find((i) => i.cancelReason || i.canceledBy) : undefined;
  const joinable = !canceled && isHttpUrl(detail.joinUrl);
  const activeCount = detail.invitees.filter((i) => i.status === 'active').length;

  return (
    <div className="detail-body">
      <div className="detail-title-row">
        <span className={`pill ${canceled ? 'pill-canceled' : 'pill-active'}`} data-testid="detail-status">
          {eventStatusLabel(detail.status)}
        </span>
        {detail.invitees.some((i) => i.noShow) && <span className="pill pill-noshow">No-show</span>}
      </div>
      <h2 ref={headingRef} tabIndex={-1} className={canceled ? 'struck' : undefined} data-testid="detail-title">
        {detail.name}
      </h2>
      <p className="detail-when" data-testid="detail-time">
        {formatTimeRange(detail.start, detail.end, prefs)}
        <span className="muted nowrap"> · {formatDuration(detail.start, detail.end)}</span>
      </p>
      <LocalTimes detail={detail} />

      {(rescheduledFrom || rescheduledTo) && <RescheduleChain uri={detail.uri} version={version} onOpenEvent={onOpenEvent} />}

      {cancellation && (
        <div className="callout callout-canceled" data-testid="detail-cancellation">
          <strong>
            {cancellation.cancelReason === 'Rescheduled' || rescheduledTo ? 'Rescheduled' : 'Canceled'}
            {cancellation.canceledBy ? ` by ${cancellation.canceledBy}` : ''}
            {cancellation.cancelerType ? ` (${cancellation.cancelerType})` : ''}
          </strong>
          {cancellation.cancelReason && cancellation.cancelReason !== 'Rescheduled' && (
            <blockquote>“{cancellation.cancelReason}”</blockquote>
          )}
        </div>
      )}

      <section className="detail-section" aria-labelledby="detail-location">
        <h3 id="detail-location">Location</h3>
        <div className="location-row">
          <div>
            <div>{locationLabel(detail.locationType)}</div>
            {detail.location && detail.location !== detail.joinUrl && <div className="muted selectable">{detail.location}</div>}
          </div>
          {joinable && detail.joinUrl && (
            <button type="button" className="btn btn-primary btn-small" data-testid="join-meeting" onClick={() => open(detail.joinUrl!)}>
              {isVideoLocation(detail.locationType) ? 'Join' : 'Open link'}
            </button>
          )}
        </div>
      </section>

      {detail.meetingNotes && (
        <section className="detail-section" aria-labelledby="detail-notes">
          <h3 id="detail-notes">Notes</h3>
          <p className="selectable">{detail.meetingNotes}</p>
        </section>
      )}

      <PrivateNotes uri={detail.uri} />

      <section className="detail-section" aria-labelledby="detail-invitees">
        <h3 id="detail-invitees">
          Invitees <span className="muted">({activeCount} of {detail.invitees.length} attending)</span>
        </h3>
        <ul className="invitee-list" data-testid="detail-invitees">
          {detail.invitees.map((i) => (
            <InviteeCard key={i.uri} invitee={i} eventCanceled={canceled} open={open} onOpenContact={onOpenContact} />
          ))}
        </ul>
      </section>

      <PeopleSection title="Hosts" id="detail-hosts" people={detail.hosts} />
      {detail.guests.length > 0 && <PeopleSection title="Guests" id="detail-guests" people={detail.guests} />}
    </div>
  );
}

/** Each invitee's own clock: "10:00 for you, 09:00 for Priya in Europe/London". */
function LocalTimes({ detail }: { detail: EventDetail }) {
  const prefs = usePrefs();
  const attending = detail.invitees.filter((i) => i.status === 'active');
  const people = attending.length > 0 ? attending : detail.invitees;
  const lines = people
    .map((i) => ({ email: i.email, text: inviteeLocalTime(detail.start, i, prefs) }))
    .filter((l): l is { email: string; text: string } => l.text !== null);
  if (lines.length === 0) return null;
  return (
    <ul className="local-times" data-testid="invitee-local-times" aria-label="Local times">
      {lines.map((l) => (
        <li key={l.email} data-testid="invitee-local-time" data-email={l.email}>
          <svg viewBox="0 0 24 24" aria-hidden="true">
            <circle cx="12" cy="12" r="9" />
            <path d="M12 7v5l3 2" />
          </svg>
          {l.text}
        </li>
      ))}
    </ul>
  );
}

function InviteeCard({
  invitee: i,
  eventCanceled,
  open,
  onOpenContact,
}: {
  invitee: InviteeDetail;
  eventCanceled: boolean;
  open: (url: string) => void;
  onOpenContact: (email: string) => void;
}) {
  const seatCanceled = i.status === 'canceled' && !eventCanceled;
  return (
    <li className="invitee" data-testid="invitee" data-email={i.email}>
      <div className="invitee-head">
        <span className="avatar" aria-hidden="true">
          {initials(i.name, i.email)}
        </span>
        <div className="invitee-who">
          <button type="button" className="link invitee-name" onClick={() => onOpenContact(i.email)} title="Open contact">
            {i.name ?? i.email}
          </button>
          <div className="muted small selectable">{i.email}</div>
          {i.timezone && <div className="muted small">Their zone: {i.timezone.replace(/_/g, ' ')}</div>}
        </div>
        <div className="invitee-badges">
          <span className={`pill ${i.status === 'canceled' ? 'pill-canceled' : 'pill-active'}`}>
            {i.status === 'canceled' ? 'Canceled' : 'Attending'}
          </span>
          {i.noShow && (
            <span className="pill pill-noshow" data-testid="no-show-badge">
              No-show
            </span>
          )}
        </div>
      </div>
      {i.payment && <PaymentLine payment={i.payment} />}
      {seatCanceled && i.cancelReason && (
        <p className="small">
          Canceled{i.canceledBy ? ` by ${i.canceledBy}` : ''}: “{i.cancelReason}”
        </p>
      )}
      {i.questionsAndAnswers.length > 0 && (
        <dl className="qa" data-testid="invitee-qa">
          {i.questionsAndAnswers.map((qa) => (
            <div key={qa.question}>
              <dt>{qa.question}</dt>
              <dd className="selectable">{qa.answer || <span className="muted">No answer</span>}</dd>
            </div>
          ))}
        </dl>
      )}
      {(isHttpUrl(i.rescheduleUrl) || isHttpUrl(i.cancelUrl)) && (
        <div className="invitee-links">
          {isHttpUrl(i.rescheduleUrl) && (
            <button type="button" className="link" data-testid="calendly-reschedule" onClick={() => open(i.rescheduleUrl!)}>
              Reschedule in Calendly ↗
            </button>
          )}
          {isHttpUrl(i.cancelUrl) && (
            <button type="button" className="link link-danger" data-testid="calendly-cancel" onClick={() => open(i.cancelUrl!)}>
              Cancel in Calendly ↗
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** What the invitee paid Calendly for the booking. */
function PaymentLine({ payment: p }: { payment: NonNullable<InviteeDetail['payment']> }) {
  const prefs = usePrefs();
  const amount = p.amount !== null && p.currency ? formatMoney({ amount: p.amount, currency: p.currency }, prefs.locale) : 'An amount Calendly did not give';
  const via = p.provider ? ` via ${p.provider.charAt(0).toUpperCase()}${p.provider.slice(1)}` : '';
  return (
    <p className={`small invitee-payment${p.successful ? '' : ' warn'}`} data-testid="invitee-payment">
      {p.successful ? `Paid ${amount}${via}` : `Payment of ${amount}${via} failed`}
    </p>
  );
}

function PeopleSection({ title, id, people }: { title: string; id: string; people: Person[] }) {
  return (
    <section className="detail-section" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <ul className="people" data-testid={id}>
        {people.map((p) => (
          <li key={p.email}>
            <span className="avatar avatar-small" aria-hidden="true">
              {initials(p.name, p.email)}
            </span>
            <span>
              {p.name && <span>{p.name} </span>}
              <span className={p.name ? 'muted small' : undefined}>{p.email}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
