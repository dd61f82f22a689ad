//! The audit trail: one append-only, hash-chained table of who looked at or changed whose record.
//!
//! Every entry is numbered (1, 2, 3, … without gaps) and carries `prev_hash`, the previous entry's hash, and `hash`,
//! the SHA-256 of [`ENTRY_FORMAT`] followed by each field of the entry (`prev_hash` first) written as
//! `<byte length>:<UTF-8 bytes>;`, or `~;` for an empty (NULL) field, in the order of [`AuditRow::hash`]. Numbers
//! are written in decimal. Anyone can recompute it from the table alone, so an edited entry no longer matches its
//! hash, a deleted one leaves a gap, and an entry edited with its hash recomputed no longer matches the next entry's
//! `prev_hash`. `audit_head` names the last entry, so deleting entries from the end is noticed too.
//!
//! Appends lock `audit_head` first (`UPDATE … SET seq = seq`), so appends from every server instance take numbers in
//! turn. A push appends its entries in its own transaction, after it has locked the sync counter: the lock order is
//! always `sync_head`, then `audit_head`.

use super::{Engine, Store, UserRow, now_ms};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};
use waymark_shared::{
    Role, UserId,
    api::{AuditAction, AuditActor, AuditEntry, AuditQuery, RecordView},
    sync::{ClientId, Decided, Mutation},
};

/// The first line of every hashed entry: the version of the format. A later format gets a new line, and verify
/// reads each entry by the format it names.
pub const ENTRY_FORMAT: &str = "waymark-audit/1\n";
/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Rows per multi-row `INSERT` (17 values each), by engine (see the sync store for why they differ).
fn rows_per_insert(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 25,
        Engine::Postgres => 250,
    }
}

/// What to record: who, what, whose record, from which device. Never the content of the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// When it happened (Unix ms).
    pub at_ms: i64,
    pub actor: UserId,
    pub actor_name: String,
    pub actor_role: Role,
    pub person: Option<UserId>,
    pub ward: Option<String>,
    pub action: AuditAction,
    pub what: String,
    pub record: Option<String>,
    pub detail: Option<String>,
    pub client: Option<String>,
    pub session_ref: Option<String>,
    /// Entries with the same key are recorded once.
    pub dedupe: Option<String>,
}

impl NewEntry {
    /// `actor` did `action` to `what`, now.
    pub fn by(actor: &UserRow, action: AuditAction, what: impl Into<String>) -> NewEntry {
        NewEntry {
            at_ms: now_ms(),
            actor: actor.id.clone(),
            actor_name: actor.display_name.clone(),
            actor_role: actor.role,
            person: None,
            ward: None,
            action,
            what: what.into(),
            record: None,
            detail: None,
            client: None,
            session_ref: None,
            dedupe: None,
        }
    }

    pub fn person(mut self, person: &UserId) -> NewEntry {
        self.person = Some(person.clone());
        self
    }

    pub fn ward(mut self, ward: &str) -> NewEntry {
        self.ward = Some(ward.to_owned());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> NewEntry {
        self.detail = Some(detail.into());
        self
    }

    /// The same read repeated within one minute from one sign-in is one entry: a page reloaded ten thousand
    /// times says no more than once, and cannot fill the database. (Without a sign-in reference, each is recorded.)
    pub fn coalesced(mut self) -> NewEntry {
        if let Some(session) = &self.session_ref {
            self.dedupe = Some(format!(
                "read:{session}:{}:{}:{}:{}:{}:{}",
                self.person.as_ref().map_or("", |p| p.0.as_str()),
                self.ward.as_deref().unwrap_or_default(),
                self.action.as_str(),
                self.what,
                self.detail.as_deref().unwrap_or_default(),
                self.at_ms / 60_000
            ));
        }
        self
    }

    pub fn session(mut self, session_ref: Option<&str>) -> NewEntry {
        self.session_ref = session_ref.map(str::to_owned);
        self
    }
}

/// An entry as stored, without its own hash: exactly what the hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub prev_hash: String,
    pub at_ms: i64,
    pub recorded_ms: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub actor_role: String,
    pub person_id: Option<String>,
    pub ward_id: Option<String>,
    pub action: String,
    pub what: String,
    pub record_id: Option<String>,
    pub detail: Option<String>,
    pub client_id: Option<String>,
    pub session_ref: Option<String>,
    pub dedupe: Option<String>,
}

impl AuditRow {
    /// The entry's hash: SHA-256 (hex) of [`ENTRY_FORMAT`] and its fields, `prev_hash` first, each written as
    /// `<byte length>:<bytes>;` (numbers in decimal), or `~;` when empty.
    pub fn hash(&self) -> String {
        use std::io::Write;
        fn text(buf: &mut Vec<u8>, v: Option<&str>) {
            match v {
                None => buf.extend_from_slice(b"~;"),
                Some(v) => {
                    let _ = write!(buf, "{}:", v.len());
                    buf.extend_from_slice(v.as_bytes());
                    buf.push(b';');
                }
            }
        }
        fn int(buf: &mut Vec<u8>, n: i64) {
            let mut digits = [0u8; 20];
            let mut cursor = std::io::Cursor::new(&mut digits[..]);
            let _ = write!(cursor, "{n}");
            let len = cursor.position() as usize;
            text(buf, std::str::from_utf8(&digits[..len]).ok());
        }
        let mut buf = Vec::with_capacity(512);
        buf.extend_from_slice(ENTRY_FORMAT.as_bytes());
        text(&mut buf, Some(&self.prev_hash));
        int(&mut buf, self.seq);
        int(&mut buf, self.at_ms);
        int(&mut buf, self.recorded_ms);
        text(&mut buf, Some(&self.actor_id));
        text(&mut buf, Some(&self.actor_name));
        text(&mut buf, Some(&self.actor_role));
        text(&mut buf, self.person_id.as_deref());
        text(&mut buf, self.ward_id.as_deref());
        text(&mut buf, Some(&self.action));
        text(&mut buf, Some(&self.what));
        text(&mut buf, self.record_id.as_deref());
        text(&mut buf, self.detail.as_deref());
        text(&mut buf, self.client_id.as_deref());
        text(&mut buf, self.session_ref.as_deref());
        text(&mut buf, self.dedupe.as_deref());
        hex::encode(Sha256::digest(&buf))
    }
}

/// A reference to a sign-in session for the audit trail: the same for every request of one sign-in on one device,
/// but not the session id itself (which would let anyone who reads the trail take over the session).
pub fn session_ref(session_id: &str) -> String {
    let digest = Sha256::digest(format!("waymark-audit-session:{session_id}").as_bytes());
    hex::encode(&digest[..8])
}

/// Append `entries` (those whose dedupe key is not recorded yet) inside `tx`, chained after the head. Returns how
/// many were appended.
pub(super) async fn append(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    entries: &[NewEntry],
) -> Result<usize, sqlx::Error> {
    if entries.is_empty() {
        return Ok(0);
    }
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(&mut **tx).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&mut **tx).await?;
    let mut seq: i64 = head.try_get("seq")?;
    let mut prev: String = head.try_get("hash")?;
    let known = known_dedupe_keys(tx, entries).await?;
    let mut seen_now = std::collections::BTreeSet::new();
    let recorded_ms = now_ms();
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        if let Some(key) = &e.dedupe
            && (known.contains(key) || !seen_now.insert(key.clone()))
        {
            continue;
        }
        seq += 1;
        let row = AuditRow {
            seq,
            prev_hash: prev,
            at_ms: e.at_ms,
            recorded_ms,
            actor_id: e.actor.0.clone(),
            actor_name: e.actor_name.clone(),
            actor_role: e.actor_role.as_str().to_owned(),
            person_id: e.person.as_ref().map(|p| p.0.clone()),
            ward_id: e.ward.clone(),
            action: e.action.as_str().to_owned(),
            what: e.what.clone(),
            record_id: e.record.clone(),
            detail: e.detail.clone(),
            client_id: e.client.clone(),
            session_ref: e.session_ref.clone(),
            dedupe: e.dedupe.clone(),
        };
        let hash = row.hash();
        prev = hash.clone();
        rows.push((row, hash));
    }
    insert_rows(tx, engine, &rows).await?;
    if let Some((last, hash)) = rows.last() {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(last.seq)
            .bind(hash)
            .execute(&mut **tx)
            .await?;
    }
    Ok(rows.len())
}

async fn known_dedupe_keys(
    conn: &mut sqlx::AnyConnection,
    entries: &[NewEntry],
) -> Result<std::collections::BTreeSet<String>, sqlx::Error> {
    let keys: Vec<&str> = entries.iter().filter_map(|e| e.dedupe.as_deref()).collect();
    let mut known = std::collections::BTreeSet::new();
    for chunk in keys.chunks(100) {
        let sql = format!(
            "SELECT dedupe FROM audit_log WHERE dedupe IS NOT NULL AND dedupe IN ({})",
            (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for k in chunk {
            q = q.bind(*k);
        }
        known.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(known)
}

/// The "synced" entries (by dedupe key) this instance knows are in the trail, so that a pull bringing more of a
/// person already recorded for its sign-in asks the database nothing. Entries are never removed from the trail, so
/// a key known once stays true. Bounded: emptied when full (the next pulls then look again).
#[derive(Debug, Default)]
pub(super) struct KnownSynced(std::sync::Mutex<std::collections::HashSet<String>>);

/// At most this many keys are kept (about 150 bytes each).
const KNOWN_SYNCED_MAX: usize = 20_000;

impl KnownSynced {
    fn has(&self, key: &str) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).contains(key)
    }

    fn add(&self, keys: impl IntoIterator<Item = String>) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            if known.len() >= KNOWN_SYNCED_MAX {
                known.clear();
            }
            known.insert(key);
        }
    }
}

const COLUMNS: &str = "seq, prev_hash, at_ms, recorded_ms, actor_id, actor_name, actor_role, person_id, ward_id, \
                       action, what, record_id, detail, client_id, session_ref, dedupe, hash";

/// Write already-chained rows (each with its hash) in multi-row statements.
pub async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    rows: &[(AuditRow, String)],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(rows_per_insert(engine)) {
        let values = (0..chunk.len())
            .map(|r| format!("({})", (1..=17).map(|c| format!("${}", r * 17 + c)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO audit_log ({COLUMNS}) VALUES {values}");
        let mut q = sqlx::query(&sql);
        for (r, hash) in chunk {
            q = q
                .bind(r.seq)
                .bind(&r.prev_hash)
                .bind(r.at_ms)
                .bind(r.recorded_ms)
                .bind(&r.actor_id)
                .bind(&r.actor_name)
                .bind(&r.actor_role)
                .bind(&r.person_id)
                .bind(&r.ward_id)
                .bind(&r.action)
                .bind(&r.what)
                .bind(&r.record_id)
                .bind(&r.detail)
                .bind(&r.client_id)
                .bind(&r.session_ref)
                .bind(&r.dedupe)
                .bind(hash);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The audit entries of a stored push: one per mutation first seen in it (applied, kept aside or unchanged), with
/// the kind of record it changes, which record, the change's type and its outcome. Called by `Store::push` inside
/// its transaction, so a push and its entries are committed together or not at all.
pub(super) async fn record_push(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    writer: &UserRow,
    client: &ClientId,
    mutations: &[Mutation],
    decided: &Decided,
) -> Result<(), sqlx::Error> {
    let at_ms = now_ms();
    let entries: Vec<NewEntry> = decided
        .logged
        .iter()
        .map(|(index, ack)| {
            let m = &mutations[*index];
            let key = m.change.effect(&m.person).key;
            NewEntry {
                at_ms,
                record: (!key.record.0.is_empty()).then(|| key.record.0.clone()),
                detail: Some(format!("{}:{}", change_type(&m.change), ack.outcome.as_str())),
                client: Some(client.0.clone()),
                ..NewEntry::by(writer, AuditAction::Changed, key.kind.as_str()).person(&m.person)
            }
        })
        .collect();
    append(tx, engine, &entries).await.map(|_| ())
}

/// A change's `type` on the wire (`rate`, `add_plan_item`, …): what kind of change, never its words.
fn change_type(change: &waymark_shared::sync::Change) -> String {
    serde_json::to_value(change)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "change".into())
}

/// The result of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// Every entry is there and matches; `head` is the last entry's hash (worth writing down elsewhere: a chain
    /// rewritten from some point on ends in another hash).
    Intact { entries: u64, head: String },
    /// The first entry that is not right, and why.
    Broken { seq: u64, reason: String },
}

fn row_from(r: &sqlx::any::AnyRow) -> Result<(AuditRow, String), sqlx::Error> {
    Ok((
        AuditRow {
            seq: r.try_get("seq")?,
            prev_hash: r.try_get("prev_hash")?,
            at_ms: r.try_get("at_ms")?,
            recorded_ms: r.try_get("recorded_ms")?,
            actor_id: r.try_get("actor_id")?,
            actor_name: r.try_get("actor_name")?,
            actor_role: r.try_get("actor_role")?,
            person_id: r.try_get("person_id")?,
            ward_id: r.try_get("ward_id")?,
            action: r.try_get("action")?,
            what: r.try_get("what")?,
            record_id: r.try_get("record_id")?,
            detail: r.try_get("detail")?,
            client_id: r.try_get("client_id")?,
            session_ref: r.try_get("session_ref")?,
            dedupe: r.try_get("dedupe")?,
        },
        r.try_get("hash")?,
    ))
}

fn decode_error(what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(what.to_string().into())
}

fn to_entry(r: &sqlx::any::AnyRow) -> Result<AuditEntry, sqlx::Error> {
    let (row, _) = row_from(r)?;
    Ok(AuditEntry {
        seq: u64::try_from(row.seq).map_err(decode_error)?,
        at_ms: row.at_ms,
        recorded_ms: row.recorded_ms,
        who: AuditActor {
            id: UserId(row.actor_id),
            name: row.actor_name,
            role: Role::parse(&row.actor_role).ok_or_else(|| decode_error(format!("role {:?}", row.actor_role)))?,
        },
        action: AuditAction::parse(&row.action).ok_or_else(|| decode_error(format!("action {:?}", row.action)))?,
        what: row.what,
        record: row.record_id,
        detail: row.detail,
        client: row.client_id,
        sign_in: row.session_ref,
    })
}

/// Rows read per query while verifying.
const VERIFY_PAGE: i64 = 20_000;

/// One stored entry as verify reads it: every column in one JSON array (one value per row is far cheaper to read
/// through the driver than seventeen), in the order of [`AuditRow`], then its hash.
#[derive(serde::Deserialize)]
struct StoredEntry(
    i64,
    String,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// Where a check of the chain has got to: the number the next entry must have, and the hash it must follow.
struct Position {
    expected: i64,
    prev: String,
}

/// The entries after `after`, a page of them, oldest first.
async fn verify_page(store: Store, after: i64) -> Result<Vec<StoredEntry>, sqlx::Error> {
    let json = match store.engine {
        Engine::Sqlite => format!("json_array({COLUMNS})"),
        Engine::Postgres => format!("json_build_array({COLUMNS})::text"),
    };
    let sql = format!("SELECT {json} AS entry FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {VERIFY_PAGE}");
    let rows: Vec<String> = sqlx::query_scalar(&sql).bind(after).fetch_all(&store.pool).await?;
    rows.iter().map(|r| serde_json::from_str(r).map_err(|e| decode_error(format!("audit entry: {e}")))).collect()
}

/// Check a page of entries following `at`: numbered without gaps, each following the one before, each matching its
/// hash. The position after the page, or the first entry that is not right.
fn check_page(rows: Vec<StoredEntry>, at: Position) -> Result<Position, Verified> {
    let Position { mut expected, mut prev } = at;
    let broken = |seq: i64, reason: String| Verified::Broken { seq: seq as u64, reason };
    for StoredEntry(
        seq,
        prev_hash,
        at_ms,
        recorded_ms,
        actor_id,
        actor_name,
        actor_role,
        person_id,
        ward_id,
        action,
        what,
        record_id,
        detail,
        client_id,
        session_ref,
        dedupe,
        hash,
    ) in rows
    {
        if seq != expected {
            return Err(broken(expected, format!("entry {expected} is missing (deleted)")));
        }
        if prev_hash != prev {
            return Err(broken(
                seq,
                format!("entry {seq} does not follow entry {} (its previous hash differs)", seq - 1),
            ));
        }
        let row = AuditRow {
            seq,
            prev_hash,
            at_ms,
            recorded_ms,
            actor_id,
            actor_name,
            actor_role,
            person_id,
            ward_id,
            action,
            what,
            record_id,
            detail,
            client_id,
            session_ref,
            dedupe,
        };
        if row.hash() != hash {
            return Err(broken(seq, format!("entry {seq} does not match its hash (it was changed)")));
        }
        prev = hash;
        expected += 1;
    }
    Ok(Position { expected, prev })
}

/// What readers of a person's trail and of "who looked at my record" may filter on.
#[derive(Clone, Debug, Default)]
pub struct TrailFilter {
    pub who: Option<UserId>,
    pub what: Option<String>,
    pub actions: Vec<AuditAction>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub not_by: Option<UserId>,
    pub before: Option<u64>,
    pub limit: u32,
}

impl TrailFilter {
    pub fn from_query(q: &AuditQuery, from_ms: Option<i64>, to_ms: Option<i64>, limit: u32) -> TrailFilter {
        TrailFilter {
            who: q.who.clone(),
            what: q.what.clone(),
            actions: q.action.into_iter().collect(),
            from_ms,
            to_ms,
            not_by: None,
            before: q.before,
            limit,
        }
    }
}

impl Store {
    /// Record `entries` in a transaction of their own. A read that must be audited records before it answers: no
    /// entry, no data.
    pub async fn audit(&self, entries: &[NewEntry]) -> Result<usize, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let n = append(&mut tx, self.engine, entries).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Record that `viewer`'s device received these people's records through sync, once per person per sign-in on
    /// a device (a device polls often; the trail says who had the record, not every poll).
    pub async fn audit_synced(
        &self,
        viewer: &UserRow,
        session_ref: &str,
        people: &[UserId],
    ) -> Result<usize, sqlx::Error> {
        let entries: Vec<NewEntry> = people
            .iter()
            .map(|p| NewEntry {
                dedupe: Some(format!("synced:{session_ref}:{}", p.0)),
                ..NewEntry::by(viewer, AuditAction::Synced, "record").person(p).session(Some(session_ref))
            })
            .collect();
        // Most pulls bring people already recorded for this sign-in: what this instance knows is in the trail is
        // not asked again; the rest is looked for (one statement, no transaction) before taking the lock.
        let entries: Vec<NewEntry> =
            entries.into_iter().filter(|e| e.dedupe.as_ref().is_some_and(|k| !self.known_synced.has(k))).collect();
        if entries.is_empty() {
            return Ok(0);
        }
        let known = known_dedupe_keys(&mut *self.pool.acquire().await?, &entries).await?;
        let fresh: Vec<NewEntry> =
            entries.into_iter().filter(|e| e.dedupe.as_ref().is_some_and(|k| !known.contains(k))).collect();
        self.known_synced.add(known);
        if fresh.is_empty() {
            return Ok(0);
        }
        let n = self.audit(&fresh).await?;
        self.known_synced.add(fresh.into_iter().filter_map(|e| e.dedupe));
        Ok(n)
    }

    /// How many page opens `actor` has had recorded since `since_ms` (to bound what one account may add).
    pub async fn audit_opened_since(&self, actor: &UserId, since_ms: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND recorded_ms >= $2 AND action = 'opened'",
        )
        .bind(&actor.0)
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await
    }

    /// One person's trail, newest first, at most `filter.limit` entries (plus whether there are more).
    pub async fn audit_trail(
        &self,
        person: &UserId,
        filter: &TrailFilter,
    ) -> Result<(Vec<AuditEntry>, bool), sqlx::Error> {
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE person_id = $1");
        let mut binds: Vec<Bind> = vec![Bind::Text(person.0.clone())];
        fn add(sql: &mut String, binds: &mut Vec<Bind>, op: &str, b: Bind) {
            binds.push(b);
            sql.push_str(&format!(" {op} ${}", binds.len()));
        }
        if let Some(who) = &filter.who {
            add(&mut sql, &mut binds, "AND actor_id =", Bind::Text(who.0.clone()));
        }
        if let Some(not_by) = &filter.not_by {
            add(&mut sql, &mut binds, "AND actor_id <>", Bind::Text(not_by.0.clone()));
        }
        if let Some(what) = &filter.what {
            add(&mut sql, &mut binds, "AND what =", Bind::Text(what.clone()));
        }
        if !filter.actions.is_empty() {
            let mut parts = Vec::new();
            for a in &filter.actions {
                binds.push(Bind::Text(a.as_str().to_owned()));
                parts.push(format!("${}", binds.len()));
            }
            sql.push_str(&format!(" AND action IN ({})", parts.join(", ")));
        }
        if let Some(from) = filter.from_ms {
            add(&mut sql, &mut binds, "AND at_ms >=", Bind::Int(from));
        }
        if let Some(to) = filter.to_ms {
            add(&mut sql, &mut binds, "AND at_ms <", Bind::Int(to));
        }
        if let Some(before) = filter.before {
            add(&mut sql, &mut binds, "AND seq <", Bind::Int(i64::try_from(before).unwrap_or(i64::MAX)));
        }
        sql.push_str(&format!(" ORDER BY seq DESC LIMIT {}", filter.limit + 1));
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = match b {
                Bind::Text(s) => q.bind(s.as_str()),
                Bind::Int(n) => q.bind(*n),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        let more = rows.len() > filter.limit as usize;
        let entries = rows.iter().take(filter.limit as usize).map(to_entry).collect::<Result<Vec<_>, _>>()?;
        Ok((entries, more))
    }

    /// Who has looked at `person`'s record (not the person themselves), newest first, as the person is told it.
    pub async fn record_views(
        &self,
        person: &UserId,
        before: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<RecordView>, bool), sqlx::Error> {
        let filter = TrailFilter {
            actions: vec![AuditAction::Viewed, AuditAction::Opened, AuditAction::Synced, AuditAction::Exported],
            not_by: Some(person.clone()),
            before,
            limit,
            ..TrailFilter::default()
        };
        let (entries, more) = self.audit_trail(person, &filter).await?;
        let views = entries
            .into_iter()
            .map(|e| RecordView {
                seq: e.seq,
                at_ms: e.at_ms,
                name: e.who.name,
                role: e.who.role,
                action: e.action,
                what: e.what,
            })
            .collect();
        Ok((views, more))
    }

    /// Check the whole chain, oldest first, and name the first entry that is not right.
    pub async fn audit_verify(&self) -> Result<Verified, sqlx::Error> {
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&self.pool).await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        // While one page is checked (on a blocking thread), the next is read.
        let mut position = Position { expected: 1, prev: GENESIS.to_owned() };
        let mut next = Some(tokio::spawn(verify_page(self.clone(), 0)));
        while let Some(fetching) = next.take() {
            let rows = fetching.await.map_err(|e| sqlx::Error::Protocol(format!("verify: {e}")))??;
            if rows.len() == VERIFY_PAGE as usize {
                let last = rows.last().map(|r| r.0).unwrap_or_default();
                next = Some(tokio::spawn(verify_page(self.clone(), last)));
            }
            let at = position;
            let checked = tokio::task::spawn_blocking(move || check_page(rows, at))
                .await
                .map_err(|e| sqlx::Error::Protocol(format!("verify: {e}")))?;
            position = match checked {
                Ok(p) => p,
                Err(broken) => {
                    if let Some(n) = next {
                        n.abort();
                    }
                    return Ok(broken);
                }
            };
        }
        let last = position.expected - 1;
        let broken = |seq: i64, reason: String| Ok(Verified::Broken { seq: seq as u64, reason });
        if last < head_seq {
            return broken(last + 1, format!("entries {} to {head_seq} are missing (deleted from the end)", last + 1));
        }
        if last > head_seq || position.prev != head_hash {
            return broken(last, format!("entry {last} is not the end of the chain the server recorded"));
        }
        Ok(Verified::Intact { entries: last as u64, head: position.prev })
    }
}

enum Bind {
    Text(String),
    Int(i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_synced_keys_stay_bounded() {
        let known = KnownSynced::default();
        known.add((0..KNOWN_SYNCED_MAX).map(|n| format!("synced:s:{n}")));
        assert!(known.has("synced:s:0") && known.has(&format!("synced:s:{}", KNOWN_SYNCED_MAX - 1)));
        known.add((0..5_000).map(|n| format!("synced:t:{n}")));
        let held = known.0.lock().unwrap().len();
        assert!(held <= KNOWN_SYNCED_MAX, "{held} keys held");
        assert!(known.has("synced:t:4999"), "the newest are kept");
        assert!(!known.has("synced:s:0"), "emptied when full");
    }

    fn row() -> AuditRow {
        AuditRow {
            seq: 1,
            prev_hash: GENESIS.into(),
            at_ms: 1_700_000_000_000,
            recorded_ms: 1_700_000_000_001,
            actor_id: "u1".into(),
            actor_name: "Owen Price".into(),
            actor_role: "key_worker".into(),
            person_id: Some("p1".into()),
            ward_id: None,
            action: "viewed".into(),
            what: "person_page".into(),
            record_id: None,
            detail: None,
            client_id: None,
            session_ref: Some("abcd".into()),
            dedupe: None,
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_tells_empty_from_missing() {
        let base = row();
        let h = base.hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, row().hash(), "the same entry always hashes the same");
        let changed = [
            AuditRow { seq: 2, ..row() },
            AuditRow { prev_hash: "1".repeat(64), ..row() },
            AuditRow { actor_name: "Owen Pryce".into(), ..row() },
            AuditRow { ward_id: Some(String::new()), ..row() },
            AuditRow { dedupe: Some("x".into()), ..row() },
            AuditRow { record_id: Some("~".into()), ..row() },
        ];
        for c in changed {
            assert_ne!(c.hash(), h, "{c:?}");
        }
        // Field boundaries are part of the hash: moving a character from one field to the next changes it.
        let a = AuditRow { actor_name: "Owen P".into(), actor_role: "rice".into(), ..row() };
        let b = AuditRow { actor_name: "Owen".into(), actor_role: " Price".into(), ..row() };
        assert_ne!(a.hash(), b.hash());
    }

    #[test]
    fn the_hash_is_the_documented_format() {
        // Computed independently (Python's hashlib over the format the README describes), so the format cannot drift
        // without this test noticing: entries must stay checkable for as long as records are kept.
        assert_eq!(row().hash(), "1e4b4fc1e22a47ac59700ecf96ef0f6fb2f4c2e3048af8fd7d8ca062e95283ad");
        let welsh = AuditRow { actor_name: "Owen Prïce".into(), ..row() };
        assert_eq!(
            welsh.hash(),
            "b32bee2457d09559e403c761ad2c1a494d91f71119f15c883305d5909cfeb9bb",
            "lengths in bytes"
        );
    }

    #[test]
    fn session_references_do_not_reveal_the_session() {
        let r = session_ref("secret-session-id");
        assert_eq!(r.len(), 16);
        assert!(!r.contains("secret"));
        assert_eq!(r, session_ref("secret-session-id"));
        assert_ne!(r, session_ref("another"));
    }
}
