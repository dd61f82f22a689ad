//! The built app: hashed assets cached for a year, everything else (and `index.html` for every app route)
//! revalidated on each load. Gzip files made at build time are served to browsers that accept them.

use crate::state::AppState;
use axum::{
    Router,
    http::{HeaderValue, header},
    middleware::map_response,
    response::Response,
};
use std::path::Path;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

async fn cache_forever_if_found(mut res: Response) -> Response {
    let value = if res.status().is_success() { IMMUTABLE } else { "no-store" };
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

async fn revalidate(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    res
}

/// Routes for `/assets/…` and the app shell at every other path.
pub fn routes(dist: &Path) -> Router<AppState> {
    let hashed = ServeDir::new(dist.join("assets")).precompressed_gzip();
    let shell = ServeFile::new(dist.join("index.html")).precompressed_gzip();
    let root = ServeDir::new(dist).precompressed_gzip().fallback(shell);
    Router::new()
        .nest_service("/assets", Router::new().fallback_service(hashed).layer(map_response(cache_forever_if_found)))
        .fallback_service(Router::new().fallback_service(root).layer(map_response(revalidate)))
}
