//! Live activity: the scenario keeps happening while the sandbox runs (a new booking, a
//! cancellation by host or invitee, a reschedule, a no-show), each delivered as webhooks, so the
//! app's "Explore the offline sandbox" mode shows a calendar that changes on its own.

use crate::error::SandboxError;
use crate::inner::Sandbox;
use crate::locking::lock;
use crate::model::Status;
use crate::world::BookingSpec;
use chrono::TimeDelta;
use rand::seq::IndexedRandom;
use rand::Rng;
use std::time::Duration;

pub fn spawn(sandbox: Sandbox, every: Duration) {
    let mut stop = sandbox.inner.shutdown.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every.max(Duration::from_millis(10)));
        // The first tick of an interval fires at once; skip it so activity starts one period in.
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => {
                    if let Err(e) = step(&sandbox) {
                        tracing::debug!(error = %e, "live activity step skipped");
                    }
                }
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        return;
                    }
                }
            }
        }
    });
}

enum Action {
    Book,
    Cancel {
        invitee: String,
        by_host: bool,
        reason: Option<&'static str>,
    },
    Reschedule {
        invitee: String,
        days: i64,
    },
    NoShow {
        invitee: String,
    },
}

/// Picks one action with the world's RNG, then runs it through the public mutations.
fn step(sandbox: &Sandbox) -> Result<(), SandboxError> {
    let now = sandbox.now();
    let action = {
        let mut w = lock(&sandbox.inner.world);
        let future: Vec<String> = w
            .invitees
            .iter()
            .filter(|i| i.status == Status::Active)
            .filter(|i| w.event(&i.event).is_some_and(|e| e.start_time > now))
            .map(|i| i.uri.clone())
            .collect();
        let past: Vec<String> = w
            .invitees
            .iter()
            .filter(|i| i.status == Status::Active && i.no_show.is_none())
            .filter(|i| {
                w.event(&i.event)
                    .is_some_and(|e| e.end_time < now && e.start_time > now - TimeDelta::days(7))
            })
            .map(|i| i.uri.clone())
            .collect();
        let roll = w.rng.random_range(0..100);
        match roll {
            0..40 => Action::Book,
            40..60 => match future.choose(&mut w.rng) {
                Some(uri) => {
                    let by_host = w.rng.random_bool(0.3);
                    let reasons: &[&'static str] = if by_host {
                        &["Sorry, something came up on my side. Please pick a new slot."]
                    } else {
                        &[
                            "Can't make it after all, sorry!",
                            "Our priorities shifted this week.",
                        ]
                    };
                    Action::Cancel {
                        invitee: uri.clone(),
                        by_host,
                        reason: reasons.choose(&mut w.rng).copied(),
                    }
                }
                None => Action::Book,
            },
            60..80 => match future.choose(&mut w.rng) {
                Some(uri) => Action::Reschedule {
                    invitee: uri.clone(),
                    days: w.rng.random_range(1..10),
                },
                None => Action::Book,
            },
            _ => match past.choose(&mut w.rng) {
                Some(uri) => Action::NoShow {
                    invitee: uri.clone(),
                },
                None => Action::Book,
            },
        }
    };
    match action {
        Action::Book => sandbox.book(BookingSpec::random()).map(|_| ()),
        Action::Cancel {
            invitee,
            by_host,
            reason,
        } => sandbox.cancel(&invitee, by_host, reason),
        Action::Reschedule { invitee, days } => {
            let new_start = {
                let mut w = lock(&sandbox.inner.world);
                let et = w
                    .invitee(&invitee)
                    .and_then(|i| w.event(&i.event))
                    .and_then(|e| w.event_types.iter().find(|t| t.uri == e.event_type))
                    .cloned();
                et.and_then(|et| w.free_slot(&et, now, days, days + 14))
            };
            match new_start {
                Some(start) => sandbox.reschedule(&invitee, start).map(|_| ()),
                None => Ok(()),
            }
        }
        Action::NoShow { invitee } => sandbox.mark_no_show(&invitee),
    }
}
