// Everyone who ever booked: a searchable list, and a page per contact with their timeline.

import { useEffect, useRef, useState } from 'react';
import { getContact, listContacts, type ContactSummary } from '../../ipc';
import { useDebounced, useLoad, useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { activityLabel, initials } from '../../lib/labels';
import { plural } from '../../lib/status';
import { formatDateTime, formatDay, relativeTime } from '../../lib/time';

export function ContactsPage({
  version,
  email,
  onSelectContact,
  onOpenEvent,
}: {
  version: number;
  email: string | null;
  onSelectContact: (email: string | null) => void;
  onOpenEvent: (uri: string) => void;
}) {
  const [query, setQuery] = useState('');
  // Keyboard focus follows the switch between list and contact made here: opening a contact
  // lands on its name, going back lands on its row. (A contact opened from elsewhere leaves focus
  // where the user put it.)
  const [shown, setShown] = useState(email);
  const [focusAfter, setFocusAfter] = useState<{ heading: true } | { row: string } | null>(null);
  if (shown !== email) {
    setShown(email);
    setFocusAfter(email ? { heading: true } : shown ? { row: shown } : null);
  }
  if (email) {
    return (
      <ContactView
        email={email}
        version={version}
        focusHeading={focusAfter !== null && 'heading' in focusAfter}
        onBack={() => onSelectContact(null)}
        onOpenEvent={onOpenEvent}
      />
    );
  }
  return (
    <ContactList
      version={version}
      query={query}
      focusRow={focusAfter && 'row' in focusAfter ? focusAfter.row : null}
      onQuery={setQuery}
      onSelect={onSelectContact}
    />
  );
}

function ContactList({
  version,
  query,
  focusRow,
  onQuery,
  onSelect,
}: {
  version: number;
  query: string;
  /** The contact just closed: its row's button gets focus once the list is there. */
  focusRow: string | null;
  onQuery: (q: string) => void;
  onSelect: (email: string) => void;
}) {
  const prefs = usePrefs();
  const now = useNow();
  const settled = useDebounced(query.trim(), 200);
  const { data, error, loading } = useLoad(() => listContacts(settled === '' ? null : settled), [settled, version]);
  const tableRef = useRef<HTMLTableElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (!focusRow || !data || focused.current) return;
    focused.current = true;
    tableRef.current?.querySelector<HTMLElement>(`tr[data-email="${CSS.escape(focusRow)}"] button`)?.focus();
  }, [focusRow, data]);

  return (
    <div className="page contacts-page">
      <div className="page-toolbar">
        <h1 className="page-title">Contacts</h1>
        <div className="search">
          <label htmlFor="contact-search" className="visually-hidden">
            Search contacts
          </label>
          <input
            id="contact-search"
            type="search"
            data-testid="contact-search"
            placeholder="Search by name or email"
            value={query}
            onChange={(e) => onQuery(e.target.value)}
            autoComplete="off"
          />
        </div>
        <span className="muted small" aria-live="polite" data-testid="contact-count">
          {data ? plural(data.length, 'contact', 'contacts') : loading ? 'Loading…' : ''}
        </span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data && data.length === 0 && (
        <p className="empty" data-testid="contacts-empty">
          {settled ? `No contact matches “${settled}”.` : 'No contacts yet. They appear after the first sync.'}
        </p>
      )}
      {data && data.length > 0 && (
        <div className="table-wrap">
          <table className="contacts-table" data-testid="contacts-table" ref={tableRef}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col" className="num">
                  Meetings
                </th>
                <th scope="col" className="num">
                  No-shows
                </th>
                <th scope="col">Last meeting</th>
                <th scope="col">Next meeting</th>
              </tr>
            </thead>
            <tbody>
              {data.map((c) => (
                <ContactRow key={c.email} c={c} now={now} prefs={prefs} onSelect={onSelect} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ContactRow({
  c,
  now,
  prefs,
  onSelect,
}: {
  c: ContactSummary;
  now: Date;
  prefs: ReturnType<typeof usePrefs>;
  onSelect: (email: string) => void;
}) {
  return (
    <tr data-testid="contact-row" data-email={c.email} onClick={() => onSelect(c.email)}>
      <th scope="row">
        <span className="avatar avatar-small" aria-hidden="true">
          {initials(c.name, c.email)}
        </span>
        <button
          type="button"
          className="link"
          onClick={(e) => {
            e.stopPropagation();
            onSelect(c.email);
          }}
        >
          {c.name ?? c.email}
        </button>
      </th>
      <td className="muted">{c.email}</td>
      <td className="num">{c.meetings}</td>
      <td className={`num${c.noShows > 0 ? ' warn' : ''}`}>{c.noShows}</td>
      <td title={c.lastMeeting ? formatDateTime(c.lastMeeting, prefs) : undefined}>
        {c.lastMeeting ? relativeTime(c.lastMeeting, now) : <span className="muted">—</span>}
      </td>
      <td title={c.nextMeeting ? formatDateTime(c.nextMeeting, prefs) : undefined}>
        {c.nextMeeting ? formatDay(c.nextMeeting, prefs) : <span className="muted">—</span>}
      </td>
    </tr>
  );
}

function ContactView({
  email,
  version,
  focusHeading,
  onBack,
  onOpenEvent,
}: {
  email: string;
  version: number;
  /** Opened from the list: the contact's name gets focus once it is there. */
  focusHeading: boolean;
  onBack: () => void;
  onOpenEvent: (uri: string) => void;
}) {
  const prefs = usePrefs();
  const now = useNow();
  const { data, error } = useLoad(() => getContact(email), [email, version]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  useEffect(() => {
    if (!focusHeading || !data || focused.current) return;
    focused.current = true;
    headingRef.current?.focus();
  }, [focusHeading, data]);
  const summary = useLoad(() => listContacts(email), [email, version]).data?.find((c) => c.email === email);

  return (
    <div className="page contact-page" data-testid="contact-page">
      <button type="button" className="link back" onClick={onBack} data-testid="contact-back">
        ← All contacts
      </button>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data && (
        <>
          <header className="contact-header">
            <span className="avatar avatar-large" aria-hidden="true">
              {initials(data.name, data.email)}
            </span>
            <div>
              <h1 data-testid="contact-name" ref={headingRef} tabIndex={-1}>
                {data.name ?? data.email}
              </h1>
              <div className="muted selectable">{data.email}</div>
            </div>
            {summary && (
              <dl className="stats">
                <div>
                  <dt>Meetings</dt>
                  <dd>{summary.meetings}</dd>
                </div>
                <div>
                  <dt>No-shows</dt>
                  <dd className={summary.noShows > 0 ? 'warn' : undefined}>{summary.noShows}</dd>
                </div>
                <div>
                  <dt>Next</dt>
                  <dd>{summary.nextMeeting ? formatDay(summary.nextMeeting, prefs) : '—'}</dd>
                </div>
              </dl>
            )}
          </header>
          <div className="contact-columns">
            <section aria-labelledby="feed-title">
              <h2 id="feed-title">Activity</h2>
              {data.activity.length === 0 ? (
                <p className="muted">No activity yet.</p>
              ) : (
                <ol className="feed" data-testid="contact-feed">
                  {data.activity.map((a, idx) => (
                    <li key={`${a.kind}-${a.at}-${idx}`} className={`feed-item feed-${a.kind}`} data-kind={a.kind}>
                      <span className="feed-dot" aria-hidden="true" />
                      <div>
                        <div>
                          <strong>{activityLabel(a.kind)}</strong>
                          {a.eventName && (
                            <>
                              {' · '}
                              {a.eventUri ? (
                                <button type="button" className="link" onClick={() => onOpenEvent(a.eventUri!)}>
                                  {a.eventName}
                                </button>
                              ) : (
                                a.eventName
                              )}
                            </>
                          )}
                        </div>
                        <time className="muted small" dateTime={a.at} title={formatDateTime(a.at, prefs)}>
                          {relativeTime(a.at, now)} · {formatDateTime(a.at, prefs)}
                        </time>
                      </div>
                    </li>
                  ))}
                </ol>
              )}
            </section>
            <section aria-labelledby="answers-title">
              <h2 id="answers-title">Answers</h2>
              {data.answers.length === 0 ? (
                <p className="muted">No answers to booking questions.</p>
              ) : (
                <dl className="qa" data-testid="contact-answers">
                  {data.answers.map((qa) => (
                    <div key={qa.question}>
                      <dt>{qa.question}</dt>
                      <dd className="selectable">{qa.answer}</dd>
                    </div>
                  ))}
                </dl>
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
