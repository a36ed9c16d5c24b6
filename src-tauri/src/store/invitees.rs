//! The `invitees` table.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use super::StoreError;
use crate::sync::plan::{ExistingInvitee, InviteeRow};

pub fn existing(
    conn: &Connection,
    uris: &[String],
) -> Result<HashMap<String, ExistingInvitee>, StoreError> {
    let mut out = HashMap::new();
    let mut stmt = conn
        .prepare_cached("SELECT updated_at, raw_json, no_show_uri FROM invitees WHERE uri = ?1")?;
    for uri in uris {
        if let Some(e) = stmt
            .query_row([uri], |r| {
                Ok(ExistingInvitee {
                    updated_at: r.get(0)?,
                    raw_json: r.get(1)?,
                    no_show_uri: r.get(2)?,
                })
            })
            .optional()?
        {
            out.insert(uri.clone(), e);
        }
    }
    Ok(out)
}

pub fn upsert(conn: &Connection, i: &InviteeRow, contact_id: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO invitees (uri, event_uri, contact_id, name, first_name, last_name, email,
            status, timezone, questions_json, cancellation_json, no_show_uri, no_show_at,
            rescheduled, old_invitee, new_invitee, tracking_json, cancel_url, reschedule_url,
            routing_submission, created_at, updated_at, raw_json, payment_amount,
            payment_currency, payment_successful, payment_provider)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)
         ON CONFLICT (uri) DO UPDATE SET
            event_uri = excluded.event_uri, contact_id = excluded.contact_id, name = excluded.name,
            first_name = excluded.first_name, last_name = excluded.last_name, email = excluded.email,
            status = excluded.status, timezone = excluded.timezone,
            questions_json = excluded.questions_json, cancellation_json = excluded.cancellation_json,
            no_show_uri = excluded.no_show_uri, no_show_at = excluded.no_show_at,
            rescheduled = excluded.rescheduled,
            old_invitee = coalesce(excluded.old_invitee, old_invitee),
            new_invitee = coalesce(excluded.new_invitee, new_invitee),
            tracking_json = excluded.tracking_json, cancel_url = excluded.cancel_url,
            reschedule_url = excluded.reschedule_url,
            routing_submission = excluded.routing_submission, created_at = excluded.created_at,
            updated_at = excluded.updated_at, raw_json = excluded.raw_json,
            payment_amount = excluded.payment_amount, payment_currency = excluded.payment_currency,
            payment_successful = excluded.payment_successful,
            payment_provider = excluded.payment_provider",
    )?
    .execute(params![
        i.uri,
        i.event_uri,
        contact_id,
        i.name,
        i.first_name,
        i.last_name,
        i.email,
        i.status,
        i.timezone,
        i.questions_json,
        i.cancellation_json,
        i.no_show_uri,
        i.no_show_at,
        i.rescheduled,
        i.old_invitee,
        i.new_invitee,
        i.tracking_json,
        i.cancel_url,
        i.reschedule_url,
        i.routing_submission,
        i.created_at,
        i.updated_at,
        i.raw_json,
        i.payment.as_ref().and_then(|p| p.amount),
        i.payment.as_ref().and_then(|p| p.currency.as_deref()),
        i.payment.as_ref().map(|p| p.successful),
        i.payment.as_ref().and_then(|p| p.provider.as_deref()),
    ])?;
    Ok(())
}
