// First run: no account yet. Connect a real Calendly account (OAuth in the system browser, or a
// personal access token) or explore the built-in offline sandbox.

import { useEffect, useId, useLayoutEffect, useState } from 'react';
import { exploreSandbox, reportFirstPaint, toIpcError, type IpcError, type StatusView } from '../../ipc';
import { asSentence, takeDisconnectWarnings } from '../../lib/disconnectNotice';
import { Logo } from '../shell/Logo';
import { ConnectPanel } from './ConnectPanel';

export function FirstRun({
  onConnected,
  onConnectingChange,
}: {
  onConnected: (status: StatusView) => void;
  /** True while the Connect flow runs, through the moment the connected account is shown. */
  onConnectingChange?: (connecting: boolean) => void;
}) {
  const [showConnect, setShowConnect] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const [exploring, setExploring] = useState(false);
  const [sandboxError, setSandboxError] = useState<IpcError | null>(null);
  const [leftAtCalendly, setLeftAtCalendly] = useState(takeDisconnectWarnings);
  const panelId = useId();
  const busy = connecting || exploring;
  useEffect(() => onConnectingChange?.(connecting), [connecting, onConnectingChange]);
  useLayoutEffect(() => reportFirstPaint('first-run'), []);

  const explore = async () => {
    setExploring(true);
    setSandboxError(null);
    try {
      onConnected(await exploreSandbox());
    } catch (raw) {
      setSandboxError(toIpcError(raw));
      setExploring(false);
    }
  };

  return (
    <main className="first-run" data-testid="first-run">
      <section className="first-run-card" aria-labelledby="first-run-title">
        <div className="brand">
          <Logo size={64} />
          <h1 id="first-run-title">Slotline</h1>
        </div>
        {leftAtCalendly.length > 0 && (
          <section className="notice notice-warning" role="alert" aria-labelledby="left-title" data-testid="disconnect-warnings">
            <h2 id="left-title">Disconnected, with something left at Calendly</h2>
            <p>Slotline no longer holds any token, but Calendly did not let it undo everything:</p>
            <ul>
              {leftAtCalendly.map((w) => (
                <li key={w}>{asSentence(w)}</li>
              ))}
            </ul>
            <button type="button" className="btn" data-testid="disconnect-warnings-dismiss" onClick={() => setLeftAtCalendly([])}>
              Dismiss
            </button>
          </section>
        )}
        <p className="pitch">
          Your Calendly meetings in a fast local calendar, with cancellations, reschedules, no-shows and
          every answer your clients gave, even offline.
        </p>

        <div className="first-run-actions">
          <button
            type="button"
            className="btn btn-primary btn-large"
            data-testid="connect-calendly"
            aria-expanded={showConnect}
            aria-controls={panelId}
            onClick={() => setShowConnect(true)}
            disabled={busy}
          >
            Connect Calendly
          </button>
          <button
            type="button"
            className="btn btn-secondary btn-large"
            data-testid="explore-sandbox"
            onClick={() => void explore()}
            disabled={busy}
            aria-busy={exploring}
          >
            {exploring ? (
              <>
                <span className="spinner" aria-hidden="true" /> Starting the sandbox…
              </>
            ) : (
              'Explore the offline sandbox'
            )}
          </button>
        </div>
        <p className="hint">
          The sandbox is a pretend Calendly account that runs inside Slotline. Nothing leaves this computer.
        </p>
        {exploring && (
          <p className="hint" role="status">
            Starting the sandbox, connecting and syncing a month of sample meetings…
          </p>
        )}
        {sandboxError && (
          <p className="error" role="alert" data-testid="sandbox-error">
            {sandboxError.message}
          </p>
        )}

        {showConnect && <ConnectPanel id={panelId} onConnected={onConnected} onBusyChange={setConnecting} />}
      </section>
    </main>
  );
}
