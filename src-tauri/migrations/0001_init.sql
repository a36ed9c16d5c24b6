-- Slotline's first schema. Append-only: never edit this file once it has landed; add a new one.
-- Times are UTC: TEXT in Calendly's RFC 3339 form for display, INTEGER milliseconds for ranges.

CREATE TABLE account (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    user_uri         TEXT NOT NULL,
    organization_uri TEXT,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    timezone         TEXT,
    avatar_url       TEXT,
    auth_kind        TEXT NOT NULL CHECK (auth_kind IN ('pat', 'oauth')),
    api_url          TEXT NOT NULL,
    auth_url         TEXT NOT NULL,
    is_sandbox       INTEGER NOT NULL DEFAULT 0,
    webhooks_allowed INTEGER NOT NULL DEFAULT 1,
    connected_at     TEXT NOT NULL,
    raw_json         TEXT NOT NULL
) STRICT;

CREATE TABLE scheduled_events (
    uri               TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
    start_time        TEXT NOT NULL,
    end_time          TEXT NOT NULL,
    start_ms          INTEGER NOT NULL,
    end_ms            INTEGER NOT NULL,
    event_type        TEXT,
    location_json     TEXT,
    meeting_notes     TEXT,
    invitees_total    INTEGER,
    invitees_active   INTEGER,
    cancellation_json TEXT,
    created_at        TEXT,
    updated_at        TEXT,
    raw_json          TEXT NOT NULL,
    first_seen_via    TEXT NOT NULL CHECK (first_seen_via IN ('api', 'webhook'))
) STRICT;

-- 'events between two instants': start before the range's end, end after its start.
CREATE INDEX scheduled_events_by_start ON scheduled_events (start_ms, end_ms);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT,
    -- When the booking that gave `name` was made: the newest booking's name wins, in any order.
    name_at    TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE invitees (
    uri                 TEXT PRIMARY KEY,
    event_uri           TEXT NOT NULL REFERENCES scheduled_events (uri),
    contact_id          INTEGER NOT NULL REFERENCES contacts (id),
    name                TEXT,
    first_name          TEXT,
    last_name           TEXT,
    email               TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
    timezone            TEXT,
    questions_json      TEXT NOT NULL DEFAULT '[]',
    cancellation_json   TEXT,
    no_show_uri         TEXT,
    no_show_at          TEXT,
    rescheduled         INTEGER NOT NULL DEFAULT 0,
    old_invitee         TEXT,
    new_invitee         TEXT,
    tracking_json       TEXT,
    cancel_url          TEXT,
    reschedule_url      TEXT,
    routing_submission  TEXT,
    created_at          TEXT,
    updated_at          TEXT,
    raw_json            TEXT NOT NULL
) STRICT;

CREATE INDEX invitees_by_event ON invitees (event_uri);
CREATE INDEX invitees_by_contact ON invitees (contact_id);

CREATE TABLE event_participants (
    event_uri  TEXT NOT NULL REFERENCES scheduled_events (uri),
    role       TEXT NOT NULL CHECK (role IN ('host', 'invitee', 'guest')),
    email      TEXT NOT NULL COLLATE NOCASE,
    name       TEXT,
    user_uri   TEXT,
    contact_id INTEGER REFERENCES contacts (id),
    PRIMARY KEY (event_uri, role, email)
) STRICT;

CREATE INDEX event_participants_by_contact ON event_participants (contact_id);

CREATE TABLE activities (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    kind            TEXT NOT NULL CHECK (kind IN ('booked', 'canceled', 'rescheduled', 'no_show',
                                                  'no_show_cleared', 'routing_form_submitted')),
    at              TEXT NOT NULL,
    at_ms           INTEGER NOT NULL,
    event_uri       TEXT,
    invitee_uri     TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    detail_json     TEXT
) STRICT;

-- 'a contact's timeline'.
CREATE INDEX activities_by_contact ON activities (contact_id, at_ms);

CREATE TABLE sync_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
