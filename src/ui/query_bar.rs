//! Above the grid: the quick search (debounced), the filter builder with its raw JSON
//! editor, the active filter as removable chips, the columns and the saved views.

use std::time::{Duration, Instant};

use crate::api::Dialect;
use crate::api::Op;
use crate::api::contact_fields::FIELDS;
use crate::api::fields::is_custom;
use crate::app::command::Command;
use crate::app::filter::{Combine, Condition, FilterSpec, RawReading, field_type, op_label, ops_offered, parse_value};
use crate::app::grid::GridCommand;
use crate::app::grid::{Grid, GridQuery};
use crate::app::layout::{GridLayout, column_title};

use super::Intents;

/// How long typing must pause before the search goes to the site.
const SEARCH_DELAY: Duration = Duration::from_millis(300);

/// The bar's own state: what is being typed, and the filter being built.
#[derive(Default)]
pub struct QueryBar {
    search: String,
    search_edited: Option<Instant>,
    filter_open: bool,
    rows: Vec<DraftRow>,
    combine: Combine,
    raw_open: bool,
    raw_text: String,
    raw_error: Option<String>,
    /// Why the applied raw JSON is outside the dialect the app reads, if it is.
    raw_note: Option<String>,
    view_name: String,
}

/// A condition being edited: the value as typed.
#[derive(Clone)]
struct DraftRow {
    field: String,
    op: Op,
    text: String,
    error: Option<String>,
    /// What is typed in the search box of the field list.
    field_search: String,
    /// Whether the field list was shown last frame (to focus its search box when it opens).
    field_list_shown: bool,
}

impl Default for DraftRow {
    fn default() -> Self {
        Self::new("LastName", Op::Contains, String::new())
    }
}

impl DraftRow {
    fn new(field: &str, op: Op, text: String) -> Self {
        Self { field: field.to_owned(), op, text, error: None, field_search: String::new(), field_list_shown: false }
    }
}

impl QueryBar {
    /// `dialect`: the open site's, so that the builder offers only what the site honours.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        grid: &Grid,
        layout: &mut GridLayout,
        dialect: &Dialect,
        intents: &mut Intents,
    ) {
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            let search = egui::TextEdit::singleline(&mut self.search).hint_text("Name or email").desired_width(240.0);
            if ui.add(search).labelled_by(label.id).changed() {
                self.search_edited = Some(Instant::now());
            }
            let filter_label = if grid.query.filter.is_empty() { "Filter…" } else { "Filter (on)…" };
            if ui
                .add(egui::Button::selectable(self.filter_open, filter_label))
                .on_hover_text("Build a filter on any field")
                .clicked()
            {
                self.filter_open = !self.filter_open;
                if self.filter_open {
                    self.load_draft(&grid.query.filter);
                }
            }
            // Stays open while boxes are ticked (a menu closes on any click by default).
            let config =
                egui::containers::menu::MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
            egui::containers::menu::MenuButton::new("Columns")
                .config(config)
                .ui(ui, |ui| columns_menu_ui(ui, layout, &grid.custom_fields));
            ui.menu_button("Views", |ui| self.views_menu_ui(ui, grid, layout, intents));
            ui.separator();
            let total = grid.total().unwrap_or(0);
            ui.label(format!("{} contacts", super::thousands(total)));
            let selected = grid.selected_count();
            if selected > 0 {
                ui.strong(format!("{} selected", super::thousands(selected)));
            }
            if grid.loading_pages() > 0 {
                ui.spinner();
            }
        });
        self.debounce_search(ui.ctx(), grid, intents);
        self.chips_ui(ui, grid, intents);
        if self.filter_open {
            self.builder_ui(ui, grid, layout, dialect, intents);
        }
        if let Some(error) = grid.error() {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
    }

    fn debounce_search(&mut self, ctx: &egui::Context, grid: &Grid, intents: &mut Intents) {
        let Some(edited) = self.search_edited else { return };
        let waited = edited.elapsed();
        if waited < SEARCH_DELAY {
            ctx.request_repaint_after(SEARCH_DELAY - waited);
            return;
        }
        self.search_edited = None;
        if self.search.trim() != grid.query.search.trim() {
            let query = GridQuery { search: self.search.trim().to_owned(), ..grid.query.clone() };
            intents.commands.push(Command::Grid(GridCommand::SetQuery(query)));
        }
    }

    /// The active filter, a chip per condition; the × of a chip takes it out.
    fn chips_ui(&mut self, ui: &mut egui::Ui, grid: &Grid, intents: &mut Intents) {
        let filter = &grid.query.filter;
        if filter.is_empty() && grid.query.search.is_empty() {
            return;
        }
        ui.horizontal_wrapped(|ui| {
            ui.weak(if filter.combine == Combine::Any && filter.conditions.len() > 1 { "Any of:" } else { "Showing:" });
            let mut query = None;
            if !grid.query.search.is_empty() {
                let text = format!("Search: {}  ×", grid.query.search);
                if ui.button(text).on_hover_text("Remove the search").clicked() {
                    self.search.clear();
                    query = Some(GridQuery { search: String::new(), ..grid.query.clone() });
                }
            }
            if filter.raw.is_some()
                && ui.button("Custom filter (JSON)  ×").on_hover_text("Remove this filter").clicked()
            {
                query = Some(GridQuery { filter: FilterSpec::default(), ..grid.query.clone() });
            }
            if let Some(text) = &filter.everywhere {
                let chip = format!("Any field contains '{text}'  ×");
                if ui.button(chip).on_hover_text("Remove this condition").clicked() {
                    let mut next = grid.query.clone();
                    next.filter.everywhere = None;
                    query = Some(next);
                }
            }
            for (i, condition) in filter.conditions.iter().enumerate() {
                let text = format!("{}  ×", condition.describe());
                if ui.button(text).on_hover_text("Remove this condition").clicked() {
                    let mut next = grid.query.clone();
                    next.filter.conditions.remove(i);
                    query = Some(next);
                }
            }
            if let Some(query) = query {
                self.load_draft(&query.filter);
                intents.commands.push(Command::Grid(GridCommand::SetQuery(query)));
            }
        });
    }

    /// Empties the search box (the query is changed by the caller).
    pub fn clear_search(&mut self) {
        self.search.clear();
        self.search_edited = None;
    }

    /// Forgets the filter being built, as when its last chip is removed.
    pub fn forget_filter_draft(&mut self) {
        self.load_draft(&FilterSpec::default());
    }

    fn load_draft(&mut self, filter: &FilterSpec) {
        self.combine = filter.combine;
        self.rows = filter
            .conditions
            .iter()
            .filter_map(|c| {
                let op = Op::from_wire(&c.op)?;
                let text = match &c.value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                Some(DraftRow::new(&c.field, op, text))
            })
            .collect();
        self.raw_text = filter.raw.as_ref().map(|raw| raw.to_string()).unwrap_or_default();
        self.raw_error = None;
        self.raw_note = None;
    }

    fn builder_ui(
        &mut self,
        ui: &mut egui::Ui,
        grid: &Grid,
        layout: &GridLayout,
        dialect: &Dialect,
        intents: &mut Intents,
    ) {
        let fields: Vec<String> = FIELDS
            .iter()
            .map(|spec| spec.name.to_owned())
            .chain(layout.columns.iter().filter(|c| is_custom(&c.field)).map(|c| c.field.clone()))
            .collect();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.strong("Show contacts that match");
                ui.radio_value(&mut self.combine, Combine::All, "all conditions (AND)");
                ui.radio_value(&mut self.combine, Combine::Any, "any condition (OR)");
            });
            let mut remove = None;
            let mut apply = false;
            for (i, row) in self.rows.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    let was_shown = std::mem::take(&mut row.field_list_shown);
                    egui::ComboBox::from_id_salt(("filter_field", i))
                        .selected_text(column_title(&row.field))
                        .width(200.0)
                        // Clicks in the search box must not close the list; picking a field does.
                        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
                        .show_ui(ui, |ui| {
                            row.field_list_shown = true;
                            field_list_ui(ui, row, &fields, i + 1, !was_shown);
                        })
                        .response
                        .accessible_name(format!("Field of condition {}", i + 1));
                    let kind = field_type(&row.field, sample(grid, &row.field).as_ref());
                    let offered = ops_offered(kind, dialect);
                    if let Some(first) = offered.first().filter(|_| !offered.contains(&row.op)) {
                        row.op = *first;
                    }
                    egui::ComboBox::from_id_salt(("filter_op", i))
                        .selected_text(op_label(row.op))
                        .width(130.0)
                        .show_ui(ui, |ui| {
                            for op in &offered {
                                ui.selectable_value(&mut row.op, *op, op_label(*op));
                            }
                        })
                        .response
                        .accessible_name(format!("Operator of condition {}", i + 1));
                    if row.op != Op::IsNull {
                        let hint = if matches!(row.op, Op::In | Op::Nin) { "values, comma separated" } else { "value" };
                        let value =
                            ui.add(egui::TextEdit::singleline(&mut row.text).hint_text(hint).desired_width(200.0));
                        let value = value.accessible_name(format!("Value of condition {}", i + 1));
                        apply |= entered(ui, &value);
                    }
                    if ui.button("Remove").on_hover_text(format!("Remove condition {}", i + 1)).clicked() {
                        remove = Some(i);
                    }
                    if let Some(error) = &row.error {
                        ui.colored_label(ui.visuals().error_fg_color, error);
                    }
                });
            }
            if let Some(i) = remove {
                self.rows.remove(i);
            }
            if apply {
                self.apply_rows(grid, intents);
            }
            ui.horizontal(|ui| {
                if ui.button("Add condition").on_hover_text("Add a field, operator and value").clicked() {
                    self.rows.push(DraftRow::default());
                }
                if ui.button("Apply").on_hover_text("Show the contacts that match these conditions").clicked() {
                    self.apply_rows(grid, intents);
                }
                if ui.button("Clear").on_hover_text("Remove every condition").clicked() {
                    self.rows.clear();
                    intents.commands.push(Command::Grid(GridCommand::SetQuery(GridQuery {
                        filter: FilterSpec::default(),
                        ..grid.query.clone()
                    })));
                }
                ui.separator();
                if ui
                    .add(egui::Button::selectable(self.raw_open, "Edit as JSON…"))
                    .on_hover_text("Type a Where filter by hand")
                    .clicked()
                {
                    self.raw_open = !self.raw_open;
                    if self.raw_open && self.raw_text.is_empty() {
                        self.raw_text = grid.query.filter.to_where().to_json().to_string();
                    }
                }
            });
            if self.raw_open {
                let label = ui.label("Where (JSON)");
                let editor = egui::TextEdit::multiline(&mut self.raw_text)
                    .code_editor()
                    .desired_rows(3)
                    .desired_width(f32::INFINITY);
                ui.add(editor).labelled_by(label.id);
                ui.horizontal(|ui| {
                    if ui
                        .button("Apply JSON")
                        .on_hover_text("Check the JSON and show the contacts it matches")
                        .clicked()
                    {
                        let mut filter = FilterSpec::default();
                        match filter.set_raw(&self.raw_text) {
                            Ok(reading) => {
                                self.raw_error = None;
                                self.raw_note = match reading {
                                    RawReading::Known => None,
                                    RawReading::Outside(why) => Some(format!(
                                        "Sent as typed, but outside the filters this app reads ({why}): it cannot \
                                         check the site's rows against it, so delete and bulk changes ask you to \
                                         type the count."
                                    )),
                                };
                                self.rows.clear();
                                intents.commands.push(Command::Grid(GridCommand::SetQuery(GridQuery {
                                    filter,
                                    ..grid.query.clone()
                                })));
                            }
                            Err(error) => self.raw_error = Some(error.to_string()),
                        }
                    }
                    if let Some(error) = &self.raw_error {
                        ui.colored_label(ui.visuals().error_fg_color, error);
                    }
                });
                if let Some(note) = &self.raw_note {
                    ui.colored_label(ui.visuals().warn_fg_color, note);
                }
            }
        });
    }

    /// Reads the rows' values; applies them when all read, else marks the rows at fault.
    fn apply_rows(&mut self, grid: &Grid, intents: &mut Intents) {
        let mut conditions = Vec::new();
        for row in &mut self.rows {
            let kind = field_type(&row.field, sample(grid, &row.field).as_ref());
            match parse_value(kind, row.op, &row.text) {
                Ok(value) => {
                    row.error = None;
                    conditions.push(Condition::new(&row.field, row.op, value));
                }
                Err(error) => row.error = Some(error.to_string()),
            }
        }
        if self.rows.iter().any(|r| r.error.is_some()) {
            return;
        }
        let everywhere = grid.query.filter.everywhere.clone();
        let filter = FilterSpec { conditions, combine: self.combine, raw: None, everywhere };
        intents.commands.push(Command::Grid(GridCommand::SetQuery(GridQuery { filter, ..grid.query.clone() })));
    }

    fn views_menu_ui(&mut self, ui: &mut egui::Ui, grid: &Grid, layout: &mut GridLayout, intents: &mut Intents) {
        if layout.views.is_empty() {
            ui.weak("No saved views yet.");
        }
        let mut apply = None;
        let mut delete = None;
        for (i, view) in layout.views.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui.button(&view.name).on_hover_text("Show this view's filter, sort and columns").clicked() {
                    apply = Some(i);
                    ui.close();
                }
                if ui.small_button("Delete").on_hover_text(format!("Forget the view {}", view.name)).clicked() {
                    delete = Some(i);
                }
            });
        }
        if let Some(i) = apply {
            let view = layout.views[i].clone();
            layout.columns = view.columns;
            self.search = view.query.search.clone();
            self.load_draft(&view.query.filter);
            intents.commands.push(Command::Grid(GridCommand::SetQuery(view.query)));
        }
        if let Some(i) = delete {
            layout.views.remove(i);
        }
        ui.separator();
        ui.horizontal(|ui| {
            let label = ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut self.view_name).hint_text("e.g. Gold members").desired_width(160.0))
                .labelled_by(label.id);
            let name_given = !self.view_name.trim().is_empty();
            let save = ui
                .add_enabled(name_given, egui::Button::new("Save view"))
                .on_disabled_hover_text("Name the view first");
            if save.on_hover_text("Keep the current filter, sort and columns under this name").clicked() {
                layout.save_view(&self.view_name, &grid.query);
                self.view_name.clear();
                ui.close();
            }
        });
    }
}

/// Whether Enter was pressed in this single-line field (it gives up the keyboard on Enter).
/// The key is consumed, so the grid behind does not also act on it.
fn entered(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Enter))
}

/// The fields a condition can test, narrowed by the search box at the top (on the titles as
/// shown, in any case); the box takes the keyboard when the list opens. Picking a field
/// closes the list.
fn field_list_ui(ui: &mut egui::Ui, row: &mut DraftRow, fields: &[String], number: usize, opened: bool) {
    if opened {
        row.field_search.clear();
    }
    let search = egui::TextEdit::singleline(&mut row.field_search).hint_text("Search fields").desired_width(180.0);
    let search = ui.add(search).accessible_name(format!("Search the fields of condition {number}"));
    if opened {
        search.request_focus();
    }
    let needle = row.field_search.trim().to_lowercase();
    let mut shown = 0;
    for field in fields {
        let title = column_title(field);
        if !title.to_lowercase().contains(&needle) {
            continue;
        }
        shown += 1;
        if ui.selectable_value(&mut row.field, field.clone(), title).clicked() {
            ui.close();
        }
    }
    if shown == 0 {
        ui.weak("No field matches.");
    }
}

/// A value a loaded contact has for a custom field, to tell the field's type.
fn sample(grid: &Grid, field: &str) -> Option<serde_json::Value> {
    let crate::api::FieldPath::Custom { group, field } = crate::api::FieldPath::parse(field).ok()? else { return None };
    let (first, last) = grid.visible?;
    (first..=last.min(first + 50)).find_map(|index| match grid.peek(index) {
        Some(contact) => contact.custom_crm_groups.get(&group).and_then(|g| g.get(&field)).cloned(),
        None => None,
    })
}

/// Show, hide and move columns.
fn columns_menu_ui(
    ui: &mut egui::Ui,
    layout: &mut GridLayout,
    custom_fields: &std::collections::BTreeSet<(String, String)>,
) {
    ui.weak("Show, hide and order the columns");
    let mut moves = Vec::new();
    egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
        for column in &mut layout.columns {
            ui.horizontal(|ui| {
                ui.checkbox(&mut column.visible, column_title(&column.field));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let name = column_title(&column.field).into_owned();
                    if ui.small_button("Down").on_hover_text(format!("Move {name} right")).clicked() {
                        moves.push((column.field.clone(), 1));
                    }
                    if ui.small_button("Up").on_hover_text(format!("Move {name} left")).clicked() {
                        moves.push((column.field.clone(), -1));
                    }
                });
            });
        }
    });
    for (field, step) in moves {
        layout.move_column(&field, step);
    }
    if ui.button("Reset columns").on_hover_text("Back to the default columns").clicked() {
        let views = std::mem::take(&mut layout.views);
        *layout = GridLayout { views, ..GridLayout::default() };
        layout.add_custom_fields(custom_fields);
    }
}
