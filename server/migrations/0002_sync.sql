-- The sync engine's tables. Portable SQL (SQLite and PostgreSQL); JSON is stored as TEXT; times are Unix ms.

-- The one server-wide version counter. Every push first locks this row (UPDATE … SET version = version), so
-- pushes from every server instance take versions in turn and commit in version order: a reader that sees
-- head = N can rely on every event up to N being committed.
CREATE TABLE sync_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL CHECK (version >= 0)
);
INSERT INTO sync_head (id, version) VALUES (1, 0);

-- Every cell as it now is (the shared `CellState` as JSON): what a push decides against.
CREATE TABLE sync_cells (
    person_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('care_circle', 'staff_only')),
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (person_id, kind, record_id, field)
);

-- One row per change to a cell, numbered by the version counter: what devices pull.
CREATE TABLE sync_events (
    version BIGINT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('care_circle', 'staff_only')),
    state TEXT NOT NULL
);
CREATE INDEX sync_events_by_person ON sync_events (person_id, version);

-- Every mutation accepted, as sent, with the answer given: the append-only record of who changed what, when,
-- from which device, and what makes a replayed push a no-op.
CREATE TABLE sync_mutations (
    user_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL,
    mutation_id BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'kept_aside', 'unchanged')),
    version BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id, mutation_id)
);
