-- Pulls read the current cells changed after a device's cursor (a compacted log: a cell edited a hundred times is
-- sent once, as it is now), so a new or reset device downloads what is, not all of history. sync_events stays as
-- the full history.
CREATE INDEX sync_cells_by_person ON sync_cells (person_id, version);
