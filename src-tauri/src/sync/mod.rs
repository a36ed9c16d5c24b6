//! Sync is plan, then apply, then emit: one path turns Calendly resources, from the API or from
//! webhooks, into rows.

pub mod apply;
pub mod engine;
mod options;
mod outcome;
pub mod pace;
pub mod plan;
mod progress;
pub mod reconcile;
mod retry;
mod rows;
mod run;
pub mod runner;
mod vanished;

pub use apply::{apply, ApplyOutcome};
pub use plan::{Input, Plan};
