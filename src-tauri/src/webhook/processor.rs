//! When the inbox processor runs a pass ([`super::process`] says what a pass does): at start,
//! after the receiver's commits once it pauses (or at most [`ProcessorConfig::max_lag`] into a
//! flood), when a failed row's back-off ends, and every ten minutes at least.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tracing::instrument;

use super::process::{process_pass, retry_unapplied, ProcessReport, ProcessorConfig};
use super::writer::Arrivals;
use crate::clock::Clock;
use crate::store::Store;

/// How often [`run`] prunes old bodies (besides its first pass).
const PRUNE_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Longest sleep between passes when nothing wakes the processor (a safety net only).
const IDLE_RECHECK: Duration = Duration::from_secs(600);

/// Processes the inbox until `shutdown` resolves: at start, every unapplied delivery is tried
/// again ([`retry_unapplied`]); then a pass after the receiver's commits (`arrivals`), once it
/// has been quiet for [`ProcessorConfig::settle`] or [`ProcessorConfig::max_lag`] after the
/// first of them; when a failed row's back-off ends; and at least every ten minutes. Old
/// bodies are pruned at the first pass and then at most once a minute.
/// Each pass that changed something is sent on `reports`.
#[instrument(skip_all)]
pub async fn run(
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    arrivals: Arc<Arrivals>,
    config: ProcessorConfig,
    reports: mpsc::UnboundedSender<ProcessReport>,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut first = true;
    let mut pruned_at: Option<DateTime<Utc>> = None;
    loop {
        let pass_store = store.clone();
        let pass_config = config.clone();
        let pass_clock = clock.clone();
        let pass_arrivals = arrivals.clone();
        let now = clock.now();
        let requeue = std::mem::replace(&mut first, false);
        // The first pass prunes (through `retry_unapplied`), then once a minute.
        let prune = pruned_at.is_none_or(|at| now - at >= PRUNE_EVERY);
        if prune {
            pruned_at = Some(now);
        }
        let pass = tokio::task::spawn_blocking(move || {
            if requeue {
                retry_unapplied(&pass_store, pass_clock.as_ref(), &pass_config)
            } else {
                process_pass(&pass_store, now, &pass_config, prune, Some(&pass_arrivals))
            }
        })
        .await;
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
            _ = arrivals.wait() => {
                // A delivery was committed: let the rest of a burst be acknowledged first.
                let deadline = tokio::time::Instant::now() + config.max_lag;
                loop {
                    let quiet = (tokio::time::Instant::now() + config.settle).min(deadline);
                    tokio::select! {
                        _ = &mut shutdown => return,
                        _ = arrivals.wait() => {
                            if tokio::time::Instant::now() >= deadline {
                                break;
                            }
                        }
                        _ = tokio::time::sleep_until(quiet) => break,
                    }
                }
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
