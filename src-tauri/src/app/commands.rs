//! IPC commands: adapters of a few lines that parse, call one core method and map the error to
//! `IpcError { kind, message }`. No SQL and no locks here: the core owns the state.

use std::sync::Arc;

use tauri::{AppHandle, Manager, State};

use crate::core::{Core, CoreError, OAuthRequest, Recovery};
use crate::feed::IpcErrorKind as Kind;
use crate::feed::{
    self, CalendarEvent, ContactDetail, ContactSummary, EventDetail, ExportResult, IpcError,
    OAuthStart, SettingsView, StatusView, SyncReport,
};

type Res<T> = Result<T, IpcFailure>;
type Shared<'a> = State<'a, Arc<Core>>;

/// Every command's error, serialized as `IpcError`.
#[derive(Debug)]
pub struct IpcFailure(IpcError);

impl IpcFailure {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self(IpcError {
            kind,
            message: message.into(),
        })
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

impl<E: Into<CoreError>> From<E> for IpcFailure {
    fn from(e: E) -> Self {
        let e: CoreError = e.into();
        Self::new(super::errors::kind(&e), e.to_string())
    }
}

fn millis(rfc3339: &str) -> Res<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| d.timestamp_millis())
        .map_err(|e| IpcFailure::new(Kind::InvalidInput, format!("bad instant {rfc3339:?}: {e}")))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The window's first screen has painted with its data: logged once (info) with the time since
/// the process started, which `make bench` reads to time start-up.
#[tauri::command]
pub fn report_first_paint(screen: String) {
    super::first_paint(&screen);
}

/// Whether Slotline starts (in the tray) when the user logs in.
#[tauri::command]
pub fn get_autostart(app: AppHandle) -> Res<bool> {
    super::autostart::enabled(&app).map_err(|e| IpcFailure::new(Kind::Autostart, e))
}

/// Adds or removes the login item (an XDG autostart entry on Linux); answers the new state.
#[tauri::command]
pub fn set_autostart(app: AppHandle, enabled: bool) -> Res<bool> {
    super::autostart::set(&app, enabled).map_err(|e| IpcFailure::new(Kind::Autostart, e))
}

/// Runs `f` with the core on a blocking thread. For the commands the window asks at start that
/// reach the OS keyring (a D-Bus round trip each): a synchronous command runs on the main
/// thread, waiting its turn and holding it; off it they are answered together.
async fn off_main_thread<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&Core) -> Res<T> + Send + 'static,
) -> Res<T> {
    tauri::async_runtime::spawn_blocking(move || match app.try_state::<Arc<Core>>() {
        Some(core) => f(&core),
        // Asked before the recovery screen opened the store: nothing to read yet.
        None => Err(IpcFailure::new(
            Kind::Store,
            "the local database is not open",
        )),
    })
    .await
    .map_err(|e| IpcFailure::new(Kind::Internal, format!("the command did not finish: {e}")))?
}

#[tauri::command]
pub async fn get_status(app: AppHandle) -> Res<StatusView> {
    off_main_thread(app, |core| Ok(core.status()?)).await
}

#[tauri::command]
pub fn list_events(
    core: Shared<'_>,
    from: String,
    to: String,
    include_canceled: bool,
) -> Res<Vec<CalendarEvent>> {
    let (from, to) = (millis(&from)?, millis(&to)?);
    Ok(core.read(|tx| feed::calendar_range(tx, from, to, include_canceled))?)
}

#[tauri::command]
pub fn get_event(core: Shared<'_>, uri: String) -> Res<EventDetail> {
    core.read(|tx| feed::event_detail(tx, &uri))?
        .ok_or_else(|| IpcFailure::new(Kind::NotFound, "this meeting is not in the local calendar"))
}

/// The bookings of a rescheduled meeting, earliest first (one link when never rescheduled).
#[tauri::command]
pub fn get_reschedule_chain(core: Shared<'_>, uri: String) -> Res<Vec<feed::RescheduleLink>> {
    Ok(core.read(|tx| feed::reschedule_chain(tx, &uri))?)
}

/// The consultant's private note on a meeting, or null.
#[tauri::command]
pub fn get_private_note(core: Shared<'_>, uri: String) -> Res<Option<feed::PrivateNote>> {
    Ok(core.read(|tx| feed::private_note(tx, &uri))?)
}

/// Saves (a blank body deletes) the private note on a stored meeting; local only.
#[tauri::command]
pub fn set_private_note(
    core: Shared<'_>,
    uri: String,
    body: String,
) -> Res<Option<feed::PrivateNote>> {
    Ok(core.set_private_note(&uri, &body)?)
}

#[tauri::command]
pub fn list_contacts(core: Shared<'_>, query: Option<String>) -> Res<Vec<ContactSummary>> {
    Ok(core.read(|tx| feed::contacts(tx, query.as_deref(), now_ms()))?)
}

#[tauri::command]
pub fn get_contact(core: Shared<'_>, email: String) -> Res<ContactDetail> {
    core.read(|tx| feed::contact_detail(tx, &email))?
        .ok_or_else(|| IpcFailure::new(Kind::NotFound, "no such contact"))
}

#[tauri::command]
pub async fn explore_sandbox(core: Shared<'_>) -> Res<StatusView> {
    Ok(core.explore_sandbox().await?)
}

#[tauri::command]
pub async fn connect_token(core: Shared<'_>, token: String) -> Res<StatusView> {
    Ok(core.connect_token(&token).await?)
}

/// Syncs now, or joins the sync already running (the window's progress bar follows it either
/// way).
#[tauri::command]
pub async fn sync_now(core: Shared<'_>) -> Res<SyncReport> {
    Ok(core.sync_now().await?)
}

/// Disconnects; answers the warnings to show, one sentence each: what Calendly did not let
/// Slotline undo, what that means and what to do. The disconnect itself completed.
#[tauri::command]
pub async fn disconnect(core: Shared<'_>, erase: bool) -> Res<Vec<String>> {
    Ok(core.disconnect(erase).await?)
}

#[tauri::command]
pub async fn begin_oauth(
    app: AppHandle,
    core: Shared<'_>,
    client_id: String,
    client_secret: Option<String>,
    redirect_port: Option<u16>,
    redirect_uri: Option<String>,
) -> Res<OAuthStart> {
    let req = OAuthRequest {
        client_id,
        client_secret,
        redirect_port,
        redirect_uri,
    };
    let start = core.begin_oauth(req).await?;
    super::open_in_browser(&app, &start.authorize_url);
    Ok(start)
}

#[tauri::command]
pub async fn finish_oauth(core: Shared<'_>) -> Res<StatusView> {
    Ok(core.finish_oauth().await?)
}

#[tauri::command]
pub fn cancel_oauth(core: Shared<'_>) {
    core.cancel_oauth();
}

#[tauri::command]
pub fn get_settings(core: Shared<'_>) -> Res<SettingsView> {
    Ok(core.settings()?)
}

#[tauri::command]
pub fn save_settings(
    core: Shared<'_>,
    oauth_client_id: Option<String>,
    redirect_port: u16,
) -> Res<SettingsView> {
    Ok(core.save_settings(oauth_client_id.as_deref(), redirect_port)?)
}

#[tauri::command]
pub async fn get_preferences(app: AppHandle) -> Res<crate::prefs::Preferences> {
    off_main_thread(app, |core| Ok(core.preferences()?)).await
}

#[tauri::command]
pub async fn save_preferences(
    core: Shared<'_>,
    prefs: crate::prefs::Preferences,
) -> Res<crate::prefs::Preferences> {
    Ok(core.save_preferences(prefs).await?)
}

#[tauri::command]
pub async fn set_ngrok_authtoken(
    core: Shared<'_>,
    token: Option<String>,
) -> Res<crate::prefs::Preferences> {
    Ok(core.set_ngrok_authtoken(token.as_deref()).await?)
}

#[tauri::command]
pub fn list_timezones() -> Vec<String> {
    crate::queries::timezones()
}

#[tauri::command]
pub fn dashboard(
    core: Shared<'_>,
    day_start: String,
    day_end: String,
    week_start: String,
    week_end: String,
) -> Res<crate::queries::Dashboard> {
    let (ds, de) = (millis(&day_start)?, millis(&day_end)?);
    let (ws, we) = (millis(&week_start)?, millis(&week_end)?);
    Ok(core.read(|tx| crate::queries::dashboard(tx, now_ms(), ws, we, ds, de))?)
}

#[tauri::command]
pub fn search(core: Shared<'_>, query: String) -> Res<crate::queries::SearchResults> {
    Ok(core.read(|tx| crate::queries::search(tx, &query, 20, now_ms()))?)
}

#[tauri::command]
pub fn export_file(
    core: Shared<'_>,
    format: crate::export::ExportFormat,
    include_canceled: bool,
) -> Res<crate::feed::ExportResult> {
    let path = core.export_to_downloads(format, include_canceled)?;
    Ok(crate::feed::ExportResult {
        path: path.display().to_string(),
    })
}

#[tauri::command]
pub fn reveal_path(app: AppHandle, path: String) -> Res<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| IpcFailure::new(Kind::Internal, format!("could not show the file: {e}")))
}

/// Per client, event type and week over the days `from..=to` (`YYYY-MM-DD`) in zone `tz`.
#[tauri::command]
pub fn clients_report(
    core: Shared<'_>,
    from: String,
    to: String,
    tz: String,
) -> Res<crate::clients::ClientsReport> {
    let range = core.report_range(Some(&from), Some(&to), Some(&tz))?;
    Ok(core.clients_report(&range)?)
}

/// A client's people and meetings over a range.
#[tauri::command]
pub fn client_detail(
    core: Shared<'_>,
    key: String,
    from: String,
    to: String,
    tz: String,
) -> Res<crate::clients::ClientDetail> {
    let range = core.report_range(Some(&from), Some(&to), Some(&tz))?;
    Ok(core.client_detail(&key, &range)?)
}

/// Every client (the merge and move pickers).
#[tauri::command]
pub fn list_clients(core: Shared<'_>) -> Res<Vec<crate::clients::ClientRef>> {
    Ok(core.list_clients()?)
}

/// Names a client; a blank name gives back its default.
#[tauri::command]
pub fn rename_client(core: Shared<'_>, key: String, name: String) -> Res<()> {
    Ok(core.rename_client(&key, &name)?)
}

/// Merges client `from` into client `into`.
#[tauri::command]
pub fn merge_clients(core: Shared<'_>, from: String, into: String) -> Res<()> {
    Ok(core.merge_clients(&from, &into)?)
}

/// Moves a person to another client (`person:<email>`: on their own).
#[tauri::command]
pub fn move_person(core: Shared<'_>, email: String, to: String) -> Res<()> {
    Ok(core.move_person(&email, &to)?)
}

/// The insights' numbers over a range.
#[tauri::command]
pub fn insights(
    core: Shared<'_>,
    from: String,
    to: String,
    tz: String,
) -> Res<crate::clients::Insights> {
    let range = core.report_range(Some(&from), Some(&to), Some(&tz))?;
    Ok(core.insights(&range)?)
}

/// Writes the clients report (`json` or `csv`) into Downloads and says where.
#[tauri::command]
pub fn export_report(
    core: Shared<'_>,
    from: String,
    to: String,
    tz: String,
    format: crate::clients::ReportFormat,
) -> Res<ExportResult> {
    let range = core.report_range(Some(&from), Some(&to), Some(&tz))?;
    let path = core.export_report(&range, format)?;
    Ok(ExportResult {
        path: path.display().to_string(),
    })
}

/// Why the store could not be opened at start (the recovery screen), or null when it is open.
#[tauri::command]
pub fn get_store_problem(recovery: State<'_, Recovery>) -> Option<crate::store::db::StoreProblem> {
    recovery.problem()
}

/// The recovery screen's way out: moves the unusable file aside (kept, renamed with a timestamp)
/// when `move_aside`, opens the store and starts the app; answers where the file went.
#[tauri::command]
pub fn recover_store(
    app: AppHandle,
    recovery: State<'_, Recovery>,
    move_aside: bool,
) -> Res<Option<String>> {
    if app.try_state::<Arc<Core>>().is_some() {
        return Ok(None);
    }
    let (moved, core) = recovery.reopen(move_aside, chrono::Utc::now())?;
    super::start_services(&app, core, false);
    Ok(moved.map(|p| p.display().to_string()))
}

/// Quits (the recovery screen's Quit); stops the live service first when one runs.
#[tauri::command]
pub async fn quit_app(app: AppHandle) -> Res<()> {
    if let Some(core) = app.try_state::<Arc<Core>>() {
        core.shut_down().await;
    }
    app.exit(0);
    Ok(())
}
