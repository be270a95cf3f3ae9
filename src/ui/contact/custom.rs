//! One collapsible panel per custom CRM group, with an input that fits each value (text,
//! multi-line text, checkbox, number), and the fields a newer site sent that this app does
//! not know (shown as they are; they go back unchanged on save).

use serde_json::Value;

use crate::api::{Contact, FieldPath};
use crate::app::grid::Grid;
use crate::app::text::readable;

use super::field::Rows;

pub fn groups_ui(ui: &mut egui::Ui, contact: &mut Contact, rows: &mut Rows) {
    for (group, values) in contact.custom_crm_groups.iter_mut() {
        egui::CollapsingHeader::new(readable(group)).id_salt(("custom_group", group.as_str())).default_open(true).show(
            ui,
            |ui| {
                for (name, value) in values.iter_mut() {
                    let field = FieldPath::custom(group, name.as_str()).to_string();
                    let alias = format!("Alias on the site: {name}");
                    let title = readable(name);
                    rows.row_with_hint(ui, &field, &title, Some(&alias), |ui, width| value_ui(ui, value, width));
                }
            },
        );
    }
}

/// An input for one custom value, by what the value is.
fn value_ui(ui: &mut egui::Ui, value: &mut Value, width: f32) -> egui::Response {
    match value {
        Value::Bool(flag) => ui.checkbox(flag, ""),
        Value::Number(number) => {
            let whole = number.is_i64() || number.is_u64();
            let mut n = number.as_f64().unwrap_or_default();
            let response = ui.add(egui::DragValue::new(&mut n).speed(if whole { 1.0 } else { 0.1 }));
            if response.changed() {
                let changed = if whole {
                    Some(serde_json::Number::from(n.round() as i64))
                } else {
                    serde_json::Number::from_f64(n)
                };
                if let Some(changed) = changed {
                    *number = changed;
                }
            }
            response
        }
        Value::String(text) if date_of(text).is_some() => date_ui(ui, text),
        other => {
            let mut text = match &*other {
                Value::String(text) => text.clone(),
                Value::Null => String::new(),
                json => json.to_string(),
            };
            let multiline = text.contains('\n') || text.chars().count() > 60;
            let response = super::field::text_input(ui, &mut text, multiline, width);
            if response.changed() {
                *other = Value::String(text);
            }
            response
        }
    }
}

/// A custom text value that holds a date (`2026-03-01`): the site keeps dates as text.
fn date_of(text: &str) -> Option<jiff::civil::Date> {
    let text = text.trim();
    (text.len() == 10).then(|| jiff::civil::Date::strptime("%Y-%m-%d", text).ok()).flatten()
}

/// A date picker for a date kept as text; the text keeps its form.
fn date_ui(ui: &mut egui::Ui, text: &mut String) -> egui::Response {
    let Some(mut date) = date_of(text) else { return ui.label(text.as_str()) };
    let before = date;
    let id = ui.next_auto_id();
    let salt = format!("custom_date_{id:?}");
    let response = ui.add(egui_extras::DatePickerButton::new(&mut date).id_salt(&salt).calendar_week(false));
    if date != before {
        *text = date.strftime("%Y-%m-%d").to_string();
    }
    response
}

/// Adds a custom field that other contacts of the site have and this one lacks, with an
/// empty value of the kind seen there.
pub fn add_field_ui(ui: &mut egui::Ui, contact: &mut Contact, grid: &Grid) {
    let missing: Vec<&(String, String)> = grid
        .custom_fields
        .iter()
        .filter(|(group, field)| contact.custom_crm_groups.get(group).is_none_or(|values| !values.contains_key(field)))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut chosen: Option<(String, String)> = None;
    let combo = egui::ComboBox::from_id_salt("add_custom_field").selected_text("Add a field…").show_ui(ui, |ui| {
        for (group, field) in missing {
            if ui.selectable_label(false, format!("{group}: {field}")).clicked() {
                chosen = Some((group.clone(), field.clone()));
            }
        }
    });
    combo.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Add a custom field"));
    if let Some((group, field)) = chosen {
        let value = empty_like(grid.loaded_value(&group, &field));
        contact.custom_crm_groups.entry(group).or_default().insert(field, value);
    }
}

/// An empty value of the same kind as `seen`.
fn empty_like(seen: Option<&Value>) -> Value {
    match seen {
        Some(Value::Bool(_)) => Value::Bool(false),
        Some(Value::Number(_)) => Value::from(0),
        _ => Value::String(String::new()),
    }
}

/// Fields this version does not model, read-only.
pub fn unknown_ui(ui: &mut egui::Ui, contact: &Contact, rows: &mut Rows) {
    if contact.extra.is_empty() {
        return;
    }
    egui::CollapsingHeader::new("Other fields from the site").default_open(false).show(ui, |ui| {
        ui.weak("This version of the app does not know these fields; they are kept as they are.");
        for (name, value) in &contact.extra {
            rows.read_only(ui, name, &value.to_string());
        }
    });
}
