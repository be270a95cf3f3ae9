//! The contact pane's tabs beyond Details: the activity timeline, bookings, cases, orders
//! (with the customer summary) and secure zones, one file each, and the pieces they share:
//! the tab bar, the states of a list that is not ready (spinner, none, error with Retry),
//! and a record's fields.

mod activity;
mod bookings;
mod cases;
mod changes;
pub(super) mod list;
mod orders;
mod summary;
mod zones;

use egui::accesskit::Role;
use serde_json::Value;

use crate::api::model::CustomCrmGroups;
use crate::app::command::Command;
use crate::app::money::MoneyFormat;
use crate::app::related::{RecordKind, Related, RelatedCommand, Tab};
use crate::app::text::thousands;

use super::Intents;

/// A record to show in its tab (a timeline entry or a link was clicked).
pub type OpenRecord = Option<(RecordKind, u64)>;

/// The tab bar: each tab with its count once known. Returns the tab shown.
pub fn tab_bar_ui(ui: &mut egui::Ui, related: &mut Related) -> Tab {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 2.0;
        for tab in Tab::ALL {
            let title = match related.count(tab) {
                Some(count) => format!("{} ({})", tab.label(), thousands(count)),
                None => tab.label().to_owned(),
            };
            let selected = related.tab == tab;
            let response = ui.add(egui::Button::selectable(selected, &title));
            response.widget_info(|| egui::WidgetInfo::selected(Role::Tab, true, selected, &title));
            if response.clicked() {
                related.tab = tab;
            }
        }
    });
    ui.separator();
    related.tab
}

/// The shown tab (not Details, which the editor draws).
/// `undoing`: an undo from the change journal is running.
pub fn tab_ui(ui: &mut egui::Ui, related: &mut Related, money: &MoneyFormat, undoing: bool, intents: &mut Intents) {
    let open = match related.tab {
        Tab::Details => None,
        Tab::Activity => activity::ui(ui, related, money, intents),
        Tab::Bookings => bookings::ui(ui, related, intents),
        Tab::Cases => cases::ui(ui, related, intents),
        Tab::Orders => orders::ui(ui, related, money, intents),
        Tab::SecureZones => {
            zones::ui(ui, related, intents);
            None
        }
        Tab::Changes => {
            changes::ui(ui, related, undoing, intents);
            None
        }
    };
    if let Some((kind, index)) = open {
        related.show_record(kind, index);
    }
}

/// How often the count of records read so far is drawn again while the history walks.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(150);

/// " (500 of 2,000)" while the walk through the contact's records knows its total.
fn walked(history: &crate::app::related::ActivityHistory) -> String {
    match history.progress() {
        (read, expected) if expected > 0 => format!(" ({} of {})", thousands(read), thousands(expected)),
        _ => String::new(),
    }
}

/// What a tab shows while its data is on the way.
fn loading_ui(ui: &mut egui::Ui, what: &str) {
    ui.add_space(12.0);
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(what);
    });
}

/// What a tab shows when there is nothing to list.
fn empty_ui(ui: &mut egui::Ui, what: &str) {
    ui.add_space(12.0);
    ui.vertical_centered(|ui| ui.weak(what));
}

/// A failed load, said plainly, with Retry (which loads the tab again).
fn error_ui(ui: &mut egui::Ui, error: &str, tab: Tab, intents: &mut Intents) {
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.add(egui::Label::new(egui::RichText::new(error).color(ui.visuals().error_fg_color)).wrap());
    });
    let retry = ui.button("Retry").on_hover_text(format!("Load the {} again", tab.label().to_lowercase()));
    if retry.clicked() {
        intents.commands.push(Command::Related(RelatedCommand::Reload(tab)));
    }
}

/// Label and value rows of a record, in a two-column grid.
fn fields_ui(ui: &mut egui::Ui, id: impl std::hash::Hash + std::fmt::Debug, fields: &[(&str, String)]) {
    fields_across_ui(ui, id, fields, 1);
}

/// Label and value pairs, `across` of them a row (short values side by side save height).
fn fields_across_ui(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    fields: &[(&str, String)],
    across: usize,
) {
    egui::Grid::new(id).num_columns(2 * across).spacing([12.0, 4.0]).show(ui, |ui| {
        for row in fields.chunks(across.max(1)) {
            for (title, value) in row {
                ui.weak(*title);
                // Side by side, a value keeps its line (a squeezed column would break words).
                let value = egui::Label::new(value);
                ui.add(if across > 1 { value.extend() } else { value.wrap() });
            }
            ui.end_row();
        }
    });
}

/// A record's own fields (a booking's, a case's), named by their keys.
fn value_fields_ui(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    values: &std::collections::BTreeMap<String, Value>,
) {
    let fields: Vec<(&str, String)> = values.iter().map(|(name, value)| (name.as_str(), value_text(value))).collect();
    fields_ui(ui, id, &fields);
}

/// The custom CRM groups of a record, one section each.
fn groups_ui(ui: &mut egui::Ui, id: impl std::hash::Hash + std::fmt::Debug + Copy, groups: &CustomCrmGroups) {
    for (group, values) in groups {
        egui::CollapsingHeader::new(group).id_salt((id, group)).default_open(true).show(ui, |ui| {
            value_fields_ui(ui, (id, group, "fields"), values);
        });
    }
}

/// A JSON value as text: strings without quotes, yes/no for booleans, a dash for nothing.
fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::String(text) if text.is_empty() => "—".to_owned(),
        Value::String(text) => text.clone(),
        Value::Bool(true) => "Yes".to_owned(),
        Value::Bool(false) => "No".to_owned(),
        other => other.to_string(),
    }
}

/// "Open order #1042" for the order a booking or case came with; waits for the walk
/// through the contact's orders that finds its place in the list.
fn order_link_ui(ui: &mut egui::Ui, related: &Related, order_id: Option<i64>) -> OpenRecord {
    let order_id = order_id.filter(|id| *id > 0)?;
    let data = related.history.as_ref().and_then(|history| history.data());
    let row = data.and_then(|data| data.order_rows.get(&order_id).copied());
    let title = format!("Open order {order_id}");
    let response = ui.add_enabled(row.is_some(), egui::Button::new(&title).small());
    let response = match (row, data) {
        (Some(_), _) => response.on_hover_text("Show this order in the Orders tab"),
        (None, None) => response.on_disabled_hover_text("Finding the order among the contact's orders…"),
        (None, Some(_)) => response.on_disabled_hover_text("The order is not among this contact's orders"),
    };
    let clicked = response.clicked();
    row.filter(|_| clicked).map(|row| (RecordKind::Order, row))
}

/// How tall the list part of a tab is: all of it until a record is picked, then less than
/// half, leaving the rest to the record.
/// How a tab shares its room between its list and the record picked in it: the list takes
/// all of it until a record is picked, then its share, which the user sets by dragging the
/// line between them (remembered with the window's state, for every tab alike).
pub(super) struct ListSplit {
    room: f32,
    pub list_height: f32,
}

/// The list's share of the room when a record shows, before the user moves the line.
const LIST_SHARE: f32 = 0.36;
/// Neither side gets less than this.
const MIN_SIDE: f32 = 96.0;

impl ListSplit {
    pub(super) fn new(ui: &egui::Ui, record_shown: bool) -> Self {
        let room = ui.available_height();
        let share = ui.data_mut(|d| d.get_persisted::<f32>(Self::id())).unwrap_or(LIST_SHARE);
        let list_height = if record_shown { Self::clamp(room * share, room) } else { room };
        Self { room, list_height }
    }

    fn id() -> egui::Id {
        egui::Id::unique("related_list_share")
    }

    fn clamp(height: f32, room: f32) -> f32 {
        height.clamp(MIN_SIDE.min(room), (room - MIN_SIDE).max(MIN_SIDE.min(room)))
    }

    /// The line under the list; dragging it moves the share.
    pub(super) fn line_ui(&self, ui: &mut egui::Ui) {
        let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), 9.0), egui::Sense::drag());
        response.widget_info(|| egui::WidgetInfo::labeled(Role::Splitter, true, "Resize the list"));
        let active = response.hovered() || response.dragged();
        if active {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
        }
        let stroke =
            if active { ui.visuals().widgets.hovered.fg_stroke } else { ui.visuals().widgets.noninteractive.bg_stroke };
        ui.painter().hline(rect.x_range(), rect.center().y, stroke);
        if response.dragged() && self.room > 0.0 {
            let height = Self::clamp(self.list_height + response.drag_delta().y, self.room);
            ui.data_mut(|d| d.insert_persisted(Self::id(), height / self.room));
        }
    }
}
