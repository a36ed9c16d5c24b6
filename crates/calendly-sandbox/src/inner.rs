//! The running sandbox's shared state ([`Inner`]) and its handle ([`Sandbox`]); what changes it
//! lives beside the code that changes it (`handle.rs`, the handlers, `delivery.rs`).

use crate::clock::Clock;
use crate::limits::{RateLimiter, RequestCounts, TokenRequestLimiter};
#[cfg(any(test, feature = "control"))]
use crate::locking::lock;
use crate::outbox::{DeliveryRecord, Outbox};
#[cfg(any(test, feature = "control"))]
use crate::settings::PathFault;
use crate::world::World;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// Kept delivery attempts; older ones are dropped so a long live-activity session does not grow
/// forever.
#[cfg(any(test, feature = "control"))]
const MAX_RECORDS: usize = 10_000;

#[derive(Clone, Debug)]
pub(crate) struct Knobs {
    pub rate_limit_per_minute: u32,
    pub webhooks_allowed: bool,
    pub webhooks_paused: bool,
    #[cfg(any(test, feature = "control"))]
    pub latency: Duration,
    #[cfg(any(test, feature = "control"))]
    pub inject_429_every: Option<u32>,
    #[cfg(any(test, feature = "control"))]
    pub inject_5xx: u32,
    /// API requests since the 429 injection was (re)configured.
    #[cfg(any(test, feature = "control"))]
    pub since_inject: u64,
    #[cfg(any(test, feature = "control"))]
    pub faults: Vec<PathFault>,
}

/// Settings fixed at start.
#[derive(Clone, Debug)]
pub(crate) struct Fixed {
    pub personal_access_token: String,
    pub oauth_client_id: String,
    pub oauth_client_secret: Option<String>,
    pub access_token_ttl: Duration,
    pub webhook_retry_base: Duration,
    pub webhook_disable_after: Duration,
    pub state_file: Option<PathBuf>,
    pub oauth_token_requests_per_minute: u32,
    pub oauth_redirect_uris: Vec<String>,
}

pub(crate) struct Inner {
    pub base_url: String,
    pub clock: Clock,
    pub fixed: Fixed,
    pub world: Mutex<World>,
    pub knobs: Mutex<Knobs>,
    pub limiter: Mutex<RateLimiter>,
    pub token_limiter: Mutex<TokenRequestLimiter>,
    pub outboxes: Mutex<HashMap<String, Arc<Outbox>>>,
    pub http: reqwest::Client,
    pub shutdown: watch::Receiver<bool>,
    /// Signs page tokens so forged or foreign ones are refused with 400.
    pub cursor_key: [u8; 32],
    /// What tests read back: requests per endpoint and every delivery attempt.
    #[cfg(any(test, feature = "control"))]
    pub counts: Mutex<RequestCounts>,
    #[cfg(any(test, feature = "control"))]
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
}

impl Inner {
    /// Updates the request counters tests read (nothing is kept without the `control` feature).
    pub fn count(&self, f: impl FnOnce(&mut RequestCounts)) {
        #[cfg(any(test, feature = "control"))]
        f(&mut lock(&self.counts));
        #[cfg(not(any(test, feature = "control")))]
        let _ = f;
    }

    /// Keeps a delivery attempt for tests (nothing is kept without the `control` feature).
    pub fn record(&self, record: DeliveryRecord) {
        #[cfg(any(test, feature = "control"))]
        {
            let mut records = lock(&self.deliveries);
            if records.len() >= MAX_RECORDS {
                records.remove(0);
            }
            records.push(record);
        }
        #[cfg(not(any(test, feature = "control")))]
        let _ = record;
    }
}

/// A running sandbox; cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}
