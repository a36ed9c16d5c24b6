//! The planner's vocabulary: what it reads (an input and a snapshot of the stored rows it
//! touches) and what it writes (a plan of row writes), shared by `plan` and `apply`.

use std::collections::HashMap;

use crate::calendly::models::{Invitee, ScheduledEvent, WebhookPayload};

/// What arrives to be applied. Inputs live for one apply, so the size gap between variants
/// costs nothing worth a box.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Input {
    /// An event and every one of its invitees, from the API.
    Event {
        event: ScheduledEvent,
        invitees: Vec<Invitee>,
    },
    /// One decoded webhook delivery; `delivered_at` is the envelope's `created_at`.
    Webhook {
        payload: WebhookPayload,
        delivered_at: Option<String>,
    },
}

/// Where a row came from first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    Webhook,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Webhook => "webhook",
        }
    }
}

/// The stored state of the rows an input touches.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub events: HashMap<String, Existing>,
    pub invitees: HashMap<String, ExistingInvitee>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Existing {
    pub updated_at: Option<String>,
    pub raw_json: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExistingInvitee {
    pub updated_at: Option<String>,
    pub raw_json: String,
    pub no_show_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub uri: String,
    pub name: String,
    pub status: String,
    pub start_time: String,
    pub end_time: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub event_type: Option<String>,
    pub location_json: Option<String>,
    pub meeting_notes: Option<String>,
    pub invitees_total: Option<i64>,
    pub invitees_active: Option<i64>,
    pub cancellation_json: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub raw_json: String,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InviteeRow {
    pub uri: String,
    pub event_uri: String,
    pub email: String,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: String,
    pub timezone: Option<String>,
    pub questions_json: String,
    pub cancellation_json: Option<String>,
    pub no_show_uri: Option<String>,
    pub no_show_at: Option<String>,
    pub rescheduled: bool,
    pub old_invitee: Option<String>,
    pub new_invitee: Option<String>,
    pub tracking_json: Option<String>,
    pub cancel_url: Option<String>,
    pub reschedule_url: Option<String>,
    pub routing_submission: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub raw_json: String,
    /// The invitee's `payment`, when the event type is paid.
    pub payment: Option<PaymentRow>,
}

/// The facts of a `payment` the reports read (the rest stays in `raw_json`).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRow {
    pub amount: Option<f64>,
    pub currency: Option<String>,
    pub successful: bool,
    pub provider: Option<String>,
}

/// A contact to upsert: one per email, case-insensitively; the newest booking's name wins.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactUpsert {
    pub email: String,
    pub name: Option<String>,
    pub name_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Host,
    Invitee,
    Guest,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Host => "host",
            Role::Invitee => "invitee",
            Role::Guest => "guest",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParticipantRow {
    pub event_uri: String,
    pub role: Role,
    pub email: String,
    pub name: Option<String>,
    pub user_uri: Option<String>,
    /// Hosts are the user; only invitees and guests become contacts.
    pub is_contact: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    Booked,
    Canceled,
    Rescheduled,
    NoShow,
    NoShowCleared,
    RoutingFormSubmitted,
}

impl ActivityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Booked => "booked",
            ActivityKind::Canceled => "canceled",
            ActivityKind::Rescheduled => "rescheduled",
            ActivityKind::NoShow => "no_show",
            ActivityKind::NoShowCleared => "no_show_cleared",
            ActivityKind::RoutingFormSubmitted => "routing_form_submitted",
        }
    }
}

/// An activity; when two inputs describe the same happening (the halves of a reschedule) they
/// carry the same key and the earliest `at` wins.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub key: String,
    pub kind: ActivityKind,
    pub email: String,
    pub at: String,
    pub at_ms: i64,
    pub event_uri: Option<String>,
    pub invitee_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoutingRow {
    pub uri: String,
    pub routing_form: Option<String>,
    pub submitter: Option<String>,
    pub email: Option<String>,
    pub created_at: Option<String>,
    pub raw_json: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub events: Vec<EventRow>,
    pub invitees: Vec<InviteeRow>,
    pub contacts: Vec<ContactUpsert>,
    pub participants: Vec<ParticipantRow>,
    pub activities: Vec<ActivityRow>,
    pub routing: Vec<RoutingRow>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlanError {
    #[error("invalid {field} {value:?} in {uri}")]
    BadField {
        uri: String,
        field: &'static str,
        value: String,
    },
    #[error("invitee {0} names no scheduled event")]
    NoEvent(String),
}
