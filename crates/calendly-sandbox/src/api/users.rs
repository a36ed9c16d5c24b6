//! Users and event types.

use super::gate::Caller;
use super::reply::*;
use crate::ids::{last_segment, API_ROOT};
use crate::inner::Sandbox;
use crate::locking::lock;
use crate::model::*;
use crate::params::Params;
use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde_json::{json, Value};

pub(super) async fn users_me(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require("users:read")?;
    let w = lock(&sb.inner.world);
    Ok(Json(json!({"resource": w.user})))
}

pub(super) async fn get_user(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("users:read")?;
    let w = lock(&sb.inner.world);
    if last_segment(&w.user.uri) != uuid {
        return Err(ApiError::not_found());
    }
    Ok(Json(json!({"resource": w.user})))
}

pub(super) async fn list_event_types(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<Collection<EventType>>, ApiError> {
    caller.require("event_types:read")?;
    let inner = &sb.inner;
    let p = Params::parse(q.as_deref());
    let mut d = Vec::new();
    let count = parse_count(&p, &mut d);
    let cursor = parse_cursor(inner, &p, "event_types", &mut d);
    let (user, org) = (p.get("user"), p.get("organization"));
    if user.is_none() && org.is_none() {
        d.push(detail("user", "one of user or organization is required"));
    }
    if !d.is_empty() {
        return Err(ApiError::invalid(d));
    }
    let w = lock(&inner.world);
    check_owner(&w, user, org)?;
    let items = w
        .event_types
        .iter()
        .map(|t| (format!("{:05}|{}", t.position, t.uri), t.clone()))
        .collect();
    let req = PageRequest {
        path: "/event_types",
        params: &p,
        list: "event_types",
        desc: false,
        cursor,
        count,
    };
    Ok(Json(paginate(inner, &req, items)))
}

pub(super) async fn get_event_type(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("event_types:read")?;
    let w = lock(&sb.inner.world);
    let uri = format!("{API_ROOT}/event_types/{uuid}");
    let et = w
        .event_types
        .iter()
        .find(|t| t.uri == uri)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({"resource": et})))
}
