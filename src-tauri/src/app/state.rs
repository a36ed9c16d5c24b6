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
use crate::store::Store;
use crate::sync::engine::{self, Window};

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
        if let Err(e) = self.sync().await {
            tracing::warn!(error = %e, "sync at start failed");
        }
        emit.stale(&["events", "contacts", "status"]);
    }

    pub async fn sync(&self) -> Result<SyncReport, super::commands::IpcFailure> {
        if self.syncing.swap(true, Ordering::SeqCst) {
            return Err(super::commands::IpcFailure::busy());
        }
        let result = async {
            let (acct, client) = connect::client(&self.store, &self.secrets)?;
            let now = SystemClock.now();
            let out = engine::sync(
                &client,
                &self.store,
                &acct.user_uri,
                &Window::around(now),
                now,
                |_| {},
            )
            .await?;
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
