//! The sandbox's state (host, event types, scheduled events, invitees, subscriptions, tokens) and
//! the mutations that change it. Every mutation takes the instant it happens at, so the scenario
//! generator can replay history through the same code paths the live sandbox uses, and returns the
//! webhook notices it implies.

use crate::error::SandboxError;
use crate::ids::{uuid_v4, API_ROOT};
use crate::model::*;
use crate::tokens::TokenStore;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

mod booking;
mod changes;

/// A webhook-worthy change: the event name and the invitee it concerns (for
/// `routing_form_submission.created`, the submission).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub event: &'static str,
    pub invitee_uri: String,
}

/// A routing form submission to make; `None` fields get believable defaults.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingSpec {
    pub email: Option<String>,
    pub name: Option<String>,
    /// More answers after name and email.
    pub answers: Vec<(String, String)>,
}

impl Notice {
    pub(crate) fn new(event: &'static str, invitee_uri: &str) -> Self {
        Self {
            event,
            invitee_uri: invitee_uri.to_string(),
        }
    }
}

/// What to book. Every field left `None` is filled from the scenario's pools with the world's
/// seeded RNG, so `BookingSpec::random()` gives a believable future booking.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BookingSpec {
    /// Event type URI, slug or name (case-insensitive).
    pub event_type: Option<String>,
    pub start: Option<DateTime<Utc>>,
    pub invitee_name: Option<String>,
    pub invitee_email: Option<String>,
    /// IANA zone of the invitee.
    pub invitee_timezone: Option<String>,
    pub guests: Option<Vec<String>>,
    pub questions_and_answers: Option<Vec<QuestionAndAnswer>>,
    pub tracking: Option<Tracking>,
    pub text_reminder_number: Option<String>,
    pub meeting_notes: Option<String>,
    /// Calendly's `payment` object for this booking, on any event type; by default paid event
    /// types draw one and the others have none.
    pub payment: Option<serde_json::Value>,
}

impl BookingSpec {
    /// A booking whose every detail is drawn from the scenario.
    pub fn random() -> Self {
        Self::default()
    }
}

/// The URIs a booking produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedIds {
    pub event_uri: String,
    pub invitee_uri: String,
}

/// A booking with every detail resolved.
#[derive(Clone, Debug)]
pub struct BookingDetail {
    pub event_type_uri: String,
    pub start: DateTime<Utc>,
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: String,
    pub timezone: Option<String>,
    pub guests: Vec<String>,
    pub questions_and_answers: Vec<QuestionAndAnswer>,
    pub tracking: Tracking,
    pub text_reminder_number: Option<String>,
    pub meeting_notes: Option<String>,
    pub payment: Option<serde_json::Value>,
    pub invitee_scheduled_by: Option<String>,
    pub old_invitee: Option<String>,
}

/// A subscription plus what the API never shows: its signing key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SubscriptionRecord {
    pub resource: WebhookSubscription,
    pub signing_key: String,
}

fn placeholder_rng() -> StdRng {
    StdRng::seed_from_u64(0)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct World {
    pub seed: u64,
    /// Bumped at every load from a state file, to reseed the RNG differently each run.
    pub generation: u64,
    pub user: User,
    pub organization: Organization,
    pub user_is_org_admin: bool,
    pub host_phone: String,
    pub event_types: Vec<EventType>,
    pub events: Vec<ScheduledEvent>,
    pub invitees: Vec<Invitee>,
    pub no_shows: Vec<InviteeNoShow>,
    pub subscriptions: Vec<SubscriptionRecord>,
    pub tokens: TokenStore,
    pub personal_access_tokens: Vec<String>,
    /// Routing form submissions (absent from state files written before they existed).
    #[serde(default)]
    pub routing_submissions: Vec<RoutingFormSubmission>,
    #[serde(skip, default = "placeholder_rng")]
    pub rng: StdRng,
}

impl World {
    pub fn routing_submission(&self, uri: &str) -> Option<&RoutingFormSubmission> {
        self.routing_submissions.iter().find(|s| s.uri == uri)
    }

    /// Someone submits the organization's routing form (and is shown an event type to book).
    pub fn submit_routing_form(
        &mut self,
        spec: &RoutingSpec,
        at: DateTime<Utc>,
    ) -> Result<(String, Vec<Notice>), SandboxError> {
        let email = spec
            .email
            .clone()
            .unwrap_or_else(|| format!("lead{}@example.org", self.routing_submissions.len() + 1));
        if !email.contains('@') {
            return Err(SandboxError::InvalidState(format!(
                "{email} is not an email address"
            )));
        }
        let name = spec.name.clone().unwrap_or_else(|| "New lead".to_string());
        // One routing form per organization, with a stable URI.
        let form_id = self
            .organization
            .uri
            .rsplit('/')
            .next()
            .unwrap_or("form")
            .to_string();
        let routing_form = format!("{API_ROOT}/routing_forms/{form_id}");
        let uri = format!(
            "{API_ROOT}/routing_form_submissions/{}",
            uuid_v4(&mut self.rng)
        );
        let mut answers = vec![("Name".to_string(), name), ("Email".to_string(), email)];
        answers.extend(spec.answers.iter().cloned());
        let questions_and_answers = answers
            .into_iter()
            .enumerate()
            .map(|(i, (question, answer))| RoutingAnswer {
                question_uuid: format!("{form_id}-q{i}"),
                question,
                answer,
            })
            .collect();
        let result = match self.event_types.first() {
            Some(t) => RoutingResult {
                kind: "event_type".into(),
                value: serde_json::Value::String(t.uri.clone()),
            },
            None => RoutingResult {
                kind: "custom_message".into(),
                value: serde_json::json!({"headline": "Thanks", "body": "We will be in touch."}),
            },
        };
        self.routing_submissions.push(RoutingFormSubmission {
            uri: uri.clone(),
            routing_form,
            questions_and_answers,
            tracking: Tracking::default(),
            result,
            submitter: None,
            submitter_type: None,
            created_at: at,
            updated_at: at,
        });
        Ok((
            uri.clone(),
            vec![Notice::new("routing_form_submission.created", &uri)],
        ))
    }

    /// Reseeds after loading a state file (the RNG itself is not persisted).
    pub fn reseed(&mut self) {
        self.generation += 1;
        self.rng =
            StdRng::seed_from_u64(self.seed ^ self.generation.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }

    pub fn event_type_by_ref(&self, r: &str) -> Option<&EventType> {
        let r = r.trim();
        self.event_types.iter().find(|t| {
            t.uri == r || t.slug.eq_ignore_ascii_case(r) || t.name.eq_ignore_ascii_case(r)
        })
    }

    pub fn event(&self, uri: &str) -> Option<&ScheduledEvent> {
        self.events.iter().find(|e| e.uri == uri)
    }

    pub(crate) fn event_mut(&mut self, uri: &str) -> Option<&mut ScheduledEvent> {
        self.events.iter_mut().find(|e| e.uri == uri)
    }

    pub fn invitee(&self, uri: &str) -> Option<&Invitee> {
        self.invitees.iter().find(|i| i.uri == uri)
    }

    pub(crate) fn invitee_mut(&mut self, uri: &str) -> Option<&mut Invitee> {
        self.invitees.iter_mut().find(|i| i.uri == uri)
    }

    pub fn invitees_of<'a>(&'a self, event_uri: &'a str) -> impl Iterator<Item = &'a Invitee> + 'a {
        self.invitees.iter().filter(move |i| i.event == event_uri)
    }

    pub(crate) fn is_group(&self, event_type_uri: &str) -> bool {
        self.event_types
            .iter()
            .any(|t| t.uri == event_type_uri && t.kind == "group")
    }

    /// Recounts `invitees_counter` and stamps `updated_at`.
    pub(crate) fn touch_event(&mut self, event_uri: &str, at: DateTime<Utc>) {
        let (total, active) = self.invitees_of(event_uri).fold((0, 0), |(t, a), i| {
            (t + 1, a + u32::from(i.status == Status::Active))
        });
        if let Some(e) = self.event_mut(event_uri) {
            e.invitees_counter.total = total;
            e.invitees_counter.active = active;
            e.updated_at = at;
        }
    }

    /// True when `[start, end)` overlaps no active event.
    pub fn is_free(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        !self
            .events
            .iter()
            .any(|e| e.status == Status::Active && e.start_time < end && start < e.end_time)
    }

    pub(crate) fn host_membership(&self) -> EventMembership {
        EventMembership {
            user: self.user.uri.clone(),
            user_email: self.user.email.clone(),
            user_name: self.user.name.clone(),
        }
    }

    pub fn subscription(&self, uri: &str) -> Option<&SubscriptionRecord> {
        self.subscriptions.iter().find(|s| s.resource.uri == uri)
    }

    pub fn subscription_mut(&mut self, uri: &str) -> Option<&mut SubscriptionRecord> {
        self.subscriptions
            .iter_mut()
            .find(|s| s.resource.uri == uri)
    }
}
