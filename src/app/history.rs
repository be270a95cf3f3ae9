//! The History panel, as a feature: the journal's entries newest first (narrowed by contact,
//! operation or name), the one picked with its field-by-field diff, its Undo, and the export
//! of the whole journal as JSON lines. Reading the journal happens off the UI thread.

use std::path::PathBuf;

use poll_promise::Promise;

use crate::api::ContactId;

use super::contact::EditorCommand;
use super::effects::{Effects, Feature, TaskResult};
use super::journal::undo::{UndoReport, Undone, undo_batch, undo_entry};
use super::journal::{BatchSummary, Entry, Filter, HistoryItem, Journal, JournalError, JournalResult, Operation};
use super::notifications::Level;

/// Entries read at a time (the newest; narrowing finds older ones).
pub const SHOWN: u32 = 500;
/// How far back Edit > Undo looks for a change it can undo.
const LAST_LOOKED_AT: u32 = 50;

/// What the UI may ask of the History panel.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryCommand {
    /// Shows the panel (narrowed to one contact, or not), or hides it.
    Show(Option<ContactId>),
    Hide,
    /// Reads the entries again (the filter changed, or F5).
    Reload,
    /// Undoes one write (of a bulk operation too: that contact's part of it).
    Undo(Box<Entry>),
    /// Undoes every write of a bulk operation, as one step.
    UndoBatch(i64),
    /// Undoes the newest change that can be undone (Edit > Undo, Ctrl+Z).
    UndoLast,
    /// Writes every entry, oldest first, to a JSON lines file.
    Export(PathBuf),
    /// Picks a line of the list: one write, or a bulk operation (which opens to its writes).
    Pick(Picked),
    /// Picks one write of the open bulk operation.
    PickMember(i64),
    /// Finds an entry by id wherever it is (alone, or in a bulk operation) and picks it: the
    /// link from an undone entry to its undo.
    Reveal(i64),
}

/// A line of the History list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picked {
    Entry(i64),
    Batch(i64),
}

/// A bulk operation opened in the panel: its writes, one per contact.
#[derive(Default)]
pub struct OpenBatch {
    pub id: i64,
    /// `None` until read.
    pub members: Option<Vec<Entry>>,
    /// The write whose changes show.
    pub selected: Option<i64>,
    loading: Option<Promise<JournalResult<Vec<Entry>>>>,
}

impl OpenBatch {
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.members.as_ref()?.iter().find(|e| Some(e.id) == self.selected)
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }
}

/// What a history task hands back.
pub enum HistoryResult {
    Undone(UndoReport),
    Exported(Result<(PathBuf, u64), JournalExportError>),
}

/// Why the change journal was not exported (no partial file is left).
#[derive(Debug, thiserror::Error)]
pub enum JournalExportError {
    /// The file could not be made or written.
    #[error(transparent)]
    File(#[from] std::io::Error),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

#[derive(Default)]
pub struct HistoryPanel {
    pub open: bool,
    pub filter: Filter,
    /// The list: single writes and bulk operations, newest first.
    pub items: Vec<HistoryItem>,
    pub error: Option<String>,
    /// The line whose details show.
    pub picked: Option<Picked>,
    /// The picked bulk operation, with its writes.
    pub batch: Option<OpenBatch>,
    loading: Option<Promise<JournalResult<Vec<HistoryItem>>>>,
    revealing: Option<Promise<JournalResult<Option<Entry>>>>,
    stale: bool,
    /// An undo is running (one at a time).
    pub undoing: bool,
    /// The newest change that Edit > Undo (Ctrl+Z) would undo, read whether or not the
    /// panel is open.
    pub last_change: Option<HistoryItem>,
    last_loading: Option<Promise<JournalResult<Option<HistoryItem>>>>,
    last_stale: bool,
}

impl Feature for HistoryPanel {
    /// Nothing of the old site's journal stays listed, and an undo running on it is no
    /// longer this panel's (its result will be dropped): the panel reads the new site's
    /// journal once it opens ([`HistoryPanel::site_opened`]).
    fn on_site_closed(&mut self) {
        *self = Self { open: self.open, ..Self::default() };
    }
}

impl HistoryPanel {
    /// The single write picked (not a bulk operation's: see [`OpenBatch::selected_entry`]).
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.items.iter().find_map(|item| match item {
            HistoryItem::Entry(entry) if self.picked == Some(Picked::Entry(entry.id)) => Some(entry),
            _ => None,
        })
    }

    /// The bulk operation picked, as listed.
    pub fn selected_batch(&self) -> Option<&BatchSummary> {
        self.items.iter().find_map(|item| match item {
            HistoryItem::Batch(batch) if self.picked == Some(Picked::Batch(batch.id)) => Some(batch),
            _ => None,
        })
    }

    /// Reading the list (after a change, the Undo buttons wait for it).
    pub fn is_loading(&self) -> bool {
        self.loading.is_some() || self.batch.as_ref().is_some_and(OpenBatch::is_loading)
    }

    fn pick(&mut self, picked: Picked, member: Option<i64>) {
        self.picked = Some(picked);
        self.batch = match picked {
            Picked::Batch(id) => Some(OpenBatch { id, selected: member, ..OpenBatch::default() }),
            Picked::Entry(_) => None,
        };
        self.stale = true;
    }

    /// Read again at the next chance (a write was made, the site changed).
    pub fn mark_stale(&mut self) {
        self.stale = true;
        self.last_stale = true;
    }

    /// Another site opened: nothing of the last one's journal stays.
    pub fn site_opened(&mut self) {
        *self = Self { open: self.open, stale: true, last_stale: true, ..Self::default() };
    }

    /// Undoes the newest change (Edit > Undo); returns the editor's part for a save.
    pub fn undo_last(&mut self, fx: &mut Effects) -> Option<EditorCommand> {
        match self.last_change.clone().filter(HistoryItem::can_undo)? {
            HistoryItem::Entry(entry) => self.undo(entry, fx),
            HistoryItem::Batch(batch) => {
                self.undo_batch(batch.id, fx);
                None
            }
        }
    }

    /// Carries out `command`; an undo of a save goes to the editor (returned), where its
    /// conflict check applies.
    pub fn execute(&mut self, command: HistoryCommand, fx: &mut Effects) -> Option<EditorCommand> {
        match command {
            HistoryCommand::Show(contact) => {
                self.open = true;
                self.filter.contact = contact;
                self.stale = true;
            }
            HistoryCommand::Hide => self.open = false,
            HistoryCommand::Reload => self.stale = true,
            HistoryCommand::Undo(entry) => return self.undo(*entry, fx),
            HistoryCommand::UndoBatch(batch) => self.undo_batch(batch, fx),
            HistoryCommand::UndoLast => return self.undo_last(fx),
            HistoryCommand::Export(path) => self.export(path, fx),
            HistoryCommand::Pick(picked) => self.pick(picked, None),
            HistoryCommand::PickMember(id) => {
                if let Some(batch) = self.batch.as_mut() {
                    batch.selected = Some(id);
                }
            }
            HistoryCommand::Reveal(id) => {
                self.open = true;
                let journal = fx.writes.as_ref().and_then(|w| w.journal().cloned())?;
                self.revealing = Some(fx.tasks.promise(async move { journal.off_thread(move |j| j.entry(id)).await }));
            }
        }
        None
    }

    fn undo(&mut self, entry: Entry, fx: &mut Effects) -> Option<EditorCommand> {
        let writes = fx.writes.clone()?;
        if self.undoing {
            fx.notifications.push(Level::Info, "Undo running", "Wait for the undo in progress to finish.");
            return None;
        }
        let connection = fx.connection;
        if entry.operation == Operation::Save {
            let (before, after) = (entry.before.clone()?, entry.after.clone()?);
            let (before, after) = (serde_json::from_value(before).ok()?, serde_json::from_value(after).ok()?);
            return Some(EditorCommand::Undo { entry: entry.id, wrote: Box::new(after), put_back: Box::new(before) });
        }
        self.undoing = true;
        fx.tasks.spawn(format!("Undoing: {} {}", entry.operation.title(), entry.label), async move {
            let undone = undo_entry(&writes, &entry, None).await;
            let title = format!("Undo: {} {}", entry.operation.title().to_lowercase(), entry.label);
            let report = UndoReport { title, lines: vec![(entry.label.clone(), undone)], cancelled: false };
            TaskResult::for_site(connection, HistoryResult::Undone(report))
        });
        None
    }

    fn undo_batch(&mut self, batch: i64, fx: &mut Effects) {
        let Some(writes) = fx.writes.clone() else { return };
        if self.undoing {
            fx.notifications.push(Level::Info, "Undo running", "Wait for the undo in progress to finish.");
            return;
        }
        self.undoing = true;
        let connection = fx.connection;
        fx.tasks.spawn_stoppable("Undoing a bulk operation", move |cancel, progress| async move {
            let report = undo_batch(&writes, batch, &cancel, &progress).await;
            TaskResult::for_site(connection, HistoryResult::Undone(report))
        });
    }

    fn export(&mut self, path: PathBuf, fx: &mut Effects) {
        let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
        fx.tasks.spawn("Exporting the change journal", async move {
            let written = tokio::task::spawn_blocking(move || {
                // All or nothing, private, like every export: a failure leaves no partial file.
                let mut file = crate::export::AtomicFile::create(&path)?;
                let mut out = std::io::BufWriter::new(file.file_mut());
                let count = journal.export_json_lines(&mut out)?;
                std::io::Write::flush(&mut out)?;
                drop(out);
                file.commit()?;
                Ok((path, count))
            })
            .await
            .unwrap_or_else(|stopped| Err(JournalError::from(stopped).into()));
            TaskResult::for_app(HistoryResult::Exported(written))
        });
    }

    /// Reads the entries when the panel (or the pane's list) needs them.
    pub fn fetch(&mut self, fx: &mut Effects) {
        self.fetch_last_change(fx);
        if !self.open || !self.stale || self.is_loading() {
            return;
        }
        let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
        self.stale = false;
        let filter = self.filter.clone();
        let list = journal.clone();
        self.loading = Some(fx.tasks.promise(async move { list.off_thread(move |j| j.history(&filter, SHOWN)).await }));
        if let Some(batch) = self.batch.as_mut() {
            let filter = Filter { batch: Some(batch.id), ..Filter::default() };
            batch.loading =
                Some(fx.tasks.promise(async move { journal.off_thread(move |j| j.entries(&filter, u32::MAX)).await }));
        }
    }

    /// Reads the newest undoable change again after a write.
    fn fetch_last_change(&mut self, fx: &mut Effects) {
        if !self.last_stale || self.last_loading.is_some() {
            return;
        }
        let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
        self.last_stale = false;
        self.last_loading = Some(fx.tasks.promise(async move {
            let newest = |j: &Journal| j.history(&Filter::default(), LAST_LOOKED_AT);
            Ok(journal.off_thread(newest).await?.into_iter().find(HistoryItem::can_undo))
        }));
    }

    /// Takes in what was read. Called while drawing.
    pub fn poll(&mut self) {
        if let Some(promise) = self.last_loading.take() {
            match promise.try_take() {
                Ok(Ok(last)) => self.last_change = last,
                Ok(Err(error)) => tracing::warn!(%error, "the last change could not be read"),
                Err(promise) => self.last_loading = Some(promise),
            }
        }
        if let Some(promise) = self.loading.take() {
            match promise.try_take() {
                Ok(Ok(items)) => {
                    self.items = items;
                    self.error = None;
                }
                Ok(Err(error)) => self.error = Some(error.to_string()),
                Err(promise) => self.loading = Some(promise),
            }
        }
        if let Some(batch) = self.batch.as_mut()
            && let Some(promise) = batch.loading.take()
        {
            match promise.try_take() {
                Ok(Ok(members)) => batch.members = Some(members),
                Ok(Err(error)) => self.error = Some(error.to_string()),
                Err(promise) => batch.loading = Some(promise),
            }
        }
        if let Some(promise) = self.revealing.take() {
            match promise.try_take() {
                Ok(Ok(Some(entry))) => match entry.batch {
                    Some(batch) => self.pick(Picked::Batch(batch), Some(entry.id)),
                    None => {
                        // Shown even if the filter hid it.
                        self.filter = Filter::default();
                        self.pick(Picked::Entry(entry.id), None);
                    }
                },
                Ok(Ok(None)) => self.error = Some("That entry is no longer in the journal.".to_owned()),
                Ok(Err(error)) => self.error = Some(error.to_string()),
                Err(promise) => self.revealing = Some(promise),
            }
        }
    }

    pub fn fold(&mut self, result: HistoryResult, fx: &mut Effects) {
        match result {
            HistoryResult::Undone(report) => {
                self.undoing = false;
                self.stale = true;
                let done = report.count(|u| matches!(u, Undone::Done(_)));
                let failed = report.count(|u| matches!(u, Undone::Failed(_)));
                // Coloured by how it ended: all undone, some, none.
                let level = if done == report.lines.len() && !report.cancelled {
                    Level::Success
                } else if done == 0 && failed > 0 {
                    Level::Error
                } else {
                    Level::Warning
                };
                let lines: Vec<String> = report
                    .lines
                    .iter()
                    .map(|(label, undone)| match undone {
                        Undone::Done(what) => format!("{label}: {what}"),
                        Undone::Skipped(why) => format!("{label}: not undone, {why}"),
                        Undone::Failed(why) => format!("{label}: failed, {why}"),
                    })
                    .collect();
                let stopped = if report.cancelled { " (cancelled part-way)" } else { "" };
                let mut detail = vec![format!("{done} of {} undone{stopped}.", report.lines.len())];
                detail.extend(lines.iter().take(5).cloned());
                if lines.len() > 5 {
                    detail.push(format!("… and {} more (History lists them all).", lines.len() - 5));
                }
                fx.notifications.push(level, report.title, detail.join("\n"));
            }
            HistoryResult::Exported(Ok((path, count))) => fx.notifications.push(
                Level::Success,
                "Change journal exported",
                format!("{} written to {}.", crate::app::text::plural(count, "entry", "entries"), path.display()),
            ),
            HistoryResult::Exported(Err(error)) => {
                fx.notifications.error("Change journal not exported", error.to_string());
            }
        }
    }
}
