//! `treepl-contacts`: the desktop app (no subcommand), the sandbox site, and command-line
//! export.

mod doctor_cli;
mod export_cli;
mod import_cli;
mod journal_cli;
mod site_cli;

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use secrecy::SecretString;
use std::sync::Arc;

use treepl_contacts::api::ClientOptions;
use treepl_contacts::app::AppConfig;
use treepl_contacts::app::credentials::SystemKeyring;
use treepl_contacts::app::export::NativeFileChooser;
use treepl_contacts::sandbox::{self, FaultSpec, Sandbox, SandboxConfig};
use treepl_contacts::ui::{APP_ID, APP_TITLE, TreeplApp};

#[derive(Parser)]
#[command(name = "treepl-contacts", version = treepl_contacts::build_info::VERSION_LINE, about = "Manage the CRM contacts of a Treepl CMS site")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Open the import dialog on this CSV or Excel file once the app has started.
    #[arg(long, value_name = "FILE")]
    import: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sandbox site: a local Treepl-compatible site with demo data.
    #[command(after_help = SANDBOX_SECRET_HELP)]
    Sandbox(SandboxArgs),
    /// Export contacts to a CSV, XLSX, JSON or vCard file.
    Export(export_cli::ExportArgs),
    /// Import contacts from a CSV or XLSX file: a dry run, then (with --apply) the creates and
    /// updates through the change journal. Exit status: 0 every row as asked, 1 an error
    /// (nothing sent), 2 some rows not as asked (see the table).
    Import(import_cli::ImportArgs),
    /// The change journal kept on this computer: erase a person from it.
    Journal(journal_cli::JournalArgs),
    /// Check what a site does with each choice the vendor's reference leaves open, and save
    /// the dialect the app then speaks to it.
    Doctor(doctor_cli::DoctorArgs),
    /// Print the crates built into this program with their licences and licence texts.
    Licences,
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
    /// A file whose first line is the secret clients must present (see below for the others
    /// ways to give it).
    #[arg(long, value_name = "PATH")]
    client_secret_file: Option<PathBuf>,
    /// Deprecated: a secret on the command line is visible to every user of this computer
    /// (`ps`). Use TREEPL_SANDBOX_CLIENT_SECRET or --client-secret-file.
    #[arg(long, value_name = "SECRET")]
    client_secret: Option<String>,
    /// Also answer requests whose Host header names NAME (any port) or NAME:PORT, e.g. the
    /// name other computers reach this one by. Repeatable. Other hosts get 421.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    /// Injected faults, e.g. "latency=20..200ms,error=0.2,throttle=0.1,drop=0.05;create:drop=1";
    /// add ",seed=N" to meet the same faults on every run (random otherwise).
    #[arg(long, value_parser = FaultSpec::parse)]
    faults: Option<FaultSpec>,
    /// The most contacts a page holds, whatever `Limit` asks (at most 500): acts as a site
    /// with a stricter cap, e.g. `--max-limit 20`.
    #[arg(long, default_value_t = sandbox::MAX_LIMIT, value_parser = clap::value_parser!(u32).range(1..=i64::from(sandbox::MAX_LIMIT)))]
    max_limit: u32,
    /// Listen on a non-loopback address, where other computers can reach this sandbox. It has
    /// no real security (plain HTTP): only on a network you trust, and only with a secret of
    /// your own (the demo secret is refused there).
    #[arg(long)]
    unsafe_listen_beyond_loopback: bool,
    /// Read requests and write replies as a real site may, e.g. `where-ignored,offset-ignored`
    /// (switches: where-ignored, offset-ignored, body-params, lowercase-keys, order-asc-only,
    /// zones-merge, put-empty-204, dates-without-zone, odd-values).
    #[arg(long, default_value = "", long_help = sandbox::DIALECT_HELP)]
    dialect: sandbox::SiteDialect,
}

/// Where the sandbox's client secret comes from, for `sandbox --help`.
const SANDBOX_SECRET_HELP: &str = "\
The client secret, first found of:
  --client-secret-file PATH              the first line of that file
  --client-secret SECRET                 deprecated: `ps` shows it to every user
  TREEPL_SANDBOX_CLIENT_SECRET=SECRET    the environment
  (none)                                 the public demo secret `sandbox-secret`, on loopback only";

/// The environment variable that holds the sandbox's client secret.
const SECRET_VARIABLE: &str = "TREEPL_SANDBOX_CLIENT_SECRET";

/// The sandbox's client secret, from the first source given (see `SANDBOX_SECRET_HELP`), and
/// whether it is the public demo one. Never printed, nor put in an error.
fn sandbox_secret(args: &SandboxArgs) -> anyhow::Result<(SecretString, bool)> {
    if args.client_secret.is_some() {
        eprintln!(
            "Warning: --client-secret is deprecated: every user of this computer can read it (ps). \
             Use {SECRET_VARIABLE} or --client-secret-file PATH instead."
        );
    }
    if let Some(path) = &args.client_secret_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the client secret from {}", path.display()))?;
        let secret = text.lines().next().unwrap_or_default();
        anyhow::ensure!(!secret.is_empty(), "{} holds no client secret: its first line is empty", path.display());
        return Ok((SecretString::from(secret), false));
    }
    if let Some(secret) = &args.client_secret {
        return Ok((SecretString::from(secret.as_str()), false));
    }
    match std::env::var(SECRET_VARIABLE) {
        Ok(secret) if !secret.is_empty() => return Ok((SecretString::from(secret), false)),
        Err(std::env::VarError::NotUnicode(_)) => anyhow::bail!("{SECRET_VARIABLE} is not valid UTF-8"),
        _ => {}
    }
    Ok((SecretString::from(sandbox::DEFAULT_CLIENT_SECRET), true))
}

fn main() -> ExitCode {
    treepl_contacts::mark_startup();
    // Exports, the journal, drafts and settings hold personal data: the user's alone.
    treepl_contacts::app::private::restrict_new_files();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,treepl_contacts=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    // Exports, drafts and profiles note their temporary files here while they write them.
    if let Ok(dirs) = project_dirs() {
        treepl_contacts::export::note_unfinished_files_in(treepl_contacts::export::unfinished_folder(dirs.data_dir()));
    }
    let result = match cli.command {
        Some(Command::Sandbox(args)) => run_sandbox(args),
        Some(Command::Export(args)) => export_cli::run(args, project_dirs().ok().map(|d| d.config_dir().to_owned())),
        Some(Command::Import(args)) => {
            let dirs = project_dirs().ok();
            match import_cli::run(
                args,
                dirs.as_ref().map(|d| d.config_dir().to_owned()),
                dirs.map(|d| d.data_dir().to_owned()),
            ) {
                Ok(true) => Ok(()),
                Ok(false) => return ExitCode::from(2),
                Err(error) => Err(error),
            }
        }
        Some(Command::Journal(args)) => {
            project_dirs().and_then(|dirs| journal_cli::run(args, dirs.config_dir(), dirs.data_dir()))
        }
        Some(Command::Doctor(args)) => {
            // The doctor's exit status says what it found (0, 1 or 2), not only success.
            let dirs = project_dirs().ok();
            let folder = |f: fn(&directories::ProjectDirs) -> &std::path::Path| dirs.as_ref().map(|d| f(d).to_owned());
            return doctor_cli::run(args, folder(|d| d.config_dir()), folder(|d| d.data_dir()));
        }
        Some(Command::Licences) => print_licences(),
        None => run_app(cli.import),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_licences() -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(treepl_contacts::build_info::LICENCES.as_bytes()).and_then(|()| stdout.flush()) {
        // `| head` closed the pipe: it had read what it wanted.
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(error).context("printing the licences"),
        _ => Ok(()),
    }
}

fn run_sandbox(args: SandboxArgs) -> anyhow::Result<()> {
    // A secret the user chose is never printed.
    let (client_secret, secret_is_default) = sandbox_secret(&args)?;
    let db = match args.db {
        Some(path) => path,
        None => default_sandbox_db()?,
    };
    if let Some(folder) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    }
    if !args.addr.ip().is_loopback() && args.unsafe_listen_beyond_loopback {
        tracing::warn!(addr = %args.addr, "the sandbox is listening beyond this computer; it has no real security");
    }
    let mut config = SandboxConfig::new(&db).seed(args.seed);
    config.addr = args.addr;
    config.client_id = args.client_id;
    config.client_secret = client_secret;
    config.allowed_hosts = args.allow_host;
    config.faults = args.faults.unwrap_or_default();
    config.max_limit = args.max_limit;
    config.dialect = args.dialect;
    config.unsafe_beyond_loopback = args.unsafe_listen_beyond_loopback;
    let shown_secret = if secret_is_default {
        sandbox::DEFAULT_CLIENT_SECRET.to_owned()
    } else {
        "(the one you gave; not shown)".to_owned()
    };

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
            secret = shown_secret,
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

/// Opens the desktop app; with no site configured it opens the built-in sandbox site.
fn run_app(import: Option<PathBuf>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    // eframe and its tasks spawn onto this runtime.
    let _guard = runtime.enter();
    let dirs = project_dirs()?;
    let config = AppConfig {
        config_dir: dirs.config_dir().to_owned(),
        data_dir: dirs.data_dir().to_owned(),
        keyring: Arc::new(SystemKeyring::default()),
        sandbox_seed: DEMO_CONTACTS,
        client_options: ClientOptions::default(),
        file_chooser: Arc::new(NativeFileChooser),
        sandbox_faults: std::env::var("TREEPL_SANDBOX_FAULTS").ok().filter(|f| !f.trim().is_empty()),
        clipboard: Arc::new(treepl_contacts::app::clipboard::SystemClipboard::default()),
    };
    let icon =
        eframe::icon_data::from_png_bytes(include_bytes!("../assets/icon.png")).context("reading the app icon")?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(APP_TITLE)
            .with_app_id(APP_ID)
            .with_icon(icon)
            .with_inner_size([1200.0, 760.0])
            .with_min_inner_size([720.0, 420.0]),
        ..Default::default()
    };
    let handle = runtime.handle().clone();
    let ran = eframe::run_native(
        APP_TITLE,
        options,
        Box::new(move |cc| {
            let mut app = TreeplApp::new(cc, config, handle);
            if let Some(path) = import {
                app.open_import(path);
            }
            Ok(Box::new(app))
        }),
    );
    drop(_guard);
    // The window is closed: work still stuck (a keyring prompt, a save dialog) does not hold
    // the process up.
    treepl_contacts::app::shut_down(runtime);
    ran.map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

/// Demo contacts in a new sandbox: enough to scroll and filter, seeded in about a second.
const DEMO_CONTACTS: u64 = 5000;

fn project_dirs() -> anyhow::Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "treepl-contacts").context("no home folder to keep settings and data in")
}

/// `<platform data dir>/sandbox.db`, e.g. `~/.local/share/treepl-contacts/sandbox.db`.
fn default_sandbox_db() -> anyhow::Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("", "", "treepl-contacts").context("no home folder to keep the sandbox in")?;
    Ok(dirs.data_dir().join("sandbox.db"))
}
