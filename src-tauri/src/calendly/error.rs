//! Calendly's errors as typed errors: `{title, message, details}` bodies, 401, 403, 404, 409,
//! 429 and 5xx, and transport failures, each with a sentence that says what to do.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde::Deserialize;
use thiserror::Error;

use crate::oauth::OAuthError;

/// The longest wait honoured from `Retry-After` / `X-RateLimit-Reset`.
const MAX_WAIT: Duration = Duration::from_secs(65);

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("Calendly rejected the token ({message}). Reconnect Calendly")]
    Unauthenticated { message: String },
    #[error("Calendly refused access (403): {message}. Check the Calendly account's permissions, then try again")]
    PermissionDenied { message: String },
    #[error("Calendly answered 404 (not found): {message}. Check the Calendly API address, then try again")]
    NotFound { message: String },
    #[error("already exists at Calendly: {message}")]
    AlreadyExists { message: String },
    #[error("Calendly rejected the request: {message}{details}")]
    InvalidArgument { message: String, details: String },
    #[error("Calendly's rate limit was reached; try again in {} s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    #[error("Calendly had a server error ({status}): {message}; the problem is on Calendly's side: try again later (a running Slotline retries by itself)")]
    Server { status: u16, message: String },
    #[error("Calendly answered {status}: {message}")]
    Other { status: u16, message: String },
    /// No answer: the connection failed, or (`timeout_secs`) Calendly did not answer in time.
    #[error("{}", network_message(.url, .reason, *.timeout_secs))]
    Network {
        url: String,
        reason: String,
        timeout_secs: Option<u64>,
    },
    #[error("Calendly sent a response Slotline could not read: {0}")]
    Decode(String),
    #[error("Calendly no longer accepts Slotline's authorization ({0}). Reconnect Calendly")]
    Reconnect(String),
    #[error("could not refresh the Calendly sign-in ({0}). Slotline keeps the stored sign-in and tries again on the next request; reconnect Calendly if this keeps happening")]
    Auth(String),
}

fn network_message(url: &str, reason: &str, timeout_secs: Option<u64>) -> String {
    match timeout_secs {
        Some(secs) => format!(
            "Calendly did not answer within {secs} s ({url}). Check the network, then try again; \
             a slow connection can be given more time with SLOTLINE_HTTP_TIMEOUT_SECS"
        ),
        None => format!(
            "could not reach Calendly ({url}): {reason}. Check the network; Slotline will try again"
        ),
    }
}

impl From<OAuthError> for ApiError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::InvalidGrant(m) => ApiError::Reconnect(m),
            other => ApiError::Auth(other.to_string()),
        }
    }
}

impl ApiError {
    /// Calendly did not answer within the request timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            ApiError::Network {
                timeout_secs: Some(_),
                ..
            }
        )
    }

    /// What Calendly answered, as a clause without advice, for callers that say themselves
    /// what happens next (disconnect's warnings).
    pub fn answer(&self) -> String {
        match self {
            ApiError::Unauthenticated { message } => {
                format!("Calendly rejected the token (401: {message})")
            }
            ApiError::PermissionDenied { message } => {
                format!("Calendly refused access (403: {message})")
            }
            ApiError::NotFound { message } => format!("Calendly answered 404 ({message})"),
            ApiError::RateLimited { .. } => {
                "Calendly's rate limit was still reached after retrying (429)".into()
            }
            ApiError::Server { status, message } => {
                format!("Calendly had a server error ({status}: {message}), also after retrying")
            }
            ApiError::Network {
                timeout_secs: Some(secs),
                ..
            } => format!("Calendly did not answer within {secs} s"),
            ApiError::Network { url, reason, .. } => {
                format!("Calendly could not be reached ({url}: {reason})")
            }
            ApiError::Reconnect(m) => format!("Calendly no longer accepts the sign-in ({m})"),
            ApiError::Auth(m) => format!("the sign-in could not be refreshed ({m})"),
            other => other.to_string(),
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Unauthenticated { .. } => Some(401),
            ApiError::PermissionDenied { .. } => Some(403),
            ApiError::NotFound { .. } => Some(404),
            ApiError::AlreadyExists { .. } => Some(409),
            ApiError::InvalidArgument { .. } => Some(400),
            ApiError::RateLimited { .. } => Some(429),
            ApiError::Server { status, .. } | ApiError::Other { status, .. } => Some(*status),
            ApiError::Network { .. }
            | ApiError::Decode(_)
            | ApiError::Reconnect(_)
            | ApiError::Auth(_) => None,
        }
    }
}

#[derive(Debug, Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    details: Option<Vec<ErrorDetail>>,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    parameter: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

pub(super) async fn error_of(resp: Response) -> ApiError {
    let status = resp.status();
    let header_secs = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let retry_after = header_secs("retry-after")
        .or_else(|| header_secs("x-ratelimit-reset"))
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(1))
        .min(MAX_WAIT);
    let body: ErrorBody = resp.json().await.unwrap_or_default();
    // Calendly's messages end in a full stop; ours continue the sentence.
    let message = body
        .message
        .or(body.title)
        .map(|m| m.trim().trim_end_matches('.').to_string())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    match status {
        StatusCode::UNAUTHORIZED => ApiError::Unauthenticated { message },
        StatusCode::FORBIDDEN => ApiError::PermissionDenied { message },
        StatusCode::NOT_FOUND => ApiError::NotFound { message },
        StatusCode::CONFLICT => ApiError::AlreadyExists { message },
        StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited { retry_after },
        StatusCode::BAD_REQUEST => ApiError::InvalidArgument {
            message,
            details: body
                .details
                .unwrap_or_default()
                .iter()
                .map(|d| {
                    format!(
                        " ({}: {})",
                        d.parameter.as_deref().unwrap_or("?"),
                        d.message.as_deref().unwrap_or("")
                    )
                })
                .collect(),
        },
        s if s.is_server_error() => ApiError::Server {
            status: s.as_u16(),
            message,
        },
        s => ApiError::Other {
            status: s.as_u16(),
            message,
        },
    }
}
