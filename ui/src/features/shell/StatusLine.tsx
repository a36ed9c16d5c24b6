// The line at the bottom: who is connected, how fresh the data is, and a Sync button.

import { useState } from 'react';
import { syncNow, toIpcError, type IpcError, type StatusView } from '../../ipc';
import { useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { statusLine, plural } from '../../lib/status';
import { formatDateTime } from '../../lib/time';

export function StatusLine({
  status,
  refreshStatus,
  onReconnect,
}: {
  status: StatusView;
  refreshStatus: () => Promise<void>;
  onReconnect: () => void;
}) {
  const now = useNow();
  const prefs = usePrefs();
  const [syncing, setSyncing] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const line = statusLine(status, now);
  const busy = syncing || status.syncing;

  const sync = async () => {
    setSyncing(true);
    setResult(null);
    setError(null);
    try {
      const report = await syncNow();
      setResult(
        report.eventsChanged === 0
          ? 'Up to date'
          : `${plural(report.eventsChanged, 'meeting', 'meetings')} updated`,
      );
    } catch (raw) {
      setError(toIpcError(raw));
    } finally {
      setSyncing(false);
      await refreshStatus();
    }
  };

  return (
    <footer className="status-line" data-testid="status-line" aria-label="Connection and sync status">
      <span className="status-account" data-testid="status-account">
        {line.account}
      </span>
      {line.reconnect && (
        <>
          <span className="status-sep" aria-hidden="true">·</span>
          <button
            type="button"
            className="link status-reconnect"
            data-testid="status-reconnect"
            title={status.reconnect ?? undefined}
            onClick={onReconnect}
          >
            <span aria-hidden="true">⚠ </span>
            {line.reconnect}
          </button>
        </>
      )}
      <span className="status-sep" aria-hidden="true">·</span>
      <span
        className="status-sync"
        data-testid="status-sync"
        title={status.lastSync ? `Last sync: ${formatDateTime(status.lastSync, prefs)}` : undefined}
      >
        {busy ? 'Syncing…' : line.sync}
      </span>
      <span className="status-sep" aria-hidden="true">·</span>
      <span className="status-counts" data-testid="status-counts">
        {line.counts}
      </span>
      {line.keyringProblem && (
        <span className="status-warning" data-testid="status-keyring" role="note">
          <span aria-hidden="true">⚠ </span>Keyring: {line.keyringProblem}
        </span>
      )}
      {line.error && (
        <span className="status-error" data-testid="status-error">
          {line.error}
        </span>
      )}
      <span className="status-spacer" />
      <span className="status-result" aria-live="polite">
        {error ? <span className="status-error">{error.message}</span> : result}
      </span>
      <button
        type="button"
        className="btn btn-small"
        data-testid="sync-now"
        onClick={() => void sync()}
        disabled={busy}
        aria-busy={busy}
      >
        {busy ? (
          <>
            <span className="spinner" aria-hidden="true" /> Syncing
          </>
        ) : (
          'Sync now'
        )}
      </button>
    </footer>
  );
}
