//! Read models for the home screen and the search box: plain functions over a connection (a
//! read snapshot), returning `ts-rs` structs. Meeting rows come from `feed::calendar_range` so a
//! tile looks the same on the dashboard, in search results and in the calendar.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::feed::{self, CalendarEvent, ContactSummary};
use crate::store::StoreError;

/// How many meetings the dashboard lists after now.
pub const UPCOMING: usize = 5;
/// How many activities the dashboard lists.
pub const RECENT: usize = 10;

/// The home screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Active meetings overlapping today, by start.
    pub today: Vec<CalendarEvent>,
    /// The next active meetings after today (or after now, if later), by start.
    pub upcoming: Vec<CalendarEvent>,
    pub week: WeekCounts,
    /// The latest activities, newest first.
    pub recent: Vec<RecentActivity>,
}

/// What happened this week (by when it happened, not when the meeting is).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WeekCounts {
    #[ts(type = "number")]
    pub booked: i64,
    #[ts(type = "number")]
    pub canceled: i64,
    #[ts(type = "number")]
    pub rescheduled: i64,
    /// No-shows marked this week and not cleared since.
    #[ts(type = "number")]
    pub no_shows: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentActivity {
    /// `booked`, `canceled`, `rescheduled`, `no_show`, `no_show_cleared`, `routing_form_submitted`.
    pub kind: String,
    pub at: String,
    pub contact_email: String,
    pub contact_name: Option<String>,
    pub event_uri: Option<String>,
    pub event_name: Option<String>,
}

/// What the search box found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    /// Newest first.
    pub meetings: Vec<CalendarEvent>,
    /// By name.
    pub contacts: Vec<ContactSummary>,
}

/// The home screen at `now_ms`; the caller works out the user's day and week in their zone.
pub fn dashboard(
    conn: &Connection,
    now_ms: i64,
    week_start_ms: i64,
    week_end_ms: i64,
    day_start_ms: i64,
    day_end_ms: i64,
) -> Result<Dashboard, StoreError> {
    Ok(Dashboard {
        today: feed::calendar_range(conn, day_start_ms, day_end_ms, false)?,
        // Today is listed on its own; "coming up" starts after it.
        upcoming: upcoming(conn, now_ms.max(day_end_ms))?,
        week: week_counts(conn, week_start_ms, week_end_ms)?,
        recent: recent(conn, RECENT)?,
    })
}

fn upcoming(conn: &Connection, now_ms: i64) -> Result<Vec<CalendarEvent>, StoreError> {
    // Bound the range by the start of the UPCOMING-th next meeting so the calendar query reads a
    // handful of rows, not the whole future.
    let last: Option<i64> = conn
        .prepare_cached(
            "SELECT start_ms FROM scheduled_events WHERE status = 'active' AND start_ms >= ?1
             ORDER BY start_ms LIMIT 1 OFFSET ?2",
        )?
        .query_row(params![now_ms, UPCOMING as i64 - 1], |r| r.get(0))
        .optional()?;
    let to_ms = last.map_or(i64::MAX, |ms| ms.saturating_add(1));
    let mut events = feed::calendar_range(conn, now_ms, to_ms, false)?;
    // The range also returns meetings already under way; those are today's, not upcoming.
    events.retain(|e| {
        chrono::DateTime::parse_from_rfc3339(&e.start)
            .map(|s| s.timestamp_millis() >= now_ms)
            .unwrap_or(false)
    });
    events.truncate(UPCOMING);
    Ok(events)
}

fn week_counts(conn: &Connection, from_ms: i64, to_ms: i64) -> Result<WeekCounts, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.kind, count(*) FROM activities a
         LEFT JOIN invitees i ON i.uri = a.invitee_uri
         WHERE a.at_ms >= ?1 AND a.at_ms < ?2
           AND (a.kind <> 'no_show' OR i.uri IS NULL OR i.no_show_uri IS NOT NULL)
         GROUP BY a.kind",
    )?;
    let mut counts = WeekCounts::default();
    let rows = stmt.query_map(params![from_ms, to_ms], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (kind, n) = row?;
        match kind.as_str() {
            "booked" => counts.booked = n,
            "canceled" => counts.canceled = n,
            "rescheduled" => counts.rescheduled = n,
            "no_show" => counts.no_shows = n,
            _ => {}
        }
    }
    Ok(counts)
}

fn recent(conn: &Connection, limit: usize) -> Result<Vec<RecentActivity>, StoreError> {
    let mut stmt = conn.prepare_cached(
        // The newest rows first, then the joins: the planner would otherwise walk the
        // per-contact index and sort everything.
        "SELECT a.kind, a.at, c.email, c.name, a.event_uri, e.name
         FROM (SELECT * FROM activities ORDER BY at_ms DESC, id DESC LIMIT ?1) a
         JOIN contacts c ON c.id = a.contact_id
         LEFT JOIN scheduled_events e ON e.uri = a.event_uri
         ORDER BY a.at_ms DESC, a.id DESC",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(RecentActivity {
            kind: r.get(0)?,
            at: r.get(1)?,
            contact_email: r.get(2)?,
            contact_name: r.get(3)?,
            event_uri: r.get(4)?,
            event_name: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `%text%` for `LIKE … ESCAPE '\'`, with the user's `%`, `_` and `\` taken literally.
fn like_pattern(query: &str) -> String {
    let mut p = String::with_capacity(query.len() + 2);
    p.push('%');
    for c in query.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Above this many raw matches a term is common, and walking meetings newest-first meets
/// `limit` of them quickly; below it, two straight scans collect every match instead.
const DENSE: usize = 1000;

/// Whether an invitee row (aliased `i`) matches `?1`. A cheap test of the stored JSON text
/// against `?2` (the query as it reads inside a JSON string) comes first, so only candidate rows
/// are parsed.
const INVITEE_MATCHES: &str =
    "(i.email LIKE ?1 ESCAPE '\\' OR coalesce(i.name, '') LIKE ?1 ESCAPE '\\'
    OR (i.questions_json LIKE ?2 ESCAPE '\\' AND EXISTS (SELECT 1 FROM json_each(i.questions_json) q
        WHERE json_extract(q.value, '$.answer') LIKE ?1 ESCAPE '\\')))";

/// (uri, start_ms, end_ms) of the newest `limit` meetings matching `pattern`.
fn matching_meetings(
    conn: &Connection,
    query: &str,
    limit: usize,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let pattern = like_pattern(query);
    let quoted = serde_json::to_string(query)?;
    let in_json = like_pattern(
        quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .unwrap_or(&quoted),
    );
    let row = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?));
    let candidates: Vec<String> = conn
        .prepare_cached(&format!(
            "SELECT uri FROM scheduled_events WHERE name LIKE ?1 ESCAPE '\\'
             UNION ALL
             SELECT i.event_uri FROM invitees i WHERE {INVITEE_MATCHES}
             LIMIT ?3"
        ))?
        .query_map(params![pattern, in_json, DENSE as i64 + 1], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let hits = if candidates.len() <= DENSE {
        let uris = serde_json::to_string(&candidates)?;
        conn.prepare_cached(
            "SELECT uri, start_ms, end_ms FROM scheduled_events
             WHERE uri IN (SELECT value FROM json_each(?1))
             ORDER BY start_ms DESC, uri LIMIT ?2",
        )?
        .query_map(params![uris, limit as i64], row)?
        .collect::<Result<_, _>>()?
    } else {
        conn.prepare_cached(&format!(
            "SELECT e.uri, e.start_ms, e.end_ms FROM scheduled_events e
             WHERE e.name LIKE ?1 ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM invitees i WHERE i.event_uri = e.uri AND {INVITEE_MATCHES})
             ORDER BY e.start_ms DESC, e.uri LIMIT ?3"
        ))?
        .query_map(params![pattern, in_json, limit as i64], row)?
        .collect::<Result<_, _>>()?
    };
    Ok(hits)
}

/// The calendar's own rows for these meetings, in the order given. Meetings close in time share
/// one `calendar_range` call.
fn calendar_rows(
    conn: &Connection,
    hits: &[(String, i64, i64)],
) -> Result<Vec<CalendarEvent>, StoreError> {
    const NEAR_MS: i64 = 86_400_000;
    let mut spans: Vec<(i64, i64)> = hits
        .iter()
        .map(|(_, start, end)| (start.saturating_sub(1), (*end).max(start.saturating_add(1))))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(i64, i64)> = Vec::new();
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1.saturating_add(NEAR_MS) => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    let wanted: HashMap<&str, usize> = hits
        .iter()
        .enumerate()
        .map(|(i, (uri, _, _))| (uri.as_str(), i))
        .collect();
    let mut rows: Vec<Option<CalendarEvent>> = vec![None; hits.len()];
    for (from, to) in merged {
        for e in feed::calendar_range(conn, from, to, true)? {
            if let Some(&i) = wanted.get(e.uri.as_str()) {
                rows[i] = Some(e);
            }
        }
    }
    Ok(rows.into_iter().flatten().collect())
}

/// The first `limit` contacts by name whose name or email contains `query`, as the contacts list
/// shows them. `feed::contacts` summarises every contact its (unescaped) LIKE matches, which for a
/// common term is all of them, so the matches are picked here and summarised one by one.
fn matching_contacts(
    conn: &Connection,
    query: &str,
    limit: usize,
    now_ms: i64,
) -> Result<Vec<ContactSummary>, StoreError> {
    let emails: Vec<String> = conn
        .prepare_cached(
            "SELECT email FROM contacts
             WHERE email LIKE ?1 ESCAPE '\\' OR coalesce(name, '') LIKE ?1 ESCAPE '\\'
             ORDER BY coalesce(name, email) COLLATE NOCASE, email LIMIT ?2",
        )?
        .query_map(params![like_pattern(query), limit as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(emails.len());
    for email in emails {
        out.extend(
            feed::contacts(conn, Some(&email), now_ms)?
                .into_iter()
                .find(|c| c.email.eq_ignore_ascii_case(&email)),
        );
    }
    Ok(out)
}

/// Meetings whose name, invitee name or email, or Q&A answer contains `query`, and contacts whose
/// name or email does; case-insensitive (ASCII letters), at most `limit` of each. `now_ms`
/// decides a contact's last and next meeting.
pub fn search(
    conn: &Connection,
    query: &str,
    limit: usize,
    now_ms: i64,
) -> Result<SearchResults, StoreError> {
    let query = query.trim();
    if query.is_empty() || limit == 0 {
        return Ok(SearchResults::default());
    }
    let hits = matching_meetings(conn, query, limit)?;
    let meetings = calendar_rows(conn, &hits)?;

    let contacts = matching_contacts(conn, query, limit, now_ms)?;
    Ok(SearchResults { meetings, contacts })
}

/// Every IANA time zone name `chrono-tz` knows, sorted, for the zone picker.
pub fn timezones() -> Vec<String> {
    let mut zones: Vec<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name().to_string())
        .collect();
    zones.sort();
    zones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("anna"), "%anna%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn timezones_are_sorted_and_complete() {
        let zones = timezones();
        assert!(zones.len() > 400);
        assert!(zones.windows(2).all(|w| w[0] < w[1]));
        for z in [
            "America/Santiago",
            "Europe/Amsterdam",
            "Australia/Sydney",
            "UTC",
        ] {
            assert!(zones.iter().any(|x| x == z), "{z}");
        }
    }
}
