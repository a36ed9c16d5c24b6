//! What `slotline status` prints: the status read model as lines for a person.

use crate::config::Config;
use crate::feed;

pub fn status_text(s: &feed::StatusView, config: &Config) -> String {
    let mut out = String::new();
    match &s.account {
        Some(a) => {
            let kind = if a.auth_kind == "oauth" {
                "OAuth"
            } else {
                "personal access token"
            };
            let sandbox = if a.sandbox { " (offline sandbox)" } else { "" };
            out.push_str(&format!(
                "Connected: {} <{}>{sandbox}\nAuth: {kind}\nAPI: {}\n",
                a.name, a.email, a.api_url
            ));
            if let Some(tz) = &a.timezone {
                out.push_str(&format!("Time zone: {tz}\n"));
            }
        }
        None => {
            out.push_str("Connected: no (run `slotline connect --token-stdin` or open the app)\n")
        }
    }
    if let Some(r) = &s.reconnect {
        out.push_str(&format!("Reconnect Calendly: {r}\n"));
    }
    if let Some(w) = &s.token_warning {
        out.push_str(&format!("Sign-in not saved: {w}\n"));
    }
    if let Some(at) = s
        .last_refresh
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
    {
        out.push_str(&format!(
            "Token refreshed: {}\n",
            crate::clock::format_utc(at)
        ));
    }
    out.push_str(&format!(
        "Last sync: {}\n",
        s.last_sync.as_deref().unwrap_or("never")
    ));
    if let Some(e) = &s.last_sync_error {
        out.push_str(&format!("Last sync error: {e}\n"));
    }
    out.push_str(&format!(
        "Store: {} events, {} contacts in {}\n",
        s.events,
        s.contacts,
        config.db_path().display()
    ));
    let i = &s.inbox;
    if i.pending + i.failed + i.unapplied > 0 {
        let reasons = i
            .unapplied_reasons
            .iter()
            .map(|r| format!("{}: {}", r.reason, r.count))
            .collect::<Vec<_>>()
            .join(", ");
        let reasons = if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({reasons})")
        };
        out.push_str(&format!(
            "Webhook inbox: {} pending, {} failed, {} not applied{reasons}\n",
            i.pending, i.failed, i.unapplied
        ));
    }
    out.push_str(&format!("Keyring: {}\n", s.keyring));
    out
}
