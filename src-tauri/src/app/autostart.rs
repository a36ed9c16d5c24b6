//! The login item (an XDG autostart entry on Linux), through the autostart plugin.

use tauri::AppHandle;
use tauri_plugin_autostart::ManagerExt;

pub fn enabled(app: &AppHandle) -> Result<bool, String> {
    app.autolaunch()
        .is_enabled()
        .map_err(|e| format!("could not read the login item: {e}"))
}

/// Adds or removes the login item; answers the new state.
pub fn set(app: &AppHandle, on: bool) -> Result<bool, String> {
    let launcher = app.autolaunch();
    let result = if on {
        launcher.enable()
    } else {
        launcher.disable()
    };
    result.map_err(|e| format!("could not change the login item: {e}"))?;
    enabled(app)
}
