//! The believable consultant's calendar: the host, her event types, a pool of invitees (recurring
//! clients, many time zones) and a history of bookings, cancellations, reschedules and no-shows,
//! all drawn from one seeded RNG so a seed and an anchor instant always give the same world.

use super::ids::{random_alnum, uuid_v4, API_ROOT};
use super::model::*;
use super::tokens::TokenStore;
use super::world::{BookingSpec, World};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Europe::Amsterdam;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use serde_json::{json, Value};

/// The host's zone: business hours and the monthly webinar are laid out in it.
pub const HOST_TZ: chrono_tz::Tz = Amsterdam;

/// Someone who books with the host.
#[derive(Debug)]
pub struct Person {
    pub first: &'static str,
    /// `None` for the one invitee who goes by a single name.
    pub last: Option<&'static str>,
    pub email: &'static str,
    /// The same mailbox typed differently, as returning clients sometimes do.
    pub email_alt: Option<&'static str>,
    pub timezone: Option<&'static str>,
    pub phone: &'static str,
    pub company: &'static str,
    /// Recurring clients carry more weight so they book several times.
    pub weight: u32,
}

impl Person {
    pub fn name(&self) -> String {
        match self.last {
            Some(last) => format!("{} {}", self.first, last),
            None => self.first.to_string(),
        }
    }

    pub fn email_variant(&self, rng: &mut impl RngCore) -> String {
        match self.email_alt {
            Some(alt) if rng.random_bool(0.35) => alt.to_string(),
            _ => self.email.to_string(),
        }
    }
}

macro_rules! person {
    ($first:expr, $last:expr, $email:expr, $alt:expr, $tz:expr, $phone:expr, $company:expr, $w:expr) => {
        Person {
            first: $first,
            last: $last,
            email: $email,
            email_alt: $alt,
            timezone: $tz,
            phone: $phone,
            company: $company,
            weight: $w,
        }
    };
}

pub static PEOPLE: &[Person] = &[
    person!(
        "Jonas",
        Some("Weber"),
        "jonas.weber@weber-logistik.example",
        Some("Jonas.Weber@Weber-Logistik.example"),
        Some("Europe/Berlin"),
        "+49 30 901820",
        "Weber Logistik GmbH",
        9
    ),
    person!(
        "Camila",
        Some("Rojas"),
        "camila.rojas@andesventures.example",
        Some("Camila.Rojas@AndesVentures.example"),
        Some("America/Santiago"),
        "+56 2 2345 6789",
        "Andes Ventures",
        7
    ),
    person!(
        "Priya",
        Some("Raghunathan"),
        "priya@kolam-analytics.example",
        None,
        Some("Asia/Kolkata"),
        "+91 80 4567 1234",
        "Kolam Analytics",
        6
    ),
    person!(
        "Olivia",
        Some("Bennett"),
        "olivia.bennett@harbourside.example",
        Some("OLIVIA.BENNETT@harbourside.example"),
        Some("Australia/Sydney"),
        "+61 2 9876 5432",
        "Harbourside Health",
        6
    ),
    person!(
        "Ethan",
        Some("Brooks"),
        "ethan@brooks-and-hale.example",
        None,
        Some("America/New_York"),
        "+1 212-555-0147",
        "Brooks & Hale",
        5
    ),
    person!(
        "Haruto",
        Some("Sato"),
        "h.sato@kumo-robotics.example",
        None,
        Some("Asia/Tokyo"),
        "+81 3-5555-0199",
        "Kumo Robotics",
        5
    ),
    person!(
        "Nadia",
        Some("Petrova"),
        "nadia.petrova@remote-first.example",
        None,
        Some("UTC"),
        "+44 20 7946 0321",
        "Remote First Ltd",
        3
    ),
    person!(
        "Liam",
        Some("O'Connor"),
        "liam.oconnor@greenfield.example",
        None,
        Some("Europe/Dublin"),
        "+353 1 555 0182",
        "Greenfield Energy",
        2
    ),
    person!(
        "Sofia",
        Some("Marino"),
        "sofia.marino@studiomarino.example",
        None,
        Some("Europe/Rome"),
        "+39 06 5550 1234",
        "Studio Marino",
        2
    ),
    person!(
        "Lars",
        Some("Andersen"),
        "lars@nordkyst.example",
        None,
        Some("Europe/Copenhagen"),
        "+45 32 55 01 23",
        "Nordkyst Shipping",
        2
    ),
    person!(
        "Amara",
        Some("Okafor"),
        "amara.okafor@lagoslabs.example",
        None,
        Some("Africa/Lagos"),
        "+234 1 555 0133",
        "Lagos Labs",
        2
    ),
    person!(
        "Mateo",
        Some("Fernández"),
        "mateo.fernandez@cafeteca.example",
        None,
        Some("America/Mexico_City"),
        "+52 55 5555 0176",
        "Cafeteca",
        2
    ),
    person!(
        "Chloé",
        Some("Dubois"),
        "chloe.dubois@atelier-dubois.example",
        None,
        Some("Europe/Paris"),
        "+33 1 55 55 01 42",
        "Atelier Dubois",
        2
    ),
    person!(
        "Noah",
        Some("Fischer"),
        "noah.fischer@alpenbyte.example",
        None,
        Some("Europe/Zurich"),
        "+41 44 555 01 90",
        "AlpenByte AG",
        2
    ),
    person!(
        "Zoë",
        Some("van Dijk"),
        "zoe.vandijk@polderpay.example",
        None,
        Some("Europe/Amsterdam"),
        "+31 20 555 0148",
        "PolderPay",
        2
    ),
    person!(
        "Aroha",
        None,
        "aroha@kiwi-craft.example",
        None,
        Some("Pacific/Auckland"),
        "+64 9 555 0112",
        "Kiwi Craft Co.",
        2
    ),
    person!(
        "Ingrid",
        Some("Halvorsen"),
        "ingrid.halvorsen@fjordtech.example",
        None,
        Some("Europe/Oslo"),
        "+47 22 55 01 77",
        "FjordTech",
        1
    ),
    person!(
        "Daniel",
        Some("Kim"),
        "daniel.kim@pacific-crest.example",
        None,
        Some("America/Los_Angeles"),
        "+1 415-555-0163",
        "Pacific Crest",
        1
    ),
    person!(
        "Wei",
        Some("Zhang"),
        "wei.zhang@lantern-ai.example",
        None,
        Some("Asia/Shanghai"),
        "+86 21 5555 0107",
        "Lantern AI",
        1
    ),
    person!(
        "Fatima",
        Some("Al-Sayed"),
        "fatima@dunegrowth.example",
        None,
        Some("Asia/Dubai"),
        "+971 4 555 0190",
        "Dune Growth",
        1
    ),
    person!(
        "Tomás",
        Some("Silva"),
        "tomas.silva@ipanema-tech.example",
        None,
        Some("America/Sao_Paulo"),
        "+55 11 5555 0155",
        "Ipanema Tech",
        1
    ),
    person!(
        "Emily",
        Some("Clarke"),
        "emily.clarke@thameswharf.example",
        None,
        Some("Europe/London"),
        "+44 20 7946 0958",
        "Thames Wharf Partners",
        1
    ),
    person!(
        "Rahul",
        Some("Mehta"),
        "rahul.mehta@chai-commerce.example",
        None,
        Some("Asia/Kolkata"),
        "+91 22 5555 0143",
        "Chai Commerce",
        1
    ),
    person!(
        "Sarah",
        Some("Goldberg"),
        "sarah.goldberg@lakeshore.example",
        None,
        Some("America/Chicago"),
        "+1 312-555-0119",
        "Lakeshore Capital",
        1
    ),
    person!(
        "Mikko",
        Some("Virtanen"),
        "mikko.virtanen@revontuli.example",
        None,
        Some("Europe/Helsinki"),
        "+358 9 5550 1234",
        "Revontuli Oy",
        1
    ),
    person!(
        "Ana",
        Some("Kovač"),
        "ana.kovac@adriadigital.example",
        None,
        Some("Europe/Zagreb"),
        "+385 1 555 0121",
        "Adria Digital",
        1
    ),
    person!(
        "Grace",
        Some("Liu"),
        "grace.liu@maplesoft.example",
        None,
        Some("America/Toronto"),
        "+1 416-555-0184",
        "Maple Soft",
        1
    ),
    person!(
        "Jack",
        Some("Thompson"),
        "jack.thompson@southerncross.example",
        None,
        Some("Australia/Melbourne"),
        "+61 3 5550 1122",
        "Southern Cross Media",
        1
    ),
    person!(
        "Hannah",
        Some("Schulz"),
        "hannah.schulz@spreewerk.example",
        None,
        Some("Europe/Berlin"),
        "+49 30 555 0167",
        "Spreewerk",
        1
    ),
    person!(
        "Kwame",
        Some("Mensah"),
        "kwame.mensah@goldcoast-agri.example",
        None,
        Some("Africa/Accra"),
        "+233 30 555 0199",
        "Gold Coast Agri",
        1
    ),
    person!(
        "Isabella",
        Some("Costa"),
        "isabella.costa@tejo.example",
        None,
        Some("Europe/Lisbon"),
        "+351 21 555 0133",
        "Tejo Studio",
        1
    ),
    person!(
        "Yuki",
        Some("Tanaka"),
        "yuki.tanaka@sakura-design.example",
        None,
        Some("Asia/Tokyo"),
        "+81 6-5555-0175",
        "Sakura Design",
        1
    ),
    person!(
        "Felipe",
        Some("Araya"),
        "felipe.araya@patagonia-tours.example",
        None,
        Some("America/Santiago"),
        "+56 61 255 0144",
        "Patagonia Tours",
        1
    ),
    person!(
        "Moana",
        Some("Kealoha"),
        "moana@aloha-retail.example",
        None,
        Some("Pacific/Honolulu"),
        "+1 808-555-0126",
        "Aloha Retail",
        1
    ),
];

/// Weighted towards the recurring clients at the top of [`PEOPLE`].
pub fn pick_person(rng: &mut impl RngCore) -> &'static Person {
    let total: u32 = PEOPLE.iter().map(|p| p.weight).sum();
    let mut n = rng.random_range(0..total.max(1));
    for p in PEOPLE {
        if n < p.weight {
            return p;
        }
        n -= p.weight;
    }
    &PEOPLE[0]
}

/// How a custom question is answered.
#[derive(Debug)]
pub enum Answer {
    Text(&'static [&'static str]),
    Company,
    Phone,
    /// Checkboxes: one or two choices, newline-joined like Calendly's.
    Multi(&'static [&'static str]),
    Choice(&'static [&'static str]),
}

#[derive(Debug)]
pub struct Question {
    pub text: &'static str,
    pub answer: Answer,
    pub required: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocationKind {
    Zoom,
    GoogleMeet,
    Teams,
    Physical,
    Phone,
    Custom,
}

/// An event type the host offers.
#[derive(Debug)]
pub struct EventTemplate {
    pub slug: &'static str,
    pub name: &'static str,
    pub duration: u32,
    pub group: bool,
    pub limit: u32,
    pub location: LocationKind,
    /// The booking form asks for one "Name" field, so `first_name`/`last_name` are null.
    pub single_name_field: bool,
    pub color: &'static str,
    pub description: &'static str,
    pub questions: &'static [Question],
    pub weight: u32,
    pub paid: bool,
}

const HEAR: &[&str] = &[
    "LinkedIn",
    "A friend or colleague",
    "Podcast",
    "Newsletter",
    "Google search",
];

pub static TEMPLATES: &[EventTemplate] = &[
    EventTemplate {
        slug: "intro-call",
        name: "30 Minute Intro Call",
        duration: 30,
        group: false,
        limit: 1,
        location: LocationKind::Zoom,
        single_name_field: false,
        color: "#0069ff",
        description: "A short first conversation to see whether we are a good fit.",
        questions: &[
            Question {
                text: "What would you like to discuss?",
                answer: Answer::Text(&[
                    "Pricing strategy for our new SaaS tier",
                    "We're expanding into the Nordics and need a go-to-market plan.\nMain questions:\n- which country first?\n- local entity or not?",
                    "Hiring our first sales lead",
                    "Board reporting: which KPIs should we track?",
                    "Quick intro, a colleague recommended you.",
                ]),
                required: true,
            },
            Question { text: "Company name", answer: Answer::Company, required: false },
            Question { text: "How did you hear about me?", answer: Answer::Multi(HEAR), required: false },
        ],
        weight: 30,
        paid: false,
    },
    EventTemplate {
        slug: "strategy-session",
        name: "60 Minute Strategy Session",
        duration: 60,
        group: false,
        limit: 1,
        location: LocationKind::GoogleMeet,
        single_name_field: false,
        color: "#8247f5",
        description: "A focused working session on one strategic question.",
        questions: &[
            Question {
                text: "What are the top goals for this session?",
                answer: Answer::Text(&[
                    "1. Clarify our positioning\n2. Agree on Q3 priorities\n3. Budget for the rebrand",
                    "Prepare the investor update for next month",
                    "Restructure the customer success team (currently 6 people)",
                    "Review the draft OKRs I'll share beforehand",
                ]),
                required: true,
            },
            Question { text: "Company name", answer: Answer::Company, required: true },
            Question { text: "Team size", answer: Answer::Choice(&["1-10", "11-50", "51-200", "200+"]), required: false },
        ],
        weight: 20,
        paid: false,
    },
    EventTemplate {
        slug: "coaching-teams",
        name: "Coaching (Teams)",
        duration: 45,
        group: false,
        limit: 1,
        location: LocationKind::Teams,
        single_name_field: false,
        color: "#17e885",
        description: "One-on-one leadership coaching over Microsoft Teams.",
        questions: &[Question {
            text: "What do you want to focus on?",
            answer: Answer::Text(&[
                "Delegation and time management",
                "Preparing for a difficult conversation with my co-founder",
                "Giving feedback to senior engineers",
                "Work-life balance after the promotion",
            ]),
            required: false,
        }],
        weight: 20,
        paid: false,
    },
    EventTemplate {
        slug: "on-site-workshop",
        name: "On-site Workshop",
        duration: 180,
        group: false,
        limit: 1,
        location: LocationKind::Physical,
        single_name_field: false,
        color: "#ff4f00",
        description: "A half-day workshop with your team at my Amsterdam office.",
        questions: &[
            Question { text: "Number of participants", answer: Answer::Choice(&["6", "8", "12", "15"]), required: true },
            Question {
                text: "Dietary requirements or accessibility needs",
                answer: Answer::Text(&[
                    "Two vegetarians, one gluten-free",
                    "None",
                    "Vegan lunch for everyone please\nWheelchair access needed for one participant",
                ]),
                required: false,
            },
        ],
        weight: 5,
        paid: true,
    },
    EventTemplate {
        slug: "phone-consultation",
        name: "Phone Consultation",
        duration: 20,
        group: false,
        limit: 1,
        location: LocationKind::Phone,
        single_name_field: true,
        color: "#ffa600",
        description: "A quick call for a specific question.",
        questions: &[
            Question { text: "Phone number", answer: Answer::Phone, required: true },
            Question {
                text: "Best time to reach you",
                answer: Answer::Choice(&["Mornings before 10", "Any time after 14:00", "Lunchtime works best"]),
                required: false,
            },
        ],
        weight: 15,
        paid: false,
    },
    EventTemplate {
        slug: "monthly-qa-webinar",
        name: "Monthly Q&A Webinar",
        duration: 60,
        group: true,
        limit: 10,
        location: LocationKind::Custom,
        single_name_field: true,
        color: "#e55cff",
        description: "Open Q&A for founders and team leads, every second Tuesday of the month.",
        questions: &[Question {
            text: "Which topics should we cover?",
            answer: Answer::Text(&[
                "Pricing experiments",
                "Remote team rituals",
                "How to prepare for due diligence",
                "The new EU AI Act obligations",
            ]),
            required: false,
        }],
        weight: 10,
        paid: false,
    },
];

/// The template behind an event type slug (the first one if the slug is unknown, which only a
/// hand-edited state file could cause).
pub fn template(slug: &str) -> &'static EventTemplate {
    TEMPLATES
        .iter()
        .find(|t| t.slug == slug)
        .unwrap_or(&TEMPLATES[0])
}

pub fn pick_template(rng: &mut impl RngCore) -> &'static EventTemplate {
    let total: u32 = TEMPLATES.iter().map(|t| t.weight).sum();
    let mut n = rng.random_range(0..total.max(1));
    for t in TEMPLATES {
        if n < t.weight {
            return t;
        }
        n -= t.weight;
    }
    &TEMPLATES[0]
}

fn pick_solo_template(rng: &mut impl RngCore) -> &'static EventTemplate {
    loop {
        let t = pick_template(rng);
        if !t.group {
            return t;
        }
    }
}

/// `(first_name, last_name)`: both null for single-name forms and one-word names.
pub fn split_name(name: &str, single_name_field: bool) -> (Option<String>, Option<String>) {
    if single_name_field {
        return (None, None);
    }
    match name.trim().split_once(' ') {
        Some((first, last)) => (Some(first.to_string()), Some(last.trim().to_string())),
        None => (None, None),
    }
}

pub fn name_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn email_from_name(name: &str) -> String {
    let local: String = name
        .trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(".");
    format!("{local}@example.com")
}

pub fn answers(rng: &mut impl RngCore, t: &EventTemplate, p: &Person) -> Vec<QuestionAndAnswer> {
    let mut out = Vec::new();
    for (i, q) in t.questions.iter().enumerate() {
        if !q.required && rng.random_bool(0.3) {
            continue;
        }
        let answer = match &q.answer {
            Answer::Text(opts) | Answer::Choice(opts) => {
                opts.choose(rng).copied().unwrap_or("").to_string()
            }
            Answer::Company => p.company.to_string(),
            Answer::Phone => p.phone.to_string(),
            Answer::Multi(opts) => {
                let n = rng.random_range(1..=2usize);
                opts.choose_multiple(rng, n)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        out.push(QuestionAndAnswer {
            question: q.text.to_string(),
            answer,
            position: i as u32,
        });
    }
    out
}

pub fn random_guests(rng: &mut impl RngCore, t: &EventTemplate, email: &str) -> Vec<String> {
    if t.group || t.location == LocationKind::Phone || !rng.random_bool(0.12) {
        return Vec::new();
    }
    let domain = email
        .split('@')
        .nth(1)
        .unwrap_or("example.com")
        .to_lowercase();
    let names = ["cfo", "m.jansen", "ops", "laura", "tech-lead"];
    let n = rng.random_range(1..=2usize);
    names
        .choose_multiple(rng, n)
        .map(|l| format!("{l}@{domain}"))
        .collect()
}

pub fn random_tracking(rng: &mut impl RngCore) -> Tracking {
    if !rng.random_bool(0.35) {
        return Tracking::default();
    }
    let (source, medium) = *[
        ("linkedin", "social"),
        ("newsletter", "email"),
        ("google", "cpc"),
        ("podcast", "audio"),
    ]
    .choose(rng)
    .unwrap_or(&("linkedin", "social"));
    let campaign = [
        "spring-newsletter",
        "q3-webinar-series",
        "founder-office-hours",
    ]
    .choose(rng)
    .copied();
    Tracking {
        utm_campaign: campaign.map(str::to_string),
        utm_source: Some(source.to_string()),
        utm_medium: Some(medium.to_string()),
        utm_content: if rng.random_bool(0.4) {
            Some("cta-button".to_string())
        } else {
            None
        },
        utm_term: if medium == "cpc" {
            Some("fractional coo amsterdam".to_string())
        } else {
            None
        },
        salesforce_uuid: None,
    }
}

pub fn text_reminder(rng: &mut impl RngCore, t: &EventTemplate, p: &Person) -> Option<String> {
    if t.location == LocationKind::Phone || rng.random_bool(0.15) {
        Some(p.phone.to_string())
    } else {
        None
    }
}

/// Calendly's `payment` for a booking of a paid event type (Stripe; the currency and, now and
/// then, a failed charge vary with the charge id, so no extra draw changes the seeded world).
pub fn payment(rng: &mut impl RngCore, t: &EventTemplate) -> Option<Value> {
    if !t.paid {
        return None;
    }
    let id = random_alnum(rng, 23);
    let pick = |i: usize| id.as_bytes().get(i).copied().unwrap_or(b'a');
    let (currency, amount) = match pick(0) % 4 {
        0 => ("USD", 1600.0),
        1 => ("GBP", 1250.0),
        _ => ("EUR", 1450.0),
    };
    Some(json!({
        "external_id": format!("ch_3{id}"),
        "provider": "stripe",
        "amount": amount,
        "currency": currency,
        "terms": "Full refund up to 7 days before the workshop.",
        "successful": pick(1) % 8 != 0
    }))
}

fn digits(rng: &mut impl RngCore, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + (rng.next_u32() % 10) as u8))
        .collect()
}

/// The `location` object of a new event, per provider (§5.2); Zoom appears under both spellings.
pub fn location(
    rng: &mut impl RngCore,
    t: &EventTemplate,
    event_uuid: &str,
    invitee_phone: Option<&str>,
    host_phone: &str,
) -> Value {
    match t.location {
        LocationKind::Zoom => {
            let id = digits(rng, 11);
            let kind = if rng.random_bool(0.25) {
                "zoom_conference"
            } else {
                "zoom"
            };
            json!({
                "type": kind,
                "status": "pushed",
                "join_url": format!("https://us06web.zoom.us/j/{id}?pwd={}", random_alnum(rng, 32)),
                "data": {
                    "id": id,
                    "password": random_alnum(rng, 6),
                    "settings": {"global_dial_in_numbers": [
                        {"number": "+31 20 241 0288", "country": "NL", "type": "toll", "city": "", "country_name": "Netherlands"}
                    ]},
                    "extra": {"intl_numbers_url": format!("https://us06web.zoom.us/u/{}", random_alnum(rng, 10))}
                }
            })
        }
        LocationKind::GoogleMeet => json!({
            "type": "google_conference",
            "status": "pushed",
            "join_url": format!("https://calendly.com/events/{event_uuid}/google_meet")
        }),
        LocationKind::Teams => {
            let meeting = random_alnum(rng, 40);
            json!({
                "type": "microsoft_teams_conference",
                "status": "pushed",
                "join_url": format!("https://teams.microsoft.com/l/meetup-join/19%3ameeting_{meeting}%40thread.v2/0"),
                "data": {
                    "id": format!("19:meeting_{meeting}@thread.v2"),
                    "audioConferencing": {
                        "conferenceId": digits(rng, 9),
                        "dialinUrl": format!("https://dialin.teams.microsoft.com/{}", uuid_v4(rng)),
                        "tollNumber": "+31 20 703 8384"
                    }
                }
            })
        }
        LocationKind::Physical => json!({
            "type": "physical",
            "location": "Herengracht 182, 1016 BR Amsterdam",
            "additional_info": "Lindqvist Advisory, 3rd floor. Ring the bell marked \"LA\"."
        }),
        LocationKind::Phone => match invitee_phone {
            Some(phone) if rng.random_bool(0.6) => {
                json!({"type": "outbound_call", "location": phone})
            }
            _ => json!({"type": "inbound_call", "location": host_phone}),
        },
        LocationKind::Custom => json!({
            "type": "custom",
            "location": "Livestream: the join link arrives by email one hour before we start"
        }),
    }
}

pub fn calendar_event(rng: &mut impl RngCore) -> Option<CalendarEvent> {
    if rng.random_bool(0.9) {
        Some(CalendarEvent {
            kind: "google".to_string(),
            external_id: random_alnum(rng, 26),
        })
    } else {
        None
    }
}

const NOTES: &[&str] = &[
    "Send the pricing deck beforehand.",
    "Follow-up from the March session. Bring last quarter's numbers.\nAsk about the hiring plan.",
    "Client prefers English; CFO may join for the last 15 minutes.",
    "Invoice already sent.",
];

/// Calendly keeps an HTML rendering beside the plain notes.
pub fn notes_html(plain: &str) -> String {
    let escaped = plain
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<p>{}</p>", escaped.replace('\n', "<br>"))
}

/// A start in the host's business hours (09:00 until the event ends by 18:00, on the half hour),
/// `day_offset` days after `now`'s date in the host's zone; `None` on weekends.
pub fn business_start(
    rng: &mut impl RngCore,
    now: DateTime<Utc>,
    day_offset: i64,
    duration: u32,
) -> Option<DateTime<Utc>> {
    let date = now.with_timezone(&HOST_TZ).date_naive() + TimeDelta::days(day_offset);
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        return None;
    }
    let last = (18 * 60 - duration as i64).max(9 * 60);
    let slots = ((last - 9 * 60) / 30 + 1).max(1);
    let minute = 9 * 60 + 30 * rng.random_range(0..slots);
    let local = date.and_hms_opt((minute / 60) as u32, (minute % 60) as u32, 0)?;
    HOST_TZ
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The webinar runs on the second Tuesday of the month at 17:00 in the host's zone.
fn second_tuesday(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let to_tue = (7 + Weekday::Tue.num_days_from_monday() as i64
        - first.weekday().num_days_from_monday() as i64)
        % 7;
    let date = first + TimeDelta::days(to_tue + 7);
    let local = date.and_hms_opt(17, 0, 0)?;
    HOST_TZ
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Webinar occurrences starting in `[from, to)`.
pub fn group_occurrences(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let local = from.with_timezone(&HOST_TZ);
    let (mut year, mut month) = (local.year(), local.month());
    let mut out = Vec::new();
    for _ in 0..24 {
        if let Some(t) = second_tuesday(year, month) {
            if t >= to {
                break;
            }
            if t >= from {
                out.push(t);
            }
        }
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    out
}

pub fn next_group_occurrence(after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    group_occurrences(after, after + TimeDelta::days(70))
        .into_iter()
        .next()
}

/// A random instant in `(from, to)`, with sub-second noise so timestamps look recorded, not planned.
fn between(rng: &mut impl RngCore, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
    let span = (to - from).num_seconds().max(2);
    from + TimeDelta::seconds(rng.random_range(1..span))
        + TimeDelta::microseconds(rng.random_range(0..1_000_000))
}

const INVITEE_REASONS: &[&str] = &[
    "Something urgent came up at work, sorry!",
    "Double-booked. I'll pick a new time next week.",
    "We decided to postpone the project until Q3.",
    "Feeling unwell today.",
];
const HOST_REASONS: &[&str] = &[
    "Sorry, I have to travel to a client on short notice. Please pick another slot.",
    "A workshop ran over; apologies!",
    "I'm out sick today.",
];

fn reason(rng: &mut impl RngCore, by_host: bool) -> Option<String> {
    if rng.random_bool(0.2) {
        return None;
    }
    let pool = if by_host {
        HOST_REASONS
    } else {
        INVITEE_REASONS
    };
    pool.choose(rng).map(|s| s.to_string())
}

/// The days before and after `now` the generated history spans unless told otherwise.
pub const DEFAULT_SPAN_DAYS: (u32, u32) = (60, 120);

/// Builds the world for `seed` around `now` with exactly `target` scheduled events, spread over
/// [`DEFAULT_SPAN_DAYS`].
#[cfg(test)]
pub fn generate(seed: u64, now: DateTime<Utc>, target: usize, user_is_org_admin: bool) -> World {
    generate_spanning(seed, now, target, user_is_org_admin, DEFAULT_SPAN_DAYS)
}

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
