//! The believable consultant's calendar: the host, her event types, a pool of invitees (recurring
//! clients, many time zones) and a history of bookings, cancellations, reschedules and no-shows,
//! all drawn from one seeded RNG so a seed and an anchor instant always give the same world.
//!
//! The fixtures it draws from (people, event types, booking details) are in `fixtures/`.

use crate::fixtures::*;
use crate::ids::{uuid_v4, API_ROOT};
use crate::model::*;
use crate::tokens::TokenStore;
use crate::world::{BookingSpec, World};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::{json, Value};

/// [`generate`] with the meetings spread from `span.0` days before `now` to `span.1` days after
/// it. Business hours hold about 16 meetings a weekday, so a wider span holds more of them (the
/// default span fills up near 2,100).
pub fn generate_spanning(
    seed: u64,
    now: DateTime<Utc>,
    target: usize,
    user_is_org_admin: bool,
    span: (u32, u32),
) -> World {
    let mut rng = StdRng::seed_from_u64(seed);
    let user_uuid = uuid_v4(&mut rng);
    let org_uuid = uuid_v4(&mut rng);
    let joined = (now - TimeDelta::days(rng.random_range(400..700)))
        .with_nanosecond(rng.random_range(0..1_000_000) * 1000)
        .unwrap_or(now);
    let user_uri = format!("{API_ROOT}/users/{user_uuid}");
    let org_uri = format!("{API_ROOT}/organizations/{org_uuid}");
    let user = User {
        uri: user_uri.clone(),
        name: "Maya Lindqvist".to_string(),
        slug: "maya-lindqvist".to_string(),
        email: "maya@lindqvist-advisory.example".to_string(),
        scheduling_url: "https://calendly.com/maya-lindqvist".to_string(),
        timezone: HOST_TZ.name().to_string(),
        time_notation: "24h".to_string(),
        avatar_url: Some(format!(
            "https://d3v0px0pttie1i.cloudfront.net/uploads/user/avatar/{}/maya.jpg",
            rng.random_range(10_000_000..40_000_000u32)
        )),
        created_at: joined,
        updated_at: joined + TimeDelta::days(rng.random_range(30..300)),
        current_organization: org_uri.clone(),
        resource_type: "User".to_string(),
        locale: "en".to_string(),
    };
    let organization = Organization {
        uri: org_uri,
        name: "Lindqvist Advisory".to_string(),
        plan: "standard".to_string(),
        stage: "paid".to_string(),
        created_at: joined,
        updated_at: joined,
    };
    let event_types = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let created = joined
                + TimeDelta::days(1 + 7 * i as i64)
                + TimeDelta::seconds(rng.random_range(0..86_400));
            EventType {
                uri: format!("{API_ROOT}/event_types/{}", uuid_v4(&mut rng)),
                name: t.name.to_string(),
                active: true,
                booking_method: "instant".to_string(),
                slug: t.slug.to_string(),
                scheduling_url: format!("https://calendly.com/maya-lindqvist/{}", t.slug),
                duration: t.duration,
                duration_options: None,
                kind: if t.group { "group" } else { "solo" }.to_string(),
                pooling_type: None,
                event_type_kind: "StandardEventType".to_string(),
                color: t.color.to_string(),
                created_at: created,
                updated_at: created + TimeDelta::days(rng.random_range(1..200)),
                internal_note: None,
                description_plain: Some(t.description.to_string()),
                description_html: Some(format!("<p>{}</p>", t.description)),
                profile: Profile {
                    kind: "User".to_string(),
                    name: user.name.clone(),
                    owner: user.uri.clone(),
                },
                secret: false,
                deleted_at: None,
                admin_managed: false,
                locations: vec![location_config(t.location)],
                position: i as u32,
                custom_questions: custom_questions(t),
                locale: "en".to_string(),
                is_paid: t.paid,
            }
        })
        .collect();
    let mut world = World {
        seed,
        generation: 0,
        user,
        organization,
        user_is_org_admin,
        host_phone: "+31 20 794 5512".to_string(),
        event_types,
        events: Vec::new(),
        invitees: Vec::new(),
        no_shows: Vec::new(),
        subscriptions: Vec::new(),
        tokens: TokenStore::default(),
        personal_access_tokens: Vec::new(),
        routing_submissions: Vec::new(),
        rng,
    };
    history(&mut world, now, target, span);
    world
}

fn location_config(kind: LocationKind) -> Value {
    match kind {
        LocationKind::Zoom => json!({"kind": "zoom_conference"}),
        LocationKind::GoogleMeet => json!({"kind": "google_conference"}),
        LocationKind::Teams => json!({"kind": "microsoft_teams_conference"}),
        LocationKind::Physical => {
            json!({"kind": "physical", "location": "Herengracht 182, 1016 BR Amsterdam"})
        }
        LocationKind::Phone => json!({"kind": "outbound_call"}),
        LocationKind::Custom => json!({"kind": "custom", "location": "Livestream"}),
    }
}

fn custom_questions(t: &EventTemplate) -> Vec<Value> {
    t.questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let (kind, choices): (&str, &[&str]) = match &q.answer {
                Answer::Text(_) | Answer::Company => ("text", &[]),
                Answer::Phone => ("phone_number", &[]),
                Answer::Multi(c) => ("multiple_choice", c),
                Answer::Choice(c) => ("single_select", c),
            };
            json!({
                "name": q.text, "type": kind, "position": i, "enabled": true,
                "required": q.required, "answer_choices": choices, "include_other": false
            })
        })
        .collect()
}

fn history(w: &mut World, now: DateTime<Utc>, target: usize, span: (u32, u32)) {
    if target == 0 {
        return;
    }
    let (back, ahead) = (i64::from(span.0), i64::from(span.1).max(1));
    let window = (now - TimeDelta::days(back), now + TimeDelta::days(ahead));
    let webinars = if target >= 3 { (target / 10).max(1) } else { 0 };
    for start in group_occurrences(window.0, window.1)
        .into_iter()
        .take(webinars)
    {
        webinar(w, now, start);
    }
    // An attempt fails on a taken slot; once the business hours in the window are nearly full
    // (well over a thousand events), give up instead of searching forever.
    let mut misses = 0;
    while w.events.len() < target && misses < 2_000 {
        let before = w.events.len();
        one_on_one(w, now, target, (back, ahead));
        misses = if w.events.len() == before {
            misses + 1
        } else {
            0
        };
    }
}

fn booked_at(rng: &mut impl RngCore, now: DateTime<Utc>, start: DateTime<Utc>) -> DateTime<Utc> {
    let lead = TimeDelta::minutes(rng.random_range(90..21 * 24 * 60));
    let recent = now - TimeDelta::minutes(rng.random_range(5..30 * 24 * 60));
    (start - lead).min(recent) + TimeDelta::microseconds(rng.random_range(0..1_000_000))
}

fn webinar(w: &mut World, now: DateTime<Utc>, start: DateTime<Utc>) {
    let Some(et) = w.event_type_by_ref("monthly-qa-webinar").cloned() else {
        return;
    };
    let n = if start < now {
        w.rng.random_range(4..=9)
    } else {
        w.rng.random_range(1..=6)
    };
    let mut people: Vec<&'static Person> = Vec::new();
    for _ in 0..n * 5 {
        let p = pick_person(&mut w.rng);
        if !people.iter().any(|q| q.email == p.email) {
            people.push(p);
        }
        if people.len() == n {
            break;
        }
    }
    let mut bookings: Vec<(DateTime<Utc>, &'static Person)> = people
        .into_iter()
        .map(|p| (booked_at(&mut w.rng, now, start), p))
        .collect();
    bookings.sort_by_key(|(t, _)| *t);
    let mut invitees = Vec::new();
    for (i, (at, person)) in bookings.iter().enumerate() {
        let spec = BookingSpec {
            event_type: Some(et.slug.clone()),
            start: Some(start),
            ..BookingSpec::default()
        };
        let Ok(mut detail) = w.resolve_for(&spec, person, *at) else {
            continue;
        };
        if i == 0 && start < now {
            detail.meeting_notes = Some("Recording shared in the follow-up email.".to_string());
        }
        if let Ok((ids, _)) = w.book_detail(detail, *at) {
            invitees.push((ids.invitee_uri, *at));
        }
    }
    let until = start.min(now);
    if w.rng.random_bool(0.25) {
        if let Some((uri, at)) = invitees.choose(&mut w.rng).cloned() {
            if until - at > TimeDelta::minutes(30) {
                let when = between(&mut w.rng, at, until);
                let why = reason(&mut w.rng, false);
                let _ = w.cancel(&uri, false, why.as_deref(), when);
            }
        }
    }
    if start + TimeDelta::hours(2) < now && w.rng.random_bool(0.4) {
        if let Some((uri, _)) = invitees.choose(&mut w.rng).cloned() {
            let _ = w.mark_no_show(&uri, start + TimeDelta::minutes(75));
        }
    }
}

fn one_on_one(w: &mut World, now: DateTime<Utc>, target: usize, (back, ahead): (i64, i64)) {
    let t = pick_solo_template(&mut w.rng);
    let Some(et) = w.event_type_by_ref(t.slug).cloned() else {
        return;
    };
    let day = w.rng.random_range(-back..ahead);
    let Some(start) = business_start(&mut w.rng, now, day, t.duration) else {
        return;
    };
    let end = start + TimeDelta::minutes(i64::from(t.duration));
    if !w.is_free(start, end) {
        return;
    }
    let created = booked_at(&mut w.rng, now, start);
    let person = pick_person(&mut w.rng);
    let spec = BookingSpec {
        event_type: Some(et.slug.clone()),
        start: Some(start),
        invitee_email: Some(person.email_variant(&mut w.rng)),
        ..BookingSpec::default()
    };
    let Ok(mut detail) = w.resolve_for(&spec, person, created) else {
        return;
    };
    if w.rng.random_bool(0.15) {
        detail.meeting_notes = NOTES.choose(&mut w.rng).map(|s| s.to_string());
    }
    if w.rng.random_bool(0.05) {
        detail.invitee_scheduled_by = Some(w.user.uri.clone());
    }
    let until = start.min(now);
    // A reschedule consumes two events (the canceled original and the new one).
    if target - w.events.len() >= 2
        && until - created > TimeDelta::hours(3)
        && w.rng.random_bool(0.12)
    {
        let moved_at = between(&mut w.rng, created, until - TimeDelta::hours(1));
        let first_day = (moved_at.with_timezone(&HOST_TZ).date_naive()
            - now.with_timezone(&HOST_TZ).date_naive())
        .num_days()
            + 1;
        let old_day = first_day + w.rng.random_range(0..14);
        if let Some(old_start) = business_start(&mut w.rng, now, old_day, t.duration) {
            let old_end = old_start + TimeDelta::minutes(i64::from(t.duration));
            if old_start > moved_at && old_start != start && w.is_free(old_start, old_end) {
                let mut original = detail.clone();
                original.start = old_start;
                if let Ok((ids, _)) = w.book_detail(original, created) {
                    let _ = w.reschedule(&ids.invitee_uri, start, moved_at);
                }
                return;
            }
        }
    }
    let Ok((ids, _)) = w.book_detail(detail, created) else {
        return;
    };
    if until - created > TimeDelta::minutes(30) && w.rng.random_bool(0.15) {
        let by_host = w.rng.random_bool(0.35);
        let when = between(&mut w.rng, created, until);
        let why = reason(&mut w.rng, by_host);
        let _ = w.cancel(&ids.invitee_uri, by_host, why.as_deref(), when);
    } else if end + TimeDelta::minutes(30) < now && w.rng.random_bool(0.08) {
        let when = end + TimeDelta::minutes(w.rng.random_range(5..25));
        let _ = w.mark_no_show(&ids.invitee_uri, when);
    }
}
