//! Connecting an account: a personal access token validated with `GET /users/me` and stored in
//! the keyring; the client built from the stored token; disconnecting.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::calendly::client::Auth;
use crate::calendly::{ApiError, Client};
use crate::clock::format_utc;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::oauth::tokens::TokenSink;
use crate::oauth::{OAuthApp, OAuthError, OAuthSession, PendingAuthorization, TokenSet};
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
enum StoredToken {
    Pat { token: String },
    Oauth { client_id: String, tokens: TokenSet },
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

/// Starts a sign-in for a Production Calendly app, whose registered redirect is
/// `https://<public host>/oauth/callback` (`app.redirect_override`). When the live service runs,
/// pass its relay: the webhook receiver already serves the route behind the tunnel. Otherwise
/// (the first connection) the route is served alone on `listen` (loopback; the port the tunnel or
/// reverse proxy forwards to) until the sign-in ends. Finish with [`finish_oauth`].
pub async fn begin_production_oauth(
    app: &OAuthApp,
    live_relay: Option<&crate::oauth::Relay>,
    listen: std::net::SocketAddr,
) -> Result<PendingAuthorization, ConnectError> {
    use crate::oauth::relay::{Relay, RelayServer};
    Ok(match live_relay {
        Some(relay) => PendingAuthorization::begin_relayed(app, relay).await?,
        None => {
            let relay = Relay::default();
            let server = RelayServer::bind(listen, &relay).await?;
            PendingAuthorization::begin_relayed(app, &relay)
                .await?
                .keep_alive(server)
        }
    })
}

/// How the window receives a Production app's HTTPS redirect.
pub enum RedirectRoute {
    /// The live service runs: its receiver serves `/oauth/callback` behind the tunnel.
    Live(crate::oauth::Relay),
    /// The user's own public URL forwards to this loopback address.
    Listen(std::net::SocketAddr),
    /// An ngrok tunnel opened for the sign-in alone.
    Ngrok {
        authtoken: String,
        domain: Option<String>,
        server_addr: Option<String>,
    },
}

/// Which [`RedirectRoute`] the window's Real time settings give a Production sign-in.
pub fn redirect_route(
    store: &Store,
    secrets: &dyn SecretStore,
    live_running: bool,
    public_url_port: u16,
) -> Result<RedirectRoute, ConnectError> {
    if live_running {
        return Ok(RedirectRoute::Live(crate::oauth::relay::process_relay()));
    }
    let prefs = crate::prefs::load(store)?;
    match prefs.webhook_mode.as_str() {
        "public-url" => Ok(RedirectRoute::Listen(
            ([127, 0, 0, 1], public_url_port).into(),
        )),
        "ngrok" => match secrets.get(SecretKind::NgrokAuthtoken)? {
            Some(authtoken) => Ok(RedirectRoute::Ngrok {
                authtoken,
                domain: prefs.ngrok_domain.clone(),
                server_addr: std::env::var("SLOTLINE_NGROK_SERVER_ADDR").ok(),
            }),
            None => Err(ConnectError::BadSetting(
                "a Production app's HTTPS redirect comes through ngrok: paste your ngrok authtoken under Real time first".into(),
            )),
        },
        _ => Err(ConnectError::BadSetting(
            "a Production app's HTTPS redirect needs a public address: set up ngrok or your own public URL under Real time, or use a Sandbox app with the localhost redirect".into(),
        )),
    }
}

/// [`begin_production_oauth`] for the window: through the running live service, the user's own
/// public URL, or an ngrok tunnel opened for the sign-in (the first connection with ngrok).
pub async fn begin_production_oauth_via(
    app: &OAuthApp,
    route: RedirectRoute,
) -> Result<PendingAuthorization, ConnectError> {
    use crate::oauth::relay::{Relay, RelayServer};
    match route {
        RedirectRoute::Live(relay) => {
            begin_production_oauth(app, Some(&relay), ([127, 0, 0, 1], 0).into()).await
        }
        RedirectRoute::Listen(addr) => begin_production_oauth(app, None, addr).await,
        RedirectRoute::Ngrok {
            authtoken,
            domain,
            server_addr,
        } => {
            let relay = Relay::default();
            let server = RelayServer::bind(([127, 0, 0, 1], 0).into(), &relay).await?;
            let tunnel = crate::tunnel::open_ngrok(
                &authtoken,
                domain.as_deref(),
                server_addr.as_deref(),
                server.local_addr(),
            )
            .await
            .map_err(|e| {
                ConnectError::BadSetting(format!(
                    "the ngrok tunnel for the sign-in did not open: {e}"
                ))
            })?;
            let expected = crate::oauth::relay::redirect_uri(tunnel.url());
            if app.redirect_override.as_deref() != Some(expected.as_str()) {
                return Err(ConnectError::BadSetting(format!(
                    "ngrok opened {} but the app's redirect is {}; set your static ngrok domain under Real time and register {expected} in Calendly",
                    tunnel.url(),
                    app.redirect_override.as_deref().unwrap_or("not set")
                )));
            }
            Ok(PendingAuthorization::begin_relayed(app, &relay)
                .await?
                .keep_alive((server, tunnel)))
        }
    }
}

/// The installation-wide refresh lock, beside the database.
pub const REFRESH_LOCK_FILE: &str = "refresh.lock";
/// Hashes of refresh tokens presented to Calendly (spent), beside the database.
const SPENT_FILE: &str = "refresh-spent";
/// How many spent hashes are remembered (only the last few can still be in a keyring).
const SPENT_KEPT: usize = 16;

/// Persists rotated OAuth pairs to the keyring and shares the installation-wide refresh lock
/// and the spent refresh tokens (as SHA-256 hashes, never the tokens) with every process that
/// uses the same data directory.
struct KeyringSink {
    secrets: Arc<dyn SecretStore>,
    client_id: String,
    dir: std::path::PathBuf,
}

fn spent_hash(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

impl KeyringSink {
    fn spent(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join(SPENT_FILE))
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

impl TokenSink for KeyringSink {
    fn persist(&self, tokens: &TokenSet) -> Result<(), String> {
        let stored = serde_json::to_string(&StoredToken::Oauth {
            client_id: self.client_id.clone(),
            tokens: tokens.clone(),
        })
        .map_err(|e| e.to_string())?;
        self.secrets
            .set(SecretKind::CalendlyToken, &stored)
            .map_err(|e| e.to_string())
    }

    fn load(&self) -> Option<TokenSet> {
        let raw = self.secrets.get(SecretKind::CalendlyToken).ok()??;
        match serde_json::from_str::<StoredToken>(&raw).ok()? {
            StoredToken::Oauth { client_id, tokens } if client_id == self.client_id => Some(tokens),
            _ => None,
        }
    }

    fn lock(&self) -> Result<Box<dyn Send>, String> {
        let file = crate::store::private_file::open_lock(&self.dir.join(REFRESH_LOCK_FILE))
            .map_err(|e| {
                format!(
                    "could not open the refresh lock in {}: {e}",
                    self.dir.display()
                )
            })?;
        file.lock()
            .map_err(|e| format!("could not take the refresh lock: {e}"))?;
        Ok(Box::new(file))
    }

    fn mark_spent(&self, refresh_token: &str) {
        let mut spent = self.spent();
        spent.push(spent_hash(refresh_token));
        let keep = spent.len().saturating_sub(SPENT_KEPT);
        let body = spent[keep..].join("\n") + "\n";
        if let Err(e) =
            crate::store::private_file::write(&self.dir.join(SPENT_FILE), body.as_bytes())
        {
            tracing::warn!(error = %e, "could not record the spent refresh token");
        }
    }

    fn is_spent(&self, refresh_token: &str) -> bool {
        let hash = spent_hash(refresh_token);
        self.spent().contains(&hash)
    }

    fn unsaved(&self, why: Option<&str>) {
        let path = self.dir.join(UNSAVED_FILE);
        let result = match why {
            Some(why) => crate::store::private_file::write(&path, why.as_bytes()),
            None => std::fs::remove_file(&path).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            }),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record whether the sign-in is saved");
        }
    }
}

/// Set while a process holds a renewed sign-in that the keyring refused: why, for every
/// process's `status` (never a token).
const UNSAVED_FILE: &str = "sign-in-unsaved";

/// What `status` says while some Slotline process of the data directory `dir` holds a renewed
/// sign-in only in memory.
pub fn unsaved_sign_in(dir: &std::path::Path) -> Option<String> {
    let why = std::fs::read_to_string(dir.join(UNSAVED_FILE)).ok()?;
    Some(format!(
        "Calendly's renewed sign-in could not be saved to the keyring ({}). The Slotline process that renewed it keeps it in memory and saves it as soon as the keyring accepts it; unlock the keyring, and keep that Slotline running until then (if it stopped, connect Calendly again)",
        why.trim()
    ))
}

/// Forgets an unsaved-sign-in record (a new connection replaces the pair).
pub fn clear_unsaved_sign_in(dir: &std::path::Path) {
    let _ = std::fs::remove_file(dir.join(UNSAVED_FILE));
}

/// When the stored OAuth pair was last refreshed (unix seconds), for Settings and `status`.
pub fn last_refresh(secrets: &dyn SecretStore) -> Option<i64> {
    let raw = secrets.get(SecretKind::CalendlyToken).ok()??;
    match serde_json::from_str::<StoredToken>(&raw).ok()? {
        StoredToken::Oauth { tokens, .. } => Some(tokens.refreshed_at),
        StoredToken::Pat { .. } => None,
    }
}

/// The connected account and its one client: every caller in a process shares it, so an OAuth
/// pair is refreshed by one session only (see [`crate::oauth::tokens`]).
#[derive(Clone)]
pub struct Connection {
    pub account: Account,
    pub client: Arc<Client>,
    /// The OAuth session behind `client` (none for a personal access token).
    pub session: Option<Arc<OAuthSession>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("user", &self.account.user_uri)
            .finish_non_exhaustive()
    }
}

/// Builds the [`Connection`] of the stored account: its token from the keyring, and for OAuth a
/// session that refreshes under the installation-wide lock beside `store`'s file.
pub fn open_connection(
    store: &Store,
    secrets: Arc<dyn SecretStore>,
) -> Result<Connection, ConnectError> {
    let acct = store
        .read(|tx| account::get(tx))?
        .ok_or(ConnectError::NotConnected)?;
    let raw = secrets
        .get(SecretKind::CalendlyToken)?
        .ok_or(ConnectError::TokenMissing)?;
    let (auth, session) = match serde_json::from_str::<StoredToken>(&raw) {
        Ok(StoredToken::Pat { token }) => (Auth::Token(token), None),
        Ok(StoredToken::Oauth { client_id, tokens }) => {
            let app = OAuthApp {
                client_id: client_id.clone(),
                client_secret: secrets.get(SecretKind::OAuthClientSecret)?,
                auth_url: acct.auth_url.clone(),
                redirect_port: crate::oauth::DEFAULT_REDIRECT_PORT,
                redirect_override: None,
            };
            let dir = store
                .path()
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            let sink = Arc::new(KeyringSink {
                secrets: secrets.clone(),
                client_id,
                dir,
            });
            let session = Arc::new(OAuthSession::new(app, tokens, sink, Arc::new(SystemClock)));
            (Auth::OAuth(session.clone()), Some(session))
        }
        Err(_) => return Err(ConnectError::TokenMissing),
    };
    let client = Client::with_timeout(&acct.api_url, auth, crate::config::http_timeout_from_env())?;
    Ok(Connection {
        account: acct,
        client: Arc::new(client),
        session,
    })
}

/// The connected account and a client of its own (a new session: prefer one shared
/// [`Connection`] per process, which the core keeps).
pub fn client<S: SecretStore + Clone + 'static>(
    store: &Store,
    secrets: &S,
) -> Result<(Account, Client), ConnectError> {
    let c = open_connection(store, Arc::new(secrets.clone()))?;
    let client = Arc::try_unwrap(c.client).map_err(|_| ConnectError::TokenMissing)?;
    Ok((c.account, client))
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
