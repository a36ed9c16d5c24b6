//! The sync engine: lists the connected user's scheduled events over a window, fetches their
//! invitees and applies each event through the same plan/apply path as webhooks.

use chrono::{DateTime, Duration, Utc};
use tracing::{info, instrument};

use super::apply::{apply, ApplyError, ApplyOutcome};
use super::plan::Input;
use crate::calendly::client::{ApiError, EventQuery};
use crate::calendly::Client;
use crate::clock::format_utc;
use crate::store::{sync_state, Store, StoreError};

/// The default window: 90 days back to 365 days ahead.
pub const DEFAULT_DAYS_BACK: i64 = 90;
pub const DEFAULT_DAYS_AHEAD: i64 = 365;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Apply(#[from] ApplyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    pub fn around(now: DateTime<Utc>) -> Self {
        Self {
            from: now - Duration::days(DEFAULT_DAYS_BACK),
            to: now + Duration::days(DEFAULT_DAYS_AHEAD),
        }
    }
}

/// Progress of a running sync, for the CLI's stderr and the window's progress bar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub pages: u32,
    pub events_seen: u32,
    pub invitee_requests: u32,
    pub requests_left: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub progress: Progress,
    pub applied: ApplyOutcome,
}

/// Lists every event of `user_uri` in the window (active and canceled), fetches each event's
/// invitees and applies it. Each page is applied in one transaction after all of its invitees
/// arrived, so an interruption never leaves half a page.
#[instrument(skip(client, store, on_progress))]
pub async fn sync(
    client: &Client,
    store: &Store,
    user_uri: &str,
    window: &Window,
    now: DateTime<Utc>,
    mut on_progress: impl FnMut(&Progress),
) -> Result<SyncOutcome, SyncError> {
    let query = EventQuery {
        user: Some(user_uri.to_string()),
        min_start_time: Some(format_utc(window.from)),
        max_start_time: Some(format_utc(window.to)),
        count: 100,
        ..EventQuery::default()
    };
    let mut out = SyncOutcome::default();
    let mut token: Option<String> = None;
    let result: Result<(), SyncError> = async {
        loop {
            let page = client.list_events_page(&query, token.as_deref()).await?;
            out.progress.pages += 1;
            let mut inputs = Vec::with_capacity(page.items.len());
            for event in page.items {
                let (invitees, requests) = client.list_invitees(&event.uri).await?;
                out.progress.invitee_requests += requests;
                out.progress.events_seen += 1;
                inputs.push(Input::Event { event, invitees });
            }
            let applied = store.with_tx(|tx| {
                let mut sum = ApplyOutcome::default();
                for input in &inputs {
                    sum.merge(&apply(tx, input)?);
                }
                Ok::<_, SyncError>(sum)
            })?;
            out.applied.merge(&applied);
            out.progress.requests_left = client.rate_limit().map(|r| r.remaining);
            on_progress(&out.progress);
            token = page.next_page_token;
            if token.is_none() {
                return Ok(());
            }
        }
    }
    .await;
    let stamp = format_utc(now);
    store.with_tx(|tx| {
        match &result {
            Ok(()) => {
                sync_state::set(tx, sync_state::LAST_SYNC, &stamp, &stamp)?;
                sync_state::delete(tx, sync_state::LAST_SYNC_ERROR)?;
            }
            Err(e) => {
                sync_state::set(tx, sync_state::LAST_SYNC_ERROR, &e.to_string(), &stamp)?;
                if let SyncError::Api(ApiError::Reconnect(m)) = e {
                    sync_state::set(tx, sync_state::RECONNECT, m, &stamp)?;
                }
            }
        }
        Ok::<_, StoreError>(())
    })?;
    result?;
    info!(
        pages = out.progress.pages,
        events = out.progress.events_seen,
        "sync done"
    );
    Ok(out)
}
