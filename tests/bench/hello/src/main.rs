//! A minimal Tauri 2 window that reports its first paint the way Slotline does: one line on
//! stderr when the page has painted, so `tests/bench/startup.py` times both the same way.

use std::time::Instant;

#[tauri::command]
fn first_paint(started: tauri::State<'_, Instant>) {
    eprintln!(
        "first paint {} ms after start",
        started.elapsed().as_millis()
    );
}

fn main() {
    tauri::Builder::default()
        .manage(Instant::now())
        .invoke_handler(tauri::generate_handler![first_paint])
        .run(tauri::generate_context!())
        .expect("the window could not start");
}
