//! Noticing that the machine slept or the network came back, portably, so the live service can
//! reconcile: webhooks die while a laptop sleeps, and Calendly never sends them for the past.
//!
//! Sleep: a ticker compares wall-clock progress ([`Clock`]) with monotonic progress
//! ([`Instant`]). On Linux and macOS the monotonic clock stops during suspend while the wall clock
//! does not, so after a wake the wall clock has moved far more than the monotonic one; where the
//! monotonic clock keeps counting through suspend (Windows), the tick itself arrives far too late.
//! Either gap, much larger than the tick, means the machine was not running.
//!
//! Network return: a failed attempt is retried with [`Backoff`]; its caller decides what the
//! first success triggers (a full reconcile).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};

use crate::clock::Clock;

/// How often the ticker looks, and how large a gap counts as sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakeOptions {
    pub tick: Duration,
    /// Unexplained time beyond this means the machine slept (or was suspended).
    pub threshold: Duration,
}

impl Default for WakeOptions {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(10),
            threshold: Duration::from_secs(60),
        }
    }
}

/// Compares successive observations of the wall and monotonic clocks.
#[derive(Debug, Clone)]
pub struct SleepDetector {
    opts: WakeOptions,
    wall: DateTime<Utc>,
    mono: Instant,
}

impl SleepDetector {
    pub fn new(opts: WakeOptions, wall: DateTime<Utc>, mono: Instant) -> Self {
        Self { opts, wall, mono }
    }

    /// Records an observation; returns how long the machine seems to have been away when the
    /// gap since the previous one is much larger than a tick. A wall clock set backwards is
    /// taken as the new reference and never reported.
    pub fn observe(&mut self, wall: DateTime<Utc>, mono: Instant) -> Option<Duration> {
        let mono_gap = mono.saturating_duration_since(self.mono);
        let wall_gap = (wall - self.wall).to_std().unwrap_or(Duration::ZERO);
        self.wall = wall;
        self.mono = mono;
        // Wall time passed that the monotonic clock did not see: suspended (Linux, macOS).
        let unseen = wall_gap.saturating_sub(mono_gap);
        if unseen > self.opts.threshold {
            return Some(unseen);
        }
        // The tick itself came far too late: suspended with a monotonic clock that counts it.
        let late = mono_gap.saturating_sub(self.opts.tick);
        if late > self.opts.threshold {
            return Some(late);
        }
        None
    }
}

/// Ticks until `stop` turns true, sending how long the machine was away after each wake.
/// Runs on its own task so a long reconcile never makes a tick look late.
pub async fn watch(
    clock: Arc<dyn Clock>,
    opts: WakeOptions,
    woke: mpsc::UnboundedSender<Duration>,
    mut stop: watch::Receiver<bool>,
) {
    let mut detector = SleepDetector::new(opts, clock.now(), Instant::now());
    let mut ticker = tokio::time::interval(opts.tick);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = ticker.tick() => {
                if let Some(away) = detector.observe(clock.now(), Instant::now()) {
                    if woke.send(away).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Exponential back-off between retries of something that failed for lack of a network.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            next: base,
        }
    }

    /// The wait before the next retry; each call doubles the following one, up to `max`.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (self.next * 2).min(self.max);
        wait
    }

    /// After a success: the next failure starts from `base` again.
    pub fn reset(&mut self) {
        self.next = self.base;
    }
}

/// "Pretty" durations for sentences: `3 h 5 min`, `42 s`.
pub fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    fn opts() -> WakeOptions {
        WakeOptions {
            tick: Duration::from_secs(10),
            threshold: Duration::from_secs(60),
        }
    }

    #[test]
    fn steady_ticks_are_not_sleep() {
        let t0 = Utc::now();
        let m0 = Instant::now();
        let mut d = SleepDetector::new(opts(), t0, m0);
        for i in 1..=10u64 {
            let wall = t0 + chrono::Duration::seconds(10 * i as i64);
            assert_eq!(d.observe(wall, m0 + Duration::from_secs(10 * i)), None);
        }
        // A little jitter and a late tick within the threshold are not sleep either.
        let wall = t0 + chrono::Duration::seconds(150);
        assert_eq!(d.observe(wall, m0 + Duration::from_secs(145)), None);
    }

    #[test]
    fn a_wall_clock_jump_beyond_the_monotonic_one_is_sleep_once() {
        let t0 = Utc::now();
        let m0 = Instant::now();
        let mut d = SleepDetector::new(opts(), t0, m0);
        let wall = t0 + chrono::Duration::hours(3);
        let away = d
            .observe(wall, m0 + Duration::from_secs(10))
            .expect("slept");
        assert!(away > Duration::from_secs(3 * 3600 - 20), "{away:?}");
        // The next steady tick is not a second wake.
        let wall = wall + chrono::Duration::seconds(10);
        assert_eq!(d.observe(wall, m0 + Duration::from_secs(20)), None);
    }

    #[test]
    fn a_very_late_tick_is_sleep_and_a_backwards_wall_clock_is_not() {
        let t0 = Utc::now();
        let m0 = Instant::now();
        let mut d = SleepDetector::new(opts(), t0, m0);
        // Windows-style: both clocks counted the suspend.
        let wall = t0 + chrono::Duration::hours(1);
        assert!(d.observe(wall, m0 + Duration::from_secs(3600)).is_some());
        let back = wall - chrono::Duration::hours(2);
        assert_eq!(d.observe(back, m0 + Duration::from_secs(3610)), None);
    }

    #[tokio::test]
    async fn the_ticker_reports_one_wake_for_one_jump() {
        let clock = Arc::new(FixedClock::new(Utc::now()));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop_tx, stop_rx) = watch::channel(false);
        let opts = WakeOptions {
            tick: Duration::from_millis(10),
            threshold: Duration::from_secs(5),
        };
        let task = tokio::spawn(watch(clock.clone(), opts, tx, stop_rx));
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(rx.try_recv().is_err(), "no wake without a jump");
        clock.set(clock.now() + chrono::Duration::hours(2));
        let away = tokio::time::timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("a wake within a tick or two")
            .expect("sent");
        assert!(away >= Duration::from_secs(7000), "{away:?}");
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(rx.try_recv().is_err(), "exactly one wake per jump");
        let _ = stop_tx.send(true);
        task.await.expect("stops");
    }

    #[test]
    fn backoff_doubles_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(2), Duration::from_secs(10));
        let waits: Vec<u64> = (0..5).map(|_| b.next_wait().as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 10, 10]);
        b.reset();
        assert_eq!(b.next_wait(), Duration::from_secs(2));
        assert_eq!(human(Duration::from_secs(3 * 3600 + 300)), "3 h 5 min");
    }
}
