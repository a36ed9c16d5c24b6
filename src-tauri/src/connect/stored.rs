//! What connecting can fail with, and the Calendly connection as the keyring holds it.

use serde::{Deserialize, Serialize};

use crate::calendly::ApiError;
use crate::oauth::{OAuthError, TokenSet};
use crate::secrets::SecretError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the token is empty: paste the personal access token from Calendly → Integrations → API & Webhooks")]
    EmptyToken,
    #[error("Calendly did not accept this token ({0}). Create a new personal access token in Calendly → Integrations → API & Webhooks")]
    BadToken(String),
    #[error("Slotline is not connected to Calendly. Run `slotline connect --token-stdin`, or open the app and click Connect Calendly")]
    NotConnected,
    #[error("the stored Calendly token is missing from the keyring. Connect Calendly again")]
    TokenMissing,
    #[error("{0}")]
    BadSetting(String),
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the keyring holds for the Calendly connection (never logged, never sent over IPC).
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum StoredToken {
    Pat { token: String },
    Oauth { client_id: String, tokens: TokenSet },
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredToken(<redacted>)")
    }
}
