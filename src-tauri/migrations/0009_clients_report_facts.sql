-- The clients report (issue 17) from integers alone: one compact row per (meeting, invitee), and
-- one per meeting without invitees, kept exact by the triggers below, in start order, so a range
-- is one scan of one table with no string read or compared. People are their contacts' numbers;
-- the few other strings the report shows (event types, currencies) are numbered once in
-- `report_texts` and read from there.

-- A stable number for each stored meeting (a rowid of `scheduled_events` is not: VACUUM may
-- renumber a table without an INTEGER PRIMARY KEY).
CREATE TABLE report_meetings (
    id  INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE
) STRICT;

-- Each text a fact refers to, numbered: event type URIs, the names of meetings stored without
-- an event type, payment currencies.
CREATE TABLE report_texts (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;

--   start_ms, end_ms  the meeting's
--   meeting           its number in report_meetings
--   seq               the invitee's rowid; 0 on the one row of a meeting without invitees
--   flags             1 the meeting is active, 2 the row has an invitee, 4 the invitee is active,
--                     8 marked no-show, 16 rescheduled, 32 its payment succeeded
--   kind              the event type's text number, or minus its name's when it has none
--   person            the invitee's contact (the contact of the invitee's email)
--   amount, currency  the invitee's payment (as stored) and its currency's text number
CREATE TABLE report_facts (
    start_ms INTEGER NOT NULL,
    meeting  INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL,
    flags    INTEGER NOT NULL,
    kind     INTEGER NOT NULL,
    person   INTEGER,
    amount   REAL,
    currency INTEGER,
    PRIMARY KEY (start_ms, meeting, seq)
) STRICT, WITHOUT ROWID;

-- The facts as they follow from the stored rows: what the triggers write for a meeting, and
-- what a check compares the table with. An invitee whose meeting is not stored has none.
CREATE VIEW report_facts_source AS
SELECT e.uri AS uri, e.start_ms AS start_ms, m.id AS meeting, coalesce(i.rowid, 0) AS seq,
    e.end_ms AS end_ms,
    (e.status = 'active')
        + 2 * (i.rowid IS NOT NULL)
        + 4 * ifnull(i.status = 'active', 0)
        + 8 * (i.no_show_uri IS NOT NULL)
        + 16 * ifnull(i.rescheduled <> 0, 0)
        + 32 * ifnull(i.payment_successful <> 0, 0) AS flags,
    CASE WHEN e.event_type IS NOT NULL
        THEN (SELECT t.id FROM report_texts t WHERE t.text = e.event_type)
        ELSE -(SELECT t.id FROM report_texts t WHERE t.text = e.name) END AS kind,
    i.contact_id AS person,
    i.payment_amount AS amount,
    CASE WHEN i.payment_currency IS NOT NULL
        THEN (SELECT t.id FROM report_texts t WHERE t.text = i.payment_currency) END AS currency
FROM scheduled_events e INDEXED BY scheduled_events_report_by_uri
JOIN report_meetings m ON m.uri = e.uri
LEFT JOIN invitees i ON i.event_uri = e.uri;

-- The rows already stored.
INSERT INTO report_meetings (uri) SELECT uri FROM scheduled_events ORDER BY start_ms, uri;
INSERT INTO report_texts (text)
    SELECT coalesce(event_type, name) FROM scheduled_events
    UNION SELECT payment_currency FROM invitees WHERE payment_currency IS NOT NULL;
INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
    SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
    FROM report_facts_source;

-- A meeting: numbered, its kind's text, its facts.
CREATE TRIGGER report_events_after_insert AFTER INSERT ON scheduled_events BEGIN
    INSERT INTO report_meetings (uri) SELECT NEW.uri
        WHERE NOT EXISTS (SELECT 1 FROM report_meetings WHERE uri = NEW.uri);
    INSERT INTO report_texts (text) SELECT coalesce(NEW.event_type, NEW.name)
        WHERE NOT EXISTS (SELECT 1 FROM report_texts WHERE text = coalesce(NEW.event_type, NEW.name));
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = NEW.uri;
END;

-- A re-sync that changes none of the columns the facts hold (most of them) costs nothing more.
CREATE TRIGGER report_events_after_update AFTER UPDATE ON scheduled_events
WHEN OLD.uri IS NOT NEW.uri OR OLD.status IS NOT NEW.status OR OLD.start_ms IS NOT NEW.start_ms
    OR OLD.end_ms IS NOT NEW.end_ms OR OLD.event_type IS NOT NEW.event_type
    OR OLD.name IS NOT NEW.name
BEGIN
    DELETE FROM report_facts WHERE start_ms = OLD.start_ms
        AND meeting = (SELECT id FROM report_meetings WHERE uri = OLD.uri);
    UPDATE report_meetings SET uri = NEW.uri WHERE uri = OLD.uri;
    INSERT INTO report_meetings (uri) SELECT NEW.uri
        WHERE NOT EXISTS (SELECT 1 FROM report_meetings WHERE uri = NEW.uri);
    INSERT INTO report_texts (text) SELECT coalesce(NEW.event_type, NEW.name)
        WHERE NOT EXISTS (SELECT 1 FROM report_texts WHERE text = coalesce(NEW.event_type, NEW.name));
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = NEW.uri;
END;

CREATE TRIGGER report_events_after_delete AFTER DELETE ON scheduled_events BEGIN
    DELETE FROM report_facts WHERE start_ms = OLD.start_ms
        AND meeting = (SELECT id FROM report_meetings WHERE uri = OLD.uri);
    DELETE FROM report_meetings WHERE uri = OLD.uri;
END;

-- An invitee: its currency's text, then its meeting's facts written again (a meeting's rows are
-- always written together, so a row's `seq` never outlives the invitee rowid it was taken from).
CREATE TRIGGER report_invitees_after_insert AFTER INSERT ON invitees BEGIN
    INSERT INTO report_texts (text) SELECT NEW.payment_currency
        WHERE NEW.payment_currency IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM report_texts WHERE text = NEW.payment_currency);
    DELETE FROM report_facts
        WHERE start_ms = (SELECT start_ms FROM scheduled_events INDEXED BY scheduled_events_report_by_uri WHERE uri = NEW.event_uri)
          AND meeting = (SELECT id FROM report_meetings WHERE uri = NEW.event_uri);
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = NEW.event_uri;
END;

CREATE TRIGGER report_invitees_after_update AFTER UPDATE ON invitees
WHEN OLD.event_uri IS NOT NEW.event_uri OR OLD.contact_id IS NOT NEW.contact_id
    OR OLD.status IS NOT NEW.status OR OLD.no_show_uri IS NOT NEW.no_show_uri
    OR OLD.rescheduled IS NOT NEW.rescheduled OR OLD.payment_amount IS NOT NEW.payment_amount
    OR OLD.payment_currency IS NOT NEW.payment_currency
    OR OLD.payment_successful IS NOT NEW.payment_successful
BEGIN
    INSERT INTO report_texts (text) SELECT NEW.payment_currency
        WHERE NEW.payment_currency IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM report_texts WHERE text = NEW.payment_currency);
    DELETE FROM report_facts
        WHERE start_ms = (SELECT start_ms FROM scheduled_events INDEXED BY scheduled_events_report_by_uri WHERE uri = OLD.event_uri)
          AND meeting = (SELECT id FROM report_meetings WHERE uri = OLD.event_uri);
    DELETE FROM report_facts
        WHERE NEW.event_uri IS NOT OLD.event_uri
          AND start_ms = (SELECT start_ms FROM scheduled_events INDEXED BY scheduled_events_report_by_uri WHERE uri = NEW.event_uri)
          AND meeting = (SELECT id FROM report_meetings WHERE uri = NEW.event_uri);
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = OLD.event_uri;
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = NEW.event_uri AND NEW.event_uri IS NOT OLD.event_uri;
END;

CREATE TRIGGER report_invitees_after_delete AFTER DELETE ON invitees BEGIN
    DELETE FROM report_facts
        WHERE start_ms = (SELECT start_ms FROM scheduled_events INDEXED BY scheduled_events_report_by_uri WHERE uri = OLD.event_uri)
          AND meeting = (SELECT id FROM report_meetings WHERE uri = OLD.event_uri);
    INSERT INTO report_facts (start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency)
        SELECT start_ms, meeting, seq, end_ms, flags, kind, person, amount, currency
        FROM report_facts_source WHERE uri = OLD.event_uri;
END;
