//! Import of contacts from a CSV or Excel file, in the app: the file read in the background,
//! its columns mapped (guessed, or the mapping saved for the same headers on this site), a
//! dry run of every row against the site, then the rows kept applied through the change
//! journal as one batch, with progress, Cancel, Retry of the failed and the tables saved as
//! CSV. The work itself is `crate::import`'s; this is the dialog's state and its tasks.

pub mod dialog;
mod work;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::effects::{Effects, Feature};
use crate::app::export::{Chosen, FileChooser};
use crate::app::grid::Grid;
use crate::app::notifications::{Level, Notifications};
use crate::app::text::thousands;
use crate::import::apply::ImportReport;
use crate::import::file::{Encoding, Table};
use crate::import::mapping::{Mapping, SavedMapping, recall};
use crate::import::plan::{DryRun, DryRunError, ImportOptions};

pub use dialog::{ImportDialog, ImportStage, Reviewed, Saving};
pub use work::NotSaved;

/// What the import dialog may ask for (the mapping, the options, the filter and the rows
/// kept are edited in the dialog's state directly).
#[derive(Debug)]
pub enum ImportCommand {
    /// Opens the dialog and asks the desktop which file.
    ChooseFile,
    /// Opens the dialog on this file (dropped on the window, typed, or chosen).
    Open(PathBuf),
    /// Reads the CSV file again in this encoding, or with this delimiter.
    SetEncoding(Encoding),
    SetDelimiter(u8),
    /// Reads this sheet of the workbook.
    SetSheet(String),
    DryRun,
    Apply,
    RetryFailed,
    ExportDryRun,
    ExportResults,
    SaveTo(Saving, PathBuf),
    Cancel,
}

/// What the import's work hands back.
pub enum ImportResult {
    FileChosen(Chosen),
    /// The table, with the custom fields seen on a page of the site's contacts.
    Read {
        path: PathBuf,
        result: Result<(Table, BTreeSet<(String, String)>), work::NotRead>,
    },
    DryRun {
        mapping: Mapping,
        options: ImportOptions,
        result: Result<DryRun, DryRunError>,
    },
    Applied {
        run: Arc<DryRun>,
        retry: bool,
        report: ImportReport,
    },
    SaveChosen(Saving, Chosen),
    Saved(Result<PathBuf, NotSaved>),
}

impl ImportResult {
    /// Only an apply writes to the site (and so to the journal).
    pub fn may_have_written(&self) -> bool {
        matches!(self, ImportResult::Applied { .. })
    }
}

/// The import feature: its dialog, when open.
#[derive(Default)]
pub struct Import {
    pub dialog: Option<ImportDialog>,
}

impl Feature for Import {
    fn on_site_closed(&mut self) {
        *self = Self::default();
    }
}

impl Import {
    /// `saved`: this site's saved mappings (the one a dry run uses is remembered there);
    /// `custom`: the site's custom fields the app has seen.
    pub fn execute(
        &mut self,
        command: ImportCommand,
        fx: &mut Effects,
        saved: &mut Vec<SavedMapping>,
        custom: &BTreeSet<(String, String)>,
        chooser: &Arc<dyn FileChooser>,
    ) {
        // Only choosing a file opens the dialog; the rest act on it (a late click is ignored).
        if matches!(command, ImportCommand::ChooseFile | ImportCommand::Open(_)) && self.dialog.is_none() {
            self.dialog = Some(ImportDialog::new(custom.clone()));
        }
        let Some(dialog) = self.dialog.as_mut() else { return };
        // One piece of work at a time: the dialog waits (or Cancel stops it).
        if dialog.is_busy() && !matches!(command, ImportCommand::Cancel) {
            return;
        }
        match command {
            ImportCommand::ChooseFile => work::choose_file(dialog, fx, chooser),
            ImportCommand::Open(path) => {
                // Another file is read as found (its encoding sniffed again).
                if dialog.path.as_ref() != Some(&path) {
                    dialog.read = Default::default();
                }
                work::read(dialog, path, fx);
            }
            ImportCommand::SetEncoding(encoding) => {
                dialog.read.encoding = Some(encoding);
                reread(dialog, fx);
            }
            ImportCommand::SetDelimiter(delimiter) => {
                dialog.read.delimiter = Some(delimiter);
                reread(dialog, fx);
            }
            ImportCommand::SetSheet(sheet) => {
                dialog.read.sheet = Some(sheet);
                reread(dialog, fx);
            }
            ImportCommand::DryRun => work::dry_run(dialog, fx, saved),
            ImportCommand::Apply => work::apply(dialog, fx),
            ImportCommand::RetryFailed => work::retry(dialog, fx),
            ImportCommand::ExportDryRun => work::choose_save(dialog, Saving::DryRun, fx, chooser),
            ImportCommand::ExportResults => work::choose_save(dialog, Saving::Results, fx, chooser),
            ImportCommand::SaveTo(what, path) => work::save(dialog, what, path, fx),
            ImportCommand::Cancel => {
                if let Some(task) = dialog.task() {
                    fx.tasks.cancel(task);
                }
            }
        }
    }

    pub fn fold(&mut self, result: ImportResult, fx: &mut Effects, grid: &mut Grid, saved: &[SavedMapping]) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        match result {
            ImportResult::FileChosen(chosen) => {
                dialog.stage = ImportStage::Idle;
                match chosen {
                    Chosen::Path(path) => {
                        dialog.read = Default::default();
                        work::read(dialog, path, fx);
                    }
                    Chosen::NoDialog => dialog.typing_path = true,
                    Chosen::Cancelled => {}
                }
            }
            ImportResult::Read { path, result } => {
                dialog.stage = ImportStage::Idle;
                match result {
                    Ok((table, seen)) => {
                        dialog.custom.extend(grid.custom_fields.iter().cloned().chain(seen));
                        read(dialog, path, table, saved);
                    }
                    Err(work::NotRead::Cancelled) => {}
                    Err(work::NotRead::Failed(error)) => {
                        dialog.error = Some(format!("{} could not be read: {error}", path.display()));
                    }
                }
            }
            ImportResult::DryRun { mapping, options, result } => {
                dialog.stage = ImportStage::Idle;
                match result {
                    Ok(run) => {
                        dialog.reviewed = Some(Reviewed::new(mapping, options, run));
                        dialog.report = None;
                        dialog.saved_to = None;
                    }
                    Err(DryRunError::Cancelled) => {}
                    Err(error) => dialog.error = Some(error.to_string()),
                }
            }
            ImportResult::Applied { run, retry, report } => {
                dialog.stage = ImportStage::Idle;
                let report = match dialog.report.take() {
                    Some((applied, mut table)) if retry => {
                        table.merge(report);
                        (applied, table)
                    }
                    _ => (run, report),
                };
                tell(fx.notifications, &report.1);
                dialog.report = Some(report);
                dialog.saved_to = None;
                // What shows may have changed: the grid loads again, the selection kept.
                grid.reload();
            }
            ImportResult::SaveChosen(what, chosen) => {
                dialog.stage = ImportStage::Idle;
                match chosen {
                    Chosen::Path(path) => work::save(dialog, what, path, fx),
                    Chosen::Cancelled => {}
                    Chosen::NoDialog => dialog.typed_save = Some((what, what.file_name().to_owned())),
                }
            }
            ImportResult::Saved(Ok(path)) => {
                dialog.saved_to = Some(path);
                dialog.error = None;
            }
            ImportResult::Saved(Err(error)) => dialog.error = Some(error.to_string()),
        }
    }
}

impl Import {
    /// The grid saw custom fields: they are offered, and a first guess not changed since
    /// is made again knowing them (the file may have been read before the site was open).
    pub fn custom_fields_seen(&mut self, seen: &BTreeSet<(String, String)>) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        if seen.is_subset(&dialog.custom) {
            return;
        }
        dialog.custom.extend(seen.iter().cloned());
        if let Some(table) = &dialog.table
            && dialog.guessed.as_ref() == Some(&dialog.mapping)
        {
            dialog.mapping = Mapping::guess(&table.headers, &dialog.custom);
            dialog.guessed = Some(dialog.mapping.clone());
        }
    }
}

/// Reads the same file again with the options changed.
fn reread(dialog: &mut ImportDialog, fx: &mut Effects) {
    if let Some(path) = dialog.path.clone() {
        work::read(dialog, path, fx);
    }
}

/// The file is in: its mapping is kept when the headers are the same as before (the file
/// read again in another encoding), else the one saved for them, else a guess.
fn read(dialog: &mut ImportDialog, path: PathBuf, table: Table, saved: &[SavedMapping]) {
    let same_headers = dialog.path.as_ref() == Some(&path)
        && dialog.table.as_ref().is_some_and(|old| old.headers == table.headers)
        && dialog.mapping.columns.len() == table.headers.len();
    if !same_headers {
        dialog.guessed = None;
        match recall(saved, &table.headers) {
            Some(saved) => {
                dialog.mapping = saved.mapping.clone();
                dialog.options.match_on = saved.match_on;
            }
            None => {
                dialog.mapping = Mapping::guess(&table.headers, &dialog.custom);
                dialog.guessed = Some(dialog.mapping.clone());
            }
        }
    }
    dialog.typed_file = path.display().to_string();
    dialog.typing_path = false;
    dialog.path = Some(path);
    dialog.table = Some(Arc::new(table));
    dialog.reviewed = None;
    dialog.report = None;
    dialog.error = None;
    dialog.saved_to = None;
}

fn tell(notifications: &mut Notifications, report: &ImportReport) {
    let tally = report.tally();
    let text = format!(
        "{} written, {} already as asked, {} failed{}.",
        thousands(tally.done),
        thousands(tally.unchanged),
        thousands(tally.failed),
        if tally.not_run > 0 { format!(", {} not run", thousands(tally.not_run)) } else { String::new() }
    );
    let level = if tally.failed + tally.not_run > 0 { Level::Warning } else { Level::Success };
    notifications.push(level, "Import finished", text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::file::{Encoding, Source};
    use crate::import::mapping::Target;

    fn dialog_with(headers: &[&str]) -> ImportDialog {
        let mut dialog = ImportDialog::new(BTreeSet::new());
        let table = Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            source: Source::Csv { encoding: Encoding::Utf8, delimiter: b',' },
        };
        read(&mut dialog, PathBuf::from("people.csv"), table, &[]);
        dialog
    }

    #[test]
    fn custom_fields_seen_later_improve_a_guess_but_never_a_mapping_the_user_changed() {
        let seen = BTreeSet::from([("Membership".to_owned(), "Level".to_owned())]);
        let mut import = Import { dialog: Some(dialog_with(&["Email", "Membership: Level"])) };
        assert_eq!(import.dialog.as_ref().unwrap().mapping.columns[1], Target::Ignore);
        import.custom_fields_seen(&seen);
        assert_eq!(import.dialog.as_ref().unwrap().mapping.columns[1], Target::custom("Membership", "Level"));

        let mut import = Import { dialog: Some(dialog_with(&["Email", "Membership: Level", "Town"])) };
        import.dialog.as_mut().unwrap().mapping.columns[2] = Target::Ignore;
        let changed = import.dialog.as_ref().unwrap().mapping.clone();
        import.custom_fields_seen(&seen);
        let dialog = import.dialog.as_ref().unwrap();
        assert_eq!(dialog.mapping, changed, "the user's choice stays");
        assert!(dialog.targets().contains(&Target::custom("Membership", "Level")), "but the field is offered");
    }

    #[test]
    fn only_a_file_opens_the_dialog() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut tasks = crate::app::tasks::TaskRunner::new(runtime.handle().clone(), egui::Context::default());
        let mut notifications = Notifications::default();
        let mut fx =
            Effects { tasks: &mut tasks, client: None, writes: None, connection: 1, notifications: &mut notifications };
        let chooser: Arc<dyn FileChooser> = Arc::new(crate::app::export::NativeFileChooser);
        let mut import = Import::default();
        let none = &BTreeSet::new();
        import.execute(ImportCommand::DryRun, &mut fx, &mut Vec::new(), none, &chooser);
        assert!(import.dialog.is_none(), "a dry run asked of no dialog opens none");
        import.execute(ImportCommand::Open("missing.csv".into()), &mut fx, &mut Vec::new(), none, &chooser);
        assert!(import.dialog.as_ref().is_some_and(|d| matches!(d.stage, ImportStage::Reading(_))));
    }

    #[test]
    fn a_saved_mapping_for_the_same_headers_is_used_instead_of_a_guess() {
        let headers = vec!["Mail".to_owned(), "Ort".to_owned()];
        let mapping =
            Mapping { columns: vec![Target::MatchKey, Target::field(crate::api::contact_fields::Field::City)] };
        let saved = [SavedMapping { headers: headers.clone(), mapping: mapping.clone(), match_on: Default::default() }];
        let mut dialog = ImportDialog::new(BTreeSet::new());
        let table = Table { headers, rows: Vec::new(), source: Source::Xlsx { sheet: "S".into(), sheets: vec![] } };
        read(&mut dialog, PathBuf::from("a.xlsx"), table, &saved);
        assert_eq!(dialog.mapping, mapping);
        assert_eq!(dialog.guessed, None, "not a guess: the site's custom fields do not change it");
    }
}
