-- Shared planning sessions on a person's safety plan, and who is in them. The edits themselves go through the sync
-- log like every other edit; these tables only say who is there, where they are writing, and when the session ran.
-- Kept in the database (not in memory) so that every server instance behind a load balancer sees the same sessions.

CREATE TABLE planning_sessions (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    started_by TEXT NOT NULL REFERENCES users (id),
    started_at_ms BIGINT NOT NULL,
    -- The last time anyone in it was heard from: a session nobody has been in for a while ends by itself.
    last_seen_ms BIGINT NOT NULL,
    ended_at_ms BIGINT,
    ended_by TEXT REFERENCES users (id)
);
CREATE INDEX planning_sessions_by_person ON planning_sessions (person_id, started_at_ms);
-- At most one running session per person (two key workers starting at once get the same one).
CREATE UNIQUE INDEX planning_sessions_one_running ON planning_sessions (person_id) WHERE ended_at_ms IS NULL;

CREATE TABLE planning_presence (
    session_id TEXT NOT NULL REFERENCES planning_sessions (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    joined_at_ms BIGINT NOT NULL,
    seen_at_ms BIGINT NOT NULL,
    -- JSON of waymark_shared::api::Editing, or NULL when not writing.
    editing TEXT,
    PRIMARY KEY (session_id, user_id)
);
