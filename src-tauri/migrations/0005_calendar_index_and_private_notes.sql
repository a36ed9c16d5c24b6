-- The calendar's range query, and the consultant's private notes on meetings.

-- What a calendar tile shows of a meeting's invitees, kept on the meeting's row by the triggers
-- below, so a range is read from one index instead of four invitee lookups per meeting:
--   invitee_names     names (or emails) of the active invitees, joined by U+001F
--   rescheduled_from  an invitee URI of the earlier booking (the highest `old_invitee`)
--   rescheduled_to    an invitee URI of the later booking (the highest `new_invitee`)
--   no_shows          invitees marked as no-shows
ALTER TABLE scheduled_events ADD COLUMN invitee_names TEXT;
ALTER TABLE scheduled_events ADD COLUMN rescheduled_from TEXT;
ALTER TABLE scheduled_events ADD COLUMN rescheduled_to TEXT;
ALTER TABLE scheduled_events ADD COLUMN no_shows INTEGER NOT NULL DEFAULT 0;

UPDATE scheduled_events SET (invitee_names, rescheduled_from, rescheduled_to, no_shows) = (
    SELECT group_concat(CASE WHEN i.status = 'active' THEN coalesce(i.name, i.email) END, char(31)),
           max(i.old_invitee), max(i.new_invitee), count(i.no_show_uri)
    FROM invitees i WHERE i.event_uri = scheduled_events.uri);

CREATE TRIGGER invitees_summary_after_insert AFTER INSERT ON invitees BEGIN
    UPDATE scheduled_events SET (invitee_names, rescheduled_from, rescheduled_to, no_shows) = (
        SELECT group_concat(CASE WHEN i.status = 'active' THEN coalesce(i.name, i.email) END, char(31)),
               max(i.old_invitee), max(i.new_invitee), count(i.no_show_uri)
        FROM invitees i WHERE i.event_uri = NEW.event_uri)
    WHERE uri = NEW.event_uri;
END;

-- An upsert that changes none of the summarized columns (most re-syncs) costs nothing more.
CREATE TRIGGER invitees_summary_after_update AFTER UPDATE ON invitees
WHEN OLD.event_uri IS NOT NEW.event_uri OR OLD.status IS NOT NEW.status
    OR OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email
    OR OLD.old_invitee IS NOT NEW.old_invitee OR OLD.new_invitee IS NOT NEW.new_invitee
    OR OLD.no_show_uri IS NOT NEW.no_show_uri
BEGIN
    UPDATE scheduled_events SET (invitee_names, rescheduled_from, rescheduled_to, no_shows) = (
        SELECT group_concat(CASE WHEN i.status = 'active' THEN coalesce(i.name, i.email) END, char(31)),
               max(i.old_invitee), max(i.new_invitee), count(i.no_show_uri)
        FROM invitees i WHERE i.event_uri = scheduled_events.uri)
    WHERE uri IN (OLD.event_uri, NEW.event_uri);
END;

CREATE TRIGGER invitees_summary_after_delete AFTER DELETE ON invitees BEGIN
    UPDATE scheduled_events SET (invitee_names, rescheduled_from, rescheduled_to, no_shows) = (
        SELECT group_concat(CASE WHEN i.status = 'active' THEN coalesce(i.name, i.email) END, char(31)),
               max(i.old_invitee), max(i.new_invitee), count(i.no_show_uri)
        FROM invitees i WHERE i.event_uri = OLD.event_uri)
    WHERE uri = OLD.event_uri;
END;

-- 'the calendar rows between two instants', answered from the index alone, already in the
-- calendar's order (start, then URI).
CREATE INDEX scheduled_events_calendar ON scheduled_events (
    start_ms, uri, end_ms, status, name, start_time, end_time, invitees_active, location_json,
    invitee_names, rescheduled_from, rescheduled_to, no_shows);

-- The consultant's own notes on a meeting: local only (never sent to Calendly, never exported),
-- keyed by the event URI and untouched by syncs and webhooks, which never write this table.
-- No foreign key: a note is written by the user, not by sync, and must not block a sync's writes.
CREATE TABLE private_notes (
    event_uri  TEXT PRIMARY KEY,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Forgetting the meeting history (the only place meetings are deleted) forgets their notes too.
CREATE TRIGGER private_notes_follow_events AFTER DELETE ON scheduled_events BEGIN
    DELETE FROM private_notes WHERE event_uri = OLD.uri;
END;
