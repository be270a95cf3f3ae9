//! Safety before editing, in the real app against its sandbox (egui_kittest): keys behind a
//! dialog do nothing, a confirmation deletes exactly what it named, a cancelled delete says
//! how far it got, a selection over rows never loaded fetches nothing, a site that pages in
//! smaller pages works whole.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::{Contact, ContactId, Rows};
use treepl_contacts::sandbox::{FaultRule, Route, SandboxConfig};

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring, contacts_on};

fn ids(contacts: &[Contact]) -> BTreeSet<ContactId> {
    contacts.iter().map(|c| c.id).collect()
}

fn name(contact: &Contact) -> String {
    format!("{} {}", contact.first_name.clone().unwrap_or_default(), contact.last_name.clone().unwrap_or_default())
}

/// Every key a hurried user might press with a dialog open.
fn press_everything(app: &mut AppUnderTest) {
    let keys = [
        (Modifiers::COMMAND, Key::A),
        (Modifiers::NONE, Key::ArrowDown),
        (Modifiers::SHIFT, Key::End),
        (Modifiers::NONE, Key::PageDown),
        (Modifiers::NONE, Key::Delete),
        (Modifiers::NONE, Key::Enter),
        (Modifiers::NONE, Key::F5),
        (Modifiers::COMMAND, Key::E),
        (Modifiers::COMMAND, Key::N),
        (Modifiers::COMMAND, Key::K),
    ];
    for (modifiers, key) in keys {
        app.harness.key_press_modifiers(modifiers, key);
        app.settle();
    }
}

fn assert_nothing_changed_behind(app: &AppUnderTest, selection: &treepl_contacts::api::Selection, cursor: Option<u64>) {
    let state = app.state();
    assert_eq!(&state.grid.selection, selection, "the selection behind the dialog");
    assert_eq!(state.grid.cursor, cursor, "the cursor behind the dialog");
    assert!(state.exports.dialog.is_none() && state.profiles.dialog.is_none(), "no other dialog opened");
    assert!(state.grid.windows.is_empty(), "no contact opened");
}

#[test]
fn keys_behind_a_delete_confirmation_change_nothing_and_it_deletes_only_the_contact_it_named() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    let victim = app.state().grid.peek(3).unwrap().clone();
    app.harness.get_by_label_contains(&victim.email).click_secondary();
    app.settle();
    app.harness.get_by_label("Delete…").click();
    app.settle();
    app.harness.get_by_label(&format!("Delete 1 contact ({})?", name(&victim)));
    let (selection, cursor) = (app.state().grid.selection.clone(), app.state().grid.cursor);

    press_everything(&mut app);
    assert_nothing_changed_behind(&app, &selection, cursor);
    app.harness.get_by_label(&format!("Delete 1 contact ({})?", name(&victim)));

    app.harness.get_by_label("Delete").click();
    app.wait_until("the delete lands", |app| app.state().grid.total() == Some(DEMO_CONTACTS - 1) && app.rows_loaded());
    let mut expected = ids(&before);
    expected.remove(&victim.id);
    assert_eq!(ids(&app.contacts_on_site()), expected, "every other contact is still there");
}

#[test]
fn a_confirmation_deletes_the_scope_it_showed_even_when_the_selection_changes_behind_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    let victim = app.state().grid.peek(5).unwrap().clone();
    app.harness.get_by_label_contains(&victim.email).click();
    app.settle();
    app.harness.key_press(Key::Delete);
    app.settle();
    app.harness.get_by_label(&format!("Delete 1 contact ({})?", name(&victim)));
    // Whatever changes the grid meanwhile (here the old Ctrl+A path, called directly).
    app.state_mut().grid.select_all();
    app.harness.get_by_label("Delete").click();
    app.wait_until("the delete lands", |app| app.state().grid.total() == Some(DEMO_CONTACTS - 1) && app.rows_loaded());
    let mut expected = ids(&before);
    expected.remove(&victim.id);
    assert_eq!(ids(&app.contacts_on_site()), expected);
}

#[test]
fn a_confirmation_on_a_ctrl_a_scope_deletes_that_scope_and_nothing_more() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    // Expected from the data itself: the contacts whose names or email hold "nguy".
    let matching: BTreeSet<ContactId> = before
        .iter()
        .filter(|c| format!("{} {}", name(c), c.email).to_lowercase().contains("nguy"))
        .map(|c| c.id)
        .collect();
    assert!(matching.len() > 1 && (matching.len() as u64) < DEMO_CONTACTS);
    app.fill(egui::accesskit::Role::TextInput, "Search", "nguy");
    app.wait_until("the search applies", |app| app.state().grid.query.search == "nguy" && app.rows_loaded());
    let first = app.state().grid.peek(0).unwrap().clone();
    app.harness.get_by_label_contains(&first.email).click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    // Through the Edit menu this time.
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label_contains("Delete selected contacts…").click();
    app.settle();
    let question = format!("Delete {} contacts matching the filter?", matching.len());
    app.harness.get_by_label(&question);
    let (selection, cursor) = (app.state().grid.selection.clone(), app.state().grid.cursor);
    press_everything(&mut app);
    assert_nothing_changed_behind(&app, &selection, cursor);
    app.harness.get_by_label("Delete").click();
    app.wait_until("the deletes land", |app| app.state().grid.total() == Some(0));
    let expected: BTreeSet<ContactId> = ids(&before).difference(&matching).copied().collect();
    assert_eq!(ids(&app.contacts_on_site()), expected, "exactly the matches went");
}

#[test]
fn a_cancelled_delete_says_how_many_went_and_refreshes_the_grid() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let sandbox = app.state().shell.site.sandbox().unwrap();
    let slow =
        FaultRule { latency: Some((Duration::from_millis(150), Duration::from_millis(150))), ..FaultRule::default() };
    sandbox.faults().set_route(Route::DeleteContact, slow);
    let email = |app: &AppUnderTest, index: u64| app.state().grid.peek(index).unwrap().email.clone();
    app.harness.get_by_label_contains(&email(&app, 0)).click();
    app.settle();
    app.harness.get_by_label_contains(&email(&app, 19)).click_modifiers(Modifiers::SHIFT);
    app.settle();
    app.harness.key_press(Key::Delete);
    app.settle();
    app.harness.get_by_label("Delete 20 contacts?");
    app.harness.get_by_label("Delete").click();
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    app.wait_until("a few are deleted", |_| store.contact_count().unwrap() <= DEMO_CONTACTS - 3);
    app.harness.get_by_label("Cancel").click();
    app.wait_until("the delete reports", |app| {
        app.state().shell.notifications.history().iter().any(|n| n.title == "Delete cancelled")
    });
    let gone = DEMO_CONTACTS - store.contact_count().unwrap();
    assert!(gone < 20, "it stopped early: {gone}");
    app.harness.get_by_label(&format!("{gone} of 20 deleted before it stopped."));
    app.wait_until("the grid is refreshed", |app| app.state().grid.total() == Some(DEMO_CONTACTS - gone));
}

#[test]
fn a_shift_range_over_rows_never_loaded_fetches_only_the_window_and_exports_exactly_those_rows() {
    let mut app = AppUnderTest::start_with(TestKeyring::mock(), 3000);
    let tenth = app.state().grid.peek(10).unwrap().clone();
    app.harness.get_by_label_contains(&tenth.email).click();
    app.settle();
    let sandbox = app.state().shell.site.sandbox().unwrap();
    sandbox.requests().clear();
    app.harness.key_press_modifiers(Modifiers::SHIFT, Key::End);
    app.wait_until("the end of the list shows", |app| app.state().grid.peek(2999).is_some());
    app.settle();
    let asked = app.state().shell.site.sandbox().unwrap().requests().to(Route::ListContacts).len();
    assert!(asked <= 3, "the pages on screen and their margin, not the range: {asked}");
    assert_eq!(app.state().grid.selection.rows, Rows::Range { first: 10, last: 2999 });
    app.harness.get_by_label("2,990 selected");

    // Expected from the sandbox's own store, in its default order (Id), rows 10..=2999.
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let everyone = treepl_contacts::sandbox::SiteListRequest { limit: 3000, ..Default::default() };
    let all = store.list_contacts(&everyone).unwrap().items;
    let expected: Vec<String> = all[10..].iter().map(|c| c.email.clone()).collect();

    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    app.settle();
    app.harness.get_by_label("Selected contacts (2,990)");
    app.harness.get_by_label("JSON").click();
    app.settle();
    let target = app.exports.join("range.json");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 2,990 contacts…").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());
    let written: Vec<Contact> = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    let written: Vec<String> = written.into_iter().map(|c| c.email).collect();
    assert_eq!(written, expected);
}

#[test]
fn a_site_that_caps_pages_at_20_shows_every_row_exports_every_row_and_deletes_every_match() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let mut config = SandboxConfig::new("");
    config.max_limit = 20;
    let capped = app.runtime().block_on(common::site_with(config, 300));
    let url = capped.sandbox.url().to_string();
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Capped", &url, "sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the capped site is open", |app| {
        app.state().profiles.dialog.is_none() && app.rows_loaded() && app.state().grid.total() == Some(300)
    });
    assert_eq!(app.state().grid.page_size(), 20, "the grid follows the site's page size");
    // Scroll through the whole list: every row on screen loads, none stays a placeholder.
    for key in [Key::End, Key::PageUp, Key::PageUp, Key::PageUp, Key::Home] {
        app.harness.key_press(key);
        app.wait_until("every visible row is loaded", |app| {
            let grid = &app.state().grid;
            grid.visible.is_some_and(|(first, last)| (first..=last).all(|i| grid.peek(i).is_some()))
        });
    }
    let expected: Vec<String> = contacts_on(&capped.sandbox, app.runtime()).into_iter().map(|c| c.email).collect();

    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    app.settle();
    app.harness.get_by_label("All contacts matching the filter (300)").click();
    app.harness.get_by_label("JSON").click();
    app.settle();
    let target = app.exports.join("capped.json");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 300 contacts…").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());
    let written: Vec<Contact> = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written.into_iter().map(|c| c.email).collect::<Vec<_>>(), expected);

    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    app.harness.key_press(Key::Delete);
    app.settle();
    app.harness.get_by_label("Delete all 300 contacts on this site?");
    app.harness.get_by_label("Delete").click();
    app.wait_until("every contact is deleted", |app| app.state().grid.total() == Some(0));
    assert_eq!(capped.sandbox.store().contact_count().unwrap(), 0);
}

#[test]
fn an_export_writes_the_scope_it_showed_when_its_dialog_opened() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let chosen = app.state().grid.peek(2).unwrap().clone();
    app.harness.get_by_label_contains(&chosen.email).click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    app.settle();
    app.harness.get_by_label("Selected contacts (1)");
    app.harness.get_by_label("JSON").click();
    app.settle();
    // The grid changes behind the open dialog: another selection, another query.
    app.state_mut().grid.select_all();
    let query = treepl_contacts::app::grid::GridQuery { search: "zzz".into(), ..Default::default() };
    app.state_mut().grid.set_query(query);
    let target = app.exports.join("one.json");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 1 contact…").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());
    let written: Vec<Contact> = serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written.into_iter().map(|c| c.email).collect::<Vec<_>>(), vec![chosen.email]);
}
