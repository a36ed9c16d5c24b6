//! The sync engine (the reconcile): lists the connected user's scheduled events over a window,
//! fetches invitees only where they could have changed, and applies each page of the listing
//! with its invitees in one transaction, through the same plan/apply path as webhooks — so a
//! webhook and a poll of the same change make one row and one activity.
//!
//! Budget: requests are paced by the `X-RateLimit-*` headers before they are sent ([`pace`]),
//! invitee fetches run a few at a time, and 429s, 5xx and network errors are retried with
//! exponential back-off and jitter. Resumable: after each applied page the token of the next
//! one is saved with it ([`sync_state::Cursor`]); a run that finds a cursor for the same window
//! continues from there.
//!
//! Which invitees are fetched is decided in [`reconcile`]: new events, events whose
//! `updated_at` or `invitees_counter` changed, and — because a no-show does not touch the event —
//! every event in a short recent range.
//!
//! [`pace`]: super::pace
//! [`reconcile`]: super::reconcile

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tracing::{info, instrument, warn};

use super::apply::{apply, ApplyOutcome};
pub use super::options::{
    SyncOptions, Window, DEFAULT_DAYS_AHEAD, DEFAULT_DAYS_BACK, MAX_TIMEOUT_RETRIES,
};
pub use super::outcome::{SyncError, SyncOutcome, VanishedOutcome};
use super::pace::Budget;
use super::plan::Input;
pub use super::progress::{Progress, SyncProgress};
use super::reconcile::{invitee_fetch, Recent};
use super::run::{bounded, bump, Run, Stats};
use crate::calendly::client::{ApiError, EventQuery, Page};
use crate::calendly::models::{Invitee, ScheduledEvent};
use crate::calendly::Client;
use crate::clock::format_utc;
use crate::store::{events, sync_state, Store, StoreError};

/// Lists every event of `user_uri` in the window (active and canceled), fetches the invitees
/// that may have changed and applies them, with [`SyncOptions::default`].
pub async fn sync(
    client: &Client,
    store: &Store,
    user_uri: &str,
    window: &Window,
    now: DateTime<Utc>,
    on_progress: impl FnMut(&Progress),
) -> Result<SyncOutcome, SyncError> {
    sync_with(
        client,
        store,
        user_uri,
        window,
        now,
        &SyncOptions::default(),
        on_progress,
    )
    .await
}

/// [`sync`] with explicit options. On failure `last_sync_error` says where the run stopped; the
/// pages before it stay applied and the next run resumes after them.
#[instrument(skip(client, store, opts, on_progress), fields(from = %window.from, to = %window.to))]
pub async fn sync_with(
    client: &Client,
    store: &Store,
    user_uri: &str,
    window: &Window,
    now: DateTime<Utc>,
    opts: &SyncOptions,
    mut on_progress: impl FnMut(&Progress),
) -> Result<SyncOutcome, SyncError> {
    let run = Run {
        client,
        store,
        opts,
        now,
        budget: Mutex::new(Budget::new(opts.rate_reserve)),
        stats: Stats::default(),
    };
    let mut out = SyncOutcome::default();
    let result = run
        .reconcile(user_uri, window, &mut out, &mut on_progress)
        .await;
    run.fill(&mut out.progress);
    let stamp = format_utc(now);
    store.with_tx(|tx| {
        match &result {
            Ok(()) => {
                sync_state::set(tx, sync_state::LAST_SYNC, &stamp, &stamp)?;
                sync_state::delete(tx, sync_state::LAST_SYNC_ERROR)?;
            }
            Err(f) => {
                sync_state::set(tx, sync_state::LAST_SYNC_ERROR, &f.to_string(), &stamp)?;
                if let SyncError::Api(ApiError::Reconnect(m)) = &f.error {
                    sync_state::set(tx, sync_state::RECONNECT, m, &stamp)?;
                }
            }
        }
        Ok::<_, StoreError>(())
    })?;
    if let Err(f) = result {
        warn!(error = %f, "sync stopped");
        return Err(f.error);
    }
    info!(
        pages = out.progress.pages,
        events = out.progress.events_seen,
        invitee_requests = out.progress.invitee_requests,
        requests = out.progress.requests,
        rate_limited = out.progress.rate_limited,
        "sync done"
    );
    Ok(out)
}

/// Where a run stopped, for `last_sync_error`.
#[derive(Debug)]
enum Stage {
    /// The listing page that could not be fetched or applied, and how many before it are applied.
    Page {
        page: u32,
        applied_before: u32,
    },
    Lookups,
    Start,
}

#[derive(Debug)]
struct Failure {
    stage: Stage,
    error: SyncError,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.stage {
            Stage::Page {
                page,
                applied_before: 0,
            } => write!(f, "sync stopped at page {page} of the listing, nothing applied: "),
            Stage::Page {
                page,
                applied_before,
            } => write!(
                f,
                "sync stopped at page {page} of the listing; pages 1–{applied_before} are applied and the next sync continues from page {page}: "
            ),
            Stage::Lookups => write!(
                f,
                "sync listed the whole window but stopped while looking up events missing from it: "
            ),
            Stage::Start => write!(f, "sync could not start: "),
        }?;
        write!(f, "{}", self.error)
    }
}

fn fail(stage: Stage) -> impl FnOnce(SyncError) -> Failure {
    move |error| Failure { stage, error }
}

/// A listing query: a page token is only good for the query it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    User(String),
    Organization(String),
}

impl Scope {
    fn key(&self) -> String {
        match self {
            Scope::User(u) => format!("user:{u}"),
            Scope::Organization(o) => format!("organization:{o}"),
        }
    }

    fn query(&self, window: &Window, count: u32) -> EventQuery {
        let (user, organization) = match self {
            Scope::User(u) => (Some(u.clone()), None),
            Scope::Organization(o) => (None, Some(o.clone())),
        };
        EventQuery {
            user,
            organization,
            min_start_time: Some(format_utc(window.from)),
            max_start_time: Some(format_utc(window.to)),
            count,
            ..EventQuery::default()
        }
    }
}

impl Run<'_> {
    fn recent(&self) -> Recent {
        Recent {
            from: self.now - self.opts.recent_back,
            to: self.now + self.opts.recent_ahead,
        }
    }

    async fn list_page(
        &self,
        scope: &Scope,
        window: &Window,
        token: Option<&str>,
    ) -> Result<Page<ScheduledEvent>, ApiError> {
        let q = scope.query(window, self.opts.page_size);
        self.call(|| self.client.events_page_once(&q, token)).await
    }

    /// Every invitee of an event, across pages.
    async fn invitees_of(&self, event_uri: &str) -> Result<Vec<Invitee>, ApiError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .call(|| self.client.invitees_page_once(event_uri, token.as_deref()))
                .await?;
            bump(&self.stats.invitee_requests);
            out.extend(page.items);
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// The apply inputs of listed events: invitees fetched only where they may have changed.
    pub(super) async fn inputs(
        &self,
        listed: Vec<ScheduledEvent>,
        skipped: &mut u32,
    ) -> Result<Vec<Input>, SyncError> {
        let uris: Vec<String> = listed.iter().map(|e| e.uri.clone()).collect();
        let stored = self
            .store
            .read(|tx| events::stored_for_reconcile(tx, &uris))?;
        let recent = self.recent();
        let fetch: Vec<bool> = listed
            .iter()
            .map(|e| invitee_fetch(e, stored.get(&e.uri), &recent).is_some())
            .collect();
        *skipped += fetch.iter().filter(|f| !**f).count() as u32;
        let jobs: Vec<_> = listed
            .iter()
            .zip(&fetch)
            .filter(|(_, f)| **f)
            .map(|(e, _)| self.invitees_of(&e.uri))
            .collect();
        let mut fetched = bounded(self.opts.concurrency, jobs).await?.into_iter();
        Ok(listed
            .into_iter()
            .zip(fetch)
            .map(|(event, f)| Input::Event {
                // An empty list updates the event alone; stored invitees stay as they are.
                invitees: if f {
                    fetched.next().unwrap_or_default()
                } else {
                    Vec::new()
                },
                event,
            })
            .collect())
    }

    /// A saved cursor this run may continue: same query, same window span, close in time.
    fn resumable(&self, c: &sync_state::Cursor, window: &Window, scope: &Scope) -> Option<Window> {
        let parse = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        };
        let (from, to, saved) = (parse(&c.from)?, parse(&c.to)?, parse(&c.saved_at)?);
        let ok = c.scope == scope.key()
            && to - from == window.to - window.from
            && (from - window.from).abs() <= self.opts.resume_within
            && (self.now - saved).abs() <= self.opts.resume_within;
        ok.then_some(Window { from, to })
    }

    async fn reconcile(
        &self,
        user_uri: &str,
        window: &Window,
        out: &mut SyncOutcome,
        on_progress: &mut impl FnMut(&Progress),
    ) -> Result<(), Failure> {
        let mut scope = match &self.opts.organization {
            Some(o) => Scope::Organization(o.clone()),
            None => Scope::User(user_uri.to_string()),
        };
        let saved = if self.opts.resume {
            self.store
                .read(|tx| sync_state::cursor(tx))
                .map_err(|e| fail(Stage::Start)(e.into()))?
        } else {
            None
        };
        let mut win = window.clone();
        let mut token = None;
        let mut done = 0u32;
        if let Some(c) = saved {
            match self.resumable(&c, window, &scope) {
                Some(w) => {
                    info!(page = c.pages_done + 1, "continuing an interrupted sync");
                    win = w;
                    token = Some(c.page_token);
                    done = c.pages_done;
                    out.resumed_from_page = Some(done + 1);
                }
                None => info!("a saved sync cursor is for another window; starting over"),
            }
        }

        let first = loop {
            match self.list_page(&scope, &win, token.as_deref()).await {
                Ok(p) => break p,
                Err(ApiError::PermissionDenied { message })
                    if matches!(scope, Scope::Organization(_)) =>
                {
                    warn!(%message, "the organization's events are refused; listing the user's own");
                    scope = Scope::User(user_uri.to_string());
                    out.fell_back_to_user = true;
                    (win, token, done, out.resumed_from_page) = (window.clone(), None, 0, None);
                }
                Err(ApiError::InvalidArgument { message, .. }) if token.is_some() => {
                    warn!(%message, "the saved page token was refused; listing the window from the start");
                    (win, token, done, out.resumed_from_page) = (window.clone(), None, 0, None);
                }
                Err(e) => {
                    return Err(fail(Stage::Page {
                        page: done + 1,
                        applied_before: done,
                    })(e.into()))
                }
            }
        };
        let resumed = out.resumed_from_page.is_some();

        let mut seen: HashSet<String> = HashSet::new();
        let mut page = first;
        let mut page_no = done + 1;
        loop {
            let at = || Stage::Page {
                page: page_no,
                applied_before: page_no - 1,
            };
            let next_token = page.next_page_token.take();
            let listed = std::mem::take(&mut page.items);
            out.progress.events_seen += listed.len() as u32;
            seen.extend(listed.iter().map(|e| e.uri.clone()));
            // The next page is fetched while this one's invitees are.
            let (inputs, next) =
                tokio::join!(self.inputs(listed, &mut out.invitees_skipped), async {
                    match &next_token {
                        Some(t) => Some(self.list_page(&scope, &win, Some(t)).await),
                        None => None,
                    }
                });
            let inputs = inputs.map_err(fail(at()))?;
            let cursor = next_token.as_ref().map(|t| sync_state::Cursor {
                from: format_utc(win.from),
                to: format_utc(win.to),
                scope: scope.key(),
                page_token: t.clone(),
                pages_done: page_no,
                saved_at: format_utc(self.now),
            });
            // The page, its invitees and the cursor past it: all or nothing.
            let applied = self
                .store
                .with_tx(|tx| {
                    let mut sum = ApplyOutcome::default();
                    for input in &inputs {
                        sum.merge(&apply(tx, input)?);
                    }
                    match &cursor {
                        Some(c) => sync_state::set_cursor(tx, c)?,
                        None => sync_state::clear_cursor(tx)?,
                    }
                    Ok::<_, SyncError>(sum)
                })
                .map_err(fail(at()))?;
            out.applied.merge(&applied);
            out.progress.pages += 1;
            out.progress.more_pages = next.is_some();
            self.fill(&mut out.progress);
            on_progress(&out.progress);
            match next {
                None => break,
                Some(Ok(p)) => {
                    page = p;
                    page_no += 1;
                }
                Some(Err(e)) => {
                    return Err(fail(Stage::Page {
                        page: page_no + 1,
                        applied_before: page_no,
                    })(e.into()))
                }
            }
        }

        // Only a run that listed the whole window knows what is missing from it.
        if !resumed {
            let vanished = self
                .check_vanished(&win, &seen, out)
                .await
                .map_err(fail(Stage::Lookups))?;
            if vanished.found + vanished.canceled + vanished.kept > 0 {
                self.fill(&mut out.progress);
                on_progress(&out.progress);
            }
            out.vanished = Some(vanished);
        }
        Ok(())
    }
}
