//! Webhook deliveries: each mutation's notices become signed envelopes queued per subscription;
//! one task per subscription sends them in creation order, retries failures with exponential
//! back-off while later messages keep flowing, deletes the subscription on 410 and disables it
//! when it has been failing longer than the configured period.

use crate::ids::format_ts;
use crate::inner::Inner;
use crate::locking::lock;
use crate::model::{InviteePayload, RoutingEnvelope, SubscriptionState, WebhookEnvelope};
use crate::outbox::{DeliveryOutcome, DeliveryRecord, Job, Outbox};
use crate::world::{Notice, World};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// Back-off never waits longer than this between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

static SEQ: AtomicU64 = AtomicU64::new(0);

/// A rendered message bound for one subscription.
pub struct RenderedJob {
    pub subscription_uri: String,
    pub event: String,
    pub payload_uri: String,
    pub body: Vec<u8>,
}

/// `hex(HMAC-SHA256(key, t + "." + body))`, Calendly's `v1`.
pub fn sign(key: &str, t: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        // HMAC accepts keys of any length, so this arm never runs.
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Envelopes for every active subscription interested in each notice, rendered from the state the
/// mutation left (so a reschedule's canceled half already links to the new invitee).
pub fn render(world: &World, notices: &[Notice], now: DateTime<Utc>) -> Vec<RenderedJob> {
    let created_at = now.format("%Y-%m-%dT%H:%M:%S.000000Z").to_string();
    let mut out = Vec::new();
    for notice in notices {
        if let Some(sub) = world.routing_submission(&notice.invitee_uri) {
            // Organization scope only: Calendly offers this event nowhere else.
            for s in world.subscriptions.iter().map(|s| &s.resource) {
                if s.state != SubscriptionState::Active
                    || s.scope != "organization"
                    || s.organization != world.organization.uri
                    || !s.events.iter().any(|e| e == notice.event)
                {
                    continue;
                }
                let envelope = RoutingEnvelope {
                    event: notice.event,
                    created_at: created_at.clone(),
                    created_by: s.creator.as_deref().unwrap_or(world.user.uri.as_str()),
                    payload: sub,
                };
                match serde_json::to_vec(&envelope) {
                    Ok(body) => out.push(RenderedJob {
                        subscription_uri: s.uri.clone(),
                        event: notice.event.to_string(),
                        payload_uri: sub.uri.clone(),
                        body,
                    }),
                    Err(e) => tracing::error!(error = %e, "webhook payload not serializable"),
                }
            }
            continue;
        }
        let Some(invitee) = world.invitee(&notice.invitee_uri) else {
            continue;
        };
        let Some(event) = world.event(&invitee.event) else {
            continue;
        };
        let hosted = event
            .event_memberships
            .iter()
            .any(|m| m.user == world.user.uri);
        for sub in &world.subscriptions {
            let s = &sub.resource;
            let in_scope = match s.scope.as_str() {
                "organization" => s.organization == world.organization.uri,
                "user" => hosted && s.user.as_deref() == Some(world.user.uri.as_str()),
                _ => false,
            };
            if s.state != SubscriptionState::Active
                || !in_scope
                || !s.events.iter().any(|e| e == notice.event)
            {
                continue;
            }
            let envelope = WebhookEnvelope {
                event: notice.event,
                created_at: created_at.clone(),
                created_by: s.creator.as_deref().unwrap_or(world.user.uri.as_str()),
                payload: InviteePayload {
                    invitee,
                    scheduled_event: event,
                },
            };
            match serde_json::to_vec(&envelope) {
                Ok(body) => out.push(RenderedJob {
                    subscription_uri: s.uri.clone(),
                    event: notice.event.to_string(),
                    payload_uri: invitee.uri.clone(),
                    body,
                }),
                Err(e) => tracing::error!(error = %e, "webhook payload not serializable"),
            }
        }
    }
    out
}

pub fn enqueue(inner: &Inner, jobs: Vec<RenderedJob>) {
    let outboxes = lock(&inner.outboxes);
    for job in jobs {
        if let Some(outbox) = outboxes.get(&job.subscription_uri) {
            outbox.push(Job {
                seq: SEQ.fetch_add(1, Ordering::SeqCst),
                event: job.event,
                payload_uri: job.payload_uri,
                body: job.body,
                attempt: 1,
                due: Instant::now(),
            });
        }
    }
}

/// Creates the subscription's queue and starts its delivery task.
pub fn spawn_outbox(inner: &Arc<Inner>, subscription_uri: &str) {
    let outbox = Arc::new(Outbox::default());
    lock(&inner.outboxes).insert(subscription_uri.to_string(), outbox.clone());
    let task_inner = inner.clone();
    let uri = subscription_uri.to_string();
    let stop = inner.shutdown.clone();
    tokio::spawn(async move { run(task_inner, uri, outbox, stop).await });
}

/// Drops the subscription's queue and ends its task (deleted or disabled subscriptions).
pub fn close_outbox(inner: &Inner, subscription_uri: &str) {
    if let Some(outbox) = lock(&inner.outboxes).remove(subscription_uri) {
        outbox.close();
    }
}

async fn run(inner: Arc<Inner>, uri: String, outbox: Arc<Outbox>, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() || outbox.closed.load(Ordering::SeqCst) {
            return;
        }
        let now = Instant::now();
        match outbox.next_due() {
            Some(due) if due <= now => {
                if let Some(job) = outbox.take_due(now) {
                    attempt(&inner, &uri, &outbox, job).await;
                }
            }
            next => {
                let sleep = async {
                    match next {
                        Some(due) => tokio::time::sleep_until(due).await,
                        None => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    _ = sleep => {}
                    _ = outbox.notify.notified() => {}
                    changed = stop.changed() => {
                        if changed.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

async fn attempt(inner: &Arc<Inner>, uri: &str, outbox: &Outbox, mut job: Job) {
    let target = {
        let world = lock(&inner.world);
        world
            .subscription(uri)
            .filter(|s| s.resource.state == SubscriptionState::Active)
            .map(|s| (s.resource.callback_url.clone(), s.signing_key.clone()))
    };
    let Some((url, key)) = target else {
        outbox.close();
        return;
    };
    let paused = lock(&inner.knobs).webhooks_paused;
    // `t` and the signature are fresh per attempt, so receivers with a replay window accept retries.
    let t = inner.clock.now().timestamp();
    let signature = sign(&key, t, &job.body);
    let result: Result<u16, String> = if paused {
        Err("unreachable: webhook deliveries are paused".to_string())
    } else {
        inner
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                "Calendly-Webhook-Signature",
                format!("t={t},v1={signature}"),
            )
            .body(job.body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    };
    let at = inner.clock.now();
    let (status, error) = match &result {
        Ok(s) => (Some(*s), None),
        Err(e) => (None, Some(e.clone())),
    };
    let outcome = match status {
        Some(s) if (200..300).contains(&s) => {
            let mut world = lock(&inner.world);
            if let Some(sub) = world.subscription_mut(uri) {
                if sub.resource.retry_started_at.take().is_some() {
                    inner.save(&world);
                }
            }
            DeliveryOutcome::Delivered
        }
        Some(410) => {
            {
                let mut world = lock(&inner.world);
                world.subscriptions.retain(|s| s.resource.uri != uri);
                inner.save(&world);
            }
            close_outbox(inner, uri);
            DeliveryOutcome::SubscriptionDeleted
        }
        _ => failed(inner, uri, outbox, &mut job, at),
    };
    let record = DeliveryRecord {
        subscription_uri: uri.to_string(),
        callback_url: url,
        event: job.event.clone(),
        payload_uri: job.payload_uri.clone(),
        attempt: job.attempt,
        at,
        status,
        error,
        outcome,
    };
    tracing::debug!(subscription = uri, attempt = record.attempt, outcome = ?outcome, at = %format_ts(&at), "webhook attempt");
    inner.record(record);
}

/// Records a failure: starts or continues the retry period, disables the subscription once the
/// period is over, otherwise schedules the next attempt (never past the disable deadline).
fn failed(
    inner: &Inner,
    uri: &str,
    outbox: &Outbox,
    job: &mut Job,
    at: DateTime<Utc>,
) -> DeliveryOutcome {
    let disable_after = inner.fixed.webhook_disable_after;
    let remaining = {
        let mut world = lock(&inner.world);
        let Some(sub) = world.subscription_mut(uri) else {
            return DeliveryOutcome::SubscriptionDeleted;
        };
        let first_failure = sub.resource.retry_started_at.is_none();
        let started = *sub.resource.retry_started_at.get_or_insert(at);
        let failing_for = (at - started).to_std().unwrap_or(Duration::ZERO);
        if failing_for >= disable_after {
            sub.resource.state = SubscriptionState::Disabled;
            sub.resource.updated_at = at;
            inner.save(&world);
            None
        } else {
            if first_failure {
                inner.save(&world);
            }
            Some(disable_after - failing_for)
        }
    };
    let Some(remaining) = remaining else {
        close_outbox(inner, uri);
        return DeliveryOutcome::SubscriptionDisabled;
    };
    let backoff = inner
        .fixed
        .webhook_retry_base
        .saturating_mul(1u32 << job.attempt.saturating_sub(1).min(20))
        .min(MAX_BACKOFF);
    let retry = Job {
        seq: job.seq,
        event: job.event.clone(),
        payload_uri: job.payload_uri.clone(),
        body: std::mem::take(&mut job.body),
        attempt: job.attempt + 1,
        due: Instant::now() + backoff.min(remaining),
    };
    outbox.push(retry);
    DeliveryOutcome::WillRetry
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_matches_calendly_recipe() {
        // Same inputs as a hand computation: HMAC-SHA256("key", "1700000000.{}").
        let sig = sign("key", 1_700_000_000, b"{}");
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, sign("key", 1_700_000_000, b"{}"));
        assert_ne!(sig, sign("key", 1_700_000_001, b"{}"));
    }
}
