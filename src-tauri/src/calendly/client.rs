//! The Calendly HTTP client: bearer auth, cursor pagination, Calendly's `{title, message,
//! details}` errors as typed errors, and deliberate handling of 401, 403, 404, 409, 429 and 5xx.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use tracing::{instrument, warn};

use crate::oauth::OAuthSession;

use super::error::error_of;
pub use super::error::ApiError;

use super::models::{Collection, Invitee, Resource, ScheduledEvent, User, WebhookSubscription};

/// How many times a 429 or 5xx is retried before the error reaches the caller.
const MAX_RETRIES: u32 = 4;
/// The last `X-RateLimit-*` headers seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u32,
}

/// Parameters of `GET /scheduled_events`.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub user: Option<String>,
    pub organization: Option<String>,
    pub status: Option<String>,
    pub min_start_time: Option<String>,
    pub max_start_time: Option<String>,
    pub count: u32,
}

impl EventQuery {
    /// The query string of one page, sorted by start time.
    pub(super) fn params(&self, page_token: Option<&str>) -> Vec<(&'static str, String)> {
        let mut params = vec![("count", self.count.clamp(1, 100).to_string())];
        for (k, v) in [
            ("user", &self.user),
            ("organization", &self.organization),
            ("status", &self.status),
            ("min_start_time", &self.min_start_time),
            ("max_start_time", &self.max_start_time),
        ] {
            if let Some(v) = v {
                params.push((k, v.clone()));
            }
        }
        params.push(("sort", "start_time:asc".into()));
        if let Some(t) = page_token {
            params.push(("page_token", t.to_string()));
        }
        params
    }
}

/// One page of a listing and where the next one is.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<String>,
}

/// How requests authenticate: a personal access token, or a live OAuth session that refreshes.
#[derive(Clone)]
pub enum Auth {
    Token(String),
    OAuth(Arc<OAuthSession>),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::Token(_) => "Auth::Token(<redacted>)",
            Auth::OAuth(_) => "Auth::OAuth(<redacted>)",
        })
    }
}

#[derive(Debug)]
pub struct Client {
    pub(super) http: reqwest::Client,
    api_url: String,
    pub(super) auth: Auth,
    rate: Mutex<Option<RateLimit>>,
    timeout: Duration,
}

/// The longest wait for a TCP/TLS connection (shorter when the whole request must be quicker).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Client {
    pub fn new(api_url: &str, token: &str) -> Result<Self, ApiError> {
        Self::with_auth(api_url, Auth::Token(token.to_string()))
    }

    /// A client with the default request timeout ([`crate::config::DEFAULT_HTTP_TIMEOUT`]).
    pub fn with_auth(api_url: &str, auth: Auth) -> Result<Self, ApiError> {
        Self::with_timeout(api_url, auth, crate::config::DEFAULT_HTTP_TIMEOUT)
    }

    /// A client whose every request (connect, send, answer) must finish within `timeout`.
    pub fn with_timeout(api_url: &str, auth: Auth, timeout: Duration) -> Result<Self, ApiError> {
        let timeout = timeout.max(Duration::from_millis(100));
        let http = reqwest::Client::builder()
            .user_agent(concat!("Slotline/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| ApiError::Network {
                url: api_url.to_string(),
                reason: e.to_string(),
                timeout_secs: None,
            })?;
        Ok(Self {
            http,
            api_url: api_url.trim_end_matches('/').to_string(),
            auth,
            rate: Mutex::new(None),
            timeout,
        })
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A transport error of `method url` as the user should read it: a timeout names the limit.
    pub(super) fn transport_error(
        &self,
        method: &Method,
        url: &str,
        e: reqwest::Error,
    ) -> ApiError {
        let url = match url::Url::parse(url) {
            Ok(u) => format!("{method} {}{}", u.origin().ascii_serialization(), u.path()),
            Err(_) => format!("{method} {url}"),
        };
        let timeout_secs = e
            .is_timeout()
            .then(|| self.timeout.as_secs_f64().round().max(1.0) as u64);
        ApiError::Network {
            url,
            reason: e.without_url().to_string(),
            timeout_secs,
        }
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn rate_limit(&self) -> Option<RateLimit> {
        *self.rate.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The request URL of a Calendly resource URI: its path on the configured API base, so a
    /// sandbox (or a proxy) serves the same URIs Calendly hands out.
    pub fn url_of(&self, uri: &str) -> String {
        match url::Url::parse(uri) {
            Ok(u) => format!("{}{}", self.api_url, u.path()),
            Err(_) => format!("{}/{}", self.api_url, uri.trim_start_matches('/')),
        }
    }

    #[instrument(skip(self))]
    pub async fn me(&self) -> Result<User, ApiError> {
        let r: Resource<User> = self
            .get_json(&format!("{}/users/me", self.api_url), &[])
            .await?;
        Ok(r.resource)
    }

    #[instrument(skip(self))]
    pub async fn list_events_page(
        &self,
        q: &EventQuery,
        page_token: Option<&str>,
    ) -> Result<Page<ScheduledEvent>, ApiError> {
        let params = q.params(page_token);
        let c: Collection<ScheduledEvent> = self
            .get_json(&format!("{}/scheduled_events", self.api_url), &params)
            .await?;
        Ok(Page {
            items: c.collection,
            next_page_token: next_token(&c.pagination),
        })
    }

    #[instrument(skip(self))]
    pub async fn get_event(&self, uri: &str) -> Result<ScheduledEvent, ApiError> {
        let r: Resource<ScheduledEvent> = self.get_json(&self.url_of(uri), &[]).await?;
        Ok(r.resource)
    }

    /// Every invitee of an event, across pages.
    #[instrument(skip(self))]
    pub async fn list_invitees(&self, event_uri: &str) -> Result<(Vec<Invitee>, u32), ApiError> {
        let url = format!("{}/invitees", self.url_of(event_uri));
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut requests = 0;
        loop {
            let mut params: Vec<(&str, String)> = vec![("count", "100".into())];
            if let Some(t) = &token {
                params.push(("page_token", t.clone()));
            }
            let c: Collection<Invitee> = self.get_json(&url, &params).await?;
            requests += 1;
            out.extend(c.collection);
            token = next_token(&c.pagination);
            if token.is_none() {
                return Ok((out, requests));
            }
        }
    }

    /// The user-scope subscriptions of `user`.
    #[instrument(skip(self))]
    pub async fn list_subscriptions(
        &self,
        organization: &str,
        user: &str,
    ) -> Result<Vec<WebhookSubscription>, ApiError> {
        self.list_subscriptions_scoped(organization, Some(user))
            .await
    }

    /// The organization-scope subscriptions (org admins and owners only; 403 otherwise).
    #[instrument(skip(self))]
    pub async fn list_organization_subscriptions(
        &self,
        organization: &str,
    ) -> Result<Vec<WebhookSubscription>, ApiError> {
        self.list_subscriptions_scoped(organization, None).await
    }

    async fn list_subscriptions_scoped(
        &self,
        organization: &str,
        user: Option<&str>,
    ) -> Result<Vec<WebhookSubscription>, ApiError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut params: Vec<(&str, String)> = vec![
                ("organization", organization.to_string()),
                ("count", "100".into()),
            ];
            match user {
                Some(u) => {
                    params.push(("scope", "user".into()));
                    params.push(("user", u.to_string()));
                }
                None => params.push(("scope", "organization".into())),
            }
            if let Some(t) = &token {
                params.push(("page_token", t.clone()));
            }
            let c: Collection<WebhookSubscription> = self
                .get_json(&format!("{}/webhook_subscriptions", self.api_url), &params)
                .await?;
            out.extend(c.collection);
            token = next_token(&c.pagination);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    /// Creates a user-scope subscription. The signing key is write-only at Calendly: the caller
    /// keeps it (in the keyring) before calling.
    #[instrument(skip(self, signing_key))]
    pub async fn create_subscription(
        &self,
        url: &str,
        events: &[&str],
        organization: &str,
        user: &str,
        signing_key: &str,
    ) -> Result<WebhookSubscription, ApiError> {
        self.create_subscription_scoped(url, events, organization, Some(user), signing_key)
            .await
    }

    /// Creates an organization-scope subscription (needed for `routing_form_submission.created`;
    /// org admins and owners only).
    #[instrument(skip(self, signing_key))]
    pub async fn create_organization_subscription(
        &self,
        url: &str,
        events: &[&str],
        organization: &str,
        signing_key: &str,
    ) -> Result<WebhookSubscription, ApiError> {
        self.create_subscription_scoped(url, events, organization, None, signing_key)
            .await
    }

    async fn create_subscription_scoped(
        &self,
        url: &str,
        events: &[&str],
        organization: &str,
        user: Option<&str>,
        signing_key: &str,
    ) -> Result<WebhookSubscription, ApiError> {
        let body = match user {
            Some(user) => serde_json::json!({
                "url": url,
                "events": events,
                "organization": organization,
                "user": user,
                "scope": "user",
                "signing_key": signing_key,
            }),
            None => serde_json::json!({
                "url": url,
                "events": events,
                "organization": organization,
                "scope": "organization",
                "signing_key": signing_key,
            }),
        };
        let req = self
            .http
            .post(format!("{}/webhook_subscriptions", self.api_url))
            .json(&body);
        let url = format!("{}/webhook_subscriptions", self.api_url);
        let resp = self.send(req).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(&Method::POST, &url, e))?;
        let r: Resource<WebhookSubscription> =
            serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(e.to_string()))?;
        Ok(r.resource)
    }

    #[instrument(skip(self))]
    pub async fn get_subscription(&self, uri: &str) -> Result<WebhookSubscription, ApiError> {
        let r: Resource<WebhookSubscription> = self.get_json(&self.url_of(uri), &[]).await?;
        Ok(r.resource)
    }

    #[instrument(skip(self))]
    pub async fn delete_subscription(&self, uri: &str) -> Result<(), ApiError> {
        let req = self.http.request(Method::DELETE, self.url_of(uri));
        self.send(req).await.map(|_| ())
    }

    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        params: &[(&str, String)],
    ) -> Result<T, ApiError> {
        let req = self.http.get(url).query(params);
        let resp = self.send(req).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(&Method::GET, url, e))?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// Sends with the bearer token, waits out 429s and retries 5xx with back-off and jitter.
    async fn send(&self, req: RequestBuilder) -> Result<Response, ApiError> {
        let mut attempt = 0;
        let mut refreshed = false;
        let mut token = self.bearer().await?;
        loop {
            let Some(r) = req.try_clone() else {
                return Err(ApiError::Decode("request body cannot be retried".into()));
            };
            let request = r
                .bearer_auth(&token)
                .build()
                .map_err(|e| ApiError::Network {
                    url: self.api_url.clone(),
                    reason: e.without_url().to_string(),
                    timeout_secs: None,
                })?;
            let (method, url) = (request.method().clone(), request.url().to_string());
            let result = self.http.execute(request).await;
            let err = match result {
                Ok(resp) => {
                    self.note_rate_limit(&resp);
                    if resp.status().is_success() {
                        return Ok(resp);
                    }
                    error_of(resp).await
                }
                // A timeout is not retried here: each attempt already waited the whole limit.
                Err(e) => self.transport_error(&method, &url, e),
            };
            // One refresh after a 401 (shared with concurrent callers), then one retry.
            if let (ApiError::Unauthenticated { .. }, Auth::OAuth(session)) = (&err, &self.auth) {
                if !refreshed {
                    refreshed = true;
                    token = session.after_unauthorized(&token).await?;
                    continue;
                }
            }
            attempt += 1;
            let wait = match &err {
                ApiError::RateLimited { retry_after } => *retry_after,
                ApiError::Server { .. } => backoff(attempt),
                _ => return Err(err),
            };
            if attempt > MAX_RETRIES {
                return Err(err);
            }
            warn!(attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying Calendly request");
            tokio::time::sleep(wait).await;
        }
    }

    pub(super) async fn bearer(&self) -> Result<String, ApiError> {
        match &self.auth {
            Auth::Token(t) => Ok(t.clone()),
            Auth::OAuth(session) => Ok(session.bearer().await?),
        }
    }

    pub(super) fn note_rate_limit(&self, resp: &Response) {
        let h = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u32>().ok())
        };
        if let (Some(limit), Some(remaining), Some(reset_secs)) = (
            h("x-ratelimit-limit"),
            h("x-ratelimit-remaining"),
            h("x-ratelimit-reset"),
        ) {
            *self.rate.lock().unwrap_or_else(|e| e.into_inner()) = Some(RateLimit {
                limit,
                remaining,
                reset_secs,
            });
        }
    }
}

pub(super) fn next_token(p: &super::models::Pagination) -> Option<String> {
    p.next_page_token
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| {
            let next = p.next_page.as_deref()?;
            url::Url::parse(next)
                .ok()?
                .query_pairs()
                .find(|(k, _)| k == "page_token")
                .map(|(_, v)| v.into_owned())
        })
}

fn backoff(attempt: u32) -> Duration {
    let base = 250u64.saturating_mul(1 << attempt.min(6));
    let jitter = rand::random::<u64>() % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A loopback server that accepts connections and never answers; counts them.
    async fn silent_server() -> (String, Arc<AtomicU32>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let accepted = Arc::new(AtomicU32::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(sock);
            }
        });
        (url, accepted)
    }

    #[tokio::test]
    async fn a_stalled_calendly_is_a_timeout_naming_the_limit_and_is_not_retried_here() {
        let (url, accepted) = silent_server().await;
        let client =
            Client::with_timeout(&url, Auth::Token("t".into()), Duration::from_millis(300))
                .expect("client");
        let started = std::time::Instant::now();
        let err = client.me().await.expect_err("no answer");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(err.is_timeout(), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with("Calendly did not answer within 1 s (GET http://127.0.0.1:"),
            "{text}"
        );
        assert!(text.contains("SLOTLINE_HTTP_TIMEOUT_SECS"), "{text}");
        assert_eq!(err.answer(), "Calendly did not answer within 1 s");
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "one attempt");

        // The sync's single attempts report it the same way.
        let a = client
            .event_once(&format!("{url}/scheduled_events/E"))
            .await;
        assert!(a.result.expect_err("no answer").is_timeout());
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_network_error_not_a_timeout() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let client = Client::new(&format!("http://127.0.0.1:{port}"), "t").expect("client");
        let err = client.me().await.expect_err("refused");
        assert!(
            matches!(
                err,
                ApiError::Network {
                    timeout_secs: None,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err
            .to_string()
            .starts_with("could not reach Calendly (GET http://127.0.0.1:"));
    }
}
