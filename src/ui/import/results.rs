//! What the apply did: the tally, each row's outcome (virtual rows), Retry of the failed and
//! Export; and the path box for a save where the desktop has no save dialog.

use egui_extras::{Column, TableBuilder};

use crate::app::import::{ImportCommand, ImportDialog};
use crate::app::text::thousands;

pub fn ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, height: f32, command: &mut impl FnMut(ImportCommand)) {
    let busy = dialog.is_busy();
    let Some((_, report)) = &dialog.report else { return };
    let tally = report.tally();
    ui.strong(format!(
        "{} written, {} already as asked, {} failed{}",
        thousands(tally.done),
        thousands(tally.unchanged),
        thousands(tally.failed),
        if tally.not_run > 0 { format!(", {} not run", thousands(tally.not_run)) } else { String::new() }
    ));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .id_salt("import_results")
        .striped(true)
        .resizable(true)
        .max_scroll_height(height)
        .column(Column::exact(50.0))
        .column(Column::initial(200.0).at_least(60.0).clip(true))
        .column(Column::exact(60.0))
        .column(Column::initial(180.0).at_least(60.0).clip(true))
        .column(Column::exact(130.0))
        .column(Column::remainder().at_least(80.0).clip(true))
        .header(row_height, |mut header| {
            for title in ["Line", "Key", "Action", "Contact", "Outcome", "Reason"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, report.rows.len(), |mut row| {
                let Some(result) = report.rows.get(row.index()) else { return };
                let contact = match result.contact {
                    Some(id) if result.label.is_empty() => id.to_string(),
                    Some(id) => format!("{} ({id})", result.label),
                    None => result.label.clone(),
                };
                for text in [result.line.to_string(), result.key.clone(), result.action.to_owned(), contact] {
                    row.col(|ui| {
                        ui.add(egui::Label::new(text).truncate());
                    });
                }
                row.col(|ui| {
                    ui.label(result.outcome.label());
                });
                row.col(|ui| {
                    let reason = result.outcome.reason();
                    ui.add(egui::Label::new(reason).truncate()).on_hover_text(reason);
                });
            });
        });
    ui.horizontal(|ui| {
        let failed = report.to_retry().len() as u64;
        if failed > 0 {
            let label = format!("Retry {} {}", thousands(failed), if failed == 1 { "row" } else { "rows" });
            let hover = "Send again the rows that failed or did not run, in the same entry of History";
            if ui.add_enabled(!busy, egui::Button::new(label)).on_hover_text(hover).clicked() {
                command(ImportCommand::RetryFailed);
            }
        }
        let export = ui.add_enabled(!busy, egui::Button::new("Export results…"));
        if export.on_hover_text("Save this table as a CSV file").clicked() {
            command(ImportCommand::ExportResults);
        }
        if let Some(path) = &dialog.saved_to {
            ui.weak(format!("Saved to {}", path.display()));
        }
    });
    typed_save_ui(ui, dialog, command);
}

/// Where the desktop has no save dialog: the path typed, then Save.
pub fn typed_save_ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, command: &mut impl FnMut(ImportCommand)) {
    let Some((what, path)) = dialog.typed_save.as_mut() else { return };
    ui.horizontal(|ui| {
        let label = ui.label("Save the table to");
        ui.add(egui::TextEdit::singleline(path).desired_width(360.0)).labelled_by(label.id);
        if ui.button("Save").on_hover_text("Write the CSV file here").clicked() {
            command(ImportCommand::SaveTo(*what, path.as_str().into()));
        }
    });
}
