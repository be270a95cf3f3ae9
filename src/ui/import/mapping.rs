//! The mapping: each column of the file with a sample value and the field it fills, the
//! choices made once for the file (match on, mode, empty cells), what stops a dry run, and
//! the Dry run button.

use crate::app::import::{ImportCommand, ImportDialog};
use crate::import::mapping::{MatchOn, Target};
use crate::import::plan::Mode;
use crate::import::values::EmptyCells;

use super::labelled_combo_ui;

const TARGET_WIDTH: f32 = 280.0;
const HEADER_WIDTH: f32 = 220.0;
const SAMPLE_WIDTH: f32 = 300.0;

/// A label of a set width, left-aligned, cut with "…" when longer.
fn fixed_label_ui(ui: &mut egui::Ui, width: f32, text: egui::RichText) -> egui::Response {
    let size = egui::vec2(width, ui.spacing().interact_size.y);
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(size, layout, |ui| {
        ui.set_min_width(width);
        ui.add(egui::Label::new(text).truncate())
    })
    .inner
}

pub fn ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, height: f32, command: &mut impl FnMut(ImportCommand)) {
    let busy = dialog.is_busy();
    ui.add_enabled_ui(!busy, |ui| {
        columns_ui(ui, dialog, height);
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| options_ui(ui, dialog));
    });
    let problems = dialog.problems();
    for problem in &problems {
        ui.colored_label(ui.visuals().error_fg_color, problem.to_string());
    }
    ui.horizontal(|ui| {
        let ready = problems.is_empty() && !busy;
        let button = ui.add_enabled(ready, egui::Button::new("Dry run"));
        let why_not = if busy { "Wait for the work under way" } else { "Fix the mapping first (see above)" };
        let hover = "Find out what the import would do to each row; nothing is sent";
        if button.on_hover_text(hover).on_disabled_hover_text(why_not).clicked() {
            command(ImportCommand::DryRun);
        }
        if dialog.reviewed.is_some() && dialog.current().is_none() && dialog.report.is_none() {
            ui.weak("The mapping changed since the dry run: run it again.");
        }
    });
}

/// A line per column: its header, a sample value, and the field it is imported as.
fn columns_ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, height: f32) {
    let Some(table) = dialog.table.clone() else { return };
    let samples = dialog.samples();
    let targets = dialog.targets();
    egui::ScrollArea::vertical().id_salt("import_mapping").max_height(height).auto_shrink([false, true]).show(
        ui,
        |ui| {
            egui::Grid::new("import_mapping_grid").num_columns(3).striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
                ui.strong("Column of the file");
                ui.strong("Sample");
                ui.strong("Imported as");
                ui.end_row();
                for (i, header) in table.headers.iter().enumerate() {
                    let Some(chosen) = dialog.mapping.columns.get_mut(i) else { break };
                    let sample = samples.get(i).map_or("", String::as_str);
                    fixed_label_ui(ui, HEADER_WIDTH, egui::RichText::new(header)).on_hover_text(header);
                    fixed_label_ui(ui, SAMPLE_WIDTH, egui::RichText::new(sample).weak());
                    target_combo_ui(ui, i, header, chosen, &targets);
                    ui.end_row();
                }
            });
        },
    );
}

fn target_combo_ui(ui: &mut egui::Ui, column: usize, header: &str, chosen: &mut Target, targets: &[Target]) {
    let shown = chosen.label();
    let shown = match chosen {
        Target::Password => egui::RichText::new(shown).color(ui.visuals().error_fg_color),
        Target::Ignore => egui::RichText::new(shown).weak(),
        _ => egui::RichText::new(shown),
    };
    egui::ComboBox::from_id_salt(("import_target", column))
        .selected_text(shown)
        .width(TARGET_WIDTH)
        .height(360.0)
        .show_ui(ui, |ui| {
            for target in targets {
                ui.selectable_value(chosen, target.clone(), target.label());
            }
        })
        .response
        .accessible_name(format!("Import “{header}” as"));
}

/// Match on, mode, and what an empty cell does.
fn options_ui(ui: &mut egui::Ui, dialog: &mut ImportDialog) {
    let options = &mut dialog.options;
    labelled_combo_ui(ui, "Match on", "import_match_on", options.match_on.label(), 80.0, |ui| {
        for choice in MatchOn::ALL {
            ui.selectable_value(&mut options.match_on, choice, choice.label());
        }
    })
    .on_hover_text("What finds a row's contact on the site: its email (in any case) or its Id");
    ui.add_space(8.0);
    labelled_combo_ui(ui, "Mode", "import_mode", options.mode.label(), 300.0, |ui| {
        for choice in Mode::ALL {
            ui.selectable_value(&mut options.mode, choice, choice.label());
        }
    });
    ui.add_space(8.0);
    labelled_combo_ui(ui, "Empty cells", "import_empty", options.empty.label(), 200.0, |ui| {
        for choice in EmptyCells::ALL {
            ui.selectable_value(&mut options.empty, choice, choice.label());
        }
    })
    .on_hover_text("What an empty cell does to a contact that has a value there");
}
