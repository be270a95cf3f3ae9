//! The dry run: the counts by outcome, a filter by outcome, the table of every row (only the
//! rows on screen are drawn: a file may have 100,000), a Keep box per row to send, Export,
//! and Apply (the count typed first when it is large).

use egui_extras::{Column, TableBuilder};

use crate::app::import::{ImportCommand, ImportDialog, Reviewed};
use crate::app::text::thousands;
use crate::import::plan::{Change, OutcomeKind, Planned};

pub fn ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, height: f32, command: &mut impl FnMut(ImportCommand)) {
    let busy = dialog.is_busy();
    let Some(reviewed) = dialog.current_mut() else { return };
    ui.strong(counts_line(reviewed));
    ui.add_enabled_ui(!busy, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label("Show:");
            let mut changed = false;
            for kind in OutcomeKind::ALL {
                let mut on = reviewed.shown.contains(&kind);
                if ui
                    .checkbox(&mut on, kind.label())
                    .on_hover_text(format!("Show the rows to {}", kind.label()))
                    .changed()
                {
                    changed = true;
                    if on {
                        reviewed.shown.insert(kind);
                    } else {
                        reviewed.shown.remove(&kind);
                    }
                }
            }
            if changed {
                reviewed.filter();
            }
        });
        table_ui(ui, reviewed, height);
    });
    let count = reviewed.to_apply();
    if let Some(typed) = dialog.confirmation() {
        ui.add_enabled_ui(!busy, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(format!("Type {} to confirm", thousands(count)));
                ui.add(egui::TextEdit::singleline(&mut typed.typed).desired_width(120.0)).labelled_by(label.id);
            });
        });
    }
    ui.horizontal(|ui| {
        let export = ui.add_enabled(!busy, egui::Button::new("Export dry run…"));
        if export.on_hover_text("Save this table as a CSV file").clicked() {
            command(ImportCommand::ExportDryRun);
        }
        if let Some(path) = &dialog.saved_to {
            ui.weak(format!("Saved to {}", path.display()));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let apply = egui::Button::new(format!(
                "Apply {} {}",
                thousands(count),
                if count == 1 { "change" } else { "changes" }
            ));
            let why_not = if count == 0 { "Nothing to send" } else { "Type the count first" };
            let hover = "Create and update the rows kept on the site, as one entry in History";
            if ui
                .add_enabled(!busy && dialog.may_apply(), apply)
                .on_hover_text(hover)
                .on_disabled_hover_text(why_not)
                .clicked()
            {
                command(ImportCommand::Apply);
            }
        });
    });
    super::results::typed_save_ui(ui, dialog, command);
}

/// "12 create · 30 update · 950 unchanged · 2 skip · 1 ambiguous · 3 error".
fn counts_line(reviewed: &Reviewed) -> String {
    let parts: Vec<String> = OutcomeKind::ALL
        .iter()
        .map(|kind| format!("{} {}", thousands(reviewed.counts.get(kind).copied().unwrap_or(0)), kind.label()))
        .collect();
    parts.join(" · ")
}

fn table_ui(ui: &mut egui::Ui, reviewed: &mut Reviewed, height: f32) {
    let Reviewed { run, keep, visible, .. } = reviewed;
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .id_salt("import_dry_run")
        .striped(true)
        .resizable(true)
        .min_scrolled_height(height)
        .max_scroll_height(height)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(40.0))
        .column(Column::exact(50.0))
        .column(Column::initial(180.0).at_least(60.0).clip(true))
        .column(Column::exact(80.0))
        .column(Column::initial(150.0).at_least(60.0).clip(true))
        .column(Column::initial(280.0).at_least(80.0).clip(true))
        .column(Column::remainder().at_least(80.0).clip(true))
        .header(row_height, |mut header| {
            for title in ["Keep", "Line", "Key", "Outcome", "Contact", "Changes (before » after)", "Reason"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, visible.len(), |mut row| {
                let Some(planned) = visible.get(row.index()).and_then(|i| run.rows.get(*i)) else { return };
                let line = planned.line;
                row.col(|ui| {
                    if planned.planned.kind().sends() {
                        let mut kept = keep.contains(&line);
                        let name = format!("Keep line {line}");
                        let response = ui.checkbox(&mut kept, "").on_hover_text("Send this row when applying");
                        response.widget_info(|| {
                            egui::WidgetInfo::selected(egui::accesskit::Role::CheckBox, true, kept, &name)
                        });
                        if response.changed() {
                            if kept {
                                keep.insert(line);
                            } else {
                                keep.remove(&line);
                            }
                        }
                    }
                });
                row.col(|ui| {
                    ui.label(line.to_string());
                });
                row.col(|ui| {
                    ui.add(egui::Label::new(planned.key.as_str()).truncate());
                });
                row.col(|ui| {
                    outcome_label_ui(ui, planned.planned.kind());
                });
                row.col(|ui| {
                    let contact = match &planned.planned {
                        Planned::Update { contact, name, .. } | Planned::Unchanged { contact, name } => {
                            format!("{name} ({contact})")
                        }
                        Planned::Create { .. } => "new contact".to_owned(),
                        _ => String::new(),
                    };
                    ui.add(egui::Label::new(contact).truncate());
                });
                row.col(|ui| {
                    let changes = changes_text(planned.planned.changes());
                    if !changes.is_empty() {
                        ui.add(egui::Label::new(changes.as_str()).truncate()).on_hover_text(changes);
                    }
                });
                row.col(|ui| {
                    let reason = planned.planned.reason();
                    if !reason.is_empty() {
                        ui.add(egui::Label::new(reason).truncate()).on_hover_text(reason);
                    }
                });
            });
        });
}

fn outcome_label_ui(ui: &mut egui::Ui, kind: OutcomeKind) {
    let visuals = ui.visuals();
    let text = egui::RichText::new(kind.label());
    let text = match kind {
        OutcomeKind::Error => text.color(visuals.error_fg_color),
        OutcomeKind::Ambiguous | OutcomeKind::Skip => text.color(visuals.warn_fg_color),
        OutcomeKind::Unchanged => text.weak(),
        OutcomeKind::Create | OutcomeKind::Update => text.strong(),
    };
    ui.label(text);
}

/// "City: Oslo » Bergen; Notes: vip » (empty)" (the app's fonts have no arrow).
fn changes_text(changes: &[Change]) -> String {
    let shown = |value: &str| if value.is_empty() { "(empty)".to_owned() } else { value.to_owned() };
    let parts: Vec<String> =
        changes.iter().map(|c| format!("{}: {} » {}", c.field, shown(&c.before), shown(&c.after))).collect();
    parts.join("; ")
}
