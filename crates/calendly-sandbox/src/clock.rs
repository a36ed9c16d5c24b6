//! The sandbox's notion of "now": the configured anchor plus real elapsed time, so a scenario built
//! around a fixed instant still ages naturally (tokens expire, retries come due) while it runs.

use chrono::{DateTime, TimeDelta, Utc};
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct Clock {
    anchor: DateTime<Utc>,
    started: Instant,
}

impl Clock {
    pub fn new(anchor: DateTime<Utc>) -> Self {
        Self {
            anchor,
            started: Instant::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.anchor + TimeDelta::from_std(self.started.elapsed()).unwrap_or(TimeDelta::zero())
    }
}
