//! The contact read models: the contact list and one contact's timeline and answers.

use rusqlite::{params, Connection, OptionalExtension};

use super::meetings::qa_of;
use super::views::{ActivityItem, ContactDetail, ContactSummary};
use crate::store::StoreError;

/// Contacts, optionally filtered by a case-insensitive substring of name or email.
pub fn contacts(
    conn: &Connection,
    query: Option<&str>,
    now_ms: i64,
) -> Result<Vec<ContactSummary>, StoreError> {
    let pattern = format!("%{}%", query.unwrap_or("").trim());
    let mut stmt = conn.prepare_cached(
        "SELECT c.email, c.name,
            (SELECT count(DISTINCT p.event_uri) FROM event_participants p
               JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active'),
            (SELECT count(*) FROM invitees i WHERE i.contact_id = c.id AND i.no_show_uri IS NOT NULL),
            (SELECT max(e.start_time) FROM event_participants p JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active' AND e.start_ms < ?2),
            (SELECT min(e.start_time) FROM event_participants p JOIN scheduled_events e ON e.uri = p.event_uri
               WHERE p.contact_id = c.id AND e.status = 'active' AND e.start_ms >= ?2)
         FROM contacts c
         WHERE c.email LIKE ?1 OR coalesce(c.name, '') LIKE ?1
         ORDER BY coalesce(c.name, c.email) COLLATE NOCASE",
    )?;
    let rows = stmt.query_map(params![pattern, now_ms], |r| {
        Ok(ContactSummary {
            email: r.get(0)?,
            name: r.get(1)?,
            meetings: r.get(2)?,
            no_shows: r.get(3)?,
            last_meeting: r.get(4)?,
            next_meeting: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn contact_detail(conn: &Connection, email: &str) -> Result<Option<ContactDetail>, StoreError> {
    let Some((id, email, name)) = conn
        .prepare_cached("SELECT id, email, name FROM contacts WHERE email = ?1")?
        .query_row([email], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT a.kind, a.at, a.event_uri, e.name FROM activities a
         LEFT JOIN scheduled_events e ON e.uri = a.event_uri
         WHERE a.contact_id = ?1 ORDER BY a.at_ms DESC, a.id DESC",
    )?;
    let activity = stmt
        .query_map([id], |r| {
            Ok(ActivityItem {
                kind: r.get(0)?,
                at: r.get(1)?,
                event_uri: r.get(2)?,
                event_name: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT questions_json FROM invitees WHERE contact_id = ?1 ORDER BY created_at DESC",
    )?;
    let mut answers = Vec::new();
    for raw in stmt.query_map([id], |r| r.get::<_, String>(0))? {
        for qa in qa_of(&raw?) {
            if !answers.contains(&qa) {
                answers.push(qa);
            }
        }
    }
    Ok(Some(ContactDetail {
        email,
        name,
        activity,
        answers,
    }))
}
