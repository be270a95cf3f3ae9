//! Bulk operations on a selection: a bulk edit (fields set or cleared) or a secure zone
//! granted or revoked, for every contact of a frozen selection. The dialog previews what an
//! edit would change; Apply streams through the selection with bounded concurrency, progress
//! and Cancel, as one journal batch; the result table lists each contact's outcome, retries
//! the failed and saves itself as CSV.

pub mod dialog;
pub mod edit;
mod fresh;
pub mod preview;
pub mod report;
pub mod run;
pub mod zones;

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::api::ApiError;
use crate::app::effects::{Effects, Feature, TaskResult};
use crate::app::export::{Chosen, FileChooser, SaveRequest};
use crate::app::grid::Grid;
use crate::app::notifications::{Level, Notifications};
use crate::app::text::thousands;
use crate::export::Format;

pub use dialog::{BulkDialog, BulkKind, BulkStage, FieldRow, FormError};
pub use report::{BulkOutcome, BulkReport, ContactOutcome, ResultsNotSaved};
pub use run::{BulkAction, NotStarted, Targets};

/// What the bulk dialog may ask for.
#[derive(Debug)]
pub enum BulkCommand {
    Preview,
    Apply,
    /// Runs the action again for the contacts that failed or did not run.
    RetryFailed,
    /// Asks where to save the result table.
    ExportResults,
    SaveResultsTo(PathBuf),
    Cancel,
}

/// What the bulk work hands back.
pub enum BulkResult {
    Previewed(Result<preview::Preview, ApiError>),
    Applied {
        action: BulkAction,
        /// A retry's rows go into the table it retried.
        retry: bool,
        result: Result<(Option<i64>, BulkReport), NotStarted>,
    },
    FileChosen(Chosen),
    Saved(Result<PathBuf, ResultsNotSaved>),
}

/// The bulk operations feature: its dialog, when open.
#[derive(Default)]
pub struct Bulk {
    pub dialog: Option<BulkDialog>,
}

impl Feature for Bulk {
    fn on_site_closed(&mut self) {
        *self = Self::default();
    }
}

impl Bulk {
    /// Opens the dialog on the grid's selection, frozen as it is now.
    pub fn open(&mut self, kind: BulkKind, grid: &Grid, known_zones: &std::collections::BTreeMap<i64, String>) -> bool {
        self.dialog = BulkDialog::for_selection(kind, grid, known_zones.clone());
        self.dialog.is_some()
    }

    pub fn execute(&mut self, command: BulkCommand, fx: &mut Effects, chooser: &Arc<dyn FileChooser>) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        match command {
            BulkCommand::Preview => preview(dialog, fx),
            BulkCommand::Apply => {
                let targets = Targets::Scope(dialog.scope.clone());
                apply(dialog, targets, false, fx);
            }
            BulkCommand::RetryFailed => {
                let Some((_, _, report)) = &dialog.applied else { return };
                let ids = report.to_retry();
                if !ids.is_empty() {
                    apply(dialog, Targets::Ids(ids), true, fx);
                }
            }
            BulkCommand::Cancel => match dialog.stage {
                BulkStage::Previewing(task) | BulkStage::Applying(task) => fx.tasks.cancel(task),
                BulkStage::Editing | BulkStage::ChoosingFile => {}
            },
            BulkCommand::ExportResults => {
                dialog.stage = BulkStage::ChoosingFile;
                let request =
                    SaveRequest { folder: None, file_name: "bulk-results.csv".to_owned(), format: Format::Csv };
                let chooser = Arc::clone(chooser);
                fx.tasks.spawn_unlisted(CancellationToken::new(), async move {
                    let asked = tokio::task::spawn_blocking(move || chooser.save_path(&request));
                    TaskResult::for_app(BulkResult::FileChosen(asked.await.unwrap_or_default()))
                });
            }
            BulkCommand::SaveResultsTo(path) => save(dialog, path, fx),
        }
    }

    pub fn fold(&mut self, result: BulkResult, fx: &mut Effects, grid: &mut Grid) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        match result {
            BulkResult::Previewed(result) => {
                dialog.stage = BulkStage::Editing;
                match (result, dialog.action()) {
                    (Ok(preview), Ok(action)) => dialog.preview = Some((action, preview)),
                    (Err(ApiError::Cancelled), _) | (_, Err(_)) => {}
                    (Err(error), _) => dialog.error = Some(error.to_string()),
                }
            }
            BulkResult::Applied { action, retry, result } => {
                dialog.stage = BulkStage::Editing;
                applied(dialog, action, retry, result, fx.notifications);
                // What shows may have changed: the grid loads again, the selection kept.
                grid.reload();
            }
            BulkResult::FileChosen(chosen) => {
                dialog.stage = BulkStage::Editing;
                match chosen {
                    Chosen::Path(path) => save(dialog, path, fx),
                    Chosen::Cancelled => {}
                    Chosen::NoDialog => {
                        dialog.typed_path.get_or_insert_with(|| "bulk-results.csv".to_owned());
                    }
                }
            }
            BulkResult::Saved(Ok(path)) => {
                dialog.exported_to = Some(path);
                dialog.error = None;
            }
            BulkResult::Saved(Err(error)) => dialog.error = Some(error.to_string()),
        }
    }
}

fn preview(dialog: &mut BulkDialog, fx: &mut Effects) {
    let (Some(client), Ok(run::BulkAction::Edit(edits))) = (fx.client.clone(), dialog.action()) else { return };
    let scope = dialog.scope.clone();
    let connection = fx.connection;
    dialog.error = None;
    let task = fx.tasks.spawn_stoppable("Previewing the bulk edit", move |cancel, progress| async move {
        let result = preview::preview_edit(&client, &scope, &edits, &cancel, &progress).await;
        TaskResult::for_site(connection, BulkResult::Previewed(result))
    });
    dialog.stage = BulkStage::Previewing(task);
}

fn apply(dialog: &mut BulkDialog, targets: Targets, retry: bool, fx: &mut Effects) {
    let Some(writes) = fx.writes.clone() else { return };
    let action = match (retry, &dialog.applied, dialog.action()) {
        // A retry does what ran, whatever the form says now.
        (true, Some((action, _, _)), _) => action.clone(),
        (_, _, Ok(action)) => action,
        (_, _, Err(error)) => {
            dialog.error = Some(error.to_string());
            return;
        }
    };
    let (connection, confirmed) = (fx.connection, dialog.typed_count.confirmed(dialog.count));
    let label = if retry { "Retrying the failed contacts".to_owned() } else { action.title(confirmed.count) };
    dialog.error = None;
    let task = fx.tasks.spawn_stoppable(label, move |cancel, progress| async move {
        let result = run::run_bulk_confirmed(&writes, &targets, confirmed, &action, &cancel, &progress).await;
        TaskResult::for_site(connection, BulkResult::Applied { action, retry, result })
    });
    dialog.stage = BulkStage::Applying(task);
}

fn applied(
    dialog: &mut BulkDialog,
    action: BulkAction,
    retry: bool,
    result: Result<(Option<i64>, BulkReport), NotStarted>,
    notifications: &mut Notifications,
) {
    let (batch, report) = match result {
        Ok(done) => done,
        Err(NotStarted::Cancelled) => return,
        Err(NotStarted::Failed(error)) => {
            dialog.error = Some(format!("Nothing was changed: {error}"));
            return;
        }
        Err(NotStarted::Grew { found }) => {
            dialog.error = Some(format!(
                "Nothing was changed: {} match now, more than the {} selected. Check the list and select again.",
                thousands(found),
                thousands(dialog.count)
            ));
            return;
        }
    };
    let merged = match dialog.applied.take() {
        Some((action, first_batch, mut table)) if retry => {
            table.merge(report);
            (action, first_batch.or(batch), table)
        }
        _ => (action, batch, report),
    };
    let tally = merged.2.tally();
    let text = format!(
        "{} changed, {} already as asked, {} failed{}.",
        thousands(tally.done),
        thousands(tally.unchanged),
        thousands(tally.failed),
        if tally.not_run > 0 { format!(", {} not run", thousands(tally.not_run)) } else { String::new() }
    );
    let level = if tally.failed + tally.not_run > 0 { Level::Warning } else { Level::Success };
    notifications.push(level, "Bulk operation finished", text);
    dialog.applied = Some(merged);
}

fn save(dialog: &mut BulkDialog, path: PathBuf, fx: &mut Effects) {
    let Some((_, _, report)) = dialog.applied.clone() else { return };
    dialog.typed_path = None;
    fx.tasks.spawn("Saving the bulk results", async move {
        let saved = tokio::task::spawn_blocking(move || match report.save_csv(&path) {
            Ok(()) => Ok(path),
            Err(source) => Err(ResultsNotSaved::File { path, source }),
        });
        TaskResult::for_app(BulkResult::Saved(saved.await.unwrap_or_else(|stopped| Err(stopped.into()))))
    });
}
