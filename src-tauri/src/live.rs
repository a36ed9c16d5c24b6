//! The live service shared by `slotline serve` and the window: the webhook receiver and its
//! inbox processor, the tunnel (ngrok or a given public URL), the subscription lifecycle, and
//! reconcile at start, on a schedule, after the machine wakes or the network returns ([`wake`]),
//! and after a subscription was found disabled. Core reports what happened on a channel; the
//! caller prints it or turns it into window events.
//!
//! The receiver's router also serves `/oauth/callback` ([`Relay`]), so a Production Calendly
//! app can redirect to `https://<public domain>/oauth/callback` through the same tunnel.
//!
//! [`wake`]: crate::wake

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tracing::warn;

use crate::calendly::client::ApiError;
use crate::calendly::subscriptions::{self, Outcome};
use crate::calendly::Client;
use crate::clock::{Clock, SystemClock};
use crate::connect::{self, ConnectError};
use crate::feed::WebhookStatus;
use crate::oauth::Relay;
use crate::secrets::{SecretKind, SecretStore};
use crate::store::account::Account;
use crate::store::db::{Health, Unusable};
use crate::store::{inbox, Store, StoreError};
use crate::sync::engine::{SyncError, SyncOptions, SyncOutcome, SyncProgress};
use crate::sync::runner::{SyncEvent, SyncRunner};
use crate::tunnel::{self, Exposure};
use crate::wake::{self, Backoff, WakeOptions};
use crate::webhook::{process, KeyLabel, ProcessReport, Receiver, ReceiverConfig, ServerError};

#[derive(Debug, Clone)]
pub struct LiveOptions {
    /// Where the receiver listens (loopback only).
    pub listen: SocketAddr,
    pub exposure: Exposure,
    pub reconcile_every: Duration,
    pub check_subscription_every: Duration,
}

/// What the live service is built from beyond [`LiveOptions`]: production uses the defaults,
/// tests a fixed clock, fast ticks and quick retries.
#[derive(Clone)]
pub struct LiveTuning {
    /// The wall clock (the reconcile window is around its now; sleep shows as its jumps).
    pub clock: Arc<dyn Clock>,
    pub wake: WakeOptions,
    /// After a network error: the first wait before trying again, doubling up to `max`.
    pub network_retry_base: Duration,
    pub network_retry_max: Duration,
    pub sync: SyncOptions,
    /// Holds a pending OAuth sign-in whose redirect comes through the tunnel.
    pub relay: Relay,
    /// How long to wait for the ngrok service to answer each time the tunnel is opened.
    pub tunnel_timeout: Duration,
    /// After the tunnel failed to open or dropped: the first wait before reopening it, doubling
    /// up to `max` (reset once a tunnel is up).
    pub tunnel_retry_base: Duration,
    pub tunnel_retry_max: Duration,
    /// The process's one sync runner (and through it its one connection). `None`: the live
    /// service opens its own (tests that run it alone).
    pub runner: Option<Arc<SyncRunner>>,
}

impl Default for LiveTuning {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            wake: WakeOptions::default(),
            network_retry_base: Duration::from_secs(5),
            network_retry_max: Duration::from_secs(300),
            sync: SyncOptions::default(),
            relay: Relay::default(),
            tunnel_timeout: tunnel::CONNECT_TIMEOUT,
            tunnel_retry_base: Duration::from_secs(2),
            tunnel_retry_max: Duration::from_secs(300),
            runner: None,
        }
    }
}

/// A wait for a sentence: `1.5 s` below two seconds (tests use short ones), else `42 s`, `5 min`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(2) {
        format!("{:.1} s", d.as_secs_f32())
    } else {
        wake::human(d)
    }
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
    /// A reconcile's progress (first `running`, then after each page, then finished).
    Progress(SyncProgress),
    /// The machine was away (asleep) this long; a reconcile follows.
    Woke(Duration),
    /// A reconcile failed for lack of a network; it is retried with back-off.
    Offline(String),
    /// The network is back after a failure; a reconcile follows.
    NetworkBack,
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

/// The status message while Calendly cannot be reached.
const OFFLINE: &str =
    "Calendly is unreachable (no network?); Slotline reconciles as soon as it answers again.";

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
    relay: Relay,
    local: Option<SocketAddr>,
    status: Arc<Mutex<WebhookStatus>>,
    store: Arc<Store>,
    stop: watch::Sender<bool>,
    resync: Arc<tokio::sync::Notify>,
    tasks: Vec<JoinHandle<()>>,
    server: Option<JoinHandle<Result<(), ServerError>>>,
}

/// How a reconcile ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reconciled {
    Done,
    /// Failed because Calendly could not be reached: retry when the network is back.
    NetworkDown,
    Failed,
}

fn is_network(e: &SyncError) -> bool {
    matches!(e, SyncError::Api(ApiError::Network { .. }))
}

/// Network-return state: after a network failure, probe with back-off until Calendly answers.
struct Net {
    backoff: Backoff,
    retry_at: Option<tokio::time::Instant>,
}

impl Net {
    fn failed(&mut self) {
        self.retry_at = Some(tokio::time::Instant::now() + self.backoff.next_wait());
    }
    fn ok(&mut self) {
        self.backoff.reset();
        self.retry_at = None;
    }
    /// Resolves when the next probe is due; never while the network is fine.
    async fn due(&self) {
        match self.retry_at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    }
}

struct Shared {
    store: Arc<Store>,
    /// Our organization-scope subscription, as last ensured (checked beside the user one).
    org_subscription: Mutex<Option<String>>,
    runner: Arc<SyncRunner>,
    secrets: Arc<dyn SecretStore>,
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
            mark_damage(&self.store, &mut st);
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
                    s.state = "receiving".into();
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
                        "Webhook subscription failed: {e}. Slotline polls meanwhile and tries the subscription again in a few minutes."
                    ));
                });
                None
            }
        }
    }

    /// The organization-scope subscription for routing form submissions, beside the user one.
    /// Returns a sentence for the status when routing form submissions cannot be received.
    async fn subscribe_organization(&self, callback: &str, key_rotated: bool) -> Option<String> {
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
    async fn reconcile(&self) -> Reconciled {
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
    async fn reachable(&self) -> bool {
        !matches!(self.client.me().await, Err(ApiError::Network { .. }))
    }
}

impl Live {
    pub async fn start<S: SecretStore + Clone + 'static>(
        store: Arc<Store>,
        secrets: S,
        opts: LiveOptions,
        events: mpsc::UnboundedSender<LiveEvent>,
    ) -> Result<Live, LiveError> {
        Self::start_tuned(store, secrets, opts, events, LiveTuning::default()).await
    }

    /// [`Live::start`] with an explicit clock, wake detection, retries and sync options.
    pub async fn start_tuned<S: SecretStore + Clone + 'static>(
        store: Arc<Store>,
        secrets: S,
        opts: LiveOptions,
        events: mpsc::UnboundedSender<LiveEvent>,
        tuning: LiveTuning,
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
        let secrets: Arc<dyn SecretStore> = Arc::new(secrets);
        let runner = match tuning.runner.clone() {
            Some(r) => r,
            None => SyncRunner::new(
                connect::open_connection(&store, secrets.clone())?,
                store.clone(),
                tuning.sync.clone(),
                tuning.clock.clone(),
            ),
        };
        let (acct, client) = (
            runner.connection().account.clone(),
            runner.connection().client.clone(),
        );
        let keys = KeyCache::default();
        keys.reload(secrets.as_ref());
        let status = Arc::new(Mutex::new(WebhookStatus {
            state: "polling".into(),
            ..WebhookStatus::default()
        }));
        let shared = Arc::new(Shared {
            store: store.clone(),
            org_subscription: Mutex::new(None),
            runner: runner.clone(),
            secrets: secrets.clone(),
            client,
            acct,
            keys: keys.clone(),
            status: status.clone(),
            events: events.clone(),
        });
        // Opening read the header and the schema only: read every page now, off the start path
        // (it takes about a second on a big store). Damage then heads the status.
        {
            let sh = shared.clone();
            store.check_in_background(move |r| {
                if let Err(e @ StoreError::Unusable { .. }) = r {
                    // The mark it left makes the next start refuse the file: the window then
                    // opens on the recovery screen.
                    sh.say(format!(
                        "{e} (or quit and start Slotline again: it will offer to move the file aside)"
                    ));
                    sh.update(|_| {});
                }
            });
        }
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        // Deliveries are checked against the real time: a signature's `t` is real.
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
            )
            .with_routes(tuning.relay.router());
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
                let (timeout, retry_base, retry_max) = (
                    tuning.tunnel_timeout,
                    tuning.tunnel_retry_base,
                    tuning.tunnel_retry_max,
                );
                tasks.push(tokio::spawn(async move {
                    let mut backoff = Backoff::new(retry_base, retry_max);
                    loop {
                        let opened = tokio::select! {
                            _ = stop.changed() => return,
                            r = tunnel::open_ngrok_within(&authtoken, domain.as_deref(), server_addr.as_deref(), addr, timeout) => r,
                        };
                        let wait = match opened {
                            Ok(mut t) => {
                                backoff.reset();
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
                                let wait = backoff.next_wait();
                                sh.say(format!(
                                    "ngrok tunnel down ({why}); reconnecting in {}, polling Calendly meanwhile",
                                    seconds(wait)
                                ));
                                sh.update(|s| {
                                    s.state = "error".into();
                                    s.public_url = None;
                                    s.message = Some(format!(
                                        "The ngrok tunnel dropped ({why}). Reconnecting in {}; Slotline polls Calendly meanwhile.",
                                        seconds(wait)
                                    ));
                                });
                                // What the dead tunnel missed comes in by polling.
                                resync.notify_one();
                                wait
                            }
                            Err(e) => {
                                let wait = backoff.next_wait();
                                sh.say(format!("ngrok: {e}; reconnecting in {}", seconds(wait)));
                                sh.update(|s| {
                                    s.state = "error".into();
                                    s.public_url = None;
                                    s.message = Some(format!(
                                        "The ngrok tunnel is down: {e}. Reconnecting in {}.",
                                        seconds(wait)
                                    ));
                                });
                                wait
                            }
                        };
                        tokio::select! {
                            _ = stop.changed() => return,
                            _ = tokio::time::sleep(wait) => {}
                        }
                    }
                }));
            }
            _ => {}
        }

        // Every run's progress and outcome, whoever started it (this service, Sync now, the CLI's
        // request that joined it): subscribed before the first reconcile below.
        {
            let sh = shared.clone();
            let mut runs = runner.subscribe();
            let mut stop = stop_rx.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    let event = tokio::select! {
                        _ = stop.changed() => return,
                        e = runs.recv() => e,
                    };
                    match event {
                        Ok(SyncEvent::Progress(p)) => {
                            let _ = sh.events.send(LiveEvent::Progress(p));
                        }
                        Ok(SyncEvent::Finished(Ok(o))) => {
                            sh.say(format!(
                                "reconciled {} events ({} changed)",
                                o.progress.events_seen, o.applied.events_changed
                            ));
                            let _ = sh.events.send(LiveEvent::Synced(o));
                        }
                        Ok(SyncEvent::Finished(Err(_)))
                        | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    }
                }
            }));
        }

        // The wake detector runs on its own task so a long reconcile never looks like sleep.
        let (woke_tx, mut woke_rx) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(wake::watch(
            tuning.clock.clone(),
            tuning.wake,
            woke_tx,
            stop_rx.clone(),
        )));

        // Subscription whenever the public URL changes; reconcile at start, on a schedule, after
        // a wake, when the network returns, and after a subscription was found disabled or
        // recreated.
        {
            let sh = shared.clone();
            let mut public_rx = public.subscribe();
            let mut stop = stop_rx.clone();
            let resync = resync.clone();
            let (reconcile_every, check_every) =
                (opts.reconcile_every, opts.check_subscription_every);
            let mut net = Net {
                backoff: Backoff::new(tuning.network_retry_base, tuning.network_retry_max),
                retry_at: None,
            };
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
                    let ran = tokio::select! {
                        _ = stop.changed() => return,
                        changed = public_rx.changed() => {
                            if changed.is_err() { continue; }
                            let url = public_rx.borrow_and_update().clone();
                            if let Some(url) = url {
                                subscription = sh.subscribe(&url).await;
                                reconcile.reset_immediately();
                            }
                            None
                        }
                        _ = resync.notified() => {
                            reconcile.reset_immediately();
                            None
                        }
                        _ = reconcile.tick() => {
                            if net.retry_at.is_some() {
                                // Offline: the network probe reconciles once Calendly answers.
                                None
                            } else {
                                Some(sh.reconcile().await)
                            }
                        }
                        Some(away) = woke_rx.recv() => {
                            sh.say(format!(
                                "the machine was away for {}; checking the subscription and reconciling",
                                wake::human(away)
                            ));
                            let _ = sh.events.send(LiveEvent::Woke(away));
                            check_subscription(&sh, &mut subscription).await;
                            // The wake's reconcile replaces the next scheduled one.
                            reconcile.reset();
                            Some(sh.reconcile().await)
                        }
                        _ = net.due() => {
                            if sh.reachable().await {
                                sh.say("the network is back; reconciling");
                                sh.update(|s| {
                                    if s.message.as_deref() == Some(OFFLINE) {
                                        s.message = None;
                                    }
                                });
                                let _ = sh.events.send(LiveEvent::NetworkBack);
                                net.ok();
                                let url = sh.status.lock().unwrap_or_else(|e| e.into_inner()).public_url.clone();
                                match (&subscription, url) {
                                    (None, Some(url)) => subscription = sh.subscribe(&url).await,
                                    _ => {
                                        check_subscription(&sh, &mut subscription).await;
                                    }
                                }
                                reconcile.reset();
                                Some(sh.reconcile().await)
                            } else {
                                net.failed();
                                None
                            }
                        }
                        _ = check.tick() => {
                            if check_subscription(&sh, &mut subscription).await {
                                reconcile.reset_immediately();
                            }
                            None
                        }
                    };
                    match ran {
                        // Calendly answered (even with an error): the network is there.
                        Some(Reconciled::Done) | Some(Reconciled::Failed) => net.ok(),
                        Some(Reconciled::NetworkDown) => net.failed(),
                        None => {}
                    }
                }
            }));
        }
        Ok(Live {
            relay: tuning.relay,
            local,
            status,
            store,
            stop: stop_tx,
            resync,
            tasks,
            server,
        })
    }

    /// The slot for a sign-in whose redirect comes through the tunnel
    /// (`https://<public domain>/oauth/callback`), served while the receiver runs.
    pub fn oauth_relay(&self) -> Relay {
        self.relay.clone()
    }

    /// The public URL deliveries (and a relayed OAuth redirect) reach the receiver at.
    pub fn public_url(&self) -> Option<String> {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .public_url
            .clone()
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
        mark_damage(&self.store, &mut s);
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

/// A damaged database outranks whatever else the status says: nothing can be stored.
fn mark_damage(store: &Store, st: &mut WebhookStatus) {
    if let Health::Damaged(_) = store.health() {
        let e = StoreError::Unusable {
            path: store.path().display().to_string(),
            problem: Unusable::Corrupt,
        };
        st.state = "error".into();
        st.message = Some(capitalized(&e.to_string()));
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Checks our subscription's state; a disabled (or vanished) one is recreated. Returns `true`
/// when it was recreated, so the caller reconciles what the dead subscription missed.
async fn check_subscription(sh: &Shared, subscription: &mut Option<String>) -> bool {
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
async fn retry_setup(sh: &Shared, subscription: &mut Option<String>) -> bool {
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
