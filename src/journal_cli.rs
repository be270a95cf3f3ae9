//! `treepl-contacts journal forget`: a person erased from this computer's change journal and
//! drafts of one site, without the window (the same erasure as the app's "Forget…").

use std::path::Path;

use anyhow::{Context as _, bail};
use clap::Subcommand;
use treepl_contacts::app::contact::drafts::DraftFolder;
use treepl_contacts::app::journal::Journal;
use treepl_contacts::app::personal_data::{forget, journal_file};
use treepl_contacts::app::profiles::ProfileFile;
use treepl_contacts::app::text::plural;

#[derive(clap::Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    command: JournalCommand,
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Remove every trace of a person (by email) from a site's change journal and drafts on
    /// this computer. The contact on the site is not changed. Close the app first.
    Forget {
        /// `sandbox`, or a saved site's name or URL.
        #[arg(long)]
        site: String,
        #[arg(long)]
        email: String,
    },
}

pub fn run(args: JournalArgs, config_dir: &Path, data_dir: &Path) -> anyhow::Result<()> {
    match args.command {
        JournalCommand::Forget { site, email } => {
            let key = site_key(&site, config_dir)?;
            let file = journal_file(data_dir, &key);
            if !file.exists() {
                bail!("There is no change journal for {site} on this computer ({}).", file.display());
            }
            let journal = Journal::open_file(&file).map_err(anyhow::Error::msg)?;
            let forgot = forget(&journal, &DraftFolder::new(data_dir, &key), &email).map_err(anyhow::Error::msg)?;
            let (entries, drafts) = (forgot.entries as u64, forgot.drafts as u64);
            println!(
                "{email} forgotten: {} and {} removed from {}.",
                plural(entries, "journal entry", "journal entries"),
                plural(drafts, "draft", "drafts"),
                file.display()
            );
            Ok(())
        }
    }
}

/// The key a site's files are kept under: the sandbox's, or a saved profile's id.
fn site_key(site: &str, config_dir: &Path) -> anyhow::Result<String> {
    if site.eq_ignore_ascii_case("sandbox") {
        return Ok("sandbox".to_owned());
    }
    let profiles = ProfileFile::in_folder(config_dir).load().context("reading the saved sites")?;
    let wanted = site.trim().trim_end_matches('/');
    let found = profiles.iter().find(|p| p.name == site || p.site_url.trim_end_matches('/') == wanted);
    match found {
        Some(profile) => Ok(profile.id.clone()),
        None => {
            let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "No saved site is called {site}. Saved sites: sandbox{}",
                names.iter().map(|n| format!(", {n}")).collect::<String>()
            )
        }
    }
}
