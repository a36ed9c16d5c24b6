//! The authorization code flow: build the authorize URL (PKCE S256 + state), wait for the
//! loopback redirect, exchange the code.

use std::time::Duration;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope};

pub use super::app::{
    granted_scopes, http_client, CalendlyFields, CalendlyTokenResponse, OAuthApp, OAuthClient,
    DEFAULT_REDIRECT_PORT, SCOPES,
};
use super::app::{now_unix, token_error};
use super::error::OAuthError;
use super::loopback::{Callback, Loopback};
use super::relay::Relay;
use super::tokens::TokenSet;

/// Where the redirect is awaited.
enum Waiter {
    /// The one-shot loopback listener (`http://localhost:PORT/callback`).
    Loopback(Loopback),
    /// `https://<public host>/oauth/callback`, served by the webhook receiver's router.
    Relay {
        relay: Relay,
        rx: tokio::sync::oneshot::Receiver<Callback>,
    },
}

/// An authorization in progress: the URL to open and the listener waiting for the redirect.
pub struct PendingAuthorization {
    pub authorize_url: String,
    app: OAuthApp,
    listener: Waiter,
    verifier: PkceCodeVerifier,
    /// What must live as long as the wait (the relay's own listener, a tunnel).
    keep: Option<Box<dyn Send>>,
}

/// The authorize URL for `state` with a fresh PKCE S256 challenge and Slotline's scopes, and the
/// verifier the token exchange will need.
fn authorize(app: &OAuthApp, state: CsrfToken) -> Result<(String, PkceCodeVerifier), OAuthError> {
    let client = app.client()?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(move || state)
        .set_pkce_challenge(challenge);
    for s in SCOPES {
        request = request.add_scope(Scope::new((*s).to_string()));
    }
    let (url, _state) = request.url();
    Ok((url.to_string(), verifier))
}

impl PendingAuthorization {
    /// Binds the loopback listener and builds the authorize URL.
    pub async fn begin(app: &OAuthApp) -> Result<Self, OAuthError> {
        // A missing client ID or a bad URL is reported before the port is touched.
        app.client()?;
        // Bind next: with port 0 (tests) the redirect URI names the port actually bound.
        let state = CsrfToken::new_random();
        let listener = Loopback::bind(app.redirect_port, state.secret().clone()).await?;
        let mut app = app.clone();
        app.redirect_port = listener.port();
        let (authorize_url, verifier) = authorize(&app, state)?;
        Ok(Self {
            authorize_url,
            app,
            listener: Waiter::Loopback(listener),
            verifier,
            keep: None,
        })
    }

    /// Like [`Self::begin`] for a Production app whose registered redirect is
    /// `app.redirect_override` (an `https://…/oauth/callback` on the user's public domain): the
    /// callback is awaited in `relay`, which the webhook receiver's router (or a
    /// [`super::relay::RelayServer`]) serves behind the tunnel.
    pub async fn begin_relayed(app: &OAuthApp, relay: &Relay) -> Result<Self, OAuthError> {
        let Some(redirect) = app.redirect_override.as_deref() else {
            return Err(OAuthError::Config(
                "a relayed sign-in needs the HTTPS redirect URI registered in Calendly".into(),
            ));
        };
        if !redirect.ends_with(super::relay::CALLBACK_PATH) {
            return Err(OAuthError::Config(format!(
                "the redirect {redirect} must end with {}",
                super::relay::CALLBACK_PATH
            )));
        }
        let state = CsrfToken::new_random();
        let rx = relay.install(state.secret().clone());
        let (authorize_url, verifier) = authorize(app, state)?;
        Ok(Self {
            authorize_url,
            app: app.clone(),
            listener: Waiter::Relay {
                relay: relay.clone(),
                rx,
            },
            verifier,
            keep: None,
        })
    }

    /// Keeps `guard` (a listener, a tunnel) alive until the authorization finished.
    pub fn keep_alive(mut self, guard: impl Send + 'static) -> Self {
        self.keep = Some(Box::new(guard));
        self
    }

    /// The loopback port waited on (0 when the redirect is relayed).
    pub fn port(&self) -> u16 {
        match &self.listener {
            Waiter::Loopback(l) => l.port(),
            Waiter::Relay { .. } => 0,
        }
    }

    /// The redirect URI this authorization was started with.
    pub fn redirect_uri(&self) -> String {
        self.app.redirect_uri()
    }

    /// Waits for the redirect (at most `timeout`), then exchanges the code for tokens.
    pub async fn finish(
        self,
        timeout: Duration,
        http: &reqwest::Client,
    ) -> Result<TokenSet, OAuthError> {
        let _keep = self.keep;
        let callback = match self.listener {
            Waiter::Loopback(l) => l.wait(timeout).await?,
            Waiter::Relay { relay, rx } => {
                let got = tokio::time::timeout(timeout, rx).await;
                // One-shot: whatever happened, the relay stops accepting this sign-in.
                relay.clear();
                match got {
                    Ok(Ok(cb)) => cb,
                    Ok(Err(_)) => return Err(OAuthError::Canceled),
                    Err(_) => return Err(OAuthError::Timeout(timeout.as_secs())),
                }
            }
        };
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Error(e) => return Err(OAuthError::Denied(e)),
        };
        let response = self
            .app
            .client()?
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(self.verifier)
            .request_async(http)
            .await
            .map_err(token_error)?;
        Ok(TokenSet::from_response(&response, now_unix()))
    }
}
