//! What the live service's tasks share: the account's client and runner, the status, the
//! signing keys the receiver accepts, and the subscription checks.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tracing::warn;

use super::types::LiveEvent;
use crate::calendly::client::ApiError;
use crate::calendly::subscriptions::{self, Outcome};
use crate::calendly::Client;
use crate::feed::{WebhookState, WebhookStatus};
use crate::secrets::{SecretKind, SecretStore};
use crate::store::account::Account;
use crate::store::db::{Health, Unusable};
use crate::store::{Store, StoreError};
use crate::sync::engine::SyncError;
use crate::sync::runner::SyncRunner;
use crate::wake::{self, Backoff};
use crate::webhook::KeyLabel;

/// A wait for a sentence: `1.5 s` below two seconds (tests use short ones), else `42 s`, `5 min`.
pub(super) fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(2) {
        format!("{:.1} s", d.as_secs_f32())
    } else {
        wake::human(d)
    }
}

type Keys = Vec<(KeyLabel, Vec<u8>)>;

/// The status message while Calendly cannot be reached.
pub(super) const OFFLINE: &str =
    "Calendly is unreachable (no network?); Slotline reconciles as soon as it answers again.";

/// The signing keys the receiver accepts, cached so deliveries never wait on the keyring.
#[derive(Clone, Default)]
pub(super) struct KeyCache(Arc<RwLock<Keys>>);

impl KeyCache {
    pub(super) fn reload(&self, secrets: &dyn SecretStore) {
        let mut keys = Vec::new();
        if let Ok(Some(k)) = secrets.get(SecretKind::WebhookSigningKey) {
            keys.push((KeyLabel::Subscription, k.into_bytes()));
        }
        if let Ok(Some(k)) = secrets.get(SecretKind::OAuthWebhookSigningKey) {
            keys.push((KeyLabel::OauthApp, k.into_bytes()));
        }
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = keys;
    }
    pub(super) fn get(&self) -> Keys {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The receiver reads the cached keys on its own thread: no keyring call per delivery.
impl crate::webhook::SigningKeys for KeyCache {
    fn signing_keys(&self) -> Keys {
        self.get()
    }

    fn in_memory(&self) -> bool {
        true
    }
}

/// How a reconcile ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reconciled {
    Done,
    /// Failed because Calendly could not be reached: retry when the network is back.
    NetworkDown,
    Failed,
}

pub(super) fn is_network(e: &SyncError) -> bool {
    matches!(e, SyncError::Api(ApiError::Network { .. }))
}

/// Network-return state: after a network failure, probe with back-off until Calendly answers.
pub(super) struct Net {
    pub(super) backoff: Backoff,
    pub(super) retry_at: Option<tokio::time::Instant>,
}

impl Net {
    pub(super) fn failed(&mut self) {
        self.retry_at = Some(tokio::time::Instant::now() + self.backoff.next_wait());
    }
    pub(super) fn ok(&mut self) {
        self.backoff.reset();
        self.retry_at = None;
    }
    /// Resolves when the next probe is due; never while the network is fine.
    pub(super) async fn due(&self) {
        match self.retry_at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    }
}

pub(super) struct Shared {
    pub(super) store: Arc<Store>,
    /// Our organization-scope subscription, as last ensured (checked beside the user one).
    pub(super) org_subscription: Mutex<Option<String>>,
    pub(super) runner: Arc<SyncRunner>,
    pub(super) secrets: Arc<dyn SecretStore>,
    pub(super) client: Arc<Client>,
    pub(super) acct: Account,
    pub(super) keys: KeyCache,
    pub(super) status: Arc<Mutex<WebhookStatus>>,
    pub(super) events: mpsc::UnboundedSender<LiveEvent>,
}

impl Shared {
    pub(super) fn say(&self, s: impl Into<String>) {
        let _ = self.events.send(LiveEvent::Say(s.into()));
    }
    pub(super) fn update(&self, f: impl FnOnce(&mut WebhookStatus)) {
        let snapshot = {
            let mut st = self.status.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut st);
            mark_damage(&self.store, &mut st);
            st.clone()
        };
        let _ = self.events.send(LiveEvent::Status(snapshot));
    }

    /// Makes sure our subscription points at `public`; returns its URI when webhooks are on.
    pub(super) async fn subscribe(&self, public: &str) -> Option<String> {
        let callback = subscriptions::callback_url(public);
        let out = subscriptions::ensure(
            &self.client,
            &self.store,
            self.secrets.as_ref(),
            &self.acct,
            &callback,
        )
        .await;
        self.keys.reload(self.secrets.as_ref());
        // A created subscription has a new key: the organization one must follow it.
        let rotated = matches!(out, Ok(Outcome::Created(_)));
        match out {
            Ok(Outcome::Kept(uri)) | Ok(Outcome::Created(uri)) => {
                self.say(format!(
                    "webhook subscription active ({uri}) for {callback}"
                ));
                let note = self.subscribe_organization(&callback, rotated).await;
                self.update(|s| {
                    s.state = WebhookState::Receiving;
                    s.subscription = Some("active".into());
                    s.message = note;
                });
                Some(uri)
            }
            Ok(Outcome::Refused(why)) => {
                self.say(format!(
                    "Calendly refused webhooks ({why}); running on polling alone"
                ));
                self.update(|s| {
                    s.state = WebhookState::Polling;
                    s.subscription = Some(format!("refused: {why}"));
                    s.message = Some(format!(
                        "Calendly refused webhooks: {why}. Slotline polls instead."
                    ));
                });
                None
            }
            Err(e) => {
                self.say(format!(
                    "could not set up the webhook subscription ({e}); running on polling alone"
                ));
                self.update(|s| {
                    s.state = WebhookState::Error;
                    s.message = Some(format!(
                        "Webhook subscription failed: {e}. Slotline polls meanwhile and tries the subscription again in a few minutes."
                    ));
                });
                None
            }
        }
    }

    /// The organization-scope subscription for routing form submissions, beside the user one.
    /// Returns a sentence for the status when routing form submissions cannot be received.
    pub(super) async fn subscribe_organization(
        &self,
        callback: &str,
        key_rotated: bool,
    ) -> Option<String> {
        let out = subscriptions::ensure_organization(
            &self.client,
            &self.store,
            self.secrets.as_ref(),
            &self.acct,
            callback,
            key_rotated,
        )
        .await;
        let (uri, note) = match out {
            Ok(Outcome::Kept(uri)) | Ok(Outcome::Created(uri)) => {
                self.say(format!(
                    "organization webhook subscription active ({uri}): routing form submissions arrive live"
                ));
                (Some(uri), None)
            }
            Ok(Outcome::Refused(why)) => {
                let note = format!(
                    "Routing form submissions are not received: Calendly refused the organization-wide subscription ({why}); it needs an organization admin or owner."
                );
                self.say(note.clone());
                (None, Some(note))
            }
            Err(e) => {
                let note = format!(
                    "Routing form submissions are not received: the organization-wide subscription failed ({e})."
                );
                self.say(note.clone());
                (None, Some(note))
            }
        };
        *self
            .org_subscription
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = uri;
        note
    }

    /// One reconcile over the window in Settings, through the process's one sync runner (its
    /// progress and outcome reach [`LiveEvent`]s from the runner's channel, whoever started it).
    pub(super) async fn reconcile(&self) -> Reconciled {
        match self.runner.run().await {
            Ok(_) => Reconciled::Done,
            Err(e) => {
                if is_network(&e) {
                    self.say(format!(
                        "reconcile failed, Calendly is unreachable ({e}); trying again when the network is back"
                    ));
                    self.update(|s| s.message = Some(OFFLINE.into()));
                    let _ = self.events.send(LiveEvent::Offline(e.to_string()));
                    Reconciled::NetworkDown
                } else {
                    self.say(format!("reconcile failed: {e}"));
                    Reconciled::Failed
                }
            }
        }
    }

    /// Whether Calendly answers at all (one cheap request).
    pub(super) async fn reachable(&self) -> bool {
        !matches!(self.client.me().await, Err(ApiError::Network { .. }))
    }
}

/// A damaged database outranks whatever else the status says: nothing can be stored.
pub(super) fn mark_damage(store: &Store, st: &mut WebhookStatus) {
    if let Health::Damaged(_) = store.health() {
        let e = StoreError::Unusable {
            path: store.path().display().to_string(),
            problem: Unusable::Corrupt,
        };
        st.state = WebhookState::Error;
        st.message = Some(capitalized(&e.to_string()));
    }
}

pub(super) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Checks our subscription's state; a disabled (or vanished) one is recreated. Returns `true`
/// when it was recreated, so the caller reconciles what the dead subscription missed.
pub(super) async fn check_subscription(sh: &Shared, subscription: &mut Option<String>) -> bool {
    let Some(uri) = subscription.clone() else {
        return retry_setup(sh, subscription).await;
    };
    let org = sh
        .org_subscription
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let active = match subscriptions::is_active(&sh.client, &uri).await {
        Ok(true) => match org {
            Some(org) => subscriptions::is_active(&sh.client, &org).await,
            None => Ok(true),
        },
        other => other,
    };
    match active {
        Ok(true) => false,
        Ok(false) => {
            sh.say("a webhook subscription was disabled; recreating it and reconciling");
            sh.update(|s| s.subscription = Some("disabled".into()));
            let url = sh
                .status
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .public_url
                .clone();
            if let Some(url) = url {
                *subscription = sh.subscribe(&url).await;
            }
            true
        }
        Err(e) => {
            warn!(error = %e, "could not check the subscription");
            false
        }
    }
}

/// With a public URL but no subscription because setting it up failed (a 5xx, a timeout, a
/// network error — not Calendly refusing webhooks for the plan or the role), tries again.
/// Answers whether it now has one, so the caller reconciles what was missed meanwhile.
pub(super) async fn retry_setup(sh: &Shared, subscription: &mut Option<String>) -> bool {
    let (url, refused) = {
        let s = sh.status.lock().unwrap_or_else(|e| e.into_inner());
        let refused = s
            .subscription
            .as_deref()
            .is_some_and(|v| v.starts_with("refused"));
        (s.public_url.clone(), refused)
    };
    let Some(url) = url.filter(|_| !refused) else {
        return false;
    };
    sh.say("trying the webhook subscription again");
    *subscription = sh.subscribe(&url).await;
    subscription.is_some()
}
