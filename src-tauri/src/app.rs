//! The Tauri shell: the only module that names `tauri`. It builds the app, manages state,
//! registers the commands and forwards core changes to the window as typed events.

mod commands;
mod events;
mod state;

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
        .plugin(tauri_plugin_opener::init())
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
        ])
        .setup(|app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<state::AppState>();
                state.resume(&events::Emitter::new(&handle)).await;
            });
            Ok(())
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
