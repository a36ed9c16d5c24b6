//! What the core tells its fronts.

use crate::core::notice::Notice;
use crate::feed::StaleTopic;
use crate::sync::engine::SyncProgress;

/// What the window refetches after a change.
pub const ALL_DATA: &[StaleTopic] = &[
    StaleTopic::Events,
    StaleTopic::Contacts,
    StaleTopic::Dashboard,
    StaleTopic::Status,
];

#[derive(Debug, Clone)]
pub enum CoreEvent {
    /// These read models changed: refetch them.
    Stale(Vec<StaleTopic>),
    /// A sync's progress, whoever started it.
    Progress(SyncProgress),
    /// A booking, cancellation or reschedule to announce (when the user wants notifications).
    Notice(Notice),
    /// A sentence for a person (the CLI prints these on stderr; the window logs them).
    Say(String),
}
