//! How a sandbox is built and how it behaves ([`SandboxConfig`]).

use crate::ids;
use crate::limits;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::time::Duration;

/// Days before and after `now` the generated meetings span by default.
pub const DEFAULT_SPAN_DAYS: (u32, u32) = (60, 120);

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
    #[cfg(any(test, feature = "control"))]
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
    #[cfg(any(test, feature = "control"))]
    pub inject_429_every: Option<u32>,
    /// The next N API requests answer 500.
    #[cfg(any(test, feature = "control"))]
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
            span_days: DEFAULT_SPAN_DAYS,
            personal_access_token: format!("sbx_pat_{}", ids::random_hex(&mut rand::rng(), 16)),
            oauth_client_id: "slotline-sandbox-client".to_string(),
            oauth_client_secret: None,
            access_token_ttl: Duration::from_secs(7200),
            webhooks_allowed: true,
            #[cfg(any(test, feature = "control"))]
            latency: Duration::ZERO,
            rate_limit_per_minute: 500,
            rate_limit_window: limits::WINDOW,
            oauth_redirect_uris: Vec::new(),
            #[cfg(any(test, feature = "control"))]
            inject_429_every: None,
            #[cfg(any(test, feature = "control"))]
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
