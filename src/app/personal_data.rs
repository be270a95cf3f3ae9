//! What the app keeps of people on this computer, for how long, and how it is erased. The
//! change journal (`<data>/journal/<site>.sqlite`) holds copies of the contacts it changed,
//! the drafts (`<data>/drafts/<site>/`) hold unsaved edits; both are kept `keep_days` (90 by
//! default), for every site at each start, and one person can be forgotten at any time.
//! Blocking: the app calls these on the blocking pool.

use std::path::{Path, PathBuf};

use super::contact::drafts::DraftFolder;
use super::journal::{Journal, JournalError};

/// The journal files of every site under `data_dir`.
pub fn journal_files(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(data_dir.join("journal")) else { return Vec::new() };
    let files = entries.flatten().map(|e| e.path());
    files.filter(|p| p.extension().is_some_and(|e| e == "sqlite")).collect()
}

/// What a start's retention removed.
#[derive(Debug, Default, PartialEq)]
pub struct Retention {
    pub entries: usize,
    pub drafts: usize,
}

/// Drops journal entries and drafts older than `keep_days`, of every site (open or not).
pub fn apply_retention(data_dir: &Path, keep_days: u32) -> Retention {
    let mut removed = Retention::default();
    for file in journal_files(data_dir) {
        match Journal::open_file(&file).and_then(|journal| journal.prune(keep_days)) {
            Ok(entries) => removed.entries += entries,
            Err(error) => tracing::warn!(file = %file.display(), %error, "retention: a journal could not be pruned"),
        }
    }
    for folder in DraftFolder::every_site(data_dir) {
        removed.drafts += folder.drop_older_than(keep_days);
    }
    removed
}

/// What forgetting a person removed.
#[derive(Debug, Default, PartialEq)]
pub struct Forgot {
    pub entries: usize,
    pub drafts: usize,
}

/// Removes every trace of `email` from a site's journal and drafts.
pub fn forget(journal: &Journal, drafts: &DraftFolder, email: &str) -> Result<Forgot, JournalError> {
    let forgotten = journal.forget(email)?;
    let drafts = drafts.forget(email, &forgotten.contacts);
    tracing::info!(entries = forgotten.entries, drafts, "a person was forgotten");
    Ok(Forgot { entries: forgotten.entries, drafts })
}

/// The journal file of `site_key` under `data_dir` (as [`Journal::open`] names it).
pub fn journal_file(data_dir: &Path, site_key: &str) -> PathBuf {
    data_dir.join("journal").join(format!("{}.sqlite", file_name_of(site_key)))
}

/// A site's key (`sandbox`, a profile's id) made safe as a file or folder name: the journal
/// and the drafts folder of a site are both named by it.
pub fn file_name_of(site_key: &str) -> String {
    site_key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// Removes a site's journal (with its WAL and SHM) and drafts: the site was removed and the
/// user asked for its data to go too.
pub fn erase_site(data_dir: &Path, site_key: &str) -> std::io::Result<()> {
    let journal = journal_file(data_dir, site_key);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = journal.clone().into_os_string();
        name.push(suffix);
        match std::fs::remove_file(PathBuf::from(name)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    DraftFolder::new(data_dir, site_key).remove_all()
}
