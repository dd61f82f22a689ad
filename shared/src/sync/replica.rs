//! A device's copy of the cells it may see, built only from what the server sent.

use super::cell::{CellKey, CellState};
use super::protocol::{PullResponse, SyncEvent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The server's cells as this device last heard them, and how far it has heard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Replica {
    pub cursor: u64,
    pub scope: Option<String>,
    pub cells: BTreeMap<CellKey, CellState>,
}

/// What a pull page did to the replica.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The copy was dropped before the page was applied.
    pub reset: bool,
    /// The cells that changed.
    pub changed: Vec<CellKey>,
}

impl Replica {
    /// Apply one event. An event older than the cell already held is ignored (events may repeat).
    pub fn apply_event(&mut self, event: &SyncEvent) -> bool {
        match self.cells.get(&event.key) {
            Some(held) if held.version >= event.cell.version => false,
            _ => {
                self.cells.insert(event.key.clone(), event.cell.clone());
                true
            }
        }
    }

    /// Apply a pull page that answered a request made `since` a cursor. A page answering an older request than
    /// the replica's cursor (a late or repeated reply) is ignored, so the cursor never goes back.
    pub fn apply_pull(&mut self, since: u64, page: &PullResponse) -> Option<Applied> {
        if since != self.cursor {
            return None;
        }
        let mut applied = Applied::default();
        if page.reset {
            applied.reset = true;
            applied.changed.extend(self.cells.keys().cloned());
            self.cells.clear();
        }
        for event in &page.events {
            if self.apply_event(event) {
                applied.changed.push(event.key.clone());
            }
        }
        self.cursor = page.cursor;
        self.scope = Some(page.scope.clone());
        Some(applied)
    }

    pub fn cell(&self, key: &CellKey) -> Option<&CellState> {
        self.cells.get(key)
    }
}
