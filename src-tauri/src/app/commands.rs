//! IPC commands: adapters of a few lines that parse, call one core function and map the error
//! to `IpcError { kind, message }`.

use tauri::{AppHandle, State};

use super::events::Emitter;
use super::state::AppState;
use crate::clock::{Clock, SystemClock};
use crate::connect::{self, ConnectError};
use crate::explore::{self, ExploreError};
use crate::feed::{
    self, CalendarEvent, ContactDetail, ContactSummary, EventDetail, IpcError, OAuthStart,
    SettingsView, StatusView, SyncReport,
};
use crate::oauth::{OAuthApp, OAuthError, PendingAuthorization};
use crate::secrets::{SecretKind, SecretStore};
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
            ConnectError::EmptyToken | ConnectError::BadToken(_) | ConnectError::BadSetting(_) => {
                "invalid_input"
            }
            ConnectError::OAuth(OAuthError::NoClientId) => "invalid_input",
            ConnectError::OAuth(OAuthError::Canceled) => "canceled",
            ConnectError::OAuth(OAuthError::Timeout(_)) => "timeout",
            ConnectError::OAuth(OAuthError::Denied(_)) => "denied",
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

/// The window's first screen has painted with its data: logged once (info) with the time since
/// the process started, which `make bench` reads to time start-up.
#[tauri::command]
pub fn report_first_paint(screen: String) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        super::FIRST_PAINT.notify_one();
        let screen: String = screen
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(32)
            .collect();
        tracing::info!(
            "first paint {} ms after start ({screen})",
            crate::started().elapsed().as_millis()
        );
    });
}

/// Whether Slotline starts (in the tray) when the user logs in.
#[tauri::command]
pub fn get_autostart(app: AppHandle) -> Res<bool> {
    use tauri_plugin_autostart::ManagerExt;
    app.autolaunch()
        .is_enabled()
        .map_err(|e| IpcFailure::new("autostart", format!("could not read the login item: {e}")))
}

/// Adds or removes the login item (an XDG autostart entry on Linux); answers the new state.
#[tauri::command]
pub fn set_autostart(app: AppHandle, enabled: bool) -> Res<bool> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let result = if enabled {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| {
        IpcFailure::new("autostart", format!("could not change the login item: {e}"))
    })?;
    launcher
        .is_enabled()
        .map_err(|e| IpcFailure::new("autostart", format!("could not read the login item: {e}")))
}

/// Runs `f` with the app's state on a blocking thread. For the commands the window asks at start
/// that reach the OS keyring (a D-Bus round trip each): a synchronous command runs on the main
/// thread, waiting its turn and holding it, so the first screen's questions were answered one
/// after another; off it they are answered together (measured for issue 8's start-up budget).
async fn off_main_thread<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&AppState) -> Res<T> + Send + 'static,
) -> Res<T> {
    use tauri::Manager;
    tauri::async_runtime::spawn_blocking(move || match app.try_state::<AppState>() {
        Some(state) => f(&state),
        // Asked before the recovery screen opened the store: nothing to read yet.
        None => Err(IpcFailure::new("store", "the local database is not open")),
    })
    .await
    .map_err(|e| IpcFailure::new("internal", format!("the command did not finish: {e}")))?
}

#[tauri::command]
pub async fn get_status(app: AppHandle) -> Res<StatusView> {
    off_main_thread(app, |state| Ok(state.status()?)).await
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

/// The bookings of a rescheduled meeting, earliest first (one link when never rescheduled).
#[tauri::command]
pub fn get_reschedule_chain(
    state: State<'_, AppState>,
    uri: String,
) -> Res<Vec<feed::RescheduleLink>> {
    Ok(state.store.read(|tx| feed::reschedule_chain(tx, &uri))?)
}

/// The consultant's private note on a meeting, or null.
#[tauri::command]
pub fn get_private_note(state: State<'_, AppState>, uri: String) -> Res<Option<feed::PrivateNote>> {
    Ok(state.store.read(|tx| feed::private_note(tx, &uri))?)
}

/// Saves (a blank body deletes) the private note on a stored meeting; local only.
#[tauri::command]
pub fn set_private_note(
    state: State<'_, AppState>,
    uri: String,
    body: String,
) -> Res<Option<feed::PrivateNote>> {
    use crate::store::notes::{self, NoteError};
    let now = crate::clock::format_utc(SystemClock.now());
    state
        .store
        .with_tx(|tx| notes::set(tx, &uri, &body, &now))
        .map_err(|e| match e {
            NoteError::UnknownMeeting => IpcFailure::new("not_found", e.to_string()),
            NoteError::TooLong { .. } => IpcFailure::new("invalid_input", e.to_string()),
            NoteError::Store(s) => s.into(),
        })
}

#[tauri::command]
pub fn list_contacts(
    state: State<'_, AppState>,
    query: Option<String>,
) -> Res<Vec<ContactSummary>> {
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
    super::background::restart(&app).await;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    state.status().map_err(Into::into)
}

#[tauri::command]
pub async fn connect_token(
    app: AppHandle,
    state: State<'_, AppState>,
    token: String,
) -> Res<StatusView> {
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
    super::background::restart(&app).await;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    state.status().map_err(Into::into)
}

#[tauri::command]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Res<SyncReport> {
    let emit = Emitter::new(&app);
    let report = state.sync_reporting(Some(&emit)).await;
    emit.stale(&["events", "contacts", "status"]);
    report
}

/// Disconnects (see [`connect::disconnect`]); answers the warnings to show, one sentence each:
/// what Calendly did not let Slotline undo (a subscription it could not delete, a sign-in it
/// could not revoke), what that means and what to do. The disconnect itself completed.
#[tauri::command]
pub async fn disconnect(
    app: AppHandle,
    state: State<'_, AppState>,
    erase: bool,
) -> Res<Vec<String>> {
    if let Some(live) = state.live.lock().await.take() {
        let _ = live.stop().await;
    }
    let done = connect::disconnect(&state.store, &state.secrets, erase).await?;
    *state.sandbox.lock().await = None;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    Ok(done.warnings())
}

impl From<OAuthError> for IpcFailure {
    fn from(e: OAuthError) -> Self {
        ConnectError::OAuth(e).into()
    }
}

impl From<crate::secrets::SecretError> for IpcFailure {
    fn from(e: crate::secrets::SecretError) -> Self {
        Self::new("keyring", e.to_string())
    }
}

/// How long the window waits for the browser's redirect.
const OAUTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

#[tauri::command]
pub async fn begin_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    client_id: String,
    client_secret: Option<String>,
    redirect_port: Option<u16>,
    redirect_uri: Option<String>,
) -> Res<OAuthStart> {
    let port = match redirect_port {
        Some(p) => p,
        None => connect::settings_view(&state.store, &state.secrets)?.redirect_port,
    };
    connect::save_settings(
        &state.store,
        Some(&client_id),
        port.max(1024),
        SystemClock.now(),
    )?;
    state.secrets.check()?;
    let client_secret = client_secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let oauth_app = OAuthApp {
        client_id,
        client_secret: client_secret.or(state.secrets.get(SecretKind::OAuthClientSecret)?),
        auth_url: state.config.auth_url.clone(),
        redirect_port: port,
        // A Production app's HTTPS redirect (`https://<public host>/oauth/callback`).
        redirect_override: redirect_uri
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty()),
    };
    // A new authorization replaces one still waiting.
    if let Some(cancel) = state
        .oauth_cancel
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        let _ = cancel.send(());
    }
    let pending = match &oauth_app.redirect_override {
        None => PendingAuthorization::begin(&oauth_app).await?,
        Some(_) => {
            let live = state.live.lock().await.is_some();
            let route = connect::redirect_route(
                &state.store,
                &state.secrets,
                live,
                super::background::PUBLIC_URL_PORT,
            )?;
            connect::begin_production_oauth_via(&oauth_app, route).await?
        }
    };
    let start = OAuthStart {
        authorize_url: pending.authorize_url.clone(),
        redirect_uri: oauth_app.redirect_uri(),
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    *state.oauth_cancel.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    *state.oauth.lock().await = Some(super::state::OAuthInFlight {
        pending,
        app: oauth_app,
        cancel: rx,
    });
    super::open_in_browser(&app, &start.authorize_url);
    Ok(start)
}

#[tauri::command]
pub async fn finish_oauth(app: AppHandle, state: State<'_, AppState>) -> Res<StatusView> {
    let Some(flight) = state.oauth.lock().await.take() else {
        return Err(IpcFailure::new(
            "invalid_input",
            "no sign-in is in progress; click Connect Calendly",
        ));
    };
    let finish = connect::finish_oauth(
        &state.config,
        &state.store,
        &state.secrets,
        &flight.app,
        flight.pending,
        OAUTH_TIMEOUT,
        SystemClock.now(),
    );
    tokio::select! {
        r = finish => { r?; }
        _ = flight.cancel => return Err(OAuthError::Canceled.into()),
    }
    if let Err(e) = state.sync().await {
        tracing::warn!(error = %e, "first sync after connecting failed");
    }
    super::background::restart(&app).await;
    Emitter::new(&app).stale(&["events", "contacts", "status"]);
    state.status().map_err(Into::into)
}

#[tauri::command]
pub fn cancel_oauth(state: State<'_, AppState>) -> Res<()> {
    if let Some(cancel) = state
        .oauth_cancel
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        let _ = cancel.send(());
    }
    Ok(())
}

#[tauri::command]
pub fn get_settings(state: State<'_, AppState>) -> Res<SettingsView> {
    Ok(connect::settings_view(&state.store, &state.secrets)?)
}

#[tauri::command]
pub fn save_settings(
    state: State<'_, AppState>,
    oauth_client_id: Option<String>,
    redirect_port: u16,
) -> Res<SettingsView> {
    connect::save_settings(
        &state.store,
        oauth_client_id.as_deref(),
        redirect_port,
        SystemClock.now(),
    )?;
    Ok(connect::settings_view(&state.store, &state.secrets)?)
}

impl From<crate::prefs::PrefsError> for IpcFailure {
    fn from(e: crate::prefs::PrefsError) -> Self {
        match e {
            crate::prefs::PrefsError::Invalid(m) => Self::new("invalid_input", m),
            crate::prefs::PrefsError::Store(s) => s.into(),
        }
    }
}

fn preferences_view(state: &AppState) -> Res<crate::prefs::Preferences> {
    let mut p = crate::prefs::load(&state.store)?;
    p.has_ngrok_authtoken = state.secrets.get(SecretKind::NgrokAuthtoken)?.is_some();
    p.ics_feed_url = state
        .ics_feed_url
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    Ok(p)
}

#[tauri::command]
pub async fn get_preferences(app: AppHandle) -> Res<crate::prefs::Preferences> {
    off_main_thread(app, preferences_view).await
}

#[tauri::command]
pub async fn save_preferences(
    app: AppHandle,
    state: State<'_, AppState>,
    prefs: crate::prefs::Preferences,
) -> Res<crate::prefs::Preferences> {
    let before = crate::prefs::load(&state.store)?;
    let saved = crate::prefs::save(&state.store, prefs, SystemClock.now())?;
    let live_changed = before.webhook_mode != saved.webhook_mode
        || before.public_url != saved.public_url
        || before.ngrok_domain != saved.ngrok_domain
        || before.reconcile_minutes != saved.reconcile_minutes;
    if live_changed {
        super::background::restart(&app).await;
    }
    if before.ics_feed != saved.ics_feed {
        super::feed_server::apply(&app, saved.ics_feed).await;
    }
    Emitter::new(&app).stale(&["status", "webhooks", "events"]);
    preferences_view(&state)
}

#[tauri::command]
pub async fn set_ngrok_authtoken(
    app: AppHandle,
    state: State<'_, AppState>,
    token: Option<String>,
) -> Res<crate::prefs::Preferences> {
    match token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => state.secrets.set(SecretKind::NgrokAuthtoken, t)?,
        None => state.secrets.delete(SecretKind::NgrokAuthtoken)?,
    }
    if crate::prefs::load(&state.store)?.webhook_mode == "ngrok" {
        super::background::restart(&app).await;
    }
    preferences_view(&state)
}

#[tauri::command]
pub fn list_timezones() -> Vec<String> {
    crate::queries::timezones()
}

#[tauri::command]
pub fn dashboard(
    state: State<'_, AppState>,
    day_start: String,
    day_end: String,
    week_start: String,
    week_end: String,
) -> Res<crate::queries::Dashboard> {
    let (ds, de, ws, we) = (
        millis(&day_start)?,
        millis(&day_end)?,
        millis(&week_start)?,
        millis(&week_end)?,
    );
    let now = SystemClock.now().timestamp_millis();
    Ok(state
        .store
        .read(|tx| crate::queries::dashboard(tx, now, ws, we, ds, de))?)
}

#[tauri::command]
pub fn search(state: State<'_, AppState>, query: String) -> Res<crate::queries::SearchResults> {
    let now = SystemClock.now().timestamp_millis();
    Ok(state
        .store
        .read(|tx| crate::queries::search(tx, &query, 20, now))?)
}

#[tauri::command]
pub fn export_file(
    state: State<'_, AppState>,
    format: String,
    include_canceled: bool,
) -> Res<crate::feed::ExportResult> {
    let format = match format.as_str() {
        "ics" => crate::export::ExportFormat::Ics,
        "csv" => crate::export::ExportFormat::Csv,
        "json" => crate::export::ExportFormat::Json,
        other => {
            return Err(IpcFailure::new(
                "invalid_input",
                format!("unknown export format {other:?}"),
            ))
        }
    };
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .ok_or_else(|| IpcFailure::new("internal", "no Downloads or home folder to save into"))?;
    let opts = crate::export::ExportOptions {
        range: crate::export::Range::default(),
        include_canceled,
        csv: crate::export::CsvKind::Meetings,
        now: SystemClock.now(),
    };
    let path = crate::export::export_to_file(&state.store, &dir, format, &opts)
        .map_err(|e| IpcFailure::new("store", e.to_string()))?;
    Ok(crate::feed::ExportResult {
        path: path.display().to_string(),
    })
}

#[tauri::command]
pub fn reveal_path(app: AppHandle, path: String) -> Res<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| IpcFailure::new("internal", format!("could not show the file: {e}")))
}

/// Why the store could not be opened at start (the recovery screen), or null when it is open.
#[tauri::command]
pub fn get_store_problem(
    recovery: State<'_, super::state::Recovery>,
) -> Option<crate::store::db::StoreProblem> {
    recovery.problem()
}

/// The recovery screen's way out: moves the unusable file aside (kept, renamed with a timestamp)
/// when `move_aside`, opens the store and starts the app; answers where the file went.
#[tauri::command]
pub fn recover_store(
    app: AppHandle,
    recovery: State<'_, super::state::Recovery>,
    move_aside: bool,
) -> Res<Option<String>> {
    use tauri::Manager;
    if app.try_state::<AppState>().is_some() {
        return Ok(None);
    }
    let (moved, state) = recovery.reopen(move_aside, SystemClock.now())?;
    app.manage(state);
    super::start_services(&app, false);
    Ok(moved.map(|p| p.display().to_string()))
}

/// Quits (the recovery screen's Quit); stops the live service first when one runs.
#[tauri::command]
pub async fn quit_app(app: AppHandle) -> Res<()> {
    use tauri::Manager;
    if let Some(state) = app.try_state::<AppState>() {
        if let Some(live) = state.live.lock().await.take() {
            let _ = live.stop().await;
        }
    }
    app.exit(0);
    Ok(())
}
