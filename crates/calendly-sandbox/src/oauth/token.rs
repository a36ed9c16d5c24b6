//! The token endpoint (codes, refresh-token rotation, Calendly's 8-a-minute limit), revocation,
//! introspection and the server metadata.

use super::reply::*;
use crate::inner::{Inner, Sandbox};
use crate::locking::lock;
use crate::params::Params;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::time::Instant;

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

pub(super) async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let inner = &sb.inner;
    if let Err(wait) = lock(&inner.token_limiter)
        .allow(inner.fixed.oauth_token_requests_per_minute, Instant::now())
    {
        inner.count(|c| c.rate_limited += 1);
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
    let user_uuid = crate::ids::last_segment(&w.user.uri).to_string();
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

pub(super) async fn revoke(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
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

pub(super) async fn introspect(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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

pub(super) async fn metadata(State(sb): State<Sandbox>) -> Json<Value> {
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
