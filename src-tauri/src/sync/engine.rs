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
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::task::Poll;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use tracing::{info, instrument, warn};

use super::apply::{apply, ApplyError, ApplyOutcome};
use super::pace::{backoff, Admit, Budget, Throttle};
use super::plan::Input;
use super::reconcile::{self, invitee_fetch, Recent, StoredEvent, Vanished};
use crate::calendly::client::{ApiError, Attempt, EventQuery, Page};
use crate::calendly::models::{Invitee, ScheduledEvent};
use crate::calendly::Client;
use crate::clock::format_utc;
use crate::store::{events, sync_state, Store, StoreError};

/// The default window: 90 days back to 365 days ahead.
pub const DEFAULT_DAYS_BACK: i64 = 90;
pub const DEFAULT_DAYS_AHEAD: i64 = 365;

/// Retries of one request that timed out (each waited the whole request timeout) before the
/// sync stops: with the default 30 s timeout, a stalled Calendly ends a sync in about 90 s.
pub const MAX_TIMEOUT_RETRIES: u32 = 2;

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

#[derive(Debug, Default)]
struct Stats {
    requests: AtomicU32,
    rate_limited: AtomicU32,
    retries: AtomicU32,
    invitee_requests: AtomicU32,
    lookups: AtomicU32,
    paced_ms: AtomicU64,
}

fn bump(c: &AtomicU32) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A stored event the listing did not show, and what its look-up said.
enum Lookup {
    Found(Box<ScheduledEvent>),
    Gone,
    Refused,
}

struct Run<'a> {
    client: &'a Client,
    store: &'a Store,
    opts: &'a SyncOptions,
    now: DateTime<Utc>,
    budget: Mutex<Budget>,
    stats: Stats,
}

impl Run<'_> {
    fn fill(&self, p: &mut Progress) {
        let s = &self.stats;
        p.requests = s.requests.load(Ordering::Relaxed);
        p.rate_limited = s.rate_limited.load(Ordering::Relaxed);
        p.retries = s.retries.load(Ordering::Relaxed);
        p.invitee_requests = s.invitee_requests.load(Ordering::Relaxed);
        p.lookups = s.lookups.load(Ordering::Relaxed);
        p.paced_ms = s.paced_ms.load(Ordering::Relaxed);
        p.requests_left = lock(&self.budget)
            .remaining()
            .or_else(|| self.client.rate_limit().map(|r| r.remaining));
        p.rate_limit = self.client.rate_limit().map(|r| r.limit);
    }

    fn recent(&self) -> Recent {
        Recent {
            from: self.now - self.opts.recent_back,
            to: self.now + self.opts.recent_ahead,
        }
    }

    /// Waits until the budget admits one more request; returns when it was sent.
    async fn admit(&self) -> Instant {
        loop {
            let now = Instant::now();
            if !self.opts.pace {
                return now;
            }
            let verdict = lock(&self.budget).admit(now);
            match verdict {
                Admit::Go => return now,
                Admit::WaitUntil(at) => {
                    let waited = at.saturating_duration_since(now).as_millis() as u64;
                    self.stats.paced_ms.fetch_add(waited, Ordering::Relaxed);
                    tokio::time::sleep_until(at.into()).await;
                }
            }
        }
    }

    /// Sends one request through the budget, retrying 429s, 5xx and network errors.
    async fn call<T, F, Fut>(&self, mut send: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let mut attempt = 0u32;
        let mut throttles = 0u32;
        let mut timeouts = 0u32;
        loop {
            let sent_at = self.admit().await;
            let Attempt { result, rate } = send().await;
            let now = Instant::now();
            bump(&self.stats.requests);
            let throttled = matches!(result, Err(ApiError::RateLimited { .. }));
            if self.opts.pace {
                // A 429's own headers only say "0 left"; `throttled` decides what it means.
                lock(&self.budget).observe(if throttled { None } else { rate }, sent_at, now);
            }
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            attempt += 1;
            let jitter = rand::random::<f64>();
            let wait = match &err {
                ApiError::RateLimited { retry_after } => {
                    bump(&self.stats.rate_limited);
                    throttles += 1;
                    if !self.opts.pace {
                        Some(*retry_after)
                    } else {
                        let repeated = throttles > self.opts.unexpected_429s_before_reset;
                        match lock(&self.budget).throttled(*retry_after, repeated, now) {
                            Throttle::Transient => {
                                Some(backoff(self.opts.backoff_base, throttles, jitter))
                            }
                            // The budget now holds every request until the reset.
                            Throttle::Spent => None,
                        }
                    }
                }
                // Each timed-out attempt already waited the whole request timeout: a stalled
                // Calendly gets a few more tries, not `max_retries` timeouts in a row.
                ApiError::Network { .. } if err.is_timeout() => {
                    timeouts += 1;
                    if timeouts > MAX_TIMEOUT_RETRIES {
                        return Err(err);
                    }
                    Some(backoff(self.opts.backoff_base, attempt, jitter))
                }
                ApiError::Server { .. } | ApiError::Network { .. } => {
                    Some(backoff(self.opts.backoff_base, attempt, jitter))
                }
                _ => return Err(err),
            };
            if attempt > self.opts.max_retries {
                return Err(err);
            }
            bump(&self.stats.retries);
            warn!(attempt, wait_ms = wait.map_or(0, |w| w.as_millis() as u64), error = %err, "retrying Calendly request");
            if let Some(w) = wait {
                tokio::time::sleep(w).await;
            }
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
    async fn inputs(
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

    /// Looks up, one by one, the stored active events of the window the listing did not show,
    /// and applies what Calendly says about each.
    async fn check_vanished(
        &self,
        window: &Window,
        seen: &HashSet<String>,
        out: &mut SyncOutcome,
    ) -> Result<VanishedOutcome, SyncError> {
        let (from_ms, to_ms) = (window.from.timestamp_millis(), window.to.timestamp_millis());
        let missing: Vec<(String, StoredEvent)> = self
            .store
            .read(|tx| events::active_between(tx, from_ms, to_ms))?
            .into_iter()
            .filter(|(uri, _)| !seen.contains(uri))
            .collect();
        let mut result = VanishedOutcome::default();
        if missing.is_empty() {
            return Ok(result);
        }
        info!(
            count = missing.len(),
            "looking up events missing from the listing"
        );
        let jobs: Vec<_> = missing
            .iter()
            .map(|(uri, _)| async move {
                bump(&self.stats.lookups);
                match self.call(|| self.client.event_once(uri)).await {
                    Ok(ev) => Ok(Lookup::Found(Box::new(ev))),
                    Err(ApiError::NotFound { .. }) => Ok(Lookup::Gone),
                    Err(ApiError::PermissionDenied { .. }) => Ok(Lookup::Refused),
                    Err(e) => Err(e),
                }
            })
            .collect();
        let answers = bounded(self.opts.concurrency, jobs).await?;
        let mut found = Vec::new();
        let mut gone = Vec::new();
        for ((uri, stored), answer) in missing.into_iter().zip(answers) {
            let verdict = match &answer {
                Lookup::Found(_) => Some(true),
                Lookup::Gone => Some(false),
                Lookup::Refused => None,
            };
            match (reconcile::vanished(verdict, &stored), answer) {
                (Vanished::Apply, Lookup::Found(ev)) => found.push(*ev),
                (Vanished::MarkCanceled, _) => gone.push(uri),
                _ => result.kept += 1,
            }
        }
        result.found = found.len() as u32;
        result.canceled = gone.len() as u32;
        let inputs = self.inputs(found, &mut out.invitees_skipped).await?;
        let applied = self.store.with_tx(|tx| {
            let mut sum = ApplyOutcome::default();
            for input in &inputs {
                sum.merge(&apply(tx, input)?);
            }
            for uri in &gone {
                // Calendly no longer has it: the stored resource, canceled, through the same path.
                let Some(raw) = events::raw_json(tx, uri)? else {
                    continue;
                };
                let mut event: ScheduledEvent =
                    serde_json::from_str(&raw).map_err(StoreError::from)?;
                event.status = "canceled".into();
                let input = Input::Event {
                    event,
                    invitees: Vec::new(),
                };
                sum.merge(&apply(tx, &input)?);
            }
            Ok::<_, SyncError>(sum)
        })?;
        out.applied.merge(&applied);
        Ok(result)
    }
}

/// Runs `jobs` with at most `limit` in flight, on the calling task (they borrow the run, so
/// they cannot be spawned). Results come back in the jobs' order; the first error ends the run
/// and drops — cancels — the others.
async fn bounded<T, E, F>(limit: usize, jobs: Vec<F>) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<T, E>>,
{
    let limit = limit.max(1);
    let mut out: Vec<Option<T>> = jobs.iter().map(|_| None).collect();
    let mut queue = jobs.into_iter().enumerate();
    let mut running: Vec<(usize, Pin<Box<F>>)> = Vec::with_capacity(limit);
    let done = std::future::poll_fn(|cx| loop {
        while running.len() < limit {
            match queue.next() {
                Some((i, job)) => running.push((i, Box::pin(job))),
                None => break,
            }
        }
        if running.is_empty() {
            return Poll::Ready(Ok(()));
        }
        let mut progressed = false;
        let mut k = 0;
        while k < running.len() {
            match running[k].1.as_mut().poll(cx) {
                Poll::Ready(Ok(v)) => {
                    out[running[k].0] = Some(v);
                    running.swap_remove(k);
                    progressed = true;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => k += 1,
            }
        }
        if !progressed {
            return Poll::Pending;
        }
    })
    .await;
    done?;
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    #[tokio::test]
    async fn bounded_keeps_order_and_never_exceeds_its_limit() {
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..20u64)
            .map(|i| {
                let (live, peak) = (live.clone(), peak.clone());
                async move {
                    let n = live.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(5 + (i * 7) % 11)).await;
                    live.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, ()>(i)
                }
            })
            .collect();
        let got = bounded(4, jobs).await.expect("ok");
        assert_eq!(got, (0..20).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn bounded_stops_at_the_first_error() {
        let started = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..10u32)
            .map(|i| {
                let started = started.clone();
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    if i == 1 {
                        Err("boom")
                    } else {
                        Ok(i)
                    }
                }
            })
            .collect();
        assert_eq!(bounded(2, jobs).await, Err("boom"));
        assert!(started.load(Ordering::SeqCst) < 10);
    }
}
