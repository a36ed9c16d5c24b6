-- Webhook deliveries and subscriptions, and routing form submissions.

CREATE TABLE webhook_inbox (
    id            INTEGER PRIMARY KEY,
    body          BLOB NOT NULL,
    body_sha256   TEXT NOT NULL UNIQUE,
    signature     TEXT NOT NULL,
    event_name    TEXT,
    received_at   TEXT NOT NULL,
    processed_at  TEXT,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'applied', 'ignored', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT
) STRICT;

CREATE INDEX webhook_inbox_pending ON webhook_inbox (state, id);

CREATE TABLE webhook_subscriptions (
    uri              TEXT PRIMARY KEY,
    callback_url     TEXT NOT NULL,
    state            TEXT NOT NULL,
    scope            TEXT NOT NULL,
    events_json      TEXT NOT NULL,
    created_by_app   INTEGER NOT NULL DEFAULT 0,
    retry_started_at TEXT,
    created_at       TEXT,
    updated_at       TEXT,
    checked_at       TEXT,
    raw_json         TEXT NOT NULL
) STRICT;

CREATE TABLE routing_submissions (
    uri          TEXT PRIMARY KEY,
    routing_form TEXT,
    submitter    TEXT,
    contact_id   INTEGER REFERENCES contacts (id),
    created_at   TEXT,
    raw_json     TEXT NOT NULL
) STRICT;
