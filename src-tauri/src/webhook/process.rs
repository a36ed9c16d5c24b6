//! After the ack: apply stored deliveries in id order through the one sync apply path. Each row
//! is applied and marked `applied` in one transaction, so a crash never applies a delivery
//! without recording it (and a replay would change nothing anyway). Unknown event names are
//! kept and marked `ignored`; a delivery that cannot be applied is marked `failed` with the
//! reason, stays visible, and is retried with back-off until its attempts run out.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, Notify};
use tracing::instrument;

use crate::calendly::models::{WebhookEnvelope, WebhookPayload};
use crate::clock::{format_utc, Clock};
use crate::store::inbox::{self, InboxEntry, InboxState};
use crate::store::{Store, StoreError};
use crate::sync::apply::ApplyError;
use crate::sync::{self, plan, ApplyOutcome, Input};

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
}

impl Default for ProcessorConfig {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            page: 100,
        }
    }
}

/// What one pass over the inbox did, for the app's change events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessReport {
    pub applied: u32,
    pub ignored: u32,
    pub failed: u32,
    /// Summed over the applied rows.
    pub changes: ApplyOutcome,
    /// Scheduled events and invitees the applied rows touched: what the UI should refetch.
    pub event_uris: BTreeSet<String>,
    pub invitee_uris: BTreeSet<String>,
    /// When the earliest failed row that is waiting out its back-off becomes due.
    pub next_retry_at: Option<DateTime<Utc>>,
}

impl ProcessReport {
    /// True when no row changed state.
    pub fn is_empty(&self) -> bool {
        self.applied == 0 && self.ignored == 0 && self.failed == 0
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
    #[error("not a Calendly delivery: {0}")]
    Decode(serde_json::Error),
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
    Ignored,
    /// Another pass handled it first.
    Skipped,
}

/// A delivery's body as the processor reads it: the envelope, then its payload by event name.
/// The receiver runs the same decoding before it stores a body, so a stored row decodes.
pub fn decode_body(body: &[u8]) -> Result<(WebhookEnvelope, WebhookPayload), serde_json::Error> {
    let envelope: WebhookEnvelope = serde_json::from_slice(body)?;
    let payload = envelope.decode()?;
    Ok((envelope, payload))
}

/// One pass: every pending row, and every failed row whose back-off is over, in id order.
#[instrument(skip_all)]
pub fn process_due(
    store: &Store,
    now: DateTime<Utc>,
    config: &ProcessorConfig,
) -> Result<ProcessReport, ProcessError> {
    let mut report = ProcessReport::default();
    let mut after = 0;
    loop {
        let page =
            store.read(|tx| inbox::candidates(tx, after, config.max_attempts, config.page))?;
        let Some(last) = page.last() else {
            break;
        };
        after = last.id;
        for entry in page {
            if entry.state == InboxState::Failed {
                if let Some(due) = retry_due(&entry, config).filter(|at| *at > now) {
                    report.next_retry_at = Some(report.next_retry_at.map_or(due, |n| n.min(due)));
                    continue;
                }
            }
            process_row(store, entry.id, now, &mut report)?;
        }
    }
    if !report.is_empty() {
        tracing::info!(
            applied = report.applied,
            ignored = report.ignored,
            failed = report.failed,
            "webhook inbox processed"
        );
    }
    Ok(report)
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

fn process_row(
    store: &Store,
    id: i64,
    now: DateTime<Utc>,
    report: &mut ProcessReport,
) -> Result<(), ProcessError> {
    let stamp = format_utc(now);
    let result = store.with_tx(|tx| {
        let Some(entry) = inbox::get(tx, id)? else {
            return Ok(RowOutcome::Skipped);
        };
        if !matches!(entry.state, InboxState::Pending | InboxState::Failed) {
            return Ok(RowOutcome::Skipped);
        }
        let body = inbox::body(tx, id)?.unwrap_or_default();
        let (envelope, payload) = decode_body(&body).map_err(RowError::Decode)?;
        if let WebhookPayload::Unknown(name) = &payload {
            tracing::debug!(id, event = %name, "webhook event not handled; kept as ignored");
            inbox::mark_ignored(tx, id, &stamp)?;
            return Ok(RowOutcome::Ignored);
        }
        let input = Input::Webhook {
            payload,
            delivered_at: envelope.created_at,
        };
        let (events, invitees) = plan::touched(&input);
        let changes = sync::apply(tx, &input)?;
        inbox::mark_applied(tx, id, &stamp)?;
        Ok::<_, RowError>(RowOutcome::Applied {
            changes,
            events,
            invitees,
        })
    });
    match result {
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
        Ok(RowOutcome::Ignored) => report.ignored += 1,
        Ok(RowOutcome::Skipped) => {}
        Err(e) => {
            let message = e.to_string();
            tracing::warn!(id, error = %message, "webhook delivery failed to apply; will retry");
            // The apply rolled back; record the failure on its own. If even that cannot be
            // written, the store itself is failing: stop the pass and let the caller retry.
            store.with_tx(|tx| inbox::mark_failed(tx, id, &message, &stamp))?;
            report.failed += 1;
        }
    }
    Ok(())
}

/// Longest sleep between passes when nothing wakes the processor (a safety net only).
const IDLE_RECHECK: Duration = Duration::from_secs(600);

/// Processes the inbox until `shutdown` resolves: a pass at start, after every `notify` (the
/// receiver's commits) and when a failed row's back-off ends. Each pass that changed something is
/// sent on `reports`.
#[instrument(skip_all)]
pub async fn run(
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    notify: Arc<Notify>,
    config: ProcessorConfig,
    reports: mpsc::UnboundedSender<ProcessReport>,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    loop {
        let pass_store = store.clone();
        let pass_config = config.clone();
        let now = clock.now();
        let pass =
            tokio::task::spawn_blocking(move || process_due(&pass_store, now, &pass_config)).await;
        let next = match pass {
            Ok(Ok(report)) => {
                let next = report.next_retry_at;
                if !report.is_empty() {
                    let _ = reports.send(report);
                }
                next
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "webhook inbox pass failed; retrying later");
                Some(now + chrono::Duration::from_std(config.retry_base).unwrap_or_default())
            }
            Err(e) => {
                tracing::error!(error = %e, "webhook inbox pass panicked; retrying later");
                Some(now + chrono::Duration::from_std(config.retry_base).unwrap_or_default())
            }
        };
        let wait = next
            .map(|at| (at - clock.now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(IDLE_RECHECK)
            .min(IDLE_RECHECK);
        tokio::select! {
            _ = &mut shutdown => return,
            _ = notify.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
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
        }
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
