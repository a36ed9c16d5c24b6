// Small React hooks shared by the screens.

import { useCallback, useEffect, useRef, useState } from 'react';
import { listTimezones, toIpcError, type IpcError } from '../ipc';

export type Loaded<T> = {
  data: T | undefined;
  error: IpcError | null;
  loading: boolean;
  reload: () => void;
};

/**
 * Runs `load` when `deps` change (or on `reload`), keeping only the newest answer. `initial`, when
 * it has a value at mount, is shown from the first render on (an answer already in hand); `load`
 * still runs, and is expected to resolve to that same value then.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], initial?: () => T | undefined): Loaded<T> {
  const [data, setData] = useState<T | undefined>(initial);
  const [error, setError] = useState<IpcError | null>(null);
  const [loading, setLoading] = useState(data === undefined);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    // Not for the first load when the data is already shown: no render for nothing.
    if (mine > 1 || data === undefined) setLoading(true);
    load().then(
      (value) => {
        if (generation.current !== mine) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (raw: unknown) => {
        if (generation.current !== mine) return;
        setError(toIpcError(raw));
        setLoading(false);
      },
    );
    // `load` is deliberately not a dependency: callers pass what it reads in `deps`.
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** The current time, refreshed every `everyMs`, for relative times. */
export function useNow(everyMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), everyMs);
    return () => window.clearInterval(id);
  }, [everyMs]);
  return now;
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(id);
  }, [value, ms]);
  return settled;
}

let zonesPromise: Promise<string[]> | null = null;

/** Every IANA zone from Rust, fetched once per window. */
export function useTimezones(): Loaded<string[]> {
  return useLoad(() => {
    zonesPromise ??= listTimezones().catch((raw: unknown) => {
      zonesPromise = null;
      throw raw;
    });
    return zonesPromise;
  }, []);
}
