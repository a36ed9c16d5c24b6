//! Booking: a [`BookingSpec`] filled from the scenario's pools, a free slot found, and the
//! invitee (and event, unless a group occurrence has seats) created.

use super::*;
use crate::error::SandboxError;
use crate::fixtures;
use crate::ids::{uuid_v4, API_ROOT};
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;

impl World {
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
}
