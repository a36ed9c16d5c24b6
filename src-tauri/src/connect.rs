//! Connecting an account: a personal access token validated with `GET /users/me` and stored in
//! the keyring; the client built from the stored token; disconnecting.

use serde::{Deserialize, Serialize};

use crate::calendly::{ApiError, Client};
use crate::clock::format_utc;
use crate::config::Config;
use crate::secrets::{SecretError, SecretKind, SecretStore};
use crate::store::account::{self, Account};
use crate::store::{Store, StoreError};

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
enum StoredToken {
    Pat { token: String },
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredToken(<redacted>)")
    }
}

/// Validates `token` against Calendly (`config.api_url`), then stores it and the account.
pub async fn connect_pat(
    config: &Config,
    store: &Store,
    secrets: &dyn SecretStore,
    token: &str,
    is_sandbox: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Account, ConnectError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ConnectError::EmptyToken);
    }
    let client = Client::new(&config.api_url, token)?;
    let me = match client.me().await {
        Ok(me) => me,
        Err(ApiError::Unauthenticated { message }) | Err(ApiError::PermissionDenied { message }) => {
            return Err(ConnectError::BadToken(message))
        }
        Err(e) => return Err(e.into()),
    };
    let stored = serde_json::to_string(&StoredToken::Pat {
        token: token.to_string(),
    })
    .map_err(|e| StoreError::Data(e.to_string()))?;
    secrets.set(SecretKind::CalendlyToken, &stored)?;
    let acct = Account {
        user_uri: me.uri.clone(),
        organization_uri: me.current_organization.clone(),
        name: me.name.clone().unwrap_or_else(|| "Calendly user".into()),
        email: me.email.clone().unwrap_or_default(),
        timezone: me.timezone.clone(),
        avatar_url: me.avatar_url.clone(),
        auth_kind: "pat".into(),
        api_url: config.api_url.clone(),
        auth_url: config.auth_url.clone(),
        is_sandbox,
        webhooks_allowed: true,
        connected_at: format_utc(now),
        raw_json: serde_json::to_string(&me).map_err(|e| StoreError::Data(e.to_string()))?,
    };
    store.with_tx(|tx| account::set(tx, &acct))?;
    Ok(acct)
}

/// The connected account and a client with its token.
pub fn client(store: &Store, secrets: &dyn SecretStore) -> Result<(Account, Client), ConnectError> {
    let acct = store
        .read(|tx| account::get(tx))?
        .ok_or(ConnectError::NotConnected)?;
    let raw = secrets
        .get(SecretKind::CalendlyToken)?
        .ok_or(ConnectError::TokenMissing)?;
    let token = match serde_json::from_str::<StoredToken>(&raw) {
        Ok(StoredToken::Pat { token }) => token,
        Err(_) => return Err(ConnectError::TokenMissing),
    };
    let client = Client::new(&acct.api_url, &token)?;
    Ok((acct, client))
}

/// Points the stored account at another API base (the in-process sandbox got a new port).
pub fn repoint(store: &Store, api_url: &str) -> Result<(), StoreError> {
    store.with_tx(|tx| {
        if let Some(mut a) = account::get(tx)? {
            a.api_url = api_url.to_string();
            a.auth_url = api_url.to_string();
            account::set(tx, &a)?;
        }
        Ok(())
    })
}

/// Forgets the account's secrets and the account; keeps the synced history unless `erase`.
pub fn disconnect(store: &Store, secrets: &dyn SecretStore, erase: bool) -> Result<(), ConnectError> {
    for kind in SecretKind::ALL {
        secrets.delete(kind)?;
    }
    store.with_tx(|tx| {
        account::delete(tx)?;
        if erase {
            account::erase_history(tx)?;
        }
        Ok::<_, StoreError>(())
    })?;
    Ok(())
}
