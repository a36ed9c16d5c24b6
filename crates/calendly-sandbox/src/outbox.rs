//! A subscription's delivery queue and what each attempt led to: the types the running sandbox
//! holds and the delivery tasks work on.

use crate::locking::lock;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tokio::sync::Notify;
use tokio::time::Instant;

/// What one attempt led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    Delivered,
    WillRetry,
    /// The receiver answered 410 Gone: the subscription was deleted.
    SubscriptionDeleted,
    /// Failing for longer than the disable period: the subscription is now `disabled`.
    SubscriptionDisabled,
}

/// One delivery attempt, for tests and the control endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    pub subscription_uri: String,
    pub callback_url: String,
    pub event: String,
    /// `payload.uri`: the invitee the message is about.
    pub payload_uri: String,
    pub attempt: u32,
    #[serde(with = "crate::ids::ts")]
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered at all.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub outcome: DeliveryOutcome,
}

pub(crate) struct Job {
    pub seq: u64,
    pub event: String,
    pub payload_uri: String,
    /// Serialized once; every attempt signs and sends these exact bytes.
    pub body: Vec<u8>,
    pub attempt: u32,
    pub due: Instant,
}

/// A subscription's queue and the wake-up for its task.
#[derive(Default)]
pub struct Outbox {
    jobs: Mutex<Vec<Job>>,
    pub notify: Notify,
    pub closed: AtomicBool,
}

impl Outbox {
    pub fn next_due(&self) -> Option<Instant> {
        lock(&self.jobs).iter().map(|j| j.due).min()
    }

    /// The earliest due job (ties by creation order), removed from the queue.
    pub fn take_due(&self, now: Instant) -> Option<Job> {
        let mut jobs = lock(&self.jobs);
        let idx = jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.due <= now)
            .min_by_key(|(_, j)| (j.due, j.seq))
            .map(|(i, _)| i)?;
        Some(jobs.remove(idx))
    }

    pub fn push(&self, job: Job) {
        lock(&self.jobs).push(job);
        self.notify.notify_one();
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        lock(&self.jobs).clear();
        self.notify.notify_one();
    }
}
