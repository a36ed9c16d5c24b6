//! One sync's shared state — its budget and counters — borrowed by every request it makes, and
//! the bounded executor its concurrent requests run on.

use std::future::Future;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::options::SyncOptions;
use super::pace::Budget;
use super::progress::Progress;
use crate::calendly::Client;
use crate::store::Store;

/// One sync's shared state: its budget and counters, borrowed by every request it makes.
pub(super) struct Run<'a> {
    pub(super) client: &'a Client,
    pub(super) store: &'a Store,
    pub(super) opts: &'a SyncOptions,
    pub(super) now: DateTime<Utc>,
    pub(super) budget: Mutex<Budget>,
    pub(super) stats: Stats,
}

#[derive(Debug, Default)]
pub(super) struct Stats {
    pub(super) requests: AtomicU32,
    pub(super) rate_limited: AtomicU32,
    pub(super) retries: AtomicU32,
    pub(super) invitee_requests: AtomicU32,
    pub(super) lookups: AtomicU32,
    pub(super) paced_ms: AtomicU64,
}

pub(super) fn bump(c: &AtomicU32) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// A poisoned lock still holds valid counters: a panicked request must not stop the sync.
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Run<'_> {
    /// The counters so far, into `p`.
    pub(super) fn fill(&self, p: &mut Progress) {
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
}

/// Runs `jobs` with at most `limit` in flight, on the calling task (they borrow the run, so
/// they cannot be spawned). Results come back in the jobs' order (`buffered`, the order-keeping
/// sibling of `buffer_unordered`); the first error ends the run and drops — cancels — the others.
pub(super) async fn bounded<T, E, F>(limit: usize, jobs: Vec<F>) -> Result<Vec<T>, E>
where
    F: Future<Output = Result<T, E>>,
{
    use futures::{StreamExt, TryStreamExt};
    futures::stream::iter(jobs)
        .buffered(limit.max(1))
        .try_collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
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
