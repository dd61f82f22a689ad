-- The audit trail: who looked at or changed whose record, when, from which device, and what (the kind of record
-- and the action, never its content). Append-only: the server only ever INSERTs here. Each entry carries the
-- SHA-256 of the previous entry's hash and its own content (see server/src/store/audit.rs for the exact bytes), so
-- an edit or a deletion breaks the chain, and `waymark-server audit verify` names the first broken entry.
-- No foreign keys: entries outlive the accounts and records they name (records are kept for 20 years).

CREATE TABLE audit_log (
    -- 1, 2, 3, … without gaps: a missing number is a deleted entry.
    seq BIGINT PRIMARY KEY,
    -- When it happened (Unix ms): server time, or the device's time for a page open it reported later.
    at_ms BIGINT NOT NULL,
    -- When the server appended it (Unix ms).
    recorded_ms BIGINT NOT NULL,
    -- Who: their id, and their name and role as they were then.
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    -- Whose record (NULL for a de-identified ward report), and the ward for ward-wide reads.
    person_id TEXT,
    ward_id TEXT,
    -- What: the action (changed, viewed, synced, opened, exported, reported) and the kind of record or page.
    action TEXT NOT NULL,
    what TEXT NOT NULL,
    -- Which record (an opaque id, never words), and a detail such as the change's type and its outcome.
    record_id TEXT,
    detail TEXT,
    -- Which device: the sync client id (pushes), or a reference derived from the sign-in session (never the
    -- session id itself).
    client_id TEXT,
    session_ref TEXT,
    -- Makes repeated reports of the same thing one entry (a page open sent twice, a device's pulls in one sign-in,
    -- the same read within a minute). NULL for changes, which are recorded once each anyway.
    dedupe TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_by_person ON audit_log (person_id, seq);
-- Partial indexes: most entries are changes, which need neither (an entry costs less than it would).
CREATE UNIQUE INDEX audit_log_dedupe ON audit_log (dedupe) WHERE dedupe IS NOT NULL;
-- How many page opens an account has reported lately (they are bounded per hour).
CREATE INDEX audit_log_opened_by_actor ON audit_log (actor_id, recorded_ms) WHERE action = 'opened';

-- The end of the chain. Every append first locks this row (UPDATE … SET seq = seq), so appends from every server
-- instance take numbers in turn; verify checks that the last entry is the one named here (so deleting entries from
-- the end is noticed too).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Secrets made once and shared by every instance (here: the key behind de-identified exports' pseudonyms). The same
-- table as migration 0011 makes on the sign-in branch; IF NOT EXISTS lets either come first.
CREATE TABLE IF NOT EXISTS server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
