//! The contract's JSON: every event with its hosts, invitees and guests, and every contact with
//! its activity in the range.

use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::types::Range;
use crate::store::{Store, StoreError};

pub fn json_export(store: &Store, range: Range) -> Result<Value, StoreError> {
    store.read(|tx| build(tx, range))
}

fn parse_json(s: Option<String>) -> Value {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}

fn build(conn: &Connection, range: Range) -> Result<Value, StoreError> {
    let (from_ms, to_ms) = range.bounds_ms();
    let mut events = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT uri, name, status, start_time, end_time, event_type, location_json
         FROM scheduled_events WHERE start_ms >= ?1 AND start_ms < ?2 ORDER BY start_ms, uri",
    )?;
    let rows = stmt.query_map([from_ms, to_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    let mut hosts_stmt = conn.prepare(
        "SELECT name, email, user_uri FROM event_participants
         WHERE event_uri = ?1 AND role = 'host' ORDER BY email",
    )?;
    let mut guests_stmt = conn.prepare(
        "SELECT email FROM event_participants WHERE event_uri = ?1 AND role = 'guest' ORDER BY email",
    )?;
    let mut inv_stmt = conn.prepare(
        "SELECT uri, name, email, status, timezone, no_show_uri, rescheduled, old_invitee,
            new_invitee, cancellation_json, questions_json
         FROM invitees WHERE event_uri = ?1 ORDER BY created_at, uri",
    )?;
    for row in rows {
        let (uri, name, status, start, end, event_type, location) = row?;
        let location = match parse_json(location) {
            Value::Object(o) => json!({
                "type": o.get("type").cloned().unwrap_or(Value::Null),
                "location": o.get("location").cloned().unwrap_or(Value::Null),
                "join_url": o.get("join_url").cloned().unwrap_or(Value::Null),
            }),
            _ => Value::Null,
        };
        let hosts: Vec<Value> = hosts_stmt
            .query_map([&uri], |r| {
                Ok(json!({
                    "name": r.get::<_, Option<String>>(0)?,
                    "email": r.get::<_, String>(1)?,
                    "user_uri": r.get::<_, Option<String>>(2)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        let guests: Vec<Value> = guests_stmt
            .query_map([&uri], |r| Ok(json!({ "email": r.get::<_, String>(0)? })))?
            .collect::<Result<_, _>>()?;
        let invitees: Vec<Value> = inv_stmt
            .query_map([&uri], |r| {
                let cancellation = match parse_json(r.get(9)?) {
                    Value::Object(o) => json!({
                        "canceled_by": o.get("canceled_by").cloned().unwrap_or(Value::Null),
                        "reason": o.get("reason").cloned().unwrap_or(Value::Null),
                        "canceler_type": o.get("canceler_type").cloned().unwrap_or(Value::Null),
                    }),
                    _ => Value::Null,
                };
                let qa: Vec<Value> = match parse_json(r.get(10)?) {
                    Value::Array(items) => items
                        .into_iter()
                        .map(|q| {
                            json!({
                                "question": q.get("question").cloned().unwrap_or(Value::Null),
                                "answer": q.get("answer").cloned().unwrap_or(Value::Null),
                            })
                        })
                        .collect(),
                    _ => vec![],
                };
                Ok(json!({
                    "uri": r.get::<_, String>(0)?,
                    "name": r.get::<_, Option<String>>(1)?,
                    "email": r.get::<_, String>(2)?,
                    "status": r.get::<_, String>(3)?,
                    "timezone": r.get::<_, Option<String>>(4)?,
                    "no_show": r.get::<_, Option<String>>(5)?.is_some(),
                    "rescheduled": r.get::<_, bool>(6)?,
                    "rescheduled_from": r.get::<_, Option<String>>(7)?,
                    "rescheduled_to": r.get::<_, Option<String>>(8)?,
                    "cancellation": cancellation,
                    "questions_and_answers": qa,
                }))
            })?
            .collect::<Result<_, _>>()?;
        events.push(json!({
            "uri": uri,
            "name": name,
            "status": status,
            "start_time": start,
            "end_time": end,
            "event_type": event_type,
            "location": location,
            "hosts": hosts,
            "invitees": invitees,
            "guests": guests,
        }));
    }

    let mut contacts = Vec::new();
    let mut c_stmt =
        conn.prepare("SELECT id, email, name FROM contacts ORDER BY email COLLATE NOCASE")?;
    // By time, then by what each activity is (never by row id): stores that received the same
    // deliveries in different orders export the same bytes.
    let mut a_stmt = conn.prepare(
        "SELECT kind, at, event_uri FROM activities
         WHERE contact_id = ?1 AND at_ms >= ?2 AND at_ms < ?3
         ORDER BY at_ms, at, kind, event_uri, invitee_uri, idempotency_key",
    )?;
    let crow = c_stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for c in crow {
        let (id, email, name) = c?;
        let activity: Vec<Value> = a_stmt
            .query_map(rusqlite::params![id, from_ms, to_ms], |r| {
                Ok(json!({
                    "kind": r.get::<_, String>(0)?,
                    "at": r.get::<_, String>(1)?,
                    "event_uri": r.get::<_, Option<String>>(2)?,
                }))
            })?
            .collect::<Result<_, _>>()?;
        let mut o = Map::new();
        o.insert("email".into(), json!(email));
        o.insert("name".into(), json!(name));
        o.insert("activity".into(), Value::Array(activity));
        contacts.push(Value::Object(o));
    }
    Ok(json!({ "events": events, "contacts": contacts }))
}
