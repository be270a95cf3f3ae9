//! The contact grid of the real app, driven through egui_kittest against its sandbox:
//! what the user does, what the site is asked, and what the grid shows.

use crate::common;

use egui::Modifiers;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use serde_json::json;
use treepl_contacts::api::{Contact, ListQuery, OrderBy, Where};
use treepl_contacts::sandbox::{Route, SiteListRequest};

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

/// What the sandbox itself says for a query: the first contact and the total.
fn server_first(app: &AppUnderTest, query: ListQuery) -> (Contact, u64) {
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let page = store
        .list_contacts(
            &SiteListRequest::from_pairs(
                treepl_contacts::api::Dialect::default()
                    .list_request(&query.page(0, 1))
                    .expect("the client encodes it")
                    .query,
            )
            .unwrap(),
        )
        .unwrap();
    (page.items[0].clone(), page.total_items_count.unwrap())
}

fn first_row(app: &AppUnderTest) -> Option<Contact> {
    app.state().grid.peek(0).cloned()
}

#[test]
fn clicking_a_header_orders_the_rows_as_the_server_does() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    for descending in [false, true] {
        let arrow = if descending { "Last name ⏶" } else { "Last name" };
        app.harness.get_by_label(arrow).click();
        app.wait_until("the sorted rows show", |app| {
            app.state().grid.query.order_by.as_ref().is_some_and(|o| o.descending == descending)
                && first_row(app).is_some()
        });
        let (expected, _) =
            server_first(&app, ListQuery::default().order_by(OrderBy { field: "LastName".into(), descending }));
        assert_eq!(first_row(&app).unwrap().id, expected.id, "descending: {descending}");
        app.harness.get_by_label_contains(&expected.email);
    }
    app.harness.get_by_label("Last name ⏷");
}

#[test]
fn the_search_narrows_the_rows_on_the_server() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill(Role::TextInput, "Search", "nguy");
    app.wait_until("the search applies", |app| app.state().grid.query.search == "nguy" && app.rows_loaded());
    // Expected from the data itself, not from the filter the grid builds.
    let text = |c: &Contact| {
        let (first, last) = (c.first_name.clone().unwrap_or_default(), c.last_name.clone().unwrap_or_default());
        format!("{first} {last} {}", c.email).to_lowercase()
    };
    let expected = app.contacts_on_site().iter().filter(|c| text(c).contains("nguy")).count() as u64;
    let total = app.state().grid.total().unwrap();
    assert_eq!(total, expected);
    assert!(total > 0 && total < DEMO_CONTACTS, "narrowed: {total}");
    let shown = first_row(&app).unwrap();
    assert!(text(&shown).contains("nguy"), "{}", text(&shown));
    app.harness.get_by_label("Search: nguy  ×");
}

#[test]
fn a_filter_built_in_the_ui_sends_the_expected_where_and_shows_its_rows() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Add condition").click();
    app.settle();
    app.harness.get_by_label("Field of condition 1").click();
    app.settle();
    app.harness.get_by_label("Membership: Level").scroll_to_me();
    app.settle();
    app.harness.get_by_label("Membership: Level").click();
    app.settle();
    app.harness.get_by_label("Operator of condition 1").click();
    app.settle();
    app.harness.get_by_label("=").click();
    app.settle();
    app.fill(Role::TextInput, "Value of condition 1", "Gold");
    app.state().shell.site.sandbox().unwrap().requests().clear();
    app.harness.get_by_label("Apply").click();
    app.wait_until("the filter applies", |app| !app.state().grid.query.filter.is_empty() && app.rows_loaded());

    let expected_where = json!({"CustomCrmGroups.Membership.Level": {"$eq": "Gold"}});
    let sent = app.state().shell.site.sandbox().unwrap().requests().to(Route::ListContacts);
    let filters: Vec<serde_json::Value> =
        sent.iter().filter_map(|r| r.query_param("Where")).map(|w| serde_json::from_str(&w).unwrap()).collect();
    assert!(!filters.is_empty() && filters.iter().all(|w| *w == expected_where), "{filters:?}");
    let (_, expected_total) = server_first(&app, ListQuery::new(Where::custom("Membership", "Level").eq("Gold")));
    assert_eq!(app.state().grid.total(), Some(expected_total));
    let shown = first_row(&app).unwrap();
    assert_eq!(shown.custom_crm_groups["Membership"]["Level"], json!("Gold"));
    // The active filter shows as a chip that takes it away again.
    app.harness.get_by_label("Membership: Level = Gold  ×").click();
    app.wait_until("the filter is gone", |app| app.state().grid.query.filter.is_empty() && app.rows_loaded());
    assert_eq!(app.state().grid.total(), Some(DEMO_CONTACTS));
    // Settled with the builder open: every input of it has an accessible name.
    app.harness.run();
}

#[test]
fn shift_click_selects_a_range_and_ctrl_click_one_more() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let email = |app: &AppUnderTest, index: u64| app.state().grid.peek(index).unwrap().email.clone();
    app.harness.get_by_label_contains(&email(&app, 2)).click();
    app.settle();
    app.harness.get_by_label_contains(&email(&app, 6)).click_modifiers(Modifiers::SHIFT);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), 5);
    app.harness.get_by_label("5 selected");
    app.harness.get_by_label_contains(&email(&app, 9)).click_modifiers(Modifiers::COMMAND);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), 6);
    let ids = app.state().grid.selected_loaded_ids();
    let expected: Vec<i64> = [2, 3, 4, 5, 6, 9].iter().map(|i| app.state().grid.peek(*i).unwrap().id).collect();
    assert_eq!(ids, expected);
}

#[test]
fn ctrl_a_selects_every_matching_contact_even_those_not_loaded() {
    let mut app = AppUnderTest::start_with(TestKeyring::mock(), 1500);
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), 1500);
    app.harness.get_by_label("1,500 selected");
    assert!(app.state().grid.peek(1400).is_none(), "row 1,401 was never loaded");
}

#[test]
fn enter_takes_the_keyboard_to_the_contact_pane_and_a_window_opens_on_request() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let second = app.state().grid.peek(1).unwrap().clone();
    app.harness.get_by_label_contains(&second.email).click();
    app.wait_until("the pane shows it", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == second.id && o.draft.is_some())
    });
    app.harness.key_press(egui::Key::Enter);
    app.settle();
    let email = app.harness.get_by_role_and_label(Role::TextInput, "Email");
    assert!(email.is_focused(), "the pane's first field has the keyboard");
    // The arrow keys now edit the field, not the grid.
    app.harness.key_press(egui::Key::ArrowDown);
    app.settle();
    assert_eq!(app.state().grid.cursor, Some(1));
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    app.harness.get_by_label("Open in a window").click();
    app.wait_until("the window opens", |app| app.state().grid.windows.iter().any(|w| w.contact.is_some()));
    assert_eq!(app.state().grid.windows[0].id, second.id);
    // The arrow keys move the cursor again, and the pane follows.
    app.harness.key_press(egui::Key::ArrowDown);
    let third = app.state().grid.peek(2).unwrap().id;
    app.wait_until("the pane follows the cursor", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == third)
    });
}

#[test]
fn refresh_keeps_the_selection_of_contacts_that_still_exist() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let email = |app: &AppUnderTest, index: u64| app.state().grid.peek(index).unwrap().email.clone();
    app.harness.get_by_label_contains(&email(&app, 0)).click();
    app.settle();
    app.harness.get_by_label_contains(&email(&app, 1)).click_modifiers(Modifiers::SHIFT);
    app.settle();
    let gone = app.state().grid.peek(1).unwrap().id;
    app.state().shell.site.sandbox().unwrap().store().delete_contact(gone).unwrap();
    app.harness.key_press(egui::Key::F5);
    app.wait_until("the refresh lands", |app| app.rows_loaded() && app.state().grid.selected_count() == 1);
    assert_eq!(app.state().grid.total(), Some(DEMO_CONTACTS - 1));
    assert!(app.state().grid.selection.contains(0, app.state().grid.peek(0).unwrap().id));
}

#[test]
fn delete_from_the_row_menu_asks_then_removes_the_contact() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let victim = app.state().grid.peek(3).unwrap().clone();
    app.harness.get_by_label_contains(&victim.email).click_secondary();
    app.settle();
    app.harness.get_by_label("Delete…").click();
    app.settle();
    let name = format!("{} {}", victim.first_name.clone().unwrap(), victim.last_name.clone().unwrap());
    app.harness.get_by_label(&format!("Delete 1 contact ({name})?"));
    app.harness.get_by_label("Delete").click();
    app.wait_until("the delete lands", |app| app.state().grid.total() == Some(DEMO_CONTACTS - 1) && app.rows_loaded());
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    assert!(store.get_contact(victim.id).unwrap().is_none());
    assert!(app.harness.query_by_label_contains(&victim.email).is_none());
}

#[test]
fn a_saved_view_brings_back_its_sort_and_columns() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let phone_shown = |app: &AppUnderTest| app.state().layout().columns.iter().any(|c| c.field == "Phone" && c.visible);
    assert!(phone_shown(&app));
    app.harness.get_by_label("Columns").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Phone").click();
    app.settle();
    assert!(!phone_shown(&app), "hidden from the Columns menu");
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    app.harness.get_by_label("City").click();
    app.wait_until("sorted by city", |app| app.state().grid.query.order_by.is_some() && app.rows_loaded());

    app.harness.get_by_label("Views").click();
    app.settle();
    app.fill(Role::TextInput, "Name", "By city");
    app.harness.get_by_label("Save view").click();
    app.settle();
    assert_eq!(app.state().layout().views.len(), 1);

    // Change both, then bring the view back with one click.
    app.harness.get_by_label("Email").click();
    app.wait_until("sorted by email", |app| {
        app.state().grid.query.order_by.as_ref().is_some_and(|o| o.field == "Email") && app.rows_loaded()
    });
    app.harness.get_by_label("Columns").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Phone").click();
    app.settle();
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    assert!(phone_shown(&app));
    app.harness.get_by_label("Views").click();
    app.settle();
    app.harness.get_by_label("By city").click();
    app.wait_until("the view applies", |app| {
        app.state().grid.query.order_by.as_ref().is_some_and(|o| o.field == "City") && app.rows_loaded()
    });
    assert!(!phone_shown(&app), "the view's columns are back");
    let (expected, _) = server_first(&app, ListQuery::default().order_by(OrderBy::asc("City")));
    assert_eq!(first_row(&app).unwrap().id, expected.id);
}

#[test]
fn deleting_a_ctrl_a_selection_removes_every_match_and_nothing_else() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill(Role::TextInput, "Search", "nguy");
    app.wait_until("the search applies", |app| app.state().grid.query.search == "nguy" && app.rows_loaded());
    let matching = app.state().grid.total().unwrap();
    assert!(matching > 1);
    // Ctrl+A in the search box selects its text; in the grid, every match.
    let first = first_row(&app).unwrap();
    app.harness.get_by_label_contains(&first.email).click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), matching);
    app.harness.get_by_label_contains(&first.email).click_secondary();
    app.settle();
    app.harness.get_by_label(&format!("Delete {matching} contacts…")).click();
    app.settle();
    app.harness.get_by_label(&format!("Delete {matching} contacts matching the filter?"));
    app.harness.get_by_label("Delete").click();
    app.wait_until("the deletes land", |app| app.state().grid.total() == Some(0));
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    assert_eq!(store.contact_count().unwrap(), DEMO_CONTACTS - matching, "only the matches went");
}

#[test]
fn refresh_shows_what_changed_on_the_site() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let first = first_row(&app).unwrap();
    app.harness.get_by_label_contains(&first.email);
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let mut fields = serde_json::Map::new();
    fields.insert("FirstName".to_owned(), json!("Renamed-Elsewhere"));
    store.update_contact(first.id, &fields).unwrap();

    app.harness.key_press(egui::Key::F5);
    app.wait_until("the row shows the new name", |app| {
        first_row(app).is_some_and(|c| c.first_name.as_deref() == Some("Renamed-Elsewhere"))
    });
    app.settle();
    let row = app.harness.get_by_label_contains(&first.email);
    assert!(format!("{row:?}").contains("Renamed-Elsewhere"), "the drawn row is the fresh copy");
}

#[test]
fn raw_json_filters_the_grid_and_an_emptied_box_shows_every_contact_again() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Edit as JSON…").click();
    app.settle();
    let replace_json = |app: &mut AppUnderTest, text: &str| {
        app.harness.get_by_role_and_label(Role::MultilineTextInput, "Where (JSON)").focus();
        app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
        app.harness.key_press(egui::Key::Backspace);
        app.settle();
        if !text.is_empty() {
            app.fill(Role::MultilineTextInput, "Where (JSON)", text);
        }
        app.harness.get_by_label("Apply JSON").click();
        app.settle();
    };
    replace_json(&mut app, r#"{"Id": {"$lte": 10}}"#);
    app.wait_until("the JSON filter applies", |app| !app.state().grid.query.filter.is_empty() && app.rows_loaded());
    assert_eq!(app.state().grid.total(), Some(10));

    // Clearing the box is asking for no filter, not a JSON syntax error.
    replace_json(&mut app, "");
    app.wait_until("the filter is gone", |app| app.state().grid.query.filter.is_empty() && app.rows_loaded());
    assert_eq!(app.state().grid.total(), Some(DEMO_CONTACTS));
    assert!(app.harness.query_by_label_contains("EOF").is_none(), "no parser error is shown");
}
