-- The webhook inbox keeps what it cannot apply, and forgets applied bodies.
--
-- An authentic delivery this version cannot apply (an event it does not handle, a body it cannot
-- read) is kept as `unapplied` with a machine-readable `reason` (`unknown_event`, `not_json`,
-- `unexpected_shape`) and the message in `error`; every start tries it again, so an upgrade that
-- understands it applies it. Rows marked `ignored` by earlier versions, and rows `failed` because
-- their body could not be decoded, become `unapplied` here.
--
-- The body of an applied delivery holds personal data and is pruned once the duplicate horizon
-- has passed: `body` becomes NULL and `pruned_at` says when; `body_sha256` stays, so Calendly's
-- retries are still recognised.
--
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt.

CREATE TABLE webhook_inbox_v6 (
    id            INTEGER PRIMARY KEY,
    body          BLOB,
    body_sha256   TEXT NOT NULL UNIQUE,
    signature     TEXT NOT NULL,
    event_name    TEXT,
    received_at   TEXT NOT NULL,
    processed_at  TEXT,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'applied', 'failed', 'unapplied')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    reason        TEXT,
    pruned_at     TEXT,
    CHECK ((body IS NULL) = (pruned_at IS NOT NULL)),
    CHECK (pruned_at IS NULL OR state = 'applied')
) STRICT;

INSERT INTO webhook_inbox_v6 (id, body, body_sha256, signature, event_name, received_at,
                              processed_at, state, attempts, error, reason)
SELECT id, body, body_sha256, signature, event_name, received_at, processed_at,
       CASE
           WHEN state = 'ignored' THEN 'unapplied'
           WHEN state = 'failed' AND error LIKE 'not a Calendly delivery:%' THEN 'unapplied'
           ELSE state
       END,
       attempts,
       CASE
           WHEN state = 'ignored'
               THEN 'this version does not handle ' || coalesce(event_name, 'this event')
           ELSE error
       END,
       CASE
           WHEN state = 'ignored' THEN 'unknown_event'
           WHEN state = 'failed' AND error LIKE 'not a Calendly delivery:%' THEN 'unexpected_shape'
       END
FROM webhook_inbox;

DROP TABLE webhook_inbox;
ALTER TABLE webhook_inbox_v6 RENAME TO webhook_inbox;

CREATE INDEX webhook_inbox_pending ON webhook_inbox (state, id);
-- Applied rows whose body is still there, oldest first: what retention looks at.
CREATE INDEX webhook_inbox_unpruned ON webhook_inbox (received_at)
    WHERE state = 'applied' AND body IS NOT NULL;
