//! Shared planning sessions on a person's safety plan: start, say "I am here", see who else is, end.
//!
//! Anyone who may open the person's record may join; members of the care team start and end. Where someone is
//! writing is shown only to viewers who may see that section (a carer: the sections shared with them; the person:
//! every section but the staff-only notes).

use super::{
    json::ApiJson,
    people::{team_person, visible_person},
};
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    live::{PlanningChange, PlanningChanged},
    state::AppState,
    store::{PersonRow, PresenceChange, UserRow, now_ms},
};
use axum::{
    Json,
    extract::{Path, State},
};
use std::collections::BTreeSet;
use waymark_shared::{
    Role,
    api::{PresenceRequest, Present, SessionState},
    plan::PlanSection,
    tracker::SharedPart,
};

/// The session as `viewer` may see it.
async fn state_for(state: &AppState, viewer: &UserRow, person: &PersonRow, now: i64) -> AppResult<SessionState> {
    let (session, present) = state.store.session_state(&person.id, now).await?;
    let shared: Option<BTreeSet<SharedPart>> = if viewer.role.is_supporter() {
        let mut parts = state.store.shared_with(&viewer.id, std::slice::from_ref(&person.id)).await?;
        Some(parts.remove(&person.id).unwrap_or_default().into_iter().collect())
    } else {
        None
    };
    let may_see = |s: PlanSection| match (&shared, viewer.role.is_staff()) {
        (_, true) => true,
        (Some(parts), _) => parts.contains(&SharedPart::Plan(s)),
        (None, false) => !s.is_staff_only(),
    };
    // A carer (or peer support worker) never learns who the person's other carers are, here either.
    let present = present
        .into_iter()
        .filter(|p| !viewer.role.is_supporter() || p.role != Role::Carer || p.user == viewer.id)
        .map(|p| Present {
            user: p.user,
            name: p.name,
            role: p.role,
            editing: p.editing.filter(|e| may_see(e.section)),
        })
        .collect();
    Ok(SessionState { session, present })
}

/// Tell open plans (through the live channel) that the session changed, so they ask for it at once.
async fn tell(state: &AppState, person: &PersonRow, by: &UserRow, what: PlanningChange) {
    let change =
        PlanningChanged { person: person.id.clone(), by: by.id.clone(), by_supporter: by.role.is_supporter(), what };
    state.live.planning_changed(&state.store, change).await;
}

/// `GET /api/people/{id}/session`: the running (or most recent) session and who is in it.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<SessionState>> {
    let person = visible_person(&state, &viewer, id).await?;
    Ok(Json(state_for(&state, &viewer, &person, now_ms()).await?))
}

/// `POST /api/people/{id}/session`: start a session (or join the one running). The care team only.
pub async fn start(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<SessionState>> {
    let person = team_person(&state, &viewer, id).await?;
    let now = now_ms();
    let session = state.store.start_session(&person.id, &viewer.id, now).await?;
    tracing::info!(person = %person.id, by = %viewer.id, session, "planning session started or joined");
    tell(&state, &person, &viewer, PlanningChange::Session).await;
    Ok(Json(state_for(&state, &viewer, &person, now).await?))
}

/// `POST /api/people/{id}/session/presence`: "I am here, writing there". Joins the running session; with none
/// running it only answers.
pub async fn presence(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PresenceRequest>,
) -> AppResult<Json<SessionState>> {
    let person = visible_person(&state, &viewer, id).await?;
    // "Where I am writing" is shown to everyone present: only a section, and an item of that section that exists
    // (never free text), and the staff-only notes only for staff.
    if let Some(editing) = &body.editing {
        if editing.section.is_staff_only() && !viewer.role.is_staff() {
            return Err(AppError::InvalidInput("only staff write in the staff-only notes".into()));
        }
        if let Some(item) = &editing.item {
            if item.0.is_empty() || !item.is_well_formed() {
                return Err(AppError::InvalidInput("item must be the id of an item of the plan".into()));
            }
            if state.store.plan_item_section(&person.id, item).await? != Some(editing.section) {
                return Err(AppError::InvalidInput("item must be an item of that section of the plan".into()));
            }
        }
    }
    let now = now_ms();
    if let Some(session) = state.store.running_session(&person.id, now).await? {
        match state.store.mark_present(&session, &viewer.id, body.editing.as_ref(), now).await? {
            PresenceChange::None => {}
            PresenceChange::Arrived => tell(&state, &person, &viewer, PlanningChange::Arrived).await,
            PresenceChange::Moved { from } => {
                tell(&state, &person, &viewer, PlanningChange::Moved { from, to: body.editing.clone() }).await;
            }
        }
    }
    Ok(Json(state_for(&state, &viewer, &person, now).await?))
}

/// `POST /api/people/{id}/session/end`: end the running session. The care team only.
pub async fn end(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<SessionState>> {
    let person = team_person(&state, &viewer, id).await?;
    let now = now_ms();
    if !state.store.end_session(&person.id, &viewer.id, now).await? {
        return Err(AppError::NotFound);
    }
    tell(&state, &person, &viewer, PlanningChange::Session).await;
    Ok(Json(state_for(&state, &viewer, &person, now).await?))
}
