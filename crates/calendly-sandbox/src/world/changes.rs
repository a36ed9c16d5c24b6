//! What happens to a booking afterwards: cancellations (by invitee or host, one invitee or a
//! whole event), reschedules and no-shows.

use super::*;
use crate::error::SandboxError;
use crate::ids::{uuid_v4, API_ROOT};
use chrono::{DateTime, Utc};

impl World {
    pub(crate) fn active_invitee(&self, invitee_uri: &str) -> Result<&Invitee, SandboxError> {
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

    pub(crate) fn cancel_invitee_with(
        &mut self,
        invitee_uri: &str,
        c: &Cancellation,
        at: DateTime<Utc>,
    ) {
        if let Some(i) = self.invitee_mut(invitee_uri) {
            i.status = Status::Canceled;
            i.cancellation = Some(c.clone());
            i.updated_at = at;
        }
    }

    pub(crate) fn cancel_event_record(
        &mut self,
        event_uri: &str,
        c: &Cancellation,
        at: DateTime<Utc>,
    ) {
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
}
