//! The sync endpoints: `POST /api/sync/push`, `GET /api/sync/pull` and the live stream `GET /api/sync/live`.

use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    handlers::json::{self, JsonBytes},
    live::{ChangeBatch, Ended, PlanningChanged, StreamSlot},
    state::AppState,
    store::{SyncScope, UserRow},
};
use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderName, HeaderValue, Uri},
    response::{
        IntoResponse,
        sse::{Event, KeepAlive, Sse},
    },
};
use serde::Deserialize;
use std::{convert::Infallible, time::Duration};
use tokio::{
    sync::{broadcast, watch},
    time::Instant,
};
use tower_sessions::Session;
use waymark_shared::UserId;
use waymark_shared::sync::{
    Audience, DEFAULT_PULL_PAGE, MAX_PULL_PAGE, MAX_PUSH_MUTATIONS, PullQuery, PullResponse, PushRequest, PushResponse,
    SCHEMA_VERSION, SchemaProbe,
};

/// How often an idle live stream sends a comment, so proxies and the browser keep it open.
pub const LIVE_KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long the browser waits before reconnecting a dropped live stream.
pub const LIVE_RETRY: Duration = Duration::from_millis(2000);
/// A live stream ends after this long; the browser reconnects, and the session is checked again.
pub const LIVE_MAX_AGE: Duration = Duration::from_secs(15 * 60);
/// Longest scope fingerprint a pull may send back (ours are 16 hex digits).
const MAX_SCOPE_CHARS: usize = 64;

fn schema_mismatch(found: Option<&str>) -> AppError {
    let found = found.map_or_else(|| "no schema version".to_owned(), |s| format!("schema version {s}"));
    AppError::SchemaMismatch(format!(
        "this server speaks sync schema version {SCHEMA_VERSION}, the request named {found}: update the app"
    ))
}

/// `POST /api/sync/push`: decide a device's batch of mutations, all or nothing, and acknowledge each.
pub async fn push(
    State(state): State<AppState>,
    CurrentUser(writer): CurrentUser,
    JsonBytes(body): JsonBytes,
) -> AppResult<Json<PushResponse>> {
    // The schema version first, so an app on another version is told to update rather than what it got wrong.
    let probe: SchemaProbe = json::parse(&body)?;
    if probe.schema != Some(SCHEMA_VERSION) {
        return Err(schema_mismatch(probe.schema.map(|s| s.to_string()).as_deref()));
    }
    let request: PushRequest = json::parse(&body)?;
    if !request.client.is_well_formed() {
        return Err(AppError::InvalidInput("client id must be 8 to 64 letters, digits, '-' or '_'".into()));
    }
    if request.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(AppError::TooManyMutations { max: MAX_PUSH_MUTATIONS });
    }
    if request.mutations.is_empty() {
        return Ok(Json(PushResponse { acks: Vec::new() }));
    }
    let pushed = match state.store.push(&writer, &request.client, &request.mutations).await {
        Ok(pushed) => pushed,
        Err(e) => {
            let e = AppError::from(e);
            if let AppError::ForMutation { mutation_id, source } = &e {
                tracing::warn!(user = %writer.id, client = %request.client.0, mutation_id, reason = %source, "push refused");
            }
            return Err(e);
        }
    };
    state.live.announce_push(&pushed);
    Ok(Json(PushResponse { acks: pushed.acks }))
}

/// Only the schema version of a pull's query, read before the rest (unknown parameters are ignored here).
#[derive(Deserialize)]
struct PullProbe {
    schema: Option<String>,
}

fn bad_query(rejection: axum::extract::rejection::QueryRejection) -> AppError {
    AppError::InvalidInput(rejection.body_text())
}

/// `GET /api/sync/pull?schema=1&since=…&limit=…&scope=…`: what the viewer may see after their cursor.
pub async fn pull(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: super::audit::SignIn,
    uri: Uri,
) -> AppResult<Json<PullResponse>> {
    let Query(probe) = Query::<PullProbe>::try_from_uri(&uri).map_err(bad_query)?;
    let schema = probe.schema.as_deref().map(str::trim);
    if schema.and_then(|s| s.parse::<u32>().ok()) != Some(SCHEMA_VERSION) {
        return Err(schema_mismatch(schema));
    }
    let Query(query) = Query::<PullQuery>::try_from_uri(&uri).map_err(bad_query)?;
    let limit = query.limit.unwrap_or(DEFAULT_PULL_PAGE);
    if !(1..=MAX_PULL_PAGE).contains(&limit) {
        return Err(AppError::InvalidInput(format!("limit must be 1 to {MAX_PULL_PAGE}")));
    }
    if query.scope.as_ref().is_some_and(|s| s.len() > MAX_SCOPE_CHARS) {
        return Err(AppError::InvalidInput("scope is not one this server gave".into()));
    }
    let acked = query.acked_versions().map_err(AppError::InvalidInput)?;
    let page = state.store.pull(&viewer, query.since, limit, query.scope.as_deref(), &acked).await?;
    // The audit trail: whose records reached this device, once per person per sign-in (not every poll).
    super::audit::record_synced(&state, &viewer, &sign_in, &page).await?;
    if page.reset {
        tracing::info!(user = %viewer.id, "pull starts a device again from nothing (its scope changed)");
    }
    Ok(Json(page))
}

/// `GET /api/sync/live`: server-sent events. `hello` (`{}`) on connect, then `changed` with `{"version": N}`
/// whenever a committed change is one the viewer may pull (a cell of a record that reaches them, in an audience
/// they are in), and `planning` with `{"person": id}` when the planning session of someone whose record reaches
/// them changed (started, ended, someone arrived or moved; the session itself is then asked for). Nothing else is
/// told: not the server-wide counter, not that something hidden was written. What changed is read with a pull, which
/// applies the same rules. One person may have [`crate::live::MAX_STREAMS_PER_USER`] streams open on an instance;
/// another is refused (429) until one ends.
pub async fn live(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    session: Session,
) -> AppResult<impl IntoResponse> {
    let slot = state.live.open_stream(&viewer.id).ok_or(AppError::TooManyRequests { retry_after_secs: 5 })?;
    // Subscribe before reading what the viewer may see, so nothing changed in between is missed.
    let changes = state.live.subscribe();
    let endings = state.live.endings();
    let planning = state.live.planning();
    let scope = state.store.sync_scope(&viewer).await?;
    let session_id = session.id().ok_or(AppError::NotSignedIn)?;
    let listener = Listener {
        closing: state.live.closing(),
        session_hash: crate::store::session_hash(&session_id.to_string()),
        session_id,
        session_check: session_end(&session),
        state,
        viewer,
        changes,
        endings,
        planning,
        scope,
        ends_at: Instant::now() + LIVE_MAX_AGE,
        hello: true,
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(listener, |mut l| async move {
        let event = l.next_event().await?;
        Some((Ok::<Event, Infallible>(event), l))
    });
    let sse = Sse::new(stream).keep_alive(KeepAlive::new().interval(LIVE_KEEP_ALIVE));
    // Tell buffering proxies (nginx) to pass events on as they come.
    Ok(([(HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no"))], sse))
}

/// When this session ends if nothing uses it meanwhile (its idle end, or its lifetime's if sooner): when an open
/// stream looks at it again.
fn session_end(session: &Session) -> Instant {
    let left = session.expiry_date() - time::OffsetDateTime::now_utc();
    Instant::now()
        + Duration::from_millis(u64::try_from(left.whole_milliseconds()).unwrap_or(0))
        + Duration::from_millis(10)
}

/// `planning` with `{"person": "<id>"}`: that person's planning session changed; an open plan asks for it again.
fn planning_event(person: &UserId) -> Event {
    Event::default().event("planning").data(serde_json::json!({ "person": person }).to_string())
}

fn version_event(name: &'static str, version: u64) -> Event {
    Event::default().event(name).data(format!("{{\"version\":{version}}}"))
}

/// One open live stream. It ends when its session does (signed out: at once on this instance, within a second on
/// others; idle or past its lifetime: when that time comes), when its viewer loses a person they could see, after
/// [`LIVE_MAX_AGE`], or when the server stops.
struct Listener {
    state: AppState,
    viewer: UserRow,
    changes: broadcast::Receiver<ChangeBatch>,
    endings: broadcast::Receiver<Ended>,
    planning: broadcast::Receiver<PlanningChanged>,
    closing: watch::Receiver<bool>,
    session_id: tower_sessions::session::Id,
    session_hash: String,
    /// When to look at the session again (its idle end as last seen).
    session_check: Instant,
    /// What this viewer may pull: read when the stream opens, and again when their access or what is shared with
    /// them changes (never on a timer, so a quiet stream costs nothing).
    scope: SyncScope,
    ends_at: Instant,
    /// The `hello` is still to send.
    hello: bool,
    /// Counts this stream among its viewer's open ones until it ends.
    _slot: StreamSlot,
}

impl Listener {
    /// The next event to send, or `None` to end the stream.
    async fn next_event(&mut self) -> Option<Event> {
        if std::mem::take(&mut self.hello) {
            return Some(Event::default().event("hello").data("{}").retry(LIVE_RETRY));
        }
        loop {
            if *self.closing.borrow() {
                return None;
            }
            // In this order when several are ready: a change that alters what the viewer may see (a carer's sharing)
            // is taken in before a planning notice that depends on it.
            let received = tokio::select! {
                biased;
                r = self.changes.recv() => r,
                ending = self.endings.recv() => {
                    self.on_ending(ending).await?;
                    continue;
                }
                planning = self.planning.recv() => {
                    match planning {
                        Ok(change) if self.told_of(&change) => return Some(planning_event(&change.person)),
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
                _ = tokio::time::sleep_until(self.session_check) => {
                    self.check_session().await?;
                    continue;
                }
                _ = tokio::time::sleep_until(self.ends_at) => return None,
                _ = self.closing.changed() => return None,
            };
            match received {
                Ok(batch) => {
                    // What the person decided about sharing with this carer changed: look again at what they may
                    // pull before telling them of anything.
                    let mine = Audience::TeamAndCarer(self.viewer.id.clone());
                    if batch.iter().any(|c| c.audience == mine) {
                        self.refresh().await?;
                    }
                    let newest = batch
                        .iter()
                        .filter(|c| self.scope.reach(&c.person).is_some_and(|r| r.receives(&c.audience)))
                        .map(|c| c.version)
                        .max();
                    if let Some(version) = newest {
                        return Some(version_event("changed", version));
                    }
                }
                // Fell behind: we cannot tell what was missed, so tell the device to pull (it learns nothing more:
                // the version is the one it already has, so it pulls and hears only what it may see).
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(Event::default().event("changed").data("{}"));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Whether this viewer hears of a planning session's change: only of people whose records reach them, and
    /// only if they would see something change.
    fn told_of(&self, change: &PlanningChanged) -> bool {
        self.scope
            .reach(&change.person)
            .is_some_and(|reach| change.tells(&self.viewer.id, self.viewer.role.is_supporter(), &reach))
    }

    /// A session ended or someone's access changed: end this stream if it is about it.
    async fn on_ending(&mut self, ending: Result<Ended, broadcast::error::RecvError>) -> Option<()> {
        match ending {
            Ok(Ended::Session(hash)) if hash == self.session_hash => {
                tracing::debug!(user = %self.viewer.id, "live stream ends with its session");
                None
            }
            Ok(Ended::Access(user)) if user == self.viewer.id => {
                let before = self.scope.people.clone();
                self.refresh().await?;
                // Lost someone: end (the device reconnects, and its next pull starts it again without them).
                before.iter().all(|p| self.scope.people.contains(p)).then_some(())
            }
            Ok(_) => Some(()),
            // Missed some: we cannot tell whose, so look again at the session and at what the viewer may see.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                self.check_session().await?;
                self.refresh().await
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The session's idle end came: end the stream if the session is over, else wait for its new end.
    async fn check_session(&mut self) -> Option<()> {
        use tower_sessions::SessionStore;
        let record = self.state.store.load(&self.session_id).await.ok()?;
        let Some(record) = record.filter(|r| r.expiry_date > time::OffsetDateTime::now_utc()) else {
            tracing::debug!(user = %self.viewer.id, "live stream ends: its session is over");
            return None;
        };
        let left = record.expiry_date - time::OffsetDateTime::now_utc();
        self.session_check =
            Instant::now() + Duration::from_millis(u64::try_from(left.whole_milliseconds()).unwrap_or(0) + 10);
        Some(())
    }

    async fn refresh(&mut self) -> Option<()> {
        match self.state.store.sync_scope(&self.viewer).await {
            Ok(scope) => {
                self.scope = scope;
                Some(())
            }
            Err(e) => {
                tracing::warn!(error = %e, user = %self.viewer.id, "live stream could not re-read its scope; ending it");
                None
            }
        }
    }
}
