//! The connected account's one client per process ([`Connection`]) and the refresh protocol's
//! side that touches this installation: the keyring, the refresh lock beside the database, the
//! spent refresh tokens and the "renewed but not saved" record other processes read.

use std::sync::Arc;

use super::stored::{ConnectError, StoredToken};
use crate::calendly::client::Auth;
use crate::calendly::Client;
use crate::clock::SystemClock;
use crate::oauth::tokens::TokenSink;
use crate::oauth::{OAuthApp, OAuthSession, TokenSet};
use crate::secrets::{SecretKind, SecretStore};
use crate::store::account::{self, Account};
use crate::store::Store;

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
