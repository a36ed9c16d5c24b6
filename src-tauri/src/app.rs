//! The Tauri shell: the only module that names `tauri`. It builds the app, manages state,
//! registers the commands and forwards core changes to the window as typed events.

mod background;
mod commands;
mod events;
mod feed_server;
mod state;
mod tray;

use std::process::ExitCode;
use std::sync::Arc;

use tauri::Manager;
use tauri_plugin_opener::OpenerExt;

use crate::config::Config;
use crate::store::Store;

pub fn run() -> ExitCode {
    let config = Config::from_env();
    let store = match Store::open(&config.db_path()) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("slotline: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = state::AppState::new(config, store);
    let result = tauri::Builder::default()
        // First: a second launch focuses the running window instead of starting another app.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::get_status,
            commands::list_events,
            commands::get_event,
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
        ])
        .setup(|app| {
            if let Err(e) = tray::install(app.handle()) {
                // No tray host (e.g. a bare X server): the window still works, it just quits on close.
                tracing::warn!(error = %e, "no tray icon");
            }
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<state::AppState>();
                state.resume(&events::Emitter::new(&handle)).await;
                background::restart(&handle).await;
                if crate::prefs::load(&state.store)
                    .map(|p| p.ics_feed)
                    .unwrap_or(false)
                {
                    feed_server::apply(&handle, true).await;
                }
            });
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
