//! The Calendly OAuth app Slotline connects through, and the token endpoint's HTTP client and
//! error wording that the sign-in and the refresh share.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    RedirectUrl, RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::error::OAuthError;

/// The scopes Slotline asks for.
pub const SCOPES: &[&str] = &[
    "users:read",
    "scheduled_events:read",
    "webhooks:read",
    "webhooks:write",
    "organizations:read",
];

/// The loopback port registered as the redirect by default (`http://localhost:53682/callback`).
pub const DEFAULT_REDIRECT_PORT: u16 = 53682;

/// Calendly's extra token response fields: the connected user and organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CalendlyFields {
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
}
impl ExtraTokenFields for CalendlyFields {}

pub type CalendlyTokenResponse = StandardTokenResponse<CalendlyFields, BasicTokenType>;

pub type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    CalendlyTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The Calendly OAuth app Slotline connects through.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    /// Web apps only; native apps send the PKCE verifier instead.
    pub client_secret: Option<String>,
    /// `https://auth.calendly.com` or the sandbox's base.
    pub auth_url: String,
    pub redirect_port: u16,
    /// An HTTPS redirect (e.g. on the user's ngrok domain) for Production apps; when set, the
    /// loopback listener still receives the forwarded callback.
    pub redirect_override: Option<String>,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_url", &self.auth_url)
            .field("redirect_port", &self.redirect_port)
            .finish()
    }
}

impl OAuthApp {
    /// `http://localhost:PORT/callback`: Calendly matches the registered URI exactly and allows
    /// plain http only for `localhost` (Sandbox apps).
    pub fn redirect_uri(&self) -> String {
        self.redirect_override
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}/callback", self.redirect_port))
    }

    pub fn client(&self) -> Result<OAuthClient, OAuthError> {
        if self.client_id.trim().is_empty() {
            return Err(OAuthError::NoClientId);
        }
        let base = self.auth_url.trim_end_matches('/');
        let cfg = |e: url::ParseError| OAuthError::Config(e.to_string());
        let client = oauth2::Client::new(ClientId::new(self.client_id.trim().to_string()))
            .set_auth_uri(AuthUrl::new(format!("{base}/oauth/authorize")).map_err(cfg)?)
            .set_token_uri(TokenUrl::new(format!("{base}/oauth/token")).map_err(cfg)?)
            .set_redirect_uri(RedirectUrl::new(self.redirect_uri()).map_err(cfg)?);
        Ok(match &self.client_secret {
            // Web apps authenticate with HTTP Basic, as Calendly documents.
            Some(secret) => client.set_client_secret(ClientSecret::new(secret.clone())),
            // Native apps put client_id in the form body and prove possession with PKCE.
            None => client.set_auth_type(AuthType::RequestBody),
        })
    }
}

pub(crate) fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An HTTP client for token requests: no redirects, as oauth2 requires against SSRF; the
/// request timeout of every Calendly call (`SLOTLINE_HTTP_TIMEOUT_SECS`).
pub fn http_client() -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(crate::config::http_timeout_from_env())
        .build()
        .map_err(|e| OAuthError::Config(e.to_string()))
}

/// A failed token-endpoint request in words: a timeout names the limit, anything else its
/// cause (never the URL).
pub(crate) fn request_failure(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = Some(e);
    let mut causes = Vec::new();
    while let Some(err) = cur {
        // oauth2 boxes the reqwest error.
        let reqwest_error = err
            .downcast_ref::<reqwest::Error>()
            .or_else(|| err.downcast_ref::<Box<reqwest::Error>>().map(|b| &**b));
        if let Some(r) = reqwest_error {
            if r.is_timeout() {
                return format!(
                    "Calendly did not answer within {} s",
                    crate::config::http_timeout_from_env().as_secs()
                );
            }
            if let Some(source) = std::error::Error::source(r) {
                causes.push(source.to_string());
            }
            break;
        }
        causes.push(err.to_string());
        cur = err.source();
    }
    format!("could not reach Calendly ({})", causes.join(": "))
}

/// An error answer that is not OAuth's `{error, error_description}` (a 5xx page, Calendly's
/// `{title, message}`), in a few words.
fn unexpected_answer(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Titled {
        title: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<Titled>(body) {
        Ok(Titled {
            title: Some(t),
            message: Some(m),
        }) => format!("Calendly answered \"{t}\": {m}"),
        Ok(Titled { title: Some(t), .. }) => format!("Calendly answered \"{t}\""),
        _ => format!(
            "Calendly sent an answer Slotline could not read ({} bytes)",
            body.len()
        ),
    }
}

pub(crate) fn token_error<E: std::error::Error + 'static>(
    e: RequestTokenError<E, BasicErrorResponse>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let desc = r
                .error_description()
                .cloned()
                .unwrap_or_else(|| r.error().to_string());
            if r.error().to_string() == "invalid_grant" {
                OAuthError::InvalidGrant(desc)
            } else {
                OAuthError::Token(format!("{}: {desc}", r.error()))
            }
        }
        RequestTokenError::Request(e) => OAuthError::Token(request_failure(&e)),
        RequestTokenError::Parse(_, body) => OAuthError::Token(unexpected_answer(&body)),
        RequestTokenError::Other(e) => OAuthError::Token(e),
    }
}

/// The scopes granted, from a token response.
pub fn granted_scopes(r: &CalendlyTokenResponse) -> Option<String> {
    r.scopes()
        .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" "))
}
