//! Calendly's OAuth 2.0 server as the sandbox plays it: a real consent page, authorization codes
//! bound to the redirect URI and a PKCE S256 challenge, a form-encoded token endpoint with
//! refresh-token rotation and Calendly's 8-per-minute limit, revocation and introspection.

use super::api::Params;
use super::limits::EndpointKind;
use super::{lock, Inner, Sandbox};
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::time::Instant;

/// Scopes Calendly documents, with what the consent page says about each.
const SCOPES: &[(&str, &str)] = &[
    (
        "default",
        "Full access to your Calendly account (legacy scope)",
    ),
    ("users:read", "View your user profile"),
    (
        "organizations:read",
        "View your organization and its members",
    ),
    ("event_types:read", "View your event types"),
    ("event_types:write", "Create and change your event types"),
    (
        "scheduled_events:read",
        "View your scheduled events, invitees and no-shows",
    ),
    (
        "scheduled_events:write",
        "Cancel events and mark invitees as no-shows",
    ),
    ("webhooks:read", "View your webhook subscriptions"),
    ("webhooks:write", "Create and delete webhook subscriptions"),
    (
        "routing_forms:read",
        "View your routing forms and their submissions",
    ),
    ("groups:read", "View your groups"),
];

const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

pub(crate) fn routes(sb: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/authorize/decision", post(decision))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/oauth/introspect", post(introspect))
        .route("/.well-known/oauth-authorization-server", get(metadata))
        .route_layer(middleware::from_fn_with_state(sb, oauth_gate))
}

/// Counts the request and applies the configured latency, like the API gate (no bearer auth here).
async fn oauth_gate(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    lock(&sb.inner.counts).count(EndpointKind::classify(req.uri().path()));
    let latency = lock(&sb.inner.knobs).latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    next.run(req).await
}

/// An RFC 6749 error answer `{error, error_description}`.
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    /// 401 `invalid_client` tells the client how to authenticate.
    basic_challenge: bool,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            Json(json!({"error": self.error, "error_description": self.description})),
        )
            .into_response();
        no_store(&mut resp);
        if self.basic_challenge {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"calendly\""),
            );
        }
        resp
    }
}

fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    OAuthError {
        status,
        error,
        description: description.to_string(),
        basic_challenge: false,
    }
    .into_response()
}

fn no_store(resp: &mut Response) {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f4f6fb;color:#1a1a1a;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}\
.card{background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.08);padding:32px;max-width:440px}\
.brand{color:#006bff;font-weight:700;margin:0 0 16px}.brand span{color:#666;font-weight:400}\
h1{font-size:20px;margin:0 0 12px}ul{padding-left:20px}li{margin:6px 0}\
.actions{display:flex;gap:12px;justify-content:flex-end;margin-top:24px}\
button{font-size:15px;padding:10px 22px;border-radius:8px;border:1px solid #006bff;cursor:pointer}\
#allow{background:#006bff;color:#fff}#deny{background:#fff;color:#006bff}.fine{color:#666;font-size:13px}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{} · Calendly Sandbox</title><style>{STYLE}</style></head><body><main class=\"card\">\
<p class=\"brand\">Calendly <span>offline sandbox</span></p>{body}</main></body></html>",
        html_escape(title)
    );
    let mut resp = (status, Html(html)).into_response();
    no_store(&mut resp);
    resp
}

fn error_page(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Authorization error",
        &format!(
            "<h1>This authorization request is invalid</h1><p>{}</p>",
            html_escape(message)
        ),
    )
}

/// A validated authorization request.
#[derive(Clone, Debug)]
struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    scope: String,
    state: Option<String>,
}

enum Rejection {
    /// The redirect URI cannot be trusted: show an error page instead of redirecting.
    Page(String),
    /// Tell the client through its redirect URI.
    Redirect(String),
}

fn redirect_url(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
                if let Some(s) = state {
                    q.append_pair("state", s);
                }
            }
            u.to_string()
        }
        Err(_) => redirect_uri.to_string(),
    }
}

fn found(location: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    no_store(&mut resp);
    resp
}

/// A Sandbox-environment app may redirect to https anywhere, to http on a loopback host, or to a
/// native app's custom scheme.
fn redirect_allowed(u: &url::Url) -> bool {
    match u.scheme() {
        "https" => u.host().is_some(),
        "http" => matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")),
        _ => true,
    }
}

fn validate(inner: &Inner, p: &Params) -> Result<AuthorizeRequest, Rejection> {
    let client_id = p.get("client_id").unwrap_or_default();
    if client_id != inner.fixed.oauth_client_id {
        return Err(Rejection::Page(format!(
            "Unknown client_id \"{client_id}\". The sandbox only knows the client \"{}\".",
            inner.fixed.oauth_client_id
        )));
    }
    let Some(redirect_uri) = p.get("redirect_uri") else {
        return Err(Rejection::Page("redirect_uri is required.".into()));
    };
    match url::Url::parse(redirect_uri) {
        Ok(u) if redirect_allowed(&u) => {}
        _ => {
            return Err(Rejection::Page(format!(
                "redirect_uri \"{redirect_uri}\" is not allowed: use https, http://localhost or http://127.0.0.1."
            )))
        }
    }
    let registered = &inner.fixed.oauth_redirect_uris;
    if !registered.is_empty() && !registered.iter().any(|r| r == redirect_uri) {
        // Calendly matches the registered URI exactly and never redirects to an unknown one.
        return Err(Rejection::Page(format!(
            "redirect_uri \"{redirect_uri}\" is not registered for this app; registered: {}.",
            registered.join(", ")
        )));
    }
    let state = p.get("state").map(str::to_string);
    let reject = |error: &str, description: &str| {
        Rejection::Redirect(redirect_url(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        ))
    };
    if p.get("response_type") != Some("code") {
        return Err(reject(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    let challenge = p.get("code_challenge").filter(|c| !c.is_empty());
    let method = p.get("code_challenge_method");
    if challenge.is_some() && method != Some("S256") {
        return Err(reject(
            "invalid_request",
            "code_challenge_method must be S256",
        ));
    }
    if challenge.is_none() && inner.fixed.oauth_client_secret.is_none() {
        return Err(reject(
            "invalid_request",
            "code_challenge is required: this is a native (public) client, so PKCE is mandatory",
        ));
    }
    let scope = p.get("scope").unwrap_or("default").trim();
    let scope = if scope.is_empty() { "default" } else { scope };
    if let Some(bad) = scope
        .split_whitespace()
        .find(|s| !SCOPES.iter().any(|(n, _)| n == s))
    {
        return Err(reject("invalid_scope", &format!("unknown scope {bad}")));
    }
    Ok(AuthorizeRequest {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        code_challenge: challenge.map(str::to_string),
        code_challenge_method: method.map(str::to_string),
        scope: scope.split_whitespace().collect::<Vec<_>>().join(" "),
        state,
    })
}

async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref());
    let req = match validate(&sb.inner, &p) {
        Ok(r) => r,
        Err(Rejection::Page(m)) => return error_page(&m),
        Err(Rejection::Redirect(url)) => return found(&url),
    };
    let (name, email) = {
        let w = lock(&sb.inner.world);
        (w.user.name.clone(), w.user.email.clone())
    };
    let scopes: String = req
        .scope
        .split_whitespace()
        .map(|s| {
            let text = SCOPES
                .iter()
                .find(|(n, _)| *n == s)
                .map(|(_, t)| *t)
                .unwrap_or(s);
            format!(
                "<li>{} <code>{}</code></li>",
                html_escape(text),
                html_escape(s)
            )
        })
        .collect();
    let hidden = |name: &str, value: &Option<String>| match value {
        Some(v) => format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            html_escape(v)
        ),
        None => String::new(),
    };
    let fields = [
        hidden("client_id", &Some(req.client_id.clone())),
        hidden("response_type", &Some("code".to_string())),
        hidden("redirect_uri", &Some(req.redirect_uri.clone())),
        hidden("code_challenge", &req.code_challenge),
        hidden("code_challenge_method", &req.code_challenge_method),
        hidden("scope", &Some(req.scope.clone())),
        hidden("state", &req.state),
    ]
    .concat();
    let back_to = url::Url::parse(&req.redirect_uri)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| req.redirect_uri.clone());
    let body = format!(
        "<h1>Slotline Sandbox wants to access your Calendly account</h1>\
<p>Signed in as <strong>{}</strong> ({})</p><p>This will allow Slotline Sandbox to:</p><ul>{scopes}</ul>\
<form method=\"post\" action=\"/oauth/authorize/decision\">{fields}\
<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button></div></form>\
<p class=\"fine\">You will be sent back to {}.</p>",
        html_escape(&name),
        html_escape(&email),
        html_escape(&back_to)
    );
    page(StatusCode::OK, "Authorize Slotline Sandbox", &body)
}

async fn decision(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let p = Params::from_bytes(&body);
    let req = match validate(&sb.inner, &p) {
        Ok(r) => r,
        Err(Rejection::Page(m)) => return error_page(&m),
        Err(Rejection::Redirect(url)) => return found(&url),
    };
    match p.get("decision") {
        Some("allow") => {
            let now = sb.inner.clock.now();
            let code = lock(&sb.inner.world).tokens.issue_code(
                &mut rand::rng(),
                &req.client_id,
                &req.redirect_uri,
                req.code_challenge.clone(),
                &req.scope,
                now,
            );
            found(&redirect_url(
                &req.redirect_uri,
                &[("code", &code)],
                req.state.as_deref(),
            ))
        }
        Some("deny") => found(&redirect_url(
            &req.redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied the request"),
            ],
            req.state.as_deref(),
        )),
        _ => error_page("Choose Allow or Deny."),
    }
}

/// Who is calling the token, revoke or introspect endpoint.
struct Client {
    id: String,
    /// Authenticated with the client secret (a confidential, web-style client).
    with_secret: bool,
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn client_auth(inner: &Inner, headers: &HeaderMap, form: &Params) -> Result<Client, OAuthError> {
    let invalid_client = |why: &str| OAuthError {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        description: why.to_string(),
        basic_challenge: true,
    };
    let invalid_request = |why: &str| OAuthError {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        description: why.to_string(),
        basic_challenge: false,
    };
    let (id, secret) = match basic_credentials(headers) {
        Some((id, secret)) => {
            if form.get("client_id").is_some_and(|b| b != id) {
                return Err(invalid_request(
                    "client_id in the body does not match the Authorization header",
                ));
            }
            if form.get("client_secret").is_some() {
                return Err(invalid_request("use only one client authentication method"));
            }
            (id, Some(secret))
        }
        None => match form.get("client_id") {
            Some(id) => (
                id.to_string(),
                form.get("client_secret").map(str::to_string),
            ),
            None => {
                return Err(invalid_client(
                    "client_id is required (in the body, or Basic authentication)",
                ))
            }
        },
    };
    if id != inner.fixed.oauth_client_id {
        return Err(invalid_client(
            "Client authentication failed: unknown client_id",
        ));
    }
    match (secret, &inner.fixed.oauth_client_secret) {
        (None, _) => Ok(Client {
            id,
            with_secret: false,
        }),
        (Some(given), Some(expected)) if constant_time_eq(&given, expected) => Ok(Client {
            id,
            with_secret: true,
        }),
        (Some(_), _) => Err(invalid_client(
            "Client authentication failed: wrong client_secret",
        )),
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let inner = &sb.inner;
    if let Err(wait) = lock(&inner.token_limiter)
        .allow(inner.fixed.oauth_token_requests_per_minute, Instant::now())
    {
        lock(&inner.counts).rate_limited += 1;
        let mut resp = oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            &format!(
                "At most {} token requests per user per minute. Retry in {wait} seconds.",
                inner.fixed.oauth_token_requests_per_minute
            ),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return resp;
    }
    if !is_form(&headers) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token endpoint accepts only application/x-www-form-urlencoded bodies",
        );
    }
    let form = Params::from_bytes(&body);
    let client = match client_auth(inner, &headers, &form) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let now = inner.clock.now();
    let mut w = lock(&inner.world);
    let (scope, family) = match form.get("grant_type") {
        Some("authorization_code") => {
            let Some(code) = form.get("code") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "code is required",
                );
            };
            let Some(grant) = w.tokens.redeem_code(
                code,
                &client.id,
                form.get("redirect_uri"),
                form.get("code_verifier"),
                now,
            ) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", INVALID_GRANT);
            };
            if grant.code_challenge.is_none() && !client.with_secret {
                return oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "Without PKCE the client must authenticate with its client_secret",
                );
            }
            (grant.scope, None)
        }
        Some("refresh_token") => {
            let Some(refresh) = form.get("refresh_token") else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "refresh_token is required",
                );
            };
            w.tokens.refresh_requests += 1;
            let Some(old) = w.tokens.spend_refresh(refresh, &client.id) else {
                w.tokens.refresh_refused += 1;
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", INVALID_GRANT);
            };
            (old.scope, Some(old.family))
        }
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            )
        }
    };
    let user_uuid = super::ids::last_segment(&w.user.uri).to_string();
    let pair = w.tokens.issue_pair(
        &mut rand::rng(),
        &inner.base_url,
        &user_uuid,
        &client.id,
        &scope,
        family,
        now,
        inner.fixed.access_token_ttl,
    );
    let body = json!({
        "token_type": "Bearer",
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "scope": pair.scope,
        "created_at": pair.created_at,
        "expires_in": pair.expires_in,
        "owner": w.user.uri,
        "organization": w.organization.uri,
    });
    inner.save(&w);
    drop(w);
    let mut resp = (StatusCode::OK, Json(body)).into_response();
    no_store(&mut resp);
    resp
}

async fn revoke(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let inner = &sb.inner;
    if !is_form(&headers) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The revoke endpoint accepts only application/x-www-form-urlencoded bodies",
        );
    }
    let form = Params::from_bytes(&body);
    let client = match client_auth(inner, &headers, &form) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    let mut w = lock(&inner.world);
    if w.tokens
        .owner_client(token)
        .is_some_and(|owner| owner != client.id)
    {
        return oauth_error(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "The token was issued to another client",
        );
    }
    // RFC 7009: an unknown token is not an error, the answer is the same 200.
    w.tokens.revoke(token);
    inner.save(&w);
    (StatusCode::OK, Json(json!({}))).into_response()
}

async fn introspect(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let inner = &sb.inner;
    if !is_form(&headers) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The introspect endpoint accepts only application/x-www-form-urlencoded bodies",
        );
    }
    let form = Params::from_bytes(&body);
    let client = match client_auth(inner, &headers, &form) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let Some(token) = form.get("token") else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required",
        );
    };
    let now = inner.clock.now();
    let w = lock(&inner.world);
    let base = |scope: &str, iat: i64| {
        json!({
            "active": true, "scope": scope, "client_id": client.id, "token_type": "Bearer",
            "iat": iat, "owner": w.user.uri, "organization": w.organization.uri,
        })
    };
    let answer: Value = if let Ok(t) = w.tokens.check_access(token, now) {
        let mut v = base(&t.scope, t.issued_at.timestamp());
        v["exp"] = json!(t.expires_at.timestamp());
        v
    } else if let Some(r) = w
        .tokens
        .refresh
        .get(token)
        .filter(|r| !r.used && !r.revoked)
    {
        base(&r.scope, r.issued_at.timestamp())
    } else {
        json!({"active": false})
    };
    (StatusCode::OK, Json(answer)).into_response()
}

async fn metadata(State(sb): State<Sandbox>) -> Json<Value> {
    let base = &sb.inner.base_url;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "introspection_endpoint": format!("{base}/oauth/introspect"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_basic", "client_secret_post"],
        "scopes_supported": SCOPES.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
    }))
}
