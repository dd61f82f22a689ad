-- Sign-in under abuse (issue 12). Portable SQL: runs unchanged on SQLite and PostgreSQL.

-- Password checks under way per username: they count towards the failure limit until they end, so a burst of
-- simultaneous guesses gets no more checks than the limit, while right passwords wait for their turn instead of
-- being refused. `pending_until` lets a check left behind by a stopped server be forgotten.
ALTER TABLE sign_in_failures ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sign_in_failures ADD COLUMN pending_until BIGINT NOT NULL DEFAULT 0;

-- Failed sign-ins and joins per client address (an IPv4 address or an IPv6 /64), shared by every instance.
CREATE TABLE sign_in_failures_by_address (
    address TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Secrets made once and shared by every instance (e.g. the key that signs signed-out CSRF tokens).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
