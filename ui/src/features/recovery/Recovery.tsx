// When the local database cannot be opened at start (damaged, another program's file, written by
// a newer Slotline, locked), the window says what is wrong and offers the way out: move the file
// aside (kept, renamed with a timestamp) and start fresh, or try again, or quit. The app itself
// mounts only once the store is open, so nothing else calls into a backend that has no store.

import { useEffect, useState, type ReactNode } from 'react';
import { getStoreProblem, hasBackend, quitApp, recoverStore, toIpcError, type IpcError, type StoreProblem } from '../../ipc';
import { Logo } from '../shell/Logo';
import { earlyAnswer, takeEarly } from '../../lib/boot';
import './recovery.css';

type Gate = { phase: 'checking' } | { phase: 'problem'; problem: StoreProblem } | { phase: 'moved'; movedTo: string } | { phase: 'open' };

/** Renders `children` once the store is open; until then the recovery screen. */
export function StoreGate({ children }: { children: ReactNode }) {
  const [gate, setGate] = useState<Gate>(() => {
    if (!hasBackend()) return { phase: 'open' };
    // Usually answered before the first render (main.tsx waits for it).
    const early = earlyAnswer('storeProblem');
    if (!early) return { phase: 'checking' };
    return early.value ? { phase: 'problem', problem: early.value } : { phase: 'open' };
  });

  useEffect(() => {
    if (!hasBackend()) return;
    let gone = false;
    (takeEarly('storeProblem') ?? getStoreProblem()).then(
      (problem) => !gone && setGate((g) => (problem ? { phase: 'problem', problem } : opened(g))),
      // A backend that cannot even say: let the app start and show its own error.
      () => !gone && setGate(opened),
    );
    return () => {
      gone = true;
    };
  }, []);

  switch (gate.phase) {
    case 'checking':
      return null;
    case 'problem':
      return (
        <RecoveryScreen
          problem={gate.problem}
          onRecovered={(movedTo) => setGate(movedTo ? { phase: 'moved', movedTo } : { phase: 'open' })}
        />
      );
    case 'moved':
      return <MovedScreen movedTo={gate.movedTo} onContinue={() => setGate({ phase: 'open' })} />;
    case 'open':
      return <>{children}</>;
  }
}

/** The gate open, keeping the state as it is when it already is (no render for nothing). */
function opened(gate: Gate): Gate {
  return gate.phase === 'open' ? gate : { phase: 'open' };
}

const TITLES: Record<string, string> = {
  not_a_database: 'Slotline’s database file is unreadable',
  corrupt: 'Slotline’s database is damaged',
  foreign: 'This database belongs to another program',
  too_new: 'This database is from a newer Slotline',
  unavailable: 'Slotline cannot open its database',
};

export function RecoveryScreen({
  problem,
  onRecovered,
}: {
  problem: StoreProblem;
  onRecovered: (movedTo: string | null) => void;
}) {
  const [busy, setBusy] = useState<'move' | 'retry' | 'quit' | null>(null);
  const [error, setError] = useState<IpcError | null>(null);

  const recover = async (moveAside: boolean) => {
    setBusy(moveAside ? 'move' : 'retry');
    setError(null);
    try {
      onRecovered(await recoverStore(moveAside));
    } catch (raw) {
      setError(toIpcError(raw));
      setBusy(null);
    }
  };

  const quit = async () => {
    setBusy('quit');
    try {
      await quitApp();
    } catch (raw) {
      setError(toIpcError(raw));
      setBusy(null);
    }
  };

  return (
    <main className="centered recovery" data-testid="recovery" aria-labelledby="recovery-title">
      <Logo size={56} />
      <h1 id="recovery-title">{TITLES[problem.kind] ?? TITLES.unavailable}</h1>
      <p data-testid="recovery-message">{problem.message}</p>
      <p className="recovery-file">
        File: <code className="selectable" data-testid="recovery-path">{problem.path}</code>
      </p>
      {problem.canMoveAside ? (
        <p className="recovery-explain">
          {problem.kind === 'too_new' ? 'Open it with the newer Slotline, or move' : 'Move'} it aside to start fresh: it is
          renamed with today’s date next to where it is, so nothing is deleted. Slotline then starts with an empty
          store; connect and sync to bring your Calendly meetings back.
        </p>
      ) : (
        <p className="recovery-explain">Close whatever holds the file (another Slotline?) or free some space, then try again.</p>
      )}
      <div className="recovery-actions">
        {problem.canMoveAside ? (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="move-aside"
            disabled={busy !== null}
            onClick={() => void recover(true)}
          >
            {busy === 'move' ? 'Moving it aside…' : 'Move it aside and start fresh'}
          </button>
        ) : (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="retry"
            disabled={busy !== null}
            onClick={() => void recover(false)}
          >
            {busy === 'retry' ? 'Trying…' : 'Try again'}
          </button>
        )}
        <button type="button" className="btn" data-testid="quit" disabled={busy !== null} onClick={() => void quit()}>
          Quit
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="recovery-error">
          {error.message}
        </p>
      )}
    </main>
  );
}

function MovedScreen({ movedTo, onContinue }: { movedTo: string; onContinue: () => void }) {
  useEffect(() => {
    document.querySelector<HTMLButtonElement>('[data-testid="recovery-continue"]')?.focus();
  }, []);
  return (
    <main className="centered recovery" data-testid="recovery-moved" aria-labelledby="recovery-moved-title">
      <Logo size={56} />
      <h1 id="recovery-moved-title">Slotline starts fresh</h1>
      <p>
        The old file is kept at <code className="selectable" data-testid="recovery-moved-path">{movedTo}</code>.
      </p>
      <button type="button" className="btn btn-primary" data-testid="recovery-continue" onClick={onContinue}>
        Continue
      </button>
    </main>
  );
}
