//! A service user's care team and stay, as an administrator or the manager of their ward manages them.

use super::{AdminAction, Manager, audit, latest_date, path_id, refuse};
use crate::{
    error::{AppError, AppResult},
    handlers::json::ApiJson,
    state::AppState,
    store::{StayError, UserRow, now_ms, summary_of},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use waymark_shared::{
    Relation, Role, UserId, admin,
    api::{AdminPerson, CareTeamRequest, StayKind, StayRequest},
    consent::{ConsentChange, SharedPart, sharing_cell},
    sync::{Change, ClientId, Mutation},
};

/// Most accounts offered for a care team in the form.
const MAX_CANDIDATES: usize = 200;

/// The service user `id`, if this manager may manage them (an administrator: anyone; a ward manager: the people on
/// their ward). 404 for no such service user, 403 for someone on another ward.
async fn managed_person(state: &AppState, manager: &Manager, id: &str) -> AppResult<UserRow> {
    let person = state.store.user_by_id(&UserId(path_id(id)?.to_owned())).await?.ok_or(AppError::NotFound)?;
    if person.role != Role::ServiceUser {
        return Err(AppError::NotFound);
    }
    if !manager.manages(person.ward_id.as_deref()) {
        tracing::warn!(manager = %manager.0.id, person = %person.id, "refused: not a person on their ward");
        return Err(AppError::Forbidden);
    }
    Ok(person)
}

async fn answer(state: &AppState, person: &UserRow) -> AppResult<Json<AdminPerson>> {
    let person = state.store.user_by_id(&person.id).await?.ok_or(AppError::NotFound)?;
    let care_team = state.store.care_team(&person.id).await?;
    let stays = state.store.stays_of(&person.id).await?;
    let candidates = state
        .store
        .team_candidates(person.ward_id.as_deref(), MAX_CANDIDATES)
        .await?
        .iter()
        .filter(|c| !care_team.iter().any(|m| m.id == c.id))
        .map(summary_of)
        .collect();
    Ok(Json(AdminPerson { person: summary_of(&person), care_team, stays, candidates }))
}

/// `GET /api/admin/people/{id}`.
pub async fn show(
    State(state): State<AppState>,
    manager: Manager,
    Path(id): Path<String>,
) -> AppResult<Json<AdminPerson>> {
    let person = managed_person(&state, &manager, &id).await?;
    answer(&state, &person).await
}

/// `PUT /api/admin/people/{id}/care-team/{member}`: put someone on the care team (or change their place). Staff
/// places are for staff working on the person's ward; a new key worker makes the one before them care-team staff.
/// What each of them may see changes at their devices' next pull.
pub async fn link(
    State(state): State<AppState>,
    manager: Manager,
    Path((id, member)): Path<(String, String)>,
    ApiJson(req): ApiJson<CareTeamRequest>,
) -> AppResult<Json<AdminPerson>> {
    let person = managed_person(&state, &manager, &id).await?;
    let member = state.store.user_by_id(&UserId(path_id(&member)?.to_owned())).await?.ok_or(AppError::NotFound)?;
    if !member.active {
        return Err(AppError::InvalidInput("member: this account is switched off".into()));
    }
    if !req.relation.allowed_for(member.role) {
        return Err(AppError::InvalidInput(format!(
            "relation: a {} cannot be {} on a care team",
            member.role.as_str(),
            req.relation.as_str()
        )));
    }
    let staff_place = matches!(req.relation, Relation::KeyWorker | Relation::Staff);
    if staff_place && (member.ward_id.is_none() || member.ward_id != person.ward_id) {
        return Err(AppError::InvalidInput("member: staff on a care team work on the person's ward".into()));
    }
    if req.relation == Relation::KeyWorker {
        for m in state.store.care_team(&person.id).await? {
            if m.relation == Relation::KeyWorker && m.id != member.id {
                state.store.link_care_team(&person.id, &m.id, Relation::Staff).await?;
            }
        }
    }
    state.store.link_care_team(&person.id, &member.id, req.relation).await?;
    state.live.access_changed(&member.id, now_ms());
    audit(
        &state,
        &manager.0,
        AdminAction::CareTeamLinked { person: &person.id, member: &member.id, relation: req.relation },
    )
    .await;
    answer(&state, &person).await
}

/// `DELETE /api/admin/people/{id}/care-team/{member}`: take someone off the care team; what they could see of the
/// person leaves their devices at the next pull.
pub async fn unlink(
    State(state): State<AppState>,
    manager: Manager,
    Path((id, member)): Path<(String, String)>,
) -> AppResult<Json<AdminPerson>> {
    let person = managed_person(&state, &manager, &id).await?;
    let member = UserId(path_id(&member)?.to_owned());
    if !state.store.unlink_care_team(&person.id, &member).await? {
        return Err(AppError::NotFound);
    }
    state.live.access_changed(&member, now_ms());
    audit(&state, &manager.0, AdminAction::CareTeamUnlinked { person: &person.id, member: &member }).await;
    answer(&state, &person).await
}

/// `POST /api/admin/people/{id}/admit`.
pub async fn admit(
    state: State<AppState>,
    manager: Manager,
    id: Path<String>,
    req: ApiJson<StayRequest>,
) -> AppResult<(StatusCode, Json<AdminPerson>)> {
    stay(state, manager, id, req, StayKind::Admitted).await
}

/// `POST /api/admin/people/{id}/transfer`.
pub async fn transfer(
    state: State<AppState>,
    manager: Manager,
    id: Path<String>,
    req: ApiJson<StayRequest>,
) -> AppResult<(StatusCode, Json<AdminPerson>)> {
    stay(state, manager, id, req, StayKind::Transferred).await
}

/// `POST /api/admin/people/{id}/discharge`.
pub async fn discharge(
    state: State<AppState>,
    manager: Manager,
    id: Path<String>,
    req: ApiJson<StayRequest>,
) -> AppResult<(StatusCode, Json<AdminPerson>)> {
    stay(state, manager, id, req, StayKind::Discharged).await
}

/// A dated step of the person's stay. Admitted (to the manager's ward, for a ward manager) when on no ward or
/// discharged; moved to another ward (the old ward's staff leave the care team; the new ward's see them); discharged
/// (read-only for staff; what the person shared with carers and peer support workers is withdrawn, through the
/// normal change path, so every device follows; the person may share again).
async fn stay(
    State(state): State<AppState>,
    manager: Manager,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StayRequest>,
    kind: StayKind,
) -> AppResult<(StatusCode, Json<AdminPerson>)> {
    refuse(admin::check_stay(kind, req.ward.as_deref(), &req.date, &latest_date()))?;
    let person = state.store.user_by_id(&UserId(path_id(&id)?.to_owned())).await?.ok_or(AppError::NotFound)?;
    if person.role != Role::ServiceUser {
        return Err(AppError::NotFound);
    }
    // A ward manager acts on people on their ward (or, admitting, on no ward), and admits only to their own ward.
    let may = match kind {
        StayKind::Admitted => {
            manager.manages(req.ward.as_deref())
                && (person.ward_id.is_none() || manager.manages(person.ward_id.as_deref()))
        }
        StayKind::Transferred | StayKind::Discharged => manager.manages(person.ward_id.as_deref()),
    };
    if !may {
        tracing::warn!(manager = %manager.0.id, person = %person.id, ?kind, "refused a step of a stay");
        return Err(AppError::Forbidden);
    }
    let touched =
        state.store.record_stay(&person.id, kind, req.ward.as_deref(), &req.date, &manager.0.id).await.map_err(
            |e| match e {
                StayError::DoesNotFit(why) => AppError::InvalidInput(format!("{}: {why}", admin::Field::Ward.as_str())),
                StayError::NoSuchWard => AppError::InvalidInput("ward: no such ward".into()),
                StayError::Database(e) => AppError::Database(e),
            },
        )?;
    let now = now_ms();
    for user in &touched.access_changed {
        state.live.access_changed(user, now);
    }
    if kind == StayKind::Discharged {
        withdraw_sharing(&state, &manager.0, &person.id).await?;
    }
    audit(&state, &manager.0, AdminAction::Stay { person: &person.id, kind, ward: req.ward.as_deref() }).await;
    let Json(body) = answer(&state, &person).await?;
    Ok((StatusCode::CREATED, Json(body)))
}

/// At discharge, what the person shares with each carer and peer support worker ends: a withdrawal of every part
/// shared, pushed on the person's behalf through the normal change path (recorded under the name of who discharged
/// them), so every device follows at its next pull. The person may share again.
async fn withdraw_sharing(state: &AppState, by: &UserRow, person: &UserId) -> AppResult<()> {
    let cells = state.store.sharing_cells_of(person).await?;
    let now = now_ms();
    let mutations: Vec<Mutation> = cells
        .into_iter()
        .filter_map(|(key, value, version)| {
            let ((part, carer), sharing) = sharing_cell(&key, &value)?;
            sharing.share.then_some((part, carer, version))
        })
        .enumerate()
        .map(|(i, (part, carer, version)): (usize, (SharedPart, UserId, u64))| Mutation {
            id: i as u64 + 1,
            person: person.clone(),
            base: version,
            settles: false,
            made_at_ms: now,
            change: Change::from(ConsentChange::Share { part, carer, share: false, review_by: None }),
        })
        .collect();
    for batch in mutations.chunks(waymark_shared::sync::MAX_PUSH_MUTATIONS) {
        let client = ClientId(format!("discharge-{}", crate::store::new_id()));
        let pushed = state.store.push_on_behalf(by, &client, batch, person).await?;
        state.live.announce_push(&pushed);
    }
    Ok(())
}
