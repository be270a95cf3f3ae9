//! Rough edges of the grid header, the query bar and the command palette, driven through the
//! real app: the header's context menu and drag-to-reorder, the Columns menu that stays open,
//! Enter in a filter value, the searchable field list, and the palette's layout.

use crate::common;

use egui::accesskit::Role;
use egui::{Pos2, Rect};
use egui_kittest::kittest::Queryable;
use serde_json::json;
use treepl_contacts::api::{ListQuery, Where};
use treepl_contacts::sandbox::{Route, SiteListRequest};

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

#[test]
fn right_clicking_a_header_lists_every_column_to_show_or_hide() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("City").click_secondary();
    app.settle();
    // Every column of the layout has a box, ticked when shown (the layout is the oracle for
    // which columns exist; the titles are the contract's own names).
    let boxes = app.harness.query_all_by_role(Role::CheckBox).count();
    assert_eq!(boxes, app.state().layout().columns.len(), "a box per column");
    assert!(is_visible(&app, "Phone") && !is_visible(&app, "Notes"));
    app.harness.get_by_role_and_label(Role::CheckBox, "Notes").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Notes").click();
    app.settle();
    assert!(is_visible(&app, "Notes"), "ticking Notes shows it");
    // The menu is still open: a second box can be ticked at once.
    app.harness.get_by_role_and_label(Role::CheckBox, "Phone").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Phone").click();
    app.settle();
    assert!(!is_visible(&app, "Phone"), "unticking Phone hides it");
    let headers =
        |app: &AppUnderTest, title: &str| app.harness.query_all_by_role_and_label(Role::Button, title).count();
    assert_eq!(headers(&app, "Notes"), 1, "a Notes header");
    assert_eq!(headers(&app, "Phone"), 0, "no Phone header");
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    assert!(app.harness.query_by_role_and_label(Role::CheckBox, "Phone").is_none(), "Escape closes it");
    app.harness.run();
}

#[test]
fn dragging_a_header_moves_the_column_and_a_click_still_sorts() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = visible_fields(&app);
    assert_eq!(&before[..3], ["FirstName", "LastName", "Email"]);
    let email = app.harness.get_by_label("Email").rect();
    let first = app.harness.get_by_label("First name").rect();
    drag(&mut app, email.center(), Pos2::new(first.left() + 2.0, first.center().y));
    let mut expected = before.clone();
    let moved = expected.remove(2);
    expected.insert(0, moved);
    assert_eq!(visible_fields(&app), expected, "Email now comes first");
    assert!(app.state().grid.query.order_by.is_none(), "a drag does not sort");
    // The header is drawn in the new order.
    let email = app.harness.get_by_label("Email").rect();
    let first = app.harness.get_by_label("First name").rect();
    assert!(email.right() <= first.left(), "{email:?} left of {first:?}");

    // And back towards the end: dropped on the right half of City (just left of its right
    // edge, where its resize handle is), Email lands after it.
    let city_edge = app.harness.get_by_label("Resize the City column").rect().center();
    drag(&mut app, email.center(), Pos2::new(city_edge.x - 8.0, email.center().y));
    let at = |fields: &[String], name: &str| fields.iter().position(|f| f == name).unwrap();
    let fields = visible_fields(&app);
    assert_eq!(at(&fields, "Email"), at(&fields, "City") + 1, "{fields:?}");

    // A plain click still sorts, and the edge still resizes.
    app.harness.get_by_label("Last name").click();
    app.wait_until("sorted by last name", |app| {
        app.state().grid.query.order_by.as_ref().is_some_and(|o| o.field == "LastName") && app.rows_loaded()
    });
    let order = visible_fields(&app);
    let width = |app: &AppUnderTest| app.state().layout().columns.iter().find(|c| c.field == "City").unwrap().width;
    let was = width(&app);
    let edge = app.harness.get_by_label("Resize the City column").rect().center();
    drag(&mut app, edge, edge + egui::vec2(40.0, 0.0));
    assert!((width(&app) - (was + 40.0)).abs() < 1.0, "{} -> {}", was, width(&app));
    assert_eq!(visible_fields(&app), order, "resizing moves nothing");
}

#[test]
fn the_columns_menu_stays_open_while_boxes_are_ticked() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Columns").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Phone").click();
    app.settle();
    assert!(!is_visible(&app, "Phone"));
    let notes = app.harness.query_by_role_and_label(Role::CheckBox, "Notes");
    assert!(notes.is_some(), "the menu is still open after a box was ticked");
    // Notes is further down the menu's list.
    app.harness.get_by_role_and_label(Role::CheckBox, "Notes").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Notes").click();
    app.settle();
    assert!(is_visible(&app, "Notes"));
    // A click outside closes it.
    app.harness.get_by_label("Search").click();
    app.settle();
    assert!(app.harness.query_by_role_and_label(Role::CheckBox, "Notes").is_none(), "closed by a click outside");
}

#[test]
fn enter_in_a_condition_value_applies_the_filter() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Add condition").click();
    app.settle();
    // The new condition is Last name contains …
    app.fill(Role::TextInput, "Value of condition 1", "nguy");
    app.state().shell.site.sandbox().unwrap().requests().clear();
    app.harness.key_press(egui::Key::Enter);
    app.wait_until("the filter applies", |app| !app.state().grid.query.filter.is_empty() && app.rows_loaded());
    let sent = app.state().shell.site.sandbox().unwrap().requests().to(Route::ListContacts);
    let filters: Vec<serde_json::Value> =
        sent.iter().filter_map(|r| r.query_param("Where")).map(|w| serde_json::from_str(&w).unwrap()).collect();
    let expected_where = json!({"LastName": {"$contains": "nguy"}});
    assert!(!filters.is_empty() && filters.iter().all(|w| *w == expected_where), "{filters:?}");
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let query = ListQuery::new(Where::field("LastName").contains("nguy")).page(0, 1);
    let page = store
        .list_contacts(
            &SiteListRequest::from_pairs(
                treepl_contacts::api::Dialect::default().list_request(&query).expect("the client encodes it").query,
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(app.state().grid.total(), page.total_items_count);
}

#[test]
fn typing_in_the_field_list_narrows_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Add condition").click();
    app.settle();
    app.harness.get_by_label("Field of condition 1").click();
    app.settle();
    // Every field is listed at first ("Role" is not a column on screen, so only the list has it).
    app.harness.get_by_label("Role");
    let search = app.harness.get_by_role_and_label(Role::TextInput, "Search the fields of condition 1");
    assert!(search.is_focused(), "typing goes to the search box at once");
    app.fill(Role::TextInput, "Search the fields of condition 1", "BILLING");
    // The billing fields of the contract, whatever the case typed.
    for title in ["Billing address", "Billing city", "Billing state", "Billing zip code", "Billing country"] {
        app.harness.get_by_label(title);
    }
    assert!(app.harness.query_by_label("Role").is_none(), "narrowed");
    assert!(app.harness.query_by_label("Membership: Level").is_none(), "narrowed");

    // Custom fields are searched too; picking one closes the list and sets the field.
    app.harness.get_by_role_and_label(Role::TextInput, "Search the fields of condition 1").focus();
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    app.harness.key_press(egui::Key::Backspace);
    app.settle();
    app.harness.get_by_label("Role");
    app.fill(Role::TextInput, "Search the fields of condition 1", "membership: le");
    app.harness.get_by_label("Membership: Level").click();
    app.settle();
    let search = app.harness.query_by_role_and_label(Role::TextInput, "Search the fields of condition 1");
    assert!(search.is_none(), "picking a field closes the list");
    let field = app.harness.get_by_label("Field of condition 1").value();
    assert_eq!(field.as_deref(), Some("Membership: Level"));
    app.fill(Role::TextInput, "Value of condition 1", "Gold");
    app.harness.key_press(egui::Key::Enter);
    app.wait_until("the filter applies", |app| !app.state().grid.query.filter.is_empty() && app.rows_loaded());
    let first = app.state().grid.peek(0).unwrap().clone();
    assert_eq!(first.custom_crm_groups["Membership"]["Level"], json!("Gold"));
    app.harness.run();
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
    // "Refresh" has a shortcut (F5; the button's name says both), "Bulk edit selected contacts…" has none.
    let indent = |app: &AppUnderTest, name: &str, label: &str| {
        let button = app.harness.get_by_role_and_label(Role::Button, name).rect();
        let text = painted_text(app, label);
        assert_eq!(text.len(), 1, "{label} painted once: {text:?}");
        (text[0].left() - button.left(), button)
    };
    let (with_shortcut, refresh) = indent(&app, "Refresh F5", "Refresh");
    let (without, _) = indent(&app, "Bulk edit selected contacts…", "Bulk edit selected contacts…");
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
