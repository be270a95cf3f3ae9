//! `treepl-contacts doctor`: what a site does with each choice the vendor's reference leaves
//! open, as a table; the dialect learned is saved with the site's profile. Exit status 0:
//! the site works with a known dialect; 1: a guard would refuse what it does; 2: undecided.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use tokio_util::sync::CancellationToken;

use treepl_contacts::app::profiles::ProfileFile;
use treepl_contacts::doctor::{self, EXIT_UNDECIDED, SiteCheck};

use crate::site_cli::{SiteArgs, chosen_site};

#[derive(clap::Args)]
#[command(after_help = "Read-only unless --write-probes is given. The client secret is read from \
    TREEPL_CLIENT_SECRET, or with --profile from the keyring.\n\
    Example: treepl-contacts doctor --profile 'My site'")]
pub struct DoctorArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Also probe what writes do (the zones PUT, the reply to a save) on one contact the
    /// doctor creates with a unique email and deletes again, through the change journal.
    #[arg(long)]
    write_probes: bool,
    /// Print the table without saving what was learned to the site's profile.
    #[arg(long)]
    no_save: bool,
}

pub fn run(args: DoctorArgs, config_dir: Option<PathBuf>, data_dir: Option<PathBuf>) -> ExitCode {
    let outcome = tokio::runtime::Runtime::new()
        .context("starting the async runtime")
        .and_then(|runtime| runtime.block_on(check(args, config_dir, data_dir)));
    match outcome {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::from(EXIT_UNDECIDED)
        }
    }
}

async fn check(args: DoctorArgs, config_dir: Option<PathBuf>, data_dir: Option<PathBuf>) -> anyhow::Result<u8> {
    let site = chosen_site(&args.site, config_dir.clone()).await?;
    let client = site.reads()?;
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    eprintln!("Checking {} (read-only requests)…", site.credentials.site_url);
    let (mut probes, mut dialect) = doctor::check_reads(&client, &cancel, |_| {}).await?;
    if args.write_probes {
        let writes = site.writes(data_dir, dialect.clone()).await?;
        eprintln!("Probing writes on a contact the doctor creates and deletes again…");
        probes.extend(doctor::check_writes(&writes, &mut dialect, &cancel, |_| {}).await);
    }
    let report = SiteCheck::new(probes, dialect);
    print!("{}", report.table());
    println!("{}", report.summary());
    if args.no_save {
        return Ok(report.exit_status());
    }
    match (&site.profile, config_dir) {
        (Some(profile), Some(folder)) => {
            let (id, name, status) = (profile.id.clone(), profile.name.clone(), report.exit_status());
            let file = ProfileFile::in_folder(&folder);
            tokio::task::spawn_blocking(move || save(&file, &id, report))
                .await
                .context("saving the result")?
                .with_context(|| format!("saving the result to the profile `{name}`"))?;
            eprintln!("Saved to the profile `{name}`: the app speaks this dialect to the site from now on.");
            Ok(status)
        }
        _ => {
            eprintln!("Not saved: no saved site has this address and Client ID (use --profile to check a saved site).");
            Ok(report.exit_status())
        }
    }
}

/// Stores `report` in the profile `id`, re-reading the file first so that nothing else in
/// it is lost.
fn save(file: &ProfileFile, id: &str, report: SiteCheck) -> anyhow::Result<()> {
    let mut profiles = file.load()?;
    let profile = profiles.iter_mut().find(|p| p.id == id).context("the profile was removed meanwhile")?;
    profile.site_check = Some(report);
    file.save(&profiles)?;
    Ok(())
}
