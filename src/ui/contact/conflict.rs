//! The three-way view after a save found the contact changed on the site: for each field
//! changed there, as loaded / theirs / yours, and whether to keep theirs.

use crate::api::fields::field_title;
use crate::app::command::Command;
use crate::app::contact::{Conflict, EditorCommand, Resolution};

use super::super::Intents;

pub fn ui(ui: &mut egui::Ui, conflict: &mut Conflict, intents: &mut Intents) {
    ui.colored_label(ui.visuals().warn_fg_color, "Someone changed this contact on the site since you opened it.");
    ui.label("Nothing was saved. Choose, field by field, whose value to keep:");
    ui.add_space(6.0);
    egui::Grid::new("conflict_fields").num_columns(4).striped(true).spacing([10.0, 6.0]).show(ui, |ui| {
        for heading in ["Field", "As loaded", "On the site now", "Yours"] {
            ui.strong(heading);
        }
        ui.end_row();
        for field in &conflict.fields {
            let title = field_title(&field.field).into_owned();
            ui.label(&title);
            ui.label(shown(&field.base));
            let mut keep = conflict.keep_theirs.contains(&field.field);
            let theirs = ui.radio(keep, shown(&field.theirs)).on_hover_text("Keep the site's value");
            theirs.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::RadioButton,
                    true,
                    keep,
                    format!("{title}: keep the site's value"),
                )
            });
            if theirs.clicked() {
                keep = true;
            }
            let yours = ui.radio(!keep, shown(&field.yours)).on_hover_text("Keep your value");
            yours.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::RadioButton, true, !keep, format!("{title}: keep your value"))
            });
            if yours.clicked() {
                keep = false;
            }
            if keep {
                conflict.keep_theirs.insert(field.field.clone());
            } else {
                conflict.keep_theirs.remove(&field.field);
            }
            ui.end_row();
        }
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("Take theirs").on_hover_text("Drop your changes and show the contact as the site has it").clicked()
        {
            intents.commands.push(Command::Editor(EditorCommand::Resolve(Resolution::TakeTheirs)));
        }
        if ui
            .button("Save with these choices")
            .on_hover_text("Save your changes, with the site's value where chosen")
            .clicked()
        {
            intents.commands.push(Command::Editor(EditorCommand::Resolve(Resolution::Merge)));
        }
    });
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
