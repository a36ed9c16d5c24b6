//! The typed IPC contract for the web UI: every read model and the command table, rendered to
//! TypeScript by ts-rs into `ui/src/ipc/bindings.gen.ts`. A test keeps the committed file fresh.

use ts_rs::TS;

use crate::feed::*;

/// The commands the window may call: name, argument object and result type (TypeScript).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("get_status", "Record<string, never>", "StatusView"),
    (
        "list_events",
        "{ from: string, to: string, includeCanceled: boolean }",
        "Array<CalendarEvent>",
    ),
    ("get_event", "{ uri: string }", "EventDetail"),
    (
        "get_reschedule_chain",
        "{ uri: string }",
        "Array<RescheduleLink>",
    ),
    ("get_private_note", "{ uri: string }", "PrivateNote | null"),
    (
        "set_private_note",
        "{ uri: string, body: string }",
        "PrivateNote | null",
    ),
    (
        "list_contacts",
        "{ query: string | null }",
        "Array<ContactSummary>",
    ),
    ("get_contact", "{ email: string }", "ContactDetail"),
    ("explore_sandbox", "Record<string, never>", "StatusView"),
    ("connect_token", "{ token: string }", "StatusView"),
    ("sync_now", "Record<string, never>", "SyncReport"),
    ("disconnect", "{ erase: boolean }", "Array<string>"),
    (
        "begin_oauth",
        "{ clientId: string, clientSecret: string | null, redirectPort: number | null, redirectUri?: string | null }",
        "OAuthStart",
    ),
    ("finish_oauth", "Record<string, never>", "StatusView"),
    ("cancel_oauth", "Record<string, never>", "null"),
    ("get_settings", "Record<string, never>", "SettingsView"),
    (
        "save_settings",
        "{ oauthClientId: string | null, redirectPort: number }",
        "SettingsView",
    ),
    ("list_timezones", "Record<string, never>", "Array<string>"),
    ("get_preferences", "Record<string, never>", "Preferences"),
    ("save_preferences", "{ prefs: Preferences }", "Preferences"),
    (
        "set_ngrok_authtoken",
        "{ token: string | null }",
        "Preferences",
    ),
    (
        "dashboard",
        "{ dayStart: string, dayEnd: string, weekStart: string, weekEnd: string }",
        "Dashboard",
    ),
    ("search", "{ query: string }", "SearchResults"),
    (
        "export_file",
        "{ format: 'ics' | 'csv' | 'json', includeCanceled: boolean }",
        "ExportResult",
    ),
    ("reveal_path", "{ path: string }", "null"),
    ("get_autostart", "Record<string, never>", "boolean"),
    ("report_first_paint", "{ screen: string }", "null"),
    ("set_autostart", "{ enabled: boolean }", "boolean"),
    (
        "get_store_problem",
        "Record<string, never>",
        "StoreProblem | null",
    ),
    ("recover_store", "{ moveAside: boolean }", "string | null"),
    ("quit_app", "Record<string, never>", "null"),
    (
        "clients_report",
        "{ from: string, to: string, tz: string }",
        "ClientsReport",
    ),
    (
        "client_detail",
        "{ key: string, from: string, to: string, tz: string }",
        "ClientDetail",
    ),
    ("list_clients", "Record<string, never>", "Array<ClientRef>"),
    ("rename_client", "{ key: string, name: string }", "null"),
    ("merge_clients", "{ from: string, into: string }", "null"),
    ("move_person", "{ email: string, to: string }", "null"),
    (
        "insights",
        "{ from: string, to: string, tz: string }",
        "Insights",
    ),
    (
        "export_report",
        "{ from: string, to: string, tz: string, format: 'json' | 'csv' }",
        "ExportResult",
    ),
];

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
        IpcError::decl(),
        DataChanged::decl(),
        crate::prefs::Preferences::decl(),
        crate::queries::WeekCounts::decl(),
        crate::queries::RecentActivity::decl(),
        crate::queries::Dashboard::decl(),
        crate::queries::SearchResults::decl(),
        ExportResult::decl(),
        WebhookStatus::decl(),
        crate::sync::engine::SyncProgress::decl(),
        crate::store::db::StoreProblem::decl(),
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
    for (name, args, result) in COMMANDS {
        out.push_str(&format!(
            "  {name}: {{ args: {args}; result: {result} }};\n"
        ));
    }
    out.push_str("};\n\n/** Tauri events emitted to the window. */\nexport type Events = {\n  \"data-changed\": DataChanged;\n  \"sync-progress\": SyncProgress;\n};\n");
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
