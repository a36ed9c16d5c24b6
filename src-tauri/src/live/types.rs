//! What the live service is started with and what it reports.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::connect::ConnectError;
use crate::feed::WebhookStatus;
use crate::oauth::Relay;
use crate::store::StoreError;
use crate::sync::engine::{SyncOptions, SyncOutcome, SyncProgress};
use crate::sync::runner::SyncRunner;
use crate::tunnel::{self, Exposure};
use crate::wake::WakeOptions;
use crate::webhook::{ProcessReport, ServerError};

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
