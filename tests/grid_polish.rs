//! Rough edges of the grid header, the query bar and the command palette, driven through the
//! real app: the header's context menu and drag-to-reorder, the Columns menu that stays open,
//! Enter in a filter value, the searchable field list, and the palette's layout.

mod common;

use egui::accesskit::Role;
use egui::{Pos2, Rect};
use egui_kittest::kittest::Queryable;
use serde_json::json;
use treepl_contacts::api::{ListQuery, Where};
use treepl_contacts::sandbox::Route;

use common::app::{AppUnderTest, TestKeyring};

/// The fields of the visible columns, in their order.
fn visible_fields(app: &AppUnderTest) -> Vec<String> {
    app.state().layout().visible().map(|c| c.field.clone()).collect()
}

fn is_visible(app: &AppUnderTest, field: &str) -> bool {
    app.state().layout().columns.iter().any(|c| c.field == field && c.visible)
}

/// Presses the primary button at `from`, moves in small steps to `to` and lets go there,
/// a frame between each event, as a hand would.
fn drag(app: &mut AppUnderTest, from: Pos2, to: Pos2) {
    app.harness.hover_at(from);
    app.harness.step();
    app.harness.drag_at(from);
    app.harness.step();
    for step in 1..=10 {
        app.harness.hover_at(from.lerp(to, step as f32 / 10.0));
        app.harness.step();
    }
    app.harness.drop_at(to);
    app.settle();
}

/// Where the text `text` is painted, in the last frame.
fn painted_text(app: &AppUnderTest, text: &str) -> Vec<Rect> {
    fn walk(shape: &egui::Shape, text: &str, out: &mut Vec<Rect>) {
        match shape {
            egui::Shape::Text(shape) if shape.galley.text() == text => out.push(shape.visual_bounding_rect()),
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, text, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for clipped in &app.harness.output().shapes {
        walk(&clipped.shape, text, &mut out);
    }
    out
}

#[test]
fn palette_entries_start_at_the_left_edge_and_the_window_keeps_its_top() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    app.settle();
    let top = app.harness.get_by_role_and_label(Role::TextInput, "Run a command").rect().top();
    // "Refresh" has a shortcut (F5; the button's name says both), "Use the sandbox site" has none.
    let indent = |app: &AppUnderTest, name: &str, label: &str| {
        let button = app.harness.get_by_role_and_label(Role::Button, name).rect();
        let text = painted_text(app, label);
        assert_eq!(text.len(), 1, "{label} painted once: {text:?}");
        (text[0].left() - button.left(), button)
    };
    let (with_shortcut, refresh) = indent(&app, "Refresh F5", "Refresh");
    let (without, _) = indent(&app, "Use the sandbox site", "Use the sandbox site");
    assert!((with_shortcut - without).abs() < 0.5, "same indent: {with_shortcut} vs {without}");
    assert!(without < 20.0, "at the left edge: {without}");
    let f5 = painted_text(&app, "F5");
    assert_eq!(f5.len(), 1, "{f5:?}");
    assert!(f5[0].left() > refresh.center().x && refresh.right() - f5[0].right() < 20.0, "{f5:?} in {refresh:?}");

    // Typing shrinks the list; the window's top stays where it was.
    app.fill(Role::TextInput, "Run a command", "theme");
    assert!(app.harness.query_by_label("Refresh F5").is_none(), "the list shrank");
    let now = app.harness.get_by_role_and_label(Role::TextInput, "Run a command").rect().top();
    assert!((now - top).abs() < 0.5, "the top moved from {top} to {now}");
    app.harness.run();
}
