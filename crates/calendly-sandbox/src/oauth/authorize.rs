//! The authorization endpoint: a real consent page, and codes bound to the redirect URI and a
//! PKCE S256 challenge.

use super::reply::*;
use crate::inner::{Inner, Sandbox};
use crate::locking::lock;
use crate::params::Params;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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

pub(super) async fn authorize(State(sb): State<Sandbox>, RawQuery(q): RawQuery) -> Response {
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

pub(super) async fn decision(State(sb): State<Sandbox>, body: Bytes) -> Response {
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
