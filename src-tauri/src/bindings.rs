//! The typed IPC contract for the web UI: every read model and the command table, rendered to
//! TypeScript by ts-rs into `ui/src/ipc/bindings.gen.ts`. A test keeps the committed file fresh.

use ts_rs::TS;

use crate::feed::*;

/// The window's commands, read from their definitions in `app/commands.rs` (the one list): each
/// command function's name (the ones under Tauri's command attribute), the arguments the window sends (camelCase, as Tauri
/// takes them) and its result, as TypeScript. Renaming a command or changing an argument in Rust
/// changes this table, and the UI, type-checked against it, stops compiling until it follows.
const COMMANDS_SOURCE: &str = include_str!("app/commands.rs");

/// The attribute that marks a window command (spelled in two parts so that this file, which only
/// reads commands, is not taken for one that defines them).
const COMMAND_ATTRIBUTE: &str = concat!("#[tauri", "::command]");

/// What the window never sends: Tauri injects these.
const INJECTED: &[&str] = &["AppHandle", "Shared<", "State<", "tauri::"];

/// `(name, args, result)` of every command, in the order they are defined.
pub fn commands() -> Vec<(String, String, String)> {
    let lines: Vec<&str> = COMMANDS_SOURCE.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == COMMAND_ATTRIBUTE {
            let mut signature = String::new();
            let mut j = i + 1;
            while j < lines.len() {
                signature.push_str(lines[j].trim());
                signature.push(' ');
                if lines[j].trim_end().ends_with('{') {
                    break;
                }
                j += 1;
            }
            if let Some(command) = parse_signature(&signature) {
                out.push(command);
            }
            i = j;
        }
        i += 1;
    }
    out
}

/// Splits at the commas outside `<…>` and `(…)`.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0i32, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A Rust type as the TypeScript the bindings name it by.
fn ts_type(rust: &str) -> String {
    let rust = rust.trim();
    if let Some(open) = rust.find('<') {
        let head = rust[..open].rsplit("::").next().unwrap_or("");
        let inner = &rust[open + 1..rust.rfind('>').unwrap_or(rust.len())];
        return match head {
            "Option" => format!("{} | null", ts_type(inner)),
            "Vec" => format!("Array<{}>", ts_type(inner)),
            "Res" | "Result" => ts_type(split_top(inner).first().copied().unwrap_or("()")),
            other => other.to_string(),
        };
    }
    match rust {
        "String" | "&str" => "string".into(),
        "bool" => "boolean".into(),
        "()" | "" => "null".into(),
        "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "usize" | "f64" => "number".into(),
        path => path.rsplit("::").next().unwrap_or(path).to_string(),
    }
}

fn parse_signature(signature: &str) -> Option<(String, String, String)> {
    let after_fn = signature.split("fn ").nth(1)?;
    let name: String = after_fn
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let open = after_fn.find('(')?;
    let (mut depth, mut close) = (0, None);
    for (i, c) in after_fn[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close?;
    let args: Vec<String> = split_top(&after_fn[open + 1..close])
        .into_iter()
        .filter_map(|p| {
            let (arg, ty) = p.split_once(':')?;
            let ty = ty.trim();
            if INJECTED.iter().any(|x| ty.starts_with(x)) {
                return None;
            }
            let optional = if ty.starts_with("Option<") { "?" } else { "" };
            Some(format!("{}{optional}: {}", camel(arg.trim()), ts_type(ty)))
        })
        .collect();
    let args = if args.is_empty() {
        "Record<string, never>".to_string()
    } else {
        format!("{{ {} }}", args.join(", "))
    };
    let rest = &after_fn[close + 1..];
    let result = match rest.split_once("->") {
        Some((_, ty)) => ts_type(ty.trim().trim_end_matches('{').trim()),
        None => "null".into(),
    };
    Some((name, args, result))
}

/// The generated file's full text.
pub fn typescript() -> String {
    let decls = [
        CalendarEvent::decl(),
        QuestionAnswer::decl(),
        InviteeDetail::decl(),
        Person::decl(),
        EventDetail::decl(),
        RescheduleLink::decl(),
        PrivateNote::decl(),
        ContactSummary::decl(),
        ActivityItem::decl(),
        ContactDetail::decl(),
        AccountView::decl(),
        StatusView::decl(),
        InboxStatus::decl(),
        UnappliedCount::decl(),
        SyncReport::decl(),
        OAuthStart::decl(),
        SettingsView::decl(),
        IpcErrorKind::decl(),
        IpcError::decl(),
        StaleTopic::decl(),
        DataChanged::decl(),
        crate::prefs::WebhookMode::decl(),
        crate::prefs::Preferences::decl(),
        crate::queries::WeekCounts::decl(),
        crate::queries::RecentActivity::decl(),
        crate::queries::Dashboard::decl(),
        crate::queries::SearchResults::decl(),
        ExportResult::decl(),
        WebhookState::decl(),
        WebhookStatus::decl(),
        crate::sync::engine::SyncProgress::decl(),
        crate::store::db::StoreProblem::decl(),
        crate::export::ExportFormat::decl(),
        crate::clients::ReportFormat::decl(),
        PaymentView::decl(),
        crate::clients::Money::decl(),
        crate::clients::ClientLine::decl(),
        crate::clients::EventTypeLine::decl(),
        crate::clients::WeekLine::decl(),
        crate::clients::ClientsReport::decl(),
        crate::clients::ClientRef::decl(),
        crate::clients::ClientPerson::decl(),
        crate::clients::ClientMeeting::decl(),
        crate::clients::ClientDetail::decl(),
        crate::clients::TypeInsight::decl(),
        crate::clients::LeadBucket::decl(),
        crate::clients::Insights::decl(),
    ];
    let mut out =
        String::from("// Generated from Rust by ts-rs (cargo test bindings). Do not edit.\n\n");
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    out.push_str("/** Tauri commands: arguments and results. */\nexport type Commands = {\n");
    for (name, args, result) in commands() {
        out.push_str(&format!(
            "  {name}: {{ args: {args}; result: {result} }};\n"
        ));
    }
    out.push_str("};\n\n/** What Rust stores before the user changed anything (`Preferences::default()`). */\nexport const DEFAULT_PREFERENCES: Preferences = ");
    out.push_str(
        &serde_json::to_string_pretty(&crate::prefs::Preferences::default()).unwrap_or_default(),
    );
    out.push_str(";\n\n/** Tauri events emitted to the window. */\nexport type Events = {\n  \"data-changed\": DataChanged;\n  \"sync-progress\": SyncProgress;\n};\n");
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn bindings_are_fresh() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/ipc/bindings.gen.ts");
        let want = super::typescript();
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            std::fs::write(&path, &want).expect("write bindings");
            panic!(
                "ui/src/ipc/bindings.gen.ts was stale and has been regenerated; review and commit it"
            );
        }
    }
}
