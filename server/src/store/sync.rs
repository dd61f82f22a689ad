//! The sync log: deciding pushed mutations and reading events for pulls.
//!
//! A push is one transaction. It first locks the version counter (`sync_head`), so pushes from every server
//! instance take versions in turn and commit in version order; then it decides every mutation with the shared
//! rules ([`decide`]) against cells read once for the whole batch, and writes the cells, the events and the
//! mutation log with a few multi-row statements. Any refusal rolls the whole push back: a device either has all
//! of its batch acknowledged or learns which mutation was refused, and nothing was written.
//!
//! A pull reads the head first and then only changes at or below it: because pushes commit in version order, every
//! change up to a head that is visible is committed, so a cursor never skips one that commits later. It reads the
//! *cells* changed after the cursor, not every event: a cell's row carries the version of its latest change, so the
//! cells with a version above the cursor are exactly what changed since, each sent once as it now is (a device
//! applies the newest state of a cell anyway). A cell changed again after the head was read now has a version above
//! the head: this pull skips it and the next one (from a cursor at the head) brings it. `sync_events` keeps the full
//! history.

use super::{Engine, Store, UserRow, now_ms, people::person_on};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use waymark_shared::{
    Role, UserId,
    outcomes::{Framework, built_in},
    tracker::{SharedPart, Sharing},
    sync::{
        Ack, Audience, Authorship, CellKey, CellState, Change, ClientId, Decision, EffectMode, Kind, Mutation, Outcome,
        PullResponse, RecordId, Rejection, SCHEMA_VERSION, SyncEvent, WriterFacts, decide, scope_fingerprint,
    },
};

/// Rows per multi-row `INSERT`, by engine (measured with the sync bench, 500-mutation pushes). SQLite: very wide
/// statements cost more per bound value than narrow ones (500 rows took 3x as long as 25), so 25. PostgreSQL: each
/// statement is a round trip and a fresh plan, so fewer, wider ones. Both far below the engines' bind limits.
fn rows_per_insert(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 25,
        Engine::Postgres => 250,
    }
}
/// Values per `IN (…)` list, for the same reason.
const IDS_PER_QUERY: usize = 100;

/// What a committed push did.
#[derive(Clone, Debug)]
pub struct Pushed {
    /// One answer per mutation, in order.
    pub acks: Vec<Ack>,
    /// The version counter before this push, and after it (equal when nothing changed).
    pub head_before: u64,
    pub head: u64,
    /// The people whose records changed, each with the highest version written for them.
    pub changed: Vec<(UserId, u64)>,
}

/// Why one mutation was refused (and its whole push with it).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// It broke a shape rule.
    #[error("{0}")]
    Invalid(String),
    /// The writer may not make it, or the person does not exist (the two look the same from outside).
    #[error("you may not make this change")]
    Forbidden,
    /// It names a record wrongly: one that already exists, or one that does not.
    #[error("{0}")]
    Rejected(#[from] Rejection),
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("mutation {mutation_id} refused: {refusal}")]
    Refused { mutation_id: u64, refusal: Refusal },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a viewer's devices receive: the people whose records reach them, whether staff-only data does, and which
/// shared parts (the tracker, each section of the safety plan) reach them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncScope {
    pub people: Vec<UserId>,
    pub staff_view: bool,
    /// For a carer: each part of a record that is shared with them, and whose. `None` for everyone else: the
    /// person themselves and staff receive every shared part of everyone in `people`.
    pub shared: Option<Vec<(SharedPart, Vec<UserId>)>>,
    /// [`scope_fingerprint`] of the three.
    pub fingerprint: String,
}

impl SyncScope {
    /// The audiences sent for everyone in `people`.
    fn audiences(&self) -> Vec<&'static str> {
        let mut out = vec![Audience::CareCircle.as_str()];
        if self.staff_view {
            out.push(Audience::StaffOnly.as_str());
        }
        if self.shared.is_none() {
            out.extend(SharedPart::ALL.iter().map(|p| p.audience_str()));
            out.push(Audience::NoCarers.as_str());
        }
        out
    }

    /// The people whose `part` reaches this viewer.
    pub fn sharing(&self, part: SharedPart) -> &[UserId] {
        match &self.shared {
            None => &self.people,
            Some(parts) => parts.iter().find(|(p, _)| *p == part).map_or(&[], |(_, people)| people),
        }
    }
}

fn decode_error(what: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(what.to_string().into())
}

/// Versions and ids are `u64` in the protocol and `BIGINT` in the database.
fn to_db(n: u64) -> Result<i64, sqlx::Error> {
    i64::try_from(n).map_err(|_| sqlx::Error::Encode(format!("{n} does not fit in BIGINT").into()))
}

fn from_db(n: i64) -> Result<u64, sqlx::Error> {
    u64::try_from(n).map_err(|_| decode_error(format!("negative version or id {n}")))
}

fn outcome_str(o: Outcome) -> &'static str {
    match o {
        Outcome::Applied => "applied",
        Outcome::KeptAside => "kept_aside",
        Outcome::Unchanged => "unchanged",
    }
}

fn parse_outcome(s: &str) -> Result<Outcome, sqlx::Error> {
    match s {
        "applied" => Ok(Outcome::Applied),
        "kept_aside" => Ok(Outcome::KeptAside),
        "unchanged" => Ok(Outcome::Unchanged),
        other => Err(decode_error(format!("unknown outcome {other:?}"))),
    }
}

fn parse_state(json: &str) -> Result<CellState, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| decode_error(format!("stored cell state: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(value).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// `$first, $first+1, …` (`n` of them).
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($1, …, $cols), (…)` for `rows` rows.
fn values_rows(cols: usize, rows: usize) -> String {
    (0..rows).map(|r| format!("({})", placeholders(1 + r * cols, cols))).collect::<Vec<_>>().join(", ")
}

/// One cell change to write: its event, and (the last one per cell) the cell's new state.
struct Written {
    version: u64,
    key: CellKey,
    audience: Audience,
    state_json: String,
}

impl Store {
    /// Decide and store a device's batch of mutations, all or nothing. A mutation this device already pushed
    /// (same user, client and id, in an earlier push or earlier in this batch) gets its first answer again and
    /// changes nothing.
    pub async fn push(&self, writer: &UserRow, client: &ClientId, mutations: &[Mutation]) -> Result<Pushed, PushError> {
        let started = std::time::Instant::now();
        let mut tx = self.pool.begin().await?;
        // The counter lock comes first: on PostgreSQL concurrent pushes wait here for each other's commit; on
        // SQLite this statement takes the database's write lock (waiting up to busy_timeout).
        sqlx::query("UPDATE sync_head SET version = version WHERE id = 1").execute(&mut *tx).await?;
        let head_before = read_head(&mut tx).await?;

        let earlier = earlier_acks(&mut tx, writer, client, mutations).await?;
        let mut wanted = BTreeSet::new();
        for m in mutations.iter().filter(|m| !earlier.contains_key(&m.id)) {
            let effect = m.change.effect(&m.person);
            if let EffectMode::SetExisting { requires } = effect.mode {
                wanted.insert(requires);
            }
            wanted.insert(effect.key);
        }
        let mut cells = load_cells(&mut tx, &wanted).await?;

        let by = Authorship { user: writer.id.clone(), name: writer.display_name.clone(), at_ms: now_ms() };
        let mut facts: HashMap<UserId, WriterFacts> = HashMap::new();
        let mut acks = Vec::with_capacity(mutations.len());
        let mut this_batch: HashMap<u64, Ack> = HashMap::new();
        let mut logged: Vec<(&Mutation, Ack)> = Vec::new();
        let mut written: Vec<Written> = Vec::new();
        let mut head = head_before;
        // Read once per push, and only for a batch with readings or goals in it.
        let mut frameworks: Option<Vec<Framework>> = None;

        for m in mutations {
            let refuse = |refusal: Refusal| PushError::Refused { mutation_id: m.id, refusal };
            let before = earlier.get(&m.id).map(|(ack, body)| (*ack, Some(body))).or_else(|| {
                this_batch.get(&m.id).map(|ack| (*ack, logged.iter().find(|(l, _)| l.id == m.id).map(|(l, _)| *l)))
            });
            if let Some((ack, body)) = before {
                // A replay must be the same edit: an id reused for a different one would otherwise be answered as
                // done while the edit itself was never stored.
                if body.is_some_and(|b| b != m) {
                    return Err(refuse(Refusal::Invalid(format!(
                        "mutation {} was already used by this device for a different change",
                        m.id
                    ))));
                }
                acks.push(ack);
                continue;
            }
            if to_db(m.id).is_err() || to_db(m.base).is_err() {
                return Err(refuse(Refusal::Invalid("mutation ids and bases must be below 2^63".into())));
            }
            m.validate().map_err(|e| refuse(Refusal::Invalid(e.to_string())))?;
            if !facts.contains_key(&m.person) {
                let f = writer_facts(&mut tx, writer, &m.person).await?;
                facts.insert(m.person.clone(), f);
            }
            let writer_facts = &facts[&m.person];
            if !writer_facts.may_view {
                return Err(refuse(Refusal::Forbidden));
            }
            let effect = m.change.effect(&m.person);
            let required = match &effect.mode {
                EffectMode::SetExisting { requires } => {
                    Some(cells.get(requires).ok_or_else(|| refuse(Refusal::Rejected(Rejection::RecordMissing)))?)
                }
                _ => None,
            };
            if !m.change.may_write(writer_facts, required) {
                return Err(refuse(Refusal::Forbidden));
            }
            if frameworks.is_none() && uses_frameworks(&m.change) {
                frameworks = Some(known_frameworks(&mut tx).await?);
            }
            m.change
                .check_with(required, frameworks.as_deref().unwrap_or_default())
                .map_err(|e| refuse(Refusal::Invalid(e.to_string())))?;
            let decision = decide(cells.get(&effect.key), required, &effect, m.base, m.settles, by.clone(), head + 1)
                .map_err(|r| refuse(Refusal::Rejected(r)))?;
            let (outcome, state) = match decision {
                Decision::Applied(state) => (Outcome::Applied, state),
                Decision::KeptAside(state) => (Outcome::KeptAside, state),
                Decision::Unchanged(version) => {
                    let ack = Ack { id: m.id, outcome: Outcome::Unchanged, version };
                    acks.push(ack);
                    this_batch.insert(m.id, ack);
                    logged.push((m, ack));
                    continue;
                }
            };
            head += 1;
            let ack = Ack { id: m.id, outcome, version: head };
            written.push(Written {
                version: head,
                key: effect.key.clone(),
                audience: m.change.audience(),
                state_json: to_json(&state)?,
            });
            cells.insert(effect.key, state);
            acks.push(ack);
            this_batch.insert(m.id, ack);
            logged.push((m, ack));
        }

        let decided = started.elapsed();
        let rows = rows_per_insert(self.engine);
        insert_events(&mut tx, &written, rows).await?;
        upsert_cells(&mut tx, &written, rows).await?;
        insert_mutations(&mut tx, writer, client, &logged, rows).await?;
        if head != head_before {
            sqlx::query("UPDATE sync_head SET version = $1 WHERE id = 1").bind(to_db(head)?).execute(&mut *tx).await?;
        }
        let wrote = started.elapsed();
        tx.commit().await?;
        tracing::debug!(
            decided_us = decided.as_micros() as u64,
            written_us = wrote.as_micros() as u64,
            committed_us = started.elapsed().as_micros() as u64,
            "push timing"
        );

        let mut changed: BTreeMap<UserId, u64> = BTreeMap::new();
        for w in &written {
            changed.insert(w.key.person.clone(), w.version);
        }
        if !logged.is_empty() {
            tracing::debug!(user = %writer.id, client = %client.0, mutations = logged.len(), head, "push stored");
        }
        Ok(Pushed { acks, head_before, head, changed: changed.into_iter().collect() })
    }

    /// What `viewer`'s devices receive (the people of `GET /api/people`, staff-only data for staff roles, and for
    /// a carer only the parts each person shares with them).
    pub async fn sync_scope(&self, viewer: &UserRow) -> Result<SyncScope, sqlx::Error> {
        let people: Vec<UserId> = self.people_visible_to(viewer).await?.into_iter().map(|p| p.id).collect();
        let staff_view = viewer.role.is_staff();
        if viewer.role != Role::Carer {
            let fingerprint = scope_fingerprint(&people, staff_view, std::iter::empty());
            return Ok(SyncScope { people, staff_view, shared: None, fingerprint });
        }
        let shared = self.shared_with(&viewer.id, &people).await?;
        let fingerprint = scope_fingerprint(
            &people,
            staff_view,
            shared.iter().flat_map(|(part, whose)| whose.iter().map(move |p| (p, *part))),
        );
        Ok(SyncScope { people, staff_view, shared: Some(shared), fingerprint })
    }

    /// Those of `people` who share `part` of their record with `carer`, in the order given.
    pub async fn sharing_with(
        &self,
        carer: &UserId,
        people: &[UserId],
        part: SharedPart,
    ) -> Result<Vec<UserId>, sqlx::Error> {
        let shared = self.shared_with(carer, people).await?;
        Ok(shared.into_iter().find(|(p, _)| *p == part).map(|(_, whose)| whose).unwrap_or_default())
    }

    /// Each part of a record shared with `carer` by any of `people` (their sharing cell for the carer says
    /// `share: true`), with whose, in the order given; parts nobody shares are left out. Read by primary-key
    /// prefix, one query per hundred people.
    pub async fn shared_with(
        &self,
        carer: &UserId,
        people: &[UserId],
    ) -> Result<Vec<(SharedPart, Vec<UserId>)>, sqlx::Error> {
        let mut sharing: BTreeMap<SharedPart, BTreeSet<UserId>> = BTreeMap::new();
        for chunk in people.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT person_id, record_id, state FROM sync_cells \
                 WHERE person_id IN ({}) AND kind = $1 AND field = $2",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(Kind::Sharing.as_str()).bind(&carer.0);
            for p in chunk {
                q = q.bind(&p.0);
            }
            for row in q.fetch_all(&self.pool).await? {
                let part: String = row.try_get("record_id")?;
                let state: String = row.try_get("state")?;
                if let Some(part) = SharedPart::parse(&part)
                    && shares(&state)?
                {
                    sharing.entry(part).or_default().insert(UserId(row.try_get("person_id")?));
                }
            }
        }
        Ok(sharing
            .into_iter()
            .map(|(part, whose)| (part, people.iter().filter(|p| whose.contains(*p)).cloned().collect()))
            .collect())
    }

    /// The events `viewer` may see after `since`, oldest first, at most `limit` of them.
    ///
    /// A device whose copy was made for another scope (what the person may see changed), or that has a cursor
    /// but no scope, or a cursor beyond the server's head (the database was restored from a backup), is started
    /// again from nothing: `reset` tells it to drop its copy first.
    pub async fn pull(
        &self,
        viewer: &UserRow,
        since: u64,
        limit: u32,
        device_scope: Option<&str>,
    ) -> Result<PullResponse, sqlx::Error> {
        let scope = self.sync_scope(viewer).await?;
        let head = self.sync_head().await?;
        let reset = match device_scope {
            Some(s) => s != scope.fingerprint,
            None => since > 0,
        } || since > head;
        let since = if reset { 0 } else { since };
        let limit = limit.clamp(1, waymark_shared::sync::MAX_PULL_PAGE) as usize;
        let mut events = Vec::new();
        let mut more = false;
        if !scope.people.is_empty() && since < head {
            let audiences = scope.audiences();
            // Everything of `people` in the general audiences; for a carer, each shared part only of those who
            // share it with them.
            let mut binds: Vec<&str> = audiences.clone();
            let mut next = 3 + audiences.len();
            let mut clauses = vec![format!(
                "(audience IN ({}) AND person_id IN ({}))",
                placeholders(3, audiences.len()),
                placeholders(next, scope.people.len())
            )];
            next += scope.people.len();
            binds.extend(scope.people.iter().map(|p| p.0.as_str()));
            for (part, whose) in scope.shared.iter().flatten() {
                clauses.push(format!(
                    "(audience = ${next} AND person_id IN ({}))",
                    placeholders(next + 1, whose.len())
                ));
                next += 1 + whose.len();
                binds.push(part.audience_str());
                binds.extend(whose.iter().map(|p| p.0.as_str()));
            }
            let sql = format!(
                "SELECT version, person_id, kind, record_id, field, state FROM sync_cells \
                 WHERE version > $1 AND version <= $2 AND ({}) \
                 ORDER BY version LIMIT {}",
                clauses.join(" OR "),
                limit + 1,
            );
            let mut q = sqlx::query(&sql).bind(to_db(since)?).bind(to_db(head)?);
            for b in binds {
                q = q.bind(b);
            }
            let rows = q.fetch_all(&self.pool).await?;
            more = rows.len() > limit;
            events.reserve(limit.min(rows.len()));
            for row in rows.iter().take(limit) {
                let kind: String = row.try_get("kind")?;
                let key = CellKey {
                    person: UserId(row.try_get("person_id")?),
                    kind: Kind::parse(&kind).ok_or_else(|| decode_error(format!("unknown kind {kind:?}")))?,
                    record: RecordId(row.try_get("record_id")?),
                    field: row.try_get("field")?,
                };
                let state: String = row.try_get("state")?;
                events.push(SyncEvent { key, cell: parse_state(&state)? });
            }
        }
        let cursor = match events.last() {
            Some(last) if more => last.cell.version.max(since),
            _ => head.max(since),
        };
        Ok(PullResponse { schema: SCHEMA_VERSION, events, cursor, more, scope: scope.fingerprint, reset })
    }

    /// The version counter: every change up to it is committed.
    pub async fn sync_head(&self) -> Result<u64, sqlx::Error> {
        from_db(sqlx::query_scalar("SELECT version FROM sync_head WHERE id = 1").fetch_one(&self.pool).await?)
    }

    /// The people whose records changed after version `after` up to `upto`, each with their highest version
    /// (what the live channel announces).
    pub async fn changed_people(&self, after: u64, upto: u64) -> Result<Vec<(UserId, u64)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT person_id, MAX(version) AS version FROM sync_events WHERE version > $1 AND version <= $2 \
             GROUP BY person_id",
        )
        .bind(to_db(after)?)
        .bind(to_db(upto)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((UserId(r.try_get("person_id")?), from_db(r.try_get("version")?)?))).collect()
    }
}

/// Does this stored sharing cell say "shared"? (A value that is not a [`Sharing`] shares nothing.)
fn shares(state_json: &str) -> Result<bool, sqlx::Error> {
    let state = parse_state(state_json)?;
    Ok(serde_json::from_value::<Sharing>(state.value).is_ok_and(|s| s.share))
}

/// Does checking this change need the frameworks?
fn uses_frameworks(change: &Change) -> bool {
    matches!(
        change,
        Change::StartReading { .. }
            | Change::Rate { .. }
            | Change::AreaNote { .. }
            | Change::DifferenceReason { .. }
            | Change::MoreHelp { .. }
            | Change::GoalAreas { .. }
    )
}

/// Every framework version a reading may name: the built-in ones and the custom ones saved on this server.
async fn known_frameworks(tx: &mut Transaction<'_, Any>) -> Result<Vec<Framework>, sqlx::Error> {
    let mut all = built_in::all();
    all.extend(super::frameworks::custom_frameworks(&mut **tx).await?);
    Ok(all)
}

async fn read_head(tx: &mut Transaction<'_, Any>) -> Result<u64, sqlx::Error> {
    from_db(sqlx::query_scalar("SELECT version FROM sync_head WHERE id = 1").fetch_one(&mut **tx).await?)
}

/// The answers already given to any of these mutations by this user's device.
async fn earlier_acks(
    tx: &mut Transaction<'_, Any>,
    writer: &UserRow,
    client: &ClientId,
    mutations: &[Mutation],
) -> Result<HashMap<u64, (Ack, Mutation)>, sqlx::Error> {
    let ids: BTreeSet<i64> = mutations.iter().filter_map(|m| i64::try_from(m.id).ok()).collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT mutation_id, outcome, version, body FROM sync_mutations \
             WHERE user_id = $1 AND client_id = $2 AND mutation_id IN ({})",
            placeholders(3, chunk.len())
        );
        let mut q = sqlx::query(&sql).bind(&writer.id.0).bind(&client.0);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut **tx).await? {
            let id = from_db(row.try_get("mutation_id")?)?;
            let outcome: String = row.try_get("outcome")?;
            let ack = Ack { id, outcome: parse_outcome(&outcome)?, version: from_db(row.try_get("version")?)? };
            let body: String = row.try_get("body")?;
            let body: Mutation =
                serde_json::from_str(&body).map_err(|e| decode_error(format!("stored mutation {id}: {e}")))?;
            out.insert(id, (ack, body));
        }
    }
    Ok(out)
}

/// The cells among `keys` that exist, read in one query per person and kind.
async fn load_cells(
    tx: &mut Transaction<'_, Any>,
    keys: &BTreeSet<CellKey>,
) -> Result<HashMap<CellKey, CellState>, sqlx::Error> {
    let mut groups: BTreeMap<(&UserId, Kind), BTreeSet<&str>> = BTreeMap::new();
    for k in keys {
        groups.entry((&k.person, k.kind)).or_default().insert(k.record.0.as_str());
    }
    let mut out = HashMap::with_capacity(keys.len());
    for ((person, kind), records) in groups {
        let records: Vec<&str> = records.into_iter().collect();
        for chunk in records.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT record_id, field, state FROM sync_cells WHERE person_id = $1 AND kind = $2 AND record_id IN ({})",
                placeholders(3, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(&person.0).bind(kind.as_str());
            for r in chunk {
                q = q.bind(*r);
            }
            for row in q.fetch_all(&mut **tx).await? {
                let key = CellKey {
                    person: person.clone(),
                    kind,
                    record: RecordId(row.try_get("record_id")?),
                    field: row.try_get("field")?,
                };
                let state: String = row.try_get("state")?;
                out.insert(key, parse_state(&state)?);
            }
        }
    }
    Ok(out)
}

/// The writer's standing towards `person`, read inside the push's transaction. Someone who is not a service
/// user, or does not exist, is someone the writer may not view.
async fn writer_facts(
    tx: &mut Transaction<'_, Any>,
    writer: &UserRow,
    person: &UserId,
) -> Result<WriterFacts, sqlx::Error> {
    let row = person_on(&mut **tx, &writer.id, person).await?;
    // What the person shares with this writer: read only for a carer (nobody else's permissions depend on it).
    let mut shared = Vec::new();
    if writer.role == Role::Carer {
        let rows = sqlx::query(
            "SELECT record_id, state FROM sync_cells WHERE person_id = $1 AND kind = $2 AND field = $3",
        )
        .bind(&person.0)
        .bind(Kind::Sharing.as_str())
        .bind(&writer.id.0)
        .fetch_all(&mut **tx)
        .await?;
        for row in rows {
            let part: String = row.try_get("record_id")?;
            let state: String = row.try_get("state")?;
            if let Some(part) = SharedPart::parse(&part)
                && shares(&state)?
            {
                shared.push(part);
            }
        }
    }
    // Whether staff recorded that the person cannot decide what carers see: read only for staff (it lets the care
    // team decide in the person's best interests).
    let mut lacks_capacity = false;
    if writer.role.is_staff() {
        let state: Option<String> = sqlx::query_scalar(
            "SELECT state FROM sync_cells WHERE person_id = $1 AND kind = $2 AND record_id = $3 AND field = $4",
        )
        .bind(&person.0)
        .bind(Kind::Plan.as_str())
        .bind("")
        .bind(waymark_shared::plan::fields::CAPACITY)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(state) = state {
            lacks_capacity = serde_json::from_value::<waymark_shared::plan::Capacity>(parse_state(&state)?.value)
                .is_ok_and(|c| c.lacks);
        }
    }
    Ok(WriterFacts {
        user: writer.id.clone(),
        role: writer.role,
        is_self: writer.id == *person,
        relation: row.as_ref().and_then(|p| p.viewer_relation),
        may_view: row.as_ref().is_some_and(|p| p.visible_to(writer)),
        shared,
        lacks_capacity,
    })
}

async fn insert_events(tx: &mut Transaction<'_, Any>, written: &[Written], rows: usize) -> Result<(), sqlx::Error> {
    for chunk in written.chunks(rows) {
        let sql = format!(
            "INSERT INTO sync_events (version, person_id, kind, record_id, field, audience, state) VALUES {}",
            values_rows(7, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for w in chunk {
            q = q
                .bind(to_db(w.version)?)
                .bind(&w.key.person.0)
                .bind(w.key.kind.as_str())
                .bind(&w.key.record.0)
                .bind(&w.key.field)
                .bind(w.audience.as_str())
                .bind(&w.state_json);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Write each changed cell's final state (one row per cell, however often the batch changed it: PostgreSQL
/// refuses an upsert that touches a row twice).
async fn upsert_cells(tx: &mut Transaction<'_, Any>, written: &[Written], rows: usize) -> Result<(), sqlx::Error> {
    let mut last: BTreeMap<&CellKey, &Written> = BTreeMap::new();
    for w in written {
        last.insert(&w.key, w);
    }
    let last: Vec<&Written> = last.into_values().collect();
    for chunk in last.chunks(rows) {
        let sql = format!(
            "INSERT INTO sync_cells (person_id, kind, record_id, field, audience, state, version) VALUES {} \
             ON CONFLICT (person_id, kind, record_id, field) \
             DO UPDATE SET audience = excluded.audience, state = excluded.state, version = excluded.version",
            values_rows(7, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for w in chunk {
            q = q
                .bind(&w.key.person.0)
                .bind(w.key.kind.as_str())
                .bind(&w.key.record.0)
                .bind(&w.key.field)
                .bind(w.audience.as_str())
                .bind(&w.state_json)
                .bind(to_db(w.version)?);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_mutations(
    tx: &mut Transaction<'_, Any>,
    writer: &UserRow,
    client: &ClientId,
    logged: &[(&Mutation, Ack)],
    rows: usize,
) -> Result<(), sqlx::Error> {
    let received_at_ms = now_ms();
    for chunk in logged.chunks(rows) {
        let sql = format!(
            "INSERT INTO sync_mutations \
             (user_id, client_id, mutation_id, person_id, body, received_at_ms, outcome, version) VALUES {}",
            values_rows(8, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (m, ack) in chunk {
            q = q
                .bind(&writer.id.0)
                .bind(&client.0)
                .bind(to_db(m.id)?)
                .bind(&m.person.0)
                .bind(to_json(m)?)
                .bind(received_at_ms)
                .bind(outcome_str(ack.outcome))
                .bind(to_db(ack.version)?);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
