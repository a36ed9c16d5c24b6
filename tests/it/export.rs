//! ICS and CSV exports, exports to a file, the local ICS feed and the dashboard and search read
//! models, over a store built through the real apply path from Calendly-shaped inputs.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use icalendar::{Component, EventLike};
use serde_json::{json, Value};
use slotline::clock::FixedClock;
use slotline::export::{
    self, csv_export, ics_export, json_export, CsvKind, CsvOptions, ExportFormat, ExportOptions,
    IcsOptions, Range,
};
use slotline::icsfeed::{self, FeedConfig, FeedError};
use slotline::queries;
use slotline::store::Store;
use slotline::sync::{apply, Input};

use crate::common::{input, Env, SandboxProc};

const API: &str = "https://api.calendly.com";

fn ev_uri(n: u32) -> String {
    format!("{API}/scheduled_events/{n:08}-0000-4000-8000-000000000000")
}

fn uid(n: u32) -> String {
    format!("{n:08}-0000-4000-8000-000000000000@slotline.calendly")
}

const INTRO: u32 = 1;
const RESCHEDULED_TO: u32 = 2;
const WORKSHOP: u32 = 3;
const CANCELED: u32 = 4;
const NO_SHOW: u32 = 5;
const CLEARED: u32 = 6;
const TODAY: u32 = 7;
const UNDER_WAY: u32 = 8;
const FOLLOW_UPS: [u32; 3] = [9, 10, 11];
const OLD: u32 = 12;
/// Every event in the fixture, and the canceled ones among them.
const ALL: usize = 12;
const N_CANCELED: usize = 2;

const WORKSHOP_NAME: &str =
    "Strategy Workshop: Quarterly Planning, Budget; Priorities for the Nordic Region";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

/// "Now" for the fixture: Friday 2026-11-06, noon UTC.
fn now() -> DateTime<Utc> {
    t("2026-11-06T12:00:00Z")
}

struct Booking {
    event: u32,
    name: &'static str,
    start: &'static str,
    minutes: i64,
    location: Value,
    invitee: &'static str,
    email: &'static str,
    booked_at: &'static str,
    qa: Vec<(&'static str, &'static str)>,
}

impl Booking {
    fn new(
        event: u32,
        name: &'static str,
        start: &'static str,
        who: (&'static str, &'static str),
        booked_at: &'static str,
    ) -> Self {
        Booking {
            event,
            name,
            start,
            minutes: 30,
            location: json!({"type": "zoom", "status": "pushed", "join_url": format!("https://zoom.us/j/{event}")}),
            invitee: who.0,
            email: who.1,
            booked_at,
            qa: vec![],
        }
    }

    fn invitee_uri(&self) -> String {
        format!("{}/invitees/INV{}", ev_uri(self.event), self.event)
    }

    fn event_json(&self, status: &str, updated: &str) -> Value {
        let end = t(self.start) + Duration::minutes(self.minutes);
        let mut e = json!({
            "uri": ev_uri(self.event), "name": self.name, "status": status,
            "start_time": self.start, "end_time": end.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "event_type": format!("{API}/event_types/ET{}", self.event % 3),
            "location": self.location,
            "invitees_counter": {"total": 1, "active": if status == "active" {1} else {0}, "limit": 1},
            "created_at": self.booked_at, "updated_at": updated,
            "event_memberships": [{"user": format!("{API}/users/HOST"), "user_email": "maya@example.com", "user_name": "Maya Lindqvist"}],
            "event_guests": [],
        });
        if self.event == WORKSHOP {
            e["event_guests"] = json!([{"email": "guest@example.org", "created_at": self.booked_at, "updated_at": self.booked_at}]);
        }
        e
    }

    fn invitee_json(&self, status: &str, updated: &str) -> Value {
        json!({
            "uri": self.invitee_uri(), "email": self.email, "name": self.invitee,
            "status": status, "timezone": "Europe/Berlin", "event": ev_uri(self.event),
            "created_at": self.booked_at, "updated_at": updated,
            "questions_and_answers": self.qa.iter().enumerate().map(|(i, (q, a))| json!({"question": q, "answer": a, "position": i})).collect::<Vec<_>>(),
            "rescheduled": false, "old_invitee": null, "new_invitee": null,
            "cancel_url": "https://calendly.com/cancellations/x", "reschedule_url": "https://calendly.com/reschedulings/x",
            "no_show": null,
        })
    }
}

fn booked(b: &Booking) -> Input {
    input(
        b.event_json("active", b.booked_at),
        vec![b.invitee_json("active", b.booked_at)],
    )
}

fn apply_all(store: &Store, inputs: &[Input]) {
    for i in inputs {
        store.with_tx(|tx| apply(tx, i)).expect("apply");
    }
}

/// The fixture's inputs, in the order Calendly would have produced them.
fn inputs() -> Vec<Input> {
    let mut out = Vec::new();

    // Anna books an intro, then moves it two days later.
    let mut intro = Booking::new(
        INTRO,
        "30 Minute Intro Call",
        "2026-12-01T10:00:00.000000Z",
        ("Anna Schmidt", "Anna.Schmidt@Example.com"),
        "2026-11-01T09:00:00.000000Z",
    );
    intro.qa = vec![("What should we cover?", "Pricing\nOnboarding")];
    out.push(booked(&intro));
    let moved = Booking {
        event: RESCHEDULED_TO,
        start: "2026-12-03T10:00:00.000000Z",
        booked_at: "2026-11-05T12:00:01.000000Z",
        qa: intro.qa.clone(),
        ..Booking::new(
            RESCHEDULED_TO,
            "30 Minute Intro Call",
            "",
            ("Anna Schmidt", "Anna.Schmidt@Example.com"),
            "",
        )
    };
    let mut old_half = intro.invitee_json("canceled", "2026-11-05T12:00:00.000000Z");
    old_half["rescheduled"] = json!(true);
    old_half["new_invitee"] = json!(moved.invitee_uri());
    old_half["cancellation"] = json!({"canceled_by": "Anna Schmidt", "reason": "Conflict", "canceler_type": "invitee", "created_at": "2026-11-05T12:00:00.000000Z"});
    out.push(input(
        intro.event_json("canceled", "2026-11-05T12:00:00.000000Z"),
        vec![old_half],
    ));
    let mut new_half = moved.invitee_json("active", moved.booked_at);
    new_half["old_invitee"] = json!(intro.invitee_uri());
    out.push(input(
        moved.event_json("active", moved.booked_at),
        vec![new_half],
    ));

    // A long-named in-person workshop: folding, escaping, a searchable answer.
    let mut workshop = Booking::new(
        WORKSHOP,
        WORKSHOP_NAME,
        "2026-12-02T14:00:00.000000Z",
        ("Björn Åkesson", "bjorn@example.org"),
        "2026-11-03T08:00:00.000000Z",
    );
    workshop.minutes = 90;
    workshop.location = json!({"type": "physical", "location": "Herengracht 182, 1016 BR Amsterdam", "additional_info": "3rd floor"});
    workshop.qa = vec![
        (
            "Anything we should prepare?",
            "Bring the Zürich supplier contracts, the 2027 budget draft; and the hiring plan for the Nordic team",
        ),
        ("Dietary needs?", "Nothing \"spicy\", please"),
    ];
    out.push(booked(&workshop));

    // Carla's intro, canceled by the host.
    let mut carla = Booking::new(
        CANCELED,
        "30 Minute Intro Call",
        "2026-12-04T09:00:00.000000Z",
        ("Carla Gómez", "carla@example.net"),
        "2026-11-03T10:00:00.000000Z",
    );
    carla.location = json!({"type": "google_conference", "status": "pushed", "join_url": "https://calendly.com/events/x/google_meet"});
    out.push(booked(&carla));
    let mut canceled = carla.invitee_json("canceled", "2026-11-06T09:00:00.000000Z");
    canceled["cancellation"] = json!({"canceled_by": "Maya Lindqvist", "reason": "Host is ill", "canceler_type": "host", "created_at": "2026-11-06T09:00:00.000000Z"});
    out.push(input(
        carla.event_json("canceled", "2026-11-06T09:00:00.000000Z"),
        vec![canceled],
    ));

    // Dan did not show up.
    let mut dan = Booking::new(
        NO_SHOW,
        "Coaching Session",
        "2026-11-04T10:00:00.000000Z",
        ("Dan Okafor", "dan@example.com"),
        "2026-11-02T08:00:00.000000Z",
    );
    dan.location = json!({"type": "outbound_call", "location": "+31 6 1234 5678"});
    out.push(booked(&dan));
    let mut marked = dan.invitee_json("active", "2026-11-04T11:00:00.000000Z");
    marked["no_show"] = json!({"uri": format!("{API}/invitee_no_shows/NS5"), "created_at": "2026-11-04T11:00:00.000000Z"});
    out.push(input(dan.event_json("active", dan.booked_at), vec![marked]));

    // Erik was marked a no-show by mistake, and cleared an hour later.
    let erik = Booking::new(
        CLEARED,
        "Coaching Session",
        "2026-11-05T10:00:00.000000Z",
        ("Erik Berg", "erik@example.com"),
        "2026-11-02T09:00:00.000000Z",
    );
    out.push(booked(&erik));
    let mut marked = erik.invitee_json("active", "2026-11-05T11:00:00.000000Z");
    marked["no_show"] = json!({"uri": format!("{API}/invitee_no_shows/NS6"), "created_at": "2026-11-05T11:00:00.000000Z"});
    out.push(input(
        erik.event_json("active", erik.booked_at),
        vec![marked],
    ));
    out.push(input(
        erik.event_json("active", erik.booked_at),
        vec![erik.invitee_json("active", "2026-11-05T12:00:00.000000Z")],
    ));

    // Today: one later this afternoon, one under way at noon.
    out.push(booked(&Booking::new(
        TODAY,
        "Coaching Session",
        "2026-11-06T15:00:00.000000Z",
        ("Fatima Zahra", "fatima@example.com"),
        "2026-10-20T10:00:00.000000Z",
    )));
    out.push(booked(&Booking::new(
        UNDER_WAY,
        "Coaching Session",
        "2026-11-06T11:45:00.000000Z",
        ("Hana Novak", "hana@example.com"),
        "2026-10-20T11:00:00.000000Z",
    )));
    for (i, (n, start)) in FOLLOW_UPS
        .iter()
        .zip([
            "2026-12-10T09:00:00.000000Z",
            "2026-12-11T09:00:00.000000Z",
            "2026-12-12T09:00:00.000000Z",
        ])
        .enumerate()
    {
        let booked_at = [
            "2026-10-25T09:00:00.000000Z",
            "2026-10-25T09:01:00.000000Z",
            "2026-10-25T09:02:00.000000Z",
        ][i];
        out.push(booked(&Booking::new(
            *n,
            "Follow-up",
            start,
            ("George Papadopoulos", "george@example.com"),
            booked_at,
        )));
    }
    // Long ago: outside the feed's 90 days.
    out.push(booked(&Booking::new(
        OLD,
        "Old Call",
        "2026-06-01T09:00:00.000000Z",
        ("Ivan Petrov", "ivan@example.com"),
        "2026-05-20T09:00:00.000000Z",
    )));
    out
}

fn fixture_at(path: &std::path::Path) -> Store {
    let store = Store::open(path).expect("open");
    apply_all(&store, &inputs());
    store
}

fn fixture() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = fixture_at(&dir.path().join("t.db"));
    (dir, store)
}

fn all_events(store: &Store) -> Vec<Value> {
    json_export(store, Range::default()).expect("json")["events"]
        .as_array()
        .expect("events")
        .clone()
}

fn ics_stamp(rfc3339: &str) -> String {
    t(rfc3339).format("%Y%m%dT%H%M%SZ").to_string()
}

/// CRLF after every line, nothing longer than 75 octets, and the header RFC 5545 asks for.
fn assert_rfc5545_shape(text: &str) {
    assert!(text.ends_with("\r\n"), "ends with CRLF");
    assert!(
        !text.replace("\r\n", "").contains(['\r', '\n']),
        "a bare CR or LF"
    );
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert!(lines.contains(&"VERSION:2.0"));
    assert!(lines.contains(&"PRODID:-//Slotline//Slotline 0.1//EN"));
    assert!(lines.contains(&"END:VCALENDAR"));
    let begins = lines.iter().filter(|l| **l == "BEGIN:VEVENT").count();
    let stamps = lines.iter().filter(|l| l.starts_with("DTSTAMP:")).count();
    assert_eq!(begins, stamps, "a DTSTAMP in every VEVENT");
}

fn unfolded(text: &str) -> String {
    text.replace("\r\n ", "")
}

fn vevents(text: &str) -> Vec<String> {
    unfolded(text)
        .split("BEGIN:VEVENT\r\n")
        .skip(1)
        .map(|s| s.split("END:VEVENT").next().unwrap_or("").to_string())
        .collect()
}

fn prop<'a>(vevent: &'a str, key: &str) -> Option<&'a str> {
    vevent
        .split("\r\n")
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
}

#[test]
fn ics_has_one_vevent_per_meeting_with_uids_utc_times_and_status() {
    let (_d, store) = fixture();
    let events = all_events(&store);
    assert_eq!(events.len(), ALL);
    let text = ics_export(
        &store,
        Range::default(),
        IcsOptions {
            include_canceled: true,
        },
        now(),
    )
    .expect("ics");
    assert_rfc5545_shape(&text);
    // The long summary and the description had to be folded.
    assert!(text.contains("\r\n "), "some line was folded");

    let by_uid: std::collections::HashMap<String, String> = vevents(&text)
        .into_iter()
        .map(|v| (prop(&v, "UID").expect("UID").to_string(), v))
        .collect();
    assert_eq!(by_uid.len(), ALL, "one VEVENT per event, UIDs unique");
    for e in &events {
        let uri = e["uri"].as_str().expect("uri");
        let n: u32 = uri.rsplit('/').next().expect("id")[..8].parse().expect("n");
        let v = by_uid
            .get(&uid(n))
            .unwrap_or_else(|| panic!("no VEVENT for {uri}"));
        assert_eq!(
            prop(v, "DTSTART"),
            Some(ics_stamp(e["start_time"].as_str().expect("s")).as_str())
        );
        assert_eq!(
            prop(v, "DTEND"),
            Some(ics_stamp(e["end_time"].as_str().expect("e")).as_str())
        );
        let status = if e["status"] == "canceled" {
            "CANCELLED"
        } else {
            "CONFIRMED"
        };
        assert_eq!(prop(v, "STATUS"), Some(status), "{uri}");
        let name = e["name"].as_str().expect("name");
        let summary = prop(v, "SUMMARY").expect("SUMMARY");
        assert!(
            summary.starts_with(&name.replace(',', "\\,").replace(';', "\\;")),
            "{summary}"
        );
    }
    // 1:1 meetings name the person; DTSTAMP is the last revision, not the export time.
    let carla = &by_uid[&uid(CANCELED)];
    assert_eq!(
        prop(carla, "SUMMARY"),
        Some("30 Minute Intro Call with Carla Gómez")
    );
    assert_eq!(prop(carla, "DTSTAMP"), Some("20261106T090000Z"));
    assert_eq!(prop(carla, "TRANSP"), Some("TRANSPARENT"));
    let workshop = &by_uid[&uid(WORKSHOP)];
    assert_eq!(
        prop(workshop, "LOCATION"),
        Some("Herengracht 182\\, 1016 BR Amsterdam")
    );
    let moved = &by_uid[&uid(RESCHEDULED_TO)];
    assert_eq!(prop(moved, "URL"), Some("https://zoom.us/j/2"));
    assert_eq!(prop(moved, "LOCATION"), Some("https://zoom.us/j/2"));

    // The same store gives the same bytes.
    let again = ics_export(
        &store,
        Range::default(),
        IcsOptions {
            include_canceled: true,
        },
        now() + Duration::hours(1),
    )
    .expect("ics");
    assert_eq!(text, again);
}

/// The adversary: whoever books a meeting (or a compromised Calendly) chooses the event name,
/// the invitee's name, answers, place and join URL. A bare CR (which some readers take as a line
/// end), other control characters and a `javascript:`/`file:` URL must not reach the calendar:
/// no property of the sender's choosing, no line break inside a line, only http(s) URLs.
#[test]
fn hostile_text_and_urls_cannot_inject_into_the_ics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("t.db")).expect("open");
    let mut evil = Booking::new(
        20,
        "Intro\rATTENDEE;CN=x:mailto:evil@example.com\u{0}\u{1b}[2J\u{7f}",
        "2026-12-03T10:00:00.000000Z",
        ("Eve\rX-INJECTED:1", "eve@example.com"),
        "2026-11-01T09:00:00.000000Z",
    );
    evil.location = json!({"type": "custom", "location": "Room 5\rDTSTART:19700101T000000Z", "join_url": "javascript:alert(1)"});
    evil.qa = vec![("Why?\r\nX-Q:1", "Because\rX-A:1\u{85}")];
    let mut file_url = Booking::new(
        21,
        "File link",
        "2026-12-04T10:00:00.000000Z",
        ("Frank", "frank@example.com"),
        "2026-11-01T09:00:00.000000Z",
    );
    file_url.location = json!({"type": "zoom", "join_url": "file:///etc/passwd"});
    let fine = Booking::new(
        22,
        "Fine",
        "2026-12-05T10:00:00.000000Z",
        ("Gina", "gina@example.com"),
        "2026-11-01T09:00:00.000000Z",
    );
    apply_all(&store, &[booked(&evil), booked(&file_url), booked(&fine)]);
    let text = ics_export(
        &store,
        Range::default(),
        IcsOptions {
            include_canceled: true,
        },
        now(),
    )
    .expect("ics");
    assert_rfc5545_shape(&text);
    let unfolded = unfolded(&text);
    // Nothing but CRLF line ends and visible text: no control character anywhere else.
    let stray: Vec<char> = unfolded
        .replace("\r\n", "")
        .chars()
        .filter(|c| c.is_control())
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    // No line starts a property the sender chose.
    for line in unfolded.split("\r\n") {
        for injected in ["ATTENDEE", "X-INJECTED", "X-Q", "X-A", "DTSTART:1970"] {
            assert!(!line.starts_with(injected), "injected line {line:?}");
        }
    }
    // The text itself survives, minus the control characters.
    let v = &vevents(&text);
    let by_uid = |n: u32| {
        v.iter()
            .find(|e| prop(e, "UID") == Some(uid(n).as_str()))
            .unwrap_or_else(|| panic!("no VEVENT {n}"))
    };
    let e = by_uid(20);
    let summary = prop(e, "SUMMARY").expect("SUMMARY");
    assert!(
        summary.starts_with("IntroATTENDEE\\;CN=x:mailto:evil@example.com[2J with EveX-INJECTED:1"),
        "{summary}"
    );
    assert_eq!(prop(e, "LOCATION"), Some("Room 5DTSTART:19700101T000000Z"));
    // Only http(s) URLs are written, as URL or anywhere else.
    assert_eq!(prop(e, "URL"), None);
    assert_eq!(prop(by_uid(21), "URL"), None);
    assert!(!unfolded.contains("javascript:") && !unfolded.contains("file://"));
    assert_eq!(prop(by_uid(22), "URL"), Some("https://zoom.us/j/22"));
    // A calendar parser agrees: three events, none with an attendee.
    let cal: icalendar::Calendar = text.parse().expect("parses");
    let parsed: Vec<&icalendar::Event> = cal.events().collect();
    assert_eq!(parsed.len(), 3);
    for p in parsed {
        assert!(p.property_value("ATTENDEE").is_none());
        assert!(p.property_value("X-INJECTED").is_none());
        assert!(p.get_url().is_none_or(|u| u.starts_with("https://")));
    }
}

#[test]
fn ics_parses_back_with_icalendar() {
    let (_d, store) = fixture();
    let text = ics_export(
        &store,
        Range::default(),
        IcsOptions {
            include_canceled: true,
        },
        now(),
    )
    .expect("ics");
    let cal: icalendar::Calendar = text.parse().expect("parses");
    assert_eq!(cal.property_value("VERSION"), Some("2.0"));
    assert_eq!(
        cal.property_value("PRODID"),
        Some("-//Slotline//Slotline 0.1//EN")
    );
    let events: Vec<&icalendar::Event> = cal.events().collect();
    assert_eq!(events.len(), ALL);
    let workshop = events
        .iter()
        .find(|e| e.get_uid() == Some(uid(WORKSHOP).as_str()))
        .expect("workshop");
    assert_eq!(
        workshop.get_summary(),
        Some(format!("{WORKSHOP_NAME} with Björn Åkesson").as_str())
    );
    let start = workshop.get_start().expect("start");
    assert_eq!(
        start,
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(t(
            "2026-12-02T14:00:00Z"
        )))
    );
    assert_eq!(
        workshop.get_location(),
        Some("Herengracht 182, 1016 BR Amsterdam")
    );
    let description = workshop.get_description().expect("description");
    assert!(
        description.contains("Björn Åkesson <bjorn@example.org> (Europe/Berlin)"),
        "{description}"
    );
    assert!(
        description.contains("Bring the Zürich supplier contracts, the 2027 budget draft; and"),
        "{description}"
    );
    assert!(description.contains("Guests: guest@example.org"));
    assert!(description.contains("Hosts: Maya Lindqvist <maya@example.com>"));
    let intro = events
        .iter()
        .find(|e| e.get_uid() == Some(uid(INTRO).as_str()))
        .expect("intro");
    assert_eq!(intro.get_status(), Some(icalendar::EventStatus::Cancelled));
    let d = intro.get_description().expect("d");
    assert!(d.contains("Join: https://zoom.us/j/1"), "{d}");
    assert!(d.contains("Canceled by Anna Schmidt: Conflict"), "{d}");
    assert!(
        d.contains("What should we cover? Pricing / Onboarding"),
        "{d}"
    );
}

#[test]
fn ics_omits_canceled_meetings_on_request_and_honours_the_range() {
    let (_d, store) = fixture();
    let text = ics_export(
        &store,
        Range::default(),
        IcsOptions {
            include_canceled: false,
        },
        now(),
    )
    .expect("ics");
    assert_rfc5545_shape(&text);
    assert_eq!(vevents(&text).len(), ALL - N_CANCELED);
    assert!(!text.contains("CANCELLED"));
    assert!(!text.contains(&uid(CANCELED)));

    let december = Range {
        from: NaiveDate::from_ymd_opt(2026, 12, 1),
        to: NaiveDate::from_ymd_opt(2026, 12, 3),
    };
    let text = ics_export(
        &store,
        december,
        IcsOptions {
            include_canceled: true,
        },
        now(),
    )
    .expect("ics");
    let uids: Vec<String> = vevents(&text)
        .iter()
        .map(|v| prop(v, "UID").expect("uid").to_string())
        .collect();
    assert_eq!(uids, vec![uid(INTRO), uid(WORKSHOP), uid(RESCHEDULED_TO)]);
    // The JSON export agrees on the range.
    let json = json_export(&store, december).expect("json");
    assert_eq!(json["events"].as_array().expect("e").len(), uids.len());
}

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[test]
fn csv_meetings_have_a_row_each_and_round_trip() {
    let (_d, store) = fixture();
    let text = csv_export(
        &store,
        Range::default(),
        CsvOptions {
            kind: CsvKind::Meetings,
            include_canceled: true,
        },
        now(),
    )
    .expect("csv");
    assert!(text.contains("\r\n"), "RFC 4180 line endings");
    let (headers, rows) = parse_csv(&text);
    assert_eq!(headers, export::MEETING_COLUMNS);
    assert_eq!(rows.len(), ALL);
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let row = |n: u32| {
        rows.iter()
            .find(|r| r[col("uri")] == ev_uri(n))
            .expect("row")
    };
    let w = row(WORKSHOP);
    assert_eq!(w[col("name")], WORKSHOP_NAME);
    assert_eq!(w[col("location")], "Herengracht 182, 1016 BR Amsterdam");
    assert_eq!(w[col("location_type")], "physical");
    assert_eq!(w[col("invitees")], "Björn Åkesson <bjorn@example.org>");
    assert_eq!(w[col("hosts")], "Maya Lindqvist <maya@example.com>");
    assert_eq!(w[col("guests")], "guest@example.org");
    assert_eq!(w[col("start_time")], "2026-12-02T14:00:00.000000Z");
    let d = row(NO_SHOW);
    assert_eq!(d[col("no_shows")], "1");
    assert_eq!(d[col("location")], "+31 6 1234 5678");
    assert_eq!(row(CLEARED)[col("no_shows")], "0");
    assert_eq!(row(CANCELED)[col("status")], "canceled");
    assert_eq!(
        row(CANCELED)[col("invitees")],
        "Carla Gómez <carla@example.net>"
    );
    assert_eq!(row(RESCHEDULED_TO)[col("join_url")], "https://zoom.us/j/2");

    let active_only = csv_export(
        &store,
        Range::default(),
        CsvOptions {
            kind: CsvKind::Meetings,
            include_canceled: false,
        },
        now(),
    )
    .expect("csv");
    assert_eq!(parse_csv(&active_only).1.len(), ALL - N_CANCELED);
}

#[test]
fn csv_contacts_have_a_row_each() {
    let (_d, store) = fixture();
    let text = csv_export(
        &store,
        Range::default(),
        CsvOptions {
            kind: CsvKind::Contacts,
            include_canceled: true,
        },
        now(),
    )
    .expect("csv");
    let (headers, rows) = parse_csv(&text);
    assert_eq!(headers, export::CONTACT_COLUMNS);
    let json = json_export(&store, Range::default()).expect("json");
    assert_eq!(rows.len(), json["contacts"].as_array().expect("c").len());
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let anna = rows
        .iter()
        .find(|r| r[col("email")].eq_ignore_ascii_case("anna.schmidt@example.com"))
        .expect("anna");
    assert_eq!(anna[col("name")], "Anna Schmidt");
    assert_eq!(
        anna[col("meetings")],
        "1",
        "the canceled half does not count"
    );
    assert_eq!(anna[col("next_meeting")], "2026-12-03T10:00:00.000000Z");
    assert_eq!(anna[col("last_meeting")], "");
    assert_eq!(anna[col("first_seen")], "2026-11-01T09:00:00.000000Z");
    let dan = rows
        .iter()
        .find(|r| r[col("email")] == "dan@example.com")
        .expect("dan");
    assert_eq!(dan[col("no_shows")], "1");
    assert_eq!(dan[col("last_meeting")], "2026-11-04T10:00:00.000000Z");
    let guest = rows
        .iter()
        .find(|r| r[col("email")] == "guest@example.org")
        .expect("the guest is a contact");
    assert!(!guest[col("first_seen")].is_empty());
}

#[test]
fn export_to_file_writes_a_new_file_each_time() {
    let (dir, store) = fixture();
    let downloads = dir.path().join("Downloads");
    let opts = ExportOptions {
        range: Range::default(),
        include_canceled: true,
        csv: CsvKind::Meetings,
        now: now(),
    };
    let path = export::export_to_file(&store, &downloads, ExportFormat::Ics, &opts).expect("file");
    assert_eq!(path, downloads.join("slotline-20261106-120000.ics"));
    // Readable by the user only, wherever it is written (it holds the client list).
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let written = std::fs::read_to_string(&path).expect("read");
    assert_eq!(
        written,
        ics_export(
            &store,
            Range::default(),
            IcsOptions {
                include_canceled: true
            },
            now()
        )
        .expect("ics")
    );
    let second =
        export::export_to_file(&store, &downloads, ExportFormat::Ics, &opts).expect("file");
    assert_eq!(second, downloads.join("slotline-20261106-120000-2.ics"));
    assert_eq!(std::fs::read_to_string(&second).expect("read"), written);

    let json = export::export_to_file(&store, &downloads, ExportFormat::Json, &opts).expect("json");
    assert_eq!(json, downloads.join("slotline-20261106-120000.json"));
    let value: Value = serde_json::from_slice(&std::fs::read(&json).expect("read")).expect("json");
    assert_eq!(value["events"].as_array().expect("e").len(), ALL);

    let contacts = ExportOptions {
        csv: CsvKind::Contacts,
        ..opts
    };
    let csv_path =
        export::export_to_file(&store, &downloads, ExportFormat::Csv, &contacts).expect("csv");
    assert_eq!(
        csv_path,
        downloads.join("slotline-contacts-20261106-120000.csv")
    );
    let (headers, _) = parse_csv(&std::fs::read_to_string(&csv_path).expect("read"));
    assert_eq!(headers, export::CONTACT_COLUMNS);

    // A folder that cannot be created is an error that names it.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"x").expect("write");
    let err = export::export_to_file(&store, &blocked.join("sub"), ExportFormat::Ics, &opts)
        .expect_err("not a folder");
    assert!(err.to_string().contains("a-file"), "{err}");
}

#[test]
fn the_cli_prints_ics_and_csv() {
    let env = Env::new();
    drop(fixture_at(&env.dir.path().join("slotline.db")));
    let out = env
        .cmd(&["export", "--format", "ics"])
        .output()
        .expect("export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_rfc5545_shape(&text);
    assert_eq!(vevents(&text).len(), ALL);
    assert_eq!(text.matches("STATUS:CANCELLED").count(), N_CANCELED);

    let out = env
        .cmd(&[
            "export",
            "--format",
            "ics",
            "--omit-canceled",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-31",
        ])
        .output()
        .expect("export");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_rfc5545_shape(&text);
    // December: the moved intro, the workshop and three follow-ups.
    assert_eq!(vevents(&text).len(), 5);

    let out = env
        .cmd(&["export", "--format", "csv"])
        .output()
        .expect("export");
    assert!(out.status.success());
    let (headers, rows) = parse_csv(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(headers, export::MEETING_COLUMNS);
    assert_eq!(rows.len(), ALL);

    let out = env
        .cmd(&["export", "--format", "csv", "--csv", "contacts"])
        .output()
        .expect("export");
    assert!(out.status.success());
    let (headers, _) = parse_csv(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(headers, export::CONTACT_COLUMNS);
}

/// A sandbox's synced history (every location type, long texts, group events): the ICS has a
/// VEVENT per event of the JSON export and keeps RFC 5545's shape; the CSV a row per event.
#[test]
fn sandbox_history_exports_to_valid_ics_and_csv() {
    let sandbox = SandboxProc::start(&["--events", "80", "--seed", "11"]);
    let env = Env::with_api(&sandbox.api_url);
    env.cmd(&["connect", "--token-stdin"])
        .write_stdin(format!("{}\n", sandbox.token))
        .assert()
        .success();
    env.cmd(&["sync"]).assert().success();
    let json: Value = serde_json::from_slice(
        &env.cmd(&["export", "--format", "json"])
            .output()
            .expect("json")
            .stdout,
    )
    .expect("json");
    let events = json["events"].as_array().expect("events");
    assert!(events.len() >= 80);
    let ics = String::from_utf8(
        env.cmd(&["export", "--format", "ics"])
            .output()
            .expect("ics")
            .stdout,
    )
    .expect("utf-8");
    assert_rfc5545_shape(&ics);
    let cal: icalendar::Calendar = ics.parse().expect("parses");
    assert_eq!(cal.events().count(), events.len());
    let canceled = events.iter().filter(|e| e["status"] == "canceled").count();
    assert_eq!(ics.matches("STATUS:CANCELLED").count(), canceled);
    let csv = String::from_utf8(
        env.cmd(&["export", "--format", "csv"])
            .output()
            .expect("csv")
            .stdout,
    )
    .expect("utf-8");
    assert_eq!(parse_csv(&csv).1.len(), events.len());
}

// ---- The ICS feed ----------------------------------------------------------------------------

struct Feed {
    url: String,
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), FeedError>>,
}

async fn start_feed(store: Arc<Store>, config: FeedConfig) -> Feed {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let url = icsfeed::feed_url(addr, &config.token);
    let clock = Arc::new(FixedClock::new(now()));
    let task = tokio::spawn(icsfeed::serve(store, clock, listener, config, async move {
        let _ = stopped.await;
    }));
    Feed {
        url,
        base: format!("http://{addr}"),
        stop: Some(stop),
        task,
    }
}

#[tokio::test]
async fn the_feed_serves_the_calendar_with_etags_and_nothing_else() {
    let (_d, store) = fixture();
    let store = Arc::new(store);
    let token = icsfeed::new_token();
    let mut feed = start_feed(store.clone(), FeedConfig::new(token.clone())).await;
    let http = reqwest::Client::new();

    let res = http.get(&feed.url).send().await.expect("GET");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    let body = res.text().await.expect("body");
    assert_rfc5545_shape(&body);
    let uids: Vec<String> = vevents(&body)
        .iter()
        .map(|v| prop(v, "UID").expect("uid").to_string())
        .collect();
    // Canceled meetings are left out, and so is the meeting from June (over 90 days ago).
    assert_eq!(uids.len(), ALL - N_CANCELED - 1, "{uids:?}");
    assert!(!uids.contains(&uid(OLD)));
    assert!(!body.contains("CANCELLED"));
    assert!(body.contains("REFRESH-INTERVAL;VALUE=DURATION:"));

    let res = http
        .get(&feed.url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"], etag.as_str());
    assert!(res.bytes().await.expect("body").is_empty());

    let res = http.head(&feed.url).send().await.expect("HEAD");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert!(res.bytes().await.expect("body").is_empty());

    for url in [
        format!("{}{}", feed.base, icsfeed::feed_path(&icsfeed::new_token())),
        format!("{}/calendar.ics", feed.base),
        format!("{}/feed/{}/other.ics", feed.base, token),
        format!("{}/", feed.base),
    ] {
        let res = http.get(&url).send().await.expect("GET");
        assert_eq!(res.status(), 404, "{url}");
    }
    let res = http.post(&feed.url).body("x").send().await.expect("POST");
    assert_eq!(res.status(), 405);
    let res = http
        .get(&feed.url)
        .header("Host", "attacker.example")
        .send()
        .await
        .expect("GET");
    assert_ne!(res.status(), 200, "a rebound DNS name is not served");

    // A new booking changes the document, so the old ETag no longer matches.
    let extra = Booking::new(
        20,
        "Late booking",
        "2026-11-20T09:00:00.000000Z",
        ("Jo Kim", "jo@example.com"),
        "2026-11-06T11:00:00.000000Z",
    );
    apply_all(&store, &[booked(&extra)]);
    let res = http
        .get(&feed.url)
        .header("If-None-Match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"], etag.as_str());
    assert!(res.text().await.expect("body").contains(&uid(20)));

    let _ = feed.stop.take().map(|s| s.send(()));
    let done = tokio::time::timeout(std::time::Duration::from_secs(10), &mut feed.task)
        .await
        .expect("stops")
        .expect("join");
    assert!(done.is_ok(), "{done:?}");
}

#[tokio::test]
async fn the_feed_can_include_canceled_and_the_whole_store() {
    let (_d, store) = fixture();
    let mut config = FeedConfig::new(icsfeed::new_token());
    config.include_canceled = true;
    config.past_horizon = None;
    let feed = start_feed(Arc::new(store), config).await;
    let body = reqwest::get(&feed.url)
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert_eq!(vevents(&body).len(), ALL);
    assert_eq!(body.matches("STATUS:CANCELLED").count(), N_CANCELED);
}

#[tokio::test]
async fn the_feed_refuses_other_interfaces_and_weak_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(&dir.path().join("t.db")).expect("open"));
    let clock = Arc::new(FixedClock::new(now()));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    let err = icsfeed::serve(
        store.clone(),
        clock.clone(),
        listener,
        FeedConfig::new(icsfeed::new_token()),
        async {},
    )
    .await
    .expect_err("0.0.0.0 is refused");
    assert!(matches!(err, FeedError::NotLoopback(_)), "{err}");
    assert!(err.to_string().contains("loopback"));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let err = icsfeed::serve(
        store,
        clock,
        listener,
        FeedConfig::new("guessable"),
        async {},
    )
    .await
    .expect_err("short token");
    assert!(matches!(err, FeedError::BadToken), "{err}");
}

// ---- Read models -----------------------------------------------------------------------------

fn ms(s: &str) -> i64 {
    t(s).timestamp_millis()
}

#[test]
fn the_dashboard_counts_a_known_week() {
    let (_d, store) = fixture();
    let d = store
        .read(|tx| {
            queries::dashboard(
                tx,
                now().timestamp_millis(),
                ms("2026-11-02T00:00:00Z"),
                ms("2026-11-09T00:00:00Z"),
                ms("2026-11-06T00:00:00Z"),
                ms("2026-11-07T00:00:00Z"),
            )
        })
        .expect("dashboard");
    let uris = |v: &[slotline::feed::CalendarEvent]| -> Vec<String> {
        v.iter().map(|e| e.uri.clone()).collect()
    };
    assert_eq!(uris(&d.today), vec![ev_uri(UNDER_WAY), ev_uri(TODAY)]);
    // Coming up after today (today has its own list): the workshop, the moved intro, the
    // follow-ups; not the meeting under way, not canceled ones, at most five.
    assert_eq!(
        uris(&d.upcoming),
        vec![
            ev_uri(WORKSHOP),
            ev_uri(RESCHEDULED_TO),
            ev_uri(FOLLOW_UPS[0]),
            ev_uri(FOLLOW_UPS[1]),
            ev_uri(FOLLOW_UPS[2]),
        ]
    );
    assert_eq!(
        d.week,
        queries::WeekCounts {
            booked: 4,
            canceled: 1,
            rescheduled: 1,
            // Erik's no-show was cleared.
            no_shows: 1,
        }
    );
    assert_eq!(d.recent.len(), queries::RECENT);
    let first = &d.recent[0];
    assert_eq!(first.kind, "canceled");
    assert_eq!(first.contact_email, "carla@example.net");
    assert_eq!(first.contact_name.as_deref(), Some("Carla Gómez"));
    assert_eq!(first.event_uri.as_deref(), Some(ev_uri(CANCELED).as_str()));
    assert_eq!(first.event_name.as_deref(), Some("30 Minute Intro Call"));
    assert!(d.recent.windows(2).all(|w| t(&w[0].at) >= t(&w[1].at)));
    // camelCase for the UI.
    let v = serde_json::to_value(&d).expect("json");
    assert!(v["week"].get("noShows").is_some());
    assert!(v["recent"][0].get("contactEmail").is_some());
}

#[test]
fn search_finds_meetings_and_contacts_case_insensitively() {
    let (_d, store) = fixture();
    let search = |q: &str| {
        store
            .read(|tx| queries::search(tx, q, 20, now().timestamp_millis()))
            .expect("search")
    };
    let uris = |r: &queries::SearchResults| -> Vec<String> {
        r.meetings.iter().map(|e| e.uri.clone()).collect()
    };

    // Invitee email, in another case: both of Anna's meetings, newest first, and Anna.
    let r = search("ANNA.schmidt@EXAMPLE");
    assert_eq!(uris(&r), vec![ev_uri(RESCHEDULED_TO), ev_uri(INTRO)]);
    assert_eq!(r.contacts.len(), 1);
    assert_eq!(r.contacts[0].name.as_deref(), Some("Anna Schmidt"));
    assert_eq!(r.contacts[0].meetings, 1);
    // The canceled one is still found, and says so.
    assert_eq!(r.meetings[1].status, "canceled");

    // An answer to a booking question.
    let r = search("SUPPLIER contracts");
    assert_eq!(uris(&r), vec![ev_uri(WORKSHOP)]);
    assert!(r.contacts.is_empty());
    let r = search("onboarding");
    assert_eq!(uris(&r), vec![ev_uri(RESCHEDULED_TO), ev_uri(INTRO)]);

    // Quotes inside an answer are matched as typed.
    let r = search("\"SPICY\"");
    assert_eq!(uris(&r), vec![ev_uri(WORKSHOP)]);
    // A question is not an answer.
    assert_eq!(search("dietary needs").meetings, vec![]);

    // The event name.
    let r = search("coaching");
    assert_eq!(
        uris(&r),
        vec![
            ev_uri(TODAY),
            ev_uri(UNDER_WAY),
            ev_uri(CLEARED),
            ev_uri(NO_SHOW)
        ]
    );
    assert!(r.meetings.iter().all(|m| m.name == "Coaching Session"));

    // Invitee and contact names.
    let r = search("okafor");
    assert_eq!(uris(&r), vec![ev_uri(NO_SHOW)]);
    assert_eq!(r.contacts[0].email, "dan@example.com");
    assert_eq!(r.contacts[0].no_shows, 1);

    // Wildcards are literal, the limit holds, blank finds nothing.
    assert_eq!(search("%"), queries::SearchResults::default());
    assert_eq!(search("_"), queries::SearchResults::default());
    assert_eq!(search("   "), queries::SearchResults::default());
    let r = store
        .read(|tx| queries::search(tx, "example", 3, now().timestamp_millis()))
        .expect("search");
    assert_eq!(r.meetings.len(), 3);
    assert_eq!(r.contacts.len(), 3);
}

#[test]
fn timezones_cover_the_iana_database() {
    let zones = queries::timezones();
    assert!(zones.iter().any(|z| z == "Europe/Amsterdam"));
    assert!(zones.iter().any(|z| z == "America/Santiago"));
    let mut sorted = zones.clone();
    sorted.sort();
    assert_eq!(zones, sorted);
}

/// The dashboard and search over 100,000 meetings, timed (`--ignored`; numbers on stderr).
#[test]
#[ignore = "slow: builds a 100,000-meeting store"]
fn read_models_at_100k_meetings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.db");
    drop(Store::open(&path).expect("open"));
    let mut conn = rusqlite::Connection::open(&path).expect("conn");
    let base = ms("2024-01-01T00:00:00Z");
    {
        let tx = conn.transaction().expect("tx");
        for c in 0..20_000i64 {
            tx.execute(
                "INSERT INTO contacts (id, email, name, created_at, updated_at) VALUES (?1, ?2, ?3, '', '')",
                rusqlite::params![c + 1, format!("person{c}@example.com"), format!("Person {c}")],
            )
            .expect("contact");
        }
        for n in 0..100_000i64 {
            let start = base + n * 15 * 60_000;
            let at = |ms: i64| {
                DateTime::from_timestamp_millis(ms)
                    .expect("t")
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            };
            let uri = format!("{API}/scheduled_events/E{n}");
            let contact = n % 20_000 + 1;
            tx.execute(
                "INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms, raw_json, first_seen_via, invitees_active)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '{}', 'api', 1)",
                rusqlite::params![uri, if n % 3 == 0 { "Coaching Session" } else { "30 Minute Intro Call" },
                    if n % 10 == 0 { "canceled" } else { "active" }, at(start), at(start + 1_800_000), start, start + 1_800_000],
            )
            .expect("event");
            tx.execute(
                "INSERT INTO invitees (uri, event_uri, contact_id, name, email, status, questions_json, raw_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, '{}')",
                rusqlite::params![format!("{uri}/invitees/I"), uri, contact, format!("Person {}", contact - 1),
                    format!("person{}@example.com", contact - 1),
                    json!([{"question": "Topic?", "answer": format!("topic {n}")}]).to_string()],
            )
            .expect("invitee");
            tx.execute(
                "INSERT INTO event_participants (event_uri, role, email, name, contact_id) VALUES (?1, 'invitee', ?2, ?3, ?4)",
                rusqlite::params![uri, format!("person{}@example.com", contact - 1), format!("Person {}", contact - 1), contact],
            )
            .expect("participant");
            tx.execute(
                "INSERT INTO activities (contact_id, kind, at, at_ms, event_uri, idempotency_key) VALUES (?1, 'booked', ?2, ?3, ?4, ?5)",
                rusqlite::params![contact, at(start - 86_400_000), start - 86_400_000, uri, format!("booked:{n}")],
            )
            .expect("activity");
        }
        tx.commit().expect("commit");
    }
    let store = Store::open(&path).expect("open");
    let now_ms = base + 50_000 * 15 * 60_000;
    let time = |label: &str, f: &dyn Fn()| {
        f();
        let runs = 5;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            f();
        }
        eprintln!(
            "{label}: {:.1} ms",
            start.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    };
    time("dashboard", &|| {
        store
            .read(|tx| {
                queries::dashboard(
                    tx,
                    now_ms,
                    now_ms - 3 * 86_400_000,
                    now_ms + 4 * 86_400_000,
                    now_ms - 43_200_000,
                    now_ms + 43_200_000,
                )
            })
            .expect("dashboard");
    });
    for (q, n) in [
        ("person123@", 5),
        ("topic 4242", 11),
        ("coaching", 20),
        ("zzz-nothing", 0),
        ("example", 20),
    ] {
        let found = store
            .read(|tx| queries::search(tx, q, 20, now_ms))
            .expect("search");
        assert_eq!(found.meetings.len(), n, "{q}");
        if q == "example" {
            assert_eq!(found.contacts.len(), 20);
        }
        assert!(found
            .meetings
            .windows(2)
            .all(|w| t(&w[0].start) >= t(&w[1].start)));
        time(&format!("search {q:?}"), &|| {
            store
                .read(|tx| queries::search(tx, q, 20, now_ms))
                .expect("search");
        });
    }
    time("csv meetings (90 days)", &|| {
        let from = now_ms - 90 * 86_400_000;
        let r = Range {
            from: DateTime::from_timestamp_millis(from).map(|d| d.date_naive()),
            to: None,
        };
        csv_export(
            &store,
            r,
            CsvOptions {
                kind: CsvKind::Meetings,
                include_canceled: false,
            },
            now(),
        )
        .expect("csv");
    });
    if let Ok(keep) = std::env::var("SLOTLINE_KEEP_BIG_DB") {
        std::fs::copy(&path, keep).expect("keep");
    }
    time("ics feed (90 days)", &|| {
        let from = now_ms - 90 * 86_400_000;
        let r = Range {
            from: DateTime::from_timestamp_millis(from).map(|d| d.date_naive()),
            to: None,
        };
        ics_export(
            &store,
            r,
            IcsOptions {
                include_canceled: false,
            },
            now(),
        )
        .expect("ics");
    });
}

/// Activities at the same instant (three meetings booked in one request; a cancellation and a
/// booking stamped alike) come out in one canonical order, whatever order the store got them in:
/// two stores fed the same inputs in different orders export the same JSON bytes.
#[test]
fn json_export_is_byte_identical_whatever_order_the_inputs_came_in() {
    let same = "2026-11-03T15:00:00.000000Z";
    let who = ("Fia Berg", "fia.berg@example.com");
    let mut set: Vec<Input> = (20..23)
        .map(|n| {
            booked(&Booking::new(
                n,
                "Coaching",
                [
                    "2026-12-02T09:00:00.000000Z",
                    "2026-12-09T09:00:00.000000Z",
                    "2026-12-16T09:00:00.000000Z",
                ][(n - 20) as usize],
                who,
                same,
            ))
        })
        .collect();
    // An earlier booking of Fia's, canceled at that same instant.
    let early = Booking::new(
        23,
        "Intro",
        "2026-11-20T09:00:00.000000Z",
        who,
        "2026-11-01T08:00:00.000000Z",
    );
    let mut canceled = early.invitee_json("canceled", same);
    canceled["cancellation"] = json!({"canceled_by": "Fia Berg", "reason": "Booked the series", "canceler_type": "invitee", "created_at": same});
    set.push(input(early.event_json("canceled", same), vec![canceled]));
    set.push(booked(&Booking::new(
        24,
        "Intro",
        "2026-12-03T09:00:00.000000Z",
        ("Gus Holm", "gus@example.com"),
        same,
    )));

    let export_after = |order: &[usize]| {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("order.db")).expect("open");
        for &i in order {
            store.with_tx(|tx| apply(tx, &set[i])).expect("apply");
        }
        let stored: Vec<String> = store
            .read(|tx| {
                let mut stmt =
                    tx.prepare("SELECT kind || ' ' || event_uri FROM activities ORDER BY id")?;
                let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
                Ok::<_, slotline::store::StoreError>(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .expect("activities");
        let opts = ExportOptions {
            range: Range::default(),
            include_canceled: true,
            csv: CsvKind::Meetings,
            now: now(),
        };
        let bytes = export::render(&store, ExportFormat::Json, &opts).expect("export");
        (stored, bytes)
    };
    let forward = [0, 1, 2, 3, 4];
    let backward = [4, 3, 2, 1, 0];
    let (stored_a, a) = export_after(&forward);
    let (stored_b, b) = export_after(&backward);
    assert_ne!(
        stored_a, stored_b,
        "the stores hold the activities in different row orders"
    );
    assert_eq!(
        String::from_utf8_lossy(&a),
        String::from_utf8_lossy(&b),
        "same deliveries, same export"
    );

    // Fia's timeline really has ties: five activities, four of them at one instant.
    let doc: Value = serde_json::from_slice(&a).expect("json");
    let fia = doc["contacts"]
        .as_array()
        .expect("contacts")
        .iter()
        .find(|c| c["email"] == who.1)
        .expect("Fia");
    let at: Vec<&str> = fia["activity"]
        .as_array()
        .expect("activity")
        .iter()
        .map(|a| a["at"].as_str().expect("at"))
        .collect();
    assert_eq!(at.len(), 5, "{fia}");
    assert_eq!(
        at.iter()
            .filter(|t| t.starts_with("2026-11-03T15:00:00"))
            .count(),
        4,
        "{fia}"
    );
}
