//! Waymark's server: routes → handlers → store.

pub mod auth;
pub mod config;
pub mod error;
pub mod export;
pub mod handlers;
pub mod live;
pub mod openapi;
pub mod routes;
pub mod seed;
pub mod state;
pub mod store;
pub mod web;

use config::Config;
use state::AppState;
use store::Store;
use tower_sessions::session_store::ExpiredDeletion;

/// Connect to the database (applying migrations), seed the demo ward if asked, and build the app state.
pub async fn prepare(config: Config) -> Result<AppState, Box<dyn std::error::Error + Send + Sync>> {
    let store = Store::connect(&config.database_url).await?;
    tracing::info!(engine = ?store.engine(), "database ready");
    if config.seed_demo {
        seed::seed_demo(&store).await?;
    }
    let state = AppState::new(store, config);
    // Read (or make, once) the CSRF key now, so that no signed-out request ever writes it.
    state.auth.csrf_key(&state.config, &state.store).await?;
    Ok(state)
}

/// Ask the C allocator to hand large blocks back to the system as soon as they are freed. Each password hash
/// takes a 19 MiB buffer; glibc's default (a threshold that grows to 32 MiB after the first large free) keeps such
/// buffers in its per-thread arenas, so a burst of sign-ins left the server holding hundreds of MiB for good. Blocks
/// of 128 KiB and more are mapped and unmapped directly instead.
#[allow(unsafe_code)] // the one foreign call in the workspace (unsafe code is denied everywhere else)
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets allocator parameters; it is safe to call at any time.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        if ok != 1 {
            tracing::warn!("could not set the allocator's mmap threshold");
        }
    }
}

/// `waymark-server audit verify`: check the audit trail's whole hash chain and print the result. The exit code is
/// 0 when it is intact, 1 when an entry is broken (the first one is named), 3 when the database cannot be read.
pub async fn audit_verify(config: &Config) -> i32 {
    let store = match Store::connect(&config.database_url).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("audit verify: cannot open the database: {e}");
            return 3;
        }
    };
    let started = std::time::Instant::now();
    let result = store.audit_verify().await;
    store.close().await;
    match result {
        Ok(store::audit::Verified::Intact { entries, head }) => {
            println!(
                "audit trail intact: {entries} entries checked in {:.2} s; last hash {head}",
                started.elapsed().as_secs_f64()
            );
            0
        }
        Ok(store::audit::Verified::Broken { seq, reason }) => {
            println!("audit trail BROKEN at entry {seq}: {reason}");
            1
        }
        Err(e) => {
            eprintln!("audit verify: cannot read the audit trail: {e}");
            3
        }
    }
}

/// Serve until Ctrl-C or SIGTERM, then finish the requests under way and close the database.
pub async fn serve(state: AppState) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tune_allocator();
    let listener = tokio::net::TcpListener::bind(state.config.listen_addr).await?;
    tracing::info!(address = %listener.local_addr()?, dist = %state.config.dist_dir.display(), "Waymark is listening");
    let sweeper = tokio::spawn(sweep_expired_sessions(state.store.clone()));
    let watcher = live::spawn_watcher(state.live.clone(), state.store.clone());
    let pg_listener = (state.store.engine() == store::Engine::Postgres)
        .then(|| live::spawn_pg_listener(state.live.clone(), state.store.clone(), state.config.database_url.clone()));
    let store = state.store.clone();
    let live = state.live.clone();
    let stop = async move {
        shutdown_signal().await;
        // Live streams never end by themselves: end them, or graceful shutdown would wait for them.
        live.close();
    };
    // The peer's address is the client address for throttling (unless a trusted proxy header is configured).
    let app = routes::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(stop).await?;
    sweeper.abort();
    watcher.abort();
    if let Some(l) = pg_listener {
        l.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Delete expired sessions and sign-in failures that no longer count, once an hour (loading already ignores them;
/// this keeps the tables small however many usernames are guessed).
async fn sweep_expired_sessions(store: Store) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "could not delete expired sessions");
        }
        if let Err(e) = store.sweep_endings().await {
            tracing::warn!(error = %e, "could not forget old stream endings");
        }
        if let Err(e) = store.delete_stale_sign_in_failures(store::now_ms(), auth::throttle::WINDOW_MS).await {
            tracing::warn!(error = %e, "could not delete old sign-in failures");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
