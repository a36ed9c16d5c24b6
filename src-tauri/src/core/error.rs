//! The core's error: one enum over the errors of what it calls, mapped to `IpcError` kinds at
//! the window's edge and to one line on stderr by the CLI.

use std::sync::Arc;

use crate::connect::ConnectError;
use crate::explore::ExploreError;
use crate::prefs::PrefsError;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::sync::engine::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Sync(Arc<SyncError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Explore(#[from] ExploreError),
    #[error(transparent)]
    Prefs(#[from] PrefsError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Note(#[from] crate::store::notes::NoteError),
    #[error(transparent)]
    Live(#[from] crate::live::LiveError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
}

impl From<Arc<SyncError>> for CoreError {
    fn from(e: Arc<SyncError>) -> Self {
        CoreError::Sync(e)
    }
}

impl From<crate::oauth::OAuthError> for CoreError {
    fn from(e: crate::oauth::OAuthError) -> Self {
        CoreError::Connect(ConnectError::OAuth(e))
    }
}
