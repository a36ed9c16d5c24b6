//! IPC commands: adapters of a few lines that parse, call one core function and map the error
//! to `IpcError { kind, message }`.

use tauri::{AppHandle, State};

use super::events::Emitter;
use super::state::AppState;
use crate::clock::{Clock, SystemClock};
use crate::connect::{self, ConnectError};
use crate::explore::{self, ExploreError};
use crate::feed::{
    self, CalendarEvent, ContactDetail, ContactSummary, EventDetail, IpcError, StatusView,
    SyncReport,
};
use crate::store::StoreError;
use crate::sync::engine::SyncError;

/// Every command's error, serialized as `IpcError`.
#[derive(Debug)]
pub struct IpcFailure(IpcError);

impl IpcFailure {
    fn new(kind: &str, message: impl Into<String>) -> Self {
        Self(IpcError {
            kind: kind.into(),
            message: message.into(),
        })
    }
    pub fn busy() -> Self {
        Self::new("busy", "a sync is already running")
    }
}

impl std::fmt::Display for IpcFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.kind, self.0.message)
    }
}

impl serde::Serialize for IpcFailure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<StoreError> for IpcFailure {
    fn from(e: StoreError) -> Self {
        Self::new("store", e.to_string())
    }
}

impl From<ConnectError> for IpcFailure {
    fn from(e: ConnectError) -> Self {
        let kind = match &e {
            ConnectError::EmptyToken | ConnectError::BadToken(_) => "invalid_input",
            ConnectError::NotConnected | ConnectError::TokenMissing => "not_connected",
            ConnectError::Api(_) | ConnectError::OAuth(_) => "calendly",
            ConnectError::Secret(_) => "keyring",
            ConnectError::Store(_) => "store",
        };
        Self::new(kind, e.to_string())
    }
}

impl From<SyncError> for IpcFailure {
    fn from(e: SyncError) -> Self {
        let kind = match &e {
            SyncError::Api(crate::calendly::ApiError::Network { .. }) => "network",
            SyncError::Api(_) => "calendly",
            SyncError::Apply(_) | SyncError::Store(_) => "store",
        };
        Self::new(kind, e.to_string())
    }
}

impl From<ExploreError> for IpcFailure {
    fn from(e: ExploreError) -> Self {
        match e {
            ExploreError::Connect(c) => c.into(),
            other => Self::new("internal", other.to_string()),
        }
    }
}

type Res<T> = Result<T, IpcFailure>;

fn millis(rfc3339: &str) -> Res<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.timestamp_millis())
        .map_err(|e| IpcFailure::new("invalid_input", format!("bad instant {rfc3339:?}: {e}")))
}

#[tauri::command]
pub fn get_status(state: State<'_, AppState>) -> Res<StatusView> {
    Ok(state.status()?)
}

#[tauri::command]
pub fn list_events(
    state: State<'_, AppState>,
    from: String,
    to: String,
    include_canceled: bool,
) -> Res<Vec<CalendarEvent>> {
    let (from, to) = (millis(&from)?, millis(&to)?);
    Ok(state
        .store
        .read(|tx| feed::calendar_range(tx, from, to, include_canceled))?)
}

#[tauri::command]
pub fn get_event(state: State<'_, AppState>, uri: String) -> Res<EventDetail> {
    state
        .store
        .read(|tx| feed::event_detail(tx, &uri))?
        .ok_or_else(|| IpcFailure::new("not_found", "this meeting is not in the local calendar"))
}

#[tauri::command]
pub fn list_contacts(state: State<'_, AppState>, query: Option<String>) -> Res<Vec<ContactSummary>> {
    let now = SystemClock.now().timestamp_millis();
    Ok(state
        .store
        .read(|tx| feed::contacts(tx, query.as_deref(), now))?)
}

#[tauri::command]
pub fn get_contact(state: State<'_, AppState>, email: String) -> Res<ContactDetail> {
    state
        .store
        .read(|tx| feed::contact_detail(tx, &email))?
        .ok_or_else(|| IpcFailure::new("not_found", "no such contact"))
}

#[tauri::command]
pub async fn explore_sandbox(app: AppHandle, state: State<'_, AppState>) -> Res<StatusView> {
    let (sandbox, _account) = explore::connect(&state.config, &state.store, &state.secrets).await?;
    *state.sandbox.lock().await = Some(sandbox);
    state.sync().await?;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    state.status().map_err(Into::into)
}

#[tauri::command]
pub async fn connect_token(app: AppHandle, state: State<'_, AppState>, token: String) -> Res<StatusView> {
    connect::connect_pat(
        &state.config,
        &state.store,
        &state.secrets,
        &token,
        false,
        SystemClock.now(),
    )
    .await?;
    state.sync().await?;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    state.status().map_err(Into::into)
}

#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Res<SyncReport> {
    let report = state.sync().await;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    report
}

#[tauri::command]
pub async fn disconnect(app: AppHandle, state: State<'_, AppState>, erase: bool) -> Res<()> {
    connect::disconnect(&state.store, &state.secrets, erase).await?;
    *state.sandbox.lock().await = None;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    Ok(())
}
