//! The export dialog: which contacts, the format, the columns and the format's options;
//! then the save dialog, then progress with Cancel.

use crate::api::fields::field_title;
use crate::app::command::Command;
use crate::app::export::{ExportCommand, ExportDialog, ExportStage, ScopeChoice};
use crate::export::{DateFormat, Delimiter, Format};

use super::{Intents, thousands};

/// Draws the dialog; `true` when it should close. `progress` is the running export's
/// (contacts written, contacts expected).
pub fn dialog_ui(
    ctx: &egui::Context,
    dialog: &mut ExportDialog,
    progress: Option<(u64, Option<u64>)>,
    intents: &mut Intents,
) -> bool {
    let mut close = false;
    let busy = dialog.is_busy();
    egui::Modal::new(egui::Id::unique("export_dialog")).show(ctx, |ui| {
        ui.set_width(520.0);
        ui.heading("Export contacts");
        ui.add_space(6.0);
        ui.add_enabled_ui(!busy, |ui| {
            scope_ui(ui, dialog);
            ui.add_space(6.0);
            format_ui(ui, dialog);
            ui.add_space(6.0);
            if dialog.settings.format.has_columns() {
                columns_ui(ui, dialog);
            } else {
                ui.label("Each contact becomes a card with its name, email, phone, addresses and notes.");
            }
            ui.add_space(6.0);
            options_ui(ui, dialog);
        });
        if let Some(error) = &dialog.error {
            ui.add_space(6.0);
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let blocked = dialog.blocker().is_some();
        if let Some(typed) = dialog.typed_path.as_mut() {
            ui.add_space(6.0);
            ui.label("This desktop has no file dialog to offer (it needs xdg-desktop-portal). Type where to save:");
            ui.add_enabled_ui(!busy, |ui| {
                ui.horizontal(|ui| {
                    let label = ui.label("File");
                    let field = egui::TextEdit::singleline(typed).desired_width(360.0);
                    ui.add(field).labelled_by(label.id);
                    let path = typed.trim();
                    let ready = !path.is_empty() && !blocked;
                    let button = ui
                        .add_enabled(ready, egui::Button::new("Export to this file"))
                        .on_hover_text("An existing file of that name is replaced once the export is complete");
                    if button.clicked() {
                        intents.commands.push(Command::Export(ExportCommand::ExportTo(std::path::PathBuf::from(path))));
                    }
                });
            });
        }
        ui.add_space(10.0);
        match &dialog.stage {
            ExportStage::Running { path, .. } => {
                let (done, total) = progress.unwrap_or((0, None));
                let fraction = total.map_or(0.0, |t| done as f32 / t.max(1) as f32);
                let text = match total {
                    Some(total) => format!("{} of {} contacts", thousands(done), thousands(total)),
                    None => format!("{} contacts", thousands(done)),
                };
                ui.label(format!("Writing {}", path.display()));
                ui.horizontal(|ui| {
                    ui.add(egui::ProgressBar::new(fraction).desired_width(400.0).text(text));
                    if ui.button("Cancel export").on_hover_text("Stop the export; no file is written").clicked() {
                        intents.commands.push(Command::Export(ExportCommand::Cancel));
                    }
                });
            }
            ExportStage::ChoosingFile => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Choose where to save the file…");
                });
            }
            ExportStage::Editing => {
                ui.horizontal(|ui| {
                    if ui.button("Cancel").on_hover_text("Close without exporting").clicked() {
                        close = true;
                    }
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let blocker = dialog.blocker();
                        let label = format!("Export {}…", crate::app::text::contacts(dialog.count()));
                        let export = ui
                            .add_enabled(blocker.is_none(), egui::Button::new(label))
                            .on_hover_text("Choose the file, then export")
                            .on_disabled_hover_text(blocker.unwrap_or_default());
                        if export.clicked() {
                            intents.commands.push(Command::Export(ExportCommand::ChooseFile));
                        }
                    });
                });
            }
        }
    });
    // Escape closes it (a stray click outside would lose the choices), but never drops a
    // running export.
    let escape = ctx.input(|input| input.key_pressed(egui::Key::Escape));
    close || (escape && !busy)
}

fn scope_ui(ui: &mut egui::Ui, dialog: &mut ExportDialog) {
    ui.strong("Contacts");
    let selection = format!("Selected contacts ({})", thousands(dialog.selected_count));
    ui.add_enabled_ui(dialog.selected_count > 0, |ui| {
        ui.radio_value(&mut dialog.scope, ScopeChoice::Selection, selection)
            .on_disabled_hover_text("Select contacts in the list first");
    });
    let all = format!("All contacts matching the filter ({})", thousands(dialog.matching_count));
    ui.radio_value(&mut dialog.scope, ScopeChoice::AllMatching, all)
        .on_hover_text("Fetched page by page from the site, loaded in the list or not");
    if !dialog.scope().query.filter.is_checkable() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "This app cannot check this filter (raw JSON outside the filters it knows): the file holds what the site \
             sends, which may not all match it.",
        );
    }
}

fn format_ui(ui: &mut egui::Ui, dialog: &mut ExportDialog) {
    ui.strong("Format");
    ui.horizontal_wrapped(|ui| {
        for format in Format::ALL {
            ui.radio_value(&mut dialog.settings.format, format, format.label());
        }
    });
}

fn columns_ui(ui: &mut egui::Ui, dialog: &mut ExportDialog) {
    ui.horizontal(|ui| {
        ui.strong("Columns");
        ui.weak(format!("{} of {} fields", dialog.settings.columns.len(), dialog.available_fields.len()));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("All fields").on_hover_text("Every field, custom fields included").clicked() {
                dialog.settings.columns = dialog.available_fields.clone();
            }
            if ui.button("The list's columns").on_hover_text("The columns shown in the contact list").clicked() {
                dialog.settings.columns = dialog.grid_columns.clone();
            }
        });
    });
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::vertical().max_height(170.0).auto_shrink([false, true]).show(ui, |ui| {
            ui.columns(2, |columns| {
                let fields = dialog.available_fields.clone();
                let half = fields.len().div_ceil(2);
                for (at, field) in fields.iter().enumerate() {
                    let ui = &mut columns[usize::from(at >= half)];
                    let mut shown = dialog.settings.columns.contains(field);
                    if ui.checkbox(&mut shown, field_title(field)).changed() {
                        dialog.set_column(field, shown);
                    }
                }
            });
        });
    });
}

fn options_ui(ui: &mut egui::Ui, dialog: &mut ExportDialog) {
    let format = dialog.settings.format;
    if !matches!(format, Format::Csv | Format::Xlsx) {
        return;
    }
    ui.strong("Options");
    let settings = &mut dialog.settings;
    egui::Grid::new("export_options").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        if format == Format::Csv {
            choice_ui(ui, "Separator", &mut settings.delimiter, &Delimiter::ALL, Delimiter::label);
        }
        choice_ui(ui, "Dates", &mut settings.dates, &DateFormat::ALL, DateFormat::label);
    });
    if format == Format::Csv {
        ui.checkbox(&mut settings.utf8_bom, "Start with a byte-order mark (for Excel)")
            .on_hover_text("Excel then reads accented and non-Latin letters correctly");
        ui.checkbox(&mut settings.formula_guard, "Protect against spreadsheet formulas")
            .on_hover_text("Text starting with = + - @ gets a leading ' so a spreadsheet never runs it as a formula");
    }
}

/// A labelled drop-down of `choices` in a two-column grid row.
fn choice_ui<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut T,
    choices: &[T],
    name: fn(T) -> &'static str,
) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(label.id)
        .selected_text(name(*value))
        .show_ui(ui, |ui| {
            for choice in choices {
                ui.selectable_value(value, *choice, name(*choice));
            }
        })
        .response
        .labelled_by(label.id);
    ui.end_row();
}
