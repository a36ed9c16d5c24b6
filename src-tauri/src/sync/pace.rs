//! Pacing against Calendly's per-minute budget: the `X-RateLimit-*` headers of each answer say
//! how many requests are left and when the minute resets, so requests wait *before* they are
//! sent instead of earning a 429. Pure bookkeeping — the caller passes the time in — so the
//! rules are tested without a clock.

use std::time::{Duration, Instant};

use crate::calendly::RateLimit;

/// Two readings of `reset` further apart than this belong to different minutes.
const SAME_WINDOW: Duration = Duration::from_secs(5);
/// Added to the reset: a request that arrives a moment too early is a 429. Small, because the
/// reset itself is already a late bound (see [`Budget::observe`]).
const RESET_MARGIN: Duration = Duration::from_millis(150);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Left {
    /// No answer yet: one request at a time until the headers arrive.
    Unknown,
    /// Requests this minute we may still send.
    Known(u32),
    /// The server sends no rate-limit headers: nothing to pace by.
    Unpaced,
}

/// What the caller should do before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Go,
    /// Try again at this instant (the budget is spent until then, or a first answer is awaited).
    WaitUntil(Instant),
}

/// What a 429 means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// The budget we track was not spent: a transient refusal, retried after a short back-off
    /// with jitter.
    Transient,
    /// The minute is spent; the budget now waits for the reset, so retry through [`Budget::admit`].
    Spent,
}

/// The per-minute request budget, as learned from the rate-limit headers.
#[derive(Debug, Clone)]
pub struct Budget {
    left: Left,
    limit: Option<u32>,
    reset_at: Option<Instant>,
    /// When the local view last moved into a new minute; answers to requests sent before it
    /// describe the previous minute.
    rolled_at: Option<Instant>,
    in_flight: u32,
    /// Requests left unused each minute for the rest of the app (a webhook check, the UI).
    reserve: u32,
}

impl Budget {
    pub fn new(reserve: u32) -> Self {
        Self {
            left: Left::Unknown,
            limit: None,
            reset_at: None,
            rolled_at: None,
            in_flight: 0,
            reserve,
        }
    }

    fn reserve(&self) -> u32 {
        // A small limit keeps at least nine tenths of itself.
        self.limit
            .map_or(self.reserve, |l| self.reserve.min(l / 10))
    }

    /// Requests left this minute, by the latest estimate.
    pub fn remaining(&self) -> Option<u32> {
        match self.left {
            Left::Known(n) => Some(n),
            Left::Unknown | Left::Unpaced => None,
        }
    }

    pub fn in_flight(&self) -> u32 {
        self.in_flight
    }

    fn roll_if_due(&mut self, now: Instant) {
        if let (Some(reset), Some(limit)) = (self.reset_at, self.limit) {
            if now >= reset {
                self.left = Left::Known(limit);
                self.reset_at = None;
                self.rolled_at = Some(now);
            }
        }
    }

    /// Counts a request as sent when the budget allows it.
    pub fn admit(&mut self, now: Instant) -> Admit {
        self.roll_if_due(now);
        let go = match self.left {
            Left::Unpaced => true,
            Left::Unknown => self.in_flight == 0,
            Left::Known(n) => n > self.reserve(),
        };
        if go {
            if let Left::Known(n) = self.left {
                self.left = Left::Known(n - 1);
            }
            self.in_flight += 1;
            return Admit::Go;
        }
        match (self.left, self.reset_at) {
            (Left::Known(_), Some(reset)) => Admit::WaitUntil(reset),
            // Spent with no reset known yet, or waiting for the first answer: look again soon.
            _ => Admit::WaitUntil(now + Duration::from_millis(20)),
        }
    }

    /// Records the answer to a request admitted at `sent_at`.
    pub fn observe(&mut self, rate: Option<RateLimit>, sent_at: Instant, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(rate) = rate else {
            if self.left == Left::Unknown {
                self.left = Left::Unpaced;
            }
            return;
        };
        if self.rolled_at.is_some_and(|r| sent_at < r) {
            return;
        }
        let previous_limit = self.limit.replace(rate.limit);
        let reset = now + Duration::from_secs(u64::from(rate.reset_secs)) + RESET_MARGIN;
        // The server may not have counted the requests still in flight yet: assume it has not.
        let estimate = rate.remaining.saturating_sub(self.in_flight);
        match (self.left, self.reset_at) {
            (Left::Known(n), Some(current)) => {
                if reset > current + SAME_WINDOW {
                    // A new minute began at the server.
                    self.left = Left::Known(estimate);
                    self.reset_at = Some(reset);
                } else if reset + SAME_WINDOW >= current {
                    // Every reading bounds the reset from above: the server counted the
                    // seconds left before we read them, and `X-RateLimit-Reset` is whole seconds
                    // rounded up. The earliest bound is the tightest: over a minute of answers
                    // it comes within a round trip of the true reset, where the latest is up
                    // to a second after it.
                    self.left = Left::Known(n.min(estimate));
                    self.reset_at = Some(current.min(reset));
                }
                // else: an answer from an earlier minute, arriving late.
            }
            (Left::Known(n), None) => {
                // The first answer of a minute we rolled into locally. A roll that used the
                // one-request guess of a 429 seen before any rate headers knew nothing: the
                // server's count is the estimate then, else the lower of the two.
                let guessed = previous_limit.is_none_or(|l| l < rate.limit);
                self.left = Left::Known(if guessed { estimate } else { n.min(estimate) });
                self.reset_at = Some(reset);
            }
            (Left::Unknown | Left::Unpaced, _) => {
                self.left = Left::Known(estimate);
                self.reset_at = Some(reset);
            }
        }
    }

    /// Classifies a 429 (already [`observe`](Self::observe)d without its headers) and, when the
    /// minute is spent, spends the budget until `retry_after` from `now`.
    pub fn throttled(&mut self, retry_after: Duration, repeated: bool, now: Instant) -> Throttle {
        let expected = match self.left {
            Left::Known(n) => n <= self.reserve() + self.in_flight,
            Left::Unknown | Left::Unpaced => true,
        };
        if !expected && !repeated {
            return Throttle::Transient;
        }
        self.left = Left::Known(0);
        self.reset_at = Some(now + retry_after + RESET_MARGIN);
        if self.limit.is_none() {
            // Unpaced servers still get the wait; the next answer teaches the limit.
            self.limit = Some(1);
        }
        Throttle::Spent
    }
}

/// Exponential back-off with jitter: `base · 2^(attempt-1)` plus up to half of that again.
pub fn backoff(base: Duration, attempt: u32, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(8));
    exp + exp.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rl(limit: u32, remaining: u32, reset_secs: u32) -> Option<RateLimit> {
        Some(RateLimit {
            limit,
            remaining,
            reset_secs,
        })
    }

    #[test]
    fn one_request_at_a_time_until_the_headers_arrive() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        assert_eq!(b.admit(t0), Admit::Go);
        assert!(matches!(b.admit(t0), Admit::WaitUntil(_)));
        b.observe(rl(10, 9, 60), t0, t0);
        assert_eq!(b.remaining(), Some(9));
        assert_eq!(b.admit(t0), Admit::Go);
        assert_eq!(b.remaining(), Some(8));
    }

    #[test]
    fn a_429_before_any_rate_headers_waits_its_retry_after_then_trusts_the_server() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        assert_eq!(b.admit(t0), Admit::Go);
        b.observe(None, t0, t0);
        assert_eq!(
            b.throttled(Duration::from_secs(1), false, t0),
            Throttle::Spent
        );
        let after = t0 + Duration::from_secs(1) + RESET_MARGIN;
        assert_eq!(b.admit(t0), Admit::WaitUntil(after));
        assert_eq!(b.admit(after), Admit::Go);
        // The answer names the real minute: 497 left of 500, not the one-request guess.
        b.observe(rl(500, 497, 58), after, after);
        assert_eq!(b.remaining(), Some(497));
        assert_eq!(b.admit(after), Admit::Go);
    }

    #[test]
    fn a_spent_minute_waits_for_the_reset_then_rolls() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        assert_eq!(b.admit(t0), Admit::Go);
        b.observe(rl(3, 2, 30), t0, t0);
        assert_eq!(b.admit(t0), Admit::Go);
        assert_eq!(b.admit(t0), Admit::Go);
        let reset = t0 + Duration::from_secs(30) + RESET_MARGIN;
        assert_eq!(b.admit(t0), Admit::WaitUntil(reset));
        // The in-flight answers arrive: still spent.
        b.observe(rl(3, 1, 30), t0, t0);
        b.observe(rl(3, 0, 30), t0, t0);
        assert_eq!(b.admit(t0), Admit::WaitUntil(reset));
        assert_eq!(b.admit(reset), Admit::Go);
        assert_eq!(b.remaining(), Some(2));
    }

    #[test]
    fn the_earliest_reading_of_the_reset_bounds_the_wait() {
        // The server's minute ends 59.3 s after t0, and it rounds the seconds left up.
        let t0 = Instant::now();
        let true_reset = t0 + Duration::from_millis(59_300);
        let reading = |at: Instant| {
            let left = true_reset.duration_since(at).as_secs_f64();
            rl(500, 400, left.ceil() as u32)
        };
        let mut b = Budget::new(0);
        let mut latest_bound = t0;
        for ms in [0u64, 100, 400, 800, 950] {
            let at = t0 + Duration::from_millis(ms);
            assert_eq!(b.admit(at), Admit::Go);
            b.observe(reading(at), at, at);
            let r = reading(at).expect("reading");
            latest_bound = latest_bound.max(at + Duration::from_secs(u64::from(r.reset_secs)));
        }
        // The reading at 0.4 s (59 s left) bounds the reset at 59.4 s: the wait ends there, not
        // at the 60.1 s of the latest-ending reading.
        let until = b.reset_at.expect("a reset is known");
        assert!(until >= true_reset, "never before the true reset");
        assert_eq!(until, t0 + Duration::from_millis(59_400) + RESET_MARGIN);
        assert!(latest_bound > until);
    }

    #[test]
    fn in_flight_requests_count_against_what_the_headers_say() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        assert_eq!(b.admit(t0), Admit::Go);
        b.observe(rl(100, 50, 60), t0, t0);
        for _ in 0..8 {
            assert_eq!(b.admit(t0), Admit::Go);
        }
        assert_eq!(b.remaining(), Some(42));
        // An answer that the server counted before the other seven: 49 left, 7 in flight.
        b.observe(rl(100, 49, 60), t0, t0);
        assert_eq!(b.remaining(), Some(42));
        // An out-of-order, older answer never raises the estimate.
        b.observe(rl(100, 48, 60), t0, t0);
        assert_eq!(b.remaining(), Some(42));
        b.observe(rl(100, 30, 60), t0, t0);
        assert_eq!(b.remaining(), Some(25));
    }

    #[test]
    fn a_new_minute_at_the_server_resets_the_estimate() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        b.admit(t0);
        b.observe(rl(100, 90, 10), t0, t0);
        let later = t0 + Duration::from_secs(12);
        b.admit(later);
        b.observe(rl(100, 99, 60), later, later);
        assert_eq!(b.remaining(), Some(99));
    }

    #[test]
    fn the_reserve_is_left_for_others_but_never_most_of_a_small_limit() {
        let t0 = Instant::now();
        let mut b = Budget::new(5);
        b.admit(t0);
        b.observe(rl(500, 6, 60), t0, t0);
        assert_eq!(b.admit(t0), Admit::Go);
        assert!(matches!(b.admit(t0), Admit::WaitUntil(_)));
        let mut small = Budget::new(5);
        small.admit(t0);
        small.observe(rl(20, 3, 60), t0, t0);
        // 20 / 10 = 2 kept back.
        assert_eq!(small.admit(t0), Admit::Go);
        assert!(matches!(small.admit(t0), Admit::WaitUntil(_)));
    }

    #[test]
    fn a_429_against_a_healthy_budget_is_transient_a_repeated_one_spends_the_minute() {
        let t0 = Instant::now();
        let mut b = Budget::new(0);
        b.admit(t0);
        b.observe(rl(500, 400, 50), t0, t0);
        b.admit(t0);
        b.observe(None, t0, t0);
        assert_eq!(
            b.throttled(Duration::from_secs(50), false, t0),
            Throttle::Transient
        );
        assert_eq!(b.remaining(), Some(399));
        assert_eq!(
            b.throttled(Duration::from_secs(50), true, t0),
            Throttle::Spent
        );
        assert!(matches!(b.admit(t0), Admit::WaitUntil(_)));
    }

    #[test]
    fn no_headers_means_no_pacing() {
        let t0 = Instant::now();
        let mut b = Budget::new(2);
        b.admit(t0);
        b.observe(None, t0, t0);
        for _ in 0..1000 {
            assert_eq!(b.admit(t0), Admit::Go);
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        assert_eq!(backoff(base, 1, 0.0), Duration::from_millis(100));
        assert_eq!(backoff(base, 3, 0.0), Duration::from_millis(400));
        assert_eq!(backoff(base, 3, 1.0), Duration::from_millis(600));
    }
}
