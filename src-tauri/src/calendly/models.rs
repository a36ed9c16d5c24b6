//! Calendly's resources, lenient where Calendly is: unknown fields are kept (`extra`), nullable
//! names are `Option`, lists, flags and counters read `null` as empty, false or zero
//! ([`null_as_default`]), and unknown webhook `event` names and location types are plain strings
//! kept as they came.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// `null` read as the type's default (an empty list, `false`, `0`, `""`). Calendly documents
/// these fields as always present, but real deliveries have carried `null` for them, and a
/// delivery refused for that would be lost.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub uri: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
    #[serde(default)]
    pub current_organization: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// `physical`, `zoom` or `zoom_conference`, `google_conference`, `microsoft_teams_conference`,
    /// `outbound_call`, `inbound_call`, `custom`, `ask_invitee`, … kept as Calendly sent it.
    #[serde(rename = "type")]
    #[serde(default, deserialize_with = "null_as_default")]
    pub kind: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub join_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteesCounter {
    #[serde(default, deserialize_with = "null_as_default")]
    pub total: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub active: i64,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMembership {
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub user_email: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventGuest {
    pub email: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    #[serde(default)]
    pub canceled_by: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub canceler_type: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    pub uri: String,
    #[serde(default)]
    pub name: Option<String>,
    pub status: String,
    pub start_time: String,
    pub end_time: String,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub location: Option<Location>,
    #[serde(default)]
    pub invitees_counter: Option<InviteesCounter>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub event_memberships: Vec<EventMembership>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub event_guests: Vec<EventGuest>,
    #[serde(default)]
    pub cancellation: Option<Cancellation>,
    #[serde(default)]
    pub meeting_notes_plain: Option<String>,
    #[serde(default)]
    pub meeting_notes_html: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionAndAnswer {
    #[serde(default, deserialize_with = "null_as_default")]
    pub question: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub answer: String,
    #[serde(default)]
    pub position: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoShow {
    pub uri: String,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// An invitee's `payment`: `provider` is `stripe` or `paypal`, `amount` a float in `currency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default, deserialize_with = "lenient_amount")]
    pub amount: Option<f64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub terms: Option<String>,
    #[serde(default)]
    pub successful: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn lenient_payment<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Payment>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// Calendly sends a float; a numeric string is read as one too.
fn lenient_amount<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitee {
    pub uri: String,
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub status: String,
    #[serde(default)]
    pub timezone: Option<String>,
    /// The scheduled event's URI. Old deliveries may lack it; it is then derived from `uri`.
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub questions_and_answers: Vec<QuestionAndAnswer>,
    #[serde(default)]
    pub tracking: Option<Value>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub rescheduled: bool,
    #[serde(default)]
    pub old_invitee: Option<String>,
    #[serde(default)]
    pub new_invitee: Option<String>,
    #[serde(default)]
    pub cancel_url: Option<String>,
    #[serde(default)]
    pub reschedule_url: Option<String>,
    #[serde(default)]
    pub routing_form_submission: Option<String>,
    #[serde(default)]
    pub cancellation: Option<Cancellation>,
    #[serde(default)]
    pub no_show: Option<NoShow>,
    /// What the invitee paid when booking (paid event types only). A payment of an unexpected
    /// shape is dropped rather than failing the whole invitee.
    #[serde(default, deserialize_with = "lenient_payment")]
    pub payment: Option<Payment>,
    /// Present in webhook payloads, absent in the invitees listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_event: Option<ScheduledEvent>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Invitee {
    /// The event this invitee belongs to: `event`, else the URI's `…/scheduled_events/{id}` prefix.
    pub fn event_uri(&self) -> Option<String> {
        self.event
            .clone()
            .or_else(|| event_of_invitee_uri(&self.uri))
    }
}

/// `…/scheduled_events/{event}/invitees/{invitee}` → `…/scheduled_events/{event}`.
pub fn event_of_invitee_uri(invitee_uri: &str) -> Option<String> {
    invitee_uri
        .rfind("/invitees/")
        .map(|i| invitee_uri[..i].to_string())
        .filter(|e| e.contains("/scheduled_events/"))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingFormSubmission {
    pub uri: String,
    #[serde(default)]
    pub routing_form: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub questions_and_answers: Vec<QuestionAndAnswer>,
    #[serde(default)]
    pub submitter: Option<String>,
    #[serde(default)]
    pub submitter_type: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookSubscription {
    pub uri: String,
    pub callback_url: String,
    pub state: String,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<String>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub retry_started_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A webhook delivery as Calendly sends it; `payload` is decoded by [`WebhookEnvelope::decode`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEnvelope {
    pub event: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    pub payload: Value,
}

/// What a delivery means, by its `event` name.
#[derive(Debug, Clone, PartialEq)]
pub enum WebhookPayload {
    InviteeCreated(Invitee),
    InviteeCanceled(Invitee),
    NoShowCreated(Invitee),
    NoShowDeleted(Invitee),
    RoutingFormSubmitted(RoutingFormSubmission),
    /// An event name Slotline does not handle; kept in the inbox and marked ignored.
    Unknown(String),
}

impl WebhookEnvelope {
    pub fn decode(&self) -> Result<WebhookPayload, serde_json::Error> {
        let invitee = || serde_json::from_value::<Invitee>(self.payload.clone());
        Ok(match self.event.as_str() {
            "invitee.created" => WebhookPayload::InviteeCreated(invitee()?),
            "invitee.canceled" => WebhookPayload::InviteeCanceled(invitee()?),
            "invitee_no_show.created" => WebhookPayload::NoShowCreated(invitee()?),
            "invitee_no_show.deleted" => WebhookPayload::NoShowDeleted(invitee()?),
            "routing_form_submission.created" => {
                WebhookPayload::RoutingFormSubmitted(serde_json::from_value(self.payload.clone())?)
            }
            other => WebhookPayload::Unknown(other.to_string()),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource<T> {
    pub resource: T,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Pagination {
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection<T> {
    pub collection: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub pagination: Pagination,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitee_is_lenient_and_keeps_unknown_fields() {
        let json = serde_json::json!({
            "uri": "https://api.calendly.com/scheduled_events/E1/invitees/I1",
            "email": "a@example.com",
            "name": null,
            "status": "active",
            "brand_new_field": {"x": 1},
        });
        let inv: Invitee = serde_json::from_value(json).expect("parse");
        assert_eq!(inv.name, None);
        assert_eq!(
            inv.event_uri().as_deref(),
            Some("https://api.calendly.com/scheduled_events/E1")
        );
        assert_eq!(inv.extra["brand_new_field"]["x"], 1);
    }

    #[test]
    fn a_payment_is_read_and_an_odd_one_does_not_fail_the_invitee() {
        let base = serde_json::json!({
            "uri": "https://api.calendly.com/scheduled_events/E1/invitees/I1",
            "email": "a@example.com", "status": "active",
        });
        let with = |payment: Value| {
            let mut v = base.clone();
            v["payment"] = payment;
            serde_json::from_value::<Invitee>(v).expect("parse")
        };
        let paid = with(
            serde_json::json!({"external_id": "ch_1", "provider": "stripe",
            "amount": 1450.0, "currency": "EUR", "terms": "t", "successful": true}),
        );
        let p = paid.payment.expect("payment");
        assert_eq!(
            (p.amount, p.currency.as_deref(), p.successful),
            (Some(1450.0), Some("EUR"), Some(true))
        );
        assert_eq!(
            with(serde_json::json!({"amount": "99.5"}))
                .payment
                .and_then(|p| p.amount),
            Some(99.5)
        );
        assert_eq!(with(Value::Null).payment, None);
        assert_eq!(with(serde_json::json!("paid")).payment, None);
        assert_eq!(
            serde_json::from_value::<Invitee>(base)
                .expect("parse")
                .payment,
            None
        );
    }

    #[test]
    fn both_zoom_spellings_parse() {
        for kind in ["zoom", "zoom_conference"] {
            let loc: Location = serde_json::from_value(
                serde_json::json!({"type": kind, "join_url": "https://zoom.us/j/1", "status": "pushed"}),
            )
            .expect("parse");
            assert_eq!(loc.kind, kind);
            assert_eq!(loc.join_url.as_deref(), Some("https://zoom.us/j/1"));
        }
    }

    #[test]
    fn unknown_event_names_are_kept() {
        let env: WebhookEnvelope = serde_json::from_value(serde_json::json!({
            "event": "meeting_recap.created", "created_at": "2026-01-01T00:00:00.000000Z", "payload": {}
        }))
        .expect("parse");
        assert_eq!(
            env.decode().expect("decode"),
            WebhookPayload::Unknown("meeting_recap.created".into())
        );
    }
}
