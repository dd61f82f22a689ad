-- Portable SQL: runs unchanged on SQLite and PostgreSQL. Times are Unix milliseconds (BIGINT); ids are text.

CREATE TABLE wards (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('service_user', 'key_worker', 'staff', 'ward_manager', 'carer', 'admin')),
    password_hash TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'cy')),
    ward_id TEXT REFERENCES wards (id),
    created_at BIGINT NOT NULL
);

-- A care team links a service user (person_id) to their key worker, other staff and carers.
CREATE TABLE care_team (
    person_id TEXT NOT NULL REFERENCES users (id),
    member_id TEXT NOT NULL REFERENCES users (id),
    relation TEXT NOT NULL CHECK (relation IN ('key_worker', 'staff', 'carer')),
    PRIMARY KEY (person_id, member_id)
);
CREATE INDEX care_team_by_member ON care_team (member_id);

-- Server-side sessions (tower-sessions records as JSON).
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins per username, for throttling. Shared by every server instance.
CREATE TABLE sign_in_failures (
    username TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_started_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
