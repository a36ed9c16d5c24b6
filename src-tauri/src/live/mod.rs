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

mod shared;
mod supervisors;
mod types;

use shared::{mark_damage, KeyCache, Net, Shared};

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::clock::{Clock, SystemClock};
use crate::connect;
use crate::feed::{WebhookState, WebhookStatus};
use crate::oauth::Relay;
use crate::secrets::SecretStore;
use crate::store::{inbox, Store, StoreError};
use crate::sync::runner::SyncRunner;
use crate::tunnel::Exposure;
use crate::wake::{self, Backoff};
use crate::webhook::{process, processor, Receiver, ReceiverConfig, ServerError};

pub use types::{LiveError, LiveEvent, LiveOptions, LiveTuning};

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
            state: WebhookState::Polling,
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
            let receiver = Receiver::new(
                store.clone(),
                keys.clone(),
                clock.clone(),
                ReceiverConfig::default(),
            )
            .with_routes(tuning.relay.router());
            let (report_tx, report_rx) = mpsc::unbounded_channel();
            tasks.push(tokio::spawn(processor::run(
                store.clone(),
                clock.clone(),
                receiver.arrivals(),
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
            tasks.push(supervisors::forward_reports(shared.clone(), report_rx));
        } else {
            shared.say("webhooks are off: Slotline reconciles with Calendly on a schedule");
            // Still the inbox processor: rows a crash left pending and deliveries an older
            // version kept unapplied are applied, and old bodies are pruned.
            let (report_tx, report_rx) = mpsc::unbounded_channel();
            tasks.push(tokio::spawn(processor::run(
                store.clone(),
                clock.clone(),
                Arc::new(crate::webhook::writer::Arrivals::default()),
                process::ProcessorConfig::default(),
                report_tx,
                stopped(stop_rx.clone()),
            )));
            tasks.push(supervisors::forward_reports(shared.clone(), report_rx));
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
                shared.update(|s| s.tunnel = Some("ngrok".into()));
                let ngrok = supervisors::Ngrok {
                    authtoken: authtoken.clone(),
                    domain: domain.clone(),
                    server_addr: server_addr.clone(),
                    timeout: tuning.tunnel_timeout,
                    retry_base: tuning.tunnel_retry_base,
                    retry_max: tuning.tunnel_retry_max,
                };
                tasks.push(supervisors::supervise_ngrok(
                    shared.clone(),
                    ngrok,
                    addr,
                    public.clone(),
                    stop_rx.clone(),
                    resync.clone(),
                ));
            }
            _ => {}
        }
        tasks.push(supervisors::forward_runs(
            shared.clone(),
            &runner,
            stop_rx.clone(),
        ));
        // The wake detector runs on its own task so a long reconcile never looks like sleep.
        let (woke_tx, woke_rx) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(wake::watch(
            tuning.clock.clone(),
            tuning.wake,
            woke_tx,
            stop_rx.clone(),
        )));
        let schedule = supervisors::Schedule {
            reconcile_every: opts.reconcile_every,
            check_subscription_every: opts.check_subscription_every,
            net: Net {
                backoff: Backoff::new(tuning.network_retry_base, tuning.network_retry_max),
                retry_at: None,
            },
        };
        tasks.push(supervisors::drive(
            shared,
            public,
            stop_rx,
            resync.clone(),
            woke_rx,
            schedule,
        ));
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
