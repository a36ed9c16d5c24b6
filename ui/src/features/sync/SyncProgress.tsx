// A running reconcile's progress in the status line, from the sync engine's `sync-progress`
// events: pages and events so far and the requests left this minute. Calendly gives no total up
// front, so the bar's maximum is the pages known so far plus one while another page is coming.

import { useEffect, useState } from 'react';
import { onSyncProgress, type SyncProgress as Progress } from '../../ipc';
import { plural } from '../../lib/status';

/** How long "Synced N events" stays after a sync finished. */
const DONE_FOR_MS = 4000;

/** The bar's value, maximum and spoken text for one progress report. */
export function progressView(p: Progress): { now: number; max: number; text: string } {
  const max = p.running ? Math.max(1, p.pages + (p.morePages ? 1 : 0)) : Math.max(1, p.pages);
  const now = p.running ? p.pages : max;
  const parts = [
    p.running ? (p.pages === 0 ? 'Starting sync' : `Syncing: page ${p.pages}${p.morePages ? ', more to come' : ''}`) : 'Synced',
    plural(p.events, 'event', 'events'),
  ];
  if (p.requestsLeft !== null) {
    parts.push(
      p.rateLimit !== null
        ? `${p.requestsLeft} of ${p.rateLimit} requests left this minute`
        : `${plural(p.requestsLeft, 'request', 'requests')} left this minute`,
    );
  }
  return { now, max, text: parts.join(' · ') };
}

export function SyncProgress() {
  const [progress, setProgress] = useState<Progress | null>(null);

  useEffect(() => {
    let unlisten: (() => void) | undefined;
    let gone = false;
    void onSyncProgress(setProgress).then((u) => {
      if (gone) u();
      else unlisten = u;
    });
    return () => {
      gone = true;
      unlisten?.();
    };
  }, []);

  // A finished sync says so for a moment, then the bar leaves the line.
  useEffect(() => {
    if (!progress || progress.running || progress.error) return;
    const t = window.setTimeout(() => setProgress(null), DONE_FOR_MS);
    return () => window.clearTimeout(t);
  }, [progress]);

  if (!progress) return null;
  if (progress.error) {
    return (
      <span className="sync-progress status-error" data-testid="sync-progress-error" role="status">
        Sync stopped: {progress.error}
      </span>
    );
  }
  const { now, max, text } = progressView(progress);
  return (
    <span className="sync-progress" data-testid="sync-progress-wrap" style={{ display: 'inline-flex', alignItems: 'center', gap: '0.4em' }}>
      <span
        role="progressbar"
        data-testid="sync-progress"
        aria-label="Sync progress"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={text}
        aria-busy={progress.running}
        style={{
          display: 'inline-block',
          width: '5.5em',
          height: '0.45em',
          borderRadius: '999px',
          background: 'var(--border)',
          overflow: 'hidden',
        }}
      >
        <span
          aria-hidden="true"
          data-testid="sync-progress-fill"
          style={{
            display: 'block',
            height: '100%',
            width: `${Math.round((now / max) * 100)}%`,
            background: 'var(--accent)',
            transition: 'width 200ms ease-out',
          }}
        />
      </span>
      <span className="muted small" data-testid="sync-progress-text">
        {text}
      </span>
    </span>
  );
}
