//! Tokens that stay fresh: refresh ahead of expiry and after a 401, single-flight (concurrent
//! callers share one refresh), the rotated pair persisted to the keyring before it is used, and
//! `invalid_grant` turned into a visible "Reconnect Calendly" state instead of a retry loop.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use oauth2::{RefreshToken, TokenResponse};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::flow::{granted_scopes, http_client, token_error, CalendlyTokenResponse, OAuthApp};
use super::OAuthError;
use crate::clock::Clock;

/// Refresh this long before the access token expires.
const REFRESH_AHEAD_SECS: i64 = 300;

/// The OAuth token pair and what Calendly said about it. Kept only in the keyring.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
    pub scope: Option<String>,
    pub owner: Option<String>,
    pub organization: Option<String>,
    /// Unix seconds of the last refresh (or of the first exchange).
    pub refreshed_at: i64,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

impl TokenSet {
    pub fn from_response(r: &CalendlyTokenResponse, now: i64) -> Self {
        let created = r.extra_fields().created_at.unwrap_or(now);
        let lifetime = r.expires_in().map(|d| d.as_secs() as i64).unwrap_or(7200);
        Self {
            access_token: r.access_token().secret().clone(),
            refresh_token: r.refresh_token().map(|t| t.secret().clone()),
            // Trust our clock over the server's when they disagree: never later than now + life.
            expires_at: (created + lifetime).min(now + lifetime),
            scope: granted_scopes(r),
            owner: r.extra_fields().owner.clone(),
            organization: r.extra_fields().organization.clone(),
            refreshed_at: now,
        }
    }
}

/// Where a rotated pair is persisted before use.
pub trait TokenSink: Send + Sync {
    fn persist(&self, tokens: &TokenSet) -> Result<(), String>;
}

/// A live OAuth connection shared by every API call of the process.
pub struct OAuthSession {
    app: OAuthApp,
    tokens: Mutex<TokenSet>,
    sink: Arc<dyn TokenSink>,
    clock: Arc<dyn Clock>,
    refreshes: AtomicU32,
}

impl OAuthSession {
    pub fn new(
        app: OAuthApp,
        tokens: TokenSet,
        sink: Arc<dyn TokenSink>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            app,
            tokens: Mutex::new(tokens),
            sink,
            clock,
            refreshes: AtomicU32::new(0),
        }
    }

    /// How many refreshes this session made (for tests and the status line).
    pub fn refresh_count(&self) -> u32 {
        self.refreshes.load(Ordering::SeqCst)
    }

    pub async fn snapshot(&self) -> TokenSet {
        self.tokens.lock().await.clone()
    }

    /// A valid access token, refreshed first when it expires within five minutes. Callers that
    /// arrive while a refresh runs wait for it and share its result.
    pub async fn bearer(&self) -> Result<String, OAuthError> {
        let mut guard = self.tokens.lock().await;
        if guard.expires_at - REFRESH_AHEAD_SECS <= self.clock.now().timestamp() {
            self.refresh_locked(&mut guard).await?;
        }
        Ok(guard.access_token.clone())
    }

    /// After a 401 with `used`: refresh unless another caller already did.
    pub async fn after_unauthorized(&self, used: &str) -> Result<String, OAuthError> {
        let mut guard = self.tokens.lock().await;
        if guard.access_token == used {
            self.refresh_locked(&mut guard).await?;
        }
        Ok(guard.access_token.clone())
    }

    async fn refresh_locked(&self, tokens: &mut TokenSet) -> Result<(), OAuthError> {
        let Some(refresh) = tokens.refresh_token.clone() else {
            return Err(OAuthError::InvalidGrant("no refresh token".into()));
        };
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let http = http_client()?;
        let response = self
            .app
            .client()?
            .exchange_refresh_token(&RefreshToken::new(refresh))
            .request_async(&http)
            .await
            .map_err(token_error)?;
        let mut next = TokenSet::from_response(&response, self.clock.now().timestamp());
        if next.refresh_token.is_none() {
            next.refresh_token = tokens.refresh_token.clone();
        }
        next.owner = next.owner.or(tokens.owner.clone());
        next.organization = next.organization.or(tokens.organization.clone());
        // The old refresh token is dead now: persist the new pair before anyone uses it.
        self.sink.persist(&next).map_err(OAuthError::Token)?;
        *tokens = next;
        Ok(())
    }

    /// Revokes the refresh and access tokens at Calendly (best effort, for disconnect).
    pub async fn revoke(&self) -> Result<(), OAuthError> {
        let tokens = self.tokens.lock().await.clone();
        revoke(&self.app, &tokens).await
    }
}

/// Revokes a token pair at the app's revocation endpoint. Calendly documents a form body with
/// `client_id`, `client_secret` (when the app has one) and `token`; the oauth2 crate refuses
/// plain-http endpoints (the sandbox), so this is one form POST per token.
pub async fn revoke(app: &OAuthApp, tokens: &TokenSet) -> Result<(), OAuthError> {
    let http = http_client()?;
    let url = format!("{}/oauth/revoke", app.auth_url.trim_end_matches('/'));
    let mut list = vec![tokens.access_token.clone()];
    if let Some(r) = &tokens.refresh_token {
        list.insert(0, r.clone());
    }
    for token in list {
        let mut form = vec![("client_id", app.client_id.clone()), ("token", token)];
        if let Some(secret) = &app.client_secret {
            form.push(("client_secret", secret.clone()));
        }
        let resp = http
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| OAuthError::Token(super::flow::request_failure(&e.without_url())))?;
        if !resp.status().is_success() {
            return Err(OAuthError::Token(format!(
                "the revocation endpoint answered {}",
                resp.status()
            )));
        }
    }
    Ok(())
}
