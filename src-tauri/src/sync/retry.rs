//! How a sync sends each request: paced by the rate-limit budget before it goes, and 429s,
//! 5xx and network errors retried with back-off and jitter (a timeout only a few times: each
//! already waited the whole request timeout).

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Instant;

use tracing::warn;

use super::options::MAX_TIMEOUT_RETRIES;
use super::pace::{backoff, Admit, Throttle};
use super::run::{bump, lock, Run};
use crate::calendly::attempt::Attempt;
use crate::calendly::client::ApiError;

impl Run<'_> {
    /// Waits until the budget admits one more request; returns when it was sent.
    async fn admit(&self) -> Instant {
        loop {
            let now = Instant::now();
            if !self.opts.pace {
                return now;
            }
            let verdict = lock(&self.budget).admit(now);
            match verdict {
                Admit::Go => return now,
                Admit::WaitUntil(at) => {
                    let waited = at.saturating_duration_since(now).as_millis() as u64;
                    self.stats.paced_ms.fetch_add(waited, Ordering::Relaxed);
                    tokio::time::sleep_until(at.into()).await;
                }
            }
        }
    }

    /// Sends one request through the budget, retrying 429s, 5xx and network errors.
    pub(super) async fn call<T, F, Fut>(&self, mut send: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let mut attempt = 0u32;
        let mut throttles = 0u32;
        let mut timeouts = 0u32;
        loop {
            let sent_at = self.admit().await;
            let Attempt { result, rate } = send().await;
            let now = Instant::now();
            bump(&self.stats.requests);
            let throttled = matches!(result, Err(ApiError::RateLimited { .. }));
            if self.opts.pace {
                // A 429's own headers only say "0 left"; `throttled` decides what it means.
                lock(&self.budget).observe(if throttled { None } else { rate }, sent_at, now);
            }
            let err = match result {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            attempt += 1;
            let jitter = rand::random::<f64>();
            let wait = match &err {
                ApiError::RateLimited { retry_after } => {
                    bump(&self.stats.rate_limited);
                    throttles += 1;
                    if !self.opts.pace {
                        Some(*retry_after)
                    } else {
                        let repeated = throttles > self.opts.unexpected_429s_before_reset;
                        match lock(&self.budget).throttled(*retry_after, repeated, now) {
                            Throttle::Transient => {
                                Some(backoff(self.opts.backoff_base, throttles, jitter))
                            }
                            // The budget now holds every request until the reset.
                            Throttle::Spent => None,
                        }
                    }
                }
                // Each timed-out attempt already waited the whole request timeout: a stalled
                // Calendly gets a few more tries, not `max_retries` timeouts in a row.
                ApiError::Network { .. } if err.is_timeout() => {
                    timeouts += 1;
                    if timeouts > MAX_TIMEOUT_RETRIES {
                        return Err(err);
                    }
                    Some(backoff(self.opts.backoff_base, attempt, jitter))
                }
                ApiError::Server { .. } | ApiError::Network { .. } => {
                    Some(backoff(self.opts.backoff_base, attempt, jitter))
                }
                _ => return Err(err),
            };
            if attempt > self.opts.max_retries {
                return Err(err);
            }
            bump(&self.stats.retries);
            warn!(attempt, wait_ms = wait.map_or(0, |w| w.as_millis() as u64), error = %err, "retrying Calendly request");
            if let Some(w) = wait {
                tokio::time::sleep(w).await;
            }
        }
    }
}
