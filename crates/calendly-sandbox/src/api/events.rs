//! Scheduled events, their invitees, cancellations and no-shows.

use super::gate::Caller;
use super::reply::*;
use crate::ids::{format_ts, API_ROOT};
use crate::inner::Sandbox;
use crate::locking::lock;
use crate::model::*;
use crate::params::Params;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

fn event_key(e: &ScheduledEvent) -> String {
    format!("{}|{}", format_ts(&e.start_time), e.uri)
}

pub(super) async fn list_events(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<Collection<ScheduledEvent>>, ApiError> {
    caller.require("scheduled_events:read")?;
    let inner = &sb.inner;
    let p = Params::parse(q.as_deref());
    let mut d = Vec::new();
    let count = parse_count(&p, &mut d);
    let desc = parse_sort(&p, "start_time", &mut d);
    let status = parse_status(&p, &mut d);
    let min = parse_time(&p, "min_start_time", &mut d);
    let max = parse_time(&p, "max_start_time", &mut d);
    let cursor = parse_cursor(inner, &p, "scheduled_events", &mut d);
    let (user, org, group) = (p.get("user"), p.get("organization"), p.get("group"));
    if user.is_none() && org.is_none() && group.is_none() {
        d.push(detail(
            "organization",
            "one of user, organization or group is required",
        ));
    }
    if !d.is_empty() {
        return Err(ApiError::invalid(d));
    }
    let w = lock(&inner.world);
    if group.is_some() {
        if org.is_none() {
            return Err(ApiError::forbidden(
                "Please also specify organization when requesting events for a group.",
            ));
        }
        return Err(ApiError::not_found());
    }
    check_owner(&w, user, org)?;
    let email = p.get("invitee_email");
    let items = w
        .events
        .iter()
        .filter(|e| status.is_none_or(|s| e.status == s))
        .filter(|e| min.is_none_or(|m| e.start_time >= m))
        .filter(|e| max.is_none_or(|m| e.start_time < m))
        .filter(|e| {
            email.is_none_or(|m| {
                w.invitees_of(&e.uri)
                    .any(|i| i.email.eq_ignore_ascii_case(m))
            })
        })
        .map(|e| (event_key(e), e.clone()))
        .collect();
    let req = PageRequest {
        path: "/scheduled_events",
        params: &p,
        list: "scheduled_events",
        desc,
        cursor,
        count,
    };
    Ok(Json(paginate(inner, &req, items)))
}

pub(super) async fn get_event(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("scheduled_events:read")?;
    let w = lock(&sb.inner.world);
    let e = w
        .event(&format!("{API_ROOT}/scheduled_events/{uuid}"))
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({"resource": e})))
}

pub(super) async fn list_invitees(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Json<Collection<Invitee>>, ApiError> {
    caller.require("scheduled_events:read")?;
    let inner = &sb.inner;
    let event_uri = format!("{API_ROOT}/scheduled_events/{uuid}");
    let p = Params::parse(q.as_deref());
    let mut d = Vec::new();
    let count = parse_count(&p, &mut d);
    let desc = parse_sort(&p, "created_at", &mut d);
    let status = parse_status(&p, &mut d);
    let list = format!("invitees:{uuid}");
    let cursor = parse_cursor(inner, &p, &list, &mut d);
    let w = lock(&inner.world);
    if w.event(&event_uri).is_none() {
        return Err(ApiError::not_found());
    }
    if !d.is_empty() {
        return Err(ApiError::invalid(d));
    }
    let email = p.get("email");
    let items = w
        .invitees_of(&event_uri)
        .filter(|i| status.is_none_or(|s| i.status == s))
        .filter(|i| email.is_none_or(|m| i.email.eq_ignore_ascii_case(m)))
        .map(|i| (format!("{}|{}", format_ts(&i.created_at), i.uri), i.clone()))
        .collect();
    let path = format!("/scheduled_events/{uuid}/invitees");
    let req = PageRequest {
        path: &path,
        params: &p,
        list: &list,
        desc,
        cursor,
        count,
    };
    Ok(Json(paginate(inner, &req, items)))
}

pub(super) async fn get_invitee(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path((uuid, invitee)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require("scheduled_events:read")?;
    let w = lock(&sb.inner.world);
    let i = w
        .invitee(&format!(
            "{API_ROOT}/scheduled_events/{uuid}/invitees/{invitee}"
        ))
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({"resource": i})))
}

pub(super) async fn cancel_event(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require("scheduled_events:write")?;
    let reason = if body.is_empty() {
        None
    } else {
        let v: Value = serde_json::from_slice(&body).map_err(|_| {
            ApiError::invalid(vec![detail("reason", "the body must be a JSON object")])
        })?;
        match v.get("reason") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() <= 10_000 => Some(s.clone()),
            Some(_) => {
                return Err(ApiError::invalid(vec![detail(
                    "reason",
                    "must be a string of at most 10000 characters",
                )]))
            }
        }
    };
    let uri = format!("{API_ROOT}/scheduled_events/{uuid}");
    {
        let w = lock(&sb.inner.world);
        let e = w.event(&uri).ok_or_else(ApiError::not_found)?;
        if e.status == Status::Canceled {
            return Err(ApiError::forbidden("Event is already canceled"));
        }
        if e.end_time <= sb.inner.clock.now() {
            return Err(ApiError::forbidden("Event in the past"));
        }
    }
    let c = sb.cancel_event(&uri, reason.as_deref())?;
    Ok((StatusCode::CREATED, Json(json!({"resource": c}))).into_response())
}

pub(super) async fn create_no_show(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require("scheduled_events:write")?;
    let v: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::invalid(vec![detail("invitee", "is required")]))?;
    let Some(invitee) = v.get("invitee").and_then(Value::as_str) else {
        return Err(ApiError::invalid(vec![detail("invitee", "is required")]));
    };
    let record = sb.inner.mutate(|w, now| w.mark_no_show(invitee, now))?;
    Ok((StatusCode::CREATED, Json(json!({"resource": record}))).into_response())
}

pub(super) async fn get_no_show(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("scheduled_events:read")?;
    let w = lock(&sb.inner.world);
    let uri = format!("{API_ROOT}/invitee_no_shows/{uuid}");
    let n = w
        .no_shows
        .iter()
        .find(|n| n.uri == uri)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({"resource": n})))
}

pub(super) async fn delete_no_show(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("scheduled_events:write")?;
    let uri = format!("{API_ROOT}/invitee_no_shows/{uuid}");
    let invitee = {
        let w = lock(&sb.inner.world);
        w.no_shows
            .iter()
            .find(|n| n.uri == uri)
            .map(|n| n.invitee.clone())
            .ok_or_else(ApiError::not_found)?
    };
    sb.clear_no_show(&invitee)?;
    Ok(StatusCode::NO_CONTENT)
}
