//! The import dialog: the file and how it was read, the mapping of its columns, the dry run
//! with its counts, filter and rows kept, Apply with progress and Cancel, and the results
//! with Retry and Export. Each part is drawn by its own file.

mod dry_run;
mod mapping;
mod results;
mod source;

use crate::app::command::Command;
use crate::app::import::{ImportCommand, ImportDialog, ImportStage};
use crate::app::text::thousands;

use super::Intents;

/// Draws the open dialog; `progress` is the running task's `(done, total)`. `true` when it
/// should close (never while Apply runs: its outcome would be lost).
pub fn dialog_ui(
    ctx: &egui::Context,
    dialog: &mut ImportDialog,
    progress: Option<(u64, Option<u64>)>,
    intents: &mut Intents,
) -> bool {
    let mut command = |c| intents.commands.push(Command::Import(c));
    let mut close = false;
    let applying = dialog.is_applying();
    let screen = ctx.content_rect().size();
    let modal = egui::Modal::new(egui::Id::unique("import_dialog")).show(ctx, |ui| {
        ui.set_width((screen.x - 80.0).clamp(600.0, 1200.0));
        ui.heading(match &dialog.table {
            Some(_) => format!("Import contacts from {}", dialog.file_name()),
            None => "Import contacts".to_owned(),
        });
        source::ui(ui, dialog, &mut command);
        if matches!(dialog.stage, ImportStage::Reading(_)) {
            progress_ui(ui, progress, "Stop reading the file", &mut command);
        }
        if dialog.table.is_some() {
            ui.separator();
            let height = (screen.y * 0.26).clamp(90.0, 320.0);
            mapping::ui(ui, dialog, height, &mut command);
            if matches!(dialog.stage, ImportStage::DryRunning(_)) {
                progress_ui(ui, progress, "Stop the dry run", &mut command);
            }
        }
        if dialog.report.is_some() {
            ui.separator();
            results::ui(ui, dialog, (screen.y * 0.28).clamp(120.0, 500.0), &mut command);
        } else if dialog.current().is_some() {
            ui.separator();
            dry_run::ui(ui, dialog, (screen.y * 0.28).clamp(120.0, 500.0), &mut command);
        }
        if applying {
            progress_ui(ui, progress, "Stop after the rows being written now", &mut command);
        }
        if let Some(error) = &dialog.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.add_space(6.0);
        let button = ui.add_enabled(!applying, egui::Button::new("Close"));
        if button.on_hover_text("Close the dialog").clicked() {
            close = true;
        }
    });
    close || (modal.should_close() && !applying)
}

/// The running task's bar and its Cancel.
fn progress_ui(
    ui: &mut egui::Ui,
    progress: Option<(u64, Option<u64>)>,
    cancel_hover: &str,
    command: &mut impl FnMut(ImportCommand),
) {
    ui.horizontal(|ui| {
        let (done, total) = progress.unwrap_or((0, None));
        let total = total.unwrap_or(0);
        let share = if total == 0 { 0.0 } else { done as f32 / total as f32 };
        let bar = egui::ProgressBar::new(share).text(format!("{} of {}", thousands(done), thousands(total)));
        ui.add(bar.desired_width(480.0));
        if ui.button("Cancel").on_hover_text(cancel_hover).clicked() {
            command(ImportCommand::Cancel);
        }
    });
}

/// A combo's text and accessible name: a label before it, read by screen readers with it.
fn labelled_combo_ui<R>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    selected: impl Into<egui::WidgetText>,
    width: f32,
    contents: impl FnOnce(&mut egui::Ui) -> R,
) -> egui::Response {
    ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(selected)
        .width(width)
        .show_ui(ui, contents)
        .response
        .accessible_name(label)
}
