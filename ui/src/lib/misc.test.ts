import { describe, expect, it } from 'vitest';
import type { CalendarEvent } from '../ipc/bindings.gen';
import { describeEvent, eventClassNames, eventTitle, toEventInput, toneOf, TONES, wallClockEnd } from './calendar';
import { activityLabel, initials, isVideoLocation, locationLabel } from './labels';
import { isHttpUrl } from './urls';

const event: CalendarEvent = {
  uri: 'https://api.calendly.com/scheduled_events/ABC',
  name: 'Discovery Call',
  status: 'active',
  start: '2026-03-11T09:00:00Z',
  end: '2026-03-11T09:30:00Z',
  locationType: 'zoom_conference',
  joinUrl: 'https://zoom.us/j/123',
  inviteeNames: ['Priya Raman'],
  inviteesActive: 1,
  rescheduledFrom: null,
  rescheduledTo: null,
  anyNoShow: false,
};

describe('calendar input', () => {
  it('keys events by URI and keeps the read model', () => {
    const input = toEventInput(event);
    expect(input.id).toBe(event.uri);
    expect(input.title).toBe('Discovery Call · Priya Raman');
    expect(input.start).toBe('2026-03-11T09:00:00Z');
    expect(input.extendedProps).toEqual({ calendarEvent: event });
  });

  it('keeps meetings in the repeated DST hour from ending before they start on the wall clock', () => {
    // Santiago, 5 Apr 2026: 02:30Z is 23:30 -03, 03:00Z is 23:00 -04.
    expect(wallClockEnd('2026-04-05T02:30:00Z', '2026-04-05T03:00:00Z', 'America/Santiago')).toBe('2026-04-05T00:00:00');
    // Amsterdam, 25 Oct 2026: 02:30 CEST to 02:30 CET is an hour.
    expect(wallClockEnd('2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', 'Europe/Amsterdam')).toBe('2026-10-25T03:30:00');
    // Anything else keeps its UTC end.
    expect(wallClockEnd('2026-03-11T09:00:00Z', '2026-03-11T09:30:00Z', 'Europe/Berlin')).toBe('2026-03-11T09:30:00Z');
    expect(toEventInput(event, 'Europe/Berlin').end).toBe('2026-03-11T09:30:00Z');
  });

  it('marks canceled, no-show and rescheduled meetings', () => {
    const names = eventClassNames({ ...event, status: 'canceled', anyNoShow: true, rescheduledFrom: 'x' });
    expect(names).toEqual(expect.arrayContaining(['ev', 'ev-canceled', 'ev-noshow', 'ev-rescheduled']));
    expect(eventClassNames(event)).not.toContain('ev-canceled');
  });

  it('gives a meeting type a stable tone', () => {
    expect(toneOf('Discovery Call')).toBe(toneOf('Discovery Call'));
    expect(toneOf('Discovery Call')).toBeGreaterThanOrEqual(0);
    expect(toneOf('Discovery Call')).toBeLessThan(TONES);
  });

  it('reads well without invitees and for screen readers', () => {
    expect(eventTitle({ ...event, inviteeNames: [] })).toBe('Discovery Call');
    const text = describeEvent({ ...event, status: 'canceled' }, { zone: 'Europe/Berlin', locale: 'en-GB', hour12: false });
    expect(text).toMatch(/^Discovery Call · Priya Raman, Wed,? 11 Mar 2026, 10:00–10:30, canceled$/);
  });
});

describe('labels', () => {
  it('names Calendly location kinds', () => {
    expect(locationLabel('google_conference')).toBe('Google Meet');
    expect(locationLabel('physical')).toBe('In person');
    expect(locationLabel(null)).toBe('No location');
    expect(locationLabel('some_new_kind')).toBe('some new kind');
    expect(isVideoLocation('zoom_conference')).toBe(true);
    expect(isVideoLocation('outbound_call')).toBe(false);
  });

  it('names activity kinds', () => {
    expect(activityLabel('no_show')).toBe('Marked as no-show');
    expect(activityLabel('routing_form_submitted')).toBe('Submitted a routing form');
  });

  it('makes initials', () => {
    expect(initials('Priya Raman', 'p@x.io')).toBe('PR');
    expect(initials('Cher', 'c@x.io')).toBe('C');
    expect(initials(null, 'lena@x.io')).toBe('L');
  });
});

describe('isHttpUrl', () => {
  it.each([
    ['https://zoom.us/j/1', true],
    ['http://127.0.0.1:8080/x', true],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['zoom.us/j/1', false],
    ['', false],
    [null, false],
  ])('%s → %s', (url, ok) => {
    expect(isHttpUrl(url)).toBe(ok);
  });
});
