// The consultant's private notes on a meeting: saved as they type (debounced), and at once when
// the field loses focus, another meeting is opened or the panel closes. Stored only in the local
// database by `set_private_note`; syncs and webhooks never touch them.

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { getPrivateNote, setPrivateNote, toIpcError, type IpcError } from '../../ipc';

/** How long typing must pause before the note is saved. */
export const NOTE_SAVE_DELAY_MS = 600;

type SaveState =
  | { kind: 'loading' }
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saved' }
  | { kind: 'error'; error: IpcError }
  | { kind: 'load-error'; error: IpcError };

export function PrivateNotes({ uri }: { uri: string }) {
  const id = useId();
  const [text, setText] = useState('');
  const [state, setState] = useState<SaveState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // What still has to reach Rust, the debounce timer, and one save at a time, in typing order.
  const pending = useRef<{ uri: string; body: string } | null>(null);
  const timer = useRef<number | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const shown = useRef(uri);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const flush = useCallback(() => {
    if (timer.current !== null) {
      window.clearTimeout(timer.current);
      timer.current = null;
    }
    const save = pending.current;
    if (!save) return;
    pending.current = null;
    queue.current = queue.current.then(() =>
      setPrivateNote(save.uri, save.body).then(
        () => {
          if (mounted.current && shown.current === save.uri && pending.current === null) setState({ kind: 'saved' });
        },
        (raw: unknown) => {
          // Keep what was typed so Retry (or the next keystroke) sends it again.
          if (pending.current === null) pending.current = save;
          if (mounted.current && shown.current === save.uri) setState({ kind: 'error', error: toIpcError(raw) });
        },
      ),
    );
  }, []);

  useEffect(() => {
    shown.current = uri;
    let live = true;
    setText('');
    setState({ kind: 'loading' });
    getPrivateNote(uri).then(
      (note) => {
        if (!live) return;
        setText(note?.body ?? '');
        setState({ kind: 'idle' });
      },
      (raw: unknown) => {
        if (live) setState({ kind: 'load-error', error: toIpcError(raw) });
      },
    );
    return () => {
      live = false;
      // Another meeting, or the panel closed: what was typed here is saved now.
      flush();
    };
  }, [uri, attempt, flush]);

  const onChange = (body: string) => {
    setText(body);
    pending.current = { uri, body };
    setState({ kind: 'pending' });
    if (timer.current !== null) window.clearTimeout(timer.current);
    timer.current = window.setTimeout(flush, NOTE_SAVE_DELAY_MS);
  };

  const loading = state.kind === 'loading' || state.kind === 'load-error';
  return (
    <section className="detail-section private-notes" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>My notes</h3>
      <textarea
        id={`${id}-text`}
        className="private-notes-text"
        data-testid="private-notes"
        aria-labelledby={`${id}-h`}
        aria-describedby={`${id}-hint ${id}-state`}
        rows={4}
        value={text}
        readOnly={loading}
        placeholder={loading ? 'Loading…' : 'Agenda, follow-ups, anything to remember. Only you see these.'}
        onChange={(e) => onChange(e.target.value)}
        onBlur={flush}
      />
      <div className="private-notes-foot small">
        <span id={`${id}-hint`} className="muted">
          Private: kept on this computer, never sent to Calendly or exported.
        </span>
        <span id={`${id}-state`} className="private-notes-state" data-testid="private-notes-state" aria-live="polite">
          {state.kind === 'pending' && 'Saving…'}
          {state.kind === 'saved' && 'Saved'}
          {state.kind === 'error' && <span className="error">Not saved: {state.error.message}</span>}
          {state.kind === 'load-error' && <span className="error">Could not load your notes: {state.error.message}</span>}
        </span>
        {state.kind === 'error' && (
          <button type="button" className="btn btn-small" onClick={flush}>
            Retry
          </button>
        )}
        {state.kind === 'load-error' && (
          <button type="button" className="btn btn-small" onClick={() => setAttempt((n) => n + 1)}>
            Retry
          </button>
        )}
      </div>
    </section>
  );
}
