-- Invitations a care team gives a carer: a short code (only its SHA-256 is kept) that creates the carer's account
-- and links them to the person, once, before it expires.

CREATE TABLE carer_invitations (
    code_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT,
    used_by TEXT REFERENCES users (id)
);
CREATE INDEX carer_invitations_by_person ON carer_invitations (person_id);
