//! The live service shared by `slotline serve` and the window: the webhook receiver and its
//! inbox processor, the tunnel (ngrok or a given public URL), the subscription lifecycle, and
//! reconcile at start, on a schedule and after a subscription was found disabled. Core reports
//! what happened on a channel; the caller prints it or turns it into window events.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::warn;

use crate::calendly::subscriptions::{self, Outcome};
use crate::calendly::Client;
use crate::clock::{format_utc, Clock, SystemClock};
use crate::connect::{self, ConnectError};
use crate::feed::WebhookStatus;
use crate::secrets::{Keyring, SecretKind, SecretStore};
use crate::store::account::Account;
use crate::store::{inbox, Store, StoreError};
use crate::sync::engine::{self, SyncOutcome, Window};
use crate::tunnel::{self, Exposure};
use crate::webhook::{process, KeyLabel, ProcessReport, Receiver, ReceiverConfig, ServerError};

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Where the receiver listens (loopback only).
    pub listen: SocketAddr,
    pub exposure: Exposure,
    pub reconcile_every: Duration,
    pub check_subscription_every: Duration,
}

/// What the live service reports.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A sentence for a person (the CLI prints these on stderr).
    Say(String),
    /// Deliveries were applied (or failed) after their ack.
    Applied(ProcessReport),
    /// A reconcile finished.
    Synced(SyncOutcome),
    /// The webhook status changed.
    Status(WebhookStatus),
}

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
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

/// A running live service. `stop()` ends it after in-flight deliveries are stored.
pub struct Live {
    local: Option<SocketAddr>,
    status: Arc<Mutex<WebhookStatus>>,
    store: Arc<Store>,
    stop: watch::Sender<bool>,
    resync: Arc<tokio::sync::Notify>,
    tasks: Vec<JoinHandle<()>>,
    server: Option<JoinHandle<Result<(), ServerError>>>,
}

struct Shared {
    store: Arc<Store>,
    secrets: Keyring,
    client: Arc<Client>,
    acct: Account,
    keys: KeyCache,
    status: Arc<Mutex<WebhookStatus>>,
    events: mpsc::UnboundedSender<LiveEvent>,
}

impl Shared {
    fn say(&self, s: impl Into<String>) {
        let _ = self.events.send(LiveEvent::Say(s.into()));
    }
    fn update(&self, f: impl FnOnce(&mut WebhookStatus)) {
        let snapshot = {
            let mut st = self.status.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut st);
            st.clone()
        };
        let _ = self.events.send(LiveEvent::Status(snapshot));
    }

    /// Makes sure our subscription points at `public`; returns its URI when webhooks are on.
    async fn subscribe(&self, public: &str) -> Option<String> {
        let callback = subscriptions::callback_url(public);
        let out = subscriptions::ensure(
            &self.client,
            &self.store,
            &self.secrets,
            &self.acct,
            &callback,
        )
        .await;
        self.keys.reload(&self.secrets);
        match out {
            Ok(Outcome::Kept(uri)) | Ok(Outcome::Created(uri)) => {
                self.say(format!(
                    "webhook subscription active ({uri}) for {callback}"
                ));
                self.update(|s| {
                    s.state = "receiving".into();
                    s.subscription = Some("active".into());
                    s.message = None;
                });
                Some(uri)
            }
            Ok(Outcome::Refused(why)) => {
                self.say(format!(
                    "Calendly refused webhooks ({why}); running on polling alone"
                ));
                self.update(|s| {
                    s.state = "polling".into();
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
                    s.state = "error".into();
                    s.message = Some(format!(
                        "Webhook subscription failed: {e}. Slotline polls instead."
                    ));
                });
                None
            }
        }
    }

    async fn reconcile(&self) {
        let now = SystemClock.now();
        match engine::sync(
            &self.client,
            &self.store,
            &self.acct.user_uri,
            &Window::around(now),
            now,
            |_| {},
        )
        .await
        {
            Ok(o) => {
                self.say(format!(
                    "reconciled {} events ({} changed)",
                    o.progress.events_seen, o.applied.events_changed
                ));
                let _ = self.events.send(LiveEvent::Synced(o));
            }
            Err(e) => self.say(format!("reconcile failed: {e}")),
        }
    }
}

impl Live {
    pub async fn start(
        store: Arc<Store>,
        secrets: Keyring,
        opts: LiveOptions,
        events: mpsc::UnboundedSender<LiveEvent>,
    ) -> Result<Live, LiveError> {
        if !opts.listen.ip().is_loopback() {
            return Err(LiveError::NotLoopback(opts.listen));
        }
        if let Exposure::PublicUrl(u) = &opts.exposure {
            if !u.starts_with("https://")
                && !u.starts_with("http://127.0.0.1")
                && !u.starts_with("http://localhost")
            {
                return Err(LiveError::BadPublicUrl(u.clone()));
            }
        }
        let (acct, client) = connect::client(&store, &secrets)?;
        let keys = KeyCache::default();
        keys.reload(&secrets);
        let status = Arc::new(Mutex::new(WebhookStatus {
            state: "polling".into(),
            ..WebhookStatus::default()
        }));
        let shared = Arc::new(Shared {
            store: store.clone(),
            secrets: secrets.clone(),
            client: Arc::new(client),
            acct,
            keys: keys.clone(),
            status: status.clone(),
            events: events.clone(),
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut tasks = Vec::new();
        let mut server = None;
        let mut local = None;

        if opts.exposure != Exposure::None {
            let listener = tokio::net::TcpListener::bind(opts.listen)
                .await
                .map_err(|e| LiveError::Listen {
                    addr: opts.listen,
                    reason: e.to_string(),
                })?;
            let addr = listener.local_addr().map_err(|e| LiveError::Listen {
                addr: opts.listen,
                reason: e.to_string(),
            })?;
            local = Some(addr);
            let cache = keys.clone();
            let receiver = Receiver::new(
                store.clone(),
                move || cache.get(),
                clock.clone(),
                ReceiverConfig::default(),
            );
            let (report_tx, mut report_rx) = mpsc::unbounded_channel();
            tasks.push(tokio::spawn(process::run(
                store.clone(),
                clock.clone(),
                receiver.notify(),
                process::ProcessorConfig::default(),
                report_tx,
                stopped(stop_rx.clone()),
            )));
            let server_stop = stopped(stop_rx.clone());
            server = Some(tokio::spawn(async move {
                receiver.serve(listener, server_stop).await
            }));
            shared.say(format!(
                "receiving Calendly webhooks at http://{addr}{}",
                crate::webhook::PATH
            ));
            let sh = shared.clone();
            tasks.push(tokio::spawn(async move {
                while let Some(r) = report_rx.recv().await {
                    if r.applied + r.failed + r.ignored == 0 {
                        continue;
                    }
                    sh.say(format!(
                        "applied {} deliveries ({} ignored, {} failed)",
                        r.applied, r.ignored, r.failed
                    ));
                    let (last, counts) = sh
                        .store
                        .read(|tx| {
                            Ok::<_, StoreError>((
                                inbox::last_received_at(tx)?,
                                inbox::state_counts(tx)?,
                            ))
                        })
                        .unwrap_or_default();
                    sh.update(|s| {
                        s.last_delivery = last;
                        s.pending = counts.pending;
                        s.failed = counts.failed;
                    });
                    let _ = sh.events.send(LiveEvent::Applied(r));
                }
            }));
        } else {
            shared.say("webhooks are off: Slotline reconciles with Calendly on a schedule");
        }

        let resync = Arc::new(tokio::sync::Notify::new());
        // Exposure: a fixed public URL, or an ngrok tunnel supervised with back-off.
        let public: watch::Sender<Option<String>> = watch::channel(None).0;
        match (&opts.exposure, local) {
            (Exposure::PublicUrl(u), Some(_)) => {
                shared.update(|s| {
                    s.tunnel = Some("public-url".into());
                    s.public_url = Some(u.clone());
                });
                public.send_replace(Some(u.clone()));
            }
            (
                Exposure::Ngrok {
                    authtoken,
                    domain,
                    server_addr,
                },
                Some(addr),
            ) => {
                let sh = shared.clone();
                let (authtoken, domain, server_addr) =
                    (authtoken.clone(), domain.clone(), server_addr.clone());
                let public = public.clone();
                let mut stop = stop_rx.clone();
                let resync = resync.clone();
                shared.update(|s| s.tunnel = Some("ngrok".into()));
                tasks.push(tokio::spawn(async move {
                    let mut backoff = Duration::from_secs(2);
                    loop {
                        let opened = tokio::select! {
                            _ = stop.changed() => return,
                            r = tunnel::open_ngrok(&authtoken, domain.as_deref(), server_addr.as_deref(), addr) => r,
                        };
                        match opened {
                            Ok(mut t) => {
                                backoff = Duration::from_secs(2);
                                let url = t.url().to_string();
                                sh.say(format!("ngrok tunnel up at {url}"));
                                sh.update(|s| {
                                    s.public_url = Some(url.clone());
                                    s.message = None;
                                });
                                public.send_replace(Some(url));
                                let why = tokio::select! {
                                    _ = stop.changed() => return,
                                    why = t.closed() => why,
                                };
                                sh.say(format!("ngrok tunnel down ({why}); reconnecting"));
                                sh.update(|s| {
                                    s.state = "error".into();
                                    s.message = Some(format!("The ngrok tunnel dropped ({why}); reconnecting, polling meanwhile."));
                                });
                                resync.notify_one();
                            }
                            Err(e) => {
                                sh.say(format!("ngrok: {e}"));
                                sh.update(|s| {
                                    s.state = "error".into();
                                    s.public_url = None;
                                    s.message = Some(e.to_string());
                                });
                            }
                        }
                        tokio::select! {
                            _ = stop.changed() => return,
                            _ = tokio::time::sleep(backoff) => {}
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(300));
                    }
                }));
            }
            _ => {}
        }

        // Subscription whenever the public URL changes; reconcile at start, on a schedule, and
        // after a subscription was found disabled or recreated.
        {
            let sh = shared.clone();
            let mut public_rx = public.subscribe();
            let mut stop = stop_rx.clone();
            let resync = resync.clone();
            let (reconcile_every, check_every) =
                (opts.reconcile_every, opts.check_subscription_every);
            tasks.push(tokio::spawn(async move {
                let _keep_sender = public;
                let mut subscription: Option<String> = None;
                let mut reconcile = tokio::time::interval(reconcile_every);
                let mut check = tokio::time::interval(check_every);
                check.tick().await;
                // A URL may already be there (public-url mode).
                let current = public_rx.borrow_and_update().clone();
                if let Some(url) = current {
                    subscription = sh.subscribe(&url).await;
                }
                sh.say("ready");
                loop {
                    tokio::select! {
                        _ = stop.changed() => return,
                        changed = public_rx.changed() => {
                            if changed.is_err() { continue; }
                            let url = public_rx.borrow_and_update().clone();
                            if let Some(url) = url {
                                subscription = sh.subscribe(&url).await;
                                reconcile.reset_immediately();
                            }
                        }
                        _ = resync.notified() => reconcile.reset_immediately(),
                        _ = reconcile.tick() => sh.reconcile().await,
                        _ = check.tick() => {
                            let Some(uri) = subscription.clone() else { continue };
                            match subscriptions::is_active(&sh.client, &uri).await {
                                Ok(true) => {}
                                Ok(false) => {
                                    sh.say("the webhook subscription was disabled; recreating it and reconciling");
                                    sh.update(|s| s.subscription = Some("disabled".into()));
                                    let url = sh.status.lock().unwrap_or_else(|e| e.into_inner()).public_url.clone();
                                    if let Some(url) = url {
                                        subscription = sh.subscribe(&url).await;
                                    }
                                    reconcile.reset_immediately();
                                }
                                Err(e) => warn!(error = %e, "could not check the subscription"),
                            }
                        }
                    }
                }
            }));
        }
        let _ = format_utc;
        Ok(Live {
            local,
            status,
            store,
            stop: stop_tx,
            resync,
            tasks,
            server,
        })
    }

    /// Where the receiver listens, when it runs.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.local
    }

    pub fn status(&self) -> WebhookStatus {
        let mut s = self
            .status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Ok((last, counts)) = self.store.read(|tx| {
            Ok::<_, StoreError>((inbox::last_received_at(tx)?, inbox::state_counts(tx)?))
        }) {
            s.last_delivery = last;
            s.pending = counts.pending;
            s.failed = counts.failed;
        }
        s
    }

    /// Asks for a reconcile now (the machine woke up, the network returned, the user asked).
    pub fn reconcile_now(&self) {
        self.resync.notify_one();
    }

    /// Stops accepting, stores in-flight deliveries, ends every task.
    pub async fn stop(self) -> Result<(), LiveError> {
        let _ = self.stop.send(true);
        let served = match self.server {
            Some(s) => s.await.ok(),
            None => None,
        };
        for t in self.tasks {
            let _ = t.await;
        }
        if let Some(r) = served {
            r?;
        }
        Ok(())
    }
}
