//! What a sync covers (its window) and how it spends its budget (its options).

use chrono::{DateTime, Duration, Utc};

/// The default window: 90 days back to 365 days ahead.
pub const DEFAULT_DAYS_BACK: i64 = 90;
pub const DEFAULT_DAYS_AHEAD: i64 = 365;

/// Retries of one request that timed out (each waited the whole request timeout) before the
/// sync stops: with the default 30 s timeout, a stalled Calendly ends a sync in about 90 s.
pub const MAX_TIMEOUT_RETRIES: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    pub fn around(now: DateTime<Utc>) -> Self {
        Self::days(now, DEFAULT_DAYS_BACK, DEFAULT_DAYS_AHEAD)
    }

    /// `days_back` before `now` to `days_ahead` after it (the Settings window).
    pub fn days(now: DateTime<Utc>, days_back: i64, days_ahead: i64) -> Self {
        Self {
            from: now - Duration::days(days_back),
            to: now + Duration::days(days_ahead),
        }
    }
}

/// How a reconcile spends its budget.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Invitee fetches (and vanished-event look-ups) in flight at once.
    pub concurrency: usize,
    /// Events per listing page (Calendly allows 1–100).
    pub page_size: u32,
    /// The recent range whose invitees are fetched on every sync (no-shows do not touch the
    /// event): `now - recent_back` to `now + recent_ahead`.
    pub recent_back: Duration,
    pub recent_ahead: Duration,
    /// Retries of one request after a 429, 5xx or network error before the sync stops.
    pub max_retries: u32,
    /// The first back-off; each retry doubles it, plus up to half again of jitter.
    pub backoff_base: std::time::Duration,
    /// Wait before sending when the rate-limit headers say the minute is spent.
    pub pace: bool,
    /// A 429 the headers did not predict is retried after a short back-off; after this many in
    /// a row for one request, the full `X-RateLimit-Reset` is waited out instead.
    pub unexpected_429s_before_reset: u32,
    /// Requests left unused each minute for the rest of the app (capped at a tenth of the limit).
    pub rate_reserve: u32,
    /// List the organization's events (admins); a 403 falls back to the user's own events.
    pub organization: Option<String>,
    /// Continue an interrupted sync of the same window from its saved page.
    pub resume: bool,
    /// How old a saved page may be and still be resumed.
    pub resume_within: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            page_size: 100,
            recent_back: Duration::days(7),
            recent_ahead: Duration::days(1),
            max_retries: 6,
            backoff_base: std::time::Duration::from_millis(250),
            pace: true,
            unexpected_429s_before_reset: 3,
            rate_reserve: 2,
            organization: None,
            resume: true,
            resume_within: Duration::days(1),
        }
    }
}
