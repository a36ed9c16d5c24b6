//! Request accounting: Calendly's per-minute API rate limit (reported on every response), the
//! OAuth token endpoint's limit, and the per-endpoint counters tests read.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Calendly's limits are per minute.
pub const WINDOW: Duration = Duration::from_secs(60);

/// What the `X-RateLimit-*` headers report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets (not an epoch, as Calendly documents).
    pub reset_secs: u64,
    pub limited: bool,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    used: u32,
}

/// Fixed windows per token: a minute, as Calendly's, unless a test asks for a shorter one.
#[derive(Debug)]
pub struct RateLimiter {
    windows: HashMap<String, Window>,
    length: Duration,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(WINDOW)
    }
}

impl RateLimiter {
    /// Windows of `length` (at least a millisecond).
    pub fn new(length: Duration) -> Self {
        Self {
            windows: HashMap::new(),
            length: length.max(Duration::from_millis(1)),
        }
    }

    fn window(&mut self, key: &str, now: Instant) -> &mut Window {
        let length = self.length;
        let w = self.windows.entry(key.to_string()).or_insert(Window {
            started: now,
            used: 0,
        });
        if now.duration_since(w.started) >= length {
            w.started = now;
            w.used = 0;
        }
        w
    }

    fn info(&self, key: &str, limit: u32, now: Instant, limited: bool) -> RateInfo {
        let Some(w) = self.windows.get(key) else {
            return RateInfo {
                limit,
                remaining: limit,
                reset_secs: 1,
                limited,
            };
        };
        let left = self.length.saturating_sub(now.duration_since(w.started));
        RateInfo {
            limit,
            remaining: limit.saturating_sub(w.used),
            reset_secs: left.as_secs_f64().ceil().max(1.0) as u64,
            limited,
        }
    }

    /// Consumes one request from `key`'s window unless it is exhausted.
    pub fn take(&mut self, key: &str, limit: u32, now: Instant) -> RateInfo {
        let w = self.window(key, now);
        if w.used >= limit {
            return self.info(key, limit, now, true);
        }
        w.used += 1;
        self.info(key, limit, now, false)
    }

    /// The window's state without consuming (for answers that never reach a handler).
    pub fn peek(&mut self, key: &str, limit: u32, now: Instant) -> RateInfo {
        self.window(key, now);
        self.info(key, limit, now, false)
    }
}

/// Sliding one-minute window for `POST /oauth/token` (at most N per user per minute).
#[derive(Debug, Default)]
pub struct TokenRequestLimiter {
    hits: VecDeque<Instant>,
}

impl TokenRequestLimiter {
    /// `Err(seconds to wait)` when the request is over the limit.
    pub fn allow(&mut self, limit: u32, now: Instant) -> Result<(), u64> {
        while let Some(first) = self.hits.front() {
            if now.duration_since(*first) >= WINDOW {
                self.hits.pop_front();
            } else {
                break;
            }
        }
        if self.hits.len() >= limit as usize {
            let wait = self
                .hits
                .front()
                .map(|f| WINDOW.saturating_sub(now.duration_since(*f)))
                .unwrap_or(WINDOW);
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        self.hits.push_back(now);
        Ok(())
    }
}

/// Requests seen, per endpoint kind. `total` counts API and OAuth requests (not control ones).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub users_me: u64,
    pub list_events: u64,
    pub get_event: u64,
    pub list_invitees: u64,
    pub get_invitee: u64,
    pub webhooks: u64,
    pub event_types: u64,
    pub no_shows: u64,
    pub cancellations: u64,
    pub oauth_token: u64,
    pub oauth_other: u64,
    pub other: u64,
    pub total: u64,
    /// 429 answers, injected or earned (API and token endpoint).
    pub rate_limited: u64,
    pub injected_5xx: u64,
    pub unauthenticated: u64,
}

/// Which counter a request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    UsersMe,
    ListEvents,
    GetEvent,
    ListInvitees,
    GetInvitee,
    Webhooks,
    EventTypes,
    NoShows,
    Cancellation,
    OAuthToken,
    OAuthOther,
    Other,
}

impl EndpointKind {
    pub fn classify(path: &str) -> Self {
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        match segs.as_slice() {
            ["users", _] => Self::UsersMe,
            ["scheduled_events"] => Self::ListEvents,
            ["scheduled_events", _] => Self::GetEvent,
            ["scheduled_events", _, "invitees"] => Self::ListInvitees,
            ["scheduled_events", _, "invitees", _] => Self::GetInvitee,
            ["scheduled_events", _, "cancellation"] => Self::Cancellation,
            ["webhook_subscriptions", ..] => Self::Webhooks,
            ["event_types", ..] => Self::EventTypes,
            ["invitee_no_shows", ..] => Self::NoShows,
            ["oauth", "token"] => Self::OAuthToken,
            ["oauth", ..] => Self::OAuthOther,
            _ => Self::Other,
        }
    }
}

impl RequestCounts {
    pub fn count(&mut self, kind: EndpointKind) {
        self.total += 1;
        let c = match kind {
            EndpointKind::UsersMe => &mut self.users_me,
            EndpointKind::ListEvents => &mut self.list_events,
            EndpointKind::GetEvent => &mut self.get_event,
            EndpointKind::ListInvitees => &mut self.list_invitees,
            EndpointKind::GetInvitee => &mut self.get_invitee,
            EndpointKind::Webhooks => &mut self.webhooks,
            EndpointKind::EventTypes => &mut self.event_types,
            EndpointKind::NoShows => &mut self.no_shows,
            EndpointKind::Cancellation => &mut self.cancellations,
            EndpointKind::OAuthToken => &mut self.oauth_token,
            EndpointKind::OAuthOther => &mut self.oauth_other,
            EndpointKind::Other => &mut self.other,
        };
        *c += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_limits_and_resets() {
        let mut l = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!(l.take("a", 2, t0).remaining, 1);
        assert_eq!(l.take("a", 2, t0).remaining, 0);
        assert!(l.take("a", 2, t0).limited);
        assert!(!l.take("b", 2, t0).limited, "windows are per token");
        let later = t0 + WINDOW;
        assert_eq!(l.take("a", 2, later).remaining, 1);
    }

    #[test]
    fn a_short_window_resets_sooner_and_reports_whole_seconds() {
        let mut l = RateLimiter::new(Duration::from_secs(2));
        let t0 = Instant::now();
        assert_eq!(l.take("a", 1, t0).remaining, 0);
        let refused = l.take("a", 1, t0 + Duration::from_millis(500));
        assert!(refused.limited);
        assert_eq!(refused.reset_secs, 2, "1.5 s left rounds up");
        assert!(l.take("a", 1, t0 + Duration::from_millis(1999)).limited);
        assert!(!l.take("a", 1, t0 + Duration::from_secs(2)).limited);
    }

    #[test]
    fn token_limiter_allows_n_per_minute() {
        let mut l = TokenRequestLimiter::default();
        let t0 = Instant::now();
        for _ in 0..8 {
            assert!(l.allow(8, t0).is_ok());
        }
        assert!(l.allow(8, t0).is_err());
        assert!(l.allow(8, t0 + WINDOW).is_ok());
    }
}
