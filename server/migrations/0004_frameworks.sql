-- Custom outcome frameworks, one row per version. The built-in frameworks live in the code (shared/src/outcomes);
-- a reading names the framework id and version it used, so old readings keep their meaning after a new version.
CREATE TABLE frameworks (
    framework_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- The framework as JSON (shared::outcomes::Framework, without `retired`, which is the column below).
    body TEXT NOT NULL,
    retired BIGINT NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (framework_id, version)
);
