//! The Tauri shell: the only module that names `tauri`. It builds the app, manages state,
//! registers the commands and forwards core changes to the window as typed events.

mod autostart;
mod background;
mod commands;
mod errors;
mod events;
mod tray;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::Manager;
use tauri_plugin_opener::OpenerExt;

use crate::config::Config;
use crate::core::Core;

/// The flag the login item passes: start in the tray without showing the window.
pub const HIDDEN_FLAG: &str = "--hidden";

pub fn run(hidden: bool) -> ExitCode {
    prefer_software_painting();
    // A store that cannot be opened (damaged, foreign, newer, locked) opens the recovery screen
    // instead of exiting: the window says what is wrong and offers to move the file aside.
    let (core, recovery) = crate::core::open_for_window(Config::from_env());
    let result = tauri::Builder::default()
        // First: a second launch focuses the running window instead of starting another app.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        // Off until the user switches it on in Settings; a login start goes straight to the tray.
        .plugin(
            tauri_plugin_autostart::Builder::new()
                .app_name("Slotline")
                .arg(HIDDEN_FLAG)
                .build(),
        )
        .manage(recovery)
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::list_events,
            commands::get_event,
            commands::get_reschedule_chain,
            commands::get_private_note,
            commands::set_private_note,
            commands::list_contacts,
            commands::get_contact,
            commands::explore_sandbox,
            commands::connect_token,
            commands::sync_now,
            commands::disconnect,
            commands::begin_oauth,
            commands::finish_oauth,
            commands::cancel_oauth,
            commands::get_settings,
            commands::save_settings,
            commands::get_preferences,
            commands::save_preferences,
            commands::set_ngrok_authtoken,
            commands::list_timezones,
            commands::dashboard,
            commands::search,
            commands::export_file,
            commands::reveal_path,
            commands::get_autostart,
            commands::report_first_paint,
            commands::set_autostart,
            commands::get_store_problem,
            commands::recover_store,
            commands::quit_app,
            commands::clients_report,
            commands::client_detail,
            commands::list_clients,
            commands::rename_client,
            commands::merge_clients,
            commands::move_person,
            commands::insights,
            commands::export_report,
        ])
        .setup(move |app| {
            let Some(core) = core else {
                // Only the recovery screen: no tray and no services until the store opens.
                tray::show_main(app.handle());
                return Ok(());
            };
            start_services(app.handle(), core, hidden);
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Slotline receiving webhooks from the tray; Quit stops it.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if tray::installed(window.app_handle()) {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slotline: the window could not start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Without a GPU (no DRM render node: a VM, a remote or virtual X display such as Xvfb) WebKitGTK
/// would composite every frame with software OpenGL, which makes each frame, the first paint
/// above all, several times slower and keeps GL buffers in the web process; painting without
/// compositing is faster there. Set before the webview starts its processes (they inherit it);
/// a value the user set wins. Not under WebDriver (tauri-driver sets TAURI_WEBVIEW_AUTOMATION):
/// WebKitWebDriver's screenshot of an idle page that paints without compositing waits for the
/// next repaint (WebKitGTK 2.50), so the window tests would stall.
fn prefer_software_painting() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if !cfg!(target_os = "linux")
        || std::env::var_os(VAR).is_some()
        || std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true")
    {
        return;
    }
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if !gpu {
        std::env::set_var(VAR, "1");
    }
}

/// Signalled by the window's `report_first_paint`.
static FIRST_PAINT: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// The window's first screen painted: logged once (info) with the time since the process
/// started, which `make bench` reads to time start-up.
fn first_paint(screen: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        FIRST_PAINT.notify_one();
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

/// Manages the core, installs the tray and starts the background services, once the store is
/// open (at start, or after the recovery screen opened it).
pub(crate) fn start_services(app: &tauri::AppHandle, core: Arc<Core>, hidden: bool) {
    app.manage(core.clone());
    if let Err(e) = tray::install(app) {
        // No tray host (e.g. a bare X server): the window still works, it just quits on close.
        tracing::warn!(error = %e, "no tray icon");
    }
    // The window is created hidden (tauri.conf.json) so a login start never flashes it.
    if !(hidden && tray::installed(app)) {
        tray::show_main(app);
    }
    tauri::async_runtime::spawn(background::forward(app.clone(), core.subscribe()));
    tauri::async_runtime::spawn(async move {
        // The window's first paint goes first: the catch-up sync, the receiver and the tunnel
        // start once it has painted (or after a few seconds, e.g. when started in the tray).
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(3), FIRST_PAINT.notified()).await;
        core.start().await;
    });
}

/// Opens an http(s) URL in the system browser (never in the webview): `$BROWSER` when set,
/// else the opener plugin.
pub(crate) fn open_in_browser(app: &tauri::AppHandle, url: &str) {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return;
    }
    if std::env::var_os("BROWSER").is_some() && crate::browser::open(url) {
        return;
    }
    if let Err(e) = app.opener().open_url(url, None::<&str>) {
        tracing::warn!(error = %e, "could not open the browser");
    }
}
