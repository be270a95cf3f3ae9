//! The History panel, as a feature: the journal's entries newest first (narrowed by contact,
//! operation or name), the one picked with its field-by-field diff, its Undo, and the export
//! of the whole journal as JSON lines. Reading the journal happens off the UI thread.

use std::path::PathBuf;

use poll_promise::Promise;

use crate::api::ContactId;

use super::contact::EditorCommand;
use super::effects::{Effects, TaskResult};
use super::journal::undo::{UndoReport, Undone, undo_batch, undo_entry};
use super::journal::{Entry, Filter, JournalResult, Operation};
use super::notifications::Level;

/// Entries read at a time (the newest; narrowing finds older ones).
pub const SHOWN: u32 = 500;

/// What the UI may ask of the History panel.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryCommand {
    /// Shows the panel (narrowed to one contact, or not), or hides it.
    Show(Option<ContactId>),
    Hide,
    /// Reads the entries again (the filter changed, or F5).
    Reload,
    /// Undoes the entry; a bulk operation's entry undoes the whole operation.
    Undo(Box<Entry>),
    /// Writes every entry, oldest first, to a JSON lines file.
    Export(PathBuf),
}

/// What a history task hands back.
pub enum HistoryResult {
    Undone(UndoReport),
    Exported(Result<(PathBuf, u64), String>),
}

#[derive(Default)]
pub struct History {
    pub open: bool,
    pub filter: Filter,
    pub entries: Vec<Entry>,
    pub error: Option<String>,
    /// The entry whose diff shows.
    pub selected: Option<i64>,
    loading: Option<Promise<JournalResult<Vec<Entry>>>>,
    stale: bool,
    /// An undo is running (one at a time).
    pub undoing: bool,
}

impl History {
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| Some(e.id) == self.selected)
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Read again at the next chance (a write was made, the site changed).
    pub fn mark_stale(&mut self) {
        self.stale = true;
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
            HistoryCommand::Export(path) => self.export(path, fx),
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
        if let Some(batch) = entry.batch.filter(|_| entry.undo_of.is_none()) {
            self.undoing = true;
            fx.tasks.spawn_stoppable("Undoing a bulk operation", move |cancel, progress| async move {
                let report = undo_batch(&writes, batch, &cancel, &progress).await;
                TaskResult::for_site(connection, HistoryResult::Undone(report))
            });
            return None;
        }
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

    fn export(&mut self, path: PathBuf, fx: &mut Effects) {
        let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
        fx.tasks.spawn("Exporting the change journal", async move {
            let written = tokio::task::spawn_blocking(move || {
                // Written beside the target and moved into place: a failure leaves no partial file.
                let partial = path.with_extension("jsonl.partial");
                let mut file = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(|e| e.to_string())?);
                let count = journal.export_json_lines(&mut file);
                let finished = count.and_then(|count| {
                    use std::io::Write as _;
                    file.flush().map_err(|e| e.to_string())?;
                    drop(file);
                    std::fs::rename(&partial, &path).map_err(|e| e.to_string())?;
                    Ok(count)
                });
                if finished.is_err() {
                    let _ = std::fs::remove_file(&partial);
                }
                finished.map(|count| (path, count))
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            TaskResult::for_app(HistoryResult::Exported(written))
        });
    }

    /// Reads the entries when the panel (or the pane's list) needs them.
    pub fn fetch(&mut self, fx: &mut Effects) {
        if !self.open || !self.stale || self.loading.is_some() {
            return;
        }
        let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
        self.stale = false;
        let filter = self.filter.clone();
        self.loading =
            Some(fx.tasks.promise(async move { journal.off_thread(move |j| j.entries(&filter, SHOWN)).await }));
    }

    /// Takes in the entries read. Called while drawing.
    pub fn poll(&mut self) {
        let Some(promise) = self.loading.take() else { return };
        match promise.try_take() {
            Ok(Ok(entries)) => {
                self.entries = entries;
                self.error = None;
            }
            Ok(Err(error)) => self.error = Some(error),
            Err(promise) => self.loading = Some(promise),
        }
    }

    pub fn fold(&mut self, result: HistoryResult, fx: &mut Effects) {
        match result {
            HistoryResult::Undone(report) => {
                self.undoing = false;
                self.stale = true;
                let done = report.count(|u| matches!(u, Undone::Done(_)));
                let level =
                    if report.count(|u| matches!(u, Undone::Failed(_))) > 0 { Level::Warning } else { Level::Success };
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
            HistoryResult::Exported(Err(error)) => fx.notifications.error("Change journal not exported", error),
        }
    }
}
