//! Runtime behaviour tests change while the sandbox runs (the `control` feature): a
//! [`SettingsPatch`] and the per-path faults it may carry.

use serde::{Deserialize, Serialize};

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
