//! The URL map: which handler answers what, and the layers around them.

use crate::{
    auth::{csrf, session_life},
    error::AppError,
    handlers::{
        admin, audit, export, frameworks, health, invitations, me, oidc, people, planning, report, session, sync,
    },
    state::AppState,
    web,
};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderValue, header},
    middleware,
    routing::{any, get, post, put},
};
use tower_http::{compression::CompressionLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer};

/// Largest JSON body the API accepts.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
// A device's fullest push (plus its envelope) must fit.
const _: () = assert!(MAX_BODY_BYTES >= waymark_shared::sync::MAX_PUSH_BYTES + 16 * 1024);
pub const SESSION_COOKIE: &str = "waymark_session";

async fn api_not_found() -> AppError {
    AppError::NotFound
}

pub fn router(state: AppState) -> Router {
    let config = state.config.clone();
    let sessions = session_life::layer(state.store.clone(), &config);

    let api = Router::new()
        .route("/session", get(session::current).post(session::sign_in).delete(session::sign_out))
        .route("/me/language", put(me::set_language))
        .route("/device-key", post(crate::handlers::device_keys::hand_over))
        .route("/frameworks", get(frameworks::list).post(frameworks::save))
        .route("/frameworks/{id}/{version}/retire", post(frameworks::retire))
        .route("/people", get(people::list))
        .route("/people/{id}", get(people::show))
        .route("/people/{id}/session", get(planning::show).post(planning::start))
        .route("/people/{id}/session/presence", post(planning::presence))
        .route("/people/{id}/session/end", post(planning::end))
        .route("/people/{id}/invitations", post(invitations::create))
        .route("/invitations/accept", post(invitations::accept))
        .route("/openapi.json", get(crate::openapi::serve))
        .route("/audit/views", post(audit::report_views))
        .route("/people/{id}/audit", get(audit::person_trail))
        .route("/me/record-views", get(audit::my_record_views))
        .route("/people/{id}/export/fhir", get(export::fhir_bundle))
        .route("/people/{id}/export/readings.csv", get(export::person_csv))
        .route("/wards/{ward}/export/readings.csv", get(export::ward_csv))
        .route("/wards/{ward}/report", get(report::report_json))
        .route("/wards/{ward}/report.csv", get(report::report_csv))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        // Server-sent events: GET, so exempt from the CSRF check; the compression layer's default predicate
        // leaves text/event-stream alone, so events are not held back in a gzip buffer.
        .route("/sync/live", get(sync::live))
        // Administration (issue 16): administrators, and ward managers for their own ward.
        .route("/admin/accounts", get(admin::accounts::search).post(admin::accounts::create))
        .route("/admin/accounts/{id}", get(admin::accounts::show))
        .route("/admin/accounts/{id}/password", post(admin::accounts::reset_password))
        .route("/admin/accounts/{id}/deactivate", post(admin::accounts::deactivate))
        .route("/admin/accounts/{id}/reactivate", post(admin::accounts::reactivate))
        .route("/admin/accounts/{id}/identity", put(admin::accounts::set_identity))
        .route("/admin/wards", get(admin::wards::list).post(admin::wards::create))
        .route("/admin/wards/{id}", get(admin::wards::roster))
        .route("/admin/people/{id}", get(admin::people::show))
        .route("/admin/people/{id}/care-team/{member}", put(admin::people::link).delete(admin::people::unlink))
        .route("/admin/people/{id}/admit", post(admin::people::admit))
        .route("/admin/people/{id}/transfer", post(admin::people::transfer))
        .route("/admin/people/{id}/discharge", post(admin::people::discharge))
        .route("/me/password", post(me::change_password))
        .route("/sign-in/options", get(oidc::options))
        .route("/oidc/start", get(oidc::start))
        .route("/oidc/callback", get(oidc::callback))
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::require_csrf_token))
        .layer(middleware::from_fn_with_state(state.clone(), session_life::keep_alive))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Health records must never sit in a shared cache.
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(CompressionLayer::new());

    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .nest("/api", api)
        // `nest` does not route `/api/` itself: answer it as the API would, not with the app shell.
        .route("/api/", any(|| async { ([(header::CACHE_CONTROL, "no-store")], AppError::NotFound) }))
        .merge(web::assets::routes(&config.dist_dir));
    web::headers::apply(app, config.secure_cookies).layer(TraceLayer::new_for_http()).with_state(state)
}
