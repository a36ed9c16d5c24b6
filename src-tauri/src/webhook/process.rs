//! After the ack: apply stored deliveries in id order through the one sync apply path. Each row
//! is applied and marked `applied` together (a savepoint in a short batch transaction, one
//! commit for many rows), so a crash never applies a delivery without recording it (and a
//! replay would change nothing anyway).
//!
//! What this version cannot apply (an event it does not handle, a body it cannot read) is kept
//! as `unapplied` with its reason, shown in the status and tried again at every start
//! ([`retry_unapplied`]), so an upgrade applies it. A delivery whose apply fails (bad data, a
//! failing disk) is marked `failed` with the error and retried with back-off until its attempts
//! run out. Each pass also prunes the bodies of deliveries applied longer ago than the duplicate
//! horizon: they hold personal data and are no longer needed.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::instrument;

use crate::calendly::models::{WebhookEnvelope, WebhookPayload};
use crate::clock::{format_utc, Clock};
use crate::store::inbox::{self, InboxEntry, InboxState, UnappliedReason};
use crate::store::{Store, StoreError};
use crate::sync::apply::ApplyError;
use crate::sync::{self, plan, ApplyOutcome, Input};

use super::writer::Arrivals;

/// Retry policy and batch size.
#[derive(Debug, Clone)]
pub struct ProcessorConfig {
    /// A failed row is retried until it has been attempted this many times.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub retry_base: Duration,
    /// Longest wait between two attempts.
    pub retry_max: Duration,
    /// Rows read per query.
    pub page: usize,
    /// How long an applied delivery's body is kept: the duplicate horizon. After it the body
    /// is pruned (its hash stays, so a late retry is still recognised as a duplicate).
    pub keep_bodies_for: Duration,
    /// How long the receiver must be quiet (no commit) before [`super::processor::run`] starts
    /// a pass: a burst is acknowledged first and applied in a few passes of many rows, not one
    /// pass per delivery competing with the receiver's commits for the writer.
    pub settle: Duration,
    /// The longest [`super::processor::run`] waits for that quiet after the first delivery of a
    /// burst, and the longest a pass steps aside between two batches while the receiver commits
    /// back to back: in a flood that never pauses, the processor still applies a batch this
    /// often.
    pub max_lag: Duration,
}

/// Calendly retries a failed delivery for about a day; a week covers that with a margin and
/// leaves time to look into a delivery that was applied wrongly.
pub const DUPLICATE_HORIZON: Duration = Duration::from_secs(7 * 24 * 3600);

impl Default for ProcessorConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            page: 100,
            keep_bodies_for: DUPLICATE_HORIZON,
            settle: Duration::from_millis(25),
            max_lag: Duration::from_millis(250),
        }
    }
}

/// What one pass over the inbox did, for the app's change events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessReport {
    pub applied: u32,
    /// Kept unapplied this pass (an event this version does not handle, or a body it cannot
    /// read): see [`inbox::unapplied_reasons`].
    pub ignored: u32,
    pub failed: u32,
    /// Applied deliveries whose body was pruned this pass.
    pub pruned: u32,
    /// Summed over the applied rows.
    pub changes: ApplyOutcome,
    /// Scheduled events and invitees the applied rows touched: what the UI should refetch.
    pub event_uris: BTreeSet<String>,
    pub invitee_uris: BTreeSet<String>,
    /// When the earliest failed row that is waiting out its back-off becomes due.
    pub next_retry_at: Option<DateTime<Utc>>,
}

impl ProcessReport {
    /// True when the pass changed nothing (no row changed state, no body was pruned).
    pub fn is_empty(&self) -> bool {
        self.applied == 0 && self.ignored == 0 && self.failed == 0 && self.pruned == 0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why one row could not be applied; stored in the row's `error`.
#[derive(Debug, thiserror::Error)]
enum RowError {
    #[error("cannot apply: {0}")]
    Apply(#[from] ApplyError),
    #[error("cannot apply: {0}")]
    Store(#[from] StoreError),
}

enum RowOutcome {
    Applied {
        changes: ApplyOutcome,
        events: Vec<String>,
        invitees: Vec<String>,
    },
    Unapplied,
    /// Another pass handled it first.
    Skipped,
}

/// A delivery's body as the processor reads it: the envelope, then its payload by event name.
pub fn decode_body(body: &[u8]) -> Result<(WebhookEnvelope, WebhookPayload), serde_json::Error> {
    let envelope: WebhookEnvelope = serde_json::from_slice(body)?;
    let payload = envelope.decode()?;
    Ok((envelope, payload))
}

/// Longest piece of a decoder's message kept as a row's error: it may quote the body.
const MAX_ERROR: usize = 200;

/// Why a body does not decode: it is not JSON at all (as a generic parser reads it: syntax,
/// encoding, nesting deeper than 128), or it is JSON of a shape this version does not read.
fn unreadable(body: &[u8], decode: &serde_json::Error) -> (UnappliedReason, String) {
    let (reason, what, detail) = match serde_json::from_slice::<serde_json::Value>(body) {
        Err(syntax) => (
            UnappliedReason::NotJson,
            "the body is not JSON",
            syntax.to_string(),
        ),
        Ok(_) => (
            UnappliedReason::UnexpectedShape,
            "the body is not a delivery this version reads",
            decode.to_string(),
        ),
    };
    let detail = super::verify::clip(&detail, MAX_ERROR);
    (reason, format!("{what}: {detail}"))
}

/// One pass: every pending row, and every failed row whose back-off is over, in id order.
#[instrument(skip_all)]
pub fn process_due(
    store: &Store,
    now: DateTime<Utc>,
    config: &ProcessorConfig,
) -> Result<ProcessReport, ProcessError> {
    process_pass(store, now, config, true, None)
}

/// [`process_due`], pruning old bodies first only when `prune` ([`super::processor::run`]
/// prunes once a minute, not on every pass), and stepping aside between batches while
/// `arrivals` shows the receiver committing.
pub(super) fn process_pass(
    store: &Store,
    now: DateTime<Utc>,
    config: &ProcessorConfig,
    prune: bool,
    arrivals: Option<&Arrivals>,
) -> Result<ProcessReport, ProcessError> {
    let mut report = ProcessReport {
        pruned: if prune {
            prune_bodies(store, now, config)?
        } else {
            0
        },
        ..ProcessReport::default()
    };
    let mut after = 0;
    loop {
        let page =
            store.read(|tx| inbox::candidates(tx, after, config.max_attempts, config.page))?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        let mut due = Vec::with_capacity(page.len());
        for entry in page {
            if entry.state == InboxState::Failed {
                if let Some(at) = retry_due(&entry, config).filter(|at| *at > now) {
                    report.next_retry_at = Some(report.next_retry_at.map_or(at, |n| n.min(at)));
                    continue;
                }
            }
            due.push(entry.id);
        }
        let mut rest = &due[..];
        while !rest.is_empty() {
            let seen = arrivals.map(Arrivals::count);
            let done = process_batch(store, rest, now, &mut report)?;
            rest = &rest[done..];
            if !rest.is_empty() {
                step_aside(arrivals.zip(seen), config.max_lag);
            }
        }
    }
    if !report.is_empty() {
        tracing::info!(
            applied = report.applied,
            unapplied = report.ignored,
            failed = report.failed,
            "webhook inbox processed"
        );
    }
    Ok(report)
}

/// Between two batches of a pass: a receiver commit that waited for the last batch takes the
/// writer first, and while the receiver goes on committing back to back (`arrivals` moved on
/// from the count `seen` before the batch, and again within every [`QUIET`]), the pass waits,
/// at most `most` ([`ProcessorConfig::max_lag`]). In a flood the processor then holds the
/// writer for one short batch in every `most`, and the acknowledgements, which Calendly waits
/// for, do not queue behind it; the backlog is applied as soon as the flood pauses.
fn step_aside(arrivals: Option<(&Arrivals, u64)>, most: Duration) {
    std::thread::sleep(BATCH_GAP);
    let Some((arrivals, mut seen)) = arrivals else {
        return;
    };
    let until = std::time::Instant::now() + most;
    while arrivals.count() != seen && std::time::Instant::now() < until {
        seen = arrivals.count();
        std::thread::sleep(QUIET);
    }
}

/// Prunes the bodies of deliveries applied and received more than `keep_bodies_for` before
/// `now`. Returns how many.
pub fn prune_bodies(
    store: &Store,
    now: DateTime<Utc>,
    config: &ProcessorConfig,
) -> Result<u32, ProcessError> {
    let keep = chrono::Duration::from_std(config.keep_bodies_for).unwrap_or(chrono::Duration::MAX);
    let Some(cutoff) = now.checked_sub_signed(keep) else {
        return Ok(0);
    };
    let n = store
        .with_tx(|tx| inbox::prune_applied_bodies(tx, &format_utc(cutoff), &format_utc(now)))?;
    if n > 0 {
        tracing::info!(
            pruned = n,
            "webhook bodies past the duplicate horizon pruned"
        );
    }
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// At start: puts every unapplied delivery (and every failed one whose attempts ran out) back
/// in the queue, then runs one pass, so what an older version could not apply is applied by a
/// newer one. [`super::processor::run`] does this on its first pass; call it directly where the
/// processor does not run (polling only).
#[instrument(skip_all)]
pub fn retry_unapplied(
    store: &Store,
    clock: &dyn Clock,
    config: &ProcessorConfig,
) -> Result<ProcessReport, ProcessError> {
    let requeued = store.with_tx(|tx| inbox::requeue_unapplied(tx, config.max_attempts))?;
    if requeued > 0 {
        tracing::info!(
            requeued,
            "webhook deliveries not applied before are tried again"
        );
    }
    process_due(store, clock.now(), config)
}

/// When a failed row may be tried again: `retry_base * 2^(attempts-1)` after its last attempt.
fn retry_due(entry: &InboxEntry, config: &ProcessorConfig) -> Option<DateTime<Utc>> {
    let last = entry
        .processed_at
        .as_deref()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())?
        .with_timezone(&Utc);
    let doublings = entry.attempts.saturating_sub(1).min(20);
    let wait = config
        .retry_base
        .saturating_mul(1u32 << doublings)
        .min(config.retry_max);
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
    last.checked_add_signed(wait)
}

/// How long one of the processor's transactions may go on taking rows. Rows are applied in
/// batches, one commit (one fsync) for many, so the processor does not spend the disk one
/// commit per delivery while the receiver is acknowledging a burst; and the batches are short,
/// so the receiver's own commits never wait long behind one.
const BATCH_BUDGET: Duration = Duration::from_millis(4);
/// The pause between two batches of one pass.
const BATCH_GAP: Duration = Duration::from_millis(1);
/// How long the receiver must not commit for a pass to go on after stepping aside.
const QUIET: Duration = Duration::from_millis(4);

/// Applies rows of `ids` in one transaction, in order, until [`BATCH_BUDGET`] is spent (at least
/// one row); returns how many it took. Each row is applied and marked in a savepoint of its own:
/// a row that fails is rolled back alone and marked `failed` with its error, and the rest commit.
/// If the commit itself fails (a failing disk), nothing of the batch is kept and the pass stops:
/// the rows stay due, and the caller retries.
fn process_batch(
    store: &Store,
    ids: &[i64],
    now: DateTime<Utc>,
    report: &mut ProcessReport,
) -> Result<usize, ProcessError> {
    let stamp = format_utc(now);
    let started = std::time::Instant::now();
    let outcomes = store.with_tx(|tx| {
        let mut outcomes = Vec::new();
        for &id in ids {
            if !outcomes.is_empty() && started.elapsed() >= BATCH_BUDGET {
                break;
            }
            tx.execute_batch("SAVEPOINT inbox_row")
                .map_err(StoreError::from)?;
            match apply_row(tx, id, &stamp) {
                Ok(outcome) => {
                    tx.execute_batch("RELEASE inbox_row")
                        .map_err(StoreError::from)?;
                    outcomes.push((id, Ok(outcome)));
                }
                Err(e) => {
                    tx.execute_batch("ROLLBACK TO inbox_row; RELEASE inbox_row")
                        .map_err(StoreError::from)?;
                    let message = e.to_string();
                    inbox::mark_failed(tx, id, &message, &stamp)?;
                    outcomes.push((id, Err(message)));
                }
            }
        }
        Ok::<_, StoreError>(outcomes)
    })?;
    let taken = outcomes.len();
    for (id, outcome) in outcomes {
        match outcome {
            Ok(RowOutcome::Applied {
                changes,
                events,
                invitees,
            }) => {
                report.applied += 1;
                report.changes.merge(&changes);
                report.event_uris.extend(events);
                report.invitee_uris.extend(invitees);
            }
            Ok(RowOutcome::Unapplied) => report.ignored += 1,
            Ok(RowOutcome::Skipped) => {}
            Err(message) => {
                tracing::warn!(id, error = %message, "webhook delivery failed to apply; will retry");
                report.failed += 1;
            }
        }
    }
    Ok(taken)
}

/// One row, inside the caller's transaction: applied and marked `applied`, or kept `unapplied`
/// with its reason, or skipped when another pass already handled it.
fn apply_row(tx: &rusqlite::Transaction<'_>, id: i64, stamp: &str) -> Result<RowOutcome, RowError> {
    let Some(entry) = inbox::get(tx, id)? else {
        return Ok(RowOutcome::Skipped);
    };
    if !matches!(entry.state, InboxState::Pending | InboxState::Failed) {
        return Ok(RowOutcome::Skipped);
    }
    let body = inbox::body(tx, id)?.unwrap_or_default();
    let (envelope, payload) = match decode_body(&body) {
        Ok(decoded) => decoded,
        Err(e) => {
            let (reason, message) = unreadable(&body, &e);
            tracing::warn!(
                id,
                reason = reason.as_str(),
                "webhook delivery kept unapplied"
            );
            inbox::mark_unapplied(tx, id, reason, &message, stamp)?;
            return Ok(RowOutcome::Unapplied);
        }
    };
    if let WebhookPayload::Unknown(name) = &payload {
        tracing::info!(id, event = %name, "webhook event not handled; kept unapplied");
        let message = format!(
            "this version does not handle {}",
            super::verify::clip(name, MAX_ERROR)
        );
        inbox::mark_unapplied(tx, id, UnappliedReason::UnknownEvent, &message, stamp)?;
        return Ok(RowOutcome::Unapplied);
    }
    let input = Input::Webhook {
        payload,
        delivered_at: envelope.created_at,
    };
    let (events, invitees) = plan::touched(&input);
    let changes = sync::apply(tx, &input)?;
    inbox::mark_applied(tx, id, stamp)?;
    Ok(RowOutcome::Applied {
        changes,
        events,
        invitees,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn entry(attempts: u32, processed_at: Option<&str>) -> InboxEntry {
        InboxEntry {
            id: 1,
            event_name: None,
            received_at: "2026-01-01T00:00:00.000000Z".into(),
            processed_at: processed_at.map(str::to_string),
            state: InboxState::Failed,
            attempts,
            error: Some("x".into()),
            reason: None,
            pruned_at: None,
        }
    }

    /// Between two batches a pass waits while the receiver goes on committing, at most `most`,
    /// and hardly at all when it is quiet.
    #[test]
    fn a_pass_steps_aside_while_the_receiver_commits() {
        use std::time::Instant;
        let arrivals = Arc::new(Arrivals::default());
        let started = Instant::now();
        step_aside(Some((&arrivals, arrivals.count())), Duration::from_secs(5));
        assert!(started.elapsed() < Duration::from_secs(1), "quiet: no wait");

        let busy = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flood = {
            let (arrivals, busy) = (arrivals.clone(), busy.clone());
            std::thread::spawn(move || {
                while busy.load(std::sync::atomic::Ordering::Relaxed) {
                    arrivals.arrived();
                    std::thread::sleep(Duration::from_micros(500));
                }
            })
        };
        let seen = arrivals.count();
        std::thread::sleep(Duration::from_millis(5));
        let started = Instant::now();
        step_aside(Some((&arrivals, seen)), Duration::from_millis(200));
        let waited = started.elapsed();
        busy.store(false, std::sync::atomic::Ordering::Relaxed);
        flood.join().expect("flood");
        assert!(
            waited >= Duration::from_millis(200),
            "busy: waited {waited:?}"
        );
        assert!(
            waited < Duration::from_secs(3),
            "but not for ever: {waited:?}"
        );
    }

    #[test]
    fn back_off_doubles_and_is_capped() {
        let config = ProcessorConfig {
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(60),
            ..ProcessorConfig::default()
        };
        let at =
            |a| retry_due(&entry(a, Some("2026-01-01T00:00:00.000000Z")), &config).map(format_utc);
        assert_eq!(at(1).as_deref(), Some("2026-01-01T00:00:10.000000Z"));
        assert_eq!(at(2).as_deref(), Some("2026-01-01T00:00:20.000000Z"));
        assert_eq!(at(3).as_deref(), Some("2026-01-01T00:00:40.000000Z"));
        assert_eq!(at(4).as_deref(), Some("2026-01-01T00:01:00.000000Z"));
        assert_eq!(at(40).as_deref(), Some("2026-01-01T00:01:00.000000Z"));
        assert_eq!(retry_due(&entry(1, None), &config), None);
    }
}
