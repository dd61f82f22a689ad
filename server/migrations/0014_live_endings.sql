-- What ends live streams on every server instance within a second (each instance's watcher reads these once a
-- second): sessions that ended (signed out; the SHA-256 of the session id, never the id) and people whose access to
-- records changed (care-team links made or removed). Rows older than an hour are swept.

CREATE TABLE session_ends (
    session_hash TEXT PRIMARY KEY,
    ended_at_ms BIGINT NOT NULL
);
CREATE INDEX session_ends_by_time ON session_ends (ended_at_ms);

CREATE TABLE access_changes (
    user_id TEXT NOT NULL,
    changed_at_ms BIGINT NOT NULL
);
CREATE INDEX access_changes_by_time ON access_changes (changed_at_ms);
