//! One sync at a time per installation. Every trigger (start-up, wake, the periodic reconcile,
//! Sync now, the reconcile after a disabled subscription, `slotline sync`) calls
//! [`SyncRunner::run`]: a request that arrives while a run is going joins it and gets its
//! result, in this process through a shared future, across processes through a lock file beside
//! the database (the waiting process then reads the outcome the other one stored).
//!
//! Progress is published on a channel ([`SyncRunner::subscribe`]) whoever started the run, so
//! the window's progress bar follows a reconcile the live service began.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt, Shared};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::engine::{self, SyncError, SyncOptions, SyncOutcome, SyncProgress};
use crate::clock::{format_utc, Clock};
use crate::connect::Connection;
use crate::store::{private_file, sync_state, Store, StoreError};

/// The installation-wide sync lock, beside the database.
pub const SYNC_LOCK_FILE: &str = "sync.lock";
/// The last finished run's counts, as JSON (for a process that joined it).
const LAST_REPORT: &str = "last_sync_report";

/// What a run ends with; cloned to every caller that joined it.
pub type SyncResult = Result<SyncOutcome, Arc<SyncError>>;

/// What the runner publishes.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    Progress(SyncProgress),
    Finished(SyncResult),
}

/// The counts a finished run leaves in the store for whoever waited on it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredReport {
    pages: u32,
    events_seen: u32,
    invitee_requests: u32,
    events_changed: u32,
    activities_added: u32,
    rows_written: u64,
}

type Running = Shared<BoxFuture<'static, SyncResult>>;

pub struct SyncRunner {
    connection: Connection,
    store: Arc<Store>,
    options: SyncOptions,
    clock: Arc<dyn Clock>,
    lock_path: PathBuf,
    running: Mutex<Option<Running>>,
    events: broadcast::Sender<SyncEvent>,
    runs: AtomicU32,
}

impl SyncRunner {
    pub fn new(
        connection: Connection,
        store: Arc<Store>,
        options: SyncOptions,
        clock: Arc<dyn Clock>,
    ) -> Arc<Self> {
        let lock_path = store
            .path()
            .parent()
            .map(|d| d.join(SYNC_LOCK_FILE))
            .unwrap_or_else(|| PathBuf::from(SYNC_LOCK_FILE));
        Arc::new(Self {
            connection,
            store,
            options,
            clock,
            lock_path,
            running: Mutex::new(None),
            events: broadcast::channel(256).0,
            runs: AtomicU32::new(0),
        })
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Every run's progress and end, whoever started it.
    pub fn subscribe(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    /// Whether a run is going in this process.
    pub fn is_running(&self) -> bool {
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Whether another process of the installation holds the sync lock now.
    pub fn is_running_elsewhere(&self) -> bool {
        !self.is_running() && is_locked_elsewhere(&self.lock_path)
    }

    /// How many runs this process started (joined requests do not count).
    pub fn runs_started(&self) -> u32 {
        self.runs.load(Ordering::SeqCst)
    }

    /// Runs a sync, or joins the one going and answers its result.
    pub async fn run(self: &Arc<Self>) -> SyncResult {
        let running = {
            let mut slot = self.running.lock().unwrap_or_else(|e| e.into_inner());
            match slot.as_ref() {
                Some(run) => run.clone(),
                None => {
                    let me = self.clone();
                    // The run is a task of its own: a caller that stops waiting (the live service
                    // stopping, a window closed) neither cancels it halfway nor leaves the
                    // installation's sync lock held by a future nobody polls.
                    let task = tokio::spawn(async move {
                        let out = me.run_once().await;
                        // What the run parsed is freed now: give it back to the system.
                        crate::heap::release_free();
                        *me.running.lock().unwrap_or_else(|e| e.into_inner()) = None;
                        let _ = me.events.send(SyncEvent::Finished(out.clone()));
                        out
                    });
                    let run = async move {
                        task.await.unwrap_or_else(|e| {
                            Err(Arc::new(SyncError::Elsewhere(format!(
                                "the sync stopped unexpectedly: {e}"
                            ))))
                        })
                    }
                    .boxed()
                    .shared();
                    *slot = Some(run.clone());
                    run
                }
            }
        };
        running.await
    }

    async fn run_once(&self) -> SyncResult {
        let _ = self
            .events
            .send(SyncEvent::Progress(SyncProgress::started()));
        let lock = private_file::open_lock(&self.lock_path).map_err(|e| store_io(&e))?;
        let out = match try_lock(&lock).await {
            Ok(true) => {
                self.runs.fetch_add(1, Ordering::SeqCst);
                self.sync_here().await
            }
            Ok(false) => self.join_elsewhere(lock).await,
            Err(e) => Err(Arc::new(store_io(&e))),
        };
        let _ = self.events.send(SyncEvent::Progress(match &out {
            Ok(o) => SyncProgress::of(&o.progress, false),
            Err(e) => SyncProgress {
                error: Some(e.to_string()),
                ..SyncProgress::default()
            },
        }));
        out
    }

    async fn sync_here(&self) -> SyncResult {
        let now = self.clock.now();
        let window = crate::prefs::load(&self.store)
            .unwrap_or_default()
            .sync_window(now);
        let events = self.events.clone();
        let out = engine::sync_with(
            &self.connection.client,
            &self.store,
            &self.connection.account.user_uri,
            &window,
            now,
            &self.options,
            |p| {
                let _ = events.send(SyncEvent::Progress(SyncProgress::of(p, true)));
            },
        )
        .await
        .map_err(Arc::new)?;
        let report = StoredReport {
            pages: out.progress.pages,
            events_seen: out.progress.events_seen,
            invitee_requests: out.progress.invitee_requests,
            events_changed: out.applied.events_changed,
            activities_added: out.applied.activities_added,
            rows_written: out.applied.rows_written,
        };
        let json = serde_json::to_string(&report).unwrap_or_default();
        let stamp = format_utc(now);
        if let Err(e) = self
            .store
            .with_tx(|tx| sync_state::set(tx, LAST_REPORT, &json, &stamp))
        {
            tracing::warn!(error = %e, "could not record the sync's counts");
        }
        Ok(out)
    }

    /// Another process is syncing: wait until it is done and answer what it stored.
    async fn join_elsewhere(&self, lock: std::fs::File) -> SyncResult {
        tracing::info!("another Slotline process is syncing; waiting for its result");
        let waited = tokio::task::spawn_blocking(move || lock.lock())
            .await
            .map_err(|e| Arc::new(SyncError::Elsewhere(e.to_string())))?;
        waited.map_err(|e| Arc::new(store_io(&e)))?;
        let (error, report) = self
            .store
            .read(|tx| {
                Ok::<_, StoreError>((
                    sync_state::get(tx, sync_state::LAST_SYNC_ERROR)?,
                    sync_state::get(tx, LAST_REPORT)?,
                ))
            })
            .map_err(|e| Arc::new(SyncError::Store(e)))?;
        if let Some(e) = error {
            return Err(Arc::new(SyncError::Elsewhere(e)));
        }
        let r: StoredReport = report
            .and_then(|r| serde_json::from_str(&r).ok())
            .unwrap_or_default();
        let mut out = SyncOutcome {
            elsewhere: true,
            ..SyncOutcome::default()
        };
        out.progress.pages = r.pages;
        out.progress.events_seen = r.events_seen;
        out.progress.invitee_requests = r.invitee_requests;
        out.applied.events_changed = r.events_changed;
        out.applied.activities_added = r.activities_added;
        out.applied.rows_written = r.rows_written;
        Ok(out)
    }
}

fn store_io(e: &std::io::Error) -> SyncError {
    SyncError::Elsewhere(format!(
        "could not use the sync lock beside the database: {e}"
    ))
}

/// Takes the lock when it is free. A `status` probe of another process holds it for a moment
/// only, so a busy lock is tried a few times before it counts as another process's sync.
async fn try_lock(lock: &std::fs::File) -> std::io::Result<bool> {
    for attempt in 0..4 {
        match lock.try_lock() {
            Ok(()) => return Ok(true),
            Err(std::fs::TryLockError::WouldBlock) if attempt < 3 => {
                tokio::time::sleep(std::time::Duration::from_millis(25)).await
            }
            Err(std::fs::TryLockError::WouldBlock) => return Ok(false),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
    Ok(false)
}

/// Whether another process holds the lock at `path` (a probe that takes and drops it).
fn is_locked_elsewhere(path: &std::path::Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}
