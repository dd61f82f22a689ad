use crate::{error::AppResult, state::AppState};
use axum::{Json, extract::State};
use serde_json::{Value, json};

/// `GET /healthz`: the process is up and the database answers.
pub async fn healthz(State(state): State<AppState>) -> AppResult<Json<Value>> {
    state.store.ping().await?;
    Ok(Json(json!({ "status": "ok" })))
}
