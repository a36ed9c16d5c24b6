//! `POST /webhooks/calendly`: the checks run cheapest first and nothing is written until the
//! signature over the exact received bytes verifies. Size (413), content type (415) and the
//! signature header (400 malformed, 401 stale) are checked before a byte of the body is read;
//! then a signing key must exist (503 without reading the body when none does), then the body
//! waits for room in flight (503 with `Retry-After` when the receiver is full), arrives within the
//! body timeout (408) and is verified (401). Once the signature verifies, the delivery is
//! committed and answered 2xx whatever its shape: what this version cannot apply is kept in the
//! inbox with its reason (see `process`), never refused, since Calendly would only retry it.
//! Storage failure is 503 (Calendly retries every non-2xx). Never 3xx or 410: Calendly deletes
//! a subscription on 410. Bad input is never a 5xx.
//!
//! Only failures are throttled ([`FailureThrottle`]): a source that keeps failing gets 429
//! instead of the detailed answer and a smaller share of the room in flight, but its requests
//! that could be genuine are still verified, and a valid signature always passes. Refusals are
//! counted per reason and logged once a minute ([`Refusals`]).

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

use super::admission::{Admission, Busy};
use super::ratelimit::{self, FailureThrottle};
use super::refusals::Refusals;
use super::verify::{self, KeyLabel, Signature, SignatureError, SigningKeys};
use super::writer::{InboxWriter, Stored, WriteError};
use crate::clock::Clock;

/// Where Calendly posts deliveries.
pub const PATH: &str = "/webhooks/calendly";

/// Bodies up to this size are verified on the receiving thread: an HMAC over 16 KiB takes tens
/// of microseconds, less than a round trip through the blocking pool (Calendly's deliveries are a
/// few KiB).
const INLINE_CHECK_BYTES: usize = 16 * 1024;

/// What a request handler needs; cheap to clone.
#[derive(Clone)]
pub struct RouteState {
    pub writer: InboxWriter,
    pub keys: Arc<dyn SigningKeys>,
    pub clock: Arc<dyn Clock>,
    pub throttle: Arc<FailureThrottle>,
    pub admission: Arc<Admission>,
    pub refusals: Arc<Refusals>,
    pub max_body_bytes: usize,
    pub tolerance: Duration,
    /// The whole body must arrive within this, so a slow sender cannot hold a handler forever.
    pub body_timeout: Duration,
}

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
    #[error(transparent)]
    Signature(SignatureError),
    #[error(transparent)]
    Busy(Busy),
    #[error(transparent)]
    Storage(WriteError),
    #[error("the receiver failed internally: {0}")]
    Internal(String),
}

impl Rejection {
    /// The reason counted in the refusal summary.
    fn reason(&self) -> &'static str {
        match self {
            Rejection::TooLarge { .. } => "too_large",
            Rejection::BadLength => "bad_length",
            Rejection::ContentType => "content_type",
            Rejection::Read(_) => "unreadable_body",
            Rejection::BodyTimeout(_) => "body_timeout",
            Rejection::Signature(SignatureError::NoKeys) => "no_signing_key",
            Rejection::Signature(SignatureError::Mismatch) => "bad_signature",
            Rejection::Signature(SignatureError::TooOld { .. })
            | Rejection::Signature(SignatureError::InTheFuture { .. }) => "stale_timestamp",
            Rejection::Signature(SignatureError::Missing) => "no_signature",
            Rejection::Signature(SignatureError::TooManySignatures) => "too_many_signatures",
            Rejection::Signature(_) => "malformed_signature",
            Rejection::Busy(_) => "busy",
            Rejection::Storage(_) => "storage",
            Rejection::Internal(_) => "internal",
        }
    }

    /// True when the sender did something wrong: only these are charged to its throttle. A
    /// missing key, a full receiver or a failing disk are ours.
    fn is_failure(&self) -> bool {
        !matches!(
            self,
            Rejection::Signature(SignatureError::NoKeys)
                | Rejection::Busy(_)
                | Rejection::Storage(_)
                | Rejection::Internal(_)
        )
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = match &self {
            Rejection::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::BadLength | Rejection::Read(_) => StatusCode::BAD_REQUEST,
            Rejection::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Rejection::ContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::Signature(SignatureError::NoKeys) => StatusCode::SERVICE_UNAVAILABLE,
            Rejection::Signature(e) if e.is_malformed() => StatusCode::BAD_REQUEST,
            Rejection::Signature(_) => StatusCode::UNAUTHORIZED,
            Rejection::Busy(_) | Rejection::Storage(_) | Rejection::Internal(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        };
        let retry_after = match &self {
            Rejection::Busy(_) => Some(1),
            Rejection::Storage(_)
            | Rejection::Internal(_)
            | Rejection::Signature(SignatureError::NoKeys) => Some(5),
            _ => None,
        };
        answer(status, &self.to_string(), retry_after)
    }
}

fn answer(status: StatusCode, error: &str, retry_after: Option<u64>) -> Response {
    let mut response = (status, Json(json!({ "error": error }))).into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Whole seconds, rounded up: answering early would only earn another 429.
fn whole_seconds(d: Duration) -> u64 {
    (d.as_secs() + u64::from(d.subsec_nanos() > 0)).max(1)
}

async fn deliver(State(state): State<RouteState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let source = ratelimit::source_of(peer, request.headers());
    let throttled = state.throttle.throttled(source, Instant::now());
    match receive(&state, throttled.is_some(), request).await {
        Ok(stored) => {
            state.throttle.verified(source, Instant::now());
            match stored {
                Stored::New => {
                    (StatusCode::ACCEPTED, Json(json!({ "status": "stored" }))).into_response()
                }
                Stored::Duplicate => {
                    (StatusCode::OK, Json(json!({ "status": "duplicate" }))).into_response()
                }
            }
        }
        Err(rejection) => {
            let failure = rejection.is_failure();
            if failure {
                state.throttle.charge(source, Instant::now());
            }
            let curt = failure && throttled.is_some();
            state.refusals.record(rejection.reason(), curt);
            if let e @ (Rejection::Storage(_) | Rejection::Internal(_)) = &rejection {
                // Ours, rare, and a delivery Calendly will retry: worth a line each.
                tracing::error!(%source, error = %e, "webhook delivery not stored");
            }
            match throttled {
                Some(wait) if curt => answer(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many failed requests from this source",
                    Some(whole_seconds(wait)),
                ),
                _ => rejection.into_response(),
            }
        }
    }
}

#[tracing::instrument(skip_all)]
async fn receive(state: &RouteState, suspect: bool, request: Request) -> Result<Stored, Rejection> {
    let (parts, body) = request.into_parts();
    // 1. Size, from the declared length, before reading a byte of the body.
    let declared = declared_length(&parts.headers)?;
    if declared.is_some_and(|n| n > state.max_body_bytes) {
        return Err(Rejection::TooLarge {
            max: state.max_body_bytes,
        });
    }
    // 2. Content type.
    if !is_json(&parts.headers) {
        return Err(Rejection::ContentType);
    }
    // 3. The signature header parses (at most a few `v1`) and its timestamp is fresh.
    let header = signature_header(&parts.headers).map_err(Rejection::Signature)?;
    let signature = Signature::parse(&header).map_err(Rejection::Signature)?;
    signature
        .check_time(state.clock.now(), state.tolerance)
        .map_err(Rejection::Signature)?;
    // 4. A key to check it with, before reading the body (keys may come from the keyring).
    let keys = if state.keys.in_memory() {
        state.keys.signing_keys()
    } else {
        let keys = state.keys.clone();
        tokio::task::spawn_blocking(move || keys.signing_keys())
            .await
            .map_err(|e| Rejection::Internal(format!("reading the signing keys stopped: {e}")))?
    };
    if keys.is_empty() {
        return Err(Rejection::Signature(SignatureError::NoKeys));
    }
    // 5. Room in flight for the body (all of the cap when its length is not declared), held
    //    until the body is verified: what a flood holds is unverified bytes. A verified body
    //    then waits in the writer's bounded queue.
    let room = state
        .admission
        .admit(declared.unwrap_or(state.max_body_bytes), suspect)
        .await
        .map_err(Rejection::Busy)?;
    // 6. The body, never more than the cap even when the length was not declared, and within
    //    the body timeout even when it trickles in.
    let body = tokio::time::timeout(
        state.body_timeout,
        read_capped(body, state.max_body_bytes, declared),
    )
    .await
    .map_err(|_| Rejection::BodyTimeout(state.body_timeout))??;
    // 7. HMAC over the exact bytes: a small body on this thread (cheaper than two hops to the
    //    blocking pool), a big one off the async threads. Nothing else is checked after it: an
    //    authentic delivery is stored whatever its shape.
    let check = move |body: &[u8]| {
        let refs: Vec<(KeyLabel, &[u8])> = keys.iter().map(|(l, k)| (*l, k.as_slice())).collect();
        signature.matching_key(body, &refs)
    };
    let label = if body.len() <= INLINE_CHECK_BYTES {
        check(&body)
    } else {
        let checked = body.clone();
        tokio::task::spawn_blocking(move || check(&checked))
            .await
            .map_err(|e| Rejection::Internal(format!("signature check stopped: {e}")))?
    }
    .map_err(Rejection::Signature)?;
    drop(room);
    tracing::info!(key = %label, bytes = body.len(), "webhook signature verified");
    // 8. Stored and committed before the 2xx.
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
    // The declared length is already reserved in flight (see `admission`): allocate it once
    // rather than grow into it.
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(max));
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
    use crate::webhook::verify::clip;

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
            status(Rejection::Signature(SignatureError::TooManySignatures)),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status(Rejection::Busy(Busy)),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status(Rejection::Signature(SignatureError::NoKeys)),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn only_the_senders_failures_are_charged() {
        assert!(Rejection::Signature(SignatureError::Mismatch).is_failure());
        assert!(Rejection::Signature(SignatureError::TooOld { seconds: 1 }).is_failure());
        assert!(Rejection::TooLarge { max: 1 }.is_failure());
        assert!(!Rejection::Signature(SignatureError::NoKeys).is_failure());
        assert!(!Rejection::Busy(Busy).is_failure());
        assert!(!Rejection::Storage(WriteError::Closed).is_failure());
    }

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("ééé", 3), "é…");
    }
}
