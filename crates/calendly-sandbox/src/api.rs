//! Calendly's REST surface: users, event types, scheduled events, invitees, no-shows and webhook
//! subscriptions, behind one gate that applies latency, fault injection, authentication and the
//! per-token rate limit (with its headers on every answer) exactly once per request.

use super::ids::{format_ts, last_segment, parse_ts, random_hex, uuid_v4, API_ROOT};
use super::limits::{EndpointKind, RateInfo};
use super::model::*;
use super::pagination::{self, Cursor, PageSlice};
use super::tokens::AuthFailure;
use super::world::SubscriptionRecord;
use super::{control, delivery, lock, oauth, Inner, Sandbox, SandboxError};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::Instant;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

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

pub(crate) fn router(sb: Sandbox) -> Router {
    let api = Router::new()
        .route("/users/me", get(users_me))
        .route("/users/{uuid}", get(get_user))
        .route("/event_types", get(list_event_types))
        .route("/event_types/{uuid}", get(get_event_type))
        .route("/scheduled_events", get(list_events))
        .route("/scheduled_events/{uuid}", get(get_event))
        .route("/scheduled_events/{uuid}/cancellation", post(cancel_event))
        .route("/scheduled_events/{uuid}/invitees", get(list_invitees))
        .route(
            "/scheduled_events/{uuid}/invitees/{invitee}",
            get(get_invitee),
        )
        .route("/invitee_no_shows", post(create_no_show))
        .route(
            "/invitee_no_shows/{uuid}",
            get(get_no_show).delete(delete_no_show),
        )
        .route(
            "/webhook_subscriptions",
            get(list_subscriptions).post(create_subscription),
        )
        .route(
            "/webhook_subscriptions/{uuid}",
            get(get_subscription).delete(delete_subscription),
        )
        .route_layer(middleware::from_fn_with_state(sb.clone(), gate));
    Router::new()
        .merge(api)
        .merge(oauth::routes(sb.clone()))
        .merge(control::routes(sb.clone()))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(sb.clone(), path_fault))
        .layer(RequestBodyLimitLayer::new(1 << 20))
        .layer(TraceLayer::new_for_http())
        .with_state(sb)
}

// ---------------------------------------------------------------------------------------------
// Errors and query parameters

/// One entry of an error's `details`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Detail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    pub message: String,
}

pub(crate) fn detail(parameter: &str, message: impl Into<String>) -> Detail {
    Detail {
        parameter: Some(parameter.to_string()),
        message: message.into(),
    }
}

/// Calendly's error body `{title, message, details?}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub details: Vec<Detail>,
}

impl ApiError {
    pub fn invalid(details: Vec<Detail>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title: "Invalid Argument",
            message: "The supplied parameters are invalid.".into(),
            details,
        }
    }
    pub fn unauthenticated(message: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            title: "Unauthenticated",
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn forbidden(message: &str) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            title: "Permission Denied",
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn not_found() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            title: "Resource Not Found",
            message: "The server could not find the requested resource.".into(),
            details: Vec::new(),
        }
    }
    pub fn conflict(message: &str) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            title: "Already Exists",
            message: message.into(),
            details: Vec::new(),
        }
    }
    pub fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Internal Server Error",
            message: "The server encountered an unexpected condition that prevented it from fulfilling the request.".into(),
            details: Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"title": self.title, "message": self.message});
        if !self.details.is_empty() {
            body["details"] = json!(self.details);
        }
        (self.status, Json(body)).into_response()
    }
}

impl From<SandboxError> for ApiError {
    fn from(e: SandboxError) -> Self {
        match e {
            SandboxError::UnknownEvent(_)
            | SandboxError::UnknownInvitee(_)
            | SandboxError::UnknownEventType(_) => ApiError::not_found(),
            SandboxError::InvalidState(m) => ApiError::invalid(vec![Detail {
                parameter: None,
                message: m,
            }]),
            _ => ApiError::internal(),
        }
    }
}

/// Query or form pairs in order; the first occurrence of a name wins.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self::from_bytes(raw.unwrap_or("").as_bytes())
    }

    pub fn from_bytes(raw: &[u8]) -> Self {
        Params(url::form_urlencoded::parse(raw).into_owned().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_count(p: &Params, d: &mut Vec<Detail>) -> usize {
    match p.get("count") {
        None => 20,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                d.push(detail("count", "must be an integer between 1 and 100"));
                20
            }
        },
    }
}

fn parse_status(p: &Params, d: &mut Vec<Detail>) -> Option<Status> {
    match p.get("status") {
        None => None,
        Some("active") => Some(Status::Active),
        Some("canceled") => Some(Status::Canceled),
        Some(_) => {
            d.push(detail("status", "must be one of: active, canceled"));
            None
        }
    }
}

fn parse_time(p: &Params, name: &str, d: &mut Vec<Detail>) -> Option<DateTime<Utc>> {
    let raw = p.get(name)?;
    let t = parse_ts(raw);
    if t.is_none() {
        d.push(detail(
            name,
            "must be an ISO-8601 timestamp, e.g. 2020-01-02T03:04:05.678123Z",
        ));
    }
    t
}

/// `field:asc|desc`; `None` after recording a detail when the value is not allowed.
fn parse_sort(p: &Params, field: &str, d: &mut Vec<Detail>) -> bool {
    match p.get("sort") {
        None => false,
        Some(s) if s == format!("{field}:asc") => false,
        Some(s) if s == format!("{field}:desc") => true,
        Some(_) => {
            d.push(detail(
                "sort",
                format!("must be {field}:asc or {field}:desc"),
            ));
            false
        }
    }
}

fn parse_cursor(inner: &Inner, p: &Params, list: &str, d: &mut Vec<Detail>) -> Option<Cursor> {
    let token = p.get("page_token")?;
    let c = pagination::decode(&inner.cursor_key, list, token);
    if c.is_none() {
        d.push(detail("page_token", "is invalid"));
    }
    c
}

fn page_block(inner: &Inner, path: &str, p: &Params, list: &str, s: &PageSlice) -> Pagination {
    let token = |c: &Option<Cursor>| {
        c.as_ref()
            .map(|c| pagination::encode(&inner.cursor_key, list, c))
    };
    let next_token = token(&s.next);
    let prev_token = token(&s.prev);
    let url = |t: &Option<String>| {
        t.as_ref().map(|t| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in p.0.iter().filter(|(k, _)| k != "page_token") {
                q.append_pair(k, v);
            }
            q.append_pair("page_token", t);
            format!("{}{}?{}", inner.base_url, path, q.finish())
        })
    };
    Pagination {
        count: s.range.len(),
        next_page: url(&next_token),
        previous_page: url(&prev_token),
        next_page_token: next_token,
        previous_page_token: prev_token,
    }
}

/// Where a list came from and which page of it was asked for.
struct PageRequest<'a> {
    path: &'a str,
    params: &'a Params,
    /// Names the list inside page tokens, so a token only works where it was issued.
    list: &'a str,
    desc: bool,
    cursor: Option<Cursor>,
    count: usize,
}

/// Sorts `items` by their key in display order and cuts the requested page out of them.
fn paginate<T: Clone + Serialize>(
    inner: &Inner,
    req: &PageRequest<'_>,
    mut items: Vec<(String, T)>,
) -> Collection<T> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    if req.desc {
        items.reverse();
    }
    let keys: Vec<String> = items.iter().map(|(k, _)| k.clone()).collect();
    let s = pagination::slice(&keys, req.desc, req.cursor.as_ref(), req.count);
    let pagination = page_block(inner, req.path, req.params, req.list, &s);
    let collection = items
        .into_iter()
        .skip(s.range.start)
        .take(s.range.len())
        .map(|(_, v)| v)
        .collect();
    Collection {
        collection,
        pagination,
    }
}

// ---------------------------------------------------------------------------------------------
// The gate

/// The authenticated caller, put in request extensions by [`gate`].
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub user_uri: String,
    /// `None`: a PAT or a legacy `default` token with every scope.
    pub scopes: Option<Vec<String>>,
}

impl Caller {
    /// `:write` implies `:read`, as Calendly's scopes do.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        let Some(scopes) = &self.scopes else {
            return Ok(());
        };
        let write = scope.replace(":read", ":write");
        if scopes.iter().any(|s| s == scope || *s == write) {
            Ok(())
        } else {
            Err(ApiError::forbidden(&format!(
                "This access token does not have the required scope: {scope}"
            )))
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn authenticate(inner: &Inner, token: Option<&str>) -> Result<Caller, AuthFailure> {
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or(AuthFailure::Invalid)?;
    let now = inner.clock.now();
    let w = lock(&inner.world);
    if w.personal_access_tokens.iter().any(|p| p == token) {
        return Ok(Caller {
            user_uri: w.user.uri.clone(),
            scopes: None,
        });
    }
    let t = w.tokens.check_access(token, now)?;
    let scopes: Vec<String> = t.scope.split_whitespace().map(str::to_string).collect();
    let legacy = scopes.is_empty() || scopes.iter().any(|s| s == "default");
    Ok(Caller {
        user_uri: w.user.uri.clone(),
        scopes: (!legacy).then_some(scopes),
    })
}

fn with_rate_headers(mut resp: Response, info: RateInfo) -> Response {
    let h = resp.headers_mut();
    h.insert("X-RateLimit-Limit", HeaderValue::from(info.limit));
    h.insert("X-RateLimit-Remaining", HeaderValue::from(info.remaining));
    h.insert("X-RateLimit-Reset", HeaderValue::from(info.reset_secs));
    resp
}

fn too_many(info: RateInfo) -> Response {
    let info = RateInfo {
        remaining: 0,
        ..info
    };
    let body = json!({
        "title": "Too Many Requests",
        "message": format!(
            "You have exceeded the rate limit of {} requests per minute. Retry in {} seconds.",
            info.limit, info.reset_secs
        ),
    });
    let mut resp = with_rate_headers(
        (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response(),
        info,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(info.reset_secs));
    resp
}

enum Injected {
    ServerError,
    TooManyRequests,
}

async fn gate(State(sb): State<Sandbox>, mut req: Request, next: Next) -> Response {
    let inner = &sb.inner;
    lock(&inner.counts).count(EndpointKind::classify(req.uri().path()));
    let (latency, limit, injected) = {
        let mut k = lock(&inner.knobs);
        k.since_inject += 1;
        let injected = if k.inject_5xx > 0 {
            k.inject_5xx -= 1;
            Some(Injected::ServerError)
        } else {
            match k.inject_429_every {
                Some(n) if k.since_inject % u64::from(n) == 0 => Some(Injected::TooManyRequests),
                _ => None,
            }
        };
        (k.latency, k.rate_limit_per_minute, injected)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let token = bearer(req.headers());
    let bucket = token.clone().unwrap_or_default();
    let now = Instant::now();
    match injected {
        Some(Injected::ServerError) => {
            lock(&inner.counts).injected_5xx += 1;
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return with_rate_headers(ApiError::internal().into_response(), info);
        }
        Some(Injected::TooManyRequests) => {
            lock(&inner.counts).rate_limited += 1;
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return too_many(info);
        }
        None => {}
    }
    let caller = match authenticate(inner, token.as_deref()) {
        Ok(c) => c,
        Err(failure) => {
            lock(&inner.counts).unauthenticated += 1;
            let info = lock(&inner.limiter).peek(&bucket, limit, now);
            return with_rate_headers(
                ApiError::unauthenticated(failure.message()).into_response(),
                info,
            );
        }
    };
    let info = lock(&inner.limiter).take(&bucket, limit, now);
    if info.limited {
        lock(&inner.counts).rate_limited += 1;
        return too_many(info);
    }
    req.extensions_mut().insert(caller);
    with_rate_headers(next.run(req).await, info)
}

/// Answers with the first matching [`super::PathFault`], if any (API and OAuth paths alike).
async fn path_fault(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let fault = if path.starts_with("/_sandbox/") {
        None
    } else {
        let mut k = lock(&sb.inner.knobs);
        let hit = k.faults.iter().position(|f| {
            let (head, tail) = f.path.split_once('*').unwrap_or((&f.path, ""));
            let glob = f.path.contains('*');
            (if glob {
                path.len() >= head.len() + tail.len()
                    && path.starts_with(head)
                    && path.ends_with(tail)
            } else {
                path == f.path
            }) && f
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(req.method().as_str()))
                && f.times != Some(0)
        });
        hit.map(|i| {
            let f = &mut k.faults[i];
            if let Some(n) = f.times.as_mut() {
                *n -= 1;
            }
            f.clone()
        })
    };
    let Some(f) = fault else {
        return next.run(req).await;
    };
    if let Some(ms) = f.delay_ms {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
    if f.status == 0 {
        return next.run(req).await;
    }
    let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = status.canonical_reason().unwrap_or("Error");
    let path = req.uri().path();
    let body = f.body.clone().unwrap_or_else(
        || json!({"title": title, "message": format!("Injected {} for {path}.", f.status)}),
    );
    let mut resp = (status, Json(body)).into_response();
    if let Some(s) = f.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    if let Some(s) = f.ratelimit_reset {
        resp.headers_mut()
            .insert("X-RateLimit-Reset", HeaderValue::from(s));
    }
    resp
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

// ---------------------------------------------------------------------------------------------
// Users and event types

async fn users_me(
    State(sb): State<Sandbox>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require("users:read")?;
    let w = lock(&sb.inner.world);
    Ok(Json(json!({"resource": w.user})))
}

async fn get_user(
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

async fn list_event_types(
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

async fn get_event_type(
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

/// `user` must be the caller; `organization` must be theirs and, alone, needs an admin.
fn check_owner(
    w: &super::world::World,
    user: Option<&str>,
    org: Option<&str>,
) -> Result<(), ApiError> {
    const NO_PERMISSION: &str = "You do not have permission to access this resource.";
    if let Some(u) = user {
        if u != w.user.uri {
            return Err(ApiError::forbidden(NO_PERMISSION));
        }
    }
    if let Some(o) = org {
        if o != w.organization.uri {
            return Err(ApiError::forbidden(NO_PERMISSION));
        }
        if user.is_none() && !w.user_is_org_admin {
            return Err(ApiError::forbidden(NO_PERMISSION));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Scheduled events and invitees

fn event_key(e: &ScheduledEvent) -> String {
    format!("{}|{}", format_ts(&e.start_time), e.uri)
}

async fn list_events(
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

async fn get_event(
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

async fn list_invitees(
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

async fn get_invitee(
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

async fn cancel_event(
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

async fn create_no_show(
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

async fn get_no_show(
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

async fn delete_no_show(
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

// ---------------------------------------------------------------------------------------------
// Webhook subscriptions

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

async fn create_subscription(
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

async fn list_subscriptions(
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

async fn get_subscription(
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

async fn delete_subscription(
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
