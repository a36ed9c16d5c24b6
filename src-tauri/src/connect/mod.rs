//! Connecting an account: a personal access token validated with `GET /users/me` and stored in
//! the keyring; the client built from the stored token; disconnecting.

use std::sync::Arc;
use std::time::Duration;

mod production;
mod session;
mod stored;

pub use production::{
    begin_production_oauth, begin_production_oauth_via, redirect_route, RedirectRoute,
};
pub use session::{
    clear_unsaved_sign_in, client, last_refresh, open_connection, unsaved_sign_in, Connection,
    REFRESH_LOCK_FILE,
};
pub use stored::ConnectError;
use stored::StoredToken;

use crate::calendly::client::Auth;
use crate::calendly::{ApiError, Client};
use crate::clock::format_utc;
use crate::config::Config;
use crate::oauth::{OAuthApp, PendingAuthorization};
use crate::secrets::{SecretKind, SecretStore};
use crate::store::account::{self, Account};
use crate::store::{Store, StoreError};

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
    let stored = StoredToken::Pat {
        token: token.to_string(),
    };
    save_connection(
        config, store, secrets, token, &stored, "pat", is_sandbox, now,
    )
    .await
}

/// Validates an access token with `GET /users/me`, then stores the secret and the account.
#[allow(clippy::too_many_arguments)]
async fn save_connection(
    config: &Config,
    store: &Store,
    secrets: &dyn SecretStore,
    access_token: &str,
    stored: &StoredToken,
    auth_kind: &str,
    is_sandbox: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Account, ConnectError> {
    let client = Client::with_timeout(
        &config.api_url,
        Auth::Token(access_token.to_string()),
        config.http_timeout,
    )?;
    let me = match client.me().await {
        Ok(me) => me,
        Err(ApiError::Unauthenticated { message })
        | Err(ApiError::PermissionDenied { message }) => {
            return Err(ConnectError::BadToken(message))
        }
        Err(e) => return Err(e.into()),
    };
    let stored = serde_json::to_string(stored).map_err(|e| StoreError::Data(e.to_string()))?;
    secrets.set(SecretKind::CalendlyToken, &stored)?;
    let acct = Account {
        user_uri: me.uri.clone(),
        organization_uri: me.current_organization.clone(),
        name: me.name.clone().unwrap_or_else(|| "Calendly user".into()),
        email: me.email.clone().unwrap_or_default(),
        timezone: me.timezone.clone(),
        avatar_url: me.avatar_url.clone(),
        auth_kind: auth_kind.into(),
        api_url: config.api_url.clone(),
        auth_url: config.auth_url.clone(),
        is_sandbox,
        webhooks_allowed: true,
        connected_at: format_utc(now),
        raw_json: serde_json::to_string(&me).map_err(|e| StoreError::Data(e.to_string()))?,
    };
    store.with_tx(|tx| {
        account::set(tx, &acct)?;
        crate::store::sync_state::delete(tx, crate::store::sync_state::RECONNECT)
    })?;
    Ok(acct)
}

/// Finishes an OAuth authorization started with [`PendingAuthorization::begin`]: waits for the
/// redirect, exchanges the code, validates the token and stores the pair and the account.
pub async fn finish_oauth(
    config: &Config,
    store: &Store,
    secrets: &dyn SecretStore,
    app: &OAuthApp,
    pending: PendingAuthorization,
    timeout: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Account, ConnectError> {
    let http = crate::oauth::app::http_client()?;
    let tokens = pending.finish(timeout, &http).await?;
    if let Some(secret) = &app.client_secret {
        secrets.set(SecretKind::OAuthClientSecret, secret)?;
    }
    let access = tokens.access_token.clone();
    let stored = StoredToken::Oauth {
        client_id: app.client_id.clone(),
        tokens,
    };
    save_connection(
        config, store, secrets, &access, &stored, "oauth", false, now,
    )
    .await
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

/// What disconnecting did beyond removing the local secrets.
#[derive(Debug, Default)]
pub struct Disconnected {
    /// Set when the OAuth tokens could not be revoked at Calendly: what happened.
    pub revoke_error: Option<String>,
    /// Set when a webhook subscription could not be deleted at Calendly: what happened, what it
    /// means and what to do, as one sentence for the user.
    pub subscription_error: Option<String>,
}

impl Disconnected {
    /// The warnings to show, one line each (the disconnect itself completed).
    pub fn warnings(&self) -> Vec<String> {
        let revoke = self.revoke_error.as_ref().map(|e| {
            format!(
                "the OAuth sign-in could not be revoked at Calendly: {e}. Slotline removed both tokens from this computer and will not use them again; the access token expires by itself within 2 hours, while Calendly keeps the refresh token valid until it is used or revoked"
            )
        });
        self.subscription_error
            .iter()
            .cloned()
            .chain(revoke)
            .collect()
    }
}

/// The warning for subscriptions Calendly did not let us delete: what happened, what it means
/// (Calendly keeps delivering, retries for up to 24 hours, then disables the subscription but
/// keeps it) and what to do.
fn undeleted_warning(left: &[crate::calendly::subscriptions::Undeleted], erase: bool) -> String {
    let what = left
        .iter()
        .map(|u| u.error.answer())
        .collect::<Vec<_>>()
        .join("; ");
    let (subject, callbacks) = match left {
        [one] => (
            "the webhook subscription Slotline created".to_string(),
            one.callback_url.clone(),
        ),
        many => (
            format!("{} webhook subscriptions Slotline created", many.len()),
            many.iter()
                .map(|u| u.callback_url.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    };
    let uris = left
        .iter()
        .map(|u| u.uri.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let how = if erase {
        format!("delete it with the Calendly API (DELETE {uris}, with a personal access token)")
    } else {
        format!("connect Calendly again and disconnect again (Settings → Disconnect, or `slotline disconnect`; Slotline kept the record and retries the deletion), or delete it with the Calendly API (DELETE {uris})")
    };
    format!(
        "{subject} could not be deleted at Calendly: {what}. It stays at Calendly, which keeps sending new bookings and cancellations to {callbacks}; deliveries that fail are retried for up to 24 hours, then Calendly disables the subscription (it is not removed). To remove it, {how}"
    )
}

/// Deletes the webhook subscriptions this app created and revokes an OAuth sign-in where
/// possible (failures become warnings), then forgets the account's secrets and the account;
/// keeps the synced history unless `erase`. `connection` is the process's shared one when it
/// has it (its session may hold a pair newer than the keyring's); otherwise one is opened.
pub async fn disconnect(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
    connection: Option<Connection>,
    erase: bool,
) -> Result<Disconnected, ConnectError> {
    let mut out = Disconnected::default();
    let connection = match connection {
        Some(c) => Some(c),
        None => open_connection(store, secrets.clone()).ok(),
    };
    if let Some(c) = connection {
        // An OAuth session refreshes an expired access token, so the deletes still work; the
        // revoke then ends the pair in use.
        let (_, left) = crate::calendly::subscriptions::delete_ours(&c.client, store).await?;
        if !left.is_empty() {
            out.subscription_error = Some(undeleted_warning(&left, erase));
        }
        if let Some(session) = c.session {
            if let Err(e) = session.revoke().await {
                out.revoke_error = Some(e.to_string());
            }
        }
    }
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
    Ok(out)
}

/// Settings as the window shows them.
pub fn settings_view(
    store: &Store,
    secrets: &dyn SecretStore,
) -> Result<crate::feed::SettingsView, ConnectError> {
    use crate::store::settings;
    let (client_id, port, acct) = store.read(|tx| {
        Ok::<_, StoreError>((
            settings::get(tx, settings::OAUTH_CLIENT_ID)?,
            settings::get(tx, settings::REDIRECT_PORT)?,
            account::get(tx)?,
        ))
    })?;
    let port = port
        .and_then(|p| p.parse().ok())
        .unwrap_or(crate::oauth::DEFAULT_REDIRECT_PORT);
    let client_id = client_id.or_else(|| std::env::var("SLOTLINE_OAUTH_CLIENT_ID").ok());
    Ok(crate::feed::SettingsView {
        oauth_client_id: client_id,
        redirect_port: port,
        has_client_secret: secrets.get(SecretKind::OAuthClientSecret)?.is_some(),
        loopback_redirect_uri: format!("http://localhost:{port}/callback"),
        auth_kind: acct.map(|a| a.auth_kind),
        last_refresh: last_refresh(secrets),
    })
}

/// Saves the OAuth app's client ID and redirect port (a port below 1024 is refused).
pub fn save_settings(
    store: &Store,
    client_id: Option<&str>,
    redirect_port: u16,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ConnectError> {
    use crate::store::settings;
    if redirect_port < 1024 {
        return Err(ConnectError::BadSetting(format!(
            "the redirect port must be between 1024 and 65535, not {redirect_port}"
        )));
    }
    let stamp = format_utc(now);
    let client_id = client_id.map(str::trim).filter(|c| !c.is_empty());
    store.with_tx(|tx| {
        settings::set(tx, settings::OAUTH_CLIENT_ID, client_id, &stamp)?;
        settings::set(
            tx,
            settings::REDIRECT_PORT,
            Some(&redirect_port.to_string()),
            &stamp,
        )
    })?;
    Ok(())
}
