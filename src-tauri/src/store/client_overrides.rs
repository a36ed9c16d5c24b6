//! The `client_overrides` table: the consultant's renames, merges and moves of clients. Local
//! only; syncs and webhooks never write it, so the overrides survive every re-sync.

use std::collections::HashMap;

use rusqlite::{params, Connection};

use super::StoreError;

/// Every override, by kind. Keys are client keys (`domain:<domain>`, `person:<email>`); emails
/// are lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientOverrides {
    /// Client key -> the name the consultant gave it.
    pub names: HashMap<String, String>,
    /// Client key -> the client key it was merged into.
    pub merges: HashMap<String, String>,
    /// Email -> the client key the person was moved to.
    pub members: HashMap<String, String>,
}

/// What an override row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideKind {
    Name,
    Merge,
    Member,
}

impl OverrideKind {
    fn as_str(self) -> &'static str {
        match self {
            OverrideKind::Name => "name",
            OverrideKind::Merge => "merge",
            OverrideKind::Member => "member",
        }
    }
}

pub fn all(conn: &Connection) -> Result<ClientOverrides, StoreError> {
    let mut out = ClientOverrides::default();
    let mut stmt = conn.prepare_cached("SELECT kind, subject, value FROM client_overrides")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (kind, subject, value) = row?;
        let map = match kind.as_str() {
            "name" => &mut out.names,
            "merge" => &mut out.merges,
            _ => &mut out.members,
        };
        map.insert(subject, value);
    }
    Ok(out)
}

pub fn set(
    conn: &Connection,
    kind: OverrideKind,
    subject: &str,
    value: &str,
    now: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO client_overrides (kind, subject, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (kind, subject) DO UPDATE SET value = excluded.value,
            updated_at = excluded.updated_at",
    )?
    .execute(params![kind.as_str(), subject, value, now])?;
    Ok(())
}

pub fn delete(conn: &Connection, kind: OverrideKind, subject: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM client_overrides WHERE kind = ?1 AND subject = ?2")?
        .execute(params![kind.as_str(), subject])?;
    Ok(())
}
