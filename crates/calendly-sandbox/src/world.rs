//! The sandbox's state (host, event types, scheduled events, invitees, subscriptions, tokens) and
//! the mutations that change it. Every mutation takes the instant it happens at, so the scenario
//! generator can replay history through the same code paths the live sandbox uses, and returns the
//! webhook notices it implies.

use crate::error::SandboxError;
use crate::fixtures;
use crate::ids::{uuid_v4, API_ROOT};
use crate::model::*;
use crate::tokens::TokenStore;
use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

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
    fn new(event: &'static str, invitee_uri: &str) -> Self {
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

    fn event_mut(&mut self, uri: &str) -> Option<&mut ScheduledEvent> {
        self.events.iter_mut().find(|e| e.uri == uri)
    }

    pub fn invitee(&self, uri: &str) -> Option<&Invitee> {
        self.invitees.iter().find(|i| i.uri == uri)
    }

    fn invitee_mut(&mut self, uri: &str) -> Option<&mut Invitee> {
        self.invitees.iter_mut().find(|i| i.uri == uri)
    }

    pub fn invitees_of<'a>(&'a self, event_uri: &'a str) -> impl Iterator<Item = &'a Invitee> + 'a {
        self.invitees.iter().filter(move |i| i.event == event_uri)
    }

    fn is_group(&self, event_type_uri: &str) -> bool {
        self.event_types
            .iter()
            .any(|t| t.uri == event_type_uri && t.kind == "group")
    }

    /// Recounts `invitees_counter` and stamps `updated_at`.
    fn touch_event(&mut self, event_uri: &str, at: DateTime<Utc>) {
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

    fn host_membership(&self) -> EventMembership {
        EventMembership {
            user: self.user.uri.clone(),
            user_email: self.user.email.clone(),
            user_name: self.user.name.clone(),
        }
    }

    /// Fills a [`BookingSpec`]'s gaps from the scenario pools.
    pub fn resolve_spec(
        &mut self,
        spec: &BookingSpec,
        now: DateTime<Utc>,
    ) -> Result<BookingDetail, SandboxError> {
        let person = fixtures::pick_person(&mut self.rng);
        self.resolve_for(spec, person, now)
    }

    /// [`Self::resolve_spec`] with the scenario person who fills the gaps chosen by the caller.
    pub fn resolve_for(
        &mut self,
        spec: &BookingSpec,
        person: &'static fixtures::Person,
        now: DateTime<Utc>,
    ) -> Result<BookingDetail, SandboxError> {
        let et = match &spec.event_type {
            Some(r) => self
                .event_type_by_ref(r)
                .cloned()
                .ok_or_else(|| SandboxError::UnknownEventType(r.clone()))?,
            None => {
                let slug = fixtures::pick_template(&mut self.rng).slug;
                self.event_type_by_ref(slug)
                    .cloned()
                    .ok_or_else(|| SandboxError::UnknownEventType(slug.to_string()))?
            }
        };
        let template = fixtures::template(&et.slug);
        // An email of the scenario person (in any casing) keeps that person's real name.
        let name = match (&spec.invitee_name, &spec.invitee_email) {
            (Some(n), _) => n.clone(),
            (None, Some(e)) if !e.eq_ignore_ascii_case(person.email) => {
                fixtures::name_from_email(e)
            }
            _ => person.name(),
        };
        let email = spec
            .invitee_email
            .clone()
            .unwrap_or_else(|| match &spec.invitee_name {
                Some(n) => fixtures::email_from_name(n),
                None => person.email_variant(&mut self.rng),
            });
        let timezone = match &spec.invitee_timezone {
            Some(tz) => Some(tz.clone()),
            None => person.timezone.map(str::to_string),
        };
        let (first_name, last_name) = fixtures::split_name(&name, template.single_name_field);
        let start = match spec.start {
            Some(s) => s,
            None => self.free_slot(&et, now, 1, 30).ok_or_else(|| {
                SandboxError::InvalidState("no free slot in the next 30 days".into())
            })?,
        };
        let guests = match &spec.guests {
            Some(g) => g.clone(),
            None => fixtures::random_guests(&mut self.rng, template, &email),
        };
        let qas = match &spec.questions_and_answers {
            Some(q) => q.clone(),
            None => fixtures::answers(&mut self.rng, template, person),
        };
        let tracking = match &spec.tracking {
            Some(t) => t.clone(),
            None => fixtures::random_tracking(&mut self.rng),
        };
        let text_reminder_number = match &spec.text_reminder_number {
            Some(n) => Some(n.clone()),
            None => fixtures::text_reminder(&mut self.rng, template, person),
        };
        let payment = match &spec.payment {
            Some(p) => Some(p.clone()),
            None => fixtures::payment(&mut self.rng, template),
        };
        Ok(BookingDetail {
            event_type_uri: et.uri,
            start,
            name,
            first_name,
            last_name,
            email,
            timezone,
            guests,
            questions_and_answers: qas,
            tracking,
            text_reminder_number,
            meeting_notes: spec.meeting_notes.clone(),
            payment,
            invitee_scheduled_by: None,
            old_invitee: None,
        })
    }

    /// A free start for `et` between `from_days` and `to_days` days after `now`, in the host's
    /// business hours; group event types reuse an occurrence that still has seats.
    pub fn free_slot(
        &mut self,
        et: &EventType,
        now: DateTime<Utc>,
        from_days: i64,
        to_days: i64,
    ) -> Option<DateTime<Utc>> {
        if et.kind == "group" {
            let horizon = now + TimeDelta::days(to_days);
            let open = self
                .events
                .iter()
                .filter(|e| {
                    e.event_type == et.uri
                        && e.status == Status::Active
                        && e.start_time > now
                        && e.start_time < horizon
                        && e.invitees_counter.active < e.invitees_counter.limit
                })
                .map(|e| e.start_time)
                .min();
            return open
                .or_else(|| fixtures::next_group_occurrence(now + TimeDelta::days(from_days)));
        }
        let duration = TimeDelta::minutes(i64::from(et.duration));
        for _ in 0..200 {
            let day = self.rng.random_range(from_days..to_days.max(from_days + 1));
            let Some(start) = fixtures::business_start(&mut self.rng, now, day, et.duration) else {
                continue;
            };
            if start > now && self.is_free(start, start + duration) {
                return Some(start);
            }
        }
        None
    }

    pub fn book(
        &mut self,
        spec: &BookingSpec,
        at: DateTime<Utc>,
    ) -> Result<(BookedIds, Vec<Notice>), SandboxError> {
        let detail = self.resolve_spec(spec, at)?;
        self.book_detail(detail, at)
    }

    /// Creates the invitee, and the scheduled event unless a group occurrence with seats exists.
    pub fn book_detail(
        &mut self,
        d: BookingDetail,
        at: DateTime<Utc>,
    ) -> Result<(BookedIds, Vec<Notice>), SandboxError> {
        let et = self
            .event_types
            .iter()
            .find(|t| t.uri == d.event_type_uri)
            .cloned()
            .ok_or_else(|| SandboxError::UnknownEventType(d.event_type_uri.clone()))?;
        let template = fixtures::template(&et.slug);
        let group = et.kind == "group";
        let existing = if group {
            self.events
                .iter()
                .find(|e| {
                    e.event_type == et.uri && e.status == Status::Active && e.start_time == d.start
                })
                .map(|e| {
                    (
                        e.uri.clone(),
                        e.invitees_counter.active >= e.invitees_counter.limit,
                    )
                })
        } else {
            None
        };
        let guests: Vec<EventGuest> = d
            .guests
            .iter()
            .map(|g| EventGuest {
                email: g.clone(),
                created_at: at,
                updated_at: at,
            })
            .collect();
        let event_uri = match existing {
            Some((_, true)) => {
                return Err(SandboxError::InvalidState(format!(
                    "the {} at {} is full: pick another start",
                    et.name, d.start
                )))
            }
            Some((uri, false)) => {
                if let Some(e) = self.event_mut(&uri) {
                    e.event_guests.extend(guests);
                }
                uri
            }
            None => {
                let event_uuid = uuid_v4(&mut self.rng);
                let location = fixtures::location(
                    &mut self.rng,
                    template,
                    &event_uuid,
                    d.text_reminder_number.as_deref(),
                    &self.host_phone,
                );
                let calendar_event = fixtures::calendar_event(&mut self.rng);
                let (notes_plain, notes_html) = match d.meeting_notes {
                    Some(ref n) => (Some(n.clone()), Some(fixtures::notes_html(n))),
                    None => (None, None),
                };
                let uri = format!("{API_ROOT}/scheduled_events/{event_uuid}");
                self.events.push(ScheduledEvent {
                    uri: uri.clone(),
                    name: et.name.clone(),
                    meeting_notes_plain: notes_plain,
                    meeting_notes_html: notes_html,
                    status: Status::Active,
                    start_time: d.start,
                    end_time: d.start + TimeDelta::minutes(i64::from(et.duration)),
                    event_type: et.uri.clone(),
                    location,
                    invitees_counter: InviteesCounter {
                        total: 0,
                        active: 0,
                        limit: template.limit,
                    },
                    created_at: at,
                    updated_at: at,
                    event_memberships: vec![self.host_membership()],
                    event_guests: guests,
                    cancellation: None,
                    calendar_event,
                });
                uri
            }
        };
        let invitee_uuid = uuid_v4(&mut self.rng);
        let invitee_uri = format!("{event_uri}/invitees/{invitee_uuid}");
        self.invitees.push(Invitee {
            uri: invitee_uri.clone(),
            email: d.email,
            first_name: d.first_name,
            last_name: d.last_name,
            name: d.name,
            status: Status::Active,
            timezone: d.timezone,
            event: event_uri.clone(),
            created_at: at,
            updated_at: at,
            questions_and_answers: d.questions_and_answers,
            tracking: d.tracking,
            text_reminder_number: d.text_reminder_number,
            rescheduled: false,
            old_invitee: d.old_invitee,
            new_invitee: None,
            cancel_url: format!("https://calendly.com/cancellations/{invitee_uuid}"),
            reschedule_url: format!("https://calendly.com/reschedulings/{invitee_uuid}"),
            routing_form_submission: None,
            cancellation: None,
            payment: d.payment,
            no_show: None,
            reconfirmation: None,
            scheduling_method: None,
            invitee_scheduled_by: d.invitee_scheduled_by,
        });
        self.touch_event(&event_uri, at);
        let notice = Notice::new("invitee.created", &invitee_uri);
        Ok((
            BookedIds {
                event_uri,
                invitee_uri,
            },
            vec![notice],
        ))
    }

    fn active_invitee(&self, invitee_uri: &str) -> Result<&Invitee, SandboxError> {
        let inv = self
            .invitee(invitee_uri)
            .ok_or_else(|| SandboxError::UnknownInvitee(invitee_uri.to_string()))?;
        if inv.status != Status::Active {
            return Err(SandboxError::InvalidState(format!(
                "invitee {invitee_uri} is already canceled"
            )));
        }
        Ok(inv)
    }

    /// Cancels one invitee; a one-on-one event is canceled with it, a group event stays open.
    pub fn cancel(
        &mut self,
        invitee_uri: &str,
        by_host: bool,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Notice>, SandboxError> {
        let inv = self.active_invitee(invitee_uri)?;
        let event_uri = inv.event.clone();
        let cancellation = Cancellation {
            canceled_by: if by_host {
                self.user.name.clone()
            } else {
                inv.name.clone()
            },
            reason: reason.map(str::to_string),
            canceler_type: if by_host { "host" } else { "invitee" }.to_string(),
            created_at: at,
        };
        self.cancel_invitee_with(invitee_uri, &cancellation, at);
        let group = self
            .event(&event_uri)
            .map(|e| self.is_group(&e.event_type))
            .unwrap_or(false);
        if !group {
            self.cancel_event_record(&event_uri, &cancellation, at);
        }
        self.touch_event(&event_uri, at);
        Ok(vec![Notice::new("invitee.canceled", invitee_uri)])
    }

    fn cancel_invitee_with(&mut self, invitee_uri: &str, c: &Cancellation, at: DateTime<Utc>) {
        if let Some(i) = self.invitee_mut(invitee_uri) {
            i.status = Status::Canceled;
            i.cancellation = Some(c.clone());
            i.updated_at = at;
        }
    }

    fn cancel_event_record(&mut self, event_uri: &str, c: &Cancellation, at: DateTime<Utc>) {
        if let Some(e) = self.event_mut(event_uri) {
            e.status = Status::Canceled;
            e.cancellation = Some(c.clone());
            e.updated_at = at;
        }
    }

    /// The host cancels a whole event (`POST /scheduled_events/{uuid}/cancellation`).
    pub fn cancel_event(
        &mut self,
        event_uri: &str,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(Cancellation, Vec<Notice>), SandboxError> {
        let event = self
            .event(event_uri)
            .ok_or_else(|| SandboxError::UnknownEvent(event_uri.to_string()))?;
        if event.status == Status::Canceled {
            return Err(SandboxError::InvalidState(format!(
                "event {event_uri} is already canceled"
            )));
        }
        let cancellation = Cancellation {
            canceled_by: self.user.name.clone(),
            reason: reason.map(str::to_string),
            canceler_type: "host".to_string(),
            created_at: at,
        };
        let active: Vec<String> = self
            .invitees_of(event_uri)
            .filter(|i| i.status == Status::Active)
            .map(|i| i.uri.clone())
            .collect();
        for uri in &active {
            self.cancel_invitee_with(uri, &cancellation, at);
        }
        self.cancel_event_record(event_uri, &cancellation, at);
        self.touch_event(event_uri, at);
        let notices = active
            .iter()
            .map(|u| Notice::new("invitee.canceled", u))
            .collect();
        Ok((cancellation, notices))
    }

    /// The invitee moves to `new_start`: the old invitee is canceled with `rescheduled: true` and
    /// `new_invitee`, a new invitee (on a new event) carries `old_invitee`.
    pub fn reschedule(
        &mut self,
        invitee_uri: &str,
        new_start: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(String, Vec<Notice>), SandboxError> {
        let old = self.active_invitee(invitee_uri)?.clone();
        let old_event = self
            .event(&old.event)
            .cloned()
            .ok_or_else(|| SandboxError::UnknownEvent(old.event.clone()))?;
        let group = self.is_group(&old_event.event_type);
        let detail = BookingDetail {
            event_type_uri: old_event.event_type.clone(),
            start: new_start,
            name: old.name.clone(),
            first_name: old.first_name.clone(),
            last_name: old.last_name.clone(),
            email: old.email.clone(),
            timezone: old.timezone.clone(),
            // Guests travel with a one-on-one booking; in a group event they are not attributable.
            guests: if group {
                Vec::new()
            } else {
                old_event
                    .event_guests
                    .iter()
                    .map(|g| g.email.clone())
                    .collect()
            },
            questions_and_answers: old.questions_and_answers.clone(),
            tracking: old.tracking.clone(),
            text_reminder_number: old.text_reminder_number.clone(),
            meeting_notes: old_event.meeting_notes_plain.clone(),
            payment: old.payment.clone(),
            invitee_scheduled_by: old.invitee_scheduled_by.clone(),
            old_invitee: Some(old.uri.clone()),
        };
        let (ids, _) = self.book_detail(detail, at)?;
        let cancellation = Cancellation {
            canceled_by: old.name.clone(),
            reason: None,
            canceler_type: "invitee".to_string(),
            created_at: at,
        };
        self.cancel_invitee_with(invitee_uri, &cancellation, at);
        if let Some(i) = self.invitee_mut(invitee_uri) {
            i.rescheduled = true;
            i.new_invitee = Some(ids.invitee_uri.clone());
        }
        if !group {
            self.cancel_event_record(&old.event, &cancellation, at);
        }
        self.touch_event(&old.event, at);
        let notices = vec![
            Notice::new("invitee.canceled", invitee_uri),
            Notice::new("invitee.created", &ids.invitee_uri),
        ];
        Ok((ids.invitee_uri, notices))
    }

    pub fn mark_no_show(
        &mut self,
        invitee_uri: &str,
        at: DateTime<Utc>,
    ) -> Result<(InviteeNoShow, Vec<Notice>), SandboxError> {
        let inv = self
            .invitee(invitee_uri)
            .ok_or_else(|| SandboxError::UnknownInvitee(invitee_uri.to_string()))?;
        if inv.no_show.is_some() {
            return Err(SandboxError::InvalidState(format!(
                "invitee {invitee_uri} is already a no-show"
            )));
        }
        let event_uri = inv.event.clone();
        let uri = format!("{API_ROOT}/invitee_no_shows/{}", uuid_v4(&mut self.rng));
        let record = InviteeNoShow {
            uri: uri.clone(),
            invitee: invitee_uri.to_string(),
            created_at: at,
        };
        if let Some(i) = self.invitee_mut(invitee_uri) {
            i.no_show = Some(NoShow {
                uri,
                created_at: at,
            });
            i.updated_at = at;
        }
        self.no_shows.push(record.clone());
        self.touch_event(&event_uri, at);
        Ok((
            record,
            vec![Notice::new("invitee_no_show.created", invitee_uri)],
        ))
    }

    pub fn clear_no_show(
        &mut self,
        invitee_uri: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<Notice>, SandboxError> {
        let inv = self
            .invitee(invitee_uri)
            .ok_or_else(|| SandboxError::UnknownInvitee(invitee_uri.to_string()))?;
        let Some(no_show) = inv.no_show.clone() else {
            return Err(SandboxError::InvalidState(format!(
                "invitee {invitee_uri} is not marked as a no-show"
            )));
        };
        let event_uri = inv.event.clone();
        if let Some(i) = self.invitee_mut(invitee_uri) {
            i.no_show = None;
            i.updated_at = at;
        }
        self.no_shows.retain(|n| n.uri != no_show.uri);
        self.touch_event(&event_uri, at);
        Ok(vec![Notice::new("invitee_no_show.deleted", invitee_uri)])
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
