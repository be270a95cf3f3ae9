//! The contact editor, as a feature: the contact in the detail pane (loaded by the pane's
//! own promise), the user's copy beside the copy as loaded, what the UI may ask of it
//! ([`EditorCommand`]), and what a save hands back ([`EditorResult`]). A save never
//! overwrites a change made on the site meanwhile (`save`), and a failed one keeps the edit.

pub mod drafts;
pub mod save;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use poll_promise::Promise;

use crate::api::{ApiError, Contact, ContactId};

use super::effects::{Effects, Feature, TaskResult};
use super::grid::Grid;
use super::journal::Context;
use super::notifications::Level;
use super::text::contact_name;
use drafts::{DraftError, DraftFolder, SavedDraft};
use save::{FieldConflict, SaveOutcome, changed_fields, conflicts, field_json, merge, save_contact, with_field_from};

/// What the pane may ask for.
#[derive(Debug)]
pub enum EditorCommand {
    /// Show this contact (the one under the grid's cursor). With unsaved changes, ask first.
    Show(ContactId),
    Save,
    /// Puts every field back as it was loaded.
    RevertAll,
    /// Puts one field back (`City`, `CustomCrmGroups.<group>.<field>`).
    Revert(String),
    /// Answers the three-way view after a conflict.
    Resolve(Resolution),
    /// Answers "save, discard or cancel" before leaving a contact with unsaved changes.
    Leave(LeaveAnswer),
    /// An empty editor for a new contact.
    New,
    /// Drops the new contact being typed (and its draft).
    CancelNew,
    /// Opens a draft kept from last time in the pane.
    RestoreDraft(ContactId),
    /// Drops a draft kept from last time.
    DiscardDraft(ContactId),
    /// Closes the offer of last time's drafts (they stay on disk for the next start).
    LaterDrafts,
    /// Undoes a save of the journal's `entry`: the contact opens with what the save wrote as
    /// its base and what it replaced as the edit, and saves, so that the editor's conflict
    /// check applies (changed on the site since: the three-way view).
    Undo {
        entry: i64,
        wrote: Box<Contact>,
        put_back: Box<Contact>,
    },
}

/// How long after the last change a draft is written.
pub const DRAFT_DELAY: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Drop the edit and take the site's copy.
    TakeTheirs,
    /// Save the edit over the site's copy, keeping theirs in the fields marked so.
    Merge,
}

/// Where the user goes from a contact with unsaved changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaving {
    ToContact(ContactId),
    ToNewContact,
    /// Another site (the app switches once the editor lets go).
    ToSite(super::command::Target),
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveAnswer {
    Save,
    Discard,
    Cancel,
}

/// What the editor's background work hands back.
pub enum EditorResult {
    Saved {
        id: ContactId,
        sent: Box<Contact>,
        outcome: SaveOutcome,
    },
    /// The drafts kept for the site just opened.
    DraftsFound(Vec<SavedDraft>),
    /// A draft was written or removed, or why it could not be.
    DraftKept(Result<(), DraftError>),
}

/// The site changed the contact since it was loaded: the fields to decide on.
pub struct Conflict {
    pub theirs: Contact,
    pub fields: Vec<FieldConflict>,
    /// The conflicting fields where the site's value is kept.
    pub keep_theirs: BTreeSet<String>,
}

/// A save that did not go through, for the pane's banner.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveFailure {
    /// What went wrong; without the field messages, which show at their fields.
    pub message: String,
    /// Whether saving the same edit again can help: not when the site refused the data
    /// itself (400, 409), only when the trouble was on the way (network, busy site).
    pub retry_helps: bool,
    /// The edit as it was when the save failed: a new edit takes the banner away.
    failed_edit: Contact,
}

impl SaveFailure {
    fn new(error: &ApiError, failed_edit: Contact) -> Self {
        let refused = matches!(error, ApiError::Validation { .. } | ApiError::Conflict { .. });
        let message = if refused && !error.field_errors().is_empty() {
            let fields = error.field_errors().len();
            let marked = if fields == 1 { "the marked field" } else { "the marked fields" };
            format!("the site refused {marked}. Change it and save again.")
        } else {
            error.to_string()
        };
        Self { message, retry_helps: !refused, failed_edit }
    }
}

/// The contact in the pane.
pub struct OpenContact {
    pub id: ContactId,
    /// The fresh copy, while it loads.
    loading: Option<Promise<Result<Contact, ApiError>>>,
    /// As loaded (or as last saved).
    pub base: Option<Contact>,
    /// The user's copy: equal to `base` until the user changes something.
    pub draft: Option<Contact>,
    pub load_error: Option<String>,
    pub saving: bool,
    pub conflict: Option<Conflict>,
    /// Why the last save failed: shown until the edit changes, is reverted, or saves.
    pub save_error: Option<SaveFailure>,
    /// What the site said about single fields (400, 409), with the value it said it of:
    /// shown until that field changes.
    pub site_field_errors: BTreeMap<String, (String, serde_json::Value)>,
    /// The copy as loaded and the draft as last seen, whether they differed, and when they
    /// last changed (drafts are written after a pause).
    seen: Option<(Contact, Contact)>,
    seen_dirty: bool,
    changed_at: Instant,
    /// What is on disk for this contact.
    written: Option<Contact>,
    /// A new contact's first password (optional); never in a draft, wiped once created.
    pub first_password: crate::app::secret_text::SecretText,
    /// The journal entry the next save undoes.
    undo_of: Option<i64>,
}

impl OpenContact {
    fn new(id: ContactId, loading: Option<Promise<Result<Contact, ApiError>>>) -> Self {
        Self {
            id,
            loading,
            base: None,
            draft: None,
            load_error: None,
            saving: false,
            conflict: None,
            save_error: None,
            site_field_errors: BTreeMap::new(),
            seen: None,
            seen_dirty: false,
            changed_at: Instant::now(),
            written: None,
            first_password: Default::default(),
            undo_of: None,
        }
    }

    /// A contact not on the site yet.
    pub fn is_new(&self) -> bool {
        self.id == NEW
    }
}

/// The id of a contact being created.
pub const NEW: ContactId = 0;

impl OpenContact {
    /// Takes the loaded copy in once its promise has resolved. Called while drawing.
    pub fn poll(&mut self) {
        let Some(ready) = self.loading.as_ref().and_then(Promise::ready) else { return };
        match ready {
            Ok(contact) => {
                tracing::info!(contact = contact.id, "contact open in the editor");
                self.base = Some(contact.clone());
                self.draft = Some(contact.clone());
                self.load_error = None;
            }
            Err(error) => self.load_error = Some(error.to_string()),
        }
        self.loading = None;
    }

    /// Takes the save failure's banner away once the edit is no longer the one that failed
    /// (a new edit, Revert or Revert all).
    pub fn forget_outdated_failure(&mut self) {
        if self.save_error.as_ref().is_some_and(|failure| self.draft.as_ref() != Some(&failure.failed_edit)) {
            self.save_error = None;
        }
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// The fields the user changed.
    pub fn changed(&self) -> BTreeSet<String> {
        match (&self.base, &self.draft) {
            (Some(base), Some(draft)) => changed_fields(base, draft),
            _ => BTreeSet::new(),
        }
    }

    pub fn is_dirty(&self) -> bool {
        !self.changed().is_empty()
    }

    /// What stops a save, by field: the checks as typed, then what the site said of a value
    /// that is still there.
    pub fn problems(&self) -> BTreeMap<String, String> {
        let Some(draft) = &self.draft else { return BTreeMap::new() };
        let mut found = validate::problems(draft);
        if self.is_new()
            && let Some(problem) = validate::password_problem(egui::TextBuffer::as_str(&self.first_password))
        {
            found.insert("Password".to_owned(), problem);
        }
        for (field, (message, said_of)) in &self.site_field_errors {
            if field_json(draft, field) == *said_of {
                found.entry(field.clone()).or_insert_with(|| message.clone());
            }
        }
        found
    }

    /// Whether Save can be pressed now.
    pub fn can_save(&self) -> bool {
        self.edit_state().can_save
    }

    /// The changed fields, the problems and whether Save can be pressed, worked out once
    /// (each compares the edit with the copy as loaded: a frame asks for it once).
    pub fn edit_state(&self) -> EditState {
        let changed = self.changed();
        let problems = self.problems();
        let can_save = !self.saving && self.conflict.is_none() && !changed.is_empty() && problems.is_empty();
        EditState { changed, problems, can_save }
    }
}

/// What a frame of the pane shows of the edit.
pub struct EditState {
    pub changed: BTreeSet<String>,
    pub problems: BTreeMap<String, String>,
    pub can_save: bool,
}

/// The detail pane's editor.
#[derive(Default)]
pub struct Editor {
    pub open: Option<OpenContact>,
    /// Where the user is going once they have answered about the unsaved changes.
    pub leaving_for: Option<Leaving>,
    /// Where this site's drafts are kept.
    drafts: Option<DraftFolder>,
    /// Drafts kept from last time, offered back until the user answers.
    pub offered: Vec<SavedDraft>,
}

impl Feature for Editor {
    /// The pane shows nothing of the old site (the user has answered about unsaved changes
    /// before the switch); the new site's drafts come with [`Editor::open_site`].
    fn on_site_closed(&mut self) {
        *self = Self::default();
    }
}

impl Editor {
    pub fn is_dirty(&self) -> bool {
        self.open.as_ref().is_some_and(OpenContact::is_dirty)
    }

    /// Carries out `command`; returns where the app may go now that the editor let go of
    /// unsaved changes (another site, or quitting).
    pub fn execute(&mut self, command: EditorCommand, fx: &mut Effects) -> Option<Leaving> {
        if let EditorCommand::Leave(answer) = command {
            return self.leave(answer, fx);
        }
        match command {
            EditorCommand::Show(id) => self.show(id, fx),
            EditorCommand::Save => self.save(fx),
            EditorCommand::RevertAll => {
                if let Some(open) = self.open.as_mut() {
                    open.draft.clone_from(&open.base);
                }
            }
            EditorCommand::Revert(field) => {
                if let Some(open) = self.open.as_mut()
                    && let (Some(base), Some(draft)) = (&open.base, &open.draft)
                {
                    open.draft = Some(with_field_from(draft, base, &field));
                }
            }
            EditorCommand::Resolve(resolution) => self.resolve(resolution, fx),
            EditorCommand::Leave(_) => {}
            EditorCommand::New => {
                if self.may_leave(Leaving::ToNewContact) {
                    self.new_contact();
                }
            }
            EditorCommand::CancelNew => {
                if self.open.as_ref().is_some_and(OpenContact::is_new) {
                    self.open = None;
                    self.remove_draft(NEW, fx);
                }
            }
            EditorCommand::RestoreDraft(id) => self.restore(id, fx),
            EditorCommand::DiscardDraft(id) => {
                self.offered.retain(|d| d.draft.id != id);
                self.remove_draft(id, fx);
            }
            EditorCommand::LaterDrafts => self.offered.clear(),
            EditorCommand::Undo { entry, wrote, put_back } => self.undo(entry, *wrote, *put_back, fx),
        }
        None
    }

    fn new_contact(&mut self) {
        let mut open = OpenContact::new(NEW, None);
        open.base = Some(Contact::default());
        open.draft = Some(Contact::default());
        self.open = Some(open);
    }

    /// Closes the pane's contact without asking (discarded, or being deleted), dropping its draft.
    pub fn close(&mut self, fx: &mut Effects) {
        if let Some(open) = self.open.take()
            && open.written.is_some()
        {
            self.remove_draft(open.id, fx);
        }
    }

    /// Asks before going `to` when there are unsaved changes; `true` when the way is free.
    /// The email of the contact being edited with unsaved changes (its draft), if any.
    pub fn unsaved_email(&self) -> Option<&str> {
        let open = self.open.as_ref().filter(|open| open.is_dirty())?;
        open.draft.as_ref().map(|draft| draft.email.as_str())
    }

    pub fn may_leave(&mut self, to: Leaving) -> bool {
        if !self.is_dirty() {
            return true;
        }
        self.leaving_for = Some(to);
        false
    }

    /// The site opened: its drafts are looked for in the background, and each is compared
    /// with the site's copy: a draft the site already holds (saved after all) or of a contact
    /// gone from the site is removed; the others are offered on top of the site's copy.
    pub fn open_site(&mut self, folder: DraftFolder, fx: &mut Effects) {
        self.drafts = Some(folder.clone());
        let connection = fx.connection;
        let client = fx.client.clone();
        fx.tasks.spawn("Looking for unsaved changes", async move {
            let listing = folder.clone();
            let found = tokio::task::spawn_blocking(move || listing.list()).await.unwrap_or_default();
            let mut offered = Vec::new();
            for saved in found {
                match drafts::against_site(saved, client.as_ref()).await {
                    drafts::Checked::Offer(saved) => offered.push(*saved),
                    drafts::Checked::Settled(id) => {
                        let remove = folder.remove_later(id);
                        if let Ok(Err(error)) = tokio::task::spawn_blocking(remove).await {
                            tracing::warn!(%error, "a settled draft could not be removed");
                        }
                    }
                }
            }
            TaskResult::for_site(connection, EditorResult::DraftsFound(offered))
        });
    }

    fn undo(&mut self, entry: i64, wrote: Contact, put_back: Contact, fx: &mut Effects) {
        if self.is_dirty() {
            fx.notifications.push(Level::Info, "Unsaved changes", "Save or revert the contact in the pane first.");
            return;
        }
        let mut open = OpenContact::new(wrote.id, None);
        open.base = Some(wrote);
        open.draft = Some(put_back);
        open.undo_of = Some(entry);
        self.open = Some(open);
        self.save(fx);
    }

    fn restore(&mut self, id: ContactId, fx: &mut Effects) {
        let Some(at) = self.offered.iter().position(|d| d.draft.id == id) else { return };
        if self.is_dirty() {
            fx.notifications.push(Level::Info, "Unsaved changes", "Save or revert the contact in the pane first.");
            return;
        }
        let saved = self.offered.remove(at);
        let mut open = OpenContact::new(id, None);
        open.written = Some(saved.draft.clone());
        open.base = Some(saved.base);
        open.draft = Some(saved.draft);
        self.open = Some(open);
    }

    /// Keeps the open contact's draft on disk (written a second after the last change,
    /// removed once the edit is saved or reverted). Returns when to look again.
    pub fn keep_draft(&mut self, fx: &mut Effects, now: Instant) -> Option<Duration> {
        let folder = self.drafts.clone()?;
        // A new contact's draft is kept under id 0 (there is one at a time); its password never.
        let open = self.open.as_mut()?;
        let (Some(base), Some(draft)) = (&open.base, &open.draft) else { return None };
        // The edit is compared with the copy as loaded only when either changed.
        if open.seen.as_ref().is_none_or(|(b, d)| b != base || d != draft) {
            open.seen = Some((base.clone(), draft.clone()));
            open.seen_dirty = !changed_fields(base, draft).is_empty();
            open.changed_at = now;
        }
        let wanted = open.seen_dirty.then_some(draft);
        if open.written.as_ref() == wanted {
            return None;
        }
        let due = open.changed_at + DRAFT_DELAY;
        if now < due {
            return Some(due - now);
        }
        let connection = fx.connection;
        let work: Box<dyn FnOnce() -> std::io::Result<()> + Send> = match wanted {
            Some(draft) => {
                let saved = SavedDraft { base: base.clone(), draft: draft.clone(), saved_at: chrono::Utc::now() };
                Box::new(folder.write_later(saved))
            }
            None => Box::new(folder.remove_later(open.id)),
        };
        open.written = wanted.cloned();
        fx.tasks.spawn_unlisted(tokio_util::sync::CancellationToken::new(), async move {
            let kept = match tokio::task::spawn_blocking(work).await {
                Ok(result) => result.map_err(DraftError::File),
                Err(stopped) => Err(DraftError::Stopped(stopped)),
            };
            TaskResult::for_site(connection, EditorResult::DraftKept(kept))
        });
        None
    }

    fn remove_draft(&mut self, id: ContactId, fx: &mut Effects) {
        remove_draft(self.drafts.as_ref(), id, fx);
    }

    /// Loads the pane's contact again when the site may have changed it behind the editor
    /// (a bulk edit, an undo), unless the user has unsaved changes in it.
    pub fn reload_if_unchanged(&mut self, fx: &mut Effects) {
        let Some(open) = self.open.as_ref().filter(|o| !o.is_new() && !o.is_dirty() && !o.saving) else { return };
        let Some(client) = fx.client.clone() else { return };
        let id = open.id;
        let loading = fx.tasks.promise(async move { client.get_contact(id).await });
        let mut reloaded = OpenContact::new(id, Some(loading));
        // The copy as it was stays on screen until the new one is in.
        reloaded.base.clone_from(&open.base);
        reloaded.draft.clone_from(&open.draft);
        self.open = Some(reloaded);
    }

    /// Shows `id` in the pane, loading its fresh copy; with unsaved changes, asks first.
    fn show(&mut self, id: ContactId, fx: &mut Effects) {
        if self.open.as_ref().is_some_and(|open| open.id == id) {
            return;
        }
        if !self.may_leave(Leaving::ToContact(id)) {
            return;
        }
        let Some(client) = fx.client.clone() else { return };
        let loading = fx.tasks.promise(async move { client.get_contact(id).await });
        self.open = Some(OpenContact::new(id, Some(loading)));
    }

    fn save(&mut self, fx: &mut Effects) {
        let Some(open) = self.open.as_mut().filter(|open| open.can_save()) else { return };
        let (Some(base), Some(draft)) = (open.base.clone(), open.draft.clone()) else { return };
        start_save(open, base, draft, fx);
    }

    fn resolve(&mut self, resolution: Resolution, fx: &mut Effects) {
        let Some(open) = self.open.as_mut() else { return };
        let Some(conflict) = open.conflict.take() else { return };
        match resolution {
            Resolution::TakeTheirs => {
                open.base = Some(conflict.theirs.clone());
                open.draft = Some(conflict.theirs);
            }
            Resolution::Merge => {
                let (Some(base), Some(draft)) = (open.base.clone(), open.draft.clone()) else { return };
                let merged = merge(&base, &conflict.theirs, &draft, &conflict.keep_theirs);
                // Saved against their copy: what the site has now.
                open.base = Some(conflict.theirs.clone());
                open.draft = Some(merged.clone());
                start_save(open, conflict.theirs, merged, fx);
            }
        }
    }

    fn leave(&mut self, answer: LeaveAnswer, fx: &mut Effects) -> Option<Leaving> {
        let target = self.leaving_for.take()?;
        match answer {
            LeaveAnswer::Cancel => None,
            LeaveAnswer::Discard => {
                self.close(fx);
                self.go(target, fx)
            }
            LeaveAnswer::Save => {
                // The save goes ahead; the way is free once it is written.
                self.save(fx);
                self.leaving_for = Some(target);
                None
            }
        }
    }

    /// Goes where the user was going: another contact here, or back to the app.
    fn go(&mut self, target: Leaving, fx: &mut Effects) -> Option<Leaving> {
        match target {
            Leaving::ToContact(id) => {
                self.show(id, fx);
                None
            }
            Leaving::ToNewContact => {
                self.new_contact();
                None
            }
            other => Some(other),
        }
    }

    /// A save ended: the pane and the grid's row take the saved copy, or the edit stays with
    /// the reason (and the three-way view after a conflict).
    /// Folds a result in; returns where the app may go now (a save asked for on the way out
    /// has been written).
    pub fn fold(&mut self, result: EditorResult, fx: &mut Effects, grid: &mut Grid) -> Option<Leaving> {
        let (id, sent, outcome) = match result {
            EditorResult::Saved { id, sent, outcome } => (id, sent, outcome),
            EditorResult::DraftsFound(found) => {
                if !found.is_empty() {
                    tracing::info!(drafts = found.len(), "unsaved changes from last time offered");
                }
                self.offered = found;
                return None;
            }
            EditorResult::DraftKept(kept) => {
                if let Err(error) = kept {
                    fx.notifications.error("Unsaved changes could not be kept on disk", error.to_string());
                }
                return None;
            }
        };
        let open = self.open.as_mut().filter(|open| open.id == id)?;
        open.saving = false;
        match outcome {
            SaveOutcome::Saved(saved) if open.is_new() => {
                // Created: the pane goes on with it, and the grid shows and selects it.
                let name = contact_name(&saved);
                let kept_as_new = open.written.take().is_some();
                open.id = saved.id;
                open.first_password = Default::default();
                open.base = Some((*saved).clone());
                open.draft = Some(*saved);
                open.save_error = None;
                open.site_field_errors.clear();
                grid.select_contact(open.id);
                fx.notifications.push(Level::Success, "Contact created", format!("{name} was created."));
                if kept_as_new {
                    self.remove_draft(NEW, fx);
                }
                if let Some(target) = self.leaving_for.take() {
                    return self.go(target, fx);
                }
            }
            SaveOutcome::Saved(saved) => {
                grid.replace_loaded(&saved);
                // Edits made while the save ran stay in the draft.
                let untouched_since = open.draft.as_ref().is_some_and(|draft| changed_fields(&sent, draft).is_empty());
                if untouched_since {
                    open.draft = Some((*saved).clone());
                    // Saved: the draft on disk (or one still being written) goes.
                    open.written = None;
                    open.seen = None;
                    remove_draft(self.drafts.as_ref(), id, fx);
                }
                let name = contact_name(&saved);
                open.base = Some(*saved);
                open.save_error = None;
                open.site_field_errors.clear();
                fx.notifications.push(Level::Success, "Saved", format!("{name} was saved."));
                if let Some(target) = self.leaving_for.take() {
                    self.open = None;
                    return self.go(target, fx);
                }
            }
            SaveOutcome::Conflict { theirs } => {
                let (Some(base), Some(draft)) = (&open.base, &open.draft) else { return None };
                let fields = conflicts(base, &theirs, draft);
                open.conflict = Some(Conflict { theirs: *theirs, fields, keep_theirs: BTreeSet::new() });
                self.leaving_for = None;
            }
            SaveOutcome::Failed(error) => {
                let said =
                    |f: &crate::api::FieldError| (f.field.clone(), (f.message.clone(), field_json(&sent, &f.field)));
                open.site_field_errors = error.field_errors().iter().map(said).collect();
                open.save_error = Some(SaveFailure::new(&error, (*sent).clone()));
                self.leaving_for = None;
            }
        }
        None
    }
}

/// Removes a contact's draft on the blocking pool, after any write of it asked for before.
fn remove_draft(drafts: Option<&DraftFolder>, id: ContactId, fx: &mut Effects) {
    let Some(folder) = drafts else { return };
    let remove = folder.remove_later(id);
    fx.tasks.runtime().spawn_blocking(move || {
        if let Err(error) = remove() {
            tracing::warn!(%error, "a draft could not be removed");
        }
    });
}

fn start_save(open: &mut OpenContact, base: Contact, draft: Contact, fx: &mut Effects) {
    let Some(writes) = fx.writes.clone() else {
        let error = ApiError::InvalidSite("Not connected to a site.".to_owned());
        open.save_error = Some(SaveFailure::new(&error, draft));
        return;
    };
    open.saving = true;
    open.save_error = None;
    let (id, connection) = (open.id, fx.connection);
    let name = contact_name(&draft);
    let password = (open.is_new() && !open.first_password.is_empty()).then(|| open.first_password.secret().clone());
    let context = Context { undo_of: open.undo_of.take(), batch: None };
    fx.tasks.spawn(format!("Saving {name}"), async move {
        let outcome = if id == NEW {
            save::create_contact(&writes, &draft, password.as_ref()).await
        } else {
            save_contact(&writes, &base, &draft, context).await
        };
        TaskResult::for_site(connection, EditorResult::Saved { id, sent: Box::new(draft), outcome })
    });
}
