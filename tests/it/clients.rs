//! Clients and time (issue 17) against the sandbox's own data: the report's counting rules,
//! computed here independently from the sandbox's raw resources; weeks across DST changes; the
//! consultant's overrides surviving re-syncs; CSV escaping; payments from syncs and webhooks;
//! and `slotline report` through the real binary.

use crate::common::fresh_store;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use calendly_sandbox::{BookingSpec, Sandbox, SandboxConfig};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use slotline::calendly::models::WebhookEnvelope;
use slotline::calendly::Client;
use slotline::clients::{facts, overrides, render, report, rows, ClientsReport, ReportRange};
use slotline::store::{Store, StoreError};
use slotline::sync::engine::{self, SyncOptions, Window};
use slotline::sync::{apply, Input};

const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("instant")
        .with_timezone(&Utc)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

async fn sandbox(seed: u64, events: usize, now: DateTime<Utc>) -> Sandbox {
    crate::common::sandbox(SandboxConfig {
        seed,
        events,
        now,
        latency: Duration::from_millis(1),
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    })
    .await
}

async fn sync(sb: &Sandbox, store: &Store) {
    let client = Client::new(&sb.base_url(), &sb.personal_access_token()).expect("client");
    let opts = SyncOptions {
        backoff_base: Duration::from_millis(5),
        ..SyncOptions::default()
    };
    let now = sb.now();
    engine::sync_with(
        &client,
        store,
        &sb.user_uri(),
        &Window::around(now),
        now,
        &opts,
        |_| {},
    )
    .await
    .expect("sync");
}

/// The report as the window and the CLI build it (from the facts migration 0009 keeps), and read
/// from the meetings and invitees both ways (one invitee lookup per meeting, and the two scans
/// merged that a long range takes): all must agree.
fn report(store: &Store, range: &ReportRange, now: DateTime<Utc>) -> ClientsReport {
    let build = |plan| {
        let rows = store
            .read(|tx| rows::read_with(tx, Some(range), plan))
            .expect("rows");
        report::build(&rows, range, now.timestamp_millis())
    };
    let merged = build(rows::Plan::Merge);
    let looked_up = build(rows::Plan::Lookup);
    assert_eq!(merged, looked_up, "the two ways of reading disagree");
    let auto = build(rows::Plan::Auto);
    assert_eq!(auto, looked_up);
    let rows = store.read(|tx| facts::read(tx, range)).expect("facts");
    let from_facts = report::build(&rows, range, now.timestamp_millis());
    assert_eq!(from_facts, looked_up, "the facts and the rows disagree");
    from_facts
}

fn state(sb: &Sandbox) -> Value {
    serde_json::to_value(sb.snapshot()).expect("state")
}

// ---- The rules, written out again over the sandbox's raw Calendly resources ----------------

const FREE_MAIL: [&str; 7] = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
];

/// (key, domain or null) of a person's client, without overrides.
fn client_of(email: &str) -> (String, Option<String>) {
    let email = email.to_lowercase();
    let domain = email.rsplit('@').next().unwrap_or("").to_string();
    if FREE_MAIL.contains(&domain.as_str()) {
        (format!("person:{email}"), None)
    } else {
        (format!("domain:{domain}"), Some(domain))
    }
}

fn hours(ms: i64) -> f64 {
    (ms as f64 / 3_600_000.0 * 100.0).round() / 100.0
}

#[derive(Default)]
struct Count {
    meetings: u32,
    ms: i64,
    canceled: u32,
    no_shows: u32,
}

impl Count {
    fn json(&self) -> Value {
        json!({"meetings": self.meetings, "hours": hours(self.ms), "canceled": self.canceled, "no_shows": self.no_shows})
    }
}

#[derive(Default)]
struct ClientAcc {
    count: Count,
    people: BTreeSet<String>,
    cents: BTreeMap<String, i64>,
    last: Option<DateTime<Utc>>,
    next: Option<DateTime<Utc>>,
}

/// The report the sandbox's data calls for, in the contract's shape.
fn expected(state: &Value, from: NaiveDate, to: NaiveDate, tz: Tz, now: DateTime<Utc>) -> Value {
    let invitees = state["invitees"].as_array().expect("invitees");
    // A person client's name: the name of their newest booking.
    let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
    for i in invitees {
        let email = i["email"].as_str().expect("email").to_lowercase();
        let created = i["created_at"].as_str().expect("created").to_string();
        let name = i["name"].as_str().unwrap_or("").to_string();
        let e = names
            .entry(email)
            .or_insert((created.clone(), name.clone()));
        if created >= e.0 {
            *e = (created, name);
        }
    }
    let mut weeks: BTreeMap<NaiveDate, Count> = BTreeMap::new();
    let mut w = from
        - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&from).num_days_from_monday(),
        ));
    while w <= to {
        weeks.insert(w, Count::default());
        w += chrono::Duration::days(7);
    }
    let mut types: BTreeMap<String, (String, Count)> = BTreeMap::new();
    let mut clients: BTreeMap<String, (Option<String>, ClientAcc)> = BTreeMap::new();
    for e in state["scheduled_events"].as_array().expect("events") {
        let start = at(e["start_time"].as_str().expect("start"));
        let local = start.with_timezone(&tz).date_naive();
        if local < from || local > to {
            continue;
        }
        let ms = (at(e["end_time"].as_str().expect("end")) - start).num_milliseconds();
        let mine: Vec<&Value> = invitees.iter().filter(|i| i["event"] == e["uri"]).collect();
        let active = |i: &&Value| i["status"] == "active";
        let cancellation = |i: &&Value| i["status"] == "canceled" && i["rescheduled"] != true;
        let no_show = |i: &&Value| active(i) && !i["no_show"].is_null();
        let held = e["status"] == "active" && mine.iter().any(active);
        let canceled = !held && mine.iter().any(cancellation);
        let add = |c: &mut Count, held_here: bool, canceled_here: bool, ns: bool| {
            if held_here {
                c.meetings += 1;
                c.ms += ms;
                c.no_shows += u32::from(ns);
            } else if canceled_here {
                c.canceled += 1;
            }
        };
        let week = local
            - chrono::Duration::days(i64::from(
                chrono::Datelike::weekday(&local).num_days_from_monday(),
            ));
        add(
            weeks.get_mut(&week).expect("week in range"),
            held,
            canceled,
            mine.iter().any(no_show),
        );
        let t = types
            .entry(e["event_type"].as_str().expect("type").to_string())
            .or_insert_with(|| {
                (
                    e["name"].as_str().expect("name").to_string(),
                    Count::default(),
                )
            });
        add(&mut t.1, held, canceled, mine.iter().any(no_show));

        let mut by_client: BTreeMap<String, (Option<String>, Vec<&Value>)> = BTreeMap::new();
        for i in &mine {
            let (key, domain) = client_of(i["email"].as_str().expect("email"));
            by_client
                .entry(key)
                .or_insert((domain, Vec::new()))
                .1
                .push(i);
        }
        for (key, (domain, invs)) in by_client {
            let client_held = held && invs.iter().any(active);
            let client_canceled = !client_held && invs.iter().any(cancellation);
            if !client_held && !client_canceled {
                continue;
            }
            let acc = &mut clients
                .entry(key)
                .or_insert((domain, ClientAcc::default()))
                .1;
            add(
                &mut acc.count,
                client_held,
                client_canceled,
                invs.iter().any(no_show),
            );
            let counted: Vec<&&Value> = invs
                .iter()
                .filter(|i| {
                    if client_held {
                        active(i)
                    } else {
                        cancellation(i)
                    }
                })
                .collect();
            for i in &counted {
                acc.people
                    .insert(i["email"].as_str().expect("email").to_lowercase());
            }
            if client_held {
                for i in &counted {
                    let p = &i["payment"];
                    if p.is_object() && p["successful"] == true {
                        let cents = (p["amount"].as_f64().expect("amount") * 100.0).round() as i64;
                        *acc.cents
                            .entry(p["currency"].as_str().expect("cur").to_string())
                            .or_default() += cents;
                    }
                }
                if start < now {
                    acc.last = acc.last.max(Some(start));
                } else if acc.next.is_none_or(|n| start < n) {
                    acc.next = Some(start);
                }
            }
        }
    }
    let utc = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    };
    json!({
        "from": from.to_string(), "to": to.to_string(), "tz": tz.name(),
        "clients": clients.into_iter().map(|(key, (domain, acc))| {
            let name = match &domain {
                Some(d) => d.clone(),
                None => names[key.trim_start_matches("person:")].1.clone(),
            };
            json!({
                "name": name, "domain": domain, "people": acc.people,
                "meetings": acc.count.meetings, "hours": hours(acc.count.ms),
                "canceled": acc.count.canceled, "no_shows": acc.count.no_shows,
                "revenue": acc.cents.iter().map(|(c, n)| json!({"currency": c, "amount": *n as f64 / 100.0})).collect::<Vec<_>>(),
                "last_meeting": utc(acc.last), "next_meeting": utc(acc.next),
            })
        }).collect::<Vec<_>>(),
        "event_types": types.into_values().map(|(name, c)| {
            let mut v = c.json();
            v["name"] = json!(name);
            v
        }).collect::<Vec<_>>(),
        "weeks": weeks.into_iter().map(|(w, c)| {
            let mut v = c.json();
            v["week_start"] = json!(w.to_string());
            v
        }).collect::<Vec<_>>(),
    })
}

/// Lists in a fixed order and numbers to two decimals, so two reports compare by meaning.
fn canonical(mut v: Value) -> Value {
    fn fix(v: &mut Value) {
        match v {
            Value::Number(n) if n.is_f64() => {
                *v = json!(format!("{:.2}", n.as_f64().unwrap_or(0.0)))
            }
            Value::Number(n) => *v = json!(format!("{:.2}", n.as_f64().unwrap_or(0.0))),
            Value::Array(a) => a.iter_mut().for_each(fix),
            Value::Object(o) => o.values_mut().for_each(fix),
            _ => {}
        }
    }
    for list in ["clients", "event_types"] {
        if let Some(a) = v[list].as_array_mut() {
            a.sort_by_key(|x| format!("{}|{}", x["name"], x["domain"]));
        }
    }
    fix(&mut v);
    v
}

fn find<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no client {name} in {r:#}"))
}

/// The first future webinar with room for two more.
fn open_webinar(state: &Value, now: DateTime<Utc>) -> String {
    let webinar = state["event_types"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["slug"] == "monthly-qa-webinar")
        .expect("webinar type")["uri"]
        .clone();
    state["scheduled_events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["event_type"] == webinar && e["status"] == "active")
        .filter(|e| at(e["start_time"].as_str().expect("start")) > now)
        .find(|e| e["invitees_counter"]["active"].as_u64() < Some(8))
        .and_then(|e| e["start_time"].as_str())
        .expect("an open webinar")
        .to_string()
}

fn book(
    sb: &Sandbox,
    ty: &str,
    start: DateTime<Utc>,
    name: &str,
    email: &str,
    payment: Option<Value>,
) -> calendly_sandbox::BookedIds {
    sb.book(BookingSpec {
        event_type: Some(ty.into()),
        start: Some(start),
        invitee_name: Some(name.into()),
        invitee_email: Some(email.into()),
        guests: Some(Vec::new()),
        payment,
        ..BookingSpec::default()
    })
    .expect("book")
}

fn paid(amount: f64, currency: &str, successful: bool) -> Option<Value> {
    Some(
        json!({"external_id": "ch_test", "provider": "stripe", "amount": amount,
                "currency": currency, "terms": null, "successful": successful}),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_counts_as_the_rules_say_on_the_sandboxs_data() {
    let now = at("2026-03-11T08:00:00Z");
    let sb = sandbox(171, 140, now).await;
    let (_dir, store) = fresh_store();
    let day = |d: i64, h: u32| {
        (now + chrono::Duration::days(d))
            .date_naive()
            .and_hms_opt(h, 0, 0)
            .expect("t")
            .and_utc()
    };

    // One company typed two ways, two free-mail people, a group meeting with two clients, a
    // cancellation, a reschedule of a paid booking, a no-show, and a failed payment.
    let acme_a = book(
        &sb,
        "intro-call",
        day(-3, 7),
        "Mia Case",
        "Mixed.Case@Acme-Test.example",
        None,
    );
    let acme_b = book(
        &sb,
        "strategy-session",
        day(4, 6),
        "Otto Other",
        "other@acme-test.example",
        paid(200.0, "EUR", true),
    );
    let ana = book(
        &sb,
        "coaching-teams",
        day(-2, 6),
        "Ana Lima",
        "ana@gmail.com",
        None,
    );
    let bo = book(
        &sb,
        "intro-call",
        day(5, 6),
        "Bo Berg",
        "bo@gmail.com",
        None,
    );
    book(
        &sb,
        "phone-consultation",
        day(6, 6),
        "Pay Er",
        "pay@beta-test.example",
        paid(99.5, "USD", true),
    );
    book(
        &sb,
        "phone-consultation",
        day(7, 6),
        "Fay Led",
        "fail@beta-test.example",
        paid(75.0, "USD", false),
    );
    let webinar = at(&open_webinar(&state(&sb), now));
    book(
        &sb,
        "monthly-qa-webinar",
        webinar,
        "Ana Lima",
        "ana@gmail.com",
        None,
    );
    let carl = book(
        &sb,
        "monthly-qa-webinar",
        webinar,
        "Carl Beta",
        "carl@beta-test.example",
        None,
    );
    sync(&sb, &store).await;
    sb.cancel(&bo.invitee_uri, false, Some("No budget"))
        .expect("cancel");
    sb.cancel(&carl.invitee_uri, false, None)
        .expect("a seat canceled");
    let moved = sb
        .reschedule(&acme_b.invitee_uri, day(8, 6))
        .expect("reschedule");
    sb.mark_no_show(&ana.invitee_uri).expect("no-show");
    sync(&sb, &store).await;

    let snap = state(&sb);
    let report_now = sb.now();
    // Everything the sandbox generated, and this month alone, in the host's zone.
    for (from, to) in [("2026-01-01", "2026-07-31"), ("2026-03-01", "2026-03-31")] {
        let range = ReportRange::new(date(from), date(to), BERLIN).expect("range");
        let got = render::contract(&report(&store, &range, report_now));
        let want = expected(&snap, range.from, range.to, BERLIN, report_now);
        pretty_assertions::assert_eq!(canonical(got), canonical(want), "{from}..{to}");
    }

    // The same facts, said by hand.
    let range = ReportRange::new(date("2026-03-01"), date("2026-03-31"), BERLIN).expect("range");
    let r = render::contract(&report(&store, &range, report_now));
    let acme = find(&r, "acme-test.example");
    assert_eq!(
        acme["people"],
        json!(["mixed.case@acme-test.example", "other@acme-test.example"])
    );
    // The rescheduled booking counts once (the new one), with its payment once.
    assert_eq!(acme["meetings"], 2);
    assert_eq!(acme["canceled"], 0);
    assert_eq!(acme["hours"], 1.5);
    assert_eq!(
        acme["revenue"],
        json!([{"currency": "EUR", "amount": 200.0}])
    );
    assert!(
        acme_a.event_uri != slotline::calendly::models::event_of_invitee_uri(&moved).expect("uri")
    );
    let ana_c = find(&r, "Ana Lima");
    assert_eq!(
        (ana_c["domain"].clone(), ana_c["no_shows"].clone()),
        (Value::Null, json!(1))
    );
    let bo_c = find(&r, "Bo Berg");
    assert_eq!(
        (bo_c["meetings"].clone(), bo_c["canceled"].clone()),
        (json!(0), json!(1))
    );
    let beta = find(&r, "beta-test.example");
    // The failed payment is no revenue (its meeting still counts).
    assert_eq!(
        beta["revenue"],
        json!([{"currency": "USD", "amount": 99.5}])
    );
    assert_eq!(beta["meetings"], 2);
    // The webinar (in April): one meeting with invitees of two clients counts for Ana's client;
    // Carl's seat was canceled, so his client counts a cancellation; it stays one held meeting.
    let wide = ReportRange::new(date("2026-01-01"), date("2026-07-31"), BERLIN).expect("range");
    let w = render::contract(&report(&store, &wide, report_now));
    assert_eq!(find(&w, "Ana Lima")["meetings"], 2);
    assert_eq!(find(&w, "beta-test.example")["canceled"], 1);
    assert_eq!(
        find(&w, "beta-test.example")["people"],
        json!([
            "carl@beta-test.example",
            "fail@beta-test.example",
            "pay@beta-test.example"
        ])
    );
    let week = webinar.with_timezone(&BERLIN).date_naive();
    let week = week
        - chrono::Duration::days(i64::from(
            chrono::Datelike::weekday(&week).num_days_from_monday(),
        ));
    let held_that_week = |r: &Value| {
        r["weeks"]
            .as_array()
            .expect("weeks")
            .iter()
            .find(|x| x["week_start"] == week.to_string())
            .expect("week")["meetings"]
            .clone()
    };
    let before = {
        let rows = store.read(|tx| rows::read(tx, Some(&wide))).expect("rows");
        rows.meetings
            .iter()
            .filter(|m| m.start_ms == webinar.timestamp_millis())
            .count()
    };
    assert_eq!(before, 1, "the two seats are one meeting");
    assert!(held_that_week(&w).as_u64() >= Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weeks_start_on_monday_in_the_zone_across_dst_changes() {
    let sb = sandbox(172, 0, at("2026-03-01T08:00:00Z")).await;
    let (_dir, store) = fresh_store();
    // Berlin: summer time starts on Sunday 29 March 2026 and ends on Sunday 25 October 2026.
    let local = |s: &str| {
        BERLIN
            .from_local_datetime(
                &chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("wall"),
            )
            .single()
            .expect("one instant")
            .with_timezone(&Utc)
    };
    let slots = [
        ("2026-03-29 23:30", "a@sun-march.example"), // 21:30 UTC, Sunday: week of 23 March
        ("2026-03-30 00:30", "b@mon-march.example"), // 22:30 UTC on Sunday: week of 30 March
        ("2026-10-25 23:30", "c@sun-october.example"), // 22:30 UTC: week of 19 October
        ("2026-10-26 00:30", "d@mon-october.example"), // 23:30 UTC on Sunday: week of 26 October
    ];
    for (wall, email) in slots {
        book(&sb, "intro-call", local(wall), "Someone", email, None);
    }
    sync(&sb, &store).await;
    let now = sb.now();
    let weeks = |from: &str, to: &str| -> BTreeMap<String, u64> {
        let range = ReportRange::new(date(from), date(to), BERLIN).expect("range");
        report(&store, &range, now)
            .weeks
            .into_iter()
            .map(|w| (w.week_start, u64::from(w.meetings)))
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    assert_eq!(
        weeks("2026-03-23", "2026-04-05"),
        BTreeMap::from([("2026-03-23".into(), 1), ("2026-03-30".into(), 1)])
    );
    assert_eq!(
        weeks("2026-10-19", "2026-11-01"),
        BTreeMap::from([("2026-10-19".into(), 1), ("2026-10-26".into(), 1)])
    );
    // A day is a day in the zone: Monday 30 March holds the meeting at 22:30 UTC on Sunday.
    let range = ReportRange::new(date("2026-03-30"), date("2026-03-30"), BERLIN).expect("range");
    let one = report(&store, &range, now);
    let names: Vec<_> = one.clients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["mon-march.example"]);
    assert_eq!(one.weeks.len(), 1);
    assert_eq!(one.weeks[0].week_start, "2026-03-30");
    // In UTC the same day holds neither Monday meeting (both are on Sunday there).
    let utc = ReportRange::new(date("2026-03-30"), date("2026-03-30"), Tz::UTC).expect("range");
    assert!(report(&store, &utc, now).clients.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renames_merges_and_moves_survive_every_resync() {
    let now = at("2026-03-11T08:00:00Z");
    let sb = sandbox(173, 40, now).await;
    let (_dir, store) = fresh_store();
    let day = |d: i64| {
        (now + chrono::Duration::days(d))
            .date_naive()
            .and_hms_opt(8, 0, 0)
            .expect("t")
            .and_utc()
    };
    book(
        &sb,
        "intro-call",
        day(1),
        "Kai North",
        "kai@north-test.example",
        None,
    );
    book(
        &sb,
        "intro-call",
        day(2),
        "Lea North",
        "lea@north-test.example",
        None,
    );
    book(
        &sb,
        "intro-call",
        day(3),
        "Sam South",
        "sam@south-test.example",
        None,
    );
    let zoe = book(
        &sb,
        "intro-call",
        day(4),
        "Zoe Free",
        "zoe@outlook.com",
        None,
    );
    sync(&sb, &store).await;

    let stamp = "2026-03-11T08:00:00.000000Z";
    store
        .with_tx(|tx| {
            overrides::rename(tx, "domain:north-test.example", "North Holdings", stamp)?;
            // South is bought by North; Zoe consults for North; Lea goes freelance.
            overrides::merge(
                tx,
                "domain:south-test.example",
                "domain:north-test.example",
                stamp,
            )?;
            overrides::move_person(tx, "ZOE@outlook.com", "domain:north-test.example", stamp)?;
            overrides::move_person(
                tx,
                "lea@north-test.example",
                "person:lea@north-test.example",
                stamp,
            )
        })
        .expect("overrides");
    let range = ReportRange::new(date("2026-03-01"), date("2026-03-31"), BERLIN).expect("range");
    let check = |store: &Store| {
        let r = render::contract(&report(store, &range, now));
        let north = find(&r, "North Holdings");
        assert_eq!(north["domain"], "north-test.example");
        assert_eq!(
            north["people"],
            json!([
                "kai@north-test.example",
                "sam@south-test.example",
                "zoe@outlook.com"
            ])
        );
        assert_eq!(find(&r, "Lea North")["domain"], Value::Null);
        assert!(r["clients"]
            .as_array()
            .expect("clients")
            .iter()
            .all(|c| c["name"] != "south-test.example"));
    };
    check(&store);

    // New bookings, a cancellation and a reschedule arrive; the sync re-applies every event.
    book(
        &sb,
        "intro-call",
        day(5),
        "Kai North",
        "kai@north-test.example",
        None,
    );
    sb.reschedule(&zoe.invitee_uri, day(6)).expect("reschedule");
    sync(&sb, &store).await;
    check(&store);
    // A full re-sync from nothing but the overrides (the same file, its sync state forgotten).
    store
        .with_tx(|tx| {
            tx.execute("DELETE FROM sync_state", [])?;
            Ok::<_, StoreError>(())
        })
        .expect("forget sync state");
    sync(&sb, &store).await;
    check(&store);
    let kept: i64 = store
        .read(|tx| {
            Ok::<_, StoreError>(
                tx.query_row("SELECT count(*) FROM client_overrides", [], |r| r.get(0))?,
            )
        })
        .expect("count");
    assert_eq!(kept, 4);

    // Refused: merging a client into itself, an unknown client, a person no one knows.
    let refused =
        |f: &dyn Fn(&rusqlite::Transaction<'_>) -> Result<(), slotline::clients::ClientsError>| {
            store.with_tx(|tx| f(tx)).expect_err("refused").to_string()
        };
    assert!(refused(&|tx| overrides::merge(
        tx,
        "domain:north-test.example",
        "domain:south-test.example",
        stamp
    ))
    .contains("already one client"));
    assert!(refused(&|tx| overrides::merge(
        tx,
        "domain:nowhere.example",
        "domain:north-test.example",
        stamp
    ))
    .contains("no client"));
    assert!(refused(&|tx| overrides::move_person(
        tx,
        "ghost@north-test.example",
        "domain:north-test.example",
        stamp
    ))
    .contains("no one booked"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_quotes_a_name_with_a_comma_a_quote_and_a_newline() {
    let now = at("2026-03-11T08:00:00Z");
    let sb = sandbox(174, 0, now).await;
    let (_dir, store) = fresh_store();
    let start = at("2026-03-12T09:00:00Z");
    book(
        &sb,
        "on-site-workshop",
        start,
        "Vic Quote",
        "vic@quote-test.example",
        paid(1450.0, "EUR", true),
    );
    book(
        &sb,
        "intro-call",
        at("2026-03-13T09:00:00Z"),
        "=HYPERLINK(\"x\")",
        "eve@gmail.com",
        paid(10.0, "USD", true),
    );
    sync(&sb, &store).await;
    let name = "Smith, \"Quoted\" & Co\nBerlin office";
    store
        .with_tx(|tx| {
            overrides::rename(
                tx,
                "domain:quote-test.example",
                name,
                "2026-03-11T08:00:00Z",
            )
        })
        .expect("rename");
    let range = ReportRange::new(date("2026-03-01"), date("2026-03-31"), BERLIN).expect("range");
    let text = render::csv(&report(&store, &range, now)).expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "client",
            "domain",
            "people",
            "meetings",
            "hours",
            "canceled",
            "no_shows",
            "revenue_EUR",
            "revenue_USD",
            "last_meeting",
            "next_meeting"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    let quote = rows
        .iter()
        .find(|r| r[1] == "quote-test.example")
        .expect("the renamed client");
    assert_eq!(quote[0], name);
    assert_eq!(&quote[3..9], ["1", "3.00", "0", "0", "1450.00", "0.00"]);
    assert_eq!(quote[10], "2026-03-12T09:00:00.000000Z");
    // A name a spreadsheet would run as a formula is defused.
    let eve = rows.iter().find(|r| r[2] == "eve@gmail.com").expect("eve");
    assert_eq!(eve[0], "'=HYPERLINK(\"x\")");
    assert!(
        text.contains("\"Smith, \"\"Quoted\"\" & Co\nBerlin office\""),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_are_stored_from_syncs_and_from_webhooks_and_shown_in_the_detail() {
    let now = at("2026-03-11T08:00:00Z");
    let sb = sandbox(175, 0, now).await;
    let (_dir, store) = fresh_store();
    let synced = book(
        &sb,
        "intro-call",
        at("2026-03-12T09:00:00Z"),
        "Pia Paid",
        "pia@pay-test.example",
        paid(120.0, "gbp", true),
    );
    sync(&sb, &store).await;
    // A booking that arrives only as a webhook delivery (the same apply path).
    let hooked = book(
        &sb,
        "intro-call",
        at("2026-03-13T09:00:00Z"),
        "Hal Hook",
        "hal@pay-test.example",
        paid(80.25, "USD", false),
    );
    let snap = state(&sb);
    let pick = |list: &str, uri: &str| {
        snap[list]
            .as_array()
            .expect("list")
            .iter()
            .find(|x| x["uri"] == uri)
            .cloned()
            .expect("found")
    };
    let mut payload = pick("invitees", &hooked.invitee_uri);
    payload["scheduled_event"] = pick("scheduled_events", &hooked.event_uri);
    let envelope: WebhookEnvelope = serde_json::from_value(json!({
        "event": "invitee.created", "created_at": "2026-03-11T08:00:01.000000Z",
        "created_by": sb.user_uri(), "payload": payload,
    }))
    .expect("envelope");
    let input = Input::Webhook {
        payload: envelope.decode().expect("decode"),
        delivered_at: envelope.created_at.clone(),
    };
    store
        .with_tx(|tx| apply(tx, &input))
        .expect("apply the delivery");

    let payment = |event: &str| {
        store
            .read(|tx| slotline::feed::event_detail(tx, event))
            .expect("detail")
            .expect("stored")
            .invitees[0]
            .payment
            .clone()
            .expect("a payment")
    };
    let p = payment(&synced.event_uri);
    assert_eq!(
        (
            p.amount,
            p.currency.as_deref(),
            p.successful,
            p.provider.as_deref()
        ),
        (Some(120.0), Some("GBP"), true, Some("stripe"))
    );
    let p = payment(&hooked.event_uri);
    assert_eq!(
        (p.amount, p.currency.as_deref(), p.successful),
        (Some(80.25), Some("USD"), false)
    );
    // Only the successful one is revenue.
    let range = ReportRange::new(date("2026-03-01"), date("2026-03-31"), BERLIN).expect("range");
    let r = render::contract(&report(&store, &range, now));
    assert_eq!(
        find(&r, "pay-test.example")["revenue"],
        json!([{"currency": "GBP", "amount": 120.0}])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slotline_report_prints_the_contract_and_the_csv() {
    let (sb, env) = crate::common::connected(SandboxConfig {
        seed: 176,
        events: 80,
        latency: Duration::from_millis(1),
        rate_limit_per_minute: 100_000,
        ..SandboxConfig::default()
    })
    .await;
    let today = sb.now().with_timezone(&BERLIN).date_naive();
    book(
        &sb,
        "intro-call",
        sb.now() + chrono::Duration::hours(30),
        "Ann Cli",
        "ann@cli-test.example",
        paid(50.0, "EUR", true),
    );
    let out = env.cmd(&["sync"]).output().expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (from, to) = (
        today - chrono::Duration::days(40),
        today + chrono::Duration::days(60),
    );
    let run = |args: &[&str]| {
        let out = env.cmd(args).output().expect("report");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let (f, t) = (from.to_string(), to.to_string());
    let json_out: Value = serde_json::from_slice(&run(&[
        "report",
        "--from",
        &f,
        "--to",
        &t,
        "--tz",
        "Europe/Berlin",
    ]))
    .expect("JSON");
    // Every key, always.
    for key in ["from", "to", "tz", "clients", "event_types", "weeks"] {
        assert!(json_out.get(key).is_some(), "{key}");
    }
    for c in json_out["clients"].as_array().expect("clients") {
        for key in [
            "name",
            "domain",
            "people",
            "meetings",
            "hours",
            "canceled",
            "no_shows",
            "revenue",
            "last_meeting",
            "next_meeting",
        ] {
            assert!(c.get(key).is_some(), "client key {key}");
        }
    }
    // The same numbers the sandbox's own data call for (last/next depend on the second it ran).
    let strip = |mut v: Value| {
        for c in v["clients"].as_array_mut().expect("clients") {
            c["last_meeting"] = Value::Null;
            c["next_meeting"] = Value::Null;
        }
        canonical(v)
    };
    let want = expected(&state(&sb), from, to, BERLIN, Utc::now());
    pretty_assertions::assert_eq!(strip(json_out.clone()), strip(want));
    assert_eq!(
        find(&json_out, "cli-test.example")["revenue"],
        json!([{"currency": "EUR", "amount": 50.0}])
    );

    let csv_out = String::from_utf8(run(&[
        "report",
        "--from",
        &f,
        "--to",
        &t,
        "--tz",
        "Europe/Berlin",
        "--format",
        "csv",
    ]))
    .expect("utf-8");
    assert!(
        csv_out.starts_with("client,domain,people,meetings,hours,canceled,no_shows,"),
        "{csv_out}"
    );
    assert_eq!(
        csv_out.lines().count(),
        1 + json_out["clients"].as_array().expect("clients").len()
    );

    // Defaults: this month in the given zone.
    let month: Value =
        serde_json::from_slice(&run(&["report", "--tz", "Europe/Berlin"])).expect("JSON");
    assert_eq!(month["from"], format!("{}", today.format("%Y-%m-01")));
    // Bad input is one clear line and exit code 2.
    let bad = env
        .cmd(&["report", "--tz", "Mars/Olympus"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an IANA time zone"));
    let help = env.cmd(&["report", "--help"]).output().expect("help");
    assert!(String::from_utf8_lossy(&help.stdout).contains("with neither, this month"));
}

#[test]
fn payments_stored_before_the_migration_are_read_from_their_raw_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.db");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("open");
        slotline::store::db::MIGRATIONS
            .to_version(&mut conn, 5)
            .expect("to v5");
        conn.execute_batch(
            r#"INSERT INTO scheduled_events (uri, name, status, start_time, end_time, start_ms, end_ms, raw_json, first_seen_via)
               VALUES ('https://api.calendly.com/scheduled_events/E', 'Workshop', 'active', '2026-03-12T09:00:00.000000Z',
                       '2026-03-12T12:00:00.000000Z', 1773306000000, 1773316800000, '{}', 'api');
               INSERT INTO contacts (email, name, created_at, updated_at) VALUES ('a@old.example', 'Al Old', '', '');
               INSERT INTO invitees (uri, event_uri, contact_id, name, email, status, raw_json) VALUES
                 ('https://api.calendly.com/scheduled_events/E/invitees/A', 'https://api.calendly.com/scheduled_events/E', 1,
                  'Al Old', 'a@old.example', 'active',
                  '{"payment": {"external_id": "ch_1", "provider": "paypal", "amount": 1450.0, "currency": "eur", "terms": null, "successful": true}}'),
                 ('https://api.calendly.com/scheduled_events/E/invitees/B', 'https://api.calendly.com/scheduled_events/E', 1,
                  'Al Old', 'a@old.example', 'canceled', '{"payment": null}');"#,
        )
        .expect("rows at v5");
    }
    let store = Store::open(&path).expect("upgrade");
    let detail = store
        .read(|tx| slotline::feed::event_detail(tx, "https://api.calendly.com/scheduled_events/E"))
        .expect("read")
        .expect("stored");
    let p = detail
        .invitees
        .iter()
        .find(|i| i.uri.ends_with("/A"))
        .and_then(|i| i.payment.clone())
        .expect("payment");
    assert_eq!(
        (
            p.amount,
            p.currency.as_deref(),
            p.successful,
            p.provider.as_deref()
        ),
        (Some(1450.0), Some("EUR"), true, Some("paypal"))
    );
    assert!(detail
        .invitees
        .iter()
        .find(|i| i.uri.ends_with("/B"))
        .expect("B")
        .payment
        .is_none());
}
