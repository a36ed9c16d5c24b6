//! Calendly's OAuth 2.0 server as the sandbox plays it: a real consent page, authorization codes
//! bound to the redirect URI and a PKCE S256 challenge, a form-encoded token endpoint with
//! refresh-token rotation and Calendly's 8-per-minute limit, revocation and introspection.

mod authorize;
mod reply;
mod token;

use crate::inner::Sandbox;
use crate::limits::EndpointKind;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub(crate) fn routes(sb: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/oauth/authorize", get(authorize::authorize))
        .route("/oauth/authorize/decision", post(authorize::decision))
        .route("/oauth/token", post(token::token))
        .route("/oauth/revoke", post(token::revoke))
        .route("/oauth/introspect", post(token::introspect))
        .route(
            "/.well-known/oauth-authorization-server",
            get(token::metadata),
        )
        .route_layer(middleware::from_fn_with_state(sb, oauth_gate))
}

/// Counts the request and applies the configured latency, like the API gate (no bearer auth here).
async fn oauth_gate(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    sb.inner
        .count(|c| c.count(EndpointKind::classify(req.uri().path())));
    #[cfg(any(test, feature = "control"))]
    crate::control::latency(&sb.inner).await;
    next.run(req).await
}
