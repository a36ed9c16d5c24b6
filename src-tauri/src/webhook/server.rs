//! Serving the receiver: on a loopback listener the caller bound, until the caller's shutdown
//! future resolves. It never knows whether a tunnel is in front of it. On shutdown it stops
//! accepting, lets in-flight deliveries finish (their rows are committed before their 2xx),
//! commits whatever is still queued, then returns.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::instrument;

use axum::serve::ListenerExt;

use super::admission::{Admission, AdmissionLimits};
use super::deadline::DeadlineListener;
use super::ratelimit::{is_loopback, FailureThrottle, RateLimit};
use super::refusals::Refusals;
use super::routes::{self, RouteState};
use super::verify::{SigningKeys, TOLERANCE};
use super::writer::{self, Arrivals, WriterConfig, WriterCounters, WriterParts, WriterStats};
use crate::clock::Clock;
use crate::store::Store;

/// Limits and timings of the receiver.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// Larger bodies are refused with 413 before they are read.
    pub max_body_bytes: usize,
    /// How far a signature's `t` may be from now.
    pub tolerance: Duration,
    /// How long a request's body may take to arrive once its headers are in (408 after).
    pub body_timeout: Duration,
    /// A connection silent this long is closed.
    pub idle_timeout: Duration,
    /// A request still arriving this long after its first byte (headers included) has its
    /// connection closed: the guard against senders that trickle their headers.
    pub request_timeout: Duration,
    /// Failed requests one source may send before it is throttled (never charged by, never
    /// applied to, a delivery whose signature verifies).
    pub failure_limit: RateLimit,
    /// Failed requests the whole receiver tolerates from sources without a recent genuine
    /// delivery.
    pub global_failure_limit: RateLimit,
    /// What request bodies in flight may hold.
    pub inflight: AdmissionLimits,
    /// How often the refusals are summarised in the log (one line, counts per reason).
    pub refusal_summary_every: Duration,
    pub writer: WriterConfig,
    /// After shutdown, how long in-flight requests may take before their connections are dropped.
    pub drain_timeout: Duration,
}

impl Default for ReceiverConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            tolerance: TOLERANCE,
            // A 1 MiB body arrives in well under a second on any link Calendly would use; a
            // sender still trickling after this is holding the handler on purpose.
            body_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            failure_limit: RateLimit::PER_SOURCE,
            global_failure_limit: RateLimit::GLOBAL,
            inflight: AdmissionLimits::default(),
            refusal_summary_every: Duration::from_secs(60),
            writer: WriterConfig::default(),
            // Calendly gives up on a delivery after 15 s anyway.
            drain_timeout: Duration::from_secs(15),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the webhook receiver only listens on loopback (127.0.0.1 or ::1), not {0}; put a tunnel in front of it to reach it from outside")]
    NotLoopback(SocketAddr),
    #[error("cannot read the listener's address: {0}")]
    Listener(std::io::Error),
    #[error("the webhook receiver stopped: {0}")]
    Serve(std::io::Error),
}

/// The webhook receiver: everything it needs, with the processor's wake-up and the writer's
/// counters available before and after it runs. Cheap to clone.
#[derive(Clone)]
pub struct Receiver {
    store: Arc<Store>,
    keys: Arc<dyn SigningKeys>,
    clock: Arc<dyn Clock>,
    config: ReceiverConfig,
    arrivals: Arc<Arrivals>,
    stats: Arc<WriterStats>,
    /// More routes served on the same listener (the OAuth redirect behind the tunnel).
    extra: Option<axum::Router>,
}

impl Receiver {
    /// Serves `routes` beside the webhook route (they must not add a fallback).
    pub fn with_routes(mut self, routes: axum::Router) -> Self {
        self.extra = Some(routes);
        self
    }

    pub fn new(
        store: Arc<Store>,
        keys: impl SigningKeys + 'static,
        clock: Arc<dyn Clock>,
        config: ReceiverConfig,
    ) -> Self {
        Self {
            store,
            keys: Arc::new(keys),
            clock,
            config,
            arrivals: Arc::new(Arrivals::default()),
            stats: Arc::new(WriterStats::default()),
            extra: None,
        }
    }

    /// Told after every commit that stored a new delivery: hand it to
    /// [`super::processor::run`].
    pub fn arrivals(&self) -> Arc<Arrivals> {
        self.arrivals.clone()
    }

    /// Commits, stored rows, duplicates and failures so far.
    pub fn counters(&self) -> WriterCounters {
        self.stats.snapshot()
    }

    /// Serves `POST /webhooks/calendly` on `listener` until `shutdown` resolves, then drains and
    /// returns. Refuses a listener that is not on a loopback address.
    #[instrument(skip_all, fields(addr))]
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let addr = listener.local_addr().map_err(ServerError::Listener)?;
        if !is_loopback(addr.ip()) {
            return Err(ServerError::NotLoopback(addr));
        }
        tracing::Span::current().record("addr", tracing::field::display(addr));
        let (writer, writer_task) = writer::spawn(WriterParts {
            store: self.store.clone(),
            clock: self.clock.clone(),
            arrivals: self.arrivals.clone(),
            stats: self.stats.clone(),
            config: self.config.writer,
        });
        let refusals = Arc::new(Refusals::default());
        let summaries = {
            let refusals = refusals.clone();
            let every = self
                .config
                .refusal_summary_every
                .max(Duration::from_millis(10));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                tick.tick().await;
                loop {
                    tick.tick().await;
                    refusals.log_summary();
                }
            })
        };
        let app = routes::router(RouteState {
            writer,
            keys: self.keys.clone(),
            clock: self.clock.clone(),
            throttle: Arc::new(FailureThrottle::new(
                self.config.failure_limit,
                self.config.global_failure_limit,
            )),
            admission: Arc::new(Admission::new(self.config.inflight)),
            refusals: refusals.clone(),
            max_body_bytes: self.config.max_body_bytes,
            tolerance: self.config.tolerance,
            body_timeout: self.config.body_timeout,
        });
        let app = match &self.extra {
            Some(extra) => app.merge(extra.clone()),
            None => app,
        };

        let (stop_tx, stop_rx) = watch::channel(false);
        let signal = tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let mut graceful = stop_rx.clone();
        // `tap_io` only to reuse axum's `ConnectInfo<SocketAddr>` for a wrapped listener.
        let listener = DeadlineListener::new(
            listener,
            self.config.idle_timeout,
            self.config.request_timeout,
        )
        .tap_io(|_| {});
        let server = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = graceful.wait_for(|stop| *stop).await;
        });
        let mut deadline_rx = stop_rx;
        let drain = self.config.drain_timeout;
        let deadline = async move {
            let _ = deadline_rx.wait_for(|stop| *stop).await;
            tokio::time::sleep(drain).await;
        };
        tracing::info!(path = routes::PATH, "webhook receiver listening");
        let result = tokio::select! {
            r = server.into_future() => r,
            _ = deadline => {
                tracing::warn!(seconds = drain.as_secs(), "in-flight webhook deliveries did not finish in time; dropping their connections");
                Ok(())
            }
        };
        signal.abort();
        summaries.abort();
        refusals.log_summary();
        // Handlers are done (or gone): commit and answer what is still queued, then stop.
        writer_task.finish().await;
        tracing::info!("webhook receiver stopped");
        result.map_err(ServerError::Serve)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ratelimit::is_loopback;

    #[test]
    fn loopback_addresses() {
        for ip in ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "::",
            "192.168.1.5",
            "10.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_loopback(ip.parse().expect("ip")), "{ip}");
        }
    }
}
