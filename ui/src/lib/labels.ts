// Human words for Calendly's machine values.

const LOCATION_LABELS: Record<string, string> = {
  zoom: 'Zoom',
  zoom_conference: 'Zoom',
  google_conference: 'Google Meet',
  microsoft_teams_conference: 'Microsoft Teams',
  webex_conference: 'Webex',
  gotomeeting: 'GoTo Meeting',
  gotomeeting_conference: 'GoTo Meeting',
  physical: 'In person',
  outbound_call: 'Phone call (you call)',
  inbound_call: 'Phone call (they call)',
  ask_invitee: 'Invitee’s choice',
  custom: 'Custom location',
};

export function locationLabel(locationType: string | null | undefined): string {
  if (!locationType) return 'No location';
  return LOCATION_LABELS[locationType] ?? locationType.replace(/_/g, ' ');
}

/** True for location kinds whose link is a video call. */
export function isVideoLocation(locationType: string | null | undefined): boolean {
  return !!locationType && /conference|zoom|gotomeeting|webex|teams/.test(locationType);
}

const ACTIVITY_LABELS: Record<string, string> = {
  booked: 'Booked',
  canceled: 'Canceled',
  rescheduled: 'Rescheduled',
  no_show: 'Marked as no-show',
  no_show_cleared: 'No-show cleared',
  routing_form_submitted: 'Submitted a routing form',
};

export function activityLabel(kind: string): string {
  return ACTIVITY_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

export function eventStatusLabel(status: string): string {
  return status === 'canceled' ? 'Canceled' : status === 'active' ? 'Scheduled' : status;
}

export function personLabel(p: { name: string | null; email: string }): string {
  return p.name ? `${p.name} <${p.email}>` : p.email;
}

/** Initials for an avatar bubble: `Priya Raman` → `PR`, `x@y.z` → `X`. */
export function initials(name: string | null | undefined, email: string): string {
  const source = (name ?? '').trim();
  if (!source) return (email[0] ?? '?').toUpperCase();
  const parts = source.split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return (first + last).toUpperCase();
}

const ACTIVITY_VERBS: Record<string, string> = {
  booked: 'booked',
  canceled: 'canceled',
  rescheduled: 'rescheduled',
  no_show: 'missed',
  no_show_cleared: 'had a no-show cleared for',
  routing_form_submitted: 'submitted a routing form for',
};

/** The verb of "Priya Raman booked Discovery Call". */
export function activityVerb(kind: string): string {
  return ACTIVITY_VERBS[kind] ?? activityLabel(kind).toLowerCase();
}
