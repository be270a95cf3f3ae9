//! One row of the editor: a label (marked while changed), the input tied to it for screen
//! readers, a Revert button while changed, and the field's problem under it.

use std::collections::{BTreeMap, BTreeSet};

use crate::app::command::Command;
use crate::app::contact::EditorCommand;

use super::super::Intents;

/// A one- or three-line text input `width` wide.
pub fn text_input(ui: &mut egui::Ui, text: &mut String, multiline: bool, width: f32) -> egui::Response {
    let edit =
        if multiline { egui::TextEdit::multiline(text).desired_rows(3) } else { egui::TextEdit::singleline(text) };
    ui.add(edit.desired_width(width))
}

/// Width of the labels column.
const LABEL_WIDTH: f32 = 118.0;

/// What every row needs to know of the edit.
pub struct Rows<'a> {
    pub changed: &'a BTreeSet<String>,
    pub problems: &'a BTreeMap<String, String>,
    pub intents: &'a mut Intents,
    /// The first input drawn takes the keyboard (Enter on a grid row).
    pub focus_first: bool,
    /// The field whose input has the keyboard (what Ctrl+R reverts).
    pub focused: Option<String>,
}

impl Rows<'_> {
    /// A row for `field`: `input` draws the input and returns its response.
    pub fn row(
        &mut self,
        ui: &mut egui::Ui,
        field: &str,
        title: &str,
        input: impl FnOnce(&mut egui::Ui, f32) -> egui::Response,
    ) {
        let changed = self.changed.contains(field);
        ui.horizontal(|ui| {
            // Changed fields stand out by colour and weight; the label's text (its name for
            // screen readers) stays the field's title.
            let text = egui::RichText::new(title);
            let text = if changed { text.strong().color(ui.visuals().warn_fg_color) } else { text };
            let label = ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new(text).truncate());
            if changed {
                label.clone().on_hover_text("Changed; not saved yet");
            }
            // The input takes the row but room for the Revert button.
            let width = (ui.available_width() - if changed { 30.0 } else { 0.0 }).max(60.0);
            let response = input(ui, width).labelled_by(label.id);
            if std::mem::take(&mut self.focus_first) {
                response.request_focus();
            }
            if response.has_focus() {
                self.focused = Some(field.to_owned());
            }
            if changed {
                // Clickable, but out of the Tab order: Tab goes from field to field, and
                // Ctrl+R reverts the field being typed in.
                let button = egui::Button::new("↺").small().sense(egui::Sense::CLICK);
                let revert = ui.add(button).on_hover_text(format!("Put {title} back as it was loaded (Ctrl+R)"));
                revert.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Revert {title}")));
                if revert.clicked() {
                    self.intents.commands.push(Command::Editor(EditorCommand::Revert(field.to_owned())));
                }
            }
        });
        if let Some(problem) = self.problems.get(field) {
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
                // Wrapped: a long message must not widen the pane.
                let text = egui::RichText::new(problem).color(ui.visuals().error_fg_color);
                ui.add(egui::Label::new(text).wrap());
            });
        }
    }

    /// A text field held as `Option<String>` (empty is none).
    pub fn text(&mut self, ui: &mut egui::Ui, field: &str, title: &str, value: &mut Option<String>, multiline: bool) {
        self.row(ui, field, title, |ui, width| {
            let mut text = value.clone().unwrap_or_default();
            let response = text_input(ui, &mut text, multiline, width);
            if response.changed() {
                *value = (!text.is_empty()).then_some(text);
            }
            response
        });
    }

    /// A value shown, not edited.
    pub fn read_only(&mut self, ui: &mut egui::Ui, title: &str, value: &str) {
        ui.horizontal(|ui| {
            let label = ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new(egui::RichText::new(title).weak()));
            ui.label(value).labelled_by(label.id);
        });
    }
}
