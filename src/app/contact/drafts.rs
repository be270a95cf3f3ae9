//! Unsaved edits kept on disk, so that a crash or a kill loses nothing: one JSON file per
//! contact in `<data dir>/drafts/<site>/`, written whole (a temporary file renamed over the
//! old one) at most a second after the last change, removed once the edit is saved or
//! discarded. A draft holds the contact as loaded and as edited, never a password.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

/// Why a draft was not written or removed.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    #[error(transparent)]
    File(#[from] std::io::Error),
    /// The blocking task that wrote it stopped.
    #[error(transparent)]
    Stopped(#[from] tokio::task::JoinError),
}

/// The drafts of one site. Blocking: the app calls it on the blocking pool.
#[derive(Clone, Debug)]
pub struct DraftFolder {
    folder: PathBuf,
    order: Arc<InOrder>,
}

/// Draft writes and removals run on the blocking pool, in any order; each takes a ticket when
/// it is asked for, and one that runs after a later ticket of the same contact does nothing.
/// So a save's removal is never undone by a write that was asked for before it.
#[derive(Debug, Default)]
struct InOrder {
    next_ticket: AtomicU64,
    /// The latest ticket carried out, by contact.
    done: Mutex<HashMap<ContactId, u64>>,
}

impl InOrder {
    fn ticket(&self) -> u64 {
        self.next_ticket.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Runs `work` unless a later ticket of `id` already ran.
    fn run(&self, id: ContactId, ticket: u64, work: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
        let mut done = self.done.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if done.get(&id).is_some_and(|latest| *latest > ticket) {
            return Ok(());
        }
        work()?;
        done.insert(id, ticket);
        Ok(())
    }
}

impl DraftFolder {
    /// `site_key`: the sandbox or the profile's id (made safe for a folder name).
    pub fn new(data_dir: &Path, site_key: &str) -> Self {
        let folder = data_dir.join("drafts").join(crate::app::personal_data::file_name_of(site_key));
        Self { folder, order: Arc::default() }
    }

    /// A write to carry out later (on the blocking pool), in the order asked for.
    pub fn write_later(&self, draft: SavedDraft) -> impl FnOnce() -> std::io::Result<()> + Send + 'static {
        let (folder, ticket) = (self.clone(), self.order.ticket());
        move || folder.order.run(draft.draft.id, ticket, || folder.write(&draft))
    }

    /// A removal to carry out later, in the order asked for.
    pub fn remove_later(&self, id: ContactId) -> impl FnOnce() -> std::io::Result<()> + Send + 'static {
        let (folder, ticket) = (self.clone(), self.order.ticket());
        move || folder.order.run(id, ticket, || folder.remove(id))
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

    /// Removes the drafts of `contacts`, and any whose contact has `email`; returns how many.
    pub fn forget(&self, email: &str, contacts: &[ContactId]) -> usize {
        let email = email.trim().to_lowercase();
        let theirs = |d: &SavedDraft| {
            contacts.contains(&d.draft.id)
                || d.draft.email.trim().to_lowercase() == email
                || d.base.email.trim().to_lowercase() == email
        };
        self.list().iter().filter(|d| theirs(d)).filter(|d| self.remove(d.draft.id).is_ok()).count()
    }

    /// Removes the drafts kept longer than `days`; returns how many.
    pub fn drop_older_than(&self, days: u32) -> usize {
        let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
        self.list().iter().filter(|d| d.saved_at < cutoff).filter(|d| self.remove(d.draft.id).is_ok()).count()
    }

    /// Every site's draft folder under `data_dir`.
    pub fn every_site(data_dir: &Path) -> Vec<Self> {
        let Ok(entries) = std::fs::read_dir(data_dir.join("drafts")) else { return Vec::new() };
        let folders = entries.flatten().filter(|e| e.path().is_dir());
        folders.map(|e| Self { folder: e.path(), order: Arc::default() }).collect()
    }

    /// Removes the whole folder (a site removed with its data).
    pub fn remove_all(&self) -> std::io::Result<()> {
        match std::fs::remove_dir_all(&self.folder) {
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

/// What a draft kept from last time comes to, next to the site's copy.
pub enum Checked {
    /// Still unsaved: offered, rebased on the site's copy.
    Offer(Box<SavedDraft>),
    /// Nothing left to save (the site holds every change, or the contact is gone): removed.
    Settled(ContactId),
}

/// Compares a draft with the site's current copy. The draft becomes the site's copy with the
/// user's changes on top, so that a field the site already has as the user left it is not
/// marked unsaved, and a change made on the site meanwhile is not undone by the draft.
pub async fn against_site(saved: SavedDraft, client: Option<&crate::api::ReadClient>) -> Checked {
    let id = saved.draft.id;
    let Some(client) = client.filter(|_| id != super::NEW) else { return Checked::Offer(Box::new(saved)) };
    match client.get_contact(id).await {
        Ok(site) => {
            let draft = super::save::merge(&saved.base, &site, &saved.draft, &Default::default());
            if super::save::changed_fields(&site, &draft).is_empty() {
                tracing::info!(contact = id, "a draft from last time was saved after all; removed");
                return Checked::Settled(id);
            }
            Checked::Offer(Box::new(SavedDraft { base: site, draft, saved_at: saved.saved_at }))
        }
        Err(crate::api::ApiError::NotFound { .. }) => {
            tracing::info!(contact = id, "a draft's contact is gone from the site; draft removed");
            Checked::Settled(id)
        }
        // Not known now: offered as it was, and checked again when saved.
        Err(_) => Checked::Offer(Box::new(saved)),
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

    #[test]
    fn a_write_asked_for_before_a_removal_never_lands_after_it() {
        let folder = tempfile::tempdir().unwrap();
        let drafts = DraftFolder::new(folder.path(), "sandbox");
        let base = Contact { id: 7, email: "a@example.com".into(), ..Contact::default() };
        let draft = Contact { first_name: Some("Ann".into()), ..base.clone() };
        let write = drafts.write_later(SavedDraft { base, draft, saved_at: chrono::Utc::now() });
        let remove = drafts.remove_later(7);
        // The pool ran them the other way round.
        remove().unwrap();
        write().unwrap();
        assert!(drafts.list().is_empty(), "the save's removal stands");
    }
}
