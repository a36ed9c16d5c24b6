-- Clients and payments (issue 17): what each invitee paid, the consultant's local client
-- overrides, and the indexes the clients report reads from.

-- An invitee's Calendly `payment` (paid event types only): written by the one apply path, from
-- syncs and webhooks alike. `payment_successful` is null when there is no payment.
ALTER TABLE invitees ADD COLUMN payment_amount REAL;
ALTER TABLE invitees ADD COLUMN payment_currency TEXT;
ALTER TABLE invitees ADD COLUMN payment_successful INTEGER;
ALTER TABLE invitees ADD COLUMN payment_provider TEXT;

-- Invitees stored before this migration keep their payment in `raw_json`.
UPDATE invitees SET
    payment_amount = CASE WHEN json_type(raw_json, '$.payment.amount') IN ('integer', 'real')
                          THEN json_extract(raw_json, '$.payment.amount') END,
    payment_currency = upper(trim(json_extract(raw_json, '$.payment.currency'))),
    payment_successful = json_type(raw_json, '$.payment.successful') = 'true',
    payment_provider = json_extract(raw_json, '$.payment.provider')
WHERE json_valid(raw_json) AND json_type(raw_json, '$.payment') = 'object';

-- The consultant's own grouping of invitees into clients: local only, never written by syncs or
-- webhooks, so every override survives every re-sync. Keys: `domain:<domain>` (a company, by
-- its email domain) or `person:<email>` (one person on a free-mail domain, or moved out alone).
--   kind 'name'    subject = a client key   value = the name shown
--   kind 'merge'   subject = a client key   value = the client key it was merged into
--   kind 'member'  subject = an email       value = the client key the person was moved to
CREATE TABLE client_overrides (
    kind       TEXT NOT NULL CHECK (kind IN ('name', 'merge', 'member')),
    subject    TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, subject)
) STRICT;

-- 'the meetings starting in a range, with what the report needs', from the index alone.
CREATE INDEX scheduled_events_report ON scheduled_events (
    start_ms, uri, end_ms, status, event_type, name, created_at);

-- 'an event's invitees, with what the report needs', from the index alone (no raw_json read).
CREATE INDEX invitees_report ON invitees (
    event_uri, status, email, no_show_uri, rescheduled, payment_amount, payment_currency,
    payment_successful);
