//! The sandbox's error.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("no invitee {0} in the sandbox: take invitee URIs from snapshot() or the API")]
    UnknownInvitee(String),
    #[error("no scheduled event {0} in the sandbox: take event URIs from snapshot() or the API")]
    UnknownEvent(String),
    #[error("no event type {0}: use an event type URI, slug or name from snapshot().event_types")]
    UnknownEventType(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("cannot read or write the sandbox state file {path}: {source}; check the path and its permissions")]
    StateFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the sandbox state file {path} is not valid ({source}); delete it to start from a fresh scenario")]
    StateFormat {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot read the listener's address: {0}")]
    Listener(std::io::Error),
    #[error("cannot build the webhook HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
}
