//! A sync's progress: the counters a run keeps while it goes, and the two views of them, for
//! the CLI's stderr and the window's progress bar.

/// Progress of a running sync, for the CLI's stderr and the window's progress bar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Listing pages applied by this run.
    pub pages: u32,
    pub events_seen: u32,
    /// Successful invitee-listing requests.
    pub invitee_requests: u32,
    /// Requests left this minute, by the rate-limit headers.
    pub requests_left: Option<u32>,
    /// Every request sent, retries included.
    pub requests: u32,
    /// 429 answers received.
    pub rate_limited: u32,
    /// Requests sent again after a 429, 5xx or network error.
    pub retries: u32,
    /// Events missing from the listing, looked up one by one.
    pub lookups: u32,
    /// Time spent waiting for the rate limit to reset, in milliseconds.
    pub paced_ms: u64,
    /// Another listing page follows the last one applied (Calendly gives no total up front).
    pub more_pages: bool,
    /// The per-minute request limit, by the rate-limit headers.
    pub rate_limit: Option<u32>,
}

/// A sync's progress as the window's progress bar shows it (the `sync-progress` event).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    /// `false` once the sync finished (or stopped: then `error` says why).
    pub running: bool,
    /// Listing pages applied so far.
    pub pages: u32,
    /// Events listed so far.
    pub events: u32,
    /// Another listing page is coming.
    pub more_pages: bool,
    /// Requests left this minute and the per-minute limit, when Calendly said.
    pub requests_left: Option<u32>,
    pub rate_limit: Option<u32>,
    pub error: Option<String>,
}

impl SyncProgress {
    pub fn started() -> Self {
        Self {
            running: true,
            more_pages: true,
            ..Self::default()
        }
    }

    pub fn of(p: &Progress, running: bool) -> Self {
        Self {
            running,
            pages: p.pages,
            events: p.events_seen,
            more_pages: running && p.more_pages,
            requests_left: p.requests_left,
            rate_limit: p.rate_limit,
            error: None,
        }
    }
}
