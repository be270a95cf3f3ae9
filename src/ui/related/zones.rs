//! The Secure zones tab: the contact's zones with their expiry, edited in place. A zone is
//! added from those seen on this site or by its id, removed, or given a new expiry with a
//! date picker or "No expiry"; changes are marked as the editor marks them until Save
//! sends the complete list, which is then read back. Expired zones say so.

use chrono::{Datelike as _, Utc};

use crate::api::{SecureZone, Timestamp};
use crate::app::command::Command;
use crate::app::related::{Related, RelatedCommand, Tab, ZoneChange, ZoneEditor};

use super::{Intents, empty_ui, error_ui, loading_ui};

/// A new expiry, when "No expiry" is unticked: a year from today.
const DEFAULT_TERM_DAYS: i64 = 365;

pub fn ui(ui: &mut egui::Ui, related: &mut Related, intents: &mut Intents) {
    let Related { zones, known_zones, .. } = related;
    if zones.loaded.is_none() {
        match &zones.load_error {
            Some(error) => error_ui(ui, error, Tab::SecureZones, intents),
            None => loading_ui(ui, "Loading secure zones…"),
        }
        return;
    }
    if let Some(error) = &zones.load_error {
        error_ui(ui, error, Tab::SecureZones, intents);
    }
    let changes = zones.changes();
    egui::ScrollArea::vertical()
        .id_salt("zones")
        .auto_shrink([false, true])
        .max_height(ui.available_height() - 120.0)
        .show(ui, |ui| {
            if zones.draft.is_empty() && changes.is_empty() {
                empty_ui(ui, "This contact is in no secure zones.");
            }
            let now = Timestamp::from(Utc::now());
            for zone in zones.draft.clone() {
                zone_ui(ui, zones, &zone, changes.get(&zone.id).copied(), now);
            }
            for zone in zones.removed().into_iter().cloned().collect::<Vec<_>>() {
                removed_ui(ui, zones, &zone);
            }
        });
    ui.separator();
    add_ui(ui, zones, known_zones);
    ui.add_space(6.0);
    save_ui(ui, zones, changes.len(), intents);
}

/// One zone: its name, its expiry (a date or none), the mark of a change with its Revert,
/// and Remove.
fn zone_ui(ui: &mut egui::Ui, zones: &mut ZoneEditor, zone: &SecureZone, change: Option<ZoneChange>, now: Timestamp) {
    ui.horizontal(|ui| {
        let name = egui::RichText::new(&zone.name);
        let name = if change.is_some() { name.strong().color(ui.visuals().warn_fg_color) } else { name };
        let label = ui.add(egui::Label::new(name).truncate()).on_hover_text(format!("Zone {}", zone.id));
        match change {
            Some(ZoneChange::Added) => {
                ui.colored_label(ui.visuals().warn_fg_color, "added");
            }
            Some(ZoneChange::Redated) => {
                ui.colored_label(ui.visuals().warn_fg_color, "new expiry");
            }
            _ => {}
        }
        if zone.expiry_date_time.is_some_and(|expiry| expiry < now) {
            ui.colored_label(ui.visuals().error_fg_color, "Expired").on_hover_text("The contact no longer has access");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let remove = ui.small_button("Remove").on_hover_text("Take the contact out of this zone (on Save)");
            remove.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Remove {}", zone.name)));
            if remove.clicked() {
                zones.remove(zone.id);
            }
            if change.is_some() {
                let revert = ui.small_button("↺").on_hover_text("Put this zone back as it was loaded");
                revert.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Revert {}", zone.name))
                });
                if revert.clicked() {
                    zones.revert(zone.id);
                }
            }
            expiry_ui(ui, zones, zone);
        });
        label
    });
}

/// The expiry: a date picker, or "No expiry".
fn expiry_ui(ui: &mut egui::Ui, zones: &mut ZoneEditor, zone: &SecureZone) {
    if let Some(expiry) = zone.expiry_date_time {
        let mut date = local_date(expiry);
        let salt = format!("zone_expiry_{}", zone.id);
        let response = ui.add(egui_extras::DatePickerButton::new(&mut date).id_salt(&salt).calendar_week(false));
        let shown = date.strftime("%Y-%m-%d").to_string();
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Expiry of {}: {shown}", zone.name))
        });
        if date != local_date(expiry) {
            zones.set_expiry(zone.id, end_of_day(date));
        }
    }
    let mut forever = zone.expiry_date_time.is_none();
    let checkbox = ui.checkbox(&mut forever, "No expiry");
    checkbox.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::CheckBox, true, forever, format!("No expiry for {}", zone.name))
    });
    if checkbox.changed() {
        let expiry = (!forever).then(|| Timestamp::from(Utc::now() + chrono::Duration::days(DEFAULT_TERM_DAYS)));
        zones.set_expiry(zone.id, expiry.and_then(|at| end_of_day(local_date(at))));
    }
}

/// A zone the user took out, struck through until the save, with Undo.
fn removed_ui(ui: &mut egui::Ui, zones: &mut ZoneEditor, zone: &SecureZone) {
    ui.horizontal(|ui| {
        let name = egui::RichText::new(&zone.name).strikethrough().color(ui.visuals().warn_fg_color);
        ui.add(egui::Label::new(name).truncate());
        ui.colored_label(ui.visuals().warn_fg_color, "removed");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let undo = ui.small_button("Undo").on_hover_text("Keep the contact in this zone");
            undo.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Undo removing {}", zone.name))
            });
            if undo.clicked() {
                zones.revert(zone.id);
            }
        });
    });
}

/// Add a zone: one seen on this site, or any by its id.
fn add_ui(ui: &mut egui::Ui, zones: &mut ZoneEditor, known: &std::collections::BTreeMap<i64, String>) {
    ui.horizontal(|ui| {
        let addable: Vec<(i64, &String)> = known
            .iter()
            .filter(|(id, _)| !zones.draft.iter().any(|z| z.id == **id))
            .map(|(id, name)| (*id, name))
            .collect();
        let mut picked = None;
        egui::ComboBox::from_id_salt("add_zone")
            .selected_text("Add a zone…")
            .width(160.0)
            .show_ui(ui, |ui| {
                if addable.is_empty() {
                    ui.weak("No other zones seen on this site");
                }
                for (id, name) in &addable {
                    if ui.selectable_label(false, name.as_str()).clicked() {
                        picked = Some((*id, (*name).clone()));
                    }
                }
            })
            .response
            .on_hover_text("The zones seen on this site so far")
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Add a zone"));
        if let Some((id, name)) = picked {
            zones.add(id, &name);
        }
        let input = egui::TextEdit::singleline(&mut zones.add_by_id).hint_text("Zone id").desired_width(70.0);
        let input = ui.add(input);
        input.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Zone id"));
        let id = zones.add_by_id.trim().parse::<i64>().ok().filter(|id| *id > 0);
        let enter = input.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let add = ui.add_enabled(id.is_some(), egui::Button::new("Add by id"));
        let add = add.on_disabled_hover_text("Type the zone's number (its Id on the site)");
        if let Some(id) = id.filter(|_| add.clicked() || enter) {
            let name = known.get(&id).cloned().unwrap_or_else(|| format!("Zone {id}"));
            zones.add(id, &name);
            zones.add_by_id.clear();
        }
    });
}

fn save_ui(ui: &mut egui::Ui, zones: &mut ZoneEditor, changes: usize, intents: &mut Intents) {
    ui.horizontal(|ui| {
        let save = ui.add_enabled(changes > 0 && !zones.is_saving(), egui::Button::new("Save zones"));
        let save = save.on_hover_text("Send the contact's complete list of zones to the site, then read it back");
        if save.clicked() {
            intents.commands.push(Command::Related(RelatedCommand::SaveZones));
        }
        let discard = ui.add_enabled(changes > 0 && !zones.is_saving(), egui::Button::new("Discard zone changes"));
        if discard.on_hover_text("Put every zone back as it was loaded").clicked() {
            zones.draft = zones.loaded.clone().unwrap_or_default();
            zones.save_error = None;
        }
        if zones.is_saving() {
            ui.spinner();
            ui.weak("Saving…");
        } else if changes > 0 {
            ui.colored_label(ui.visuals().warn_fg_color, crate::app::text::plural(changes as u64, "change", "changes"));
        }
    });
    if let Some(error) = &zones.save_error {
        let text = format!("The zones were not saved: {error}. Your changes are kept; Save to try again.");
        ui.add(egui::Label::new(egui::RichText::new(text).color(ui.visuals().error_fg_color)).wrap());
    }
}

/// The day of `at` in the user's time zone, for the date picker.
fn local_date(at: Timestamp) -> jiff::civil::Date {
    let day = at.0.with_timezone(&chrono::Local).date_naive();
    let (year, month, date) = (day.year() as i16, day.month() as i8, day.day() as i8);
    jiff::civil::Date::new(year, month, date).unwrap_or_default()
}

/// A zone picked to expire on `date` stays open through that day, in the user's time zone.
fn end_of_day(date: jiff::civil::Date) -> Option<Timestamp> {
    let day = chrono::NaiveDate::from_ymd_opt(date.year().into(), date.month() as u32, date.day() as u32)?;
    let local = day.and_hms_opt(23, 59, 59)?.and_local_timezone(chrono::Local).earliest()?;
    Some(Timestamp::from(local.with_timezone(&Utc)))
}
