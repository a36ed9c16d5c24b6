//! The shape issue 14 promised, checked on the source: the window's commands are adapters of a
//! few lines over the core, and `app/` holds no SQL and takes no locks of its own.

use std::path::{Path, PathBuf};

/// Tauri's command attribute, spelled in two parts so this checker is not taken for a command.
const COMMAND_ATTRIBUTE: &str = concat!("#[tauri", "::command]");

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src/app")
}

/// Each window command's body (the functions under Tauri's command attribute), as (name, lines between its braces).
fn command_bodies(source: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == COMMAND_ATTRIBUTE {
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
    let long = format!("{COMMAND_ATTRIBUTE}\npub fn f() {{\n") + &"    x();\n".repeat(11) + "}\n";
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

// ---- The module graph: no import cycles ----------------------------------------------------

type ModPath = Vec<String>;

/// Every crate's source: the app's and each workspace crate's under `crates/`.
fn src_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("src-tauri/src")];
    for entry in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        if entry.path().join("src").is_dir() {
            dirs.push(entry.path().join("src"));
        }
    }
    dirs.sort();
    dirs
}

/// Every source file's module path (`oauth/flow.rs` → `oauth::flow`; `lib.rs` is the root).
/// A `tests/` folder holds a crate's unit tests, not its code, and is left out.
fn modules(dir: &Path, base: &Path, out: &mut Vec<(ModPath, PathBuf)>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            if !path.ends_with("tests") {
                modules(&path, base, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(base).expect("under src");
            let mut parts: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            out.push((parts, path));
        }
    }
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(prefix: &[String], body: &str, out: &mut Vec<ModPath>) {
    let (mut depth, mut cur, mut parts) = (0, String::new(), Vec::new());
    for ch in body.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(ch);
        }
    }
    parts.push(cur);
    for part in parts {
        let part = part.trim();
        let split = |s: &str| -> ModPath {
            s.split("::")
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect()
        };
        match (part.find('{'), part.rfind('}')) {
            (Some(open), Some(close)) => {
                let mut p = prefix.to_vec();
                p.extend(split(&part[..open]));
                expand(&p, &part[open + 1..close], out);
            }
            (None, None) if !part.is_empty() => {
                let mut p = prefix.to_vec();
                p.extend(split(part.split(" as ").next().unwrap_or(part)));
                out.push(p);
            }
            _ => {}
        }
    }
}

/// What each module imports from the others: `use` items and inline `crate::`/`super::` paths,
/// outside its `#[cfg(test)]` module, each taken to the deepest module it names.
fn import_graph(
    src: &Path,
) -> std::collections::BTreeMap<ModPath, std::collections::BTreeSet<ModPath>> {
    let mut files = Vec::new();
    modules(src, src, &mut files);
    let known: std::collections::BTreeSet<ModPath> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = std::collections::BTreeMap::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let text = text.split("#[cfg(test)]").next().unwrap_or("");
        let text: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut paths = Vec::new();
        for stmt in text.split(';') {
            if let Some(pos) = stmt.find("use ") {
                let before = &stmt[..pos];
                if before.trim().is_empty()
                    || before.trim_end().ends_with("pub")
                    || before.trim_end().ends_with(')')
                {
                    expand(&[], &stmt[pos + 4..], &mut paths);
                }
            }
        }
        for (i, _) in text
            .match_indices("crate::")
            .chain(text.match_indices("super::"))
        {
            let rest: String = text[i..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(
                rest.split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
        let mut edges = std::collections::BTreeSet::new();
        for p in paths {
            let (mut base, mut rest): (ModPath, &[String]) = match p.first().map(String::as_str) {
                Some("crate") => (Vec::new(), &p[1..]),
                Some("self") => (module.clone(), &p[1..]),
                Some("super") => (module.clone(), &p[..]),
                Some(first)
                    if known.contains(&[module.clone(), vec![first.to_string()]].concat()) =>
                {
                    (module.clone(), &p[..])
                }
                _ => continue,
            };
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
            let full = [base, rest.to_vec()].concat();
            if let Some(target) = (0..=full.len())
                .rev()
                .map(|k| full[..k].to_vec())
                .find(|m| known.contains(m))
            {
                if &target != module {
                    edges.insert(target);
                }
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The groups of modules that import each other in a circle (Tarjan's strongly connected
/// components of more than one module).
fn cycles(
    graph: &std::collections::BTreeMap<ModPath, std::collections::BTreeSet<ModPath>>,
) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a std::collections::BTreeMap<ModPath, std::collections::BTreeSet<ModPath>>,
        index: std::collections::HashMap<&'a ModPath, usize>,
        low: std::collections::HashMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on: std::collections::HashSet<&'a ModPath>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a ModPath) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in &t.g[v] {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).expect("low");
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).expect("low");
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(if w.is_empty() {
                    "lib".to_string()
                } else {
                    w.join("/")
                });
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: Default::default(),
        low: Default::default(),
        stack: Vec::new(),
        on: Default::default(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out.sort();
    t.out
}

#[test]
fn the_cycle_finder_finds_a_cycle_through_a_reexport_and_none_in_a_chain() {
    let m = |s: &str| -> ModPath {
        s.split('/')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut g = std::collections::BTreeMap::new();
    g.insert(m("a"), [m("a/b")].into());
    g.insert(m("a/b"), [m("a")].into());
    g.insert(m("c"), [m("a")].into());
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "a/b".to_string()]]);
    g.insert(m("a/b"), Default::default());
    assert!(cycles(&g).is_empty());
    let mut paths = Vec::new();
    expand(
        &[],
        "crate::store::{events, sync_state::{self, Cursor}, Store}",
        &mut paths,
    );
    assert!(
        paths.contains(&m("crate/store/sync_state/Cursor")),
        "{paths:?}"
    );
}

#[test]
fn no_crate_has_an_import_cycle() {
    let dirs = src_dirs();
    assert!(dirs.len() >= 2, "the app and the sandbox crate: {dirs:?}");
    for dir in dirs {
        let found = cycles(&import_graph(&dir));
        assert!(
            found.is_empty(),
            "import cycles in {}: {found:?}",
            dir.display()
        );
    }
}

// ---- File size: one responsibility, readable in one sitting --------------------------------

#[test]
fn integration_tests_share_helpers_only_through_common() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    for entry in std::fs::read_dir(&dir).expect("tests/it").flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("house.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        for (i, _) in text.match_indices("crate::") {
            let module: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert_eq!(
                module,
                "common",
                "{} imports from crate::{module}",
                path.display()
            );
        }
    }
}

#[test]
fn the_handler_list_is_the_command_table() {
    let app = std::fs::read_to_string(app_dir().join("../app.rs")).expect("app.rs");
    let list = app
        .split("generate_handler![")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .expect("generate_handler!");
    let mut handled: Vec<String> = list
        .split(',')
        .map(|s| s.trim().trim_start_matches("commands::").to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let mut table: Vec<String> = slotline::bindings::commands()
        .into_iter()
        .map(|(name, _, _)| name)
        .collect();
    handled.sort();
    table.sort();
    assert_eq!(
        handled, table,
        "every window command is registered, and only those"
    );
}

#[test]
fn the_command_table_follows_the_signatures() {
    let table = slotline::bindings::commands();
    let find = |name: &str| {
        table
            .iter()
            .find(|(n, _, _)| n == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} is not in the table"))
    };
    assert_eq!(
        find("list_events"),
        (
            "list_events".to_string(),
            "{ from: string, to: string, includeCanceled: boolean }".to_string(),
            "Array<CalendarEvent>".to_string()
        )
    );
    assert_eq!(find("get_status").1, "Record<string, never>");
    assert_eq!(find("list_contacts").1, "{ query?: string | null }");
    assert_eq!(find("cancel_oauth").2, "null");
    assert_eq!(
        find("export_file").1,
        "{ format: ExportFormat, includeCanceled: boolean }"
    );
}

// ---- File size: one sitting's read ---------------------------------------------------------

/// The most lines a source file holds outside its tests (house style: "readable in one sitting").
const MAX_LINES: usize = 500;

/// The lines of `source` outside its `#[cfg(test)] mod … { … }` blocks (and `#[cfg(test)] mod …;`
/// declarations). The block ends at the first `}` on its own line at the `mod`'s indentation,
/// which rustfmt (in the test command) guarantees.
fn lines_outside_tests(source: &str) -> usize {
    let lines: Vec<&str> = source.lines().collect();
    let (mut count, mut i) = (0, 0);
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            // Further attributes may sit between `#[cfg(test)]` and the `mod`.
            let mut j = i + 1;
            while j < lines.len() && lines[j].trim_start().starts_with("#[") {
                j += 1;
            }
            let item = lines.get(j).map_or("", |l| l.trim());
            let is_mod = item.starts_with("mod ") || item.starts_with("pub mod ");
            if is_mod && item.ends_with(';') {
                i = j + 1;
                continue;
            }
            if is_mod && item.ends_with('{') {
                let indent = &lines[j][..lines[j].len() - lines[j].trim_start().len()];
                let close = format!("{indent}}}");
                let end = (j + 1..lines.len())
                    .find(|&k| lines[k].trim_end() == close)
                    .unwrap_or(lines.len() - 1);
                i = end + 1;
                continue;
            }
        }
        count += 1;
        i += 1;
    }
    count
}

/// Files that are test modules themselves: under a `tests/` directory or named `tests.rs`.
fn is_test_file(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| n == "tests.rs")
        || rel
            .parent()
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "tests"))
}

#[test]
fn no_source_file_is_over_500_lines_outside_its_tests() {
    let mut over = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in src_dirs() {
        let mut files = Vec::new();
        modules(&dir, &dir, &mut files);
        for (_, path) in files {
            let rel = path.strip_prefix(&dir).expect("under src");
            if is_test_file(rel) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            let n = lines_outside_tests(&text);
            if n > MAX_LINES {
                let shown = path.strip_prefix(root).unwrap_or(&path);
                over.push(format!("{} ({n} lines)", shown.display()));
            }
        }
    }
    assert!(
        over.is_empty(),
        "over {MAX_LINES} lines outside their tests (split them by responsibility): {}",
        over.join(", ")
    );
}

#[test]
fn the_line_counter_leaves_out_test_modules_and_test_files() {
    let code = "//! m\n\nfn a() {\n    let s = \"}\";\n}\n";
    let tests = "\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn t() {\n        assert!(true);\n    }\n}\n";
    assert_eq!(lines_outside_tests(code), 5);
    assert_eq!(lines_outside_tests(&format!("{code}{tests}")), 6);
    // A nested test module, an out-of-line one and code after a test module are handled too.
    let nested = "mod inner {\n    fn b() {}\n\n    #[cfg(test)]\n    #[allow(dead_code)]\n    mod tests {\n        fn c() {}\n    }\n}\n#[cfg(test)]\nmod more;\nfn d() {}\n";
    assert_eq!(lines_outside_tests(nested), 5);
    // `#[cfg(test)]` on something other than a module counts.
    assert_eq!(lines_outside_tests("#[cfg(test)]\nfn helper() {}\n"), 2);
    assert!(is_test_file(Path::new("sandbox/tests/api.rs")));
    assert!(is_test_file(Path::new("sync/tests.rs")));
    assert!(!is_test_file(Path::new("sync/plan.rs")));
}
