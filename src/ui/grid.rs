//! The contact grid: every contact of the query in a virtual table (only the rows on screen
//! are built, and only their pages are fetched), sorting by header, selection with the mouse
//! and the keyboard, and a context menu.

use egui_extras::{Column, TableBuilder};

use crate::api::OrderBy;
use crate::app::command::Command;
use crate::app::grid::{Grid, RowView};
use crate::app::layout::{GridColumn, cell_text, column_title};

use super::Intents;

/// What the grid asks of the rest of the UI.
#[derive(Default)]
pub struct GridEvents {
    /// The user chose Delete from the row menu: confirm first.
    pub confirm_delete: bool,
}

pub fn table_ui(
    ui: &mut egui::Ui,
    grid: &mut Grid,
    columns: &[GridColumn],
    site_key: &str,
    intents: &mut Intents,
) -> GridEvents {
    let mut events = GridEvents::default();
    let total = grid.total.unwrap_or(0);
    keyboard(ui, grid, intents);

    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    let layout_key: Vec<&str> = columns.iter().map(|c| c.field.as_str()).collect();
    let mut table = TableBuilder::new(ui)
        .id_salt(("contact_grid", site_key, layout_key))
        .striped(true)
        .resizable(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0);
    for (i, column) in columns.iter().enumerate() {
        let width = if column.field == "Email" { 240.0 } else { 130.0 };
        let spec = if i + 1 == columns.len() { Column::remainder() } else { Column::initial(width) };
        table = table.column(spec.at_least(50.0).clip(true));
    }
    if let Some(row) = grid.scroll_to.take() {
        table = table.scroll_to_row(row as usize, None);
    }

    let order_by = grid.query.order_by.clone();
    let table = table.header(row_height + 2.0, |mut header| {
        for column in columns {
            header.col(|ui| {
                let arrow = match &order_by {
                    Some(o) if o.field == column.field => {
                        if o.descending {
                            " ⏷"
                        } else {
                            " ⏶"
                        }
                    }
                    _ => "",
                };
                let title = format!("{}{arrow}", column_title(&column.field));
                let button = egui::Button::new(egui::RichText::new(title).strong()).frame(false);
                if ui.add(button).on_hover_text("Sort by this column; click again to reverse").clicked() {
                    let descending = matches!(&order_by, Some(o) if o.field == column.field && !o.descending);
                    let mut query = grid.query.clone();
                    query.order_by = Some(OrderBy { field: column.field.clone(), descending });
                    intents.commands.push(Command::SetQuery(query));
                }
            });
        }
    });

    let mut drawn: Option<(u64, u64)> = None;
    table.body(|body| {
        body.rows(row_height, total as usize, |mut row| {
            let index = row.index() as u64;
            drawn = Some(drawn.map_or((index, index), |(first, last)| (first.min(index), last.max(index))));
            let selection = grid.selection.clone();
            match grid.row(index) {
                RowView::Loaded(contact) => {
                    let id = contact.id;
                    row.set_selected(selection.contains(id));
                    for column in columns {
                        let text = cell_text(contact, &column.field);
                        row.col(|ui| {
                            ui.add(egui::Label::new(text).truncate().selectable(false));
                        });
                    }
                    let response = row.response();
                    row_interaction(&response, grid, index, id, intents, &mut events);
                }
                RowView::Pending => {
                    for _ in columns {
                        row.col(|ui| {
                            ui.weak("…");
                        });
                    }
                }
            }
        });
    });
    if drawn.is_some() {
        grid.visible = drawn;
    }
    events
}

fn row_interaction(
    response: &egui::Response,
    grid: &mut Grid,
    index: u64,
    id: crate::api::ContactId,
    intents: &mut Intents,
    events: &mut GridEvents,
) {
    if response.double_clicked() {
        intents.commands.push(Command::OpenContact(id));
    } else if response.clicked() {
        let modifiers = response.ctx.input(|i| i.modifiers);
        if modifiers.shift {
            grid.extend_to(index);
        } else if modifiers.command {
            grid.toggle(index);
        } else {
            grid.click(index);
        }
    }
    if response.secondary_clicked() && !grid.selection.contains(id) {
        grid.click(index);
    }
    response.context_menu(|ui| {
        if ui.button("Open").on_hover_text("Show this contact").clicked() {
            intents.commands.push(Command::OpenContact(id));
            ui.close();
        }
        ui.add_enabled(false, egui::Button::new("Reset password…"))
            .on_disabled_hover_text("The password dialog comes in a later version");
        ui.add_enabled(false, egui::Button::new("Export selection…"))
            .on_disabled_hover_text("Export comes in a later version");
        ui.separator();
        let count = grid.selected_count();
        let label = if count > 1 { format!("Delete {count} contacts…") } else { "Delete…".to_owned() };
        if ui.button(label).on_hover_text("Delete the selected contacts from the site").clicked() {
            events.confirm_delete = true;
            ui.close();
        }
    });
}

/// Arrows, Page Up/Down, Home/End move the focus (with Shift, the selection grows); Enter
/// opens the focused contact. Not while a text field has the keyboard.
fn keyboard(ui: &egui::Ui, grid: &mut Grid, intents: &mut Intents) {
    let ctx = ui.ctx();
    if ctx.egui_wants_keyboard_input() || grid.total.unwrap_or(0) == 0 {
        return;
    }
    let page = grid.visible.map_or(20, |(first, last)| (last - first).max(1));
    let last = grid.total.unwrap_or(1).saturating_sub(1);
    let cursor = grid.cursor;
    let (target, shift, enter) = ctx.input(|input| {
        let from = cursor.unwrap_or(0);
        let target = if input.key_pressed(egui::Key::ArrowDown) {
            Some(if cursor.is_some() { from + 1 } else { 0 })
        } else if input.key_pressed(egui::Key::ArrowUp) {
            Some(from.saturating_sub(1))
        } else if input.key_pressed(egui::Key::PageDown) {
            Some(from + page)
        } else if input.key_pressed(egui::Key::PageUp) {
            Some(from.saturating_sub(page))
        } else if input.key_pressed(egui::Key::Home) {
            Some(0)
        } else if input.key_pressed(egui::Key::End) {
            Some(last)
        } else {
            None
        };
        (target, input.modifiers.shift, input.key_pressed(egui::Key::Enter))
    });
    if let Some(target) = target {
        grid.move_cursor(target.min(last), shift);
    }
    if enter
        && let Some(index) = grid.cursor
        && let RowView::Loaded(contact) = grid.row(index)
    {
        intents.commands.push(Command::OpenContact(contact.id));
    }
}
