//! Fault injection for tests: forced answers per path, latency, and the forced 429s and 500s
//! of the API gate.

use crate::inner::{Inner, Sandbox};
use crate::locking::lock;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Answers with the first matching [`crate::settings::PathFault`], if any (API and OAuth paths alike).
pub(crate) async fn path_fault(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let fault = if path.starts_with("/_sandbox/") {
        None
    } else {
        let mut k = lock(&sb.inner.knobs);
        let hit = k.faults.iter().position(|f| {
            let (head, tail) = f.path.split_once('*').unwrap_or((&f.path, ""));
            let glob = f.path.contains('*');
            (if glob {
                path.len() >= head.len() + tail.len()
                    && path.starts_with(head)
                    && path.ends_with(tail)
            } else {
                path == f.path
            }) && f
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(req.method().as_str()))
                && f.times != Some(0)
        });
        hit.map(|i| {
            let f = &mut k.faults[i];
            if let Some(n) = f.times.as_mut() {
                *n -= 1;
            }
            f.clone()
        })
    };
    let Some(f) = fault else {
        return next.run(req).await;
    };
    if let Some(ms) = f.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if f.status == 0 {
        return next.run(req).await;
    }
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = status.canonical_reason().unwrap_or("Error");
    let path = req.uri().path();
    let body = f.body.clone().unwrap_or_else(
        || json!({"title": title, "message": format!("Injected {} for {path}.", f.status)}),
    );
    let mut resp = (status, Json(body)).into_response();
    if let Some(s) = f.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    if let Some(s) = f.ratelimit_reset {
        resp.headers_mut()
            .insert("X-RateLimit-Reset", HeaderValue::from(s));
    }
    resp
}

pub(crate) enum Injected {
    ServerError,
    TooManyRequests,
}

/// The API gate's share of fault injection: the configured latency, then a forced 500 (the next
/// `inject_5xx` requests) or 429 (every `inject_429_every`th).
pub(crate) async fn injected(inner: &Inner) -> Option<Injected> {
    let (latency, injected) = {
        let mut k = lock(&inner.knobs);
        k.since_inject += 1;
        let injected = if k.inject_5xx > 0 {
            k.inject_5xx -= 1;
            Some(Injected::ServerError)
        } else {
            match k.inject_429_every {
                Some(n) if k.since_inject.is_multiple_of(u64::from(n)) => {
                    Some(Injected::TooManyRequests)
                }
                _ => None,
            }
        };
        (k.latency, injected)
    };
    delay(latency).await;
    injected
}

/// The configured latency alone (the OAuth endpoints).
pub(crate) async fn latency(inner: &Inner) {
    let latency = lock(&inner.knobs).latency;
    delay(latency).await;
}

async fn delay(latency: std::time::Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}
