//! Rough edges of the dialogs, driven through the real app (egui_kittest) against its own
//! sandbox: the bulk result table names each contact and offers Retry only when there is
//! something to retry, the preview says how many samples it shows, the connect dialog says
//! why Test and Save are disabled and shows a bad URL at its field without moving the rest,
//! and Escape closes History, the contact windows and the notifications panel, one at a time.

use crate::common;

use std::collections::HashMap;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT, Queryable};
use treepl_contacts::api::{Contact, ContactId};
use treepl_contacts::sandbox::{FaultRule, Route};

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

/// A contact's name as the brief states it (written here, not taken from the app): first and
/// last name, or the email when there is no name.
fn expected_name(contact: &Contact) -> String {
    let parts: Vec<&str> = [&contact.first_name, &contact.last_name]
        .into_iter()
        .filter_map(|part| part.as_deref().map(str::trim))
        .filter(|part| !part.is_empty())
        .collect();
    if parts.is_empty() { contact.email.clone() } else { parts.join(" ") }
}

/// Selects every contact and opens the bulk edit dialog from the Edit menu.
fn open_bulk_edit(app: &mut AppUnderTest) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), DEMO_CONTACTS);
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label("Bulk edit selected contacts…").click();
    app.settle();
}

fn wait_for_the_run(app: &mut AppUnderTest) {
    app.wait_until("the bulk run", |app| {
        app.state().bulk.dialog.as_ref().is_some_and(|d| d.applied.is_some() && !d.is_busy())
    });
}

/// The buttons whose label starts with `start`.
fn buttons_starting(app: &AppUnderTest, start: &str) -> Vec<String> {
    app.harness
        .query_all_by_role(Role::Button)
        .filter_map(|node| node.accesskit_node().label())
        .filter(|label| label.starts_with(start))
        .collect()
}

#[test]
fn the_bulk_result_table_names_contacts_it_could_not_read_and_offers_retry_only_for_failures() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    let names: HashMap<ContactId, String> = before.iter().map(|c| (c.id, expected_name(c))).collect();
    let changing = before.iter().filter(|c| c.address.city.as_deref() != Some("Narvik")).count();
    open_bulk_edit(&mut app);
    app.fill(Role::TextInput, "New City", "Narvik");

    // Every read of a contact fails: the table can only name them from the listing. (The
    // app speaks to a site without `$in` here, so that each contact is read on its own: a
    // site with it reads them a page at a time, through the same route as the listing.)
    let site = &mut app.state_mut().shell.site;
    if let Some(writes) = site.writes.take() {
        let mut dialect = writes.client().dialect().clone();
        dialect.unhonoured_operators.push("$in".to_owned());
        site.writes = Some(writes.with_dialect(dialect));
    }
    let failing = FaultRule { error: 1.0, ..FaultRule::default() };
    app.state().shell.site.sandbox().unwrap().faults().set_route(Route::GetContact, failing);
    app.harness.get_by_label(&format!("Apply to {DEMO_CONTACTS} contacts")).click();
    wait_for_the_run(&mut app);
    let (_, _, report) = app.state().bulk.dialog.as_ref().unwrap().applied.clone().unwrap();
    assert_eq!(report.tally().failed, DEMO_CONTACTS, "{report:?}");

    // The table on screen: the first row's contact is named between the header and the buttons.
    let first = names[&report.rows[0].id].clone();
    let header = app.harness.get_by_label("Outcome").rect();
    let export = app.harness.get_by_label("Export results…").rect();
    let in_table = app.harness.query_all_by_label(&first).any(|node| {
        let rect = node.rect();
        rect.top() > header.top() && rect.bottom() < export.top() && rect.left() > header.left() - 200.0
    });
    assert!(in_table, "the result table names {first}");
    assert_eq!(buttons_starting(&app, "Retry"), [format!("Retry {DEMO_CONTACTS} contacts")]);

    // The CSV has a name for every contact, as the site has it (the dialog settles first: a
    // click lands where the last frame drew the button).
    app.settle();
    let target = app.exports.join("failed.csv");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export results…").click();
    app.wait_until("the results file", |_| target.exists());
    let mut csv = csv::Reader::from_path(&target).unwrap();
    assert_eq!(csv.headers().unwrap().iter().collect::<Vec<_>>(), ["Id", "Contact", "Outcome", "Reason"]);
    let mut rows = 0;
    for record in csv.records() {
        let record = record.unwrap();
        let id: ContactId = record[0].parse().unwrap();
        assert_eq!(&record[1], names[&id], "the name of contact {id}");
        assert_eq!(&record[2], "failed");
        rows += 1;
    }
    assert_eq!(rows, DEMO_CONTACTS);

    // The site answers again: Retry takes them all, and then there is nothing to retry.
    app.state().shell.site.sandbox().unwrap().faults().clear();
    app.harness.get_by_label(&format!("Retry {DEMO_CONTACTS} contacts")).click();
    app.settle();
    wait_for_the_run(&mut app);
    let summary = format!("{changing} done, {} skipped unchanged, 0 failed", DEMO_CONTACTS as usize - changing);
    app.harness.get_by_label(&summary);
    assert!(buttons_starting(&app, "Retry").is_empty(), "no Retry button: {:?}", buttons_starting(&app, "Retry"));
    app.harness.get_by_label("Export results…");
}

#[test]
fn the_preview_says_how_many_of_the_changing_contacts_it_shows() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let changing = app.contacts_on_site().iter().filter(|c| c.address.city.as_deref() != Some("Lofoten")).count();
    assert!(changing > 5, "more contacts change than the preview samples");
    open_bulk_edit(&mut app);
    app.fill(Role::TextInput, "New City", "Lofoten");
    app.harness.get_by_label("Preview").click();
    let expected = format!("{changing} of {DEMO_CONTACTS} contacts will change.");
    app.wait_until("the preview", |app| app.harness.query_by_label(&expected).is_some());
    app.harness.get_by_label(&format!("Showing 5 of {changing}:"));
    // As many sample contacts as it says: each one's "after" is the new value.
    assert_eq!(app.harness.query_all_by_label("Lofoten").count(), 5);
}

fn open_connect_dialog(app: &mut AppUnderTest) {
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    assert!(app.state().profiles.dialog.is_some());
}

fn is_disabled(app: &AppUnderTest, label: &str) -> bool {
    app.harness.get_by_role_and_label(Role::Button, label).accesskit_node().is_disabled()
}

#[test]
fn the_connect_dialog_says_which_fields_test_and_save_still_need() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    open_connect_dialog(&mut app);
    let all = "Fill in the Site URL, the Client ID and the Client Secret to test the connection.";
    app.harness.get_by_label(all);
    assert!(is_disabled(&app, "Save") && is_disabled(&app, "Test connection"));
    // The disabled button says the same on hover.
    app.harness.get_by_role_and_label(Role::Button, "Test connection").hover();
    for _ in 0..60 {
        app.harness.step();
    }
    assert_eq!(app.harness.query_all_by_label(all).count(), 2, "the line and the tooltip");
    app.harness.get_by_label("Connect a Treepl site").hover();

    let url = app.state().shell.site.sandbox().unwrap().url().to_string();
    app.fill(Role::TextInput, "Site URL", &url);
    app.harness.get_by_label("Fill in the Client ID and the Client Secret to test the connection.");
    app.fill(Role::TextInput, "Client ID", "sandbox");
    app.harness.get_by_label("Fill in the Client Secret to test the connection.");
    assert!(is_disabled(&app, "Save") && is_disabled(&app, "Test connection"));
    app.fill(Role::PasswordInput, "Client Secret", "sandbox-secret");
    assert!(app.harness.query_by_label_contains("Fill in").is_none(), "nothing is missing");
    assert!(!is_disabled(&app, "Save") && !is_disabled(&app, "Test connection"));
}

#[test]
fn a_bad_site_url_shows_under_its_field_once_left_and_nothing_moves() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    open_connect_dialog(&mut app);
    let below = |app: &AppUnderTest| {
        let field = app.harness.get_by_role_and_label(Role::TextInput, "Client ID").rect();
        let cancel = app.harness.get_by_role_and_label(Role::Button, "Cancel").rect();
        (field, cancel)
    };
    let at_first = below(&app);
    let problem = "`exa mple` is not a web address";

    // While it is first typed, no message: a half-typed address is no error.
    app.fill(Role::TextInput, "Site URL", "exa mple");
    assert!(app.harness.query_by_label_contains(problem).is_none());

    // Left: the problem shows under the field, and nothing below it moved.
    app.harness.get_by_role_and_label(Role::TextInput, "Client ID").focus();
    app.settle();
    let message = app.harness.get_by_label_contains(problem).rect();
    let url = app.harness.get_by_role_and_label(Role::TextInput, "Site URL").rect();
    assert!(message.top() >= url.bottom() && message.bottom() <= at_first.0.top(), "{message:?} under {url:?}");
    assert!((message.left() - url.left()).abs() < 2.0, "level with the field: {message:?} {url:?}");
    assert_eq!(below(&app), at_first, "the fields and buttons below stay where they were");

    // Back in the field, a fix takes the message away while typing, and nothing moves.
    app.harness.get_by_role_and_label(Role::TextInput, "Site URL").focus();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, "Site URL").type_text("www.example.com");
    app.settle();
    assert!(app.harness.get_by_role_and_label(Role::TextInput, "Site URL").is_focused());
    assert_eq!(app.state().profiles.dialog.as_ref().unwrap().draft.site_url, "www.example.com");
    assert!(app.harness.query_by_label_contains("is not a web address").is_none());
    assert_eq!(below(&app), at_first);
    // And a new mistake shows while typing, now that the field was left once.
    app.harness.get_by_role_and_label(Role::TextInput, "Site URL").type_text(" x");
    app.settle();
    app.harness.get_by_label_contains("`www.example.com x` is not a web address");
    assert_eq!(below(&app), at_first);
}

fn history_open(app: &AppUnderTest) -> bool {
    app.state().history.open
}

/// Opens History with Ctrl+H and lets its window draw.
fn open_history(app: &mut AppUnderTest) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("History opens", history_open);
    app.settle();
}

fn escape(app: &mut AppUnderTest) {
    app.harness.key_press(Key::Escape);
    app.settle();
}

#[test]
fn escape_closes_history_then_the_notifications_panel_and_leaves_the_grid_alone() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let first = app.state().grid.peek(0).unwrap().email.clone();
    app.harness.get_by_label_contains(&first).click();
    app.settle();
    let selection = app.state().grid.selection.clone();
    assert_eq!(app.state().grid.selected_count(), 1);
    // (Ctrl+Shift+N is taken by Ctrl+N, New contact: egui lets an extra Shift match.)
    app.harness.get_by_role_and_label(Role::Button, "Notifications").click();
    app.settle();
    assert!(app.state().shell.notifications.panel_open);
    open_history(&mut app);

    escape(&mut app);
    assert!(!history_open(&app), "the window on top closes");
    assert!(app.state().shell.notifications.panel_open, "the panel behind stays for the next Escape");
    assert_eq!(app.state().grid.selection, selection, "the grid behind is left alone");

    escape(&mut app);
    assert!(!app.state().shell.notifications.panel_open);
    assert_eq!(app.state().grid.selection, selection);
}

#[test]
fn escape_in_the_history_search_first_leaves_the_field_then_closes_history() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    open_history(&mut app);
    app.fill(Role::SearchInput, "Search the history", "zz");
    assert!(app.harness.get_by_role_and_label(Role::SearchInput, "Search the history").is_focused());
    escape(&mut app);
    assert!(!app.harness.get_by_role_and_label(Role::SearchInput, "Search the history").is_focused());
    if history_open(&app) {
        escape(&mut app);
    }
    assert!(!history_open(&app), "a second Escape at most closes History");
}

#[test]
fn escape_closes_the_window_on_top_first_and_a_dialog_before_the_window_under_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let first = app.state().grid.peek(0).unwrap().clone();
    app.harness.get_by_label_contains(&first.email).click_secondary();
    app.settle();
    // The row menu's item (the pane, showing the clicked contact, has one too).
    app.harness.get_all_by_label("Open in a window").next().unwrap().click();
    app.wait_until("the contact window", |app| app.state().grid.windows.iter().any(|w| w.contact.is_some()));
    app.settle();
    open_history(&mut app);

    // The command palette over History: Escape closes the palette only.
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    app.settle();
    app.harness.get_by_role_and_label(Role::TextInput, "Run a command");
    escape(&mut app);
    assert!(app.harness.query_by_role_and_label(Role::TextInput, "Run a command").is_none());
    assert!(history_open(&app), "History, under the palette, stays");

    // History opened last, so it is on top: it closes first, then the contact window.
    escape(&mut app);
    assert!(!history_open(&app));
    assert_eq!(app.state().grid.windows.len(), 1, "the contact window stays for the next Escape");
    escape(&mut app);
    assert!(app.state().grid.windows.is_empty(), "Escape closes the contact window");
    assert!(app.state().grid.selected_count() <= 1, "the grid behind is left alone");
}
