-- Administration (issue 16): accounts that can be switched off, one-time passwords, sessions that end when an
-- administrator says so, identities at the hospital's identity provider, peer support workers on care teams, and
-- dated admissions, moves between wards and discharges. Portable SQL (SQLite and PostgreSQL).
--
-- The role CHECK of users gains 'peer_support' in Store::connect (server/src/store/admin.rs): neither engine changes
-- a CHECK in place portably, and users is referenced by every other table, so it is rebuilt per engine there.

-- A switched-off account keeps its records; it cannot sign in, and its sessions have ended.
ALTER TABLE users ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
-- Signed in with a one-time password: everything waits until they choose their own.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
-- Sessions signed in before this time (Unix ms) are over (a password reset, a switch-off).
ALTER TABLE users ADD COLUMN sessions_after_ms BIGINT NOT NULL DEFAULT 0;
-- The value of the configured claim at the hospital's identity provider that names this account (staff only).
ALTER TABLE users ADD COLUMN identity TEXT;
CREATE UNIQUE INDEX users_by_identity ON users (identity);
-- When the person was discharged (Unix ms), while they are: their record is read-only for staff.
ALTER TABLE users ADD COLUMN discharged_at_ms BIGINT;

-- Whose session each is, so an administrator can end them (tower-sessions keeps the rest as JSON).
ALTER TABLE sessions ADD COLUMN user_id TEXT;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Peer support workers hold a place on care teams: the CHECK of 0001 lists the places, so the table is rebuilt
-- (nothing refers to it).
CREATE TABLE care_team_next (
    person_id TEXT NOT NULL REFERENCES users (id),
    member_id TEXT NOT NULL REFERENCES users (id),
    relation TEXT NOT NULL CHECK (relation IN ('key_worker', 'staff', 'carer', 'peer_support')),
    PRIMARY KEY (person_id, member_id)
);
INSERT INTO care_team_next (person_id, member_id, relation) SELECT person_id, member_id, relation FROM care_team;
DROP TABLE care_team;
ALTER TABLE care_team_next RENAME TO care_team;
CREATE INDEX care_team_by_member ON care_team (member_id);

-- Each step of a service user's stay, dated: admitted to a ward, moved from one ward to another, discharged.
-- Append-only; the person's current ward stays in users.ward_id.
CREATE TABLE stays (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('admitted', 'transferred', 'discharged')),
    ward_id TEXT REFERENCES wards (id),
    from_ward_id TEXT REFERENCES wards (id),
    on_date TEXT NOT NULL,
    recorded_at_ms BIGINT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX stays_by_person ON stays (person_id, recorded_at_ms);

-- Ward names are unique (people tell wards apart by name).
CREATE UNIQUE INDEX wards_by_name ON wards (name);
