//! Unsaved edits kept on disk, so that a crash or a kill loses nothing: one JSON file per
//! contact in `<data dir>/drafts/<site>/`, written whole (a temporary file renamed over the
//! old one) at most a second after the last change, removed once the edit is saved or
//! discarded. A draft holds the contact as loaded and as edited, never a password.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::{Contact, ContactId};

/// One contact's unsaved edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDraft {
    /// The contact as it was loaded: a later save checks the site against it.
    pub base: Contact,
    pub draft: Contact,
    pub saved_at: chrono::DateTime<chrono::Utc>,
}

/// The drafts of one site. Blocking: the app calls it on the blocking pool.
#[derive(Clone, Debug)]
pub struct DraftFolder {
    folder: PathBuf,
}

impl DraftFolder {
    /// `site_key`: the sandbox or the profile's id (made safe for a folder name).
    pub fn new(data_dir: &Path, site_key: &str) -> Self {
        let safe: String =
            site_key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        Self { folder: data_dir.join("drafts").join(safe) }
    }

    fn path(&self, id: ContactId) -> PathBuf {
        self.folder.join(format!("{id}.json"))
    }

    pub fn write(&self, draft: &SavedDraft) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.folder)?;
        let text = serde_json::to_vec_pretty(draft).map_err(std::io::Error::other)?;
        let mut file = crate::export::AtomicFile::create(&self.path(draft.draft.id))?;
        file.file_mut().write_all(&text)?;
        file.commit()
    }

    /// Removing what is not there is not an error.
    pub fn remove(&self, id: ContactId) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(id)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Every draft kept, newest first; a file that cannot be read is skipped (and left).
    pub fn list(&self) -> Vec<SavedDraft> {
        let Ok(entries) = std::fs::read_dir(&self.folder) else { return Vec::new() };
        let mut drafts: Vec<SavedDraft> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "json"))
            .filter_map(|entry| {
                let read = std::fs::read(entry.path()).ok()?;
                let parsed = serde_json::from_slice(&read);
                if let Err(error) = &parsed {
                    tracing::warn!(path = %entry.path().display(), %error, "a draft file could not be read");
                }
                parsed.ok()
            })
            .collect();
        drafts.sort_by_key(|d| std::cmp::Reverse(d.saved_at));
        drafts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_kept_per_site_read_back_and_removed() {
        let folder = tempfile::tempdir().unwrap();
        let sandbox = DraftFolder::new(folder.path(), "sandbox");
        let other = DraftFolder::new(folder.path(), "site-1/../x");
        let base = Contact { id: 7, email: "a@example.com".into(), ..Contact::default() };
        let draft = Contact { first_name: Some("Ann".into()), ..base.clone() };
        let saved = SavedDraft { base, draft, saved_at: chrono::Utc::now() };
        sandbox.write(&saved).unwrap();
        assert_eq!(sandbox.list(), vec![saved.clone()]);
        assert!(other.list().is_empty(), "another site's drafts are apart");
        std::fs::write(folder.path().join("drafts/sandbox/8.json"), "{ broken").unwrap();
        assert_eq!(sandbox.list().len(), 1, "a damaged file is skipped");
        sandbox.remove(7).unwrap();
        sandbox.remove(7).unwrap();
        assert!(sandbox.list().is_empty());
    }
}
