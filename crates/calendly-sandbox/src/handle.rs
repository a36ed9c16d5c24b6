//! What a [`Sandbox`] does: start serving, say where it is, and change its world the way
//! Calendly would (each change saved and its webhooks queued).

use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::delivery;
use crate::error::SandboxError;
use crate::inner::{Fixed, Inner, Knobs, Sandbox};
use crate::limits::{RateLimiter, TokenRequestLimiter};
use crate::live;
use crate::locking::lock;
use crate::model::{Cancellation, SubscriptionState};
use crate::persist;
use crate::router;
use crate::scenario;
use crate::world::{BookedIds, BookingSpec, Notice, RoutingSpec, World};
use chrono::{DateTime, Utc};
use rand::RngCore;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

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
                rate_limit_per_minute: config.rate_limit_per_minute,
                webhooks_allowed: config.webhooks_allowed,
                webhooks_paused: false,
                #[cfg(any(test, feature = "control"))]
                latency: config.latency,
                #[cfg(any(test, feature = "control"))]
                inject_429_every: config.inject_429_every.filter(|n| *n > 0),
                #[cfg(any(test, feature = "control"))]
                inject_5xx: config.inject_5xx,
                #[cfg(any(test, feature = "control"))]
                since_inject: 0,
                #[cfg(any(test, feature = "control"))]
                faults: Vec::new(),
            }),
            limiter: Mutex::new(RateLimiter::new(config.rate_limit_window)),
            token_limiter: Mutex::new(TokenRequestLimiter::default()),
            outboxes: Mutex::new(HashMap::new()),
            http,
            shutdown: stop_rx.clone(),
            cursor_key,
            #[cfg(any(test, feature = "control"))]
            counts: Mutex::new(Default::default()),
            #[cfg(any(test, feature = "control"))]
            deliveries: Mutex::new(Vec::new()),
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
        let app = router::router(sandbox.clone());
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
}
