//! Refused requests are counted per reason and logged as one summary line a minute, not a line
//! each: a flood must not fill the disk with logs or drown what matters in them.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Counts since the last summary.
#[derive(Debug, Default)]
pub struct Refusals {
    counts: Mutex<Counts>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Refusals per reason (`bad_signature`, `stale`, `malformed_signature`, `busy`, ...).
    pub by_reason: BTreeMap<&'static str, u64>,
    /// How many of them were answered 429 because their source was throttled.
    pub throttled: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }

    /// `bad_signature=120 stale=3`, in reason order.
    pub fn line(&self) -> String {
        self.by_reason
            .iter()
            .map(|(reason, n)| format!("{reason}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Refusals {
    pub fn record(&self, reason: &'static str, throttled: bool) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        *c.by_reason.entry(reason).or_default() += 1;
        if throttled {
            c.throttled += 1;
        }
    }

    /// The counts since the last call, reset.
    pub fn take(&self) -> Counts {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Logs the counts since the last summary as one line, if anything was refused.
    pub fn log_summary(&self) -> Option<Counts> {
        let c = self.take();
        if c.total() == 0 {
            return None;
        }
        tracing::warn!(
            refused = c.total(),
            throttled = c.throttled,
            reasons = %c.line(),
            "webhook requests refused since the last summary"
        );
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_reason_and_resets() {
        let r = Refusals::default();
        for _ in 0..1000 {
            r.record("bad_signature", true);
        }
        r.record("stale", false);
        let c = r.take();
        assert_eq!(c.total(), 1001);
        assert_eq!(c.throttled, 1000);
        assert_eq!(c.line(), "bad_signature=1000 stale=1");
        assert_eq!(r.take(), Counts::default());
        assert!(r.log_summary().is_none(), "nothing to say, no line");
    }
}
