//! Sync is plan, then apply, then emit: one path turns Calendly resources, from the API or from
//! webhooks, into rows.

pub mod apply;
pub mod engine;
pub mod pace;
pub mod plan;
pub mod reconcile;
pub mod runner;

pub use apply::{apply, ApplyOutcome};
pub use plan::{Input, Plan};
