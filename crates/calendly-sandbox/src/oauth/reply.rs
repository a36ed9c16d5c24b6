//! The OAuth server's answers: RFC 6749 errors, the consent and error pages, Calendly's scopes.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Scopes Calendly documents, with what the consent page says about each.
pub(super) const SCOPES: &[(&str, &str)] = &[
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

pub(super) const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";

/// An RFC 6749 error answer `{error, error_description}`.
pub(super) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// 401 `invalid_client` tells the client how to authenticate.
    pub basic_challenge: bool,
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

pub(super) fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    OAuthError {
        status,
        error,
        description: description.to_string(),
        basic_challenge: false,
    }
    .into_response()
}

pub(super) fn no_store(resp: &mut Response) {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

pub(super) fn html_escape(s: &str) -> String {
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

pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
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

pub(super) fn error_page(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Authorization error",
        &format!(
            "<h1>This authorization request is invalid</h1><p>{}</p>",
            html_escape(message)
        ),
    )
}
