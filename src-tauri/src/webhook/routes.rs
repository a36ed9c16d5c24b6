//! `POST /webhooks/calendly`: the checks run cheapest first and nothing is written until the
//! signature over the exact received bytes verifies. Rate limit (429), size (413) and content
//! type (415) come before any HMAC work; a malformed signature header is 400, a bad signature or
//! stale timestamp 401, a body that does not arrive in time 408, and an authenticated body that is
//! not a Calendly delivery 400 (it would only fail later); the delivery is answered 2xx only once
//! its row is committed, and 503 when it could not be (Calendly retries every non-2xx). Never 3xx
//! or 410: Calendly deletes a subscription on 410. Bad input is never a 5xx.

use std::future::poll_fn;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::process;
use super::ratelimit::RateLimiter;
use super::server::SigningKeys;
use super::verify::{self, KeyLabel, Signature, SignatureError};
use super::writer::{InboxWriter, Stored, WriteError};
use crate::clock::Clock;

/// Where Calendly posts deliveries.
pub const PATH: &str = "/webhooks/calendly";

/// What a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct RouteState {
    pub writer: InboxWriter,
    pub keys: Arc<dyn SigningKeys>,
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<RateLimiter>,
    pub max_body_bytes: usize,
    pub tolerance: Duration,
    /// The whole body must arrive within this, so a slow sender cannot hold a handler forever.
    pub body_timeout: Duration,
}

/// The most memory reserved up front for a body, whatever its declared length: a sender that
/// declares a large body and then stalls holds no more than this until the body timeout.
const MAX_PREALLOCATION: usize = 64 * 1024;

/// Longest piece of a parser's message echoed in an answer or a log line: bodies are attacker
/// input until the signature verifies, and a decoder may quote them.
const MAX_ECHO: usize = 200;

/// The receiver's routes; other methods on [`PATH`] are 405, other paths 404.
pub fn router(state: RouteState) -> Router {
    Router::new()
        .route(PATH, post(deliver))
        .fallback(not_found)
        .with_state(state)
}

/// Why a request was not stored, and the status it is answered with.
#[derive(Debug, thiserror::Error)]
enum Rejection {
    #[error("too many requests from this source")]
    RateLimited { retry_after: Duration },
    #[error("the body is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("the Content-Length header is not a number")]
    BadLength,
    #[error("the body must be application/json")]
    ContentType,
    #[error("the body could not be read: {0}")]
    Read(String),
    #[error("the body did not arrive within {} s", .0.as_secs())]
    BodyTimeout(Duration),
    #[error("the body is not a Calendly delivery: {0}")]
    NotDelivery(String),
    #[error(transparent)]
    Signature(SignatureError),
    #[error(transparent)]
    Storage(WriteError),
    #[error("the receiver failed internally: {0}")]
    Internal(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = match &self {
            Rejection::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Rejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::BadLength | Rejection::Read(_) | Rejection::NotDelivery(_) => {
                StatusCode::BAD_REQUEST
            }
            Rejection::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Rejection::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::Signature(SignatureError::NoKeys) => StatusCode::SERVICE_UNAVAILABLE,
            Rejection::Signature(e) if e.is_malformed() => StatusCode::BAD_REQUEST,
            Rejection::Signature(_) => StatusCode::UNAUTHORIZED,
            Rejection::Storage(_) | Rejection::Internal(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        let retry_after = match &self {
            Rejection::RateLimited { retry_after } => {
                // Whole seconds, rounded up: answering early would only earn another 429.
                let whole = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Some(whole.max(1))
            }
            Rejection::Storage(_)
            | Rejection::Internal(_)
            | Rejection::Signature(SignatureError::NoKeys) => Some(5),
            _ => None,
        };
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

async fn deliver(State(state): State<RouteState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match receive(&state, peer, request).await {
        Ok(Stored::New) => {
            (StatusCode::ACCEPTED, Json(json!({ "status": "stored" }))).into_response()
        }
        Ok(Stored::Duplicate) => {
            (StatusCode::OK, Json(json!({ "status": "duplicate" }))).into_response()
        }
        Err(rejection) => {
            match &rejection {
                Rejection::RateLimited { .. } => {
                    tracing::debug!(%peer, "webhook delivery rate limited")
                }
                e @ (Rejection::Storage(_) | Rejection::Internal(_)) => {
                    tracing::error!(%peer, error = %e, "webhook delivery not stored")
                }
                other => tracing::warn!(%peer, reason = %other, "webhook delivery refused"),
            }
            rejection.into_response()
        }
    }
}

#[tracing::instrument(skip_all, fields(peer = %peer))]
async fn receive(state: &RouteState, peer: IpAddr, request: Request) -> Result<Stored, Rejection> {
    // 1. Rate limit, before anything else is looked at.
    state
        .limiter
        .check(peer, Instant::now())
        .map_err(|retry_after| Rejection::RateLimited { retry_after })?;
    let (parts, body) = request.into_parts();
    // 2. Size, from the declared length, before reading a byte of the body.
    let declared = declared_length(&parts.headers)?;
    if declared.is_some_and(|n| n > state.max_body_bytes) {
        return Err(Rejection::TooLarge {
            max: state.max_body_bytes,
        });
    }
    // 3. Content type.
    if !is_json(&parts.headers) {
        return Err(Rejection::ContentType);
    }
    // 4. The signature header parses and its timestamp is fresh (still no body read).
    let header = signature_header(&parts.headers).map_err(Rejection::Signature)?;
    let signature = Signature::parse(&header).map_err(Rejection::Signature)?;
    signature
        .check_time(state.clock.now(), state.tolerance)
        .map_err(Rejection::Signature)?;
    // 5. The body, never more than the cap even when the length was not declared, and within
    //    the body timeout even when it trickles in.
    let body = tokio::time::timeout(
        state.body_timeout,
        read_capped(body, state.max_body_bytes, declared),
    )
    .await
    .map_err(|_| Rejection::BodyTimeout(state.body_timeout))??;
    // 6. HMAC over the exact bytes, off the async threads (keys may come from the keyring); only
    //    then is the body parsed, as the processor will parse it: what cannot be applied is
    //    refused now rather than stored to fail for ever.
    let keys = state.keys.clone();
    let checked = body.clone();
    let label = tokio::task::spawn_blocking(move || {
        let keys = keys.signing_keys();
        let refs: Vec<(KeyLabel, &[u8])> = keys.iter().map(|(l, k)| (*l, k.as_slice())).collect();
        let label = signature
            .matching_key(&checked, &refs)
            .map_err(Rejection::Signature)?;
        process::decode_body(&checked)
            .map_err(|e| Rejection::NotDelivery(clip(&e.to_string(), MAX_ECHO)))?;
        Ok(label)
    })
    .await
    .map_err(|e| Rejection::Internal(format!("signature check stopped: {e}")))??;
    tracing::info!(key = %label, bytes = body.len(), "webhook signature verified");
    // 7. Stored and committed before the 2xx.
    state
        .writer
        .store(body, header)
        .await
        .map_err(Rejection::Storage)
}

fn declared_length(headers: &HeaderMap) -> Result<Option<usize>, Rejection> {
    match headers.get(header::CONTENT_LENGTH) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(|n| Some(usize::try_from(n).unwrap_or(usize::MAX)))
            .ok_or(Rejection::BadLength),
    }
}

/// `application/json`, with or without parameters such as `charset`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Every `Calendly-Webhook-Signature` header, joined as one comma-separated list.
pub(crate) fn signature_header(headers: &HeaderMap) -> Result<String, SignatureError> {
    let mut values = headers.get_all(verify::HEADER).iter().peekable();
    if values.peek().is_none() {
        return Err(SignatureError::Missing);
    }
    let mut parts = Vec::new();
    for v in values {
        parts.push(v.to_str().map_err(|_| SignatureError::NotText)?);
    }
    Ok(parts.join(","))
}

async fn read_capped(
    mut body: Body,
    max: usize,
    declared: Option<usize>,
) -> Result<Bytes, Rejection> {
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(max).min(MAX_PREALLOCATION));
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| Rejection::Read(e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if buf.len().saturating_add(data.len()) > max {
                return Err(Rejection::TooLarge { max });
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// At most `max` bytes of `text`, cut on a character boundary, with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": format!("not found: Calendly deliveries go to POST {PATH}") })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&headers(&[("content-type", "application/json")])));
        assert!(is_json(&headers(&[(
            "content-type",
            "Application/JSON; charset=utf-8"
        )])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&headers(&[(
            "content-type",
            "application/json-patch+json"
        )])));
        assert!(!is_json(&headers(&[])));
    }

    #[test]
    fn several_signature_headers_are_one_list() {
        let h = headers(&[
            ("calendly-webhook-signature", "t=1"),
            ("calendly-webhook-signature", "v1=ab"),
        ]);
        assert_eq!(signature_header(&h).as_deref(), Ok("t=1,v1=ab"));
        assert_eq!(
            signature_header(&headers(&[])),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn statuses() {
        let status = |r: Rejection| r.into_response().status();
        assert_eq!(
            status(Rejection::Signature(SignatureError::Missing)),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(Rejection::Signature(SignatureError::Mismatch)),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Rejection::Signature(SignatureError::TooOld {
                seconds: 999
            })),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Rejection::Storage(WriteError::Closed)),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(Rejection::TooLarge { max: 1 }),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(
            status(Rejection::BodyTimeout(Duration::from_secs(1))),
            StatusCode::REQUEST_TIMEOUT
        );
        assert_eq!(
            status(Rejection::NotDelivery("x".into())),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("ééé", 3), "é…");
    }
}
