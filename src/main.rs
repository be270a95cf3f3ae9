//! `treepl-contacts`: the desktop app, the sandbox site, and (later) command-line export.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use treepl_contacts::sandbox::{self, FaultSpec, Sandbox, SandboxConfig};

#[derive(Parser)]
#[command(name = "treepl-contacts", version, about = "Manage the CRM contacts of a Treepl CMS site")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sandbox site: a local Treepl-compatible site with demo data.
    Sandbox(SandboxArgs),
}

#[derive(clap::Args)]
struct SandboxArgs {
    /// Address to listen on (loopback by default: the sandbox is for this computer).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The SQLite database; created if missing, reused as it is if present.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Demo contacts to add when the database is empty.
    #[arg(long, default_value_t = 1000)]
    seed: u64,
    #[arg(long, default_value = sandbox::DEFAULT_CLIENT_ID)]
    client_id: String,
    /// The secret clients must present (also read from the environment).
    #[arg(long, env = "TREEPL_SANDBOX_CLIENT_SECRET", default_value = sandbox::DEFAULT_CLIENT_SECRET, hide_env_values = true)]
    client_secret: String,
    /// Injected faults, e.g. "latency=20..200ms,error=0.2,throttle=0.1,drop=0.05;create:drop=1".
    #[arg(long, value_parser = FaultSpec::parse)]
    faults: Option<FaultSpec>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,treepl_contacts=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Sandbox(args)) => run_sandbox(args),
        None => {
            eprintln!("The desktop app is not built yet. Run `treepl-contacts sandbox` to serve the sandbox site.");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_sandbox(args: SandboxArgs) -> anyhow::Result<()> {
    let db = match args.db {
        Some(path) => path,
        None => default_sandbox_db()?,
    };
    if let Some(folder) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    if !args.addr.ip().is_loopback() {
        tracing::warn!(addr = %args.addr, "the sandbox is listening beyond this computer; it has no real security");
    }
    let mut config = SandboxConfig::new(&db).seed(args.seed);
    config.addr = args.addr;
    config.client_id = args.client_id;
    config.client_secret = SecretString::from(args.client_secret);
    config.faults = args.faults.unwrap_or_default();

    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        eprintln!("Opening {} (seeding {} demo contacts if it is empty)...", db.display(), args.seed);
        let started = std::time::Instant::now();
        let site = Sandbox::start(config.clone()).await?;
        let contacts = site.store().contact_count()?;
        let banner = format!(
            "Sandbox site ready in {:.1} s with {contacts} contacts.\n  Site URL:      {url}\n  Client ID:     {id}\n  \
             Client Secret: {secret}\n  API description: {url}openapi.json\nPress Ctrl+C to stop.\n",
            started.elapsed().as_secs_f64(),
            url = site.url(),
            id = config.client_id,
            secret = secrecy::ExposeSecret::expose_secret(&config.client_secret),
        );
        // A reader that went away (a closed pipe) must not stop the server.
        let mut stdout = std::io::stdout();
        let _ = stdout.write_all(banner.as_bytes()).and_then(|()| stdout.flush());
        tokio::signal::ctrl_c().await.context("waiting for Ctrl+C")?;
        eprintln!("Stopping...");
        site.shutdown().await;
        Ok(())
    })
}

/// `<platform data dir>/sandbox.db`, e.g. `~/.local/share/treepl-contacts/sandbox.db`.
fn default_sandbox_db() -> anyhow::Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("", "", "treepl-contacts").context("no home folder to keep the sandbox in")?;
    Ok(dirs.data_dir().join("sandbox.db"))
}
