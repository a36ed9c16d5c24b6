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
 * What the user can do after a failed OAuth flow, when Rust's message may not say it; null for
 * `canceled`, which returns to the form without a word.
 */
export function oauthNextStep(error: IpcError): string | null {
  switch (error.kind) {
    case 'canceled':
      return null;
    case 'timeout':
      return 'Press Continue in browser to start again. If no browser opened, use Copy link and open the link in your browser yourself.';
    case 'denied':
      return 'Press Continue in browser to try again, and choose “Approve” on Calendly’s page.';
    case 'invalid_input':
      return 'Check the client ID: copy it from your app’s page in Calendly’s developer portal.';
    case 'keyring':
      return 'Unlock your system keyring (for example “Login” in Passwords and Keys), then try again.';
    case 'calendly':
    case 'network':
      return 'Check the client ID and that your Calendly app’s redirect URI matches the one in Settings, then try again.';
    default:
      return 'Try again. If it keeps failing, a personal access token works too.';
  }
}
