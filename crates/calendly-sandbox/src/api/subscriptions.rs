//! Webhook subscriptions: create (with Calendly's validation), list, get, delete.

use super::gate::Caller;
use super::reply::*;
use crate::delivery;
use crate::ids::{format_ts, random_hex, uuid_v4, API_ROOT};
use crate::inner::Sandbox;
use crate::locking::lock;
use crate::model::*;
use crate::params::Params;
use crate::world::SubscriptionRecord;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

/// Event names a subscription may ask for (Calendly's documented set).
const KNOWN_EVENTS: &[&str] = &[
    "invitee.created",
    "invitee.canceled",
    "invitee_no_show.created",
    "invitee_no_show.deleted",
    "routing_form_submission.created",
    "event_type.created",
    "event_type.updated",
    "event_type.deleted",
];

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub(super) async fn create_subscription(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require("webhooks:write")?;
    let inner = &sb.inner;
    let v: Value = serde_json::from_slice(&body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| {
            ApiError::invalid(vec![Detail {
                parameter: None,
                message: "The request body must be a JSON object.".into(),
            }])
        })?;
    let mut d = Vec::new();
    let callback = str_field(&v, "url");
    match callback.map(url::Url::parse) {
        None => d.push(detail("url", "is required")),
        Some(Ok(u)) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        Some(_) => d.push(detail("url", "must be a valid http or https URL")),
    }
    let events: Vec<String> = match v.get("events").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => {
            d.push(detail("events", "must be a non-empty array of event names"));
            Vec::new()
        }
    };
    for e in &events {
        if !KNOWN_EVENTS.contains(&e.as_str()) {
            d.push(detail("events", format!("{e} is not a valid event")));
        }
    }
    let organization = str_field(&v, "organization");
    if organization.is_none() {
        d.push(detail("organization", "is required"));
    }
    let scope = str_field(&v, "scope");
    match scope {
        Some("organization" | "user" | "group") => {}
        Some(_) => d.push(detail("scope", "must be one of: organization, user, group")),
        None => d.push(detail("scope", "is required")),
    }
    let user = str_field(&v, "user");
    if scope == Some("user") && user.is_none() {
        d.push(detail("user", "is required when scope is user"));
    }
    if scope == Some("group") && str_field(&v, "group").is_none() {
        d.push(detail("group", "is required when scope is group"));
    }
    if scope != Some("organization")
        && events
            .iter()
            .any(|e| e == "routing_form_submission.created")
    {
        d.push(detail(
            "events",
            "routing_form_submission.created is only available with organization scope",
        ));
    }
    let signing_key = match v.get("signing_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => {
            d.push(detail("signing_key", "must be a non-empty string"));
            None
        }
    };
    if !d.is_empty() {
        return Err(ApiError::invalid(d));
    }
    if !lock(&inner.knobs).webhooks_allowed {
        return Err(ApiError::forbidden(
            "Please upgrade your Calendly account to Standard",
        ));
    }
    let (callback, organization, scope) = match (callback, organization, scope) {
        (Some(c), Some(o), Some(s)) => (c.to_string(), o.to_string(), s.to_string()),
        _ => return Err(ApiError::invalid(Vec::new())),
    };
    let now = inner.clock.now();
    let mut w = lock(&inner.world);
    if organization != w.organization.uri {
        return Err(ApiError::forbidden(
            "You do not have permission to access this resource.",
        ));
    }
    let owner = match scope.as_str() {
        "user" => {
            if user != Some(caller.user_uri.as_str()) {
                return Err(ApiError::forbidden(
                    "You do not have permission to access this resource.",
                ));
            }
            Some(caller.user_uri.clone())
        }
        "organization" => {
            if !w.user_is_org_admin {
                return Err(ApiError::forbidden(
                    "You do not have permission to perform this action.",
                ));
            }
            None
        }
        _ => return Err(ApiError::not_found()),
    };
    if w.subscriptions
        .iter()
        .any(|s| s.resource.callback_url == callback && s.resource.user == owner)
    {
        return Err(ApiError::conflict("Hook with this url already exists"));
    }
    let uri = format!("{API_ROOT}/webhook_subscriptions/{}", uuid_v4(&mut w.rng));
    let resource = WebhookSubscription {
        uri: uri.clone(),
        callback_url: callback,
        created_at: now,
        updated_at: now,
        retry_started_at: None,
        state: SubscriptionState::Active,
        events,
        scope,
        organization,
        user: owner,
        group: None,
        creator: Some(caller.user_uri.clone()),
    };
    // Like Calendly: without a key of the caller's choosing, one exists that they never learn.
    let signing_key = signing_key.unwrap_or_else(|| random_hex(&mut rand::rng(), 32));
    w.subscriptions.push(SubscriptionRecord {
        resource: resource.clone(),
        signing_key,
    });
    inner.save(&w);
    // Started under the world lock so no mutation can slip between creation and its outbox.
    delivery::spawn_outbox(inner, &uri);
    drop(w);
    let mut resp = (StatusCode::CREATED, Json(json!({"resource": resource}))).into_response();
    if let Ok(location) = HeaderValue::from_str(&uri) {
        resp.headers_mut().insert(header::LOCATION, location);
    }
    Ok(resp)
}

pub(super) async fn list_subscriptions(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Result<Json<Collection<WebhookSubscription>>, ApiError> {
    caller.require("webhooks:read")?;
    let inner = &sb.inner;
    let p = Params::parse(q.as_deref());
    let mut d = Vec::new();
    let count = parse_count(&p, &mut d);
    let desc = parse_sort(&p, "created_at", &mut d);
    let cursor = parse_cursor(inner, &p, "webhook_subscriptions", &mut d);
    let organization = p.get("organization");
    if organization.is_none() {
        d.push(detail("organization", "is required"));
    }
    let scope = p.get("scope");
    match scope {
        Some("organization" | "user" | "group") => {}
        Some(_) => d.push(detail("scope", "must be one of: organization, user, group")),
        None => d.push(detail("scope", "is required")),
    }
    let user = p.get("user");
    if scope == Some("user") && user.is_none() {
        d.push(detail("user", "is required when scope is user"));
    }
    if scope == Some("group") && p.get("group").is_none() {
        d.push(detail("group", "is required when scope is group"));
    }
    if !d.is_empty() {
        return Err(ApiError::invalid(d));
    }
    let w = lock(&inner.world);
    if scope == Some("group") {
        return Err(ApiError::not_found());
    }
    check_owner(
        &w,
        if scope == Some("user") { user } else { None },
        organization,
    )?;
    let items = w
        .subscriptions
        .iter()
        .map(|s| &s.resource)
        .filter(|s| {
            Some(s.organization.as_str()) == organization && Some(s.scope.as_str()) == scope
        })
        .filter(|s| scope != Some("user") || s.user.as_deref() == user)
        .map(|s| (format!("{}|{}", format_ts(&s.created_at), s.uri), s.clone()))
        .collect();
    let req = PageRequest {
        path: "/webhook_subscriptions",
        params: &p,
        list: "webhook_subscriptions",
        desc,
        cursor,
        count,
    };
    Ok(Json(paginate(inner, &req, items)))
}

pub(super) async fn get_subscription(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require("webhooks:read")?;
    let w = lock(&sb.inner.world);
    let s = w
        .subscription(&format!("{API_ROOT}/webhook_subscriptions/{uuid}"))
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(json!({"resource": s.resource})))
}

pub(super) async fn delete_subscription(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
    Path(uuid): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require("webhooks:write")?;
    let inner = &sb.inner;
    let uri = format!("{API_ROOT}/webhook_subscriptions/{uuid}");
    {
        let mut w = lock(&inner.world);
        let before = w.subscriptions.len();
        w.subscriptions.retain(|s| s.resource.uri != uri);
        if w.subscriptions.len() == before {
            return Err(ApiError::not_found());
        }
        inner.save(&w);
    }
    delivery::close_outbox(inner, &uri);
    Ok(StatusCode::NO_CONTENT)
}
