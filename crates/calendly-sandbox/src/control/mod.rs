//! Loopback-only `/_sandbox/*` endpoints, so out-of-process tests (and the app's e2e suite) can read
//! the truth and make things happen in the sandbox without any Calendly credentials.

mod faults;
mod observe;

pub(crate) use faults::{injected, latency, path_fault, Injected};
pub use observe::SandboxState;

use crate::error::SandboxError;
use crate::inner::Sandbox;
use crate::settings::SettingsPatch;
use crate::world::{BookingSpec, RoutingSpec};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;

pub(crate) fn routes(sb: Sandbox) -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/deliveries", get(deliveries))
        .route("/_sandbox/book", post(book))
        .route("/_sandbox/cancel", post(cancel))
        .route("/_sandbox/cancel_event", post(cancel_event))
        .route("/_sandbox/reschedule", post(reschedule))
        .route("/_sandbox/no_show", post(no_show).delete(clear_no_show))
        .route(
            "/_sandbox/routing_form_submission",
            post(routing_form_submission),
        )
        .route("/_sandbox/pause_webhooks", post(pause_webhooks))
        .route(
            "/_sandbox/disable_subscriptions",
            post(disable_subscriptions),
        )
        .route("/_sandbox/config", post(config))
        .route_layer(middleware::from_fn_with_state(sb, loopback_only))
}

fn error(status: StatusCode, title: &str, message: &str) -> Response {
    (status, Json(json!({"title": title, "message": message}))).into_response()
}

/// The control surface needs no token, so it must never answer anyone but this machine.
async fn loopback_only(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    if !peer.ip().is_loopback() {
        return error(
            StatusCode::FORBIDDEN,
            "Permission Denied",
            "Control endpoints answer loopback clients only.",
        );
    }
    next.run(req).await
}

enum ControlError {
    Sandbox(SandboxError),
    BadRequest(String),
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let e = match self {
            ControlError::BadRequest(m) => {
                return error(StatusCode::BAD_REQUEST, "Invalid Argument", &m)
            }
            ControlError::Sandbox(e) => e,
        };
        let status = match e {
            SandboxError::UnknownEvent(_)
            | SandboxError::UnknownInvitee(_)
            | SandboxError::UnknownEventType(_) => StatusCode::NOT_FOUND,
            SandboxError::InvalidState(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error(status, "Sandbox Error", &e.to_string())
    }
}

impl From<SandboxError> for ControlError {
    fn from(e: SandboxError) -> Self {
        ControlError::Sandbox(e)
    }
}

/// Parses a JSON body; an empty body means "all defaults" where the type allows it.
fn parse<T: DeserializeOwned>(body: &Bytes, empty: &str) -> Result<T, ControlError> {
    let raw: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        empty.as_bytes()
    } else {
        body
    };
    serde_json::from_slice(raw).map_err(|e| ControlError::BadRequest(e.to_string()))
}

async fn state(State(sb): State<Sandbox>) -> Response {
    Json(sb.snapshot()).into_response()
}

async fn requests(State(sb): State<Sandbox>) -> Response {
    Json(sb.request_counts()).into_response()
}

async fn deliveries(State(sb): State<Sandbox>) -> Response {
    Json(sb.deliveries()).into_response()
}

async fn book(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let spec: BookingSpec = parse(&body, "{}")?;
    let ids = sb.book(spec)?;
    Ok((StatusCode::CREATED, Json(ids)).into_response())
}

async fn routing_form_submission(
    State(sb): State<Sandbox>,
    body: Bytes,
) -> Result<Response, ControlError> {
    let spec: RoutingSpec = parse(&body, "{}")?;
    let uri = sb.submit_routing_form(&spec)?;
    Ok((StatusCode::CREATED, Json(json!({ "uri": uri }))).into_response())
}

#[derive(Deserialize)]
struct CancelBody {
    invitee_uri: String,
    #[serde(default)]
    by_host: bool,
    #[serde(default)]
    reason: Option<String>,
}

async fn cancel(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: CancelBody = parse(&body, "")?;
    sb.cancel(&b.invitee_uri, b.by_host, b.reason.as_deref())?;
    Ok(Json(json!({})).into_response())
}

#[derive(Deserialize)]
struct CancelEventBody {
    event_uri: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn cancel_event(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: CancelEventBody = parse(&body, "")?;
    let c = sb.cancel_event(&b.event_uri, b.reason.as_deref())?;
    Ok(Json(json!({"cancellation": c})).into_response())
}

#[derive(Deserialize)]
struct RescheduleBody {
    invitee_uri: String,
    new_start: DateTime<Utc>,
}

async fn reschedule(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: RescheduleBody = parse(&body, "")?;
    let new_uri = sb.reschedule(&b.invitee_uri, b.new_start)?;
    Ok(Json(json!({"invitee_uri": new_uri})).into_response())
}

#[derive(Deserialize)]
struct InviteeBody {
    invitee_uri: String,
}

async fn no_show(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: InviteeBody = parse(&body, "")?;
    sb.mark_no_show(&b.invitee_uri)?;
    Ok(Json(json!({})).into_response())
}

async fn clear_no_show(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: InviteeBody = parse(&body, "")?;
    sb.clear_no_show(&b.invitee_uri)?;
    Ok(Json(json!({})).into_response())
}

#[derive(Deserialize)]
struct PauseBody {
    paused: bool,
}

async fn pause_webhooks(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let b: PauseBody = parse(&body, "")?;
    sb.set_webhooks_paused(b.paused);
    Ok(Json(json!({"paused": b.paused})).into_response())
}

async fn disable_subscriptions(State(sb): State<Sandbox>) -> Response {
    sb.disable_subscriptions();
    Json(json!({})).into_response()
}

async fn config(State(sb): State<Sandbox>, body: Bytes) -> Result<Response, ControlError> {
    let patch: SettingsPatch = parse(&body, "{}")?;
    sb.update_settings(&patch);
    Ok(Json(json!({})).into_response())
}
