//! The local ICS feed: a read-only HTTP server on 127.0.0.1 that a calendar app (Thunderbird,
//! GNOME Calendar, Apple Calendar) subscribes to. It serves one document,
//! `GET /feed/<token>/calendar.ics`; the token is random and chosen by the caller, so another
//! user of the machine cannot guess the URL. Everything else is 404, other methods 405.
//!
//! The body is the same for the same store (see `export::ics`), so its hash is a strong `ETag`
//! and a polling client that already has it gets `304 Not Modified`.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand::RngCore;
use sha2::{Digest, Sha256};
use thiserror::Error;
use tokio::net::TcpListener;
use tracing::instrument;

use crate::clock::Clock;
use crate::export::{self, IcsOptions, Refresh};
use crate::store::Store;

/// How far back the feed reaches by default.
pub const DEFAULT_PAST_DAYS: i64 = 90;

/// What the feed serves.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// The secret path segment: at least 16 of `A-Z a-z 0-9 - _` (see [`new_token`]).
    pub token: String,
    /// Meetings that started longer ago than this are left out; `None` serves the whole store.
    pub past_horizon: Option<chrono::Duration>,
    /// Canceled meetings as `STATUS:CANCELLED` instead of left out.
    pub include_canceled: bool,
    /// How often subscribers are asked to refetch (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`).
    pub refresh: chrono::Duration,
}

impl FeedConfig {
    /// The defaults: 90 days back, canceled meetings left out, refetch every 15 minutes.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            past_horizon: Some(chrono::Duration::days(DEFAULT_PAST_DAYS)),
            include_canceled: false,
            refresh: chrono::Duration::minutes(15),
        }
    }
}

#[derive(Debug, Error)]
pub enum FeedError {
    #[error("the calendar feed only listens on loopback addresses (127.0.0.1 or ::1), not {0}")]
    NotLoopback(SocketAddr),
    #[error("the calendar feed's token must be at least 16 letters, digits, '-' or '_'; make one with icsfeed::new_token")]
    BadToken,
    #[error("the calendar feed's listener failed: {0}")]
    Listener(std::io::Error),
    #[error("the calendar feed stopped: {0}")]
    Serve(std::io::Error),
}

/// A fresh random token (128 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The feed's path for `token`.
pub fn feed_path(token: &str) -> String {
    format!("/feed/{token}/calendar.ics")
}

/// The URL to paste into a calendar app.
pub fn feed_url(addr: SocketAddr, token: &str) -> String {
    format!("http://{addr}{}", feed_path(token))
}

fn valid_token(token: &str) -> bool {
    token.len() >= 16
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

struct FeedState {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    config: FeedConfig,
}

/// Serves the feed on `listener` until `shutdown` resolves. Refuses a listener that is not on a
/// loopback address and a token that is too short to be secret.
#[instrument(skip_all, fields(addr))]
pub async fn serve(
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    listener: TcpListener,
    config: FeedConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), FeedError> {
    let addr = listener.local_addr().map_err(FeedError::Listener)?;
    if !is_loopback(addr.ip()) {
        return Err(FeedError::NotLoopback(addr));
    }
    if !valid_token(&config.token) {
        return Err(FeedError::BadToken);
    }
    tracing::Span::current().record("addr", tracing::field::display(addr));
    let app = Router::new()
        .route("/feed/{token}/calendar.ics", get(calendar))
        .fallback(not_found)
        .with_state(Arc::new(FeedState {
            store,
            clock,
            config,
        }));
    tracing::info!("calendar feed listening");
    let out = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(FeedError::Serve);
    tracing::info!("calendar feed stopped");
    out
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// A page on the open web that rebinds its DNS name to 127.0.0.1 still sends its own name as
/// `Host`; only loopback names are served.
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().map(is_loopback).unwrap_or(false)
}

/// Compares without stopping at the first difference, so response times say nothing about how
/// much of a guessed token was right.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `If-None-Match` holds `etag` (weak comparison, as RFC 9110 asks for this header) or `*`.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = strip(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == ours)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found\n").into_response()
}

async fn calendar(
    State(state): State<Arc<FeedState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !loopback_host(&headers) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "Use the feed's 127.0.0.1 address\n",
        )
            .into_response();
    }
    if !same_secret(&token, &state.config.token) {
        return not_found().await;
    }
    let now = state.clock.now();
    let from_ms = state
        .config
        .past_horizon
        .and_then(|h| now.checked_sub_signed(h))
        .map_or(i64::MIN, |t| t.timestamp_millis());
    let opts = IcsOptions {
        include_canceled: state.config.include_canceled,
    };
    let refresh = Refresh(state.config.refresh);
    let store = state.store.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        store.read(|tx| export::render_calendar(tx, from_ms, i64::MAX, opts, now, Some(refresh)))
    })
    .await;
    let body = match rendered {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "calendar feed could not read the store");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, "60")],
                "Slotline could not read its store; try again shortly\n",
            )
                .into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "calendar feed render task failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error\n").into_response();
        }
    };
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..16])
    );
    let mut response = if matches_etag(&headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            )],
            body,
        )
            .into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    // Revalidate every time (cheap thanks to the ETag) and keep the document out of shared caches.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_plain() {
        let t = new_token();
        assert!(valid_token(&t), "{t}");
        assert_ne!(t, new_token());
        assert!(!valid_token("short"));
        assert!(!valid_token("0123456789abcdef/.."));
        assert!(!valid_token("0123456789abcdef{x}"));
    }

    #[test]
    fn hosts_must_be_loopback_names() {
        let with = |h: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::HOST, HeaderValue::from_str(h).expect("header"));
            loopback_host(&m)
        };
        for ok in [
            "127.0.0.1:8080",
            "localhost:1",
            "[::1]:9",
            "127.0.0.1",
            "LOCALHOST",
        ] {
            assert!(with(ok), "{ok}");
        }
        for bad in ["evil.example:8080", "192.168.1.2:80", "[2001:db8::1]:80"] {
            assert!(!with(bad), "{bad}");
        }
        assert!(loopback_host(&HeaderMap::new()));
    }

    #[test]
    fn etags_compare_weakly_and_in_lists() {
        let with = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::IF_NONE_MATCH, HeaderValue::from_str(v).expect("h"));
            m
        };
        assert!(matches_etag(&with("\"abc\""), "\"abc\""));
        assert!(matches_etag(&with("W/\"abc\""), "\"abc\""));
        assert!(matches_etag(&with("\"x\", \"abc\""), "\"abc\""));
        assert!(matches_etag(&with("*"), "\"abc\""));
        assert!(!matches_etag(&with("\"abd\""), "\"abc\""));
        assert!(!matches_etag(&HeaderMap::new(), "\"abc\""));
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
