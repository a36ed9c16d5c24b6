// Who the consultant's hours and income go to: every client over a range (meetings, hours,
// cancellations, no-shows, revenue, last and next meeting), sortable and searchable, the report
// exported for invoicing, and a page per client where it is renamed, merged or its people moved.

import { useMemo, useState } from 'react';
import { clientsReport, exportReport, revealPath, toIpcError, type ClientLine, type ExportResult, type IpcError } from '../../ipc';
import { useLoad, useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { plural } from '../../lib/status';
import { formatDateTime, formatDay, relativeTime } from '../../lib/time';
import { initials } from '../../lib/labels';
import { ClientView } from './ClientView';
import { RangePicker, useRangeChoice } from './RangePicker';
import { dayRange } from './range';
import { formatHours, formatRevenue, sumRevenue } from './format';
import './clients.css';

type SortKey = 'name' | 'meetings' | 'hours' | 'canceled' | 'noShows' | 'revenue' | 'lastMeeting' | 'nextMeeting';
type Sort = { key: SortKey; descending: boolean };

const COLUMNS: Array<{ key: SortKey; label: string; num?: boolean }> = [
  { key: 'name', label: 'Client' },
  { key: 'meetings', label: 'Meetings', num: true },
  { key: 'hours', label: 'Hours', num: true },
  { key: 'canceled', label: 'Canceled', num: true },
  { key: 'noShows', label: 'No-shows', num: true },
  { key: 'revenue', label: 'Revenue', num: true },
  { key: 'lastMeeting', label: 'Last meeting' },
  { key: 'nextMeeting', label: 'Next meeting' },
];

function compare(a: ClientLine, b: ClientLine, key: SortKey): number {
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
    case 'revenue': {
      const total = (c: ClientLine) => c.revenue.reduce((s, m) => s + m.amount, 0);
      return total(a) - total(b);
    }
    case 'lastMeeting':
    case 'nextMeeting':
      // No meeting sorts after any meeting either way.
      return (a[key] ?? '9999').localeCompare(b[key] ?? '9999');
    default:
      return a[key] - b[key];
  }
}

export function ClientsPage({ version, onOpenEvent }: { version: number; onOpenEvent: (uri: string) => void }) {
  const prefs = usePrefs();
  const [choice, setChoice] = useRangeChoice();
  const [selected, setSelected] = useState<string | null>(null);
  const range = dayRange(choice, prefs.zone);
  if (selected) {
    return (
      <ClientView
        clientKey={selected}
        range={range}
        version={version}
        onBack={() => setSelected(null)}
        onSelect={setSelected}
        onOpenEvent={onOpenEvent}
        picker={<RangePicker id="client-range" choice={choice} onChange={setChoice} />}
      />
    );
  }
  return (
    <ClientList
      version={version}
      rangeKey={`${range.from}|${range.to}|${range.tz}`}
      load={() => clientsReport(range)}
      onExport={(format) => exportReport(range, format)}
      picker={<RangePicker id="clients-range" choice={choice} onChange={setChoice} />}
      onSelect={setSelected}
    />
  );
}

function ClientList({
  version,
  rangeKey,
  load,
  onExport,
  picker,
  onSelect,
}: {
  version: number;
  rangeKey: string;
  load: () => ReturnType<typeof clientsReport>;
  onExport: (format: 'csv' | 'json') => Promise<ExportResult>;
  picker: React.ReactNode;
  onSelect: (key: string) => void;
}) {
  const prefs = usePrefs();
  const now = useNow();
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'hours', descending: true });
  const { data, error, loading } = useLoad(load, [rangeKey, version]);

  const rows = useMemo(() => {
    const q = query.trim().toLowerCase();
    const found = (data?.clients ?? []).filter(
      (c) => !q || c.name.toLowerCase().includes(q) || (c.domain ?? '').includes(q) || c.people.some((p) => p.includes(q)),
    );
    return found.sort((a, b) => {
      const by = compare(a, b, sort.key);
      return (sort.descending ? -by : by) || a.name.localeCompare(b.name);
    });
  }, [data, query, sort]);

  const totals = useMemo(
    () => ({
      meetings: rows.reduce((s, c) => s + c.meetings, 0),
      hours: Math.round(rows.reduce((s, c) => s + c.hours, 0) * 100) / 100,
      revenue: sumRevenue(rows.map((c) => c.revenue)),
    }),
    [rows],
  );

  const sortBy = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: key !== 'name' }));

  return (
    <div className="page clients-page" data-testid="clients-page">
      <div className="page-toolbar">
        <h1 className="page-title">Clients</h1>
        {picker}
        <div className="search">
          <label htmlFor="client-search" className="visually-hidden">
            Search clients
          </label>
          <input
            id="client-search"
            type="search"
            data-testid="client-search"
            placeholder="Search by name, domain or email"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            autoComplete="off"
          />
        </div>
        <ExportButtons onExport={onExport} />
      </div>
      <p className="muted small clients-summary" aria-live="polite" data-testid="clients-summary">
        {data
          ? `${plural(rows.length, 'client', 'clients')} · ${plural(totals.meetings, 'meeting', 'meetings')} · ${formatHours(totals.hours, prefs.locale)} · ${formatRevenue(totals.revenue, prefs.locale)}`
          : loading
            ? 'Loading…'
            : ''}
      </p>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data && rows.length === 0 && (
        <p className="empty" data-testid="clients-empty">
          {query.trim() ? `No client matches “${query.trim()}”.` : 'No meetings in this range.'}
        </p>
      )}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="contacts-table clients-table" data-testid="clients-table">
            <thead>
              <tr>
                {COLUMNS.map((col) => (
                  <th
                    key={col.key}
                    scope="col"
                    className={col.num ? 'num' : undefined}
                    aria-sort={sort.key === col.key ? (sort.descending ? 'descending' : 'ascending') : undefined}
                  >
                    <button type="button" className="sort" data-testid={`sort-${col.key}`} onClick={() => sortBy(col.key)}>
                      {col.label}
                      <span aria-hidden="true" className="sort-mark">
                        {sort.key === col.key ? (sort.descending ? '▾' : '▴') : ''}
                      </span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.key} data-testid="client-row" data-key={c.key} onClick={() => onSelect(c.key)}>
                  <th scope="row">
                    <span className="avatar avatar-small" aria-hidden="true">
                      {initials(c.name, c.people[0] ?? c.key)}
                    </span>
                    <button
                      type="button"
                      className="link"
                      data-testid="client-name"
                      onClick={(e) => {
                        e.stopPropagation();
                        onSelect(c.key);
                      }}
                    >
                      {c.name}
                    </button>
                    <span className="muted small client-kind">{c.domain && c.domain !== c.name ? c.domain : c.domain ? '' : 'person'}</span>
                  </th>
                  <td className="num" data-testid="client-meetings">
                    {c.meetings}
                  </td>
                  <td className="num" data-testid="client-hours">
                    {c.hours.toLocaleString(prefs.locale, { maximumFractionDigits: 2 })}
                  </td>
                  <td className="num">{c.canceled || <span className="muted">0</span>}</td>
                  <td className={`num${c.noShows > 0 ? ' warn' : ''}`}>{c.noShows}</td>
                  <td className="num">{formatRevenue(c.revenue, prefs.locale)}</td>
                  <td title={c.lastMeeting ? formatDateTime(c.lastMeeting, prefs) : undefined}>
                    {c.lastMeeting ? relativeTime(c.lastMeeting, now) : <span className="muted">—</span>}
                  </td>
                  <td title={c.nextMeeting ? formatDateTime(c.nextMeeting, prefs) : undefined}>
                    {c.nextMeeting ? formatDay(c.nextMeeting, prefs) : <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ExportButtons({ onExport }: { onExport: (format: 'csv' | 'json') => Promise<ExportResult> }) {
  const [done, setDone] = useState<ExportResult | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (format: 'csv' | 'json') => {
    setBusy(true);
    setError(null);
    try {
      setDone(await onExport(format));
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="clients-export">
      <button type="button" className="btn btn-secondary btn-small" data-testid="export-report-csv" disabled={busy} onClick={() => void run('csv')}>
        Export CSV
      </button>
      <button type="button" className="btn btn-secondary btn-small" data-testid="export-report-json" disabled={busy} onClick={() => void run('json')}>
        JSON
      </button>
      <span aria-live="polite" className="small">
        {done && (
          <span data-testid="export-report-done">
            Saved {done.path.split('/').pop()} ·{' '}
            <button type="button" className="link" onClick={() => void revealPath(done.path).catch(() => undefined)}>
              Show in folder
            </button>
          </span>
        )}
        {error && (
          <span className="error" role="alert">
            {error.message}
          </span>
        )}
      </span>
    </div>
  );
}
