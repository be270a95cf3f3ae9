//! One row of the editor: a label (marked while changed), the input tied to it for screen
//! readers, a Revert button while changed, and the field's problem under it.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::Contact;
use crate::api::contact_fields::{FIELDS, Field};
use crate::api::fields::unreadable_text;
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

/// The fields of `contact` whose value the site sent could not be read, with the text shown
/// for each ("unreadable: <raw>").
pub fn unreadable_fields(contact: &Contact) -> BTreeMap<String, String> {
    FIELDS
        .iter()
        .filter_map(|spec| Some((spec.name.to_owned(), unreadable_text(contact.unreadable(spec.name)?))))
        .collect()
}

/// A yes/no that may be unset: `None` shows as "not set" (not as unchecked) until clicked.
pub fn tri_state_ui(ui: &mut egui::Ui, value: &mut Option<bool>, label: &str) -> egui::Response {
    let mut checked = value.unwrap_or(false);
    let response = ui.add(egui::Checkbox::new(&mut checked, label).indeterminate(value.is_none()));
    if value.is_none() {
        ui.weak("not set");
    }
    if response.changed() {
        *value = Some(checked);
    }
    response
}

/// What every row needs to know of the edit.
pub struct Rows<'a> {
    /// Fields whose value could not be read, with their text (see [`unreadable_fields`]).
    pub unreadable: &'a BTreeMap<String, String>,
    pub changed: &'a BTreeSet<String>,
    pub problems: &'a BTreeMap<String, String>,
    pub intents: &'a mut Intents,
    /// The first input drawn takes the keyboard (Enter on a grid row).
    pub focus_first: bool,
    /// The field whose input has the keyboard (what Ctrl+R reverts).
    pub focused: Option<String>,
    /// Fields the keyboard left since the contact opened: their problems show (a problem
    /// of a field not visited yet, like an empty email on a new contact, waits).
    pub left: &'a mut std::collections::BTreeSet<String>,
    /// Every problem shows (a save was asked for).
    pub reveal_all: bool,
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
        self.row_with_hint(ui, field, title, None, input);
    }

    /// As [`Rows::row`], with a hover text on the label (a custom field's alias).
    pub fn row_with_hint(
        &mut self,
        ui: &mut egui::Ui,
        field: &str,
        title: &str,
        hint: Option<&str>,
        input: impl FnOnce(&mut egui::Ui, f32) -> egui::Response,
    ) {
        let changed = self.changed.contains(field);
        ui.horizontal(|ui| {
            // Changed fields stand out by colour and weight; the label's text (its name for
            // screen readers) stays the field's title.
            let text = egui::RichText::new(title);
            let text = if changed { text.strong().color(ui.visuals().warn_fg_color) } else { text };
            let label = ui.add_sized([LABEL_WIDTH, 18.0], egui::Label::new(text).truncate());
            match (changed, hint) {
                (true, Some(hint)) => label.clone().on_hover_text(format!("{hint} · changed; not saved yet")),
                (true, None) => label.clone().on_hover_text("Changed; not saved yet"),
                (false, Some(hint)) => label.clone().on_hover_text(hint),
                (false, None) => label.clone(),
            };
            // The input takes the row but room for the Revert button.
            let width = (ui.available_width() - if changed { 30.0 } else { 0.0 }).max(60.0);
            let response = input(ui, width).labelled_by(label.id);
            if std::mem::take(&mut self.focus_first) {
                response.request_focus();
            }
            if response.has_focus() {
                self.focused = Some(field.to_owned());
            }
            if response.lost_focus() {
                self.left.insert(field.to_owned());
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
        if let Some(raw) = self.unreadable.get(field).filter(|_| !changed) {
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
                ui.add(egui::Label::new(egui::RichText::new(raw).weak()).wrap())
                    .on_hover_text("Kept as the site sent it, and sent back unchanged unless you change it");
            });
        }
        let shown = self.reveal_all || self.left.contains(field);
        if let Some(problem) = self.problems.get(field).filter(|_| shown) {
            ui.horizontal(|ui| {
                ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
                // Wrapped: a long message must not widen the pane.
                let text = egui::RichText::new(problem).color(ui.visuals().error_fg_color);
                ui.add(egui::Label::new(text).wrap());
            });
        }
    }

    /// A text field of the contact, its name and title from the field table (empty is none).
    pub fn text(&mut self, ui: &mut egui::Ui, field: Field, contact: &mut Contact, multiline: bool) {
        let Some(value) = field.text_mut(contact) else {
            debug_assert!(false, "{} is not a text field", field.name());
            return;
        };
        self.row(ui, field.name(), field.title(), |ui, width| {
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

/// How a drop-down of [`choice_ui`] takes its value.
#[derive(Clone, Copy, Default, PartialEq)]
enum ChoiceMode {
    #[default]
    List,
    /// "Other…" was picked: a text field, taking the keyboard on its first frame.
    Typing { focus: bool },
}

/// A value picked from `choices` (the contract's values and those seen on the site), "—" for
/// none, or typed after "Other…". A value the site sent that is not listed shows as it is.
pub fn choice_ui(
    ui: &mut egui::Ui,
    salt: &str,
    value: &mut Option<String>,
    choices: &[String],
    width: f32,
) -> egui::Response {
    let id = ui.make_persistent_id(("choice", salt));
    let mode: ChoiceMode = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let current = value.clone().unwrap_or_default();
    if let ChoiceMode::Typing { focus } = mode {
        let mut text = current;
        let response = ui.add(egui::TextEdit::singleline(&mut text).hint_text("type a value").desired_width(width));
        if focus {
            response.request_focus();
        }
        if response.changed() {
            *value = Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        }
        let next = if response.lost_focus() { ChoiceMode::List } else { ChoiceMode::Typing { focus: false } };
        ui.data_mut(|d| d.insert_temp(id, next));
        return response;
    }
    let listed = choices.contains(&current);
    let shown = if current.is_empty() { "—".to_owned() } else { current.clone() };
    let mut picked: Option<Option<String>> = None;
    let mut other = false;
    let combo = egui::ComboBox::from_id_salt(id).selected_text(shown).width(width).show_ui(ui, |ui| {
        if ui.selectable_label(current.is_empty(), "—").clicked() {
            picked = Some(None);
        }
        for choice in choices {
            if ui.selectable_label(*choice == current, choice).clicked() {
                picked = Some(Some(choice.clone()));
            }
        }
        if !current.is_empty() && !listed {
            ui.add_enabled(false, egui::Button::selectable(true, format!("{current} (from the site)")));
        }
        if ui.selectable_label(false, "Other…").on_hover_text("Type a value that is not listed").clicked() {
            other = true;
        }
    });
    let mut response = combo.response;
    if let Some(picked) = picked.filter(|p| *p != *value) {
        *value = picked;
        response.mark_changed();
    }
    if other {
        // Another value than the ones listed: typed from scratch.
        *value = None;
        response.mark_changed();
        ui.data_mut(|d| d.insert_temp(id, ChoiceMode::Typing { focus: true }));
        ui.ctx().request_repaint();
    }
    response
}
