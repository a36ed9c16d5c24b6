//! Calendly's resources exactly as the API serializes them (field names, nullability, timestamp
//! form), shared by the HTTP handlers, the webhook payloads and the control feature's snapshot.

use crate::ids::{ts, ts_opt};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `active` | `canceled`, for scheduled events and invitees alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Canceled => "canceled",
        }
    }
}

/// `GET /users/me` → `resource`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub uri: String,
    pub name: String,
    pub slug: String,
    pub email: String,
    pub scheduling_url: String,
    pub timezone: String,
    pub time_notation: String,
    pub avatar_url: Option<String>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub current_organization: String,
    pub resource_type: String,
    pub locale: String,
}

/// The host's organization (only its URI travels in most payloads).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub uri: String,
    pub name: String,
    pub plan: String,
    pub stage: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
}

/// `profile` of an event type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub owner: String,
}

/// `GET /event_types/{uuid}` → `resource`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventType {
    pub uri: String,
    pub name: String,
    pub active: bool,
    pub booking_method: String,
    pub slug: String,
    pub scheduling_url: String,
    pub duration: u32,
    pub duration_options: Option<Vec<u32>>,
    pub kind: String,
    pub pooling_type: Option<String>,
    #[serde(rename = "type")]
    pub event_type_kind: String,
    pub color: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub internal_note: Option<String>,
    pub description_plain: Option<String>,
    pub description_html: Option<String>,
    pub profile: Profile,
    pub secret: bool,
    #[serde(with = "ts_opt")]
    pub deleted_at: Option<DateTime<Utc>>,
    pub admin_managed: bool,
    pub locations: Vec<Value>,
    pub position: u32,
    pub custom_questions: Vec<Value>,
    pub locale: String,
    pub is_paid: bool,
}

/// `invitees_counter`: `total` includes canceled invitees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteesCounter {
    pub total: u32,
    pub active: u32,
    pub limit: u32,
}

/// A host of a scheduled event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventMembership {
    pub user: String,
    pub user_email: String,
    pub user_name: String,
}

/// An additional guest the invitee brought along.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventGuest {
    pub email: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
}

/// Present on canceled events and invitees only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cancellation {
    pub canceled_by: String,
    pub reason: Option<String>,
    /// `host` | `invitee`
    pub canceler_type: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
}

/// The host calendar entry Calendly wrote for the event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarEvent {
    pub kind: String,
    pub external_id: String,
}

/// `GET /scheduled_events/{uuid}` → `resource`; also embedded as `payload.scheduled_event`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledEvent {
    pub uri: String,
    pub name: String,
    pub meeting_notes_plain: Option<String>,
    pub meeting_notes_html: Option<String>,
    pub status: Status,
    #[serde(with = "ts")]
    pub start_time: DateTime<Utc>,
    #[serde(with = "ts")]
    pub end_time: DateTime<Utc>,
    pub event_type: String,
    /// Polymorphic on `type` (§5.2), kept as JSON because its shape varies per provider.
    pub location: Value,
    pub invitees_counter: InviteesCounter,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub event_memberships: Vec<EventMembership>,
    pub event_guests: Vec<EventGuest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    pub calendar_event: Option<CalendarEvent>,
}

/// One custom-question answer; multi-select answers are newline-joined like Calendly's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionAndAnswer {
    pub question: String,
    pub answer: String,
    pub position: u32,
}

/// UTM and Salesforce tracking captured from the booking link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tracking {
    pub utm_campaign: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
    pub salesforce_uuid: Option<String>,
}

/// `no_show` on an invitee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoShow {
    pub uri: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
}

/// `GET /invitee_no_shows/{uuid}` → `resource`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteeNoShow {
    pub uri: String,
    pub invitee: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
}

/// `GET /scheduled_events/{uuid}/invitees/{uuid}` → `resource` (the Invitee Payload without
/// `scheduled_event`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitee {
    pub uri: String,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: String,
    pub status: Status,
    pub timezone: Option<String>,
    pub event: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    pub questions_and_answers: Vec<QuestionAndAnswer>,
    pub tracking: Tracking,
    pub text_reminder_number: Option<String>,
    pub rescheduled: bool,
    pub old_invitee: Option<String>,
    pub new_invitee: Option<String>,
    pub cancel_url: String,
    pub reschedule_url: String,
    pub routing_form_submission: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<Cancellation>,
    pub payment: Option<Value>,
    pub no_show: Option<NoShow>,
    pub reconfirmation: Option<Value>,
    pub scheduling_method: Option<String>,
    pub invitee_scheduled_by: Option<String>,
}

/// `active` | `disabled`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionState {
    Active,
    Disabled,
}

/// `GET /webhook_subscriptions/{uuid}` → `resource`; the signing key is never part of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookSubscription {
    pub uri: String,
    pub callback_url: String,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
    #[serde(with = "ts_opt")]
    pub retry_started_at: Option<DateTime<Utc>>,
    pub state: SubscriptionState,
    pub events: Vec<String>,
    pub scope: String,
    pub organization: String,
    pub user: Option<String>,
    pub group: Option<String>,
    pub creator: Option<String>,
}

/// The Invitee Payload of `invitee.*` and `invitee_no_show.*` deliveries.
#[derive(Clone, Debug, Serialize)]
pub struct InviteePayload<'a> {
    #[serde(flatten)]
    pub invitee: &'a Invitee,
    pub scheduled_event: &'a ScheduledEvent,
}

/// One answer on a routing form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingAnswer {
    pub question_uuid: String,
    pub question: String,
    pub answer: String,
}

/// Where a routing form sent its submitter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingResult {
    /// `event_type`, `custom_message` or `external_url`.
    #[serde(rename = "type")]
    pub kind: String,
    pub value: serde_json::Value,
}

/// A routing form submission, as `routing_form_submission.created` carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoutingFormSubmission {
    pub uri: String,
    pub routing_form: String,
    pub questions_and_answers: Vec<RoutingAnswer>,
    pub tracking: Tracking,
    pub result: RoutingResult,
    /// The invitee who went on to book, when they did.
    pub submitter: Option<String>,
    pub submitter_type: Option<String>,
    #[serde(with = "ts")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "ts")]
    pub updated_at: DateTime<Utc>,
}

/// The body of a `routing_form_submission.created` delivery.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingEnvelope<'a> {
    pub event: &'a str,
    pub created_at: String,
    pub created_by: &'a str,
    pub payload: &'a RoutingFormSubmission,
}

/// The body of one webhook delivery.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookEnvelope<'a> {
    pub event: &'a str,
    pub created_at: String,
    pub created_by: &'a str,
    pub payload: InviteePayload<'a>,
}

/// `{collection, pagination}` list responses.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Collection<T> {
    pub collection: Vec<T>,
    pub pagination: Pagination,
}

/// Cursor pagination block; `next_page` is a full URL on the sandbox's own address.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pagination {
    pub count: usize,
    pub next_page: Option<String>,
    pub previous_page: Option<String>,
    pub next_page_token: Option<String>,
    pub previous_page_token: Option<String>,
}
