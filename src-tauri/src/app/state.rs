//! The app's managed state: config, store, keyring and the in-process sandbox when exploring.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Mutex;

use super::events::Emitter;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::connect;
use crate::explore;
use crate::feed::{StatusView, SyncReport};
use crate::sandbox::Sandbox;
use crate::secrets::{Keyring, SecretStore};
use crate::store::db::{self, StoreProblem};
use crate::store::{Store, StoreError};
use crate::sync::engine::{self, SyncProgress};

/// Opens the store for the window. When it cannot be opened, there is no `AppState` yet and the
/// [`Recovery`] holds the problem for the recovery screen; the app never exits or loops on it.
pub fn open(config: Config) -> (Option<AppState>, Recovery) {
    let path = config.db_path();
    match Store::open(&path) {
        Ok(store) => (
            Some(AppState::new(config.clone(), Arc::new(store))),
            Recovery::new(config, None),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "the store could not be opened; showing the recovery screen");
            let problem = StoreProblem::of(&path, &e);
            (None, Recovery::new(config, Some(problem)))
        }
    }
}

/// Always managed: what kept the store from opening, and the way out (move it aside, or retry).
pub struct Recovery {
    config: Config,
    problem: std::sync::Mutex<Option<StoreProblem>>,
}

impl Recovery {
    fn new(config: Config, problem: Option<StoreProblem>) -> Self {
        Self {
            config,
            problem: std::sync::Mutex::new(problem),
        }
    }

    pub fn problem(&self) -> Option<StoreProblem> {
        self.problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Moves the file aside first when `move_aside` (and it is offered), then opens the store.
    /// Answers where the file went and the state to manage; on failure the problem is updated.
    pub fn reopen(
        &self,
        move_aside: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Option<std::path::PathBuf>, AppState), StoreError> {
        let path = self.config.db_path();
        let offered = self.problem().is_some_and(|p| p.can_move_aside);
        let result = (|| {
            let moved = if move_aside && offered {
                db::move_aside(&path, now)?
            } else {
                None
            };
            let store = Store::open(&path)?;
            Ok((moved, store))
        })();
        let mut problem = self.problem.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok((moved, store)) => {
                *problem = None;
                if let Some(m) = &moved {
                    tracing::info!(moved_to = %m.display(), "the unusable store was moved aside");
                }
                Ok((moved, AppState::new(self.config.clone(), Arc::new(store))))
            }
            Err(e) => {
                *problem = Some(StoreProblem::of(&path, &e));
                Err(e)
            }
        }
    }
}

/// An OAuth authorization waiting for the browser.
pub struct OAuthInFlight {
    pub pending: crate::oauth::PendingAuthorization,
    pub app: crate::oauth::OAuthApp,
    pub cancel: tokio::sync::oneshot::Receiver<()>,
}

pub struct AppState {
    pub oauth: Mutex<Option<OAuthInFlight>>,
    pub oauth_cancel: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    pub config: Config,
    pub store: Arc<Store>,
    pub secrets: Keyring,
    pub sandbox: Mutex<Option<Sandbox>>,
    pub live: Mutex<Option<crate::live::Live>>,
    /// The local ICS feed's URL while it runs.
    pub ics_feed_url: std::sync::Mutex<Option<String>>,
    pub ics_feed_stop: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    pub syncing: AtomicBool,
}

impl AppState {
    pub fn new(config: Config, store: Arc<Store>) -> Self {
        let secrets = Keyring::new(config.profile());
        Self {
            oauth: Mutex::new(None),
            oauth_cancel: std::sync::Mutex::new(None),
            config,
            store,
            secrets,
            sandbox: Mutex::new(None),
            live: Mutex::new(None),
            ics_feed_url: std::sync::Mutex::new(None),
            ics_feed_stop: std::sync::Mutex::new(None),
            syncing: AtomicBool::new(false),
        }
    }

    pub fn status(&self) -> Result<StatusView, crate::store::StoreError> {
        let mut s = self.store.read(|tx| crate::feed::status(tx))?;
        s.syncing = self.syncing.load(Ordering::SeqCst);
        s.keyring = match self.secrets.check() {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        };
        if s.keyring == "ok" {
            s.last_refresh = connect::last_refresh(&self.secrets);
        }
        if let Ok(live) = self.live.try_lock() {
            s.webhooks = match live.as_ref() {
                Some(l) => l.status(),
                None => crate::feed::WebhookStatus {
                    state: "off".into(),
                    ..Default::default()
                },
            };
        }
        Ok(s)
    }

    /// At start: bring the sandbox back when the account is the sandbox, then reconcile.
    pub async fn resume(&self, emit: &Emitter<'_>) {
        let account = match self.store.read(|tx| crate::store::account::get(tx)) {
            Ok(Some(a)) => a,
            _ => return,
        };
        if account.is_sandbox {
            match explore::start(&self.config).await {
                Ok(sb) => {
                    if let Err(e) = connect::repoint(&self.store, &sb.base_url()) {
                        tracing::warn!(error = %e, "could not repoint the sandbox account");
                    }
                    *self.sandbox.lock().await = Some(sb);
                }
                Err(e) => tracing::warn!(error = %e, "the offline sandbox did not start"),
            }
        }
        if let Err(e) = self.sync_reporting(Some(emit)).await {
            tracing::warn!(error = %e, "sync at start failed");
        }
        emit.stale(&["events", "contacts", "status"]);
    }

    pub async fn sync(&self) -> Result<SyncReport, super::commands::IpcFailure> {
        self.sync_reporting(None).await
    }

    /// A sync over the window chosen in Settings; with `emit`, its progress reaches the window's
    /// progress bar.
    pub async fn sync_reporting(
        &self,
        emit: Option<&Emitter<'_>>,
    ) -> Result<SyncReport, super::commands::IpcFailure> {
        if self.syncing.swap(true, Ordering::SeqCst) {
            return Err(super::commands::IpcFailure::busy());
        }
        let result = async {
            let (acct, client) = connect::client(&self.store, &self.secrets)?;
            let now = SystemClock.now();
            let window = crate::prefs::load(&self.store)
                .unwrap_or_default()
                .sync_window(now);
            if let Some(emit) = emit {
                emit.progress(&SyncProgress::started());
            }
            let out = engine::sync(&client, &self.store, &acct.user_uri, &window, now, |p| {
                if let Some(emit) = emit {
                    emit.progress(&SyncProgress::of(p, true));
                }
            })
            .await;
            if let Some(emit) = emit {
                emit.progress(&match &out {
                    Ok(o) => SyncProgress::of(&o.progress, false),
                    Err(e) => SyncProgress {
                        error: Some(e.to_string()),
                        ..SyncProgress::default()
                    },
                });
            }
            let out = out?;
            Ok::<_, super::commands::IpcFailure>(SyncReport {
                pages: out.progress.pages,
                events_seen: out.progress.events_seen,
                invitee_requests: out.progress.invitee_requests,
                events_changed: out.applied.events_changed,
                activities_added: out.applied.activities_added,
            })
        }
        .await;
        self.syncing.store(false, Ordering::SeqCst);
        result
    }
}
