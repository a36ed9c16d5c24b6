// The line at the bottom: who is connected, how fresh the data is, and a Sync button.

import { useEffect, useId, useRef, useState } from 'react';
import { syncNow, toIpcError, type IpcError, type StatusView, type WebhookStatus } from '../../ipc';
import { useNow } from '../../lib/hooks';
import { usePrefs } from '../../lib/prefs';
import { statusLine, plural } from '../../lib/status';
import { formatDateTime } from '../../lib/time';
import { SyncProgress } from '../sync/SyncProgress';

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
  const [detailsOpen, setDetailsOpen] = useState(false);
  const detailsId = useId();
  const detailsButton = useRef<HTMLButtonElement>(null);
  const line = statusLine(status, now);
  const hooks = line.webhooks;
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
      <div className="status-info">
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
              data-screen="reconnect"
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
        <SyncProgress />
        <span className="status-sep" aria-hidden="true">·</span>
        <span className="status-counts" data-testid="status-counts">
          {line.counts}
        </span>
        {hooks && (
          <>
            <span className="status-sep" aria-hidden="true">·</span>
            <span className={`status-webhooks tone-${hooks.tone}`} data-testid="status-webhooks" title={status.webhooks.message ?? undefined}>
              <span className="status-dot" aria-hidden="true" />
              <WebhookText text={hooks.text} url={status.webhooks.publicUrl} />
            </span>
            {hooks.lastDelivery && (
              <>
                <span className="status-sep" aria-hidden="true">·</span>
                <span
                  data-testid="status-last-webhook"
                  title={status.webhooks.lastDelivery ? formatDateTime(status.webhooks.lastDelivery, prefs) : undefined}
                >
                  {hooks.lastDelivery}
                </span>
              </>
            )}
            {(hooks.failures || hooks.details) && (
              <span className="status-error status-webhook-problem">
                {hooks.failures && <span data-testid="status-webhook-failures">{hooks.failures}</span>}
                {hooks.details && (
                  <button
                    ref={detailsButton}
                    type="button"
                    className="link status-details-link"
                    data-testid="webhook-details-link"
                    aria-expanded={detailsOpen}
                    aria-controls={detailsOpen ? detailsId : undefined}
                    aria-label="Webhook delivery details"
                    onClick={() => setDetailsOpen((o) => !o)}
                  >
                    details
                  </button>
                )}
              </span>
            )}
            {detailsOpen && (
              <WebhookDetails
                id={detailsId}
                webhooks={status.webhooks}
                onClose={() => {
                  setDetailsOpen(false);
                  detailsButton.current?.focus();
                }}
              />
            )}
          </>
        )}
        {line.keyringProblem && (
          <span className="status-warning" data-testid="status-keyring" role="note">
            <span aria-hidden="true">⚠ </span>Keyring: {line.keyringProblem}
          </span>
        )}
        {line.signInUnsaved && (
          <span className="status-warning" data-testid="status-sign-in-unsaved" role="note">
            <span aria-hidden="true">⚠ </span>Sign-in not saved: {line.signInUnsaved}
          </span>
        )}
        {line.unapplied && (
          <span
            className="status-warning"
            data-testid="status-unapplied"
            role="note"
            title="Calendly sent these, signed; this version of Slotline does not understand them yet. They are kept and applied after an update."
          >
            <span aria-hidden="true">⚠ </span>
            {line.unapplied}
          </span>
        )}
        {line.error && (
          <span className="status-error" data-testid="status-error">
            {line.error}
          </span>
        )}
      </div>
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

/** The small panel behind "details": what went wrong and how many deliveries wait or failed. */
function WebhookDetails({
  id,
  webhooks: w,
  onClose,
}: {
  id: string;
  webhooks: WebhookStatus;
  /** `refocus`: give focus back to the "details" link (not when focus already moved on). */
  onClose: (refocus: boolean) => void;
}) {
  const prefs = usePrefs();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      ref={ref}
      id={id}
      className="popover webhook-details"
      role="dialog"
      aria-label="Webhook delivery details"
      data-testid="webhook-details"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose(true);
        }
      }}
      onBlur={(e) => {
        // Closes when focus moves on elsewhere (but not to its own "details" link, which toggles).
        const to = e.relatedTarget as HTMLElement | null;
        if (to && !e.currentTarget.contains(to) && to.dataset.testid !== 'webhook-details-link') onClose(false);
      }}
    >
      <div className="popover-head">
        <h2>Webhook deliveries</h2>
        <button type="button" className="icon-btn" aria-label="Close webhook details" onClick={() => onClose(true)}>
          ×
        </button>
      </div>
      {w.message && (
        <p className="webhook-message selectable" data-testid="webhook-message">
          {w.message}
        </p>
      )}
      <dl className="facts facts-compact">
        <div>
          <dt>Pending</dt>
          <dd data-testid="webhook-pending">{w.pending}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd data-testid="webhook-failed" className={w.failed > 0 ? 'warn' : undefined}>
            {w.failed}
          </dd>
        </div>
        <div>
          <dt>Subscription</dt>
          <dd>{w.subscription ?? 'None'}</dd>
        </div>
        {w.publicUrl && (
          <div>
            <dt>Public URL</dt>
            <dd className="mono selectable">{w.publicUrl}</dd>
          </div>
        )}
        <div>
          <dt>Last delivery</dt>
          <dd>{w.lastDelivery ? formatDateTime(w.lastDelivery, prefs) : 'Never'}</dd>
        </div>
      </dl>
      <p className="muted small">Failed deliveries are retried; a sync also catches up on anything webhooks missed.</p>
    </div>
  );
}

/** The webhook state with its (possibly long) public URL allowed to shorten with an ellipsis. */
function WebhookText({ text, url }: { text: string; url: string | null }) {
  const at = url ? text.indexOf(url) : -1;
  if (!url || at < 0) return <span>{text}</span>;
  return (
    <span>
      {text.slice(0, at)}
      <span className="status-webhook-url" title={url}>
        {url}
      </span>
      {text.slice(at + url.length)}
    </span>
  );
}
