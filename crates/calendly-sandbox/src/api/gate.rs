//! The one gate every API request passes, exactly once: the tests' latency and fault injection
//! (`control` feature), authentication and the per-token rate limit, with its headers on every
//! answer.

use super::reply::*;
use crate::inner::{Inner, Sandbox};
use crate::limits::{EndpointKind, RateInfo};
use crate::locking::lock;
use crate::tokens::AuthFailure;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::time::Instant;

/// The authenticated caller, put in request extensions by [`gate`].
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub user_uri: String,
    /// `None`: a PAT or a legacy `default` token with every scope.
    pub scopes: Option<Vec<String>>,
}

impl Caller {
    /// `:write` implies `:read`, as Calendly's scopes do.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        let Some(scopes) = &self.scopes else {
            return Ok(());
        };
        let write = scope.replace(":read", ":write");
        if scopes.iter().any(|s| s == scope || *s == write) {
            Ok(())
        } else {
            Err(ApiError::forbidden(&format!(
                "This access token does not have the required scope: {scope}"
            )))
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn authenticate(inner: &Inner, token: Option<&str>) -> Result<Caller, AuthFailure> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(AuthFailure::Invalid)?;
    let now = inner.clock.now();
    let w = lock(&inner.world);
    if w.personal_access_tokens.iter().any(|p| p == token) {
        return Ok(Caller {
            user_uri: w.user.uri.clone(),
            scopes: None,
        });
    }
    let t = w.tokens.check_access(token, now)?;
    let scopes: Vec<String> = t.scope.split_whitespace().map(str::to_string).collect();
    let legacy = scopes.is_empty() || scopes.iter().any(|s| s == "default");
    Ok(Caller {
        user_uri: w.user.uri.clone(),
        scopes: (!legacy).then_some(scopes),
    })
}

fn with_rate_headers(mut resp: Response, info: RateInfo) -> Response {
    let h = resp.headers_mut();
    h.insert("X-RateLimit-Limit", HeaderValue::from(info.limit));
    h.insert("X-RateLimit-Remaining", HeaderValue::from(info.remaining));
    h.insert("X-RateLimit-Reset", HeaderValue::from(info.reset_secs));
    resp
}

fn too_many(info: RateInfo) -> Response {
    let info = RateInfo {
        remaining: 0,
        ..info
    };
    let body = json!({
        "title": "Too Many Requests",
        "message": format!(
            "You have exceeded the rate limit of {} requests per minute. Retry in {} seconds.",
            info.limit, info.reset_secs
        ),
    });
    let mut resp = with_rate_headers(
        (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response(),
        info,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(info.reset_secs));
    resp
}

pub(super) async fn gate(State(sb): State<Sandbox>, mut req: Request, next: Next) -> Response {
    let inner = &sb.inner;
    inner.count(|c| c.count(EndpointKind::classify(req.uri().path())));
    let limit = lock(&inner.knobs).rate_limit_per_minute;
    #[cfg(any(test, feature = "control"))]
    let injected = crate::control::injected(inner).await;
    let token = bearer(req.headers());
    let bucket = token.clone().unwrap_or_default();
    let now = Instant::now();
    #[cfg(any(test, feature = "control"))]
    match injected {
        Some(crate::control::Injected::ServerError) => {
            inner.count(|c| c.injected_5xx += 1);
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return with_rate_headers(ApiError::internal().into_response(), info);
        }
        Some(crate::control::Injected::TooManyRequests) => {
            inner.count(|c| c.rate_limited += 1);
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return too_many(info);
        }
        None => {}
    }
    let caller = match authenticate(inner, token.as_deref()) {
        Ok(c) => c,
        Err(failure) => {
            inner.count(|c| c.unauthenticated += 1);
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return with_rate_headers(
                ApiError::unauthenticated(failure.message()).into_response(),
                info,
            );
        }
    };
    let info = lock(&inner.limiter).take(&bucket, limit, now);
    if info.limited {
        inner.count(|c| c.rate_limited += 1);
        return too_many(info);
    }
    req.extensions_mut().insert(caller);
    with_rate_headers(next.run(req).await, info)
}
