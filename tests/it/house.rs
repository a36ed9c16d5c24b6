//! The shape issue 14 promised, checked on the source: the window's commands are adapters of a
//! few lines over the core, and `app/` holds no SQL and takes no locks of its own.

use std::path::{Path, PathBuf};

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/app")
}

/// Each `#[tauri::command]` function's body, as (name, lines between its braces).
fn command_bodies(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[tauri::command]" {
            // The signature may span lines; the body starts after the line ending in `{`.
            let mut j = i + 1;
            while !lines[j].trim_end().ends_with('{') {
                j += 1;
            }
            let name = lines[i + 1]
                .split("fn ")
                .nth(1)
                .and_then(|r| r.split(['(', '<']).next())
                .unwrap_or("?")
                .to_string();
            let mut k = j + 1;
            while lines[k] != "}" {
                k += 1;
            }
            out.push((name, k - j - 1));
            i = k;
        }
        i += 1;
    }
    out
}

#[test]
fn every_command_is_an_adapter_of_at_most_ten_lines() {
    let source = std::fs::read_to_string(app_dir().join("commands.rs")).expect("commands.rs");
    let bodies = command_bodies(&source);
    assert!(bodies.len() >= 30, "found {} commands", bodies.len());
    let long: Vec<_> = bodies.iter().filter(|(_, n)| *n > 10).collect();
    assert!(long.is_empty(), "commands over 10 lines: {long:?}");
}

#[test]
fn the_counter_counts_a_long_body() {
    let long = "#[tauri::command]\npub fn f() {\n".to_string() + &"    x();\n".repeat(11) + "}\n";
    assert_eq!(command_bodies(&long), vec![("f".to_string(), 11)]);
}

#[test]
fn app_holds_no_sql_and_takes_no_locks_of_its_own() {
    let mut files = vec![app_dir().join("../app.rs")];
    files.extend(
        std::fs::read_dir(app_dir())
            .expect("app/")
            .flatten()
            .map(|e| e.path()),
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        for needle in [
            "SELECT ",
            "INSERT ",
            "UPDATE ",
            "DELETE FROM",
            "Mutex",
            ".lock()",
            "RwLock",
            "query_row",
        ] {
            assert!(
                !text.contains(needle),
                "{} holds {needle:?}",
                path.display()
            );
        }
    }
}
