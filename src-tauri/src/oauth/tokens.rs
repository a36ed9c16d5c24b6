//! Tokens that stay fresh: refresh ahead of expiry and after a 401, single-flight (concurrent
//! callers share one refresh), the rotated pair persisted to the keyring before it is used, and
//! `invalid_grant` turned into a visible "Reconnect Calendly" state instead of a retry loop.
//!
//! Calendly's refresh tokens are single-use, and every Slotline process of one installation (the
//! window, `slotline serve`, `slotline sync`) holds a copy of the pair. So a refresh happens under
//! an installation-wide lock ([`TokenSink::lock`]), after re-reading the stored pair: when another
//! process already rotated it, this one adopts the new pair instead of presenting a spent token.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oauth2::{RefreshToken, TokenResponse};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::app::{granted_scopes, http_client, token_error, CalendlyTokenResponse, OAuthApp};
use super::error::OAuthError;
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

/// How often a pair that could not be saved is offered to the keyring again.
const RETRY_SAVE_EVERY: Duration = Duration::from_secs(5);

/// Where a rotated pair is persisted before use, and what the other processes of the
/// installation share with this one. The defaults suit a session alone in its process.
pub trait TokenSink: Send + Sync {
    fn persist(&self, tokens: &TokenSet) -> Result<(), String>;
    /// The pair as stored now (another process may have rotated it since this one read it).
    fn load(&self) -> Option<TokenSet> {
        None
    }
    /// Blocks until this process holds the installation-wide refresh lock; dropping the value
    /// releases it.
    fn lock(&self) -> Result<Box<dyn Send>, String> {
        Ok(Box::new(()))
    }
    /// Records that `refresh_token` was presented to Calendly (and is spent from now on), so
    /// no process of the installation presents it again.
    fn mark_spent(&self, _refresh_token: &str) {}
    fn is_spent(&self, _refresh_token: &str) -> bool {
        false
    }
    /// Tells the other processes that the current pair is held in memory only (`Some(why)`)
    /// or saved again (`None`).
    fn unsaved(&self, _why: Option<&str>) {}
}

/// A rotated pair the keyring refused to store: kept in memory, offered again.
struct Unsaved {
    error: String,
    last_try: Instant,
}

/// A live OAuth connection shared by every API call of the process.
pub struct OAuthSession {
    app: OAuthApp,
    tokens: Mutex<TokenSet>,
    sink: Arc<dyn TokenSink>,
    clock: Arc<dyn Clock>,
    refreshes: AtomicU32,
    adopted: AtomicU32,
    unsaved: std::sync::Mutex<Option<Unsaved>>,
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
            adopted: AtomicU32::new(0),
            unsaved: std::sync::Mutex::new(None),
        }
    }

    /// How many refreshes this session made (for tests and the status line).
    pub fn refresh_count(&self) -> u32 {
        self.refreshes.load(Ordering::SeqCst)
    }

    /// How many times this session took a pair another process had rotated.
    pub fn adopted_count(&self) -> u32 {
        self.adopted.load(Ordering::SeqCst)
    }

    /// Set while the current pair is only in memory because the keyring refused it: a sentence
    /// for `status` and the window.
    pub fn unsaved_warning(&self) -> Option<String> {
        self.unsaved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|u| {
                format!(
                    "Calendly's renewed sign-in could not be saved to the keyring ({}). Slotline keeps it in memory and saves it as soon as the keyring accepts it; unlock the keyring, and keep this Slotline running until then (quitting now would mean connecting Calendly again)",
                    u.error
                )
            })
    }

    pub async fn snapshot(&self) -> TokenSet {
        self.tokens.lock().await.clone()
    }

    /// A valid access token, refreshed first when it expires within five minutes. Callers that
    /// arrive while a refresh runs wait for it and share its result.
    pub async fn bearer(&self) -> Result<String, OAuthError> {
        let mut guard = self.tokens.lock().await;
        self.retry_save(&guard, false);
        if self.expiring(&guard) {
            self.refresh_locked(&mut guard, None).await?;
        }
        Ok(guard.access_token.clone())
    }

    /// After a 401 with `used`: refresh unless another caller (or process) already did.
    pub async fn after_unauthorized(&self, used: &str) -> Result<String, OAuthError> {
        let mut guard = self.tokens.lock().await;
        if guard.access_token == used {
            self.refresh_locked(&mut guard, Some(used)).await?;
        }
        Ok(guard.access_token.clone())
    }

    /// Offers a pair the keyring refused to it again (every few seconds at most, or now when
    /// `now`). Answers whether the pair is saved.
    pub async fn save_pending(&self) -> bool {
        let guard = self.tokens.lock().await;
        self.retry_save(&guard, true)
    }

    fn retry_save(&self, tokens: &TokenSet, now: bool) -> bool {
        let mut unsaved = self.unsaved.lock().unwrap_or_else(|e| e.into_inner());
        let Some(u) = unsaved.as_mut() else {
            return true;
        };
        if !now && u.last_try.elapsed() < RETRY_SAVE_EVERY {
            return false;
        }
        match self.sink.persist(tokens) {
            Ok(()) => {
                tracing::info!("the renewed Calendly sign-in is saved to the keyring now");
                *unsaved = None;
                self.sink.unsaved(None);
                true
            }
            Err(e) => {
                u.error = e;
                u.last_try = Instant::now();
                false
            }
        }
    }

    fn expiring(&self, tokens: &TokenSet) -> bool {
        tokens.expires_at - REFRESH_AHEAD_SECS <= self.clock.now().timestamp()
    }

    /// Refreshes under the installation-wide lock. `used` is the access token a 401 refused
    /// (`None`: a refresh ahead of expiry).
    async fn refresh_locked(
        &self,
        tokens: &mut TokenSet,
        used: Option<&str>,
    ) -> Result<(), OAuthError> {
        let sink = self.sink.clone();
        let lock = tokio::task::spawn_blocking(move || sink.lock())
            .await
            .map_err(|e| OAuthError::Token(format!("the refresh lock failed: {e}")))?
            .map_err(OAuthError::Token)?;
        let result = self.refresh_holding_lock(tokens, used).await;
        drop(lock);
        result
    }

    async fn refresh_holding_lock(
        &self,
        tokens: &mut TokenSet,
        used: Option<&str>,
    ) -> Result<(), OAuthError> {
        // A pair only this process holds (the keyring refused it) is newer than the stored one.
        let only_here = self
            .unsaved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        if !only_here {
            if let Some(stored) = self.sink.load() {
                let rotated = stored.refresh_token != tokens.refresh_token
                    && !stored
                        .refresh_token
                        .as_deref()
                        .is_some_and(|r| self.sink.is_spent(r));
                if rotated {
                    tracing::info!(
                        "another Slotline process renewed Calendly's sign-in; adopting its pair"
                    );
                    self.adopted.fetch_add(1, Ordering::SeqCst);
                    *tokens = stored;
                    let refused_again = used == Some(tokens.access_token.as_str());
                    if !self.expiring(tokens) && !refused_again {
                        return Ok(());
                    }
                }
            }
        }
        let Some(refresh) = tokens.refresh_token.clone() else {
            return Err(OAuthError::InvalidGrant("no refresh token".into()));
        };
        if self.sink.is_spent(&refresh) {
            // Another process rotated the pair and still holds the new one in memory only.
            return Err(OAuthError::Token(
                "another Slotline process renewed Calendly's sign-in but could not save it to the keyring yet; unlock the keyring and try again".into(),
            ));
        }
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let http = http_client()?;
        let response = self
            .app
            .client()?
            .exchange_refresh_token(&RefreshToken::new(refresh.clone()))
            .request_async(&http)
            .await
            .map_err(token_error)?;
        // Calendly revoked the old refresh token the moment it answered.
        self.sink.mark_spent(&refresh);
        let mut next = TokenSet::from_response(&response, self.clock.now().timestamp());
        if next.refresh_token.is_none() {
            next.refresh_token = tokens.refresh_token.clone();
        }
        next.owner = next.owner.or(tokens.owner.clone());
        next.organization = next.organization.or(tokens.organization.clone());
        // The old refresh token is dead now: persist the new pair before anyone uses it. A
        // keyring that refuses (locked with the screen) must not lose it: it stays in memory
        // and is offered again.
        let saved = self.sink.persist(&next);
        *self.unsaved.lock().unwrap_or_else(|e| e.into_inner()) = match saved {
            Ok(()) => {
                if only_here {
                    self.sink.unsaved(None);
                }
                None
            }
            Err(error) => {
                tracing::warn!(%error, "the renewed Calendly sign-in could not be saved to the keyring; kept in memory");
                self.sink.unsaved(Some(&error));
                Some(Unsaved {
                    error,
                    last_try: Instant::now(),
                })
            }
        };
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
            .map_err(|e| OAuthError::Token(super::app::request_failure(&e.without_url())))?;
        if !resp.status().is_success() {
            return Err(OAuthError::Token(format!(
                "the revocation endpoint answered {}",
                resp.status()
            )));
        }
    }
    Ok(())
}
