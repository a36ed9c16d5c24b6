//! What a flood can hold: request bodies in flight are capped by count and by bytes (reserved
//! from the declared length before a byte of the body is read). A request waits its turn in
//! arrival order (the semaphores are fair), for a bounded time and with a bounded queue; beyond
//! either it is answered 503 with `Retry-After` instead of being buffered.
//!
//! Two lanes by size, because what costs is reading and hashing big bodies: bodies of at most
//! [`AdmissionLimits::small_body`] (every real Calendly delivery is a few kilobytes) have a lane
//! of their own, so a genuine delivery only ever queues behind other small requests, each
//! verified in microseconds, never behind a megabyte of junk. Within each lane, requests from a
//! throttled source (see `ratelimit`) hold at most half of it, so a source that is not failing
//! always finds the other half free. When every request shares one source (a tunnel that does
//! not say who sent what), everyone is in that half, and a genuine delivery is delayed by the
//! small requests queued before it, not refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The caps. At most `max_bytes + small_requests * small_body` bytes of bodies are in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdmissionLimits {
    /// Larger requests whose bodies may be in flight at once.
    pub max_requests: usize,
    /// Body bytes larger requests may reserve at once.
    pub max_bytes: usize,
    /// Bodies up to this many bytes (declared) are small.
    pub small_body: usize,
    /// Small requests whose bodies may be in flight at once.
    pub small_requests: usize,
    /// Requests that may wait for room; beyond, 503 at once.
    pub max_waiting: usize,
    /// Longest wait for room before 503.
    pub wait: Duration,
}

impl AdmissionLimits {
    /// The most body bytes all requests together can hold.
    pub fn max_bytes_in_flight(&self) -> usize {
        self.max_bytes
            .saturating_add(self.small_requests.saturating_mul(self.small_body))
    }
}

impl Default for AdmissionLimits {
    fn default() -> Self {
        Self {
            max_requests: 32,
            max_bytes: 16 * 1024 * 1024,
            small_body: 64 * 1024,
            small_requests: 32,
            max_waiting: 512,
            // Well within the 15 s Calendly waits for an answer, with the body still to read.
            wait: Duration::from_secs(4),
        }
    }
}

/// No room in time (or too many already waiting): answered 503 so the sender retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the receiver is busy; try again shortly")]
pub struct Busy;

#[derive(Debug)]
struct Lane {
    count: Arc<Semaphore>,
    bytes: Arc<Semaphore>,
    max_bytes: usize,
}

impl Lane {
    fn new(requests: usize, bytes: usize) -> Self {
        let bytes = bytes.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            count: Arc::new(Semaphore::new(requests.clamp(1, Semaphore::MAX_PERMITS))),
            bytes: Arc::new(Semaphore::new(bytes)),
            max_bytes: bytes,
        }
    }

    async fn enter(&self, bytes: usize, held: &mut Vec<OwnedSemaphorePermit>) {
        // Never more than the lane holds, or the request could never enter.
        let n = u32::try_from(bytes.clamp(1, self.max_bytes)).unwrap_or(u32::MAX);
        if let Ok(p) = self.count.clone().acquire_owned().await {
            held.push(p);
        }
        if let Ok(p) = self.bytes.clone().acquire_many_owned(n).await {
            held.push(p);
        }
    }
}

/// One size class: all of it, and the half throttled sources may hold.
#[derive(Debug)]
struct Class {
    all: Lane,
    suspect: Lane,
}

impl Class {
    fn new(requests: usize, bytes: usize) -> Self {
        Self {
            all: Lane::new(requests, bytes),
            suspect: Lane::new(requests / 2, bytes / 2),
        }
    }
}

/// The receiver's in-flight capacity.
#[derive(Debug)]
pub struct Admission {
    small: Class,
    large: Class,
    waiting: AtomicUsize,
    limits: AdmissionLimits,
}

/// Room held by one request until it is answered.
#[derive(Debug)]
pub struct Permit {
    _held: Vec<OwnedSemaphorePermit>,
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Admission {
    pub fn new(limits: AdmissionLimits) -> Self {
        Self {
            small: Class::new(
                limits.small_requests,
                limits.small_requests.saturating_mul(limits.small_body),
            ),
            large: Class::new(limits.max_requests, limits.max_bytes),
            waiting: AtomicUsize::new(0),
            limits,
        }
    }

    /// Room for a body of `bytes`, in the throttled lane too when `suspect`.
    pub async fn admit(&self, bytes: usize, suspect: bool) -> Result<Permit, Busy> {
        if self.waiting.fetch_add(1, Ordering::Relaxed) >= self.limits.max_waiting {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(Busy);
        }
        let _waiting = Waiting(&self.waiting);
        let class = if bytes <= self.limits.small_body {
            &self.small
        } else {
            &self.large
        };
        let mut held = Vec::with_capacity(4);
        let enter = async {
            // Always in this order (the throttled half first), so no two requests wait on each
            // other.
            if suspect {
                class.suspect.enter(bytes, &mut held).await;
            }
            class.all.enter(bytes, &mut held).await;
        };
        tokio::time::timeout(self.limits.wait, enter)
            .await
            .map_err(|_| Busy)?;
        Ok(Permit { _held: held })
    }

    /// Bytes reserved right now, over every request (for tests and diagnostics).
    pub fn bytes_in_flight(&self) -> usize {
        [&self.small.all, &self.large.all]
            .iter()
            .map(|l| l.max_bytes - l.bytes.available_permits())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bodies up to 100 bytes are small; 4 small ones at a time.
    fn limits(requests: usize, bytes: usize, waiting: usize, wait_ms: u64) -> AdmissionLimits {
        AdmissionLimits {
            max_requests: requests,
            max_bytes: bytes,
            small_body: 100,
            small_requests: 4,
            max_waiting: waiting,
            wait: Duration::from_millis(wait_ms),
        }
    }

    #[tokio::test]
    async fn bytes_and_count_are_capped_and_given_back() {
        let a = Admission::new(limits(4, 1000, 10, 50));
        let p1 = a.admit(600, false).await.expect("room");
        assert_eq!(a.bytes_in_flight(), 600);
        // 600 + 600 > 1000: waits, then busy.
        assert_eq!(a.admit(600, false).await.map(|_| ()), Err(Busy));
        let p2 = a.admit(400, false).await.expect("exactly full");
        assert_eq!(a.bytes_in_flight(), 1000);
        drop((p1, p2));
        assert_eq!(a.bytes_in_flight(), 0);
        let held: Vec<_> = futures_all(&a, 4, 101).await;
        assert_eq!(held.len(), 4);
        assert_eq!(
            a.admit(101, false).await.map(|_| ()),
            Err(Busy),
            "count cap"
        );
    }

    #[tokio::test]
    async fn small_bodies_never_queue_behind_large_ones() {
        let a = Admission::new(limits(2, 1000, 10, 50));
        let _big = (
            a.admit(500, true).await.expect("room"),
            a.admit(500, false).await.expect("room"),
        );
        assert_eq!(
            a.admit(500, false).await.map(|_| ()),
            Err(Busy),
            "large lane full"
        );
        // A small body, even from a throttled source, has its own lane.
        let small = a.admit(80, true).await.expect("small lane");
        assert_eq!(a.bytes_in_flight(), 1080);
        drop(small);
        assert_eq!(a.limits.max_bytes_in_flight(), 1000 + 4 * 100);
    }

    async fn futures_all(a: &Admission, n: usize, bytes: usize) -> Vec<Permit> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(a.admit(bytes, false).await.expect("room"));
        }
        out
    }

    #[tokio::test]
    async fn a_throttled_lane_leaves_half_to_everyone_else() {
        let a = Admission::new(limits(8, 1000, 100, 50));
        let _s1 = a.admit(500, true).await.expect("half the bytes");
        assert_eq!(
            a.admit(101, true).await.map(|_| ()),
            Err(Busy),
            "the half is full"
        );
        let _c = a.admit(500, false).await.expect("the other half is free");
    }

    #[tokio::test]
    async fn a_waiting_request_gets_in_when_room_is_given_back() {
        let a = Arc::new(Admission::new(limits(1, 1000, 10, 2000)));
        let p = a.admit(200, false).await.expect("room");
        let waiter = {
            let a = a.clone();
            tokio::spawn(async move { a.admit(200, false).await.map(|_| ()) })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(p);
        assert_eq!(waiter.await.expect("join"), Ok(()));
    }

    #[tokio::test]
    async fn too_many_waiting_is_busy_at_once() {
        let a = Arc::new(Admission::new(limits(1, 1000, 1, 5000)));
        let _p = a.admit(200, false).await.expect("room");
        let a2 = a.clone();
        let first = tokio::spawn(async move { a2.admit(200, false).await.map(|_| ()) });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        assert_eq!(a.admit(200, false).await.map(|_| ()), Err(Busy));
        assert!(started.elapsed() < Duration::from_secs(1));
        first.abort();
    }
}
