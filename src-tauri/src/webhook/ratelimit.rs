//! A token bucket per remote address, so one noisy sender cannot starve the inbox writer.
//!
//! Behind a tunnel every delivery arrives from the tunnel agent's address, so in practice this is
//! a limit on the whole receiver; forwarded-for headers are not trusted because anyone can set them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sustained rate and burst of one source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
}

impl Default for RateLimit {
    /// Far above what Calendly sends one consultant, low enough to keep a flood off the disk.
    fn default() -> Self {
        Self {
            per_second: 50.0,
            burst: 100,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Sources idle long enough to have refilled are forgotten once the table grows past this.
const MAX_SOURCES: usize = 4096;

/// The buckets of every source seen recently.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `source` at `now`; when none is left, how long until one is.
    pub fn check(&self, source: IpAddr, now: Instant) -> Result<(), Duration> {
        let RateLimit { per_second, burst } = self.limit;
        let burst = f64::from(burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_SOURCES && !buckets.contains_key(&source) {
            buckets.retain(|_, b| {
                let refilled =
                    b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * per_second;
                refilled < burst
            });
        }
        let bucket = buckets.entry(source).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if per_second > 0.0 {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / per_second))
        } else {
            Err(Duration::from_secs(60))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn burst_then_refill() {
        let rl = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 3,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(rl.check(A, t0), Ok(()));
        }
        let wait = rl.check(A, t0).expect_err("empty");
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        // Another source has its own bucket.
        assert_eq!(rl.check(B, t0), Ok(()));
        // Half a second refills one token at 2/s.
        assert_eq!(rl.check(A, t0 + Duration::from_millis(500)), Ok(()));
        assert!(rl.check(A, t0 + Duration::from_millis(500)).is_err());
        // Never more than the burst, however long the pause.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(rl.check(A, later), Ok(()));
        }
        assert!(rl.check(A, later).is_err());
    }

    #[test]
    fn the_table_forgets_refilled_sources() {
        let rl = RateLimiter::new(RateLimit {
            per_second: 1.0,
            burst: 1,
        });
        let t0 = Instant::now();
        for i in 0..MAX_SOURCES {
            let ip = IpAddr::V6(std::net::Ipv6Addr::from(u128::try_from(i).expect("fits")));
            assert_eq!(rl.check(ip, t0), Ok(()));
        }
        assert_eq!(rl.check(A, t0 + Duration::from_secs(2)), Ok(()));
        let len = rl.buckets.lock().expect("lock").len();
        assert_eq!(len, 1);
    }
}
