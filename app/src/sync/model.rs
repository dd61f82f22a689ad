//! Pure helpers for the sync client and its views: what a field or a comment thread shows, what the sync status
//! says, how long to wait before reconnecting. No browser APIs here, so `cargo test -p waymark-app` runs them on
//! the host. The merge rules themselves live in `waymark_shared::sync`; these only read its state.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use waymark_shared::{
    UserId,
    about_me::AboutMeField,
    api::ErrorCode,
    comments::{COMMENT_TEXT, CommentAudience, CommentChange, removed_key},
    sync::{Authorship, Change, Kind, Outbox, Outcome, Pending, RecordId, Replica, protocol::MAX_PULL_ACKED},
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
    /// Edits shown on screen that are still being saved on this device.
    Saving,
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
            SyncState::Saving => "saving",
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
    /// Edits still being saved on this device.
    pub saving: usize,
    pub online: bool,
    pub progress: Option<(u64, u64)>,
    pub attention: usize,
    pub update_needed: bool,
}

/// Most important first: something to look at, then edits still being saved here (nothing is called saved before
/// it is), then no network, then a long sync, then waiting edits.
pub fn sync_state(f: StatusFacts) -> SyncState {
    if f.attention > 0 || f.update_needed {
        return SyncState::Attention(f.attention);
    }
    if f.saving > 0 {
        return SyncState::Saving;
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

/// The versions the server gave this device's acknowledged edits that the device has not pulled past yet (`since`
/// is its cursor), oldest first, comma-separated, at most [`MAX_PULL_ACKED`]: a pull names them so the server moves
/// the cursor past them even when this viewer may no longer see them.
pub fn acked_versions(outbox: &Outbox, since: u64) -> String {
    let mut versions: Vec<u64> =
        outbox.items.iter().filter_map(|p| p.ack.map(|a| a.version)).filter(|v| *v > since).collect();
    versions.sort_unstable();
    versions.dedup();
    versions.truncate(MAX_PULL_ACKED);
    versions.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
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
    let key = field.key(person);
    let text = outbox.shown(replica, &key).map(text_of).unwrap_or_default();
    // A settling edit made here (and not itself kept aside) means this device has chosen: stop asking.
    let settled_here =
        outbox.pending_for(&key).any(|p| p.mutation.settles && p.ack.is_none_or(|a| a.outcome != Outcome::KeptAside));
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
    /// Who wrote it, with their role (a carer is shown another carer's comment with no name), and when.
    pub by: Authorship,
    /// For whom this device's own waiting comment was written (a pulled comment's audience is where the server
    /// keeps it: `None`).
    pub audience: Option<CommentAudience>,
    pub removed: bool,
    /// The server has it (the device has pulled it).
    pub synced: bool,
    /// This device's edit adding it, while waiting: (edit id, already sent).
    pub add_pending: Option<(u64, bool)>,
    /// This device's newest waiting remove/restore: (edit id, already sent).
    pub removal_pending: Option<(u64, bool)>,
}

/// The comments on a person's "About me", oldest first: pulled ones and this device's waiting ones (written by
/// `me`: the signed-in person, with their name and role).
pub fn comments(replica: &Replica, outbox: &Outbox, person: &UserId, me: &Authorship) -> Vec<CommentView> {
    let mut out: Vec<CommentView> = Vec::new();
    for (key, cell) in
        replica.cells.iter().filter(|(k, _)| &k.person == person && k.kind == Kind::Comment && k.field == COMMENT_TEXT)
    {
        out.push(CommentView {
            id: key.record.clone(),
            text: text_of(&cell.value),
            by: cell.by.clone(),
            audience: None,
            removed: false,
            synced: true,
            add_pending: None,
            removal_pending: None,
        });
    }
    for p in outbox.items.iter().filter(|p| &p.mutation.person == person) {
        if let Change::Comment(CommentChange::AddComment { comment, text, audience }) = &p.mutation.change
            && p.ack.is_none_or(|a| a.outcome != Outcome::KeptAside)
            && !out.iter().any(|c| &c.id == comment)
        {
            out.push(CommentView {
                id: comment.clone(),
                text: text.clone(),
                by: Authorship { at_ms: p.mutation.made_at_ms, ..me.clone() },
                audience: Some(*audience),
                removed: false,
                synced: false,
                add_pending: p.ack.is_none().then_some((p.mutation.id, p.attempted)),
                removal_pending: None,
            });
        }
    }
    for c in &mut out {
        let key = removed_key(person, &c.id);
        c.removed = outbox.shown(replica, &key).and_then(Value::as_bool).unwrap_or(false);
        c.removal_pending =
            outbox.pending_for(&key).filter(|p| p.ack.is_none()).last().map(|p| (p.mutation.id, p.attempted));
    }
    out.sort_by(|a, b| a.by.at_ms.cmp(&b.by.at_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_shared::{
        Role,
        about_me::AboutMeChange,
        sync::{Ack, CellKey, CellState, KeptValue, PullResponse, SyncEvent},
    };

    fn by(who: &str, at_ms: i64) -> Authorship {
        Authorship { user: UserId(who.into()), name: who.to_uppercase(), at_ms, role: None }
    }

    fn pull(replica: &mut Replica, events: Vec<SyncEvent>, cursor: u64) {
        let page = PullResponse { schema: 1, events, cursor, more: false, scope: "s".into(), reset: false };
        replica.apply_pull(replica.cursor, &page).unwrap();
    }

    fn hopes(text: &str) -> Change {
        AboutMeChange::AboutMe { field: AboutMeField::MyHopes, text: text.into() }.into()
    }

    #[test]
    fn the_status_puts_what_needs_doing_first() {
        let f = StatusFacts { waiting: 3, online: true, ..Default::default() };
        assert_eq!(sync_state(f), SyncState::Waiting(3));
        assert_eq!(sync_state(StatusFacts { waiting: 0, ..f }), SyncState::Saved);
        assert_eq!(sync_state(StatusFacts { online: false, ..f }), SyncState::Offline(3));
        assert_eq!(
            sync_state(StatusFacts { progress: Some((5, 10)), ..f }),
            SyncState::Waiting(3),
            "short syncs stay quiet"
        );
        assert_eq!(
            sync_state(StatusFacts { progress: Some((50, 400)), ..f }),
            SyncState::Syncing { done: 50, total: 400 }
        );
        assert_eq!(sync_state(StatusFacts { attention: 1, online: false, ..f }), SyncState::Attention(1));
        assert_eq!(sync_state(StatusFacts { update_needed: true, ..f }).as_str(), "attention");
        assert_eq!(
            sync_state(StatusFacts { saving: 1, online: false, ..f }),
            SyncState::Saving,
            "never 'saved' before it is"
        );
        assert_eq!(sync_state(StatusFacts { saving: 1, waiting: 0, ..f }).as_str(), "saving");
    }

    #[test]
    fn reconnects_back_off_from_one_to_thirty_seconds() {
        let secs: Vec<u64> = (0..8).map(|n| backoff(n).as_millis() as u64).collect();
        assert_eq!(secs, vec![1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        assert_eq!(backoff(u32::MAX).as_secs(), 30);
    }

    #[test]
    fn a_field_shows_the_newest_edit_here_and_a_conflict_until_this_device_settles_it() {
        let p = UserId("p".into());
        let mut replica = Replica::default();
        let mut outbox = Outbox::default();
        let key = AboutMeField::MyHopes.key(&p);
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
            kept: vec![KeptValue { value: "a garden".into(), by: by("p", 5), base: 0, device: None }],
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
        let p = UserId("p".into());
        let me = Authorship { user: UserId("me".into()), name: "Me".into(), at_ms: 0, role: Some(Role::Carer) };
        let mut replica = Replica::default();
        let mut outbox = Outbox::default();
        let theirs = CellKey::new(&p, Kind::Comment, &RecordId("c1".into()), COMMENT_TEXT);
        let cell = CellState { value: "Well done".into(), version: 1, by: by("kw", 100), kept: vec![] };
        pull(&mut replica, vec![SyncEvent { key: theirs, cell }], 1);
        let add = CommentChange::AddComment {
            comment: RecordId("c2".into()),
            text: "Thanks".into(),
            audience: CommentAudience::Shared,
        };
        outbox.record(&replica, &p, add.into(), false, 200).unwrap();
        let list = comments(&replica, &outbox, &p, &me);
        assert_eq!(list.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), ["Well done", "Thanks"]);
        assert_eq!((list[1].by.name.as_str(), list[1].synced, list[1].add_pending), ("Me", false, Some((1, false))));
        assert_eq!(
            (list[1].by.role, list[1].by.at_ms, list[1].audience),
            (Some(Role::Carer), 200, Some(CommentAudience::Shared))
        );
        assert!(list[0].synced && list[0].add_pending.is_none() && list[0].audience.is_none());

        // Sent and acknowledged, not yet pulled: still shown, no longer undoable; a pull names its version.
        outbox.mark_attempted(&[1]);
        outbox.acknowledge(Ack { id: 1, outcome: Outcome::Applied, version: 2 });
        let list = comments(&replica, &outbox, &p, &me);
        assert_eq!((list.len(), list[1].add_pending), (2, None));
        assert_eq!(acked_versions(&outbox, 1), "2");

        // Pulled: the server's copy replaces the waiting one; then removed here, waiting.
        let mine = CellKey::new(&p, Kind::Comment, &RecordId("c2".into()), COMMENT_TEXT);
        let cell = CellState { value: "Thanks".into(), version: 2, by: by("me", 150), kept: vec![] };
        pull(&mut replica, vec![SyncEvent { key: mine, cell }], 2);
        outbox.settle_with(&replica);
        assert_eq!(acked_versions(&outbox, 2), "", "nothing acknowledged is waiting to be pulled");
        outbox
            .record(&replica, &p, CommentChange::RemoveComment { comment: RecordId("c2".into()) }.into(), false, 300)
            .unwrap();
        let list = comments(&replica, &outbox, &p, &me);
        assert_eq!(list.len(), 2);
        assert!(list[1].synced && list[1].removed);
        assert_eq!(list[1].removal_pending, Some((2, false)));
        assert!(!list[0].removed);
    }

    #[test]
    fn a_pull_names_at_most_sixty_four_acknowledged_versions_past_the_cursor_oldest_first() {
        let p = UserId("p".into());
        let replica = Replica::default();
        let mut outbox = Outbox::default();
        for i in 0..100u64 {
            outbox.record(&replica, &p, hopes(&format!("v{i}")), false, 1).unwrap();
        }
        // Acknowledged out of order, one repeated version, one the device already has.
        for (id, version) in (1..=100u64).map(|id| (id, 1000 - id)) {
            outbox.acknowledge(Ack { id, outcome: Outcome::Applied, version });
        }
        let list = acked_versions(&outbox, 900);
        let versions: Vec<u64> = list.split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(versions.len(), MAX_PULL_ACKED);
        assert_eq!(versions[0], 901, "oldest first, none at or below the cursor");
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(acked_versions(&Outbox::default(), 0), "");
    }

    #[test]
    fn refused_changes_are_described_by_their_domain() {
        use waymark_shared::{
            Msg,
            plan::{PlanChange, PlanSection},
            tracker::TrackerChange,
        };
        assert_eq!(hopes("x").label(), Msg::MyHopes);
        assert_eq!(hopes("x").words(), Some("x"));
        let removal: Change = CommentChange::RemoveComment { comment: RecordId("c".into()) }.into();
        assert_eq!((removal.label(), removal.words()), (Msg::AttentionRemoval, None));
        let goal: Change = TrackerChange::AddGoal { goal: RecordId("g".into()), text: "Walk".into() }.into();
        assert_eq!((goal.label(), goal.words()), (Msg::AttentionGoal, Some("Walk")));
        let item: Change = PlanChange::AddPlanItem {
            item: RecordId("i".into()),
            section: PlanSection::Triggers,
            text: "Noise".into(),
        }
        .into();
        assert_eq!((item.label(), item.words()), (PlanSection::Triggers.title(), Some("Noise")));
        assert_ne!(item.label(), Msg::AttentionRemoval, "a plan edit is not called a comment");
    }
}
