-- The home screen counts this week's activity and lists the latest: both by time alone.
CREATE INDEX activities_by_time ON activities (at_ms);
