//! Service users as a viewer may see them: a caseload, or one person's page.

use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::PersonRow,
};
use axum::{
    Json,
    extract::{Path, State},
};
use waymark_shared::{
    UserId,
    api::{PeopleList, PersonPage, PersonSummary, WardSummary},
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

/// `GET /api/people/{id}`: one person's page. Someone the viewer may not see is answered exactly like someone
/// who does not exist (404), so the answer reveals nothing.
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Json<PersonPage>> {
    let person = state.store.person(&viewer.id, &UserId(id)).await?.ok_or(AppError::NotFound)?;
    if !person.visible_to(&viewer) {
        tracing::warn!(viewer = %viewer.id, person = %person.id, "refused a person page");
        return Err(AppError::NotFound);
    }
    let care_team = state.store.care_team(&person.id).await?;
    Ok(Json(PersonPage { person: summary(person), care_team }))
}
