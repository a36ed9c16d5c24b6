// One client over the range: its numbers, its people (each movable to another client or out on
// their own) and its meetings; renamed or merged into another client from here. Every change is
// local and survives re-syncs.

import { useState } from 'react';
import {
  clientDetail,
  listClients,
  mergeClients,
  movePerson,
  renameClient,
  toIpcError,
  type ClientPerson,
  type ClientRef,
  type DayRange,
  type IpcError,
} from '../../ipc';
import { useLoad } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { initials } from '../../lib/labels';
import { formatTimeRange } from '../../lib/time';
import { formatHours, formatRevenue } from './format';

export function ClientView({
  clientKey,
  range,
  version,
  picker,
  onBack,
  onSelect,
  onOpenEvent,
}: {
  clientKey: string;
  range: DayRange;
  version: number;
  picker: React.ReactNode;
  onBack: () => void;
  onSelect: (key: string) => void;
  onOpenEvent: (uri: string) => void;
}) {
  const prefs = usePrefs();
  const [edits, setEdits] = useState(0);
  const [problem, setProblem] = useState<IpcError | null>(null);
  const { data, error } = useLoad(() => clientDetail(clientKey, range), [clientKey, range.from, range.to, range.tz, version, edits]);
  const clients = useLoad(() => listClients(), [version, edits]).data ?? [];

  const change = async (what: () => Promise<unknown>, then?: () => void) => {
    setProblem(null);
    try {
      await what();
      then?.();
      setEdits((n) => n + 1);
    } catch (raw) {
      setProblem(toIpcError(raw));
    }
  };

  const others = clients.filter((c) => c.key !== clientKey);
  const s = data?.summary;
  return (
    <div className="page client-page" data-testid="client-page">
      <div className="page-toolbar">
        <button type="button" className="link back" onClick={onBack} data-testid="client-back">
          ← All clients
        </button>
        {picker}
      </div>
      {(error ?? problem) && (
        <p className="error" role="alert" data-testid="client-error">
          {(error ?? problem)!.message}
        </p>
      )}
      {s && data && (
        <>
          <header className="contact-header">
            <span className="avatar avatar-large" aria-hidden="true">
              {initials(s.name, data.people[0]?.email ?? clientKey)}
            </span>
            <div>
              <Rename name={s.name} renamed={s.renamed} onRename={(name) => change(() => renameClient(clientKey, name))} />
              <div className="muted small">
                {s.domain ? `Everyone at ${s.domain}` : 'A person on their own'} · {data.people.length === 1 ? '1 person' : `${data.people.length} people`}
              </div>
            </div>
            <dl className="stats" data-testid="client-stats">
              <div>
                <dt>Meetings</dt>
                <dd data-testid="client-stat-meetings">{s.meetings}</dd>
              </div>
              <div>
                <dt>Hours</dt>
                <dd>{formatHours(s.hours, prefs.locale)}</dd>
              </div>
              <div>
                <dt>Canceled</dt>
                <dd>{s.canceled}</dd>
              </div>
              <div>
                <dt>No-shows</dt>
                <dd className={s.noShows > 0 ? 'warn' : undefined}>{s.noShows}</dd>
              </div>
              <div>
                <dt>Revenue</dt>
                <dd data-testid="client-stat-revenue">{formatRevenue(s.revenue, prefs.locale)}</dd>
              </div>
            </dl>
          </header>
          <Merge others={others} onMerge={(into) => change(() => mergeClients(clientKey, into), () => onSelect(into))} />
          <div className="contact-columns">
            <section aria-labelledby="client-meetings-title">
              <h2 id="client-meetings-title">Meetings</h2>
              {data.meetings.length === 0 ? (
                <p className="muted">No meetings in this range.</p>
              ) : (
                <ul className="client-meetings" data-testid="client-meetings">
                  {data.meetings.map((m) => (
                    <li key={m.uri} data-testid="client-meeting" data-outcome={m.outcome}>
                      <button type="button" className="link" onClick={() => onOpenEvent(m.uri)}>
                        {m.name}
                      </button>
                      <span className="muted small">{formatTimeRange(m.start, m.end, prefs)}</span>
                      <span className="client-meeting-tags">
                        {m.outcome === 'canceled' && <span className="pill pill-canceled">Canceled</span>}
                        {m.noShow && <span className="pill pill-noshow">No-show</span>}
                        {m.revenue.length > 0 && <span className="pill pill-active">{formatRevenue(m.revenue, prefs.locale)}</span>}
                      </span>
                      <span className="muted small">{m.people.join(', ')}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="client-people-title">
              <h2 id="client-people-title">People</h2>
              <ul className="client-people" data-testid="client-people">
                {data.people.map((p) => (
                  <PersonItem key={p.email} person={p} clientKey={clientKey} clients={others} onMove={(to) => change(() => movePerson(p.email, to))} />
                ))}
              </ul>
            </section>
          </div>
        </>
      )}
    </div>
  );
}

function Rename({ name, renamed, onRename }: { name: string; renamed: boolean; onRename: (name: string) => Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  if (!editing) {
    return (
      <div className="client-name-row">
        <h1 data-testid="client-title">{name}</h1>
        <button
          type="button"
          className="link small"
          data-testid="client-rename"
          onClick={() => {
            setValue(name);
            setEditing(true);
          }}
        >
          Rename
        </button>
        {renamed && (
          <button type="button" className="link small" data-testid="client-rename-reset" onClick={() => void onRename('')}>
            Use the default name
          </button>
        )}
      </div>
    );
  }
  return (
    <form
      className="client-name-row"
      onSubmit={(e) => {
        e.preventDefault();
        void onRename(value).then(() => setEditing(false));
      }}
    >
      <label htmlFor="client-name-input" className="visually-hidden">
        Client name
      </label>
      <input id="client-name-input" data-testid="client-name-input" value={value} maxLength={200} autoFocus onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="btn btn-primary btn-small" data-testid="client-rename-save">
        Save
      </button>
      <button type="button" className="btn btn-secondary btn-small" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}

function Merge({ others, onMerge }: { others: ClientRef[]; onMerge: (into: string) => Promise<void> }) {
  const [into, setInto] = useState('');
  if (others.length === 0) return null;
  return (
    <form
      className="client-merge"
      onSubmit={(e) => {
        e.preventDefault();
        if (into) void onMerge(into);
      }}
    >
      <label htmlFor="client-merge-into">Merge into</label>
      <select id="client-merge-into" data-testid="client-merge-into" value={into} onChange={(e) => setInto(e.target.value)}>
        <option value="">Choose a client…</option>
        {others.map((c) => (
          <option key={c.key} value={c.key}>
            {c.name}
            {c.domain && c.domain !== c.name ? ` (${c.domain})` : ''}
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn-secondary btn-small" data-testid="client-merge" disabled={!into}>
        Merge
      </button>
    </form>
  );
}

function PersonItem({
  person: p,
  clientKey,
  clients,
  onMove,
}: {
  person: ClientPerson;
  clientKey: string;
  clients: ClientRef[];
  onMove: (to: string) => Promise<void>;
}) {
  const prefs = usePrefs();
  const own = `person:${p.email}`;
  const [to, setTo] = useState('');
  return (
    <li className="client-person" data-testid="client-person" data-email={p.email}>
      <span className="avatar avatar-small" aria-hidden="true">
        {initials(p.name, p.email)}
      </span>
      <span className="client-person-who">
        <span>
          {p.name ?? p.email} {p.moved && <span className="pill">Moved here</span>}
        </span>
        <span className="muted small selectable">{p.email}</span>
        <span className="muted small">
          {p.meetings} meetings · {formatHours(p.hours, prefs.locale)}
          {p.canceled > 0 ? ` · ${p.canceled} canceled` : ''}
          {p.noShows > 0 ? ` · ${p.noShows} no-shows` : ''}
        </span>
      </span>
      <form
        className="client-move"
        onSubmit={(e) => {
          e.preventDefault();
          if (to) void onMove(to);
        }}
      >
        <label htmlFor={`move-${p.email}`} className="visually-hidden">
          Move {p.name ?? p.email} to
        </label>
        <select id={`move-${p.email}`} data-testid="person-move-to" value={to} onChange={(e) => setTo(e.target.value)}>
          <option value="">Move to…</option>
          {clientKey !== own && <option value={own}>Their own client</option>}
          {clients
            .filter((c) => c.key !== own)
            .map((c) => (
              <option key={c.key} value={c.key}>
                {c.name}
              </option>
            ))}
        </select>
        <button type="submit" className="btn btn-secondary btn-small" data-testid="person-move" disabled={!to}>
          Move
        </button>
      </form>
    </li>
  );
}
