//! Applying a plan: read the snapshot the planner needs, plan, write — all in one transaction,
//! keyed on Calendly URIs, so applying the same input twice changes nothing.

use rusqlite::Transaction;

use super::plan::{self, Input, Plan, PlanError, Snapshot};
use crate::store::{self, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ApplyError {
    fn from(e: rusqlite::Error) -> Self {
        ApplyError::Store(e.into())
    }
}

/// What an apply changed, for the UI's refetch and for sync reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOutcome {
    pub events_changed: u32,
    pub invitees_changed: u32,
    pub activities_added: u32,
    /// Rows written (SQLite's change count): zero means the input was already known.
    pub rows_written: u64,
}

impl ApplyOutcome {
    pub fn merge(&mut self, other: &ApplyOutcome) {
        self.events_changed += other.events_changed;
        self.invitees_changed += other.invitees_changed;
        self.activities_added += other.activities_added;
        self.rows_written += other.rows_written;
    }
}

/// Plans and applies `input` inside the caller's transaction.
pub fn apply(tx: &Transaction<'_>, input: &Input) -> Result<ApplyOutcome, ApplyError> {
    let (event_uris, invitee_uris) = plan::touched(input);
    let snap = Snapshot {
        events: store::events::existing(tx, &event_uris)?,
        invitees: store::invitees::existing(tx, &invitee_uris)?,
    };
    let plan = plan::plan(input, &snap)?;
    write(tx, &plan)
}

fn write(tx: &Transaction<'_>, plan: &Plan) -> Result<ApplyOutcome, ApplyError> {
    let before = tx.total_changes();
    let mut out = ApplyOutcome::default();
    for c in &plan.contacts {
        store::contacts::upsert(tx, c)?;
    }
    for e in &plan.events {
        store::events::upsert(tx, e)?;
        out.events_changed += 1;
    }
    for i in &plan.invitees {
        let contact_id = store::contacts::id_of(tx, &i.email)?;
        store::invitees::upsert(tx, i, contact_id)?;
        out.invitees_changed += 1;
    }
    for p in &plan.participants {
        let contact_id = if p.is_contact {
            Some(store::contacts::id_of(tx, &p.email)?)
        } else {
            None
        };
        store::participants::upsert(tx, p, contact_id)?;
    }
    for r in &plan.routing {
        let contact_id = match &r.email {
            Some(e) => Some(store::contacts::id_of(tx, e)?),
            None => None,
        };
        store::activity::upsert_routing(tx, r, contact_id)?;
    }
    for a in &plan.activities {
        let contact_id = store::contacts::id_of(tx, &a.email)?;
        if store::activity::upsert(tx, a, contact_id)? {
            out.activities_added += 1;
        }
    }
    out.rows_written = tx.total_changes() - before;
    Ok(out)
}
