//! The offline Calendly sandbox: a stateful, seeded imitation of Calendly's API v2, its OAuth
//! server and its signed webhook deliveries, served over real HTTP so the app and its tests use
//! exactly the code paths they use against Calendly.
//!
//! Resource URIs always take Calendly's fixed `https://api.calendly.com/...` form so identities are
//! stable across ports and restarts; only pagination links (`next_page`) point at this server.
//! One listener serves both the API and the OAuth endpoints, plus loopback-only `/_sandbox/*`
//! control endpoints for out-of-process tests (JSON in and out, no token):
//!
//! | endpoint | body | does |
//! | --- | --- | --- |
//! | `GET /_sandbox/state` | | [`Sandbox::snapshot`] |
//! | `GET /_sandbox/requests` | | [`Sandbox::request_counts`] |
//! | `GET /_sandbox/deliveries` | | [`Sandbox::deliveries`] |
//! | `POST /_sandbox/book` | any [`BookingSpec`] fields | 201 `{event_uri, invitee_uri}` |
//! | `POST /_sandbox/cancel` | `{invitee_uri, by_host, reason}` | [`Sandbox::cancel`] |
//! | `POST /_sandbox/cancel_event` | `{event_uri, reason}` | [`Sandbox::cancel_event`] |
//! | `POST /_sandbox/reschedule` | `{invitee_uri, new_start}` | `{invitee_uri}` of the new invitee |
//! | `POST`/`DELETE /_sandbox/no_show` | `{invitee_uri}` | mark / clear a no-show |
//! | `POST /_sandbox/routing_form_submission` | any [`RoutingSpec`] fields | 201 `{uri}` |
//! | `POST /_sandbox/pause_webhooks` | `{paused}` | [`Sandbox::set_webhooks_paused`] |
//! | `POST /_sandbox/disable_subscriptions` | | [`Sandbox::disable_subscriptions`] |
//! | `POST /_sandbox/config` | [`SettingsPatch`] fields | [`Sandbox::update_settings`] |
//!
//! Unknown URIs answer 404, impossible changes (cancel a canceled invitee) 409, bad JSON 400.

mod api;
mod clock;
mod control;
mod delivery;
mod ids;
mod limits;
mod live;
pub mod model;
mod oauth;
mod pagination;
mod persist;
pub mod private;
mod scenario;
mod tokens;
mod world;

#[cfg(test)]
mod tests;

pub use delivery::{DeliveryOutcome, DeliveryRecord};
pub use limits::RequestCounts;
pub use model::*;
pub use tokens::TokenCounts;
pub use world::{BookedIds, BookingSpec, RoutingSpec};

use chrono::{DateTime, Utc};
use clock::Clock;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use world::{Notice, World};

/// How the sandbox world is built and how it behaves.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The same seed (and `now`) always gives the same world.
    pub seed: u64,
    /// The anchor the scenario is generated around; the sandbox clock starts here and runs.
    pub now: DateTime<Utc>,
    /// Scheduled events to generate, spread over `span_days`.
    pub events: usize,
    /// Days before and after `now` the generated meetings span (60 back, 120 ahead by default).
    pub span_days: (u32, u32),
    pub personal_access_token: String,
    pub oauth_client_id: String,
    /// When set, token requests may authenticate with it (Basic or body), web-app style.
    pub oauth_client_secret: Option<String>,
    pub access_token_ttl: Duration,
    /// `false`: the plan has no webhooks and creating a subscription answers 403.
    pub webhooks_allowed: bool,
    /// Added to every API and OAuth response.
    pub latency: Duration,
    /// Per token, with `X-RateLimit-*` on every API response and 429 beyond.
    pub rate_limit_per_minute: u32,
    /// The rate limit's fixed window: a minute, as Calendly's. Tests shorten it so a spent
    /// budget resets in seconds; `X-RateLimit-Reset` then counts down from this.
    pub rate_limit_window: Duration,
    /// When set, authorization requests must use exactly one of these redirect URIs, as a
    /// registered Calendly app must (otherwise any allowed redirect is accepted).
    pub oauth_redirect_uris: Vec<String>,
    /// Answer every Nth API request with 429.
    pub inject_429_every: Option<u32>,
    /// The next N API requests answer 500.
    pub inject_5xx: u32,
    /// First retry delay of a failed delivery; each retry doubles it.
    pub webhook_retry_base: Duration,
    /// A subscription failing this long (since `retry_started_at`) becomes `disabled`.
    pub webhook_disable_after: Duration,
    /// When set, the scenario books, cancels, reschedules or marks no-shows at this interval.
    pub live_activity: Option<Duration>,
    /// Load state from here at start when present, save after each mutation.
    pub state_file: Option<PathBuf>,
    /// The host is an organization admin (org-wide listing and org-scope webhooks allowed).
    pub user_is_org_admin: bool,
    /// Calendly allows 8 token requests per user per minute.
    pub oauth_token_requests_per_minute: u32,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            now: Utc::now(),
            events: 120,
            span_days: scenario::DEFAULT_SPAN_DAYS,
            personal_access_token: format!("sbx_pat_{}", ids::random_hex(&mut rand::rng(), 16)),
            oauth_client_id: "slotline-sandbox-client".to_string(),
            oauth_client_secret: None,
            access_token_ttl: Duration::from_secs(7200),
            webhooks_allowed: true,
            latency: Duration::ZERO,
            rate_limit_per_minute: 500,
            rate_limit_window: limits::WINDOW,
            oauth_redirect_uris: Vec::new(),
            inject_429_every: None,
            inject_5xx: 0,
            webhook_retry_base: Duration::from_secs(5),
            webhook_disable_after: Duration::from_secs(24 * 3600),
            live_activity: None,
            state_file: None,
            user_is_org_admin: true,
            oauth_token_requests_per_minute: 8,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no invitee {0} in the sandbox: take invitee URIs from snapshot() or the API")]
    UnknownInvitee(String),
    #[error("no scheduled event {0} in the sandbox: take event URIs from snapshot() or the API")]
    UnknownEvent(String),
    #[error("no event type {0}: use an event type URI, slug or name from snapshot().event_types")]
    UnknownEventType(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("cannot read or write the sandbox state file {path}: {source}; check the path and its permissions")]
    StateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the sandbox state file {path} is not valid ({source}); delete it to start from a fresh scenario")]
    StateFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot read the listener's address: {0}")]
    Listener(std::io::Error),
    #[error("cannot build the webhook HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
}

/// Everything the sandbox knows, as the exact resources the API would return.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxState {
    pub user: User,
    pub organization: Organization,
    pub event_types: Vec<EventType>,
    pub scheduled_events: Vec<ScheduledEvent>,
    pub invitees: Vec<Invitee>,
    pub invitee_no_shows: Vec<InviteeNoShow>,
    pub webhook_subscriptions: Vec<WebhookSubscription>,
    pub tokens: TokenCounts,
    pub webhooks_paused: bool,
}

/// Behaviour that tests and the control endpoint may change while the sandbox runs; `None`
/// leaves a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsPatch {
    pub latency_ms: Option<u64>,
    /// 0 turns the injection off.
    pub inject_429_every: Option<u32>,
    pub inject_5xx: Option<u32>,
    pub rate_limit_per_minute: Option<u32>,
    pub webhooks_allowed: Option<bool>,
    pub webhooks_paused: Option<bool>,
    pub user_is_org_admin: Option<bool>,
    /// Replaces the per-path faults; `Some(vec![])` clears them.
    pub faults: Option<Vec<PathFault>>,
}

/// A forced answer for requests whose path is `path` (one `*` matches any run of characters,
/// so `/scheduled_events/*/invitees` hits every invitee listing) and whose method is `method`
/// (any when `None`): `status` with a Calendly-style `{title, message}` body, the next `times`
/// matching requests (`None`: until replaced). `retry_after` and `ratelimit_reset` add the
/// `Retry-After` and `X-RateLimit-Reset` headers (in seconds). `body` replaces the default body
/// (e.g. OAuth's `{"error": "invalid_grant"}`). `delay_ms` holds the answer that long first (a
/// stalled Calendly, for client timeouts); with `status` 0 the real answer follows the delay.
/// Control endpoints are never hit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PathFault {
    pub method: Option<String>,
    pub path: String,
    pub status: u16,
    pub times: Option<u32>,
    pub retry_after: Option<u64>,
    pub ratelimit_reset: Option<u64>,
    pub body: Option<serde_json::Value>,
    pub delay_ms: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Knobs {
    pub latency: Duration,
    pub rate_limit_per_minute: u32,
    pub inject_429_every: Option<u32>,
    pub inject_5xx: u32,
    pub webhooks_allowed: bool,
    pub webhooks_paused: bool,
    /// API requests since the 429 injection was (re)configured.
    pub since_inject: u64,
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
    pub counts: Mutex<RequestCounts>,
    pub limiter: Mutex<limits::RateLimiter>,
    pub token_limiter: Mutex<limits::TokenRequestLimiter>,
    pub deliveries: Mutex<Vec<DeliveryRecord>>,
    pub outboxes: Mutex<HashMap<String, Arc<delivery::Outbox>>>,
    pub http: reqwest::Client,
    pub shutdown: watch::Receiver<bool>,
    /// Signs page tokens so forged or foreign ones are refused with 400.
    pub cursor_key: [u8; 32],
}

/// Locks a mutex, recovering from poisoning: a panicked test thread must not take the sandbox down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    /// Writes the state file, if configured. Called with the world locked so writes never reorder.
    pub fn save(&self, world: &World) {
        if let Some(path) = &self.fixed.state_file {
            if let Err(e) = persist::save(path, world) {
                tracing::warn!(error = %e, "sandbox state not saved");
            }
        }
    }

    /// Applies a mutation, renders its webhooks against the resulting state and queues them.
    pub fn mutate<R>(
        &self,
        f: impl FnOnce(&mut World, DateTime<Utc>) -> Result<(R, Vec<Notice>), SandboxError>,
    ) -> Result<R, SandboxError> {
        let now = self.clock.now();
        let (result, jobs) = {
            let mut world = lock(&self.world);
            let (result, notices) = f(&mut world, now)?;
            let jobs = delivery::render(&world, &notices, now);
            self.save(&world);
            (result, jobs)
        };
        delivery::enqueue(self, jobs);
        Ok(result)
    }
}

/// A running sandbox; cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

impl Sandbox {
    /// Serves on `listener` until `shutdown` resolves. Returns once the server is accepting.
    #[tracing::instrument(skip_all, fields(seed = config.seed))]
    pub async fn start(
        config: SandboxConfig,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<Sandbox, SandboxError> {
        let addr = listener.local_addr().map_err(SandboxError::Listener)?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let mut world = match &config.state_file {
            Some(path) if path.exists() => {
                let mut w = persist::load(path)?;
                w.reseed();
                w
            }
            _ => scenario::generate_spanning(
                config.seed,
                config.now,
                config.events,
                config.user_is_org_admin,
                config.span_days,
            ),
        };
        world.user_is_org_admin = config.user_is_org_admin;
        if !world
            .personal_access_tokens
            .contains(&config.personal_access_token)
        {
            world
                .personal_access_tokens
                .push(config.personal_access_token.clone());
        }
        let active_subs: Vec<String> = world
            .subscriptions
            .iter()
            .filter(|s| s.resource.state == SubscriptionState::Active)
            .map(|s| s.resource.uri.clone())
            .collect();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(15))
            // Calendly treats redirects as failures, so they must not be followed.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut cursor_key = [0u8; 32];
        rand::rng().fill_bytes(&mut cursor_key);
        let inner = Arc::new(Inner {
            base_url,
            clock: Clock::new(config.now),
            fixed: Fixed {
                personal_access_token: config.personal_access_token.clone(),
                oauth_client_id: config.oauth_client_id.clone(),
                oauth_client_secret: config.oauth_client_secret.clone(),
                access_token_ttl: config.access_token_ttl,
                webhook_retry_base: config.webhook_retry_base,
                webhook_disable_after: config.webhook_disable_after,
                state_file: config.state_file.clone(),
                oauth_token_requests_per_minute: config.oauth_token_requests_per_minute,
                oauth_redirect_uris: config.oauth_redirect_uris.clone(),
            },
            world: Mutex::new(world),
            knobs: Mutex::new(Knobs {
                latency: config.latency,
                rate_limit_per_minute: config.rate_limit_per_minute,
                inject_429_every: config.inject_429_every.filter(|n| *n > 0),
                inject_5xx: config.inject_5xx,
                webhooks_allowed: config.webhooks_allowed,
                webhooks_paused: false,
                since_inject: 0,
                faults: Vec::new(),
            }),
            counts: Mutex::new(RequestCounts::default()),
            limiter: Mutex::new(limits::RateLimiter::new(config.rate_limit_window)),
            token_limiter: Mutex::new(limits::TokenRequestLimiter::default()),
            deliveries: Mutex::new(Vec::new()),
            outboxes: Mutex::new(HashMap::new()),
            http,
            shutdown: stop_rx.clone(),
            cursor_key,
        });
        {
            let world = lock(&inner.world);
            inner.save(&world);
        }
        for uri in &active_subs {
            delivery::spawn_outbox(&inner, uri);
        }
        let sandbox = Sandbox { inner };
        if let Some(every) = config.live_activity {
            live::spawn(sandbox.clone(), every);
        }
        let app = api::router(sandbox.clone());
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let mut serve_stop = stop_rx;
        tokio::spawn(async move {
            let server = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async move {
                let _ = serve_stop.wait_for(|stop| *stop).await;
            });
            if let Err(e) = server.await {
                tracing::error!(error = %e, "sandbox server stopped");
            }
        });
        tracing::info!(base_url = %sandbox.base_url(), "Calendly sandbox listening");
        Ok(sandbox)
    }

    /// `http://127.0.0.1:PORT`: both the API and the OAuth base URL.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    pub fn personal_access_token(&self) -> String {
        self.inner.fixed.personal_access_token.clone()
    }

    pub fn oauth_client_id(&self) -> String {
        self.inner.fixed.oauth_client_id.clone()
    }

    pub fn user_uri(&self) -> String {
        lock(&self.inner.world).user.uri.clone()
    }

    pub fn organization_uri(&self) -> String {
        lock(&self.inner.world).organization.uri.clone()
    }

    /// The sandbox clock: the configured anchor plus the time it has been running.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Books a new invitee (and event, unless a group occurrence has seats) and sends `invitee.created`.
    pub fn book(&self, spec: BookingSpec) -> Result<BookedIds, SandboxError> {
        self.inner.mutate(|w, now| w.book(&spec, now))
    }

    /// Cancels one invitee (a one-on-one event is canceled with it) and sends `invitee.canceled`.
    pub fn cancel(
        &self,
        invitee_uri: &str,
        by_host: bool,
        reason: Option<&str>,
    ) -> Result<(), SandboxError> {
        self.inner
            .mutate(|w, now| Ok(((), w.cancel(invitee_uri, by_host, reason, now)?)))
    }

    /// The host cancels a whole event, every active invitee with it.
    pub fn cancel_event(
        &self,
        event_uri: &str,
        reason: Option<&str>,
    ) -> Result<Cancellation, SandboxError> {
        self.inner
            .mutate(|w, now| w.cancel_event(event_uri, reason, now))
    }

    /// Moves an invitee to `new_start`; returns the new invitee's URI. Sends both halves.
    pub fn reschedule(
        &self,
        invitee_uri: &str,
        new_start: DateTime<Utc>,
    ) -> Result<String, SandboxError> {
        self.inner
            .mutate(|w, now| w.reschedule(invitee_uri, new_start, now))
    }

    /// Someone submits the organization's routing form: sends `routing_form_submission.created`
    /// to organization-scope subscriptions. Returns the submission's URI.
    pub fn submit_routing_form(&self, spec: &RoutingSpec) -> Result<String, SandboxError> {
        self.inner.mutate(|w, now| w.submit_routing_form(spec, now))
    }

    pub fn mark_no_show(&self, invitee_uri: &str) -> Result<(), SandboxError> {
        self.inner
            .mutate(|w, now| w.mark_no_show(invitee_uri, now).map(|(_, n)| ((), n)))
    }

    pub fn clear_no_show(&self, invitee_uri: &str) -> Result<(), SandboxError> {
        self.inner
            .mutate(|w, now| Ok(((), w.clear_no_show(invitee_uri, now)?)))
    }

    /// "The laptop is asleep": deliveries fail as if unreachable; retries and disabling go on.
    pub fn set_webhooks_paused(&self, paused: bool) {
        lock(&self.inner.knobs).webhooks_paused = paused;
    }

    /// Forces every subscription to `disabled`, as Calendly does after a day of failures.
    pub fn disable_subscriptions(&self) {
        let now = self.inner.clock.now();
        let uris: Vec<String> = {
            let mut world = lock(&self.inner.world);
            let mut uris = Vec::new();
            for s in world.subscriptions.iter_mut() {
                if s.resource.state == SubscriptionState::Active {
                    s.resource.state = SubscriptionState::Disabled;
                    s.resource.updated_at = now;
                    uris.push(s.resource.uri.clone());
                }
            }
            self.inner.save(&world);
            uris
        };
        for uri in uris {
            delivery::close_outbox(&self.inner, &uri);
        }
    }

    /// Changes runtime behaviour (latency, fault injection, limits, plan, pause).
    pub fn update_settings(&self, patch: &SettingsPatch) {
        {
            let mut k = lock(&self.inner.knobs);
            if let Some(ms) = patch.latency_ms {
                k.latency = Duration::from_millis(ms);
            }
            if let Some(n) = patch.inject_429_every {
                k.inject_429_every = (n > 0).then_some(n);
                k.since_inject = 0;
            }
            if let Some(n) = patch.inject_5xx {
                k.inject_5xx = n;
            }
            if let Some(f) = &patch.faults {
                k.faults = f.clone();
            }
            if let Some(n) = patch.rate_limit_per_minute {
                k.rate_limit_per_minute = n;
            }
            if let Some(b) = patch.webhooks_allowed {
                k.webhooks_allowed = b;
            }
            if let Some(b) = patch.webhooks_paused {
                k.webhooks_paused = b;
            }
        }
        if let Some(admin) = patch.user_is_org_admin {
            lock(&self.inner.world).user_is_org_admin = admin;
        }
    }

    pub fn snapshot(&self) -> SandboxState {
        let now = self.inner.clock.now();
        let paused = lock(&self.inner.knobs).webhooks_paused;
        let w = lock(&self.inner.world);
        SandboxState {
            user: w.user.clone(),
            organization: w.organization.clone(),
            event_types: w.event_types.clone(),
            scheduled_events: w.events.clone(),
            invitees: w.invitees.clone(),
            invitee_no_shows: w.no_shows.clone(),
            webhook_subscriptions: w.subscriptions.iter().map(|s| s.resource.clone()).collect(),
            tokens: w.tokens.counts(now),
            webhooks_paused: paused,
        }
    }

    pub fn request_counts(&self) -> RequestCounts {
        lock(&self.inner.counts).clone()
    }

    /// Every delivery attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.inner.deliveries).clone()
    }

    /// For tests only: the signing key of a subscription, including a generated one the API
    /// never reveals.
    pub fn webhook_signing_key(&self, subscription_uri: &str) -> Option<String> {
        lock(&self.inner.world)
            .subscription(subscription_uri)
            .map(|s| s.signing_key.clone())
    }
}
