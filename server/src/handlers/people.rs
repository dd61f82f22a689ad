//! Service users as a viewer may see them: a caseload, or one person's page.

use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::{PersonRow, UserRow},
};
use axum::{
    Json,
    extract::{Path, State},
};
use waymark_shared::{
    Relation, UserId,
    api::{AuditAction, PeopleList, PersonPage, PersonSummary, WardSummary},
};

fn summary(person: PersonRow) -> PersonSummary {
    PersonSummary {
        id: person.id,
        display_name: person.display_name,
        ward: match (person.ward_id, person.ward_name) {
            (Some(id), Some(name)) => Some(WardSummary { id, name }),
            _ => None,
        },
        my_relation: person.viewer_relation,
    }
}

/// `GET /api/people`: everyone the viewer may open.
pub async fn list(State(state): State<AppState>, CurrentUser(viewer): CurrentUser) -> AppResult<Json<PeopleList>> {
    let rows = state.store.people_visible_to(&viewer).await?;
    let people = rows.into_iter().map(summary).collect();
    Ok(Json(PeopleList { people }))
}

/// The person, if `viewer` may open their record; otherwise 404, exactly as if they did not exist.
pub(crate) async fn visible_person(state: &AppState, viewer: &UserRow, id: String) -> AppResult<PersonRow> {
    let person = state.store.person(&viewer.id, &UserId(id)).await?.ok_or(AppError::NotFound)?;
    if !person.visible_to(viewer) {
        tracing::warn!(viewer = %viewer.id, person = %person.id, "refused a person's record");
        return Err(AppError::NotFound);
    }
    Ok(person)
}

/// The person, if `viewer` is staff on their care team (key worker or team staff); 403 for others who may open the
/// record, 404 for everyone else.
pub(crate) async fn team_person(state: &AppState, viewer: &UserRow, id: String) -> AppResult<PersonRow> {
    let person = visible_person(state, viewer, id).await?;
    if viewer.role.is_staff() && matches!(person.viewer_relation, Some(Relation::KeyWorker | Relation::Staff)) {
        Ok(person)
    } else {
        Err(AppError::Forbidden)
    }
}

/// `GET /api/people/{id}`: one person's page. Someone the viewer may not see is answered exactly like someone
/// who does not exist (404), so the answer reveals nothing.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    sign_in: super::audit::SignIn,
    Path(id): Path<String>,
) -> AppResult<Json<PersonPage>> {
    let person = visible_person(&state, &viewer, id).await?;
    super::audit::record_read(&state, &viewer, &sign_in, &person.id, AuditAction::Viewed, "person_page", None).await?;
    let mut care_team = state.store.care_team(&person.id).await?;
    // A carer (or peer support worker) never learns who the person's carers are, but themselves.
    if viewer.role.is_supporter() {
        care_team.retain(|m| m.relation != Relation::Carer || m.id == viewer.id);
    }
    let stays = state.store.stays_of(&person.id).await?;
    Ok(Json(PersonPage { person: summary(person), care_team, stays }))
}
