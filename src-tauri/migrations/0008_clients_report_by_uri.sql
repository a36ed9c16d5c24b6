-- The clients report over a long range (issue 17): the meetings in URI order with what the report
-- reads, so a range holding most of the store is read as two index scans merged in step (this
-- one and `invitees_report`, in event-URI order too) instead of one invitee lookup per meeting.
CREATE INDEX scheduled_events_report_by_uri ON scheduled_events (
    uri, start_ms, end_ms, status, event_type, name, created_at);
