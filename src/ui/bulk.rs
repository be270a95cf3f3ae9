//! The bulk dialog: the fields to set (or clear) or the zone to grant or revoke, the preview,
//! Apply with progress and Cancel, and the result table with Retry and Export.

use crate::api::fields::field_title;
use crate::app::bulk::preview::Preview;
use crate::app::bulk::{BulkCommand, BulkDialog, BulkKind, BulkReport, BulkStage, FieldRow};
use crate::app::command::Command;
use crate::app::text::{contacts, thousands};

use super::Intents;

const VALUE_WIDTH: f32 = 220.0;

/// Draws the open dialog; `progress` is the running task's `(done, total)`. `true` when it
/// should close (never while Apply runs: its outcome would be lost).
pub fn dialog_ui(
    ctx: &egui::Context,
    dialog: &mut BulkDialog,
    progress: Option<(u64, Option<u64>)>,
    intents: &mut Intents,
) -> bool {
    let mut command = |c| intents.commands.push(Command::Bulk(c));
    let mut close = false;
    let applying = matches!(dialog.stage, BulkStage::Applying(_));
    let modal = egui::Modal::new(egui::Id::unique("bulk_dialog")).show(ctx, |ui| {
        ui.set_width(640.0);
        ui.heading(dialog.heading());
        ui.label(match dialog.kind {
            BulkKind::Edit => "Each contact is read again, changed in the chosen fields only, and saved whole.",
            BulkKind::Zones => {
                "Each contact's secure zones are read again and sent back with this zone granted or revoked."
            }
        });
        ui.add_space(6.0);
        let busy = dialog.is_busy();
        let enter = ui
            .add_enabled_ui(!busy, |ui| match dialog.kind {
                BulkKind::Edit => fields_ui(ui, dialog),
                BulkKind::Zones => {
                    zone_ui(ui, dialog);
                    false
                }
            })
            .inner;
        // Enter in a value field previews (Apply always takes a click).
        if enter && !busy && dialog.action().is_ok() {
            command(BulkCommand::Preview);
        }
        ui.add_space(6.0);
        // Once applied, the result table takes the preview's place (the dialog fits the window).
        if let Some(preview) = dialog.current_preview().filter(|_| dialog.applied.is_none()) {
            preview_ui(ui, preview);
        }
        if dialog.applied.is_none() {
            ui.add_enabled_ui(!busy, |ui| {
                super::typed_count::typed_count_ui(ui, &mut dialog.typed_count, dialog.count);
            });
        }
        if let Some(error) = &dialog.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        if let Some((done, total)) = progress.filter(|_| dialog.is_busy()) {
            ui.horizontal(|ui| {
                let total = total.unwrap_or(0);
                let share = if total == 0 { 0.0 } else { done as f32 / total as f32 };
                let text = format!("{} of {}", thousands(done), thousands(total));
                ui.add(egui::ProgressBar::new(share).text(text).desired_width(480.0));
                if ui.button("Cancel").on_hover_text("Stop after the contacts being written now").clicked() {
                    command(BulkCommand::Cancel);
                }
            });
        }
        if let Some((_, _, report)) = &dialog.applied {
            ui.separator();
            report_ui(ui, report, dialog.is_busy(), &mut command);
            if let Some(path) = &dialog.exported_to {
                ui.weak(format!("Results saved to {}", path.display()));
            }
            if let Some(path) = dialog.typed_path.as_mut() {
                ui.horizontal(|ui| {
                    let label = ui.label("Save results to");
                    ui.add(egui::TextEdit::singleline(path).desired_width(360.0)).labelled_by(label.id);
                    if ui.button("Save").clicked() {
                        command(BulkCommand::SaveResultsTo(path.as_str().into()));
                    }
                });
            }
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let close_button = ui.add_enabled(!applying, egui::Button::new("Close"));
            if close_button.on_hover_text("Close the dialog").clicked() {
                close = true;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                buttons_ui(ui, dialog, &mut command);
            });
        });
    });
    close || (modal.should_close() && !applying)
}

/// Apply, and Preview for an edit.
fn buttons_ui(ui: &mut egui::Ui, dialog: &BulkDialog, command: &mut impl FnMut(BulkCommand)) {
    let why_not = dialog.action().err().map(|error| error.to_string());
    let ready = why_not.is_none() && !dialog.is_busy();
    let why_not = why_not.or_else(|| (!dialog.typed_count.is_satisfied()).then(|| "Type the count first".to_owned()));
    let apply = egui::Button::new(format!("Apply to {}", contacts(dialog.count)));
    let hover = "Change every selected contact on the site, as one entry in the journal";
    if ui
        .add_enabled(ready && dialog.typed_count.is_satisfied(), apply)
        .on_hover_text(hover)
        .on_disabled_hover_text(why_not.unwrap_or_default())
        .clicked()
    {
        command(BulkCommand::Apply);
    }
    if dialog.kind == BulkKind::Edit {
        let preview = ui.add_enabled(ready, egui::Button::new("Preview"));
        if preview.on_hover_text("Count the contacts this would change, and show a few").clicked() {
            command(BulkCommand::Preview);
        }
    }
}

/// One line per field: the field, its new value or Clear, and Remove. `true` when Enter was
/// pressed in a value field.
fn fields_ui(ui: &mut egui::Ui, dialog: &mut BulkDialog) -> bool {
    let mut removed = None;
    let mut enter = false;
    let many = dialog.rows.len() > 1;
    egui::Grid::new("bulk_fields").num_columns(4).spacing([8.0, 4.0]).show(ui, |ui| {
        for (i, row) in dialog.rows.iter_mut().enumerate() {
            // No label beside it: named for screen readers, which read the field chosen after.
            let chooser = if many { format!("Field {} to change", i + 1) } else { "Field to change".to_owned() };
            egui::ComboBox::from_id_salt(("bulk_field", i))
                .selected_text(field_title(&row.field))
                .width(200.0)
                .show_ui(ui, |ui| {
                    for field in &dialog.fields {
                        ui.selectable_value(&mut row.field, field.clone(), field_title(field));
                    }
                })
                .response
                .accessible_name(chooser);
            let name = format!("New {}", field_title(&row.field));
            let value = egui::TextEdit::singleline(&mut row.text)
                .id_salt(("bulk_value", i))
                .hint_text(if row.clear { "(cleared)" } else { "new value" })
                .desired_width(VALUE_WIDTH);
            // Sized outright: a grid cell would shrink it to its first frame's width.
            let size = egui::vec2(VALUE_WIDTH, ui.spacing().interact_size.y);
            let response = ui.add_enabled_ui(!row.clear, |ui| ui.add_sized(size, value)).inner;
            response.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, &name));
            if i == 0 && !dialog.focused_once {
                response.request_focus();
                dialog.focused_once = response.has_focus();
            }
            enter |= response.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            ui.checkbox(&mut row.clear, "Clear").on_hover_text("Empty this field on every contact");
            if many && ui.button("Remove").on_hover_text("Do not change this field").clicked() {
                removed = Some(i);
            }
            ui.end_row();
        }
    });
    if let Some(i) = removed {
        dialog.rows.remove(i);
    }
    if ui.button("Add a field").on_hover_text("Change another field too").clicked() {
        let next = dialog.fields.iter().find(|f| !dialog.rows.iter().any(|r| &r.field == *f)).cloned();
        dialog.rows.push(FieldRow { field: next.unwrap_or_default(), ..FieldRow::default() });
    }
    enter
}

fn zone_ui(ui: &mut egui::Ui, dialog: &mut BulkDialog) {
    let form = &mut dialog.zone;
    ui.horizontal(|ui| {
        ui.radio_value(&mut form.revoke, false, "Grant");
        ui.radio_value(&mut form.revoke, true, "Revoke");
    });
    egui::Grid::new("bulk_zone").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
        let label = ui.label("Zone Id");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut form.zone_id).desired_width(80.0)).labelled_by(label.id);
            if !dialog.known_zones.is_empty() {
                let shown = form.zone_id.trim().parse().ok().and_then(|id| dialog.known_zones.get(&id));
                egui::ComboBox::from_id_salt("bulk_known_zone")
                    .selected_text(shown.map_or("Known zones", String::as_str))
                    .show_ui(ui, |ui| {
                        for (id, name) in &dialog.known_zones {
                            if ui.selectable_label(false, format!("{name} ({id})")).clicked() {
                                form.zone_id = id.to_string();
                            }
                        }
                    })
                    .response
                    .accessible_name("Known zones");
            }
        });
        ui.end_row();
        if !form.revoke {
            let label = ui.label("Expires");
            let expiry = egui::TextEdit::singleline(&mut form.expiry).hint_text("never (or 2027-01-31)");
            ui.add(expiry.desired_width(VALUE_WIDTH)).labelled_by(label.id);
            ui.end_row();
        }
    });
}

fn preview_ui(ui: &mut egui::Ui, preview: &Preview) {
    ui.strong(format!("{} of {} will change.", thousands(preview.changing), contacts(preview.contacts)));
    if let Some(reason) = &preview.first_refusal {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{} cannot take it and would fail: {reason}", contacts(preview.refusing)),
        );
    }
    if preview.samples.is_empty() {
        return;
    }
    // The samples are a few of the contacts that change: say so when they are not all of them.
    let shown = preview.samples.len() as u64;
    if shown < preview.changing {
        ui.label(format!("Showing {} of {}:", thousands(shown), thousands(preview.changing)));
    }
    egui::Grid::new("bulk_samples").num_columns(4).striped(true).spacing([12.0, 2.0]).show(ui, |ui| {
        for heading in ["Contact", "Field", "Before", "After"] {
            ui.strong(heading);
        }
        ui.end_row();
        for sample in &preview.samples {
            for (i, (field, before, after)) in sample.changes.iter().enumerate() {
                ui.label(if i == 0 { sample.label.as_str() } else { "" });
                ui.label(field_title(field));
                ui.label(if before.is_empty() { "(empty)" } else { before });
                ui.label(if after.is_empty() { "(empty)" } else { after });
                ui.end_row();
            }
        }
    });
}

/// The outcome of each contact (virtual rows: only the visible ones are drawn), Retry and Export.
fn report_ui(ui: &mut egui::Ui, report: &BulkReport, busy: bool, command: &mut impl FnMut(BulkCommand)) {
    let tally = report.tally();
    ui.strong(format!(
        "{} done, {} skipped unchanged, {} failed{}",
        thousands(tally.done),
        thousands(tally.unchanged),
        thousands(tally.failed),
        if tally.not_run > 0 { format!(", {} not run", thousands(tally.not_run)) } else { String::new() }
    ));
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    ui.horizontal(|ui| {
        for (heading, width) in [("Id", 60.0), ("Contact", 180.0), ("Outcome", 130.0)] {
            ui.add_sized([width, row_height], egui::Label::new(egui::RichText::new(heading).strong()));
        }
        ui.strong("Reason");
    });
    egui::ScrollArea::vertical().max_height(160.0).auto_shrink([false, true]).show_rows(
        ui,
        row_height,
        report.rows.len(),
        |ui, range| {
            for row in &report.rows[range] {
                ui.horizontal(|ui| {
                    ui.add_sized([60.0, row_height], egui::Label::new(row.id.to_string()));
                    // A contact that could not be read, and was not listed, has no name to show.
                    let name = if row.label.is_empty() { "(not read)" } else { row.label.as_str() };
                    ui.add_sized([180.0, row_height], egui::Label::new(name).truncate());
                    ui.add_sized([130.0, row_height], egui::Label::new(row.outcome.label()));
                    ui.add(egui::Label::new(row.outcome.reason()).truncate());
                });
            }
        },
    );
    ui.horizontal(|ui| {
        // Retry only when there is something to take again.
        let failed = report.to_retry().len() as u64;
        if failed > 0 {
            let retry = ui.add_enabled(!busy, egui::Button::new(format!("Retry {}", contacts(failed))));
            let hover = "Run the same change again for the contacts that failed or did not run";
            if retry.on_hover_text(hover).clicked() {
                command(BulkCommand::RetryFailed);
            }
        }
        let export = ui.add_enabled(!busy, egui::Button::new("Export results…"));
        if export.on_hover_text("Save this table as a CSV file").clicked() {
            command(BulkCommand::ExportResults);
        }
    });
}
