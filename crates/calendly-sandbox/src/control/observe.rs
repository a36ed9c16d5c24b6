//! What only tests may do to a running sandbox: read its whole state, its request counters and
//! delivery log, pause or disable webhooks, change its behaviour.

use crate::delivery;
use crate::inner::Sandbox;
use crate::limits::RequestCounts;
use crate::locking::lock;
use crate::model::*;
use crate::outbox::DeliveryRecord;
use crate::settings::SettingsPatch;
use crate::tokens::TokenCounts;
use serde::{Deserialize, Serialize};
use std::time::Duration;

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

impl Sandbox {
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
