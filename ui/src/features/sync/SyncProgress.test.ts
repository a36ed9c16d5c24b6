import { describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../ipc';
import { progressView } from './SyncProgress';

const p = (over: Partial<SyncProgress>): SyncProgress => ({
  running: true,
  pages: 0,
  events: 0,
  morePages: true,
  requestsLeft: null,
  rateLimit: null,
  error: null,
  ...over,
});

describe('progressView', () => {
  it('never claims done while another page is coming', () => {
    expect(progressView(p({}))).toMatchObject({ now: 0, max: 1, text: 'Starting sync · 0 events' });
    expect(progressView(p({ pages: 4, events: 400 }))).toMatchObject({ now: 4, max: 5 });
    expect(progressView(p({ pages: 5, events: 430, morePages: false }))).toMatchObject({ now: 5, max: 5 });
  });

  it('is full when finished, even with no pages', () => {
    expect(progressView(p({ running: false, morePages: false }))).toMatchObject({ now: 1, max: 1 });
    expect(progressView(p({ running: false, pages: 2, events: 1, morePages: false })).text).toBe('Synced · 1 event');
  });

  it('names the requests left this minute, with the limit when known', () => {
    expect(progressView(p({ pages: 1, events: 100, requestsLeft: 48, rateLimit: 50 })).text).toBe(
      'Syncing: page 1, more to come · 100 events · 48 of 50 requests left this minute',
    );
    expect(progressView(p({ pages: 1, events: 100, requestsLeft: 1 })).text).toBe(
      'Syncing: page 1, more to come · 100 events · 1 request left this minute',
    );
  });
});
