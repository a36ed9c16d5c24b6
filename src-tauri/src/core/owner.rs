//! The core object: what it owns, how it is built, and the calls every front shares (status,
//! sync, start). Connecting, the live service and the feed add their methods in sibling files.

use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use super::error::CoreError;
use super::events::{CoreEvent, ALL_DATA};
use super::parts::{FeedServer, SignIn};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::connect;
use crate::feed::{StaleTopic, StatusView, SyncReport, WebhookState, WebhookStatus};
use crate::live::{Live, LiveTuning};
use crate::secrets::{Keyring, SecretStore};
use crate::store::{Store, StoreError};
use crate::sync::engine::{SyncOptions, SyncOutcome};
use crate::sync::runner::{SyncEvent, SyncRunner};
use calendly_sandbox::Sandbox;

/// How the core's services are tuned: production uses the defaults, tests quick retries.
#[derive(Clone, Default)]
pub struct Tuning {
    pub sync: SyncOptions,
    /// The live service's clock, wake detection and retries (`runner` is always the core's).
    pub live: LiveTuning,
}

pub struct Core {
    pub(super) config: Config,
    pub(super) store: Arc<Store>,
    pub(super) secrets: Arc<dyn SecretStore>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) tuning: Tuning,
    pub(super) events: broadcast::Sender<CoreEvent>,
    /// The connected account's one connection and sync runner, built on first use and
    /// dropped when the account changes.
    pub(super) runner: Mutex<Option<Arc<SyncRunner>>>,
    pub(super) live: tokio::sync::Mutex<Option<Live>>,
    pub(super) sandbox: tokio::sync::Mutex<Option<Sandbox>>,
    pub(super) sign_in: SignIn,
    pub(super) feed: FeedServer,
}

impl Core {
    /// The core of the data directory `config` names, with the OS keyring.
    pub fn open(config: Config) -> Result<Arc<Self>, StoreError> {
        let store = Arc::new(Store::open(&config.db_path())?);
        let secrets = Arc::new(Keyring::new(config.profile()));
        Ok(Self::with_parts(config, store, secrets, Tuning::default()))
    }

    /// A core over an open store and any secret store (tests: one that refuses).
    pub fn with_parts(
        config: Config,
        store: Arc<Store>,
        secrets: Arc<dyn SecretStore>,
        tuning: Tuning,
    ) -> Arc<Self> {
        Arc::new(Self {
            config,
            store,
            secrets,
            clock: Arc::new(SystemClock),
            tuning,
            events: broadcast::channel(1024).0,
            runner: Mutex::new(None),
            live: tokio::sync::Mutex::new(None),
            sandbox: tokio::sync::Mutex::new(None),
            sign_in: SignIn::default(),
            feed: FeedServer::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Reads the store in one snapshot (the window's calendar, contacts and search).
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.store.read(f)
    }

    /// Everything the core reports from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<CoreEvent> {
        self.events.subscribe()
    }

    pub(super) fn emit(&self, event: CoreEvent) {
        let _ = self.events.send(event);
    }

    pub(super) fn stale(&self, what: &[StaleTopic]) {
        self.emit(CoreEvent::Stale(what.to_vec()));
    }

    pub(super) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The connected account's one sync runner (and connection): built on first use, shared
    /// by every caller of this process. Its progress is republished as [`CoreEvent`]s.
    pub fn runner(&self) -> Result<Arc<SyncRunner>, CoreError> {
        let mut slot = self.runner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let connection = connect::open_connection(&self.store, self.secrets.clone())?;
        let runner = SyncRunner::new(
            connection,
            self.store.clone(),
            self.tuning.sync.clone(),
            self.tuning.live.clock.clone(),
        );
        let mut runs = runner.subscribe();
        let events = self.events.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::RecvError;
            loop {
                match runs.recv().await {
                    Ok(SyncEvent::Progress(p)) => {
                        let _ = events.send(CoreEvent::Progress(p));
                    }
                    Ok(SyncEvent::Finished(_)) => {
                        let _ = events.send(CoreEvent::Stale(ALL_DATA.to_vec()));
                    }
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
        *slot = Some(runner.clone());
        Ok(runner)
    }

    /// Forgets the connection (the account changed); the next use opens the new one.
    pub(super) fn drop_connection(&self) {
        connect::clear_unsaved_sign_in(&self.config.data_dir);
        *self.runner.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub(super) fn current_runner(&self) -> Option<Arc<SyncRunner>> {
        self.runner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Syncs now, or joins the sync already running (here or in another Slotline process).
    pub async fn sync_outcome(&self) -> Result<SyncOutcome, CoreError> {
        Ok(self.runner()?.run().await?)
    }

    /// Sync now, as the window's button and `slotline sync` ask for it.
    pub async fn sync_now(&self) -> Result<SyncReport, CoreError> {
        let out = self.sync_outcome().await?;
        Ok(SyncReport {
            pages: out.progress.pages,
            events_seen: out.progress.events_seen,
            invitee_requests: out.progress.invitee_requests,
            events_changed: out.applied.events_changed,
            activities_added: out.applied.activities_added,
        })
    }

    /// The status line and `slotline status`: the account, the last sync, the keyring, the
    /// live service and a renewed sign-in the keyring has not taken yet.
    pub fn status(&self) -> Result<StatusView, StoreError> {
        let mut s = self.store.read(|tx| crate::feed::status(tx))?;
        let runner = self.current_runner();
        s.syncing = runner
            .as_ref()
            .is_some_and(|r| r.is_running() || r.is_running_elsewhere());
        s.keyring = match self.secrets.check() {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        };
        if s.keyring == "ok" {
            s.last_refresh = connect::last_refresh(self.secrets.as_ref());
        }
        s.token_warning = runner
            .as_ref()
            .and_then(|r| r.connection().session.as_ref())
            .and_then(|session| session.unsaved_warning())
            .or_else(|| connect::unsaved_sign_in(&self.config.data_dir));
        if let Ok(live) = self.live.try_lock() {
            s.webhooks = match live.as_ref() {
                Some(l) => l.status(),
                None => WebhookStatus {
                    state: WebhookState::Off,
                    ..Default::default()
                },
            };
        }
        Ok(s)
    }

    /// Offers a renewed sign-in the keyring refused to it again; answers whether it is saved.
    pub async fn save_pending_sign_in(&self) -> bool {
        match self
            .current_runner()
            .and_then(|r| r.connection().session.clone())
        {
            Some(session) => session.save_pending().await,
            None => true,
        }
    }

    /// At start (the window once it painted): bring the explored sandbox back, start the live
    /// service (its first reconcile is the sync at start, after it subscribed) and the ICS feed.
    /// Only when no live service could start does this sync itself: one reconcile at start, not
    /// two back to back (measured for issue 16: the second doubled the start-up's work).
    pub async fn start(self: &Arc<Self>) {
        if let Some(notice) = self.store.notice() {
            // Said once: the data folder or its files were readable by other users.
            self.emit(CoreEvent::Notice(super::notice::Notice {
                title: "Slotline made its data private".into(),
                body: super::notice::escape(notice),
            }));
        }
        let account = match self.store.read(|tx| crate::store::account::get(tx)) {
            Ok(Some(a)) => Some(a),
            _ => None,
        };
        if account.as_ref().is_some_and(|a| a.is_sandbox) {
            self.resume_sandbox().await;
        }
        self.restart_live().await;
        let live = self.live.lock().await.is_some();
        if account.is_some() && !live {
            if let Err(e) = self.sync_now().await {
                tracing::warn!(error = %e, "sync at start failed");
            }
        }
        if crate::prefs::load(&self.store)
            .map(|p| p.ics_feed)
            .unwrap_or(false)
        {
            self.apply_feed(true).await;
        }
        self.stale(&[StaleTopic::Events, StaleTopic::Contacts, StaleTopic::Status]);
        self.keep_offering_unsaved_sign_in();
    }

    /// A renewed sign-in the keyring refused is offered again every half minute even while
    /// no request to Calendly would (an idle app), and the window told once it is saved.
    fn keep_offering_unsaved_sign_in(self: &Arc<Self>) {
        let core = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                let Some(core) = core.upgrade() else { return };
                let pending = core
                    .current_runner()
                    .and_then(|r| r.connection().session.clone())
                    .is_some_and(|s| s.unsaved_warning().is_some());
                if pending && core.save_pending_sign_in().await {
                    core.stale(&[StaleTopic::Status]);
                }
            }
        });
    }

    /// Stops the live service and the feed (the app quits).
    pub async fn shut_down(&self) {
        if let Some(live) = self.live.lock().await.take() {
            let _ = live.stop().await;
        }
        self.feed.stop().await;
    }

    /// The first sync after connecting (its failure is the answer when `strict`), the live
    /// service restarted, the window told.
    pub(super) async fn after_connect(
        self: &Arc<Self>,
        strict: bool,
    ) -> Result<StatusView, CoreError> {
        self.drop_connection();
        match self.sync_now().await {
            Err(e) if strict => return Err(e),
            Err(e) => tracing::warn!(error = %e, "first sync after connecting failed"),
            Ok(_) => {}
        }
        self.restart_live().await;
        self.stale(&[StaleTopic::Events, StaleTopic::Contacts, StaleTopic::Status]);
        Ok(self.status()?)
    }
}
