//! Calendly's error bodies, query parameter parsing and paginated answers, shared by every
//! API handler.

use crate::error::SandboxError;
use crate::ids::parse_ts;
use crate::inner::Inner;
use crate::model::*;
use crate::pagination::{self, Cursor, PageSlice};
use crate::params::Params;
use crate::world::World;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

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

pub(crate) fn parse_count(p: &Params, d: &mut Vec<Detail>) -> usize {
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

pub(crate) fn parse_status(p: &Params, d: &mut Vec<Detail>) -> Option<Status> {
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

pub(crate) fn parse_time(p: &Params, name: &str, d: &mut Vec<Detail>) -> Option<DateTime<Utc>> {
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
pub(crate) fn parse_sort(p: &Params, field: &str, d: &mut Vec<Detail>) -> bool {
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

pub(crate) fn parse_cursor(
    inner: &Inner,
    p: &Params,
    list: &str,
    d: &mut Vec<Detail>,
) -> Option<Cursor> {
    let token = p.get("page_token")?;
    let c = pagination::decode(&inner.cursor_key, list, token);
    if c.is_none() {
        d.push(detail("page_token", "is invalid"));
    }
    c
}

pub(crate) fn page_block(
    inner: &Inner,
    path: &str,
    p: &Params,
    list: &str,
    s: &PageSlice,
) -> Pagination {
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
pub(crate) struct PageRequest<'a> {
    pub path: &'a str,
    pub params: &'a Params,
    /// Names the list inside page tokens, so a token only works where it was issued.
    pub list: &'a str,
    pub desc: bool,
    pub cursor: Option<Cursor>,
    pub count: usize,
}

/// Sorts `items` by their key in display order and cuts the requested page out of them.
pub(crate) fn paginate<T: Clone + Serialize>(
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

/// `user` must be the caller; `organization` must be theirs and, alone, needs an admin.
pub(crate) fn check_owner(
    w: &World,
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
