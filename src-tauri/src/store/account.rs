//! The `account` table: the one connected Calendly account. Never a secret.

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub user_uri: String,
    pub organization_uri: Option<String>,
    pub name: String,
    pub email: String,
    pub timezone: Option<String>,
    pub avatar_url: Option<String>,
    /// `pat` or `oauth`.
    pub auth_kind: String,
    pub api_url: String,
    pub auth_url: String,
    pub is_sandbox: bool,
    pub webhooks_allowed: bool,
    pub connected_at: String,
    pub raw_json: String,
}

pub fn get(conn: &Connection) -> Result<Option<Account>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT user_uri, organization_uri, name, email, timezone, avatar_url, auth_kind,
                api_url, auth_url, is_sandbox, webhooks_allowed, connected_at, raw_json
             FROM account WHERE id = 1",
        )?
        .query_row([], |r| {
            Ok(Account {
                user_uri: r.get(0)?,
                organization_uri: r.get(1)?,
                name: r.get(2)?,
                email: r.get(3)?,
                timezone: r.get(4)?,
                avatar_url: r.get(5)?,
                auth_kind: r.get(6)?,
                api_url: r.get(7)?,
                auth_url: r.get(8)?,
                is_sandbox: r.get(9)?,
                webhooks_allowed: r.get(10)?,
                connected_at: r.get(11)?,
                raw_json: r.get(12)?,
            })
        })
        .optional()?)
}

pub fn set(conn: &Connection, a: &Account) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO account (id, user_uri, organization_uri, name, email, timezone, avatar_url,
            auth_kind, api_url, auth_url, is_sandbox, webhooks_allowed, connected_at, raw_json)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET user_uri = excluded.user_uri,
            organization_uri = excluded.organization_uri, name = excluded.name,
            email = excluded.email, timezone = excluded.timezone, avatar_url = excluded.avatar_url,
            auth_kind = excluded.auth_kind, api_url = excluded.api_url, auth_url = excluded.auth_url,
            is_sandbox = excluded.is_sandbox, webhooks_allowed = excluded.webhooks_allowed,
            connected_at = excluded.connected_at, raw_json = excluded.raw_json",
    )?
    .execute(params![
        a.user_uri,
        a.organization_uri,
        a.name,
        a.email,
        a.timezone,
        a.avatar_url,
        a.auth_kind,
        a.api_url,
        a.auth_url,
        a.is_sandbox,
        a.webhooks_allowed,
        a.connected_at,
        a.raw_json
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection) -> Result<(), StoreError> {
    conn.execute("DELETE FROM account", [])?;
    Ok(())
}

/// Erases every synced row (the user asked to forget the history too).
pub fn erase_history(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "DELETE FROM activities; DELETE FROM event_participants; DELETE FROM invitees;
         DELETE FROM routing_submissions; DELETE FROM scheduled_events; DELETE FROM contacts;
         DELETE FROM webhook_inbox; DELETE FROM webhook_subscriptions; DELETE FROM sync_state;",
    )?;
    Ok(())
}
