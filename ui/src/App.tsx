// Decides between first run and the app shell, owns the status, and turns `data-changed` into
// refetches of whatever became stale.

import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  getStatus,
  hasBackend,
  onDataChanged,
  toIpcError,
  type IpcError,
  type StatusView,
} from './ipc';
import { PrefsContext } from './lib/prefs';
import { systemPrefs } from './lib/time';
import { FirstRun } from './features/connect/FirstRun';
import { AppShell } from './features/shell/AppShell';
import { Logo } from './features/shell/Logo';

export type Versions = { events: number; contacts: number };

export function App() {
  const prefs = useMemo(() => systemPrefs(), []);
  const [status, setStatus] = useState<StatusView | null>(null);
  const [statusError, setStatusError] = useState<IpcError | null>(null);
  const [versions, setVersions] = useState<Versions>({ events: 0, contacts: 0 });
  // While first run's Connect flow is running (or showing the connected account), a status that
  // already has the account must not swap the screen away under it.
  const [connecting, setConnecting] = useState(false);
  const connected = useCallback((s: StatusView) => {
    setConnecting(false);
    setStatus(s);
  }, []);

  const refreshStatus = useCallback(async () => {
    try {
      setStatus(await getStatus());
      setStatusError(null);
    } catch (raw) {
      setStatusError(toIpcError(raw));
    }
  }, []);

  useEffect(() => {
    if (!hasBackend()) return;
    void refreshStatus();
    let unlisten: (() => void) | undefined;
    let gone = false;
    onDataChanged((stale) => {
      if (stale.includes('status')) void refreshStatus();
      if (stale.includes('events') || stale.includes('contacts')) {
        setVersions((v) => ({
          events: v.events + (stale.includes('events') ? 1 : 0),
          contacts: v.contacts + (stale.includes('contacts') ? 1 : 0),
        }));
      }
    }).then(
      (fn) => (gone ? fn() : (unlisten = fn)),
      (raw: unknown) => setStatusError(toIpcError(raw)),
    );
    return () => {
      gone = true;
      unlisten?.();
    };
  }, [refreshStatus]);

  let screen;
  if (!hasBackend()) {
    screen = (
      <Centered>
        <h1>Slotline</h1>
        <p>This page is Slotline’s window. Start the Slotline desktop app to use it.</p>
      </Centered>
    );
  } else if (!status) {
    screen = statusError ? (
      <Centered>
        <h1>Slotline could not start</h1>
        <p role="alert">{statusError.message}</p>
        <button type="button" className="btn btn-primary" onClick={() => void refreshStatus()}>
          Try again
        </button>
      </Centered>
    ) : (
      <Centered>
        <p aria-live="polite">Loading…</p>
      </Centered>
    );
  } else if (!status.account || connecting) {
    screen = <FirstRun onConnected={connected} onConnectingChange={setConnecting} />;
  } else {
    screen = <AppShell status={status} versions={versions} refreshStatus={refreshStatus} />;
  }

  return <PrefsContext.Provider value={prefs}>{screen}</PrefsContext.Provider>;
}

function Centered({ children }: { children: React.ReactNode }) {
  return (
    <main className="centered">
      <Logo size={56} />
      {children}
    </main>
  );
}
