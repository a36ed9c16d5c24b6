//! The locked-down shell: these tests fail when the CSP, the capabilities or the Tauri features
//! are loosened. Tightening one means editing the expectation here on purpose.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn conf() -> Value {
    read_json(&root().join("tauri.conf.json"))
}

/// `directive -> sources`, from a CSP string.
fn parse_csp(csp: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for part in csp.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let name = words.next().unwrap().to_ascii_lowercase();
        let sources: BTreeSet<String> = words.map(str::to_owned).collect();
        assert!(
            out.insert(name.clone(), sources).is_none(),
            "directive {name} appears twice"
        );
    }
    out
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_csp_is_exactly_the_strict_one() {
    let conf = conf();
    let csp = conf["app"]["security"]["csp"]
        .as_str()
        .expect("the CSP is one string (not null, not an object Tauri would merge)");
    let got = parse_csp(csp);
    let want: BTreeMap<String, BTreeSet<String>> = [
        ("default-src", set(&["'self'"])),
        ("connect-src", set(&["ipc:", "http://ipc.localhost"])),
        ("img-src", set(&["'self'", "data:"])),
        ("style-src", set(&["'self'", "'unsafe-inline'"])),
        ("script-src", set(&["'self'"])),
        ("font-src", set(&["'self'", "data:"])),
        ("object-src", set(&["'none'"])),
        ("base-uri", set(&["'none'"])),
        ("frame-ancestors", set(&["'none'"])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn no_csp_source_names_a_remote_origin_or_a_wildcard() {
    let conf = conf();
    let csp = parse_csp(conf["app"]["security"]["csp"].as_str().unwrap());
    let local = set(&["ipc:", "http://ipc.localhost"]);
    for (directive, sources) in &csp {
        for s in sources {
            let lower = s.to_ascii_lowercase();
            assert!(!lower.contains('*'), "{directive} allows a wildcard: {s}");
            assert!(
                lower != "'null'" && lower != "null",
                "{directive} allows null"
            );
            assert!(
                lower != "'unsafe-eval'" && lower != "'wasm-unsafe-eval'",
                "{directive} allows eval: {s}"
            );
            let remote = lower.starts_with("http:")
                || lower.starts_with("https:")
                || lower.starts_with("ws:")
                || lower.starts_with("wss:")
                || lower.contains("://");
            assert!(
                !remote || local.contains(&lower),
                "{directive} allows a remote origin: {s}"
            );
        }
    }
    assert!(
        csp["connect-src"].is_subset(&local),
        "connect-src reaches only IPC"
    );
    assert!(
        !csp["script-src"].contains("'unsafe-inline'"),
        "inline scripts are refused"
    );
}

#[test]
fn the_webview_is_locked_down() {
    let conf = conf();
    let app = &conf["app"];
    assert_eq!(app["withGlobalTauri"], json!(false), "no window.__TAURI__");
    let security = &app["security"];
    assert_eq!(security["freezePrototype"], json!(true));
    for loosening in [
        "dangerousDisableAssetCspModification",
        "devCsp",
        "assetProtocol",
        "dangerousRemoteDomainIpcAccess",
        "headers",
    ] {
        assert!(
            security.get(loosening).is_none(),
            "security.{loosening} must stay unset"
        );
    }
    let windows = app["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 1);
    let main = &windows[0];
    assert_eq!(main["label"], json!("main"));
    assert!(
        main.get("url").is_none(),
        "the window loads only the bundled UI"
    );
    assert!(
        main.get("devtools").is_none_or(|v| v == &json!(false)),
        "no devtools in the shipped window"
    );
}

#[test]
fn the_capabilities_grant_only_events_and_http_links() {
    let dir = root().join("src-tauri/capabilities");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["default.json"],
        "one capability file, reviewed here"
    );
    let cap = read_json(&dir.join("default.json"));
    assert_eq!(cap["windows"], json!(["main"]));
    assert!(cap.get("remote").is_none(), "no remote URL gets IPC access");
    assert!(cap.get("webviews").is_none());
    assert_eq!(
        cap["permissions"],
        json!([
            "core:event:allow-listen",
            "core:event:allow-unlisten",
            "core:webview:allow-set-webview-zoom",
            {
                "identifier": "opener:allow-open-url",
                "allow": [{ "url": "https://*" }, { "url": "http://*" }]
            }
        ])
    );
}

#[test]
fn no_shell_or_file_system_plugin_is_compiled_in() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .unwrap()
        .split("\n[")
        .next()
        .unwrap();
    for banned in [
        "tauri-plugin-shell",
        "tauri-plugin-fs",
        "tauri-plugin-http",
        "tauri-plugin-process",
        "tauri-plugin-dialog",
    ] {
        assert!(!deps.contains(banned), "{banned} must not be a dependency");
    }
    let tauri_line = deps
        .lines()
        .find(|l| l.starts_with("tauri ="))
        .expect("tauri dependency");
    // Tauri's defaults minus `dynamic-acl` (no capability is added at run time) and the
    // Windows-only `common-controls-v6`, plus the tray: no devtools, no protocol-asset.
    assert!(
        tauri_line.contains("default-features = false")
            && tauri_line
                .contains(r#"features = ["wry", "compression", "x11", "dbus", "tray-icon"]"#),
        "tauri features stay exactly wry, compression, x11, dbus and tray-icon: {tauri_line}"
    );
    let ui_pkg = read_json(&root().join("ui/package.json"));
    for section in ["dependencies", "devDependencies"] {
        if let Some(map) = ui_pkg[section].as_object() {
            for name in map.keys() {
                assert!(
                    !name.starts_with("@tauri-apps/plugin-") || name == "@tauri-apps/plugin-opener",
                    "the UI uses no plugin beyond the opener: {name}"
                );
            }
        }
    }
}
