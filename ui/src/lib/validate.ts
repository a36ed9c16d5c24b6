// Inline checks for the Settings fields, mirroring what Rust refuses (so the user learns it
// before saving), kept pure for unit tests.

/** A public URL Calendly can deliver webhooks to: absolute `https://` with a host. */
export function publicUrlError(text: string): string | null {
  const value = text.trim();
  if (!value) return 'Enter the public https:// address that forwards to Slotline.';
  if (!/^https:\/\//i.test(value)) return 'The address must start with https:// — Calendly only delivers webhooks over HTTPS.';
  try {
    const url = new URL(value);
    if (!url.hostname.includes('.')) return 'Use a public host name, like https://hooks.example.com.';
    if (url.search || url.hash) return 'Leave out ?query and #fragment parts.';
  } catch {
    return 'That is not a valid URL.';
  }
  return null;
}

/** An ngrok static domain (optional): a bare host name like `dana.ngrok.app`. */
export function ngrokDomainError(text: string): string | null {
  const value = text.trim();
  if (!value) return null;
  if (/^[a-z]+:\/\//i.test(value)) return 'Enter only the domain, without https://.';
  if (!/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/i.test(value)) {
    return 'Enter a domain like your-name.ngrok.app.';
  }
  return null;
}

/** "Reconcile every N minutes": a whole number from 1 to 1440 (a day). */
export function parseMinutes(text: string): { minutes: number | null; error: string | null } {
  const value = text.trim();
  if (!value) return { minutes: null, error: 'Enter a number of minutes.' };
  if (!/^\d+$/.test(value)) return { minutes: null, error: 'Use a whole number of minutes.' };
  const n = Number(value);
  if (n < 1 || n > 1440) return { minutes: null, error: 'Choose between 1 and 1440 minutes (one day).' };
  return { minutes: n, error: null };
}
