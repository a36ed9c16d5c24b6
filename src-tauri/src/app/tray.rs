//! The tray icon: Open, Sync now, Quit. While it exists, closing the window hides it.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

static INSTALLED: AtomicBool = AtomicBool::new(false);

pub fn installed(_app: &AppHandle) -> bool {
    INSTALLED.load(Ordering::SeqCst)
}

pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Slotline", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Slotline", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &sync, &quit])?;
    let mut builder = TrayIconBuilder::with_id("slotline")
        .tooltip("Slotline")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main(app),
            "sync" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let core = app.state::<std::sync::Arc<crate::core::Core>>();
                    if let Err(e) = core.sync_now().await {
                        tracing::warn!(error = %e, "sync from the tray failed");
                    }
                });
            }
            "quit" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let core = app.state::<std::sync::Arc<crate::core::Core>>();
                    core.shut_down().await;
                    app.exit(0);
                });
            }
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    INSTALLED.store(true, Ordering::SeqCst);
    Ok(())
}
