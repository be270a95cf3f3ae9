//! Export, as a feature: the dialog's state, what the UI may ask of it ([`ExportCommand`]),
//! what its background work hands back ([`ExportResult`]), and the two functions that turn
//! one into the other. The writers themselves are in `crate::export`.

mod dialog;

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use dialog::{
    Chosen, ExportDialog, ExportPrefs, ExportStage, FileChooser, NativeFileChooser, SaveRequest, ScopeChoice, folder_of,
};

use crate::api::paging::PagingOptions;
use crate::export::{ExportError, ExportSettings, ExportSummary, run_export};

use super::effects::{Effects, TaskResult};
use super::grid::Grid;
use super::notifications::Level;
use super::tasks::TaskId;
use super::text::contacts;

/// What the export dialog may ask for.
#[derive(Debug)]
pub enum ExportCommand {
    /// Asks where to save the file (the native dialog), then exports.
    ChooseFile,
    /// Exports to a path typed in (a desktop without a save dialog).
    ExportTo(PathBuf),
    /// Stops the running export (its file is not written) and closes the dialog.
    Cancel,
}

/// What export's background work hands back.
pub enum ExportResult {
    /// The save dialog closed; `home` is the folder offered when the path must be typed.
    FileChosen {
        chosen: Chosen,
        home: Option<PathBuf>,
    },
    Finished(Result<ExportSummary, ExportError>),
}

/// The export dialog, while it is open.
#[derive(Default)]
pub struct Exports {
    pub dialog: Option<ExportDialog>,
}

impl Exports {
    /// Opens the dialog for the grid as it is (its scopes frozen now), unless one is busy.
    pub fn open(&mut self, grid: &Grid, columns: Vec<String>, prefs: &ExportPrefs) {
        if self.dialog.as_ref().is_some_and(ExportDialog::is_busy) {
            return;
        }
        self.dialog = Some(ExportDialog::new(grid, columns, prefs));
    }

    /// Whether `task` is the running export (the status bar's Cancel then cancels it whole).
    pub fn runs(&self, task: TaskId) -> bool {
        matches!(&self.dialog, Some(ExportDialog { stage: ExportStage::Running { task: running, .. }, .. }) if *running == task)
    }

    pub fn execute(
        &mut self,
        command: ExportCommand,
        fx: &mut Effects,
        prefs: &mut ExportPrefs,
        chooser: &Arc<dyn FileChooser>,
    ) {
        match command {
            ExportCommand::ChooseFile => self.choose_file(fx, prefs, chooser),
            ExportCommand::ExportTo(path) => {
                if self.dialog.as_ref().is_some_and(ExportDialog::can_start) {
                    self.start(path, fx, prefs);
                }
            }
            ExportCommand::Cancel => self.cancel(fx),
        }
    }

    pub fn fold(&mut self, result: ExportResult, fx: &mut Effects, prefs: &mut ExportPrefs) {
        match result {
            ExportResult::FileChosen { chosen, home } => self.file_chosen(chosen, home, fx, prefs),
            ExportResult::Finished(result) => self.finished(result, fx),
        }
    }

    /// Opens the save dialog off the UI thread; the export starts once a file is chosen.
    fn choose_file(&mut self, fx: &mut Effects, prefs: &ExportPrefs, chooser: &Arc<dyn FileChooser>) {
        let Some(dialog) = self.dialog.as_mut().filter(|d| d.can_start()) else { return };
        dialog.stage = ExportStage::ChoosingFile;
        dialog.error = None;
        let request = SaveRequest {
            folder: prefs.last_folder.clone(),
            file_name: dialog.suggested_file_name(),
            format: dialog.settings.format,
        };
        let chooser = Arc::clone(chooser);
        fx.tasks.spawn_unlisted(CancellationToken::new(), async move {
            let asked = tokio::task::spawn_blocking(move || {
                let chosen = chooser.save_path(&request);
                // Without a dialog the user types a path: start from their home folder.
                let home = (chosen == Chosen::NoDialog)
                    .then(|| directories::UserDirs::new().map(|d| d.home_dir().to_owned()))
                    .flatten();
                (chosen, home)
            });
            let (chosen, home) = asked.await.unwrap_or_default();
            TaskResult::for_app(ExportResult::FileChosen { chosen, home })
        });
    }

    fn file_chosen(&mut self, chosen: Chosen, home: Option<PathBuf>, fx: &mut Effects, prefs: &mut ExportPrefs) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        match chosen {
            Chosen::Path(path) => self.start(path, fx, prefs),
            Chosen::Cancelled => dialog.stage = ExportStage::Editing,
            Chosen::NoDialog => {
                dialog.stage = ExportStage::Editing;
                let folder = prefs.last_folder.clone().or(home);
                let suggested = folder.unwrap_or_default().join(dialog.suggested_file_name());
                dialog.typed_path.get_or_insert_with(|| suggested.display().to_string());
            }
        }
    }

    /// Exports the dialog's frozen scope to `path`, with progress and Cancel.
    fn start(&mut self, path: PathBuf, fx: &mut Effects, prefs: &mut ExportPrefs) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        let Some(client) = fx.client.clone() else {
            dialog.stage = ExportStage::Editing;
            dialog.error = Some("Not connected to a site.".to_owned());
            return;
        };
        let settings = dialog.settings.clone();
        prefs.settings = ExportSettings { columns: Vec::new(), ..settings.clone() };
        prefs.last_folder = folder_of(&path);
        let scope = dialog.scope().clone();
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let runtime = fx.tasks.runtime().clone();
        let (target, error_path) = (path.clone(), path.clone());
        let task = fx.tasks.spawn_cancellable(format!("Exporting {name}"), move |cancel, progress| async move {
            // Fetching and writing run together on a blocking thread: the file writes never
            // hold up the runtime's workers, nor the UI.
            let work = tokio::task::spawn_blocking(move || {
                let report = |written, total| progress.set(written, total);
                let paging = PagingOptions::for_site(client.dialect());
                runtime.block_on(run_export(&client, &scope, &settings, &target, &paging, &cancel, report))
            });
            let result = work.await.unwrap_or_else(|stopped| {
                let source = std::io::Error::other(format!("the export stopped unexpectedly ({stopped})"));
                Err(ExportError::File { path: error_path, source })
            });
            TaskResult::for_app(ExportResult::Finished(result))
        });
        dialog.stage = ExportStage::Running { task, path };
    }

    fn cancel(&mut self, fx: &mut Effects) {
        let Some(dialog) = self.dialog.take() else { return };
        if let ExportStage::Running { task, .. } = dialog.stage {
            fx.tasks.cancel(task);
            fx.notifications.push(Level::Info, "Export cancelled", "No file was written.");
        }
    }

    fn finished(&mut self, result: Result<ExportSummary, ExportError>, fx: &mut Effects) {
        match result {
            Ok(summary) => {
                let message = format!("{} to {}", contacts(summary.contacts), summary.path.display());
                fx.notifications.push(Level::Success, "Export finished", message);
                self.dialog = None;
            }
            Err(ExportError::Cancelled) => self.dialog = None,
            Err(error) => {
                // A site's failure (the guards included) leaves no file: say so.
                let text = match &error {
                    ExportError::Site(_) => format!("{error} No file was written."),
                    _ => error.to_string(),
                };
                match self.dialog.as_mut() {
                    Some(dialog) => {
                        dialog.stage = ExportStage::Editing;
                        dialog.error = Some(text);
                    }
                    None => fx.notifications.error("The export failed", text),
                }
            }
        }
    }
}
