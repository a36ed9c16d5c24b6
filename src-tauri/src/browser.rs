//! Opening the authorize URL in the user's browser: `$BROWSER` (a colon-separated list, `%s`
//! for the URL) first, else `xdg-open` when there is a display. Never blocks.

use std::process::{Command, Stdio};

pub fn open(url: &str) -> bool {
    if let Ok(list) = std::env::var("BROWSER") {
        for cmd in list.split(':').filter(|c| !c.trim().is_empty()) {
            if spawn(cmd, url) {
                return true;
            }
        }
        return false;
    }
    let has_display = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
    has_display && spawn("xdg-open", url)
}

fn spawn(cmd: &str, url: &str) -> bool {
    let mut parts = cmd.split_whitespace();
    let Some(program) = parts.next() else {
        return false;
    };
    let mut args: Vec<String> = parts.map(str::to_string).collect();
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_string());
    }
    Command::new(program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}
