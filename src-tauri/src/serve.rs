//! `slotline serve`: the webhook receiver, the subscription lifecycle and periodic reconcile,
//! headless. Stops cleanly on shutdown after in-flight deliveries are stored.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tracing::warn;

use crate::calendly::subscriptions::{self, Outcome};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::connect::{self, ConnectError};
use crate::secrets::{Keyring, SecretKind, SecretStore};
use crate::store::{Store, StoreError};
use crate::sync::engine::{self, Window};
use crate::webhook::{process, KeyLabel, Receiver, ReceiverConfig, ServerError};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub public_url: Option<String>,
    pub reconcile_every: Duration,
    pub check_subscription_every: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("the webhook receiver only listens on loopback addresses, not {0}; put a tunnel or reverse proxy in front of it")]
    NotLoopback(SocketAddr),
    #[error("could not listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("the public URL must be an https:// URL (Calendly only delivers to public HTTPS addresses): {0}")]
    BadPublicUrl(String),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Server(#[from] ServerError),
}

type Keys = Vec<(KeyLabel, Vec<u8>)>;

/// The signing keys the receiver accepts, cached so deliveries never wait on the keyring.
#[derive(Clone, Default)]
struct KeyCache(Arc<RwLock<Keys>>);

impl KeyCache {
    fn reload(&self, secrets: &dyn SecretStore) {
        let mut keys = Vec::new();
        if let Ok(Some(k)) = secrets.get(SecretKind::WebhookSigningKey) {
            keys.push((KeyLabel::Subscription, k.into_bytes()));
        }
        if let Ok(Some(k)) = secrets.get(SecretKind::OAuthWebhookSigningKey) {
            keys.push((KeyLabel::OauthApp, k.into_bytes()));
        }
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = keys;
    }
    fn get(&self) -> Keys {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Runs until `shutdown` resolves. Progress goes to `say` (stderr for the CLI).
pub async fn serve(
    config: &Config,
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    say: impl Fn(&str) + Send + Sync + 'static,
) -> Result<(), ServeError> {
    if !opts.listen.ip().is_loopback() {
        return Err(ServeError::NotLoopback(opts.listen));
    }
    if let Some(u) = &opts.public_url {
        if !u.starts_with("https://")
            && !u.starts_with("http://127.0.0.1")
            && !u.starts_with("http://localhost")
        {
            return Err(ServeError::BadPublicUrl(u.clone()));
        }
    }
    let store = Arc::new(Store::open(&config.db_path())?);
    let secrets = Keyring::new(config.profile());
    let (acct, client) = connect::client(&store, &secrets)?;
    let client = Arc::new(client);
    let keys = KeyCache::default();
    keys.reload(&secrets);

    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|e| ServeError::Listen {
            addr: opts.listen,
            reason: e.to_string(),
        })?;
    let local = listener.local_addr().map_err(|e| ServeError::Listen {
        addr: opts.listen,
        reason: e.to_string(),
    })?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let cache = keys.clone();
    let receiver = Receiver::new(
        store.clone(),
        move || cache.get(),
        clock.clone(),
        ReceiverConfig::default(),
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    let stopped = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|v| *v).await;
    };
    let notify = receiver.notify();
    let (report_tx, mut report_rx) = mpsc::unbounded_channel();
    let processor = tokio::spawn(process::run(
        store.clone(),
        clock.clone(),
        notify,
        process::ProcessorConfig::default(),
        report_tx,
        stopped(stop_rx.clone()),
    ));
    let server_stop = stopped(stop_rx.clone());
    let server = tokio::spawn(async move { receiver.serve(listener, server_stop).await });
    let say = Arc::new(say);
    say(&format!(
        "serve: receiving Calendly webhooks at http://{local}{}",
        crate::webhook::PATH
    ));

    let subscription = match &opts.public_url {
        Some(public) => {
            let callback = subscriptions::callback_url(public);
            match subscriptions::ensure(&client, &store, &secrets, &acct, &callback).await {
                Ok(Outcome::Kept(uri)) => {
                    say(&format!(
                        "serve: webhook subscription active ({uri}) for {callback}"
                    ));
                    Some(uri)
                }
                Ok(Outcome::Created(uri)) => {
                    say(&format!(
                        "serve: webhook subscription created ({uri}) for {callback}"
                    ));
                    Some(uri)
                }
                Ok(Outcome::Refused(why)) => {
                    say(&format!(
                        "serve: Calendly refused webhooks ({why}); running on polling alone"
                    ));
                    None
                }
                Err(e) => {
                    say(&format!("serve: could not set up the webhook subscription ({e}); running on polling alone"));
                    None
                }
            }
        }
        None => {
            say("serve: no --public-url: Calendly cannot reach this machine, so Slotline runs on polling alone");
            None
        }
    };
    keys.reload(&secrets);
    say("serve: ready");

    // Reconcile now, then on a schedule; check the subscription for `disabled` meanwhile.
    let background = {
        let (store, client, say, secrets, keys) = (
            store.clone(),
            client.clone(),
            say.clone(),
            secrets.clone(),
            keys.clone(),
        );
        let acct = acct.clone();
        let public = opts.public_url.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut subscription = subscription;
            let mut reconcile = tokio::time::interval(opts.reconcile_every);
            let mut check = tokio::time::interval(opts.check_subscription_every);
            check.tick().await;
            loop {
                tokio::select! {
                    _ = stop.changed() => return,
                    _ = reconcile.tick() => {
                        let now = SystemClock.now();
                        match engine::sync(&client, &store, &acct.user_uri, &Window::around(now), now, |_| {}).await {
                            Ok(o) => say(&format!("serve: reconciled {} events ({} changed)", o.progress.events_seen, o.applied.events_changed)),
                            Err(e) => say(&format!("serve: reconcile failed: {e}")),
                        }
                    }
                    _ = check.tick() => {
                        let (Some(uri), Some(public)) = (subscription.clone(), public.clone()) else { continue };
                        match subscriptions::is_active(&client, &uri).await {
                            Ok(true) => {}
                            Ok(false) => {
                                say("serve: the webhook subscription was disabled; recreating it and reconciling");
                                let callback = subscriptions::callback_url(&public);
                                match subscriptions::ensure(&client, &store, &secrets, &acct, &callback).await {
                                    Ok(Outcome::Created(u)) | Ok(Outcome::Kept(u)) => subscription = Some(u),
                                    Ok(Outcome::Refused(_)) => subscription = None,
                                    Err(e) => say(&format!("serve: could not recreate the subscription: {e}")),
                                }
                                keys.reload(&secrets);
                                reconcile.reset_immediately();
                            }
                            Err(e) => warn!(error = %e, "could not check the subscription"),
                        }
                    }
                }
            }
        })
    };

    let reports = {
        let say = say.clone();
        tokio::spawn(async move {
            while let Some(r) = report_rx.recv().await {
                if r.applied + r.failed + r.ignored > 0 {
                    say(&format!(
                        "serve: applied {} deliveries ({} ignored, {} failed)",
                        r.applied, r.ignored, r.failed
                    ));
                }
            }
        })
    };

    shutdown.await;
    say("serve: stopping");
    let _ = stop_tx.send(true);
    let served = server.await;
    let _ = processor.await;
    let _ = background.await;
    reports.abort();
    match served {
        Ok(r) => r?,
        Err(e) => warn!(error = %e, "receiver task failed"),
    }
    Ok(())
}
