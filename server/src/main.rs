use tracing_subscriber::EnvFilter;
use waymark_server::config::Config;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let result = async { waymark_server::serve(waymark_server::prepare(config).await?).await }.await;
    if let Err(e) = result {
        tracing::error!(error = %e, "Waymark stopped with an error");
        std::process::exit(1);
    }
}
