//! `POST /api/device-key`: the signed-in person's data key for this device (see [`crate::store::Store::device_key`]).
//! Signed in and CSRF-checked like every state-changing request; the device id must be well formed; a person holds
//! keys for at most [`MAX_DEVICES_PER_USER`] devices.

use super::json::ApiJson;
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    store::{DeviceKeyError, now_ms},
};
use axum::{Json, extract::State};
use waymark_shared::api::{DEVICE_ID_HEX_CHARS, DeviceKey, DeviceKeyRequest, is_device_id};

/// The most devices one person may hold keys for (a ward's tablets, a phone, a spare).
pub const MAX_DEVICES_PER_USER: usize = 20;

pub async fn hand_over(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiJson(req): ApiJson<DeviceKeyRequest>,
) -> AppResult<Json<DeviceKey>> {
    if !is_device_id(&req.device) {
        return Err(AppError::InvalidInput(format!("device must be {DEVICE_ID_HEX_CHARS} lowercase hex digits")));
    }
    let key = state.store.device_key(&user.id, &req.device, now_ms(), MAX_DEVICES_PER_USER).await.map_err(|e| match e {
        DeviceKeyError::TooManyDevices { max } => {
            tracing::warn!(user = %user.id, max, "device key refused: too many devices");
            AppError::Conflict(format!(
                "this account is already set up on {max} devices; ask an administrator to remove ones no longer used"
            ))
        }
        DeviceKeyError::Database(e) => AppError::Database(e),
    })?;
    let lock_after_seconds = state.store.lock_after_seconds(&user.id).await?;
    Ok(Json(DeviceKey { key, lock_after_seconds }))
}
