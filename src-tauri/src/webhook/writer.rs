//! The inbox writer: one task owns every inbox insert and commits whatever deliveries are queued
//! in one transaction (group commit), so concurrent deliveries share one fsync. Each delivery's
//! handler waits for the commit that holds its row before it answers 2xx.
//!
//! Every commit first reads `PRAGMA synchronous` on the connection it commits on and refuses to
//! commit (the deliveries are answered 503, so Calendly retries) unless it is FULL or EXTRA: a
//! 2xx promises the row survives a power cut, which only a synced WAL keeps.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

use crate::clock::{format_utc, Clock};
use crate::store::{inbox, Store, StoreError};

/// What happened to one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new row, committed.
    New,
    /// The same bytes were already stored (a Calendly retry); nothing written.
    Duplicate,
}

/// Why a delivery could not be stored; answered 503 so Calendly retries it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("the inbox could not be written: {0}")]
    Store(String),
    #[error("the receiver is shutting down")]
    Closed,
}

/// Bounds of the writer.
#[derive(Debug, Clone, Copy)]
pub struct WriterConfig {
    /// Deliveries waiting for the writer before handlers wait to enqueue.
    pub queue: usize,
    /// Most deliveries committed together.
    pub max_batch: usize,
}

impl Default for WriterConfig {
    fn default() -> Self {
        Self {
            queue: 1024,
            max_batch: 256,
        }
    }
}

/// Counters of the writer, for tests and diagnostics.
#[derive(Debug)]
pub struct WriterStats {
    commits: AtomicU64,
    failed_commits: AtomicU64,
    stored: AtomicU64,
    duplicates: AtomicU64,
    largest_batch: AtomicU64,
    /// `PRAGMA synchronous` of the connection of the last commit (-1 before the first).
    synchronous: AtomicI64,
}

impl Default for WriterStats {
    fn default() -> Self {
        Self {
            commits: AtomicU64::new(0),
            failed_commits: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            largest_batch: AtomicU64::new(0),
            synchronous: AtomicI64::new(-1),
        }
    }
}

/// A copy of [`WriterStats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterCounters {
    /// Transactions committed.
    pub commits: u64,
    /// Transactions that failed (every delivery in them was answered 503).
    pub failed_commits: u64,
    /// New rows.
    pub stored: u64,
    /// Deliveries whose bytes were already stored.
    pub duplicates: u64,
    /// Most deliveries in one transaction.
    pub largest_batch: u64,
    /// `PRAGMA synchronous` read inside the last commit's transaction, on the connection that
    /// committed it (2 = FULL); -1 before the first commit.
    pub synchronous: i64,
}

impl WriterStats {
    pub fn snapshot(&self) -> WriterCounters {
        WriterCounters {
            commits: self.commits.load(Ordering::Relaxed),
            failed_commits: self.failed_commits.load(Ordering::Relaxed),
            stored: self.stored.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            largest_batch: self.largest_batch.load(Ordering::Relaxed),
            synchronous: self.synchronous.load(Ordering::Relaxed),
        }
    }
}

/// The writer's signal to the inbox processor ([`super::processor::run`]): it wakes the processor
/// after every commit that stored a new delivery, and counts those commits, so a pass of the
/// processor can see that the receiver is still busy and leave it the database first.
#[derive(Debug, Default)]
pub struct Arrivals {
    wake: Notify,
    commits: AtomicU64,
}

impl Arrivals {
    /// A commit stored at least one new delivery.
    pub fn arrived(&self) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.wake.notify_one();
    }

    /// Commits that stored a new delivery so far.
    pub fn count(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Resolves at the next [`Arrivals::arrived`] (at once if one came since the last wait).
    pub async fn wait(&self) {
        self.wake.notified().await;
    }
}

struct Delivery {
    body: Bytes,
    signature: String,
    reply: oneshot::Sender<Result<Stored, WriteError>>,
}

/// The handlers' side of the writer; cheap to clone.
#[derive(Clone)]
pub struct InboxWriter {
    tx: mpsc::Sender<Delivery>,
}

impl InboxWriter {
    /// Queues a verified delivery and waits until its row is committed (or already was).
    pub async fn store(&self, body: Bytes, signature: String) -> Result<Stored, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Delivery {
                body,
                signature,
                reply,
            })
            .await
            .map_err(|_| WriteError::Closed)?;
        answer.await.unwrap_or(Err(WriteError::Closed))
    }
}

/// The running writer task.
pub struct WriterTask {
    close: oneshot::Sender<()>,
    join: JoinHandle<()>,
}

impl WriterTask {
    /// Stops taking deliveries, commits and answers those already queued, then returns.
    pub async fn finish(self) {
        let _ = self.close.send(());
        if let Err(e) = self.join.await {
            tracing::error!(error = %e, "webhook inbox writer ended abnormally");
        }
    }
}

/// Everything the writer needs.
pub struct WriterParts {
    pub store: Arc<Store>,
    pub clock: Arc<dyn Clock>,
    /// Told after every commit that stored a new row.
    pub arrivals: Arc<Arrivals>,
    pub stats: Arc<WriterStats>,
    pub config: WriterConfig,
}

/// Starts the writer task.
pub fn spawn(parts: WriterParts) -> (InboxWriter, WriterTask) {
    let (tx, rx) = mpsc::channel(parts.config.queue.max(1));
    let (close, close_rx) = oneshot::channel();
    let join = tokio::spawn(run(parts, rx, close_rx));
    (InboxWriter { tx }, WriterTask { close, join })
}

async fn run(
    parts: WriterParts,
    mut rx: mpsc::Receiver<Delivery>,
    mut close: oneshot::Receiver<()>,
) {
    let max_batch = parts.config.max_batch.max(1);
    let mut closing = false;
    loop {
        let first = if closing {
            rx.recv().await
        } else {
            tokio::select! {
                d = rx.recv() => d,
                _ = &mut close => {
                    // Refuse new deliveries; the ones already queued are still committed.
                    closing = true;
                    rx.close();
                    continue;
                }
            }
        };
        let Some(first) = first else {
            return;
        };
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match rx.try_recv() {
                Ok(d) => batch.push(d),
                Err(_) => break,
            }
        }
        commit(&parts, batch).await;
    }
}

/// Inserts every delivery of `batch` in one transaction, then answers each of them.
async fn commit(parts: &WriterParts, batch: Vec<Delivery>) {
    let received_at = format_utc(parts.clock.now());
    let (rows, replies): (Vec<(Bytes, String)>, Vec<_>) = batch
        .into_iter()
        .map(|d| ((d.body, d.signature), d.reply))
        .unzip();
    let size = u64::try_from(rows.len()).unwrap_or(u64::MAX);
    let store = parts.store.clone();
    let stats = parts.stats.clone();
    let joined = tokio::task::spawn_blocking(move || {
        store.with_tx(|tx| {
            let level: i64 = tx
                .prepare_cached("PRAGMA synchronous")?
                .query_row([], |r| r.get(0))?;
            stats.synchronous.store(level, Ordering::Relaxed);
            if level < SYNCHRONOUS_FULL {
                return Err(StoreError::Data(format!(
                    "the database is not synced to disk on commit (synchronous={level}); nothing is acknowledged until it is"
                )));
            }
            let mut out = Vec::with_capacity(rows.len());
            for (body, signature) in &rows {
                let sha = hex::encode(Sha256::digest(body));
                let name = event_name(body);
                out.push(inbox::insert(
                    tx,
                    body,
                    &sha,
                    signature,
                    name.as_deref(),
                    &received_at,
                )?);
            }
            Ok::<_, StoreError>(out)
        })
    })
    .await;
    let result = match joined {
        Ok(Ok(flags)) => Ok(flags),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the writer task failed: {e}")),
    };
    let stats = &parts.stats;
    match result {
        Ok(new_flags) => {
            stats.commits.fetch_add(1, Ordering::Relaxed);
            stats.largest_batch.fetch_max(size, Ordering::Relaxed);
            let mut any_new = false;
            for (reply, new) in replies.into_iter().zip(new_flags) {
                let stored = if new {
                    any_new = true;
                    stats.stored.fetch_add(1, Ordering::Relaxed);
                    Stored::New
                } else {
                    stats.duplicates.fetch_add(1, Ordering::Relaxed);
                    Stored::Duplicate
                };
                let _ = reply.send(Ok(stored));
            }
            tracing::debug!(deliveries = size, "webhook inbox commit");
            if any_new {
                parts.arrivals.arrived();
            }
        }
        Err(message) => {
            stats.failed_commits.fetch_add(1, Ordering::Relaxed);
            tracing::error!(deliveries = size, error = %message, "webhook inbox commit failed; answering 503 so Calendly retries");
            for reply in replies {
                let _ = reply.send(Err(WriteError::Store(message.clone())));
            }
        }
    }
}

/// `PRAGMA synchronous = FULL`: the WAL is synced at every commit.
const SYNCHRONOUS_FULL: i64 = 2;

/// The envelope's `event`, when the body is JSON that has one; kept in its own column so the
/// inbox can be read without parsing bodies.
pub(crate) fn event_name(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        event: Option<String>,
    }
    serde_json::from_slice::<Head>(body)
        .ok()
        .and_then(|h| h.event)
}

#[cfg(test)]
mod tests {
    use super::event_name;

    #[test]
    fn event_name_is_read_leniently() {
        assert_eq!(
            event_name(br#"{"event":"invitee.created","payload":{}}"#).as_deref(),
            Some("invitee.created")
        );
        assert_eq!(event_name(br#"{"payload":{}}"#), None);
        assert_eq!(event_name(br#"{"event":5}"#), None);
        assert_eq!(event_name(b"not json"), None);
    }
}
