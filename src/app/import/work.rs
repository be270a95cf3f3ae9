//! The import dialog's background work: the file read (on a blocking thread, with progress),
//! the dry run, the apply and its retry, and the tables saved as CSV.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::api::fields::custom_fields_of;
use crate::api::{ListQuery, Where};
use crate::app::effects::{Effects, TaskResult};
use crate::app::export::{FileChooser, SaveRequest};
use crate::export::Format;
use crate::import::file::{FileError, read_table};
use crate::import::mapping::{SavedMapping, remember};
use crate::import::plan::DryRun;

use super::{ImportDialog, ImportResult, ImportStage, Saving};

/// Why no table came of the file.
pub enum NotRead {
    Cancelled,
    Failed(String),
}

/// Why a table was not saved (no partial file is left).
#[derive(Debug, thiserror::Error)]
pub enum NotSaved {
    #[error("{}: {source}", path.display())]
    File { path: PathBuf, source: std::io::Error },
    /// The blocking task that wrote it stopped.
    #[error(transparent)]
    Stopped(#[from] tokio::task::JoinError),
}

pub(super) fn choose_file(dialog: &mut ImportDialog, fx: &mut Effects, chooser: &Arc<dyn FileChooser>) {
    dialog.stage = ImportStage::ChoosingFile;
    let chooser = Arc::clone(chooser);
    fx.tasks.spawn_unlisted(CancellationToken::new(), async move {
        let asked = tokio::task::spawn_blocking(move || chooser.open_path());
        TaskResult::for_app(ImportResult::FileChosen(asked.await.unwrap_or_default()))
    });
}

/// Reads `path` with the dialog's options, off the UI thread and the runtime's workers.
pub(super) fn read(dialog: &mut ImportDialog, path: PathBuf, fx: &mut Effects) {
    let options = dialog.read.clone();
    let (connection, client) = (fx.connection, fx.client.clone());
    dialog.error = None;
    let label = format!(
        "Reading {}",
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
    );
    let task = fx.tasks.spawn_stoppable(label, move |cancel, progress| async move {
        let at = path.clone();
        let reading = tokio::task::spawn_blocking(move || {
            read_table(&at, &options, &cancel, |done, total| progress.set(done, Some(total)))
        });
        let result = match reading.await {
            Ok(Ok(table)) => Ok((table, site_custom_fields(client).await)),
            Ok(Err(FileError::Cancelled)) => Err(NotRead::Cancelled),
            Ok(Err(error)) => Err(NotRead::Failed(error.to_string())),
            Err(stopped) => Err(NotRead::Failed(stopped.to_string())),
        };
        TaskResult::for_site(connection, ImportResult::Read { path, result })
    });
    dialog.stage = ImportStage::Reading(task);
}

/// The custom fields on a page of the site's contacts, for the mapping's first guess (the
/// grid may not have loaded any yet); none when the site cannot be read now.
async fn site_custom_fields(client: Option<crate::api::ReadClient>) -> BTreeSet<(String, String)> {
    let Some(client) = client else { return BTreeSet::new() };
    let page = ListQuery::new(Where::All).page(0, crate::api::assumed::DEFAULT_LIMIT);
    let Ok(contacts) = client.list_contacts(&page).await else { return BTreeSet::new() };
    let fields = contacts.items.iter().flat_map(custom_fields_of);
    fields.map(|(group, field)| (group.to_owned(), field.to_owned())).collect()
}

/// The dry run of the mapping as it is (remembered for this site first).
pub(super) fn dry_run(dialog: &mut ImportDialog, fx: &mut Effects, saved: &mut Vec<SavedMapping>) {
    let Some(table) = dialog.table.clone() else { return };
    if !dialog.problems().is_empty() {
        return;
    }
    let Some(client) = fx.client.clone() else {
        dialog.error = Some("Not connected to the site: the dry run needs to read its contacts.".to_owned());
        return;
    };
    let (mapping, options, known) = (dialog.mapping.clone(), dialog.options, dialog.custom.clone());
    let headers = table.headers.clone();
    remember(saved, SavedMapping { headers, mapping: mapping.clone(), match_on: options.match_on });
    let connection = fx.connection;
    dialog.error = None;
    let label = format!("Dry run of {}", dialog.file_name());
    let task = fx.tasks.spawn_stoppable(label, move |cancel, progress| async move {
        let result =
            crate::import::planner::dry_run(&client, &table, &mapping, &options, &known, &cancel, &progress).await;
        TaskResult::for_site(connection, ImportResult::DryRun { mapping, options, result })
    });
    dialog.stage = ImportStage::DryRunning(task);
}

/// Applies the rows kept of the current dry run, as a new journal batch.
pub(super) fn apply(dialog: &mut ImportDialog, fx: &mut Effects) {
    if !dialog.may_apply() {
        return;
    }
    let Some(reviewed) = dialog.current() else { return };
    let (run, keep) = (Arc::clone(&reviewed.run), reviewed.keep.clone());
    let title = format!("Import of {}", dialog.file_name());
    start_apply(dialog, run, keep, title, None, false, fx);
}

/// Applies again the rows that failed or did not run, in the same journal batch.
pub(super) fn retry(dialog: &mut ImportDialog, fx: &mut Effects) {
    let Some((run, report)) = &dialog.report else { return };
    let keep = report.to_retry();
    if keep.is_empty() {
        return;
    }
    let (run, batch) = (Arc::clone(run), report.batch);
    let title = format!("Import of {}", dialog.file_name());
    start_apply(dialog, run, keep, title, batch, true, fx);
}

fn start_apply(
    dialog: &mut ImportDialog,
    run: Arc<DryRun>,
    keep: std::collections::BTreeSet<u64>,
    title: String,
    batch: Option<i64>,
    retry: bool,
    fx: &mut Effects,
) {
    let Some(writes) = fx.writes.clone() else {
        dialog.error = Some("Not connected to the site: nothing was sent.".to_owned());
        return;
    };
    let connection = fx.connection;
    dialog.error = None;
    let label = if retry { "Retrying the failed rows".to_owned() } else { title.clone() };
    let task = fx.tasks.spawn_stoppable(label, move |cancel, progress| async move {
        let report = crate::import::apply::apply(&writes, &run, &keep, &title, batch, &cancel, &progress).await;
        TaskResult::for_site(connection, ImportResult::Applied { run, retry, report })
    });
    dialog.stage = ImportStage::Applying(task);
}

pub(super) fn choose_save(dialog: &mut ImportDialog, what: Saving, fx: &mut Effects, chooser: &Arc<dyn FileChooser>) {
    dialog.stage = ImportStage::ChoosingSave;
    let request = SaveRequest { folder: None, file_name: what.file_name().to_owned(), format: Format::Csv };
    let chooser = Arc::clone(chooser);
    fx.tasks.spawn_unlisted(CancellationToken::new(), async move {
        let asked = tokio::task::spawn_blocking(move || chooser.save_path(&request));
        TaskResult::for_app(ImportResult::SaveChosen(what, asked.await.unwrap_or_default()))
    });
}

/// Writes the dry run's table or the results' to `path`, all or nothing.
pub(super) fn save(dialog: &mut ImportDialog, what: Saving, path: PathBuf, fx: &mut Effects) {
    let table = match what {
        Saving::DryRun => {
            let Some(reviewed) = dialog.current() else { return };
            SavedTable::DryRun(Arc::clone(&reviewed.run))
        }
        Saving::Results => {
            let Some((_, report)) = dialog.report.clone() else { return };
            SavedTable::Results(report)
        }
    };
    dialog.typed_save = None;
    fx.tasks.spawn("Saving the import's table", async move {
        let saved = tokio::task::spawn_blocking(move || {
            let written = crate::export::AtomicFile::create(&path).and_then(|mut file| {
                table.write_csv(std::io::BufWriter::new(file.file_mut()))?;
                file.commit()
            });
            written.map(|()| path.clone()).map_err(|source| NotSaved::File { path, source })
        });
        TaskResult::for_app(ImportResult::Saved(saved.await.unwrap_or_else(|stopped| Err(stopped.into()))))
    });
}

/// The table a save writes.
enum SavedTable {
    DryRun(Arc<DryRun>),
    Results(crate::import::apply::ImportReport),
}

impl SavedTable {
    fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        match self {
            SavedTable::DryRun(run) => run.write_csv(out),
            SavedTable::Results(report) => report.write_csv(out),
        }
    }
}
