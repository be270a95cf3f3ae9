//! A virtual list of a contact's records, like the grid: only the rows on screen are drawn
//! and only their pages fetched. Each row is one widget with two painted lines (a title with
//! an amount or state at its end, and a line of detail), named for screen readers and tests
//! by all three.

use egui::accesskit::Role;

use crate::app::related::Tab;
use crate::app::related::list::{Record, RecordList};

use super::{Intents, empty_ui, error_ui, loading_ui};

/// What one row says.
pub struct Row {
    pub title: String,
    /// Shown at the end of the first line (a total, a state).
    pub aside: String,
    pub detail: String,
}

impl Row {
    fn label(&self) -> String {
        [&self.title, &self.aside, &self.detail]
            .into_iter()
            .filter(|t| !t.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

const PADDING: f32 = 6.0;

/// The list of `tab` in at most `height`: a spinner until the first page, "none" for a
/// contact without records, the error with Retry. A click selects the row.
pub fn records_ui<T: Record>(
    ui: &mut egui::Ui,
    list: &mut RecordList<T>,
    tab: Tab,
    height: f32,
    intents: &mut Intents,
    row: impl Fn(&T) -> Row,
) {
    let what = tab.label().to_lowercase();
    let total = match (list.total(), list.error()) {
        (None, Some(error)) => return error_ui(ui, error, tab, intents),
        (None, None) => return loading_ui(ui, &format!("Loading {what}…")),
        (Some(0), _) => return empty_ui(ui, &format!("This contact has no {what}.")),
        (Some(total), error) => {
            if let Some(error) = error {
                error_ui(ui, error, tab, intents);
            }
            total
        }
    };
    let (mut scroll_to, mut visible, mut clicked) = (list.scroll_to.take(), list.visible, None);
    rows_ui(ui, (tab, "rows"), total, height, &mut scroll_to, &mut visible, |ui, index, row_height| {
        let selected = list.selected == Some(index);
        let response = match list.row(index) {
            Some(record) => row_ui(ui, &row(record), selected, row_height),
            None => placeholder_ui(ui, row_height),
        };
        if response.clicked() {
            clicked = Some(index);
        }
    });
    list.visible = visible;
    if let Some(index) = clicked {
        // The first pick makes room for the record below: keep the row in what is left.
        if list.selected.is_none() {
            list.scroll_to = Some(index);
        }
        list.selected = Some(index);
    }
}

/// `total` rows of two lines in a scroll area at most `height` tall; `draw` draws row
/// `index`. Scrolls to `scroll_to` and tells which rows it showed in `visible`.
pub fn rows_ui(
    ui: &mut egui::Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    total: u64,
    height: f32,
    scroll_to: &mut Option<u64>,
    visible: &mut Option<(u64, u64)>,
    mut draw: impl FnMut(&mut egui::Ui, u64, f32),
) {
    let row_height = 2.0 * ui.text_style_height(&egui::TextStyle::Body) + 2.0 * PADDING;
    let mut scroll = egui::ScrollArea::vertical().id_salt(id).max_height(height).auto_shrink([false, true]);
    if let Some(target) = scroll_to.take() {
        // The target a little below the top, so that the rows before it show too.
        scroll = scroll.vertical_scroll_offset((target as f32 - 1.0).max(0.0) * row_height);
    }
    let output = scroll.show_rows(ui, row_height, total as usize, |ui, rows| {
        ui.spacing_mut().item_spacing.y = 0.0;
        for index in rows {
            draw(ui, index as u64, row_height);
        }
    });
    let first = (output.state.clamped_offset().y / row_height).floor() as u64;
    let shown = (output.inner_rect.height() / row_height).ceil() as u64;
    if total > 0 {
        *visible = Some((first.min(total - 1), (first + shown).min(total - 1)));
    }
}

/// One row, as one widget.
pub fn row_ui(ui: &mut egui::Ui, row: &Row, selected: bool, height: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), height), egui::Sense::click());
    response.widget_info(|| egui::WidgetInfo::selected(Role::ListBoxOption, true, selected, row.label()));
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let visuals = ui.style().interact_selectable(&response, selected);
    let painter = ui.painter();
    if selected || response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.weak_bg_fill);
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let strong = ui.visuals().strong_text_color();
    let weak = ui.visuals().weak_text_color();
    let inner = rect.shrink2(egui::vec2(PADDING, PADDING));
    let painter = painter.with_clip_rect(inner.expand(1.0).intersect(painter.clip_rect()));
    let aside = painter.layout_no_wrap(row.aside.clone(), font.clone(), visuals.text_color());
    let aside_at = egui::pos2(inner.right() - aside.size().x, inner.top());
    painter.galley(aside_at, aside, visuals.text_color());
    // Text that does not fit ends in "…", and the whole row shows on hover: never cut.
    let title = one_line(ui, &row.title, font.clone(), (aside_at.x - PADDING - inner.left()).max(0.0));
    let detail = one_line(ui, &row.detail, font, inner.width());
    let elided = title.elided || detail.elided;
    painter.galley(inner.min, title, strong);
    painter.galley(egui::pos2(inner.left(), inner.top() + line), detail, weak);
    if elided {
        let full = [&row.title, &row.aside, &row.detail].map(String::as_str).join("\n");
        return response.on_hover_text(full);
    }
    response
}

/// `text` on one line at most `width` wide, ending in "…" when it does not fit.
pub fn one_line(ui: &egui::Ui, text: &str, font: egui::FontId, width: f32) -> std::sync::Arc<egui::Galley> {
    let mut job = egui::text::LayoutJob::simple_singleline(text.to_owned(), font, egui::Color32::PLACEHOLDER);
    job.wrap = egui::text::TextWrapping::truncate_at_width(width);
    ui.painter().layout_job(job)
}

/// A row whose page is on its way.
fn placeholder_ui(ui: &mut egui::Ui, height: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(ui.available_width(), height), egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let at = rect.left_top() + egui::vec2(PADDING, PADDING);
        ui.painter().text(at, egui::Align2::LEFT_TOP, "Loading…", font, ui.visuals().weak_text_color());
    }
    response
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use super::*;

    fn order_row() -> Row {
        Row {
            title: "Invoice 1042 · Spring sale order for the whole family".to_owned(),
            aside: "NZD 127.28".to_owned(),
            detail: "2024-05-17 · Shipped · Partially paid · pending NZD 100.00 · paid NZD 27.28".to_owned(),
        }
    }

    #[test]
    fn a_line_too_long_for_its_room_ends_in_an_ellipsis_within_the_room() {
        let mut harness = Harness::builder().with_size([300.0, 100.0]).build_ui(|ui| {
            let font = egui::TextStyle::Body.resolve(ui.style());
            let galley = one_line(ui, &order_row().detail, font.clone(), 120.0);
            assert!(galley.elided, "{}", galley.text());
            assert!(galley.size().x <= 120.0 + 0.5, "{}", galley.size().x);
            let fits = one_line(ui, "paid NZD 27.28", font, 200.0);
            assert!(!fits.elided && fits.text() == "paid NZD 27.28");
        });
        harness.run();
    }

    #[test]
    fn a_row_cut_short_shows_its_whole_text_on_hover() {
        let mut harness = Harness::builder().with_size([260.0, 120.0]).build_ui(|ui| {
            row_ui(ui, &order_row(), false, 44.0);
        });
        harness.run();
        harness.get_by_role(Role::ListBoxOption).hover();
        harness.run();
        // The tooltip: every line of the row whole (the row's own name joins them with commas).
        harness.get_by_label(
            &[&order_row().title, &order_row().aside, &order_row().detail].map(String::as_str).join("\n"),
        );
    }
}
