//! The contact grid: every contact of the query in a virtual table. Only the rows on screen
//! are drawn, and only their pages are fetched. Each row is one widget whose cells are
//! painted (a scrolling frame has room for a few dozen widgets, not hundreds); the header
//! sorts on click, moves a column dragged by its title, resizes on a drag of its edge, and
//! lists every column to show or hide on a right-click; all kept with the site's layout.

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::Arc;

use crate::api::{ContactId, OrderBy};
use crate::app::command::{Command, UiCommand};
use crate::app::grid::GridCommand;
use crate::app::grid::{Grid, RowView};
use crate::app::layout::{GridColumn, GridLayout, MIN_COLUMN_WIDTH, cell_text, column_title};

use super::Intents;

/// Horizontal padding inside a cell.
const CELL_PADDING: f32 = 6.0;

pub fn table_ui(
    ui: &mut egui::Ui,
    grid: &mut Grid,
    layout: &mut GridLayout,
    site_key: &str,
    keys: bool,
    sorts_descending: bool,
    intents: &mut Intents,
) {
    if keys {
        keyboard(ui, grid, intents);
    }
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 8.0;
    egui::ScrollArea::horizontal().id_salt(("grid_across", site_key)).auto_shrink([false, false]).show(ui, |ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        header_ui(ui, grid, layout, row_height + 4.0, sorts_descending, intents);
        // After the header: it may have moved, shown or hidden columns.
        let columns: &mut [&mut GridColumn] = &mut layout.columns.iter_mut().filter(|c| c.visible).collect::<Vec<_>>();
        let width: f32 = columns.iter().map(|c| c.width).sum();
        let total = grid.total().unwrap_or(0);
        let mut scroll = egui::ScrollArea::vertical().id_salt(("grid_down", site_key)).auto_shrink([false, false]);
        if let Some(target) = grid.scroll_to.take() {
            scroll = scroll.vertical_scroll_offset(offset_showing(grid, target, row_height));
        }
        let texts_id = ui.scope_id().with("row_texts");
        let mut texts: RowTexts = ui.data_mut(|d| d.remove_temp(texts_id)).unwrap_or_default();
        texts.start_frame(row_texts_key(ui, grid, columns, site_key));
        let output = scroll.show_rows(ui, row_height, total as usize, |ui, rows| {
            ui.set_min_width(width);
            for index in rows {
                row_ui(ui, grid, columns, &mut texts, index as u64, width, row_height, intents);
            }
        });
        texts.end_frame();
        ui.data_mut(|d| d.insert_temp(texts_id, texts));
        let first = (output.state.clamped_offset().y / row_height).floor() as u64;
        let shown = (output.inner_rect.height() / row_height).ceil() as u64;
        if total > 0 {
            grid.visible = Some((first.min(total - 1), (first + shown).min(total - 1)));
        }
    });
}

/// The scroll offset that brings `target` into view, moving as little as possible.
fn offset_showing(grid: &Grid, target: u64, row_height: f32) -> f32 {
    let top = target as f32 * row_height;
    match grid.visible {
        Some((first, last)) if target > first && target < last => first as f32 * row_height,
        Some((first, last)) if target >= last && target <= last + 1 && last > first => {
            (target + 1 - (last - first)) as f32 * row_height
        }
        _ => top,
    }
}

/// The header: a title per visible column. A click on a title sorts (again: reverses), a
/// drag of it moves the column to where it is dropped, a drag of a column's right edge
/// resizes it, and a right-click anywhere lists every column to show or hide.
fn header_ui(
    ui: &mut egui::Ui,
    grid: &Grid,
    layout: &mut GridLayout,
    height: f32,
    sorts_descending: bool,
    intents: &mut Intents,
) {
    let width: f32 = layout.visible().map(|c| c.width).sum();
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width.max(ui.available_width()), height), egui::Sense::hover());
    let painter = ui.painter().clone();
    painter.rect_filled(rect, 0.0, ui.visuals().faint_bg_color);
    let line = ui.visuals().widgets.noninteractive.bg_stroke;
    painter.hline(rect.x_range(), rect.bottom(), line);
    // Where the pointer was on the last frame of a title's drag (it may be gone when the
    // button is let go).
    let drag_x_id = ui.scope_id().with("header_drag_x");
    let mut cells = Vec::new();
    let mut dragging = None;
    let mut dropped = None;
    let mut x = rect.left();
    for column in layout.columns.iter_mut().filter(|c| c.visible) {
        let cell = egui::Rect::from_x_y_ranges(x..=x + column.width, rect.y_range());
        let title = title_ui(ui, grid, column, cell, sorts_descending, intents);
        if title.dragged() {
            if let Some(pointer) = title.interact_pointer_pos() {
                ui.data_mut(|d| d.insert_temp(drag_x_id, pointer.x));
            }
            dragging = Some(cell);
        }
        if title.drag_stopped() {
            dropped = ui.data_mut(|d| d.remove_temp::<f32>(drag_x_id)).map(|x| (column.field.clone(), x));
        }
        resize_handle_ui(ui, column, cell, line);
        cells.push(cell.x_range());
        x += column.width;
    }
    if let Some(cell) = dragging {
        let drag_x = ui.data(|d| d.get_temp::<f32>(drag_x_id)).unwrap_or(cell.center().x);
        paint_drop_marker(ui, &cells, cell, drag_x);
    }
    if let Some((field, x)) = dropped {
        layout.move_column_to_slot(&field, slot_at(&cells, x));
    }
    show_hide_menu_ui(ui, &response, layout);
}

/// One column's title: a click sorts by it (again: reverses); it can be dragged to move the
/// column. Returns its response, for the drag.
fn title_ui(
    ui: &mut egui::Ui,
    grid: &Grid,
    column: &GridColumn,
    cell: egui::Rect,
    sorts_descending: bool,
    intents: &mut Intents,
) -> egui::Response {
    let order_by = &grid.query.order_by;
    let arrow = match order_by {
        Some(o) if o.field == column.field => {
            if o.descending {
                " ⏷"
            } else {
                " ⏶"
            }
        }
        _ => "",
    };
    let title = egui::RichText::new(format!("{}{arrow}", column_title(&column.field))).strong();
    let button = egui::Button::new(title).frame(false).truncate().sense(egui::Sense::click_and_drag());
    let inner = cell.shrink2(egui::vec2(CELL_PADDING - 2.0, 2.0));
    let left_aligned = egui::UiBuilder::new().max_rect(inner).layout(egui::Layout::left_to_right(egui::Align::Center));
    let response = ui.scope_builder(left_aligned, |ui| ui.add(button)).inner;
    let response = response.on_hover_text(if sorts_descending {
        "Sort by this column; click again to reverse. Drag to move it; right-click to show or hide columns."
    } else {
        "Sort by this column (this site sorts in ascending order only). Drag to move it; right-click to show or \
         hide columns."
    });
    if response.clicked() {
        let descending = sorts_descending && matches!(order_by, Some(o) if o.field == column.field && !o.descending);
        let mut query = grid.query.clone();
        query.order_by = Some(OrderBy { field: column.field.clone(), descending });
        intents.commands.push(Command::Grid(GridCommand::SetQuery(query)));
    }
    if response.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
    }
    response
}

/// A drag handle on the column's right edge resizes it.
fn resize_handle_ui(ui: &mut egui::Ui, column: &mut GridColumn, cell: egui::Rect, line: egui::Stroke) {
    let edge = egui::Rect::from_x_y_ranges(cell.right() - 4.0..=cell.right() + 4.0, cell.y_range());
    let handle = ui.interact(edge, ui.scope_id().with(("resize", &column.field)), egui::Sense::drag());
    let name = format!("Resize the {} column", column_title(&column.field));
    handle.widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Splitter, true, &name));
    if handle.hovered() || handle.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeColumn);
    }
    if handle.dragged() {
        column.width = (column.width + handle.drag_delta().x).max(MIN_COLUMN_WIDTH);
    }
    let stroke = if handle.hovered() || handle.dragged() { ui.visuals().widgets.hovered.fg_stroke } else { line };
    ui.painter().vline(cell.right(), cell.y_range(), stroke);
}

/// Where a title dropped at `x` goes among the columns (`cells`, their x ranges in order):
/// before the first column whose middle is right of it, else after the last.
fn slot_at(cells: &[egui::Rangef], x: f32) -> usize {
    cells.iter().take_while(|cell| cell.center() < x).count()
}

/// While a title is dragged: its column is shaded and a line shows where it would land.
fn paint_drop_marker(ui: &egui::Ui, cells: &[egui::Rangef], dragged: egui::Rect, x: f32) {
    let visuals = ui.visuals();
    ui.painter().rect_filled(dragged, 0.0, visuals.selection.bg_fill.gamma_multiply(0.4));
    let slot = slot_at(cells, x);
    let edge = cells.get(slot).map(|c| c.min).or_else(|| cells.last().map(|c| c.max));
    if let Some(edge) = edge {
        let stroke = egui::Stroke::new(3.0, visuals.selection.stroke.color);
        ui.painter().vline(edge, dragged.y_range(), stroke);
    }
}

/// A right-click on the header: every column of the layout (the list of the query bar's
/// Columns menu) with a box to show or hide it. It stays open while boxes are ticked.
fn show_hide_menu_ui(ui: &egui::Ui, header: &egui::Response, layout: &mut GridLayout) {
    let open = header.container_secondary_clicked().then_some(egui::SetOpenCommand::Bool(true));
    egui::Popup::menu(header)
        .id(ui.scope_id().with("header_columns_menu"))
        .open_memory(open)
        .at_pointer_fixed()
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show(|ui| {
            ui.weak("Show or hide columns");
            egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
                for column in &mut layout.columns {
                    ui.checkbox(&mut column.visible, column_title(&column.field));
                }
            });
        });
}

/// The laid-out cells of the rows on screen, kept from frame to frame, so that a frame lays
/// out only the rows that came into view. (egui's galley cache would find the others too, but
/// rebuilding and hashing a few hundred cell texts every frame was a fifth of a scrolling
/// frame.) Galleys are laid out without a colour, so selection and theme need no new layout.
#[derive(Clone, Default)]
struct RowTexts {
    /// What the galleys were made for: site, columns, font, grid generation.
    key: u64,
    /// By row index: the contact drawn there and its cells.
    shown: HashMap<u64, (ContactId, RowCells)>,
    drawn: HashMap<u64, (ContactId, RowCells)>,
}

/// One row's cells, laid out, in column order.
type RowCells = Arc<[Arc<egui::Galley>]>;

impl RowTexts {
    fn start_frame(&mut self, key: u64) {
        if key != self.key {
            self.key = key;
            self.shown.clear();
        }
        self.drawn.clear();
    }

    /// The cells of row `index` showing `contact`, laid out now if they were not on screen.
    fn row(
        &mut self,
        index: u64,
        contact: &crate::api::Contact,
        lay_out: impl Fn(String) -> Arc<egui::Galley>,
        fields: &[&mut GridColumn],
    ) -> RowCells {
        let cells = match self.shown.remove(&index) {
            Some((id, cells)) if id == contact.id => cells,
            _ => fields.iter().map(|c| lay_out(cell_text(contact, &c.field))).collect(),
        };
        self.drawn.insert(index, (contact.id, Arc::clone(&cells)));
        cells
    }

    /// Keeps only the rows drawn this frame.
    fn end_frame(&mut self) {
        std::mem::swap(&mut self.shown, &mut self.drawn);
        self.drawn.clear();
    }
}

/// Everything the cached cells depend on but the contact itself.
fn row_texts_key(ui: &egui::Ui, grid: &Grid, columns: &[&mut GridColumn], site_key: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    site_key.hash(&mut hasher);
    grid.generation().hash(&mut hasher);
    grid.revision().hash(&mut hasher);
    for column in columns {
        column.field.hash(&mut hasher);
    }
    egui::TextStyle::Body.resolve(ui.style()).hash(&mut hasher);
    ui.ctx().pixels_per_point().to_bits().hash(&mut hasher);
    hasher.finish()
}

#[allow(clippy::too_many_arguments)] // One row's drawing: splitting it would only move the arguments around.
fn row_ui(
    ui: &mut egui::Ui,
    grid: &mut Grid,
    columns: &[&mut GridColumn],
    texts: &mut RowTexts,
    index: u64,
    width: f32,
    height: f32,
    intents: &mut Intents,
) {
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width.max(ui.available_width()), height), egui::Sense::click());
    if !ui.is_rect_visible(rect) {
        return;
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let lay_out = |text: String| ui.painter().layout_no_wrap(text, font.clone(), egui::Color32::PLACEHOLDER);
    let loaded = match grid.row(index) {
        RowView::Loaded(contact) => Some((contact.id, texts.row(index, contact, lay_out, columns))),
        RowView::Pending => None,
    };
    let visuals = ui.visuals();
    let selected = loaded.as_ref().is_some_and(|(id, _)| grid.selection.contains(index, *id));
    let fill = if selected {
        Some(visuals.selection.bg_fill)
    } else if response.hovered() {
        Some(visuals.widgets.hovered.weak_bg_fill)
    } else if index % 2 == 1 {
        Some(visuals.faint_bg_color)
    } else {
        None
    };
    let painter = ui.painter();
    if let Some(fill) = fill {
        painter.rect_filled(rect, 0.0, fill);
    }
    if grid.cursor == Some(index) {
        painter.rect_stroke(rect.shrink(1.0), 0.0, visuals.selection.stroke, egui::StrokeKind::Inside);
    }
    let color = if selected { visuals.selection.stroke.color } else { visuals.text_color() };
    let cells = match &loaded {
        Some((_, cells)) => Arc::clone(cells),
        None => {
            let dots = painter.layout_no_wrap("…".to_owned(), font.clone(), egui::Color32::PLACEHOLDER);
            std::iter::repeat_n(dots, columns.len()).collect()
        }
    };
    let mut x = rect.left();
    for (column, galley) in columns.iter().zip(cells.iter().cloned()) {
        let cell = egui::Rect::from_x_y_ranges(x..=x + column.width, rect.y_range());
        let pos = egui::pos2(cell.left() + CELL_PADDING, cell.center().y - galley.size().y / 2.0);
        let clip = cell.shrink2(egui::vec2(CELL_PADDING / 2.0, 0.0)).intersect(painter.clip_rect());
        painter.with_clip_rect(clip).galley(pos, galley, color);
        x += column.width;
    }
    let Some((id, _)) = loaded else { return };
    // The row speaks its cells to screen readers (and to the UI tests).
    response.widget_info(|| {
        let text: Vec<&str> = cells.iter().map(|galley| galley.text()).collect();
        egui::WidgetInfo::labeled(egui::accesskit::Role::Row, true, text.join(", "))
    });
    row_interaction(&response, grid, index, id, intents);
}

fn row_interaction(response: &egui::Response, grid: &mut Grid, index: u64, id: ContactId, intents: &mut Intents) {
    if response.double_clicked() {
        intents.focus_pane = true;
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
    if response.secondary_clicked() {
        grid.menu_row = Some(index);
        if !grid.selection.contains(index, id) {
            grid.click(index);
        }
    }
    if grid.menu_row != Some(index) {
        return;
    }
    let menu = response.context_menu(|ui| {
        if ui.button("Open in a window").on_hover_text("Show this contact in a window of its own").clicked() {
            intents.commands.push(Command::Grid(GridCommand::OpenContact(id)));
            ui.close();
        }
        if let Some(contact) = grid.peek(index)
            && ui
                .button(UiCommand::ResetPassword.label())
                .on_hover_text("Set a new password for this contact")
                .clicked()
        {
            let target = crate::app::password::PasswordTarget::of(contact);
            intents.commands.push(Command::Password(crate::app::password::PasswordCommand::Open(target)));
            ui.close();
        }
        let count = grid.selected_count();
        let label = if count > 1 { format!("Export {count} contacts…") } else { "Export…".to_owned() };
        if ui.button(label).on_hover_text(UiCommand::Export.tooltip()).clicked() {
            intents.ui_commands.push(UiCommand::Export);
            ui.close();
        }
        for command in [UiCommand::BulkEdit, UiCommand::BulkZones] {
            if ui.button(command.label()).on_hover_text(command.tooltip()).clicked() {
                intents.ui_commands.push(command);
                ui.close();
            }
        }
        ui.separator();
        let count = grid.selected_count();
        let label = if count > 1 { format!("Delete {count} contacts…") } else { "Delete…".to_owned() };
        if ui.button(label).on_hover_text(UiCommand::Delete.tooltip()).clicked() {
            intents.ui_commands.push(UiCommand::Delete);
            ui.close();
        }
    });
    if menu.is_none() {
        grid.menu_row = None;
    }
}

/// Arrows, Page Up/Down, Home/End move the focus (with Shift, the selection grows); Enter
/// opens the focused contact. Not while a text field has the keyboard.
fn keyboard(ui: &egui::Ui, grid: &mut Grid, intents: &mut Intents) {
    let ctx = ui.ctx();
    if ctx.egui_wants_keyboard_input() || grid.total().unwrap_or(0) == 0 {
        return;
    }
    let page = grid.visible.map_or(20, |(first, last)| (last - first).max(1));
    let last = grid.total().unwrap_or(1).saturating_sub(1);
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
    if enter && grid.cursor.is_some_and(|index| matches!(grid.row(index), RowView::Loaded(_))) {
        intents.focus_pane = true;
    }
}
