//! The live service's long-running tasks, one function each: the inbox processor's reports,
//! the ngrok tunnel with back-off, every sync run's progress, and the driver that keeps the
//! subscription and decides when to reconcile (at start, on a schedule, after a wake, when the
//! network returns, after a subscription was found disabled).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use super::shared::{check_subscription, seconds, Net, Reconciled, Shared, OFFLINE};
use super::types::LiveEvent;
use crate::feed::WebhookState;
use crate::store::{inbox, StoreError};
use crate::sync::runner::{SyncEvent, SyncRunner};
use crate::tunnel;
use crate::wake::{self, Backoff};
use crate::webhook::ProcessReport;

/// Turns the inbox processor's reports into sentences, status counts and [`LiveEvent`]s.
pub(super) fn forward_reports(
    sh: Arc<Shared>,
    mut report_rx: mpsc::UnboundedReceiver<ProcessReport>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while let Some(r) = report_rx.recv().await {
            if r.applied + r.failed + r.ignored == 0 {
                continue;
            }
            sh.say(format!(
                "applied {} deliveries ({} kept unapplied, {} failed)",
                r.applied, r.ignored, r.failed
            ));
            let (last, counts) = sh
                .store
                .read(|tx| {
                    Ok::<_, StoreError>((inbox::last_received_at(tx)?, inbox::state_counts(tx)?))
                })
                .unwrap_or_default();
            sh.update(|s| {
                s.last_delivery = last;
                s.pending = counts.pending;
                s.failed = counts.failed;
            });
            let _ = sh.events.send(LiveEvent::Applied(r));
        }
    })
}

/// How the ngrok tunnel is opened and reopened.
pub(super) struct Ngrok {
    pub authtoken: String,
    pub domain: Option<String>,
    pub server_addr: Option<String>,
    /// How long to wait for the ngrok service each time.
    pub timeout: Duration,
    pub retry_base: Duration,
    pub retry_max: Duration,
}

/// Keeps an ngrok tunnel to `addr` open: publishes its URL on `public`, and after a drop polls
/// (through `resync`) while it reconnects with back-off.
pub(super) fn supervise_ngrok(
    sh: Arc<Shared>,
    ngrok: Ngrok,
    addr: SocketAddr,
    public: watch::Sender<Option<String>>,
    mut stop: watch::Receiver<bool>,
    resync: Arc<Notify>,
) -> JoinHandle<()> {
    let Ngrok {
        authtoken,
        domain,
        server_addr,
        timeout,
        retry_base,
        retry_max,
    } = ngrok;
    tokio::spawn(async move {
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
                        s.state = WebhookState::Error;
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
                        s.state = WebhookState::Error;
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
    })
}

/// Every sync run's progress and outcome as [`LiveEvent`]s, whoever started it (this service,
/// Sync now, a request that joined it): subscribed before the first reconcile.
pub(super) fn forward_runs(
    sh: Arc<Shared>,
    runner: &SyncRunner,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut runs = runner.subscribe();
    tokio::spawn(async move {
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
    })
}

/// When the driver acts.
pub(super) struct Schedule {
    pub reconcile_every: Duration,
    pub check_subscription_every: Duration,
    pub net: Net,
}

/// The subscription whenever the public URL changes; a reconcile at start, on a schedule, after
/// a wake, when the network returns, and after a subscription was found disabled or recreated.
pub(super) fn drive(
    sh: Arc<Shared>,
    public: watch::Sender<Option<String>>,
    mut stop: watch::Receiver<bool>,
    resync: Arc<Notify>,
    mut woke_rx: mpsc::UnboundedReceiver<Duration>,
    schedule: Schedule,
) -> JoinHandle<()> {
    let mut public_rx = public.subscribe();
    let Schedule {
        reconcile_every,
        check_subscription_every: check_every,
        mut net,
    } = schedule;
    tokio::spawn(async move {
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
                        Some(tokio::select! {
                        // A reconcile in progress does not hold up a stop: the sync runner keeps
                        // the run for whoever asks next, and its pages are applied one by one.
                        _ = stop.changed() => return,
                        r = sh.reconcile() => r,
                    })
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
                    Some(tokio::select! {
                        // A reconcile in progress does not hold up a stop: the sync runner keeps
                        // the run for whoever asks next, and its pages are applied one by one.
                        _ = stop.changed() => return,
                        r = sh.reconcile() => r,
                    })
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
                        Some(tokio::select! {
                        // A reconcile in progress does not hold up a stop: the sync runner keeps
                        // the run for whoever asks next, and its pages are applied one by one.
                        _ = stop.changed() => return,
                        r = sh.reconcile() => r,
                    })
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
    })
}
