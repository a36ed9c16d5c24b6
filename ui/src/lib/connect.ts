// Pure helpers for connecting and the OAuth settings: port validation, auth kind words, and what
// to do after a failed OAuth flow.

import type { IpcError } from '../ipc/bindings.gen';

export const MIN_PORT = 1024;
export const MAX_PORT = 65535;

/** The redirect port typed into Settings: the number, or a sentence saying what is wrong. */
export function parsePort(text: string): { port: number; error: null } | { port: null; error: string } {
  const t = text.trim();
  if (t === '') return { port: null, error: 'Enter a port number.' };
  if (!/^\d+$/.test(t)) return { port: null, error: 'The port is a whole number, like 53682.' };
  const port = Number(t);
  if (port < MIN_PORT || port > MAX_PORT) {
    return { port: null, error: `Pick a port between ${MIN_PORT} and ${MAX_PORT} (ports below ${MIN_PORT} need administrator rights).` };
  }
  return { port, error: null };
}

/** `Calendly sign-in (OAuth)`, `Personal access token`, or the sandbox. */
export function authKindLabel(kind: string | null | undefined, sandbox = false): string {
  if (sandbox) return 'The built-in offline sandbox (sample data, no Calendly account)';
  if (kind === 'oauth') return 'OAuth (Calendly sign-in)';
  if (kind === 'pat') return 'Personal access token';
  return kind ? kind : 'Not connected';
}

/** Unix seconds as UTC RFC 3339 (`lastRefresh` → the time helpers). */
export function unixToIso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A next step to show under a failed OAuth flow's message, only where Rust's message may not carry
 * one: `begin_oauth`/`finish_oauth` errors of kind `canceled` (silent), `timeout`, `denied`,
 * `calendly`, `keyring` and `invalid_input` already say what to do.
 */
export function oauthNextStep(error: IpcError): string | null {
  switch (error.kind) {
    case 'canceled':
    case 'timeout':
    case 'denied':
    case 'calendly':
    case 'keyring':
    case 'invalid_input':
      return null;
    case 'network':
      return 'Check your internet connection, then press Continue in browser again.';
    default:
      return 'Press Continue in browser to try again. If it keeps failing, a personal access token works too.';
  }
}
