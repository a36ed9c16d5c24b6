// Decides between first run and the app shell, owns the status, and turns `data-changed` into
// refetches of whatever became stale.

import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  getPreferences,
  getStatus,
  hasBackend,
  onDataChanged,
  savePreferences,
  toIpcError,
  type IpcError,
  type Preferences,
  type StatusView,
} from './ipc';
import { DEFAULT_PREFERENCES, PreferencesContext, PrefsContext, type PreferencesApi } from './lib/prefs';
import { systemPrefs } from './lib/time';
import { earlyAnswer, forgetEarly, takeEarly } from './lib/boot';
import { AppShell } from './features/shell/AppShell';
import { Logo } from './features/shell/Logo';
import { StoreGate } from './features/recovery/Recovery';

// First run (the Connect flow) is its own chunk: a connected start never parses it.
const FirstRun = lazy(() => import('./features/connect/FirstRun').then((m) => ({ default: m.FirstRun })));

export type Versions = { events: number; contacts: number; dashboard: number };

/** The app, once the local database is open (until then the recovery screen). */
export function App() {
  return (
    <StoreGate>
      <MainApp />
    </StoreGate>
  );
}

function MainApp() {
  // Both usually arrived before the first render (main.tsx waits for them): the first screen
  // renders with them instead of a loading state; the loads below then take the same answers
  // and change nothing.
  const [preferences, setPreferences] = useState<Preferences>(
    () => earlyAnswer('preferences')?.value ?? DEFAULT_PREFERENCES,
  );
  // The shell waits for the stored preferences once, so the calendar opens in the right zone.
  const [prefsReady, setPrefsReady] = useState(() => earlyAnswer('preferences') !== undefined);
  const latestPrefs = useRef(preferences);
  const prefs = useMemo(() => systemPrefs({ zone: preferences.timezone }), [preferences.timezone]);
  const [status, setStatus] = useState<StatusView | null>(() => earlyAnswer('status')?.value ?? null);
  const [statusError, setStatusError] = useState<IpcError | null>(null);
  const [versions, setVersions] = useState<Versions>({ events: 0, contacts: 0, dashboard: 0 });
  // While first run's Connect flow is running (or showing the connected account), a status that
  // already has the account must not swap the screen away under it.
  const [connecting, setConnecting] = useState(false);
  const connected = useCallback((s: StatusView) => {
    setConnecting(false);
    setStatus(s);
  }, []);

  const refreshStatus = useCallback(async () => {
    try {
      setStatus(await (takeEarly('status') ?? getStatus()));
      setStatusError(null);
    } catch (raw) {
      setStatusError(toIpcError(raw));
    }
  }, []);

  const replacePrefs = useCallback((p: Preferences) => {
    latestPrefs.current = p;
    setPreferences(p);
  }, []);

  const loadPrefs = useCallback(async () => {
    try {
      replacePrefs(await (takeEarly('preferences') ?? getPreferences()));
    } catch {
      // Stay on the defaults (system zone, canceled hidden); Settings shows the error when saving.
    }
    setPrefsReady(true);
  }, [replacePrefs]);

  // Saves are applied at once (the calendar switches zone without waiting) and then replaced by
  // what Rust stored; a refused save reloads the stored preferences and rethrows.
  const savePrefs = useCallback(
    async (patch: Partial<Preferences>) => {
      const next = { ...latestPrefs.current, ...patch };
      replacePrefs(next);
      try {
        const stored = await savePreferences(next);
        if (latestPrefs.current === next) replacePrefs(stored);
        return stored;
      } catch (raw) {
        await loadPrefs();
        throw toIpcError(raw);
      }
    },
    [replacePrefs, loadPrefs],
  );

  const preferencesApi = useMemo<PreferencesApi>(
    () => ({ prefs: preferences, save: savePrefs, replace: replacePrefs }),
    [preferences, savePrefs, replacePrefs],
  );

  // Loaded once at start, and again when another account connects (preferences may differ).
  useEffect(() => {
    if (hasBackend()) void loadPrefs();
  }, [loadPrefs]);
  const accountEmail = status ? (status.account?.email ?? null) : undefined;
  const prefsAccount = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (accountEmail === undefined) return;
    const before = prefsAccount.current;
    prefsAccount.current = accountEmail;
    if (before !== undefined && before !== accountEmail) void loadPrefs();
  }, [accountEmail, loadPrefs]);

  useEffect(() => {
    if (!hasBackend()) return;
    void refreshStatus();
    let unlisten: (() => void) | undefined;
    let gone = false;
    onDataChanged((stale) => {
      // An answer asked at boot and not taken yet may predate this change.
      forgetEarly();
      if (stale.includes('status') || stale.includes('webhooks')) void refreshStatus();
      const events = stale.includes('events');
      const contacts = stale.includes('contacts');
      // Home shows meetings and activity, so it follows those too (once per event).
      const dashboard = events || contacts || stale.includes('dashboard');
      if (events || contacts || dashboard) {
        setVersions((v) => ({
          events: v.events + (events ? 1 : 0),
          contacts: v.contacts + (contacts ? 1 : 0),
          dashboard: v.dashboard + (dashboard ? 1 : 0),
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
  } else if (!status || !prefsReady) {
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
    screen = (
      <Suspense fallback={<Centered />}>
        <FirstRun onConnected={connected} onConnectingChange={setConnecting} />
      </Suspense>
    );
  } else {
    screen = <AppShell status={status} versions={versions} refreshStatus={refreshStatus} />;
  }

  return (
    <PreferencesContext.Provider value={preferencesApi}>
      <PrefsContext.Provider value={prefs}>{screen}</PrefsContext.Provider>
    </PreferencesContext.Provider>
  );
}

function Centered({ children }: { children?: React.ReactNode }) {
  return (
    <main className="centered">
      <Logo size={56} />
      {children}
    </main>
  );
}
