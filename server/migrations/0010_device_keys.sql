-- A locked, encrypted device: each person's records on a device are encrypted under a data key made here for that
-- person and that device. The device keeps it only wrapped by the person's PIN (with a device key that never
-- leaves the browser); the server hands it over again at an online sign-in, so a forgotten PIN loses nothing.

CREATE TABLE device_keys (
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT NOT NULL,
    -- 256 random bits, hex.
    data_key TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    handed_at_ms BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_id)
);

-- How long a device may sit unused before it locks, set per ward (seconds; 5 minutes unless a ward changes it).
ALTER TABLE wards ADD COLUMN lock_after_seconds BIGINT NOT NULL DEFAULT 300;
