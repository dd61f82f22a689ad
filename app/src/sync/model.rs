//! Pure helpers for the sync client and its views: what a field or a comment thread shows, what the sync status
//! says, how long to wait before reconnecting. No browser APIs here, so `cargo test -p waymark-app` runs them on
//! the host. The merge rules themselves live in `waymark_shared::sync`; these only read its state.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use waymark_shared::{
    UserId,
    api::ErrorCode,
    sync::{
        AboutMeField, Authorship, CellKey, Change, Kind, Outbox, Outcome, Pending, RecordId, Replica,
        change::{COMMENT_REMOVED, COMMENT_TEXT},
    },
};

/// Most mutations in one push.
pub const PUSH_BATCH: usize = 200;
/// Events per pull page.
pub const PULL_PAGE: u32 = 500;
/// A sync with at least this many edits (or versions) to move shows its progress.
pub const LONG_SYNC: u64 = 20;

/// An edit the server refused: out of the outbox, kept on the device for the person to see and dismiss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attention {
    pub pending: Pending,
    pub code: ErrorCode,
}

/// What the sync status in the header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    /// Nothing waiting: everything made here is on the server.
    Saved,
    /// Edits saved here, not yet on the server.
    Waiting(usize),
    /// No network: edits are saved here and wait.
    Offline(usize),
    /// A long sync is moving: `done` of `total`.
    Syncing { done: u64, total: u64 },
    /// Refused edits to look at, or an app too old for the server.
    Attention(usize),
}

impl SyncState {
    /// The `data-state` value for tests and styling.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Saved => "saved",
            SyncState::Waiting(_) => "waiting",
            SyncState::Offline(_) => "offline",
            SyncState::Syncing { .. } => "syncing",
            SyncState::Attention(_) => "attention",
        }
    }
}

/// The facts the status is made from.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatusFacts {
    pub waiting: usize,
    pub online: bool,
    pub progress: Option<(u64, u64)>,
    pub attention: usize,
    pub update_needed: bool,
}

/// Most important first: something to look at, then no network, then a long sync, then waiting edits.
pub fn sync_state(f: StatusFacts) -> SyncState {
    if f.attention > 0 || f.update_needed {
        return SyncState::Attention(f.attention);
    }
    if !f.online {
        return SyncState::Offline(f.waiting);
    }
    if let Some((done, total)) = f.progress
        && total >= LONG_SYNC
    {
        return SyncState::Syncing { done: done.min(total), total };
    }
    if f.waiting > 0 { SyncState::Waiting(f.waiting) } else { SyncState::Saved }
}

/// How long to wait before reconnecting the live channel after `failures` failures in a row: 1 s, 2 s, 4 s … 30 s.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_millis((1000u64 << failures.min(5)).min(30_000))
}

/// Lower-case hex of some random bytes: device ids and record ids.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cell of one "About me" field.
pub fn about_key(person: &UserId, field: AboutMeField) -> CellKey {
    CellKey::new(person, Kind::AboutMe, &RecordId::single(), field.as_str())
}

/// One version of a value in a conflict, with who wrote it and when.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub text: String,
    pub by: Authorship,
}

/// Where this device's own edits to a cell stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Local {
    /// No edit of this device's waits.
    None,
    /// Saved here; the server has not answered yet.
    SavedHere,
    /// The server has it; the device has not pulled the result yet.
    Sent,
}

/// What an "About me" field shows on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldView {
    pub text: String,
    /// The versions to choose between (the current value first), while a conflict is open and this device has not
    /// already settled it.
    pub conflict: Option<Vec<Version>>,
    pub local: Local,
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn local_state<'a>(mut pending: impl Iterator<Item = &'a Pending>) -> Local {
    let mut state = Local::None;
    for p in pending.by_ref() {
        match p.ack {
            None => return Local::SavedHere,
            Some(a) if a.outcome != Outcome::KeptAside => state = Local::Sent,
            Some(_) => {}
        }
    }
    state
}

pub fn about_field(replica: &Replica, outbox: &Outbox, person: &UserId, field: AboutMeField) -> FieldView {
    let key = about_key(person, field);
    let text = outbox.shown(replica, &key).map(text_of).unwrap_or_default();
    // A settling edit made here (and not itself kept aside) means this device has chosen: stop asking.
    let settled_here = outbox
        .pending_for(&key)
        .any(|p| p.mutation.settles && p.ack.is_none_or(|a| a.outcome != Outcome::KeptAside));
    let conflict = replica.cell(&key).filter(|c| c.in_conflict() && !settled_here).map(|c| {
        std::iter::once(Version { text: text_of(&c.value), by: c.by.clone() })
            .chain(c.kept.iter().map(|k| Version { text: text_of(&k.value), by: k.by.clone() }))
            .collect()
    });
    FieldView { text, conflict, local: local_state(outbox.pending_for(&key)) }
}

/// A starting point for a combined version: every version, in order, without repeats.
pub fn combined(versions: &[Version]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for v in versions {
        let t = v.text.trim();
        if !t.is_empty() && !parts.contains(&t) {
            parts.push(t);
        }
    }
    parts.join("\n\n")
}

/// One comment as this device shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CommentView {
    pub id: RecordId,
    pub text: String,
    pub author: UserId,
    pub author_name: String,
    pub at_ms: i64,
    pub removed: bool,
    /// The server has it (the device has pulled it).
    pub synced: bool,
    /// This device's edit adding it, while waiting: (edit id, already sent).
    pub add_pending: Option<(u64, bool)>,
    /// This device's newest waiting remove/restore: (edit id, already sent).
    pub removal_pending: Option<(u64, bool)>,
}

/// The comments on a person's "About me", oldest first: pulled ones and this device's waiting ones.
pub fn comments(replica: &Replica, outbox: &Outbox, person: &UserId, me: &UserId, my_name: &str) -> Vec<CommentView> {
    let mut out: Vec<CommentView> = Vec::new();
    for (key, cell) in replica.cells.iter().filter(|(k, _)| &k.person == person && k.kind == Kind::Comment && k.field == COMMENT_TEXT) {
        out.push(CommentView {
            id: key.record.clone(),
            text: text_of(&cell.value),
            author: cell.by.user.clone(),
            author_name: cell.by.name.clone(),
            at_ms: cell.by.at_ms,
            removed: false,
            synced: true,
            add_pending: None,
            removal_pending: None,
        });
    }
    for p in outbox.items.iter().filter(|p| &p.mutation.person == person) {
        if let Change::AddComment { comment, text } = &p.mutation.change
            && p.ack.is_none_or(|a| a.outcome != Outcome::KeptAside)
            && !out.iter().any(|c| &c.id == comment)
        {
            out.push(CommentView {
                id: comment.clone(),
                text: text.clone(),
                author: me.clone(),
                author_name: my_name.to_owned(),
                at_ms: p.mutation.made_at_ms,
                removed: false,
                synced: false,
                add_pending: p.ack.is_none().then_some((p.mutation.id, p.attempted)),
                removal_pending: None,
            });
        }
    }
    for c in &mut out {
        let key = CellKey::new(person, Kind::Comment, &c.id, COMMENT_REMOVED);
        c.removed = outbox.shown(replica, &key).and_then(Value::as_bool).unwrap_or(false);
        c.removal_pending = outbox
            .pending_for(&key)
            .filter(|p| p.ack.is_none())
            .last()
            .map(|p| (p.mutation.id, p.attempted));
    }
    out.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Which catalogue-free label describes a change in the "needs attention" list: the field it wrote, if any.
pub fn about_field_of(change: &Change) -> Option<AboutMeField> {
    match change {
        Change::AboutMe { field, .. } => Some(*field),
        _ => None,
    }
}

/// The text a change carried, to show what was refused.
pub fn text_of_change(change: &Change) -> Option<&str> {
    match change {
        Change::AboutMe { text, .. }
        | Change::AddComment { text, .. }
        | Change::AreaNote { text, .. }
        | Change::DifferenceReason { text, .. }
        | Change::AddGoal { text, .. }
        | Change::EditGoal { text, .. }
        | Change::GoalPrompt { text, .. }
        | Change::StepText { text, .. } => Some(text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::sync::{Ack, CellState, KeptValue, PullResponse, SyncEvent};

    fn by(who: &str, at_ms: i64) -> Authorship {
        Authorship { user: UserId(who.into()), name: who.to_uppercase(), at_ms }
    }

    fn pull(replica: &mut Replica, events: Vec<SyncEvent>, cursor: u64) {
        let page = PullResponse { schema: 1, events, cursor, more: false, scope: "s".into(), reset: false };
        replica.apply_pull(replica.cursor, &page).unwrap();
    }

    fn hopes(text: &str) -> Change {
        Change::AboutMe { field: AboutMeField::MyHopes, text: text.into() }
    }

    #[test]
    fn the_status_puts_what_needs_doing_first() {
        let f = StatusFacts { waiting: 3, online: true, ..Default::default() };
        assert_eq!(sync_state(f), SyncState::Waiting(3));
        assert_eq!(sync_state(StatusFacts { waiting: 0, ..f }), SyncState::Saved);
        assert_eq!(sync_state(StatusFacts { online: false, ..f }), SyncState::Offline(3));
        assert_eq!(sync_state(StatusFacts { progress: Some((5, 10)), ..f }), SyncState::Waiting(3), "short syncs stay quiet");
        assert_eq!(sync_state(StatusFacts { progress: Some((50, 400)), ..f }), SyncState::Syncing { done: 50, total: 400 });
        assert_eq!(sync_state(StatusFacts { attention: 1, online: false, ..f }), SyncState::Attention(1));
        assert_eq!(sync_state(StatusFacts { update_needed: true, ..f }).as_str(), "attention");
    }

    #[test]
    fn reconnects_back_off_from_one_to_thirty_seconds() {
        let secs: Vec<u64> = (0..8).map(|n| backoff(n).as_millis() as u64).collect();
        assert_eq!(secs, vec![1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        assert_eq!(backoff(u32::MAX).as_secs(), 30);
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn a_field_shows_the_newest_edit_here_and_a_conflict_until_this_device_settles_it() {
        let p = UserId("p".into());
        let mut replica = Replica::default();
        let mut outbox = Outbox::default();
        let key = about_key(&p, AboutMeField::MyHopes);
        let empty = about_field(&replica, &outbox, &p, AboutMeField::MyHopes);
        assert_eq!((empty.text.as_str(), empty.conflict.is_none(), empty.local), ("", true, Local::None));

        outbox.record(&replica, &p, hopes("a garden"), false, 1).unwrap();
        let f = about_field(&replica, &outbox, &p, AboutMeField::MyHopes);
        assert_eq!((f.text.as_str(), f.local), ("a garden", Local::SavedHere));
        outbox.acknowledge(Ack { id: 1, outcome: Outcome::KeptAside, version: 3 });
        let cell = CellState {
            value: "a flat".into(),
            version: 3,
            by: by("kw", 10),
            kept: vec![KeptValue { value: "a garden".into(), by: by("p", 5), base: 0 }],
        };
        pull(&mut replica, vec![SyncEvent { key: key.clone(), cell }], 3);
        outbox.settle_with(&replica);
        let f = about_field(&replica, &outbox, &p, AboutMeField::MyHopes);
        assert_eq!(f.text, "a flat", "a kept-aside edit is shown as a version, not as the value");
        let versions = f.conflict.unwrap();
        assert_eq!(versions.iter().map(|v| v.text.as_str()).collect::<Vec<_>>(), ["a flat", "a garden"]);
        assert_eq!(versions[1].by.name, "P");
        assert_eq!(combined(&versions), "a flat\n\na garden");

        outbox.record(&replica, &p, hopes("a flat with a garden"), true, 20).unwrap();
        let f = about_field(&replica, &outbox, &p, AboutMeField::MyHopes);
        assert!(f.conflict.is_none(), "settled here: waiting to sync");
        assert_eq!(f.text, "a flat with a garden");
        assert_eq!(outbox.items.last().unwrap().mutation.base, 3);
    }

    #[test]
    fn comments_merge_pulled_and_waiting_ones_in_order_with_their_undo_state() {
        let (p, me) = (UserId("p".into()), UserId("me".into()));
        let mut replica = Replica::default();
        let mut outbox = Outbox::default();
        let theirs = CellKey::new(&p, Kind::Comment, &RecordId("c1".into()), COMMENT_TEXT);
        let cell = CellState { value: "Well done".into(), version: 1, by: by("kw", 100), kept: vec![] };
        pull(&mut replica, vec![SyncEvent { key: theirs, cell }], 1);
        outbox.record(&replica, &p, Change::AddComment { comment: RecordId("c2".into()), text: "Thanks".into() }, false, 200).unwrap();
        let list = comments(&replica, &outbox, &p, &me, "Me");
        assert_eq!(list.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["Well done", "Thanks"]);
        assert_eq!((list[1].author_name.as_str(), list[1].synced, list[1].add_pending), ("Me", false, Some((1, false))));
        assert!(list[0].synced && list[0].add_pending.is_none());

        // Sent and acknowledged, not yet pulled: still shown, no longer undoable.
        outbox.mark_attempted(&[1]);
        outbox.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 2 });
        let list = comments(&replica, &outbox, &p, &me, "Me");
        assert_eq!((list.len(), list[1].add_pending), (2, None));

        // Pulled: the server's copy replaces the waiting one; then removed here, waiting.
        let mine = CellKey::new(&p, Kind::Comment, &RecordId("c2".into()), COMMENT_TEXT);
        let cell = CellState { value: "Thanks".into(), version: 2, by: by("me", 150), kept: vec![] };
        pull(&mut replica, vec![SyncEvent { key: mine, cell }], 2);
        outbox.settle_with(&replica);
        outbox.record(&replica, &p, Change::RemoveComment { comment: RecordId("c2".into()) }, false, 300).unwrap();
        let list = comments(&replica, &outbox, &p, &me, "Me");
        assert_eq!(list.len(), 2);
        assert!(list[1].synced && list[1].removed);
        assert_eq!(list[1].removal_pending, Some((2, false)));
        assert!(!list[0].removed);
    }

    #[test]
    fn refused_changes_are_described_by_their_field_and_text() {
        assert_eq!(about_field_of(&hopes("x")), Some(AboutMeField::MyHopes));
        assert_eq!(text_of_change(&hopes("x")), Some("x"));
        assert_eq!(text_of_change(&Change::RemoveComment { comment: RecordId("c".into()) }), None);
    }
}
