// The command palette (Ctrl/Cmd+K): one box over meetings and contacts — names, emails, event
// names, booking answers — through `search`; arrows and Enter open, Escape closes.

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { search, type CalendarEvent, type ContactSummary } from '../../ipc';
import { useDebounced, useLoad } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { toneOf } from '../../lib/calendar';
import { initials } from '../../lib/labels';
import { plural } from '../../lib/status';
import { formatTimeRange } from '../../lib/time';

type Result = { kind: 'meeting'; e: CalendarEvent } | { kind: 'contact'; c: ContactSummary };

export function SearchDialog({
  onClose,
  onOpenEvent,
  onOpenContact,
}: {
  onClose: () => void;
  onOpenEvent: (uri: string) => void;
  onOpenContact: (email: string) => void;
}) {
  const id = useId();
  const prefs = usePrefs();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const settled = useDebounced(query.trim(), 120);
  const { data, error, loading } = useLoad(
    () => (settled ? search(settled) : Promise.resolve({ meetings: [], contacts: [] })),
    [settled],
  );
  const fresh = settled === query.trim();

  const results = useMemo<Result[]>(
    () => [
      ...(data?.meetings ?? []).map((e): Result => ({ kind: 'meeting', e })),
      ...(data?.contacts ?? []).map((c): Result => ({ kind: 'contact', c })),
    ],
    [data],
  );
  useEffect(() => setActive(0), [data]);

  // A modal <dialog>: the rest of the window is inert while it is open; focus comes back after.
  useEffect(() => {
    const dialog = dialogRef.current;
    const before = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    inputRef.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
      if (before?.isConnected) before.focus();
    };
  }, []);

  const open = (r: Result | undefined) => {
    if (!r) return;
    onClose();
    if (r.kind === 'meeting') onOpenEvent(r.e.uri);
    else onOpenContact(r.c.email);
  };

  const move = (delta: number) => {
    if (results.length === 0) return;
    const next = (active + delta + results.length) % results.length;
    setActive(next);
    listRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.scrollIntoView({ block: 'nearest' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      move(1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      move(-1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (fresh) open(results[active]);
    }
  };

  const meetings = data?.meetings ?? [];
  const contacts = data?.contacts ?? [];
  const optionId = (i: number) => `${id}-opt-${i}`;
  let status = '';
  if (settled && data && fresh) {
    status =
      results.length === 0
        ? `Nothing matches “${settled}”.`
        : `${plural(meetings.length, 'meeting', 'meetings')} and ${plural(contacts.length, 'contact', 'contacts')}`;
  }

  return (
    <dialog
      ref={dialogRef}
      className="search-dialog"
      data-testid="search-dialog"
      aria-label="Search meetings and contacts"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === dialogRef.current) onClose();
      }}
    >
      <div className="search-box">
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="11" cy="11" r="7" />
          <path d="m20 20-3.5-3.5" />
        </svg>
        <input
          type="text"
          role="combobox"
          data-testid="search-input"
          aria-label="Search meetings and contacts"
          aria-expanded={results.length > 0}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={results.length > 0 ? optionId(active) : undefined}
          aria-describedby={`${id}-status`}
          placeholder="Search names, emails, meeting types, answers…"
          autoComplete="off"
          spellCheck={false}
          ref={inputRef}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <kbd className="search-esc" aria-hidden="true">
          Esc
        </kbd>
      </div>
      <div ref={listRef} id={`${id}-list`} role="listbox" aria-label="Results" className="search-results" data-testid="search-results">
        {meetings.length > 0 && (
          <div role="group" aria-labelledby={`${id}-meetings`}>
            <div id={`${id}-meetings`} className="search-group" role="presentation">
              Meetings
            </div>
            {meetings.map((e, i) => (
              <div
                key={e.uri}
                id={optionId(i)}
                role="option"
                aria-selected={active === i}
                data-index={i}
                data-testid="search-result"
                data-kind="meeting"
                data-uri={e.uri}
                className={`search-option${e.status === 'canceled' ? ' is-canceled' : ''}`}
                onMouseMove={() => setActive(i)}
                onClick={() => open({ kind: 'meeting', e })}
              >
                <span className={`search-dot tone-bg-${toneOf(e.name)}`} aria-hidden="true" />
                <span className="search-main">
                  <span className="search-title">
                    {e.name}
                    {e.inviteeNames.length > 0 && <span className="muted"> · {e.inviteeNames.join(', ')}</span>}
                  </span>
                  <span className="search-sub muted small">{formatTimeRange(e.start, e.end, prefs)}</span>
                </span>
                {e.status === 'canceled' && <span className="pill pill-canceled">Canceled</span>}
              </div>
            ))}
          </div>
        )}
        {contacts.length > 0 && (
          <div role="group" aria-labelledby={`${id}-contacts`}>
            <div id={`${id}-contacts`} className="search-group" role="presentation">
              Contacts
            </div>
            {contacts.map((c, j) => {
              const i = meetings.length + j;
              return (
                <div
                  key={c.email}
                  id={optionId(i)}
                  role="option"
                  aria-selected={active === i}
                  data-index={i}
                  data-testid="search-result"
                  data-kind="contact"
                  data-email={c.email}
                  className="search-option"
                  onMouseMove={() => setActive(i)}
                  onClick={() => open({ kind: 'contact', c })}
                >
                  <span className="avatar avatar-small" aria-hidden="true">
                    {initials(c.name, c.email)}
                  </span>
                  <span className="search-main">
                    <span className="search-title">{c.name ?? c.email}</span>
                    <span className="search-sub muted small">
                      {c.email} · {plural(c.meetings, 'meeting', 'meetings')}
                    </span>
                  </span>
                </div>
              );
            })}
          </div>
        )}
        {!settled && (
          <p className="search-empty muted">
            Find a meeting or a person by name, email, meeting type or anything they answered when booking.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
      </div>
      <div className="search-foot muted small">
        <span id={`${id}-status`} aria-live="polite" data-testid="search-status">
          {loading && settled ? 'Searching…' : status}
        </span>
        <span className="search-keys" aria-hidden="true">
          <kbd>↑</kbd>
          <kbd>↓</kbd> to move · <kbd>Enter</kbd> to open · <kbd>Esc</kbd> to close
        </span>
      </div>
    </dialog>
  );
}
