-- Each section of the safety plan is a part the person may share with a carer, with its own audience
-- ('shared_plan_triggers', ...). Rather than list every part, the CHECK now allows the two fixed audiences and any
-- 'shared_' one, so later parts need no migration. Neither engine changes a CHECK in place portably, so both tables
-- are rebuilt again (same columns, keys and indexes).

CREATE TABLE sync_cells_next (
    person_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('care_circle', 'staff_only') OR substr(audience, 1, 7) = 'shared_'),
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (person_id, kind, record_id, field)
);
INSERT INTO sync_cells_next (person_id, kind, record_id, field, audience, state, version)
    SELECT person_id, kind, record_id, field, audience, state, version FROM sync_cells;
DROP TABLE sync_cells;
ALTER TABLE sync_cells_next RENAME TO sync_cells;
CREATE INDEX sync_cells_by_person ON sync_cells (person_id, version);

CREATE TABLE sync_events_next (
    version BIGINT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('care_circle', 'staff_only') OR substr(audience, 1, 7) = 'shared_'),
    state TEXT NOT NULL
);
INSERT INTO sync_events_next (version, person_id, kind, record_id, field, audience, state)
    SELECT version, person_id, kind, record_id, field, audience, state FROM sync_events;
DROP TABLE sync_events;
ALTER TABLE sync_events_next RENAME TO sync_events;
CREATE INDEX sync_events_by_person ON sync_events (person_id, version);
