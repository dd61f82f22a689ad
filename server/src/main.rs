use tracing_subscriber::EnvFilter;
use waymark_server::config::Config;

const USAGE: &str = "usage: waymark-server                 serve Waymark (configured from the environment)\n       \
                     waymark-server audit verify    check the audit trail's hash chain in DATABASE_URL";

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => {}
        ["audit", "verify"] => std::process::exit(waymark_server::audit_verify(&config).await),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return;
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
    let result = async { waymark_server::serve(waymark_server::prepare(config).await?).await }.await;
    if let Err(e) = result {
        tracing::error!(error = %e, "Waymark stopped with an error");
        std::process::exit(1);
    }
}
