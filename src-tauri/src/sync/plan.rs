//! The pure planner: Calendly resources plus a snapshot of the rows they touch in, a list of
//! row writes out. No I/O, no clock, no random ids — so the same input always plans the same
//! writes, and replays and out-of-order deliveries converge.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

pub use super::rows::{
    ActivityKind, ActivityRow, ContactUpsert, EventRow, Existing, ExistingInvitee, Input,
    InviteeRow, ParticipantRow, PaymentRow, Plan, PlanError, Role, RoutingRow, Snapshot, Source,
};
use crate::calendly::models::{
    event_of_invitee_uri, Invitee, RoutingFormSubmission, ScheduledEvent, WebhookPayload,
};

/// The URIs whose stored state the planner needs for `input`.
pub fn touched(input: &Input) -> (Vec<String>, Vec<String>) {
    match input {
        Input::Event { event, invitees } => (
            vec![event.uri.clone()],
            invitees.iter().map(|i| i.uri.clone()).collect(),
        ),
        Input::Webhook { payload, .. } => match invitee_of(payload) {
            Some(inv) => (
                inv.scheduled_event.iter().map(|e| e.uri.clone()).collect(),
                vec![inv.uri.clone()],
            ),
            None => (vec![], vec![]),
        },
    }
}

fn invitee_of(p: &WebhookPayload) -> Option<&Invitee> {
    match p {
        WebhookPayload::InviteeCreated(i)
        | WebhookPayload::InviteeCanceled(i)
        | WebhookPayload::NoShowCreated(i)
        | WebhookPayload::NoShowDeleted(i) => Some(i),
        WebhookPayload::RoutingFormSubmitted(_) | WebhookPayload::Unknown(_) => None,
    }
}

pub fn plan(input: &Input, snap: &Snapshot) -> Result<Plan, PlanError> {
    let mut out = Plan::default();
    match input {
        Input::Event { event, invitees } => {
            plan_event(event, Source::Api, snap, &mut out)?;
            for inv in invitees {
                plan_invitee(inv, &event.uri, snap, false, &mut out)?;
            }
        }
        Input::Webhook { payload, .. } => match payload {
            WebhookPayload::RoutingFormSubmitted(sub) => plan_routing(sub, &mut out)?,
            WebhookPayload::Unknown(_) => {}
            other => {
                let Some(inv) = invitee_of(other) else {
                    return Ok(out);
                };
                let event_uri = match &inv.scheduled_event {
                    Some(ev) => {
                        plan_event(ev, Source::Webhook, snap, &mut out)?;
                        ev.uri.clone()
                    }
                    None => inv
                        .event_uri()
                        .ok_or_else(|| PlanError::NoEvent(inv.uri.clone()))?,
                };
                let cleared = matches!(other, WebhookPayload::NoShowDeleted(_));
                plan_invitee(inv, &event_uri, snap, cleared, &mut out)?;
            }
        },
    }
    Ok(out)
}

fn is_newer(incoming: Option<&str>, stored: Option<&str>) -> bool {
    match (incoming.and_then(parse), stored.and_then(parse)) {
        (Some(a), Some(b)) => a >= b,
        _ => true,
    }
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Normalizes an instant to Calendly's form (UTC, microseconds, `Z`) and its milliseconds.
fn instant(uri: &str, field: &'static str, value: &str) -> Result<(String, i64), PlanError> {
    let at = parse(value).ok_or_else(|| PlanError::BadField {
        uri: uri.to_string(),
        field,
        value: value.to_string(),
    })?;
    Ok((
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        at.timestamp_millis(),
    ))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

fn plan_event(
    ev: &ScheduledEvent,
    source: Source,
    snap: &Snapshot,
    out: &mut Plan,
) -> Result<(), PlanError> {
    let raw = json(ev);
    if let Some(old) = snap.events.get(&ev.uri) {
        if old.raw_json == raw || !is_newer(ev.updated_at.as_deref(), old.updated_at.as_deref()) {
            return Ok(());
        }
    }
    let (start_time, start_ms) = instant(&ev.uri, "start_time", &ev.start_time)?;
    let (end_time, end_ms) = instant(&ev.uri, "end_time", &ev.end_time)?;
    let status = if ev.status == "canceled" {
        "canceled"
    } else {
        "active"
    };
    out.events.push(EventRow {
        uri: ev.uri.clone(),
        name: ev.name.clone().unwrap_or_else(|| "Meeting".into()),
        status: status.into(),
        start_time,
        end_time,
        start_ms,
        end_ms,
        event_type: ev.event_type.clone(),
        location_json: ev.location.as_ref().map(json),
        meeting_notes: ev
            .meeting_notes_plain
            .clone()
            .or_else(|| ev.meeting_notes_html.clone()),
        invitees_total: ev.invitees_counter.as_ref().map(|c| c.total),
        invitees_active: ev.invitees_counter.as_ref().map(|c| c.active),
        cancellation_json: ev.cancellation.as_ref().map(json),
        created_at: ev.created_at.clone(),
        updated_at: ev.updated_at.clone(),
        raw_json: raw,
        source,
    });
    for m in &ev.event_memberships {
        if let Some(email) = m.user_email.as_ref().filter(|e| !e.is_empty()) {
            out.participants.push(ParticipantRow {
                event_uri: ev.uri.clone(),
                role: Role::Host,
                email: email.clone(),
                name: m.user_name.clone(),
                user_uri: m.user.clone(),
                is_contact: false,
            });
        }
    }
    for g in &ev.event_guests {
        out.contacts.push(ContactUpsert {
            email: g.email.clone(),
            name: None,
            name_at: None,
        });
        out.participants.push(ParticipantRow {
            event_uri: ev.uri.clone(),
            role: Role::Guest,
            email: g.email.clone(),
            name: None,
            user_uri: None,
            is_contact: true,
        });
    }
    Ok(())
}

fn display_name(inv: &Invitee) -> Option<String> {
    inv.name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            let joined = [inv.first_name.as_deref(), inv.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!joined.trim().is_empty()).then_some(joined)
        })
}

fn plan_invitee(
    inv: &Invitee,
    event_uri: &str,
    snap: &Snapshot,
    no_show_deleted: bool,
    out: &mut Plan,
) -> Result<(), PlanError> {
    let mut stored = inv.clone();
    stored.scheduled_event = None;
    let raw = json(&stored);
    let old = snap.invitees.get(&inv.uri);
    let newer = old.is_none_or(|o| is_newer(inv.updated_at.as_deref(), o.updated_at.as_deref()));
    let unchanged = old.is_some_and(|o| o.raw_json == raw);
    let name = display_name(inv);

    if newer && !unchanged {
        out.contacts.push(ContactUpsert {
            email: inv.email.clone(),
            name: name.clone(),
            name_at: inv.created_at.clone(),
        });
        out.invitees.push(InviteeRow {
            uri: inv.uri.clone(),
            event_uri: event_uri.to_string(),
            email: inv.email.clone(),
            name: name.clone(),
            first_name: inv.first_name.clone(),
            last_name: inv.last_name.clone(),
            status: if inv.status == "canceled" {
                "canceled".into()
            } else {
                "active".into()
            },
            timezone: inv.timezone.clone(),
            questions_json: json(&inv.questions_and_answers),
            cancellation_json: inv.cancellation.as_ref().map(json),
            no_show_uri: inv.no_show.as_ref().map(|n| n.uri.clone()),
            no_show_at: inv.no_show.as_ref().and_then(|n| n.created_at.clone()),
            rescheduled: inv.rescheduled,
            old_invitee: inv.old_invitee.clone(),
            new_invitee: inv.new_invitee.clone(),
            tracking_json: inv.tracking.as_ref().map(json),
            cancel_url: inv.cancel_url.clone(),
            reschedule_url: inv.reschedule_url.clone(),
            routing_submission: inv.routing_form_submission.clone(),
            created_at: inv.created_at.clone(),
            updated_at: inv.updated_at.clone(),
            raw_json: raw,
            payment: inv.payment.as_ref().map(|p| PaymentRow {
                amount: p.amount,
                currency: p.currency.as_ref().map(|c| c.trim().to_uppercase()),
                successful: p.successful.unwrap_or(false),
                provider: p.provider.clone(),
            }),
        });
        out.participants.push(ParticipantRow {
            event_uri: event_uri.to_string(),
            role: Role::Invitee,
            email: inv.email.clone(),
            name,
            user_uri: None,
            is_contact: true,
        });
    } else if old.is_none() {
        return Ok(());
    }

    // Activities are keyed by what happened, so any input that describes it again (a replay,
    // the other half of a reschedule, a poll after a webhook) lands on the same row.
    let fallback_at = inv
        .updated_at
        .as_deref()
        .or(inv.created_at.as_deref())
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut push = |key: String, kind: ActivityKind, at: &str, ev: Option<String>| {
        if let Ok((at, at_ms)) = instant(&inv.uri, "activity time", at) {
            out.activities.push(ActivityRow {
                key,
                kind,
                email: inv.email.clone(),
                at,
                at_ms,
                event_uri: ev,
                invitee_uri: Some(inv.uri.clone()),
            });
        }
    };
    let created_at = inv.created_at.as_deref().unwrap_or(fallback_at);
    let canceled_at = inv
        .cancellation
        .as_ref()
        .and_then(|c| c.created_at.as_deref())
        .unwrap_or(fallback_at);

    match &inv.old_invitee {
        Some(old_uri) => push(
            format!("rescheduled:{old_uri}"),
            ActivityKind::Rescheduled,
            created_at,
            Some(event_uri.to_string()),
        ),
        None => push(
            format!("booked:{}", inv.uri),
            ActivityKind::Booked,
            created_at,
            Some(event_uri.to_string()),
        ),
    }
    if inv.status == "canceled" {
        if inv.rescheduled || inv.new_invitee.is_some() {
            let to_event = inv
                .new_invitee
                .as_deref()
                .and_then(event_of_invitee_uri)
                .unwrap_or_else(|| event_uri.to_string());
            push(
                format!("rescheduled:{}", inv.uri),
                ActivityKind::Rescheduled,
                canceled_at,
                Some(to_event),
            );
        } else {
            push(
                format!("canceled:{}", inv.uri),
                ActivityKind::Canceled,
                canceled_at,
                Some(event_uri.to_string()),
            );
        }
    }
    if let Some(ns) = &inv.no_show {
        push(
            format!("no_show:{}", ns.uri),
            ActivityKind::NoShow,
            ns.created_at.as_deref().unwrap_or(fallback_at),
            Some(event_uri.to_string()),
        );
    } else if newer && (no_show_deleted || old.is_some_and(|o| o.no_show_uri.is_some())) {
        push(
            format!("no_show_cleared:{}@{}", inv.uri, fallback_at),
            ActivityKind::NoShowCleared,
            fallback_at,
            Some(event_uri.to_string()),
        );
    }
    Ok(())
}

fn plan_routing(sub: &RoutingFormSubmission, out: &mut Plan) -> Result<(), PlanError> {
    // The submitter is an invitee URI at best; the email is among the answers when the form
    // asked for it.
    let email = sub
        .questions_and_answers
        .iter()
        .map(|qa| qa.answer.trim())
        .find(|a| a.contains('@') && !a.contains(char::is_whitespace))
        .map(str::to_string);
    out.routing.push(RoutingRow {
        uri: sub.uri.clone(),
        routing_form: sub.routing_form.clone(),
        submitter: sub.submitter.clone(),
        email: email.clone(),
        created_at: sub.created_at.clone(),
        raw_json: json(sub),
    });
    if let Some(email) = email {
        out.contacts.push(ContactUpsert {
            email: email.clone(),
            name: None,
            name_at: None,
        });
        let at = sub.created_at.as_deref().unwrap_or("1970-01-01T00:00:00Z");
        let (at, at_ms) = instant(&sub.uri, "created_at", at)?;
        out.activities.push(ActivityRow {
            key: format!("routing_form_submitted:{}", sub.uri),
            kind: ActivityKind::RoutingFormSubmitted,
            email,
            at,
            at_ms,
            event_uri: None,
            invitee_uri: sub.submitter.clone(),
        });
    }
    Ok(())
}

/// Raw JSON helper for tests and fixtures.
pub fn value_of<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
