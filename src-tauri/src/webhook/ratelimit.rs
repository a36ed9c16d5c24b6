//! Throttling what fails, never what verifies: token buckets charged only by requests that fail
//! the receiver's checks (bad or stale signature, malformed header, unreadable body...), one per
//! source and one for the whole receiver. A delivery whose signature verifies is never charged
//! and never refused by them; a throttled source only gets curt answers (429 instead of the
//! detailed 4xx) and a smaller share of the in-flight capacity (see `admission`).
//!
//! The source: behind a tunnel every request arrives from the tunnel agent on loopback, so the
//! peer address says nothing. A proxy appends the address it received the connection from to
//! `X-Forwarded-For`, so when the peer is loopback the *last* entry is the one the proxy nearest
//! to us (the tunnel's edge) wrote; the entries before it are the sender's own and may be
//! forged, so they are never used. Without a proxy (or one that does not set the header) the
//! source is the peer. A forger who could choose that last entry (only a local process can
//! reach the loopback listener directly) gains nothing a fresh source would not have: the global
//! bucket still runs dry for sources that have not delivered anything genuine recently.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

/// Sustained rate and burst of failed requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
}

impl RateLimit {
    /// Failures one source may cause: far above a misconfigured but honest sender's retries.
    pub const PER_SOURCE: RateLimit = RateLimit {
        per_second: 5.0,
        burst: 50,
    };
    /// Failures the whole receiver tolerates from sources without a recent genuine delivery.
    pub const GLOBAL: RateLimit = RateLimit {
        per_second: 20.0,
        burst: 200,
    };
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::PER_SOURCE
    }
}

/// A source that delivered a verified delivery this recently is exempt from the global bucket
/// (its own bucket still counts its failures).
const TRUSTED_FOR: Duration = Duration::from_secs(3600);

/// Sources idle long enough to have refilled are forgotten once the table grows past this.
const MAX_SOURCES: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(limit: RateLimit, now: Instant) -> Self {
        Self {
            tokens: f64::from(limit.burst.max(1)),
            last: now,
        }
    }

    fn refill(&mut self, limit: RateLimit, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.per_second).min(f64::from(limit.burst.max(1)));
        self.last = now;
    }

    /// How long until a token is back, when none is left.
    fn empty_for(&self, limit: RateLimit) -> Option<Duration> {
        if self.tokens >= 1.0 {
            None
        } else if limit.per_second > 0.0 {
            Some(Duration::from_secs_f64(
                (1.0 - self.tokens) / limit.per_second,
            ))
        } else {
            Some(Duration::from_secs(60))
        }
    }

    fn take(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }
}

#[derive(Debug)]
struct Buckets {
    per_source: HashMap<IpAddr, Bucket>,
    global: Bucket,
    trusted: HashMap<IpAddr, Instant>,
}

/// The failure buckets of every source seen recently, and the receiver's own.
#[derive(Debug)]
pub struct FailureThrottle {
    per_source: RateLimit,
    global: RateLimit,
    buckets: Mutex<Buckets>,
}

impl FailureThrottle {
    pub fn new(per_source: RateLimit, global: RateLimit) -> Self {
        let now = Instant::now();
        Self {
            per_source,
            global,
            buckets: Mutex::new(Buckets {
                per_source: HashMap::new(),
                global: Bucket::full(global, now),
                trusted: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(wait)` when `source` is throttled at `now`: its own bucket is empty, or the global
    /// one is and the source has delivered nothing genuine lately. Reading charges nothing.
    pub fn throttled(&self, source: IpAddr, now: Instant) -> Option<Duration> {
        let mut b = self.lock();
        let own = match b.per_source.get_mut(&source) {
            Some(bucket) => {
                bucket.refill(self.per_source, now);
                bucket.empty_for(self.per_source)
            }
            None => None,
        };
        if own.is_some() {
            return own;
        }
        let trusted = b
            .trusted
            .get(&source)
            .is_some_and(|at| now.saturating_duration_since(*at) < TRUSTED_FOR);
        if trusted {
            return None;
        }
        b.global.refill(self.global, now);
        b.global.empty_for(self.global)
    }

    /// Charges one failure to `source` and to the receiver.
    pub fn charge(&self, source: IpAddr, now: Instant) {
        let mut b = self.lock();
        let limit = self.per_source;
        if b.per_source.len() >= MAX_SOURCES && !b.per_source.contains_key(&source) {
            let cap = f64::from(limit.burst.max(1));
            b.per_source.retain(|_, bucket| {
                let refilled = bucket.tokens
                    + now.saturating_duration_since(bucket.last).as_secs_f64() * limit.per_second;
                refilled < cap
            });
        }
        let bucket = b
            .per_source
            .entry(source)
            .or_insert_with(|| Bucket::full(limit, now));
        bucket.refill(limit, now);
        bucket.take();
        b.global.refill(self.global, now);
        b.global.take();
    }

    /// Records a verified delivery from `source`: it keeps its share when strangers flood.
    pub fn verified(&self, source: IpAddr, now: Instant) {
        let mut b = self.lock();
        if b.trusted.len() >= MAX_SOURCES && !b.trusted.contains_key(&source) {
            b.trusted
                .retain(|_, at| now.saturating_duration_since(*at) < TRUSTED_FOR);
        }
        b.trusted.insert(source, now);
    }
}

/// The source a request is charged to: the last `X-Forwarded-For` entry when the peer is on
/// loopback (a tunnel agent or local proxy forwarded it), else the peer itself.
pub fn source_of(peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !is_loopback(peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok())
        .unwrap_or(peer)
}

pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 7));
    const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn small() -> FailureThrottle {
        FailureThrottle::new(
            RateLimit {
                per_second: 2.0,
                burst: 3,
            },
            RateLimit {
                per_second: 1.0,
                burst: 5,
            },
        )
    }

    #[test]
    fn only_failures_spend_and_the_bucket_refills() {
        let th = small();
        let t0 = Instant::now();
        // Looking is free, however often.
        for _ in 0..100 {
            assert_eq!(th.throttled(A, t0), None);
        }
        for _ in 0..3 {
            th.charge(A, t0);
        }
        let wait = th
            .throttled(A, t0)
            .expect("three failures empty a burst of three");
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        // Another source is not throttled by A's failures (the global bucket has 2 left).
        assert_eq!(th.throttled(B, t0), None);
        // Half a second refills one token at 2/s.
        assert_eq!(th.throttled(A, t0 + Duration::from_millis(500)), None);
    }

    #[test]
    fn the_global_bucket_spares_sources_with_a_recent_genuine_delivery() {
        let th = small();
        let t0 = Instant::now();
        th.verified(B, t0);
        // Five strangers fail once each: the global burst of five is spent.
        for i in 0..5u8 {
            th.charge(IpAddr::V4(Ipv4Addr::new(192, 0, 2, i)), t0);
        }
        let stranger = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 99));
        assert!(
            th.throttled(stranger, t0).is_some(),
            "a new source pays for the flood"
        );
        assert_eq!(th.throttled(B, t0), None, "a trusted source does not");
        // Trust fades: an hour later, after another flood, B pays like anyone.
        let late = t0 + TRUSTED_FOR;
        for i in 0..5u8 {
            th.charge(IpAddr::V4(Ipv4Addr::new(192, 0, 2, i)), late);
        }
        assert!(th.throttled(B, late).is_some());
    }

    #[test]
    fn the_table_forgets_refilled_sources() {
        let th = FailureThrottle::new(
            RateLimit {
                per_second: 1.0,
                burst: 1,
            },
            RateLimit {
                per_second: 1e9,
                burst: u32::MAX,
            },
        );
        let t0 = Instant::now();
        for i in 0..MAX_SOURCES {
            let ip = IpAddr::V6(std::net::Ipv6Addr::from(u128::try_from(i).expect("fits")));
            th.charge(ip, t0);
        }
        th.charge(A, t0 + Duration::from_secs(2));
        assert_eq!(th.lock().per_source.len(), 1);
    }

    #[test]
    fn the_source_is_the_last_forwarded_entry_behind_a_local_proxy() {
        let mut h = HeaderMap::new();
        assert_eq!(source_of(LOCAL, &h), LOCAL);
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("10.9.9.9, 203.0.113.5"),
        );
        assert_eq!(source_of(LOCAL, &h), A);
        // Not behind a local proxy: the header is the sender's word only.
        assert_eq!(source_of(B, &h), B);
        // Two header lines: the last one is the nearest proxy's.
        h.append("x-forwarded-for", HeaderValue::from_static("198.51.100.7"));
        assert_eq!(source_of(LOCAL, &h), B);
        // Junk falls back to the peer.
        let mut junk = HeaderMap::new();
        junk.append(
            "x-forwarded-for",
            HeaderValue::from_static("not an address"),
        );
        assert_eq!(source_of(LOCAL, &junk), LOCAL);
    }
}
