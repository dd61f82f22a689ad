//! The sync log: storing what the shared push decision decided, and reading cells for pulls.
//!
//! A push is one transaction. It first locks the version counter (`sync_head`), so pushes from every server
//! instance take versions in turn and commit in version order; then it loads what the batch needs (the cells it
//! touches, the consent cells, the writer's standing towards each person, the frameworks, the answers already
//! given), calls [`decide_push`] — the one place a push is decided, shared with the simulated-network tests — and
//! writes the cells, the events and the mutation log with a few multi-row statements. Any refusal rolls the whole
//! push back: a device either has all of its batch acknowledged or learns which mutation was refused.
//!
//! A pull reads the head first and then only changes at or below it: because pushes commit in version order, every
//! change up to a head that is visible is committed, so a cursor never skips one that commits later. It reads the
//! *cells* changed after the cursor, not every event: a cell's row carries the version of its latest change, so the
//! cells with a version above the cursor are exactly what changed since, each sent once as it now is. The cursor it
//! returns is the newest version the viewer may see (or one of their own writes), never the server-wide head, so it
//! tells nobody that something they may not see was written. `sync_events` keeps the full history: one row per
//! change, holding the change (value, author, base), not the whole cell.

use super::{Engine, Store, UserRow, now_ms, people::person_on};
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use waymark_shared::{
    Role, UserId,
    consent::{CarerReach, Reach, SharedPart, Standing},
    outcomes::{Framework, built_in},
    sync::{
        Ack, Audience, CellKey, ClientId, Decided, Kind, Mutation, Outcome, PullResponse, PushContext, Pusher,
        RecordId, Refused, SCHEMA_VERSION, StoredCell, SyncEvent, decide_push,
        push::{cells_needed, changed_people, needs_frameworks, people_named},
        scope_fingerprint,
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
    /// Each change written: whose record, which audience, which version (what the live streams filter on).
    pub written: Vec<(UserId, Audience, u64)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{0}")]
    Refused(#[from] Refused),
    /// Staff changed the record of someone who has been discharged (read-only for staff; a withdrawal of sharing
    /// still applies).
    #[error("mutation {mutation_id}: the person has been discharged")]
    Discharged { mutation_id: u64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What a viewer's devices receive: the people whose records reach them, and of each record what reaches them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncScope {
    pub people: Vec<UserId>,
    pub staff_view: bool,
    /// For a carer or peer support worker: what reaches them of each person's record. `None` for everyone else (the person themselves and
    /// staff receive every audience of everyone in `people`, staff-only data for staff only).
    pub carer: Option<BTreeMap<UserId, CarerReach>>,
    /// [`scope_fingerprint`] of the above.
    pub fingerprint: String,
}

impl SyncScope {
    /// What reaches the viewer of `person`'s record (`None` if the record does not reach them at all).
    pub fn reach(&self, person: &UserId) -> Option<Reach> {
        if !self.people.contains(person) {
            return None;
        }
        let carer = match &self.carer {
            None => None,
            Some(by_person) => Some(by_person.get(person)?.clone()),
        };
        Some(Reach { staff: self.staff_view, carer })
    }

    /// The people who share `part` of their record with this viewer (everyone in `people` for a non-carer).
    pub fn sharing(&self, part: SharedPart) -> Vec<UserId> {
        match &self.carer {
            None => self.people.clone(),
            Some(by_person) => {
                by_person.iter().filter(|(_, c)| c.parts.contains(&part)).map(|(p, _)| p.clone()).collect()
            }
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

fn parse_outcome(s: &str) -> Result<Outcome, sqlx::Error> {
    Outcome::parse(s).ok_or_else(|| decode_error(format!("unknown outcome {s:?}")))
}

fn parse_json<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(json).map_err(|e| decode_error(format!("stored {what}: {e}")))
}

fn parse_audience(s: &str) -> Result<Audience, sqlx::Error> {
    Audience::parse(s).ok_or_else(|| decode_error(format!("unknown audience {s:?}")))
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

impl Store {
    /// Decide and store a device's batch of mutations, all or nothing. A mutation this device already pushed
    /// (same user, client and id, in an earlier push or earlier in this batch) gets its first answer again and
    /// changes nothing.
    pub async fn push(&self, writer: &UserRow, client: &ClientId, mutations: &[Mutation]) -> Result<Pushed, PushError> {
        self.push_inner(writer, client, mutations, None).await
    }

    /// Changes the server makes on `person`'s behalf (withdrawing what they shared when they are discharged), decided
    /// as if the person made them and recorded under `writer`'s name: the normal change path, so every device
    /// follows.
    pub async fn push_on_behalf(
        &self,
        writer: &UserRow,
        client: &ClientId,
        mutations: &[Mutation],
        person: &UserId,
    ) -> Result<Pushed, PushError> {
        self.push_inner(writer, client, mutations, Some(person)).await
    }

    async fn push_inner(
        &self,
        writer: &UserRow,
        client: &ClientId,
        mutations: &[Mutation],
        on_behalf: Option<&UserId>,
    ) -> Result<Pushed, PushError> {
        let started = std::time::Instant::now();
        let mut tx = self.pool.begin().await?;
        if self.engine == Engine::Postgres {
            // Plan each of this batch's statements with its own values. PostgreSQL otherwise switches a prepared
            // statement to a generic plan after five runs, and a plan made while the sync tables were nearly empty
            // scans them whole once they are not (measured: the sync bench's pushes slowed from 30 ms to over
            // 250 ms per batch as the log grew). Only here: a generic plan of a short look-up saves its planning
            // (0.1-0.2 ms of the database's time for a session or a viewer's people, most of an up-to-date pull).
            sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").persistent(false).execute(&mut *tx).await?;
        }
        // The counter lock comes first: on PostgreSQL concurrent pushes wait here for each other's commit; on
        // SQLite this statement takes the database's write lock (waiting up to busy_timeout).
        sqlx::query("UPDATE sync_head SET version = version WHERE id = 1").execute(&mut *tx).await?;
        let head_before = read_head(&mut tx).await?;

        let earlier = earlier_acks(&mut tx, writer, client, mutations).await?;
        let fresh: Vec<Mutation> = mutations.iter().filter(|m| !earlier.contains_key(&m.id)).cloned().collect();
        let mut cells = load_cells(&mut tx, self.engine, &cells_needed(&writer.id, &fresh)).await?;
        let mut standing = BTreeMap::new();
        for person in people_named(&fresh) {
            if on_behalf == Some(&person) {
                let s = Standing {
                    user: person.clone(),
                    role: Role::ServiceUser,
                    is_self: true,
                    relation: None,
                    may_view: true,
                };
                standing.insert(person, s);
            } else if let Some(s) = standing_of(&mut tx, writer, &person).await? {
                standing.insert(person, s);
            }
        }
        if on_behalf.is_none() && writer.role.is_staff() {
            super::admin::refuse_staff_on_discharged(&mut tx, &fresh).await?;
        }
        let frameworks = if needs_frameworks(&fresh) { known_frameworks(&mut tx).await? } else { Vec::new() };
        let pusher = Pusher {
            user: writer.id.clone(),
            name: writer.display_name.clone(),
            role: writer.role,
            client: client.clone(),
        };
        let ctx = PushContext {
            pusher: &pusher,
            now_ms: now_ms(),
            head: head_before,
            standing: &standing,
            frameworks: &frameworks,
            earlier: &earlier,
        };
        let decided = decide_push(&ctx, &mut cells, mutations)?;

        let decided_at = started.elapsed();
        let rows = rows_per_insert(self.engine);
        insert_events(&mut tx, &decided, rows).await?;
        upsert_cells(&mut tx, &decided, rows).await?;
        insert_mutations(&mut tx, writer, client, mutations, &decided, rows).await?;
        super::audit::record_push(&mut tx, self.engine, writer, client, mutations, &decided).await?;
        if decided.head != head_before {
            sqlx::query("UPDATE sync_head SET version = $1 WHERE id = 1")
                .bind(to_db(decided.head)?)
                .execute(&mut *tx)
                .await?;
        }
        if decided.head != head_before && self.engine == Engine::Postgres {
            // Delivered to every instance's listener when (and only if) this transaction commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(crate::live::CHANGES_CHANNEL)
                .bind(decided.head.to_string())
                .execute(&mut *tx)
                .await?;
        }
        let wrote = started.elapsed();
        tx.commit().await?;
        tracing::debug!(
            decided_us = decided_at.as_micros() as u64,
            written_us = wrote.as_micros() as u64,
            committed_us = started.elapsed().as_micros() as u64,
            "push timing"
        );
        if !decided.logged.is_empty() {
            tracing::debug!(user = %writer.id, client = %client.0, mutations = decided.logged.len(), head = decided.head, "push stored");
        }
        Ok(Pushed {
            changed: changed_people(&decided),
            written: decided.written.iter().map(|w| (w.key.person.clone(), w.audience.clone(), w.version)).collect(),
            acks: decided.acks,
            head_before,
            head: decided.head,
        })
    }

    /// What `viewer`'s devices receive (the people of `GET /api/people`, staff-only data for staff roles, and for
    /// a carer only what each person shares with them).
    pub async fn sync_scope(&self, viewer: &UserRow) -> Result<SyncScope, sqlx::Error> {
        let people: Vec<UserId> = self.people_visible_to(viewer).await?.into_iter().map(|p| p.id).collect();
        self.scope_of(viewer, people).await
    }

    /// What `viewer`, who may see `people`, may pull of their records.
    async fn scope_of(&self, viewer: &UserRow, people: Vec<UserId>) -> Result<SyncScope, sqlx::Error> {
        let staff_view = viewer.role.is_staff();
        if !viewer.role.is_supporter() {
            let fingerprint = scope_fingerprint(&people, staff_view, std::iter::empty());
            return Ok(SyncScope { people, staff_view, carer: None, fingerprint });
        }
        let shared = self.shared_with(&viewer.id, &people).await?;
        let others = self.other_carers(&viewer.id, &people).await?;
        let carer: BTreeMap<UserId, CarerReach> = people
            .iter()
            .map(|p| {
                let reach = CarerReach {
                    user: viewer.id.clone(),
                    parts: shared.get(p).cloned().unwrap_or_default(),
                    other_carers: others.get(p).cloned().unwrap_or_default(),
                };
                (p.clone(), reach)
            })
            .collect();
        let fingerprint = scope_fingerprint(
            &people,
            staff_view,
            carer.iter().flat_map(|(p, c)| c.parts.iter().map(move |part| (p, *part))),
        );
        Ok(SyncScope { people, staff_view, carer: Some(carer), fingerprint })
    }

    /// Those of `people` who share `part` of their record with `carer`, in the order given.
    pub async fn sharing_with(
        &self,
        carer: &UserId,
        people: &[UserId],
        part: SharedPart,
    ) -> Result<Vec<UserId>, sqlx::Error> {
        let shared = self.shared_with(carer, people).await?;
        Ok(people.iter().filter(|p| shared.get(*p).is_some_and(|parts| parts.contains(&part))).cloned().collect())
    }

    /// The parts of each of `people`'s records shared with `carer` (their sharing cell for the carer says
    /// `share: true`). Read by primary-key prefix, one query per hundred people.
    pub async fn shared_with(
        &self,
        carer: &UserId,
        people: &[UserId],
    ) -> Result<BTreeMap<UserId, Vec<SharedPart>>, sqlx::Error> {
        let mut sharing: BTreeMap<UserId, Vec<SharedPart>> = BTreeMap::new();
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
                let state: waymark_shared::sync::CellState = parse_json("cell", &state)?;
                let shares =
                    serde_json::from_value::<waymark_shared::consent::Sharing>(state.value).is_ok_and(|s| s.share);
                if let Some(part) = SharedPart::parse(&part)
                    && shares
                {
                    sharing.entry(UserId(row.try_get("person_id")?)).or_default().push(part);
                }
            }
        }
        for parts in sharing.values_mut() {
            parts.sort();
        }
        Ok(sharing)
    }

    /// Each of `people`'s other carers (whose names `carer` is never shown).
    async fn other_carers(
        &self,
        carer: &UserId,
        people: &[UserId],
    ) -> Result<BTreeMap<UserId, Vec<UserId>>, sqlx::Error> {
        let mut out: BTreeMap<UserId, Vec<UserId>> = BTreeMap::new();
        for chunk in people.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT person_id, member_id FROM care_team \
                 WHERE person_id IN ({}) AND relation = 'carer' AND member_id <> $1",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(&sql).bind(&carer.0);
            for p in chunk {
                q = q.bind(&p.0);
            }
            for row in q.fetch_all(&self.pool).await? {
                out.entry(UserId(row.try_get("person_id")?)).or_default().push(UserId(row.try_get("member_id")?));
            }
        }
        Ok(out)
    }

    /// The cells `viewer` may see that changed after `since`, oldest first, at most `limit` of them.
    ///
    /// A device whose copy was made for another scope (what the person may see changed), or that has a cursor
    /// but no scope, or a cursor beyond the server's head (the database was restored from a backup), is started
    /// again from nothing: `reset` tells it to drop its copy first. `acked`: versions of this viewer's own writes
    /// the device has been told of and waits to see; the cursor moves past those the head has passed, even when the
    /// viewer may no longer see what they wrote.
    pub async fn pull(
        &self,
        viewer: &UserRow,
        since: u64,
        limit: u32,
        device_scope: Option<&str>,
        acked: &[u64],
    ) -> Result<PullResponse, sqlx::Error> {
        let (people, head) = self.people_visible_and_head(viewer).await?;
        let scope = self.scope_of(viewer, people.into_iter().map(|p| p.id).collect()).await?;
        let reset = match device_scope {
            Some(s) => s != scope.fingerprint,
            None => since > 0,
        } || since > head;
        let since = if reset { 0 } else { since };
        let limit = limit.clamp(1, waymark_shared::sync::MAX_PULL_PAGE) as usize;
        let mut events = Vec::new();
        let mut more = false;
        if !scope.people.is_empty() && since < head {
            let (clauses, binds) = audience_clauses(&scope, 3);
            let sql = format!(
                "SELECT version, person_id, kind, record_id, field, audience, state FROM sync_cells \
                 WHERE version > $1 AND version <= $2 AND ({clauses}) ORDER BY version LIMIT {}",
                limit + 1,
            );
            let (since_db, head_db) = (to_db(since)?, to_db(head)?);
            // Devices pulling the same cells at once (one notice, one ward) share one read.
            let key =
                [sql.clone(), since_db.to_string(), head_db.to_string()].into_iter().chain(binds.clone()).collect();
            let pool = self.pool.clone();
            let cells =
                self.cell_reads.read(key, async move { read_cells(&pool, &sql, since_db, head_db, &binds).await });
            let cells = cells.await?;
            more = cells.len() > limit;
            events.reserve(limit.min(cells.len()));
            for cell in cells.iter().take(limit) {
                let Some(reach) = scope.reach(&cell.key.person).filter(|r| r.receives(&cell.audience)) else {
                    // The query and the rule disagree: send nothing rather than too much.
                    let (key, audience) = (&cell.key, &cell.audience);
                    tracing::error!(?key, ?audience, "a pull query returned a cell its viewer may not receive");
                    continue;
                };
                events.push(SyncEvent { key: cell.key.clone(), cell: reach.shown(&cell.state) });
            }
        }
        let newest_seen = events.last().map_or(since, |e| e.cell.version.max(since));
        let cursor = if more {
            newest_seen
        } else {
            // Nothing the viewer may see lies between the newest they saw and the head: their own writes up to the
            // head are behind them too.
            acked.iter().copied().filter(|v| *v <= head).fold(newest_seen, u64::max)
        };
        Ok(PullResponse { schema: SCHEMA_VERSION, events, cursor, more, scope: scope.fingerprint, reset })
    }

    /// The section an item of `person`'s safety plan is in, if the item exists.
    pub async fn plan_item_section(
        &self,
        person: &UserId,
        item: &RecordId,
    ) -> Result<Option<waymark_shared::plan::PlanSection>, sqlx::Error> {
        let state: Option<String> = sqlx::query_scalar(
            "SELECT state FROM sync_cells WHERE person_id = $1 AND kind = $2 AND record_id = $3 AND field = $4",
        )
        .bind(&person.0)
        .bind(Kind::PlanItem.as_str())
        .bind(&item.0)
        .bind(waymark_shared::plan::fields::OPENED)
        .fetch_optional(&self.pool)
        .await?;
        let Some(state) = state else { return Ok(None) };
        let cell: waymark_shared::sync::CellState = parse_json("cell", &state)?;
        Ok(serde_json::from_value::<waymark_shared::plan::ItemOpened>(cell.value).ok().map(|o| o.section))
    }

    /// The version counter: every change up to it is committed.
    pub async fn sync_head(&self) -> Result<u64, sqlx::Error> {
        from_db(sqlx::query_scalar("SELECT version FROM sync_head WHERE id = 1").fetch_one(&self.pool).await?)
    }

    /// The changes after version `after` up to `upto`: whose record, which audience, which version (what the live
    /// channel announces).
    pub async fn changes_between(&self, after: u64, upto: u64) -> Result<Vec<(UserId, Audience, u64)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT person_id, audience, version FROM sync_events WHERE version > $1 AND version <= $2 ORDER BY version",
        )
        .bind(to_db(after)?)
        .bind(to_db(upto)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let audience: String = r.try_get("audience")?;
                Ok((UserId(r.try_get("person_id")?), parse_audience(&audience)?, from_db(r.try_get("version")?)?))
            })
            .collect()
    }
}

/// A cell as a pull reads it, before it is shown to one viewer.
#[derive(Debug)]
pub(super) struct PulledCell {
    key: CellKey,
    audience: Audience,
    state: waymark_shared::sync::CellState,
}

/// The cells a pull's statement selects, decoded. Not a prepared statement kept for reuse: planned with this pull's
/// own cursor and people each time (a generic plan, made without them, could scan every cell).
async fn read_cells(
    pool: &sqlx::AnyPool,
    sql: &str,
    since: i64,
    head: i64,
    binds: &[String],
) -> Result<Vec<PulledCell>, sqlx::Error> {
    let mut q = sqlx::query(sql).persistent(false).bind(since).bind(head);
    for b in binds {
        q = q.bind(b.as_str());
    }
    let rows = q.fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            let key = CellKey {
                person: UserId(row.try_get("person_id")?),
                kind: Kind::parse(&kind).ok_or_else(|| decode_error(format!("unknown kind {kind:?}")))?,
                record: RecordId(row.try_get("record_id")?),
                field: row.try_get("field")?,
            };
            let audience = parse_audience(&row.try_get::<String, _>("audience")?)?;
            let state: String = row.try_get("state")?;
            Ok(PulledCell { key, audience, state: parse_json("cell", &state)? })
        })
        .collect()
}

/// The `WHERE` clauses selecting what reaches the viewer of `scope`, with their values (placeholders from
/// `$first`).
fn audience_clauses(scope: &SyncScope, first: usize) -> (String, Vec<String>) {
    let mut binds: Vec<String> = Vec::new();
    let mut next = first;
    let mut push = |binds: &mut Vec<String>, v: String| {
        binds.push(v);
        next += 1;
        format!("${}", next - 1)
    };
    let mut clauses = Vec::new();
    match &scope.carer {
        None => {
            let people: Vec<String> = scope.people.iter().map(|p| push(&mut binds, p.0.clone())).collect();
            let staff_only = if scope.staff_view {
                String::new()
            } else {
                format!(" AND audience <> {}", push(&mut binds, Audience::StaffOnly.as_str().into_owned()))
            };
            clauses.push(format!("(person_id IN ({}){staff_only})", people.join(", ")));
        }
        Some(by_person) => {
            // Each part of each record only where it is shared; what the person decided about sharing with this
            // carer; nothing else.
            let mut by_part: BTreeMap<SharedPart, Vec<&UserId>> = BTreeMap::new();
            for (p, c) in by_person {
                for part in &c.parts {
                    by_part.entry(*part).or_default().push(p);
                }
            }
            for (part, people) in by_part {
                let audience = push(&mut binds, part.audience_str().to_owned());
                let people: Vec<String> = people.iter().map(|p| push(&mut binds, p.0.clone())).collect();
                clauses.push(format!("(audience = {audience} AND person_id IN ({}))", people.join(", ")));
            }
            if let Some(c) = by_person.values().next() {
                let audience = push(&mut binds, Audience::TeamAndCarer(c.user.clone()).as_str().into_owned());
                let people: Vec<String> = by_person.keys().map(|p| push(&mut binds, p.0.clone())).collect();
                clauses.push(format!("(audience = {audience} AND person_id IN ({}))", people.join(", ")));
            }
        }
    }
    if clauses.is_empty() {
        clauses.push("1 = 0".into());
    }
    (clauses.join(" OR "), binds)
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
    let mut out = HashMap::new();
    // A device numbers its mutations upwards, so a batch of new work lies wholly above the highest id stored for
    // it: one index lookup (the newest row of this device) then answers "nothing seen before" without a search
    // through the device's rows. Only ids at or below it (a retried or replayed batch) are looked up one by one.
    let highest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(mutation_id) FROM sync_mutations WHERE user_id = $1 AND client_id = $2")
            .bind(&writer.id.0)
            .bind(&client.0)
            .fetch_one(&mut **tx)
            .await?;
    let Some(highest) = highest else { return Ok(out) };
    let ids: BTreeSet<i64> =
        mutations.iter().filter_map(|m| i64::try_from(m.id).ok()).filter(|id| *id <= highest).collect();
    let ids: Vec<i64> = ids.into_iter().collect();
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
            out.insert(id, (ack, parse_json(&format!("mutation {id}"), &body)?));
        }
    }
    Ok(out)
}

const PG_CELLS_BY_KEY: &str = "SELECT c.record_id, c.field, c.audience, c.state \
     FROM json_array_elements($1::json) AS k (v) \
     CROSS JOIN LATERAL (SELECT record_id, field, audience, state FROM sync_cells \
     WHERE person_id = k.v ->> 0 AND kind = k.v ->> 1 AND record_id = k.v ->> 2) AS c";

/// The cells among `keys` that exist (and their records' other cells), read in one query per person and kind.
async fn load_cells(
    tx: &mut Transaction<'_, Any>,
    engine: Engine,
    keys: &BTreeSet<CellKey>,
) -> Result<HashMap<CellKey, StoredCell>, sqlx::Error> {
    let mut groups: BTreeMap<(&UserId, Kind), BTreeSet<&str>> = BTreeMap::new();
    for k in keys {
        groups.entry((&k.person, k.kind)).or_default().insert(k.record.0.as_str());
    }
    let mut out = HashMap::with_capacity(keys.len());
    for ((person, kind), records) in groups {
        let records: Vec<&str> = records.into_iter().collect();
        for chunk in records.chunks(IDS_PER_QUERY) {
            let sqlite_sql;
            let q = match engine {
                // PostgreSQL: one key lookup per record, each key whole in the JSON rows so that the planner
                // cannot join them to every cell of the person and kind (as it did with `record_id IN (…)`, or
                // with the person and kind as parameters: the list is on the key's third column, and a table that
                // grew quickly has stale statistics; 9-30 ms a batch late in a 10,000-record push, now ~1 ms).
                Engine::Postgres => {
                    let keys: Vec<(&str, &str, &str)> =
                        chunk.iter().map(|r| (person.0.as_str(), kind.as_str(), *r)).collect();
                    sqlx::query(PG_CELLS_BY_KEY).bind(to_json(&keys)?)
                }
                Engine::Sqlite => {
                    sqlite_sql = format!(
                        "SELECT record_id, field, audience, state FROM sync_cells \
                         WHERE person_id = $1 AND kind = $2 AND record_id IN ({})",
                        placeholders(3, chunk.len())
                    );
                    let mut q = sqlx::query(&sqlite_sql).bind(&person.0).bind(kind.as_str());
                    for r in chunk {
                        q = q.bind(*r);
                    }
                    q
                }
            };
            for row in q.fetch_all(&mut **tx).await? {
                let key = CellKey {
                    person: person.clone(),
                    kind,
                    record: RecordId(row.try_get("record_id")?),
                    field: row.try_get("field")?,
                };
                let state: String = row.try_get("state")?;
                let audience: String = row.try_get("audience")?;
                out.insert(
                    key,
                    StoredCell { state: parse_json("cell", &state)?, audience: parse_audience(&audience)? },
                );
            }
        }
    }
    Ok(out)
}

/// The writer's standing towards `person`, read inside the push's transaction. `None` for someone who is not a
/// service user, or does not exist (the decision treats both as a record the writer may not view).
async fn standing_of(
    tx: &mut Transaction<'_, Any>,
    writer: &UserRow,
    person: &UserId,
) -> Result<Option<Standing>, sqlx::Error> {
    let row = person_on(&mut **tx, &writer.id, person).await?;
    Ok(row.map(|p| Standing {
        user: writer.id.clone(),
        role: writer.role,
        is_self: writer.id == *person,
        relation: p.viewer_relation,
        may_view: p.visible_to(writer),
    }))
}

async fn insert_events(tx: &mut Transaction<'_, Any>, decided: &Decided, rows: usize) -> Result<(), sqlx::Error> {
    for chunk in decided.written.chunks(rows) {
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
                .bind(w.audience.as_str().into_owned())
                .bind(to_json(&w.event)?);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Write each changed cell's final state (one row per cell, however often the batch changed it: PostgreSQL
/// refuses an upsert that touches a row twice).
async fn upsert_cells(tx: &mut Transaction<'_, Any>, decided: &Decided, rows: usize) -> Result<(), sqlx::Error> {
    let mut last: BTreeMap<&CellKey, &waymark_shared::sync::push::Written> = BTreeMap::new();
    for w in &decided.written {
        last.insert(&w.key, w);
    }
    let last: Vec<_> = last.into_values().collect();
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
                .bind(w.audience.as_str().into_owned())
                .bind(to_json(&w.state)?)
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
    mutations: &[Mutation],
    decided: &Decided,
    rows: usize,
) -> Result<(), sqlx::Error> {
    let received_at_ms = now_ms();
    for chunk in decided.logged.chunks(rows) {
        let sql = format!(
            "INSERT INTO sync_mutations \
             (user_id, client_id, mutation_id, person_id, body, received_at_ms, outcome, version) VALUES {}",
            values_rows(8, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for (index, ack) in chunk {
            let m = &mutations[*index];
            q = q
                .bind(&writer.id.0)
                .bind(&client.0)
                .bind(to_db(m.id)?)
                .bind(&m.person.0)
                .bind(to_json(m)?)
                .bind(received_at_ms)
                .bind(ack.outcome.as_str())
                .bind(to_db(ack.version)?);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
