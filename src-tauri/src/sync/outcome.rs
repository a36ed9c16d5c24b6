//! How a sync ends: what it did, or the error it stopped on.

use super::apply::{ApplyError, ApplyOutcome};
use super::progress::Progress;
use crate::calendly::client::ApiError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another Slotline process ran the sync this request joined, and it failed.
    #[error("{0}")]
    Elsewhere(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub progress: Progress,
    pub applied: ApplyOutcome,
    /// The page this run started from when it continued an interrupted one.
    pub resumed_from_page: Option<u32>,
    /// Listed events whose invitees were not fetched (unchanged).
    pub invitees_skipped: u32,
    /// `None` when the check did not run (a resumed run did not see the whole window).
    pub vanished: Option<VanishedOutcome>,
    /// The organization listing was refused (403) and the user's own events were listed.
    pub fell_back_to_user: bool,
    /// Another Slotline process ran this sync; this one waited for it (only `progress.pages`,
    /// `events_seen`, `invitee_requests` and the applied counts are known).
    pub elsewhere: bool,
}

/// What happened to stored events the listing did not show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VanishedOutcome {
    /// Still at Calendly (applied as they are).
    pub found: u32,
    /// Gone (404) and known only from the API: marked canceled.
    pub canceled: u32,
    /// Known from a webhook, or refused (403): left as they were.
    pub kept: u32,
}
