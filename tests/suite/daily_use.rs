//! What a new user hit in a first afternoon, each driven through the real app (egui_kittest)
//! against its sandbox: a grid that stayed at 0 contacts, saved edits offered back as
//! drafts, Tab landing on a Revert button, a save banner that outlived its edit, Undo that
//! stayed active, a bulk edit listed contact by contact, and a pane that grew on its own.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable};
use treepl_contacts::api::Contact;

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

fn retype(app: &mut AppUnderTest, label: &str, text: &str) {
    app.harness.get_by_role_and_label(Role::TextInput, label).focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.key_press(Key::Backspace);
    if !text.is_empty() {
        app.harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
    }
    app.settle();
}

fn open_in_pane(app: &mut AppUnderTest, row: u64) -> Contact {
    let contact = app.state().grid.peek(row).cloned().unwrap();
    app.harness.get_by_label_contains(&contact.email).click();
    let id = contact.id;
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.draft.is_some())
    });
    contact
}

/// The total the grid shows, once this query's first page is in.
fn shown_total(app: &AppUnderTest) -> Option<u64> {
    app.rows_loaded().then(|| app.state().grid.total()).flatten()
}

#[test]
fn clearing_a_search_that_matched_nothing_shows_every_contact_again() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let on_site = app.contacts_on_site().len() as u64;
    assert_eq!(on_site, DEMO_CONTACTS);
    retype(&mut app, "Search", "zzzq");
    app.wait_until("the search matches nothing", |app| {
        app.state().grid.query.search == "zzzq" && app.state().grid.total() == Some(0)
    });
    app.harness.get_by_label("No contact matches 'zzzq'.");
    assert!(app.harness.query_by_label("This site has no contacts yet.").is_none());

    // The box cleared by hand: the count and the first page are fetched again.
    retype(&mut app, "Search", "");
    app.wait_until("every contact shows again", |app| {
        app.state().grid.query.search.is_empty() && shown_total(app) == Some(on_site)
    });
    app.harness.get_by_label(&format!("{on_site} contacts"));
    assert!(app.state().grid.peek(0).is_some(), "the first row is loaded");

    // The empty state's own button does the same.
    retype(&mut app, "Search", "zzzq");
    app.wait_until("nothing again", |app| app.state().grid.total() == Some(0));
    app.harness.get_by_label("Clear the search").click();
    app.wait_until("every contact again", |app| shown_total(app) == Some(on_site));
    app.harness.get_by_label(&format!("{on_site} contacts"));
}

#[test]
fn refresh_after_a_filter_that_matched_nothing_asks_the_site_again() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    // A raw filter no contact matches, applied in the builder.
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Edit as JSON…").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::MultilineTextInput, "Where (JSON)").focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.key_press(Key::Backspace);
    app.fill(Role::MultilineTextInput, "Where (JSON)", r#"{"LastName": {"$contains": "zzz"}}"#);
    app.harness.get_by_label("Apply JSON").click();
    app.wait_until("the filter applies", |app| !app.state().grid.query.filter.is_empty());
    app.wait_until("the filter matches nothing", |app| app.state().grid.total() == Some(0));
    app.harness.get_by_label("No contact matches the filter.");
    // A contact that matches appears on the site; F5 must ask again and find it.
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let first = app.state().shell.site.sandbox().unwrap().store().get_contact(1).unwrap().unwrap();
    let mut fields = serde_json::Map::new();
    fields.insert("LastName".into(), serde_json::json!("Zzzyx"));
    store.update_contact(first.id, &fields).unwrap();
    app.harness.key_press(Key::F5);
    app.wait_until("the refreshed query finds the one match", |app| shown_total(app) == Some(1));
    app.harness.get_by_label("1 contacts");
    // Clear the filter from the empty state's button after it matches nothing again.
    fields.insert("LastName".into(), serde_json::json!("Berg"));
    store.update_contact(first.id, &fields).unwrap();
    app.harness.key_press(Key::F5);
    app.wait_until("nothing again", |app| app.rows_loaded() && app.state().grid.total() == Some(0));
    app.harness.get_by_label("Clear the filter").click();
    app.wait_until("every contact again", |app| shown_total(app) == Some(DEMO_CONTACTS));
}

#[test]
fn a_search_that_finds_nothing_offers_every_field_in_one_click() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contacts = app.contacts_on_site();
    // A city that is in no name or email.
    let city = contacts
        .iter()
        .filter_map(|c| c.address.city.clone())
        .find(|city| {
            let word = city.to_lowercase();
            contacts.iter().all(|c| {
                let text = format!(
                    "{} {} {}",
                    c.first_name.clone().unwrap_or_default(),
                    c.last_name.clone().unwrap_or_default(),
                    c.email
                );
                !text.to_lowercase().contains(&word)
            })
        })
        .expect("a seeded city that is no name");
    retype(&mut app, "Search", &city);
    app.wait_until("the search matches nothing", |app| app.state().grid.total() == Some(0));
    app.harness.get_by_label(&format!("Search all fields: City, Phone… contains '{city}'")).click();
    let expected = contacts
        .iter()
        .filter(|c| {
            let word = city.to_lowercase();
            [&c.address.city, &c.address.address, &c.billing.city, &c.notes, &c.address.state, &c.address.country]
                .iter()
                .any(|f| f.as_deref().is_some_and(|t| t.to_lowercase().contains(&word)))
        })
        .count() as u64;
    app.wait_until("the contacts of that city show", |app| shown_total(app).is_some_and(|t| t > 0));
    assert!(app.state().grid.total().unwrap() >= expected, "at least those whose address says {city}");
    assert!(app.state().grid.query.search.is_empty(), "the search became the filter");
    app.harness.get_by_label(&format!("Any field contains '{city}'  ×"));
}

fn draft_file(app: &AppUnderTest, id: i64) -> std::path::PathBuf {
    app.data_dir().join("drafts").join("sandbox").join(format!("{id}.json"))
}

/// Waits until the app has looked at last time's drafts (its task ended).
fn drafts_looked_at(app: &mut AppUnderTest) {
    app.wait_until("the drafts are looked at", |app| {
        !app.state().shell.tasks.running().any(|(_, task)| task.label.contains("unsaved changes"))
    });
}

#[test]
fn a_save_from_the_leave_prompt_removes_the_draft_and_nothing_is_offered_at_the_next_start() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 2);
    retype(&mut app, "City", "Hammerfest");
    let file = draft_file(&app, contact.id);
    app.wait_until("the draft is on disk", |_| file.exists());
    let other = app.state().grid.peek(5).cloned().unwrap();
    app.harness.get_by_label_contains(&other.email).click();
    app.settle();
    app.harness.get_by_label("Save").click();
    let id = other.id;
    app.wait_until("the other contact shows", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == id && o.draft.is_some())
    });
    app.wait_until("the draft is removed", |_| !file.exists());
    let mut app = app.restart();
    drafts_looked_at(&mut app);
    assert!(app.state().editor.offered.is_empty(), "a saved edit is not offered back");
    assert!(!file.exists());
}

#[test]
fn a_draft_the_site_already_holds_is_dropped_and_one_field_of_two_stays_unsaved() {
    use treepl_contacts::app::contact::drafts::{DraftFolder, SavedDraft};
    let app = AppUnderTest::start(TestKeyring::mock());
    let (saved_meanwhile, half_saved) =
        (app.state().grid.peek(3).cloned().unwrap(), app.state().grid.peek(4).cloned().unwrap());
    let folder = DraftFolder::new(&app.data_dir(), "sandbox");
    // As a crash would leave them: an edit that reached the site after all, and an edit of
    // two fields of which the site has one.
    let edit = |base: &Contact, city: &str, phone: Option<&str>| {
        let mut draft = base.clone();
        draft.address.city = Some(city.to_owned());
        if let Some(phone) = phone {
            draft.phone = Some(phone.to_owned());
        }
        SavedDraft { base: base.clone(), draft, saved_at: chrono::Utc::now() }
    };
    folder.write(&edit(&saved_meanwhile, "Alta", None)).unwrap();
    folder.write(&edit(&half_saved, "Vardø", Some("+47 555 0199"))).unwrap();
    let store = app.state().shell.site.sandbox().unwrap().store().clone();
    let mut fields = serde_json::Map::new();
    fields.insert("City".into(), serde_json::json!("Alta"));
    store.update_contact(saved_meanwhile.id, &fields).unwrap();
    fields.insert("City".into(), serde_json::json!("Vardø"));
    store.update_contact(half_saved.id, &fields).unwrap();

    let mut app = app.restart();
    app.wait_until("a draft is offered", |app| !app.state().editor.offered.is_empty());
    drafts_looked_at(&mut app);
    let offered: Vec<i64> = app.state().editor.offered.iter().map(|d| d.draft.id).collect();
    assert_eq!(offered, vec![half_saved.id], "the edit the site holds is not offered");
    assert!(!draft_file(&app, saved_meanwhile.id).exists(), "and its file is gone");
    app.settle();
    let name = treepl_contacts::app::text::contact_name(&half_saved);
    app.harness.get_by_label(&format!("Open the changes to {name}")).click();
    app.settle();
    let changed = app.state().editor.open.as_ref().unwrap().changed();
    assert_eq!(changed.into_iter().collect::<Vec<_>>(), vec!["Phone".to_owned()], "City matches the site already");
}

#[test]
fn tab_from_an_edited_field_goes_to_the_next_field_and_ctrl_r_reverts_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 1);
    retype(&mut app, "City", "Tromsø");
    app.harness.get_by_label("Revert City");
    app.harness.key_press(Key::Tab);
    app.settle();
    assert!(app.harness.get_by_role_and_label(Role::TextInput, "State").is_focused(), "Tab goes to the next field");
    assert!(!app.harness.get_by_label("Revert City").is_focused());
    // What is typed next lands in that field, not on a button.
    app.harness.get_by_role_and_label(Role::TextInput, "State").type_text("x");
    app.settle();
    let open = app.state().editor.open.as_ref().unwrap();
    let draft = open.draft.as_ref().unwrap();
    assert_eq!(draft.address.state, Some(format!("{}x", contact.address.state.clone().unwrap_or_default())));
    // Back in City, Ctrl+R puts it back as loaded.
    app.harness.get_by_role_and_label(Role::TextInput, "City").focus();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::R);
    app.settle();
    let draft = app.state().editor.open.as_ref().unwrap().draft.clone().unwrap();
    assert_eq!(draft.address.city, contact.address.city);
    // The Revert button still works with the pointer.
    app.harness.get_by_label("Revert State").click();
    app.settle();
    assert!(!app.state().editor.is_dirty());
}

#[test]
fn a_refused_save_says_so_once_without_retry_and_revert_all_takes_the_banner_away() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let other = app.state().grid.peek(4).cloned().unwrap();
    let contact = open_in_pane(&mut app, 1);
    retype(&mut app, "Email", &other.email);
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    let id = contact.id;
    app.wait_until("the save is refused", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == id && !o.saving && o.save_error.is_some())
    });
    app.settle();
    let message = app.state().editor.open.as_ref().unwrap().problems()["Email"].clone();
    assert_eq!(app.harness.query_all_by_label_contains(&message).count(), 1, "the site's message shows once");
    app.harness.get_by_label_contains("Not saved");
    assert!(app.harness.query_by_label("Retry").is_none(), "retrying refused data cannot help");
    // A new edit is not the one that failed: the banner goes.
    retype(&mut app, "City", "Bodø");
    assert!(app.harness.query_by_label_contains("Not saved").is_none(), "a new edit takes the banner away");
    // Refused again (another contact's email), then Revert all takes it away as well.
    let third = app.state().grid.peek(6).cloned().unwrap();
    retype(&mut app, "Email", &third.email);
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("refused again", |app| app.state().editor.open.as_ref().is_some_and(|o| o.save_error.is_some()));
    app.settle();
    app.harness.get_by_label_contains("Not saved");
    app.harness.get_by_label("Revert all").click();
    app.settle();
    assert!(app.harness.query_by_label_contains("Not saved").is_none(), "the banner goes with the edit");
    assert!(!app.state().editor.is_dirty());
}

/// Selects rows `first..=last` with a click and a Shift+click.
fn select_rows(app: &mut AppUnderTest, first: u64, last: u64) {
    let email = |app: &AppUnderTest, row: u64| app.state().grid.peek(row).unwrap().email.clone();
    app.harness.get_by_label_contains(&email(app, first)).click();
    app.settle();
    app.harness.get_by_label_contains(&email(app, last)).click_modifiers(Modifiers::SHIFT);
    app.settle();
}

fn bulk_edit_city(app: &mut AppUnderTest, city: &str, count: u64) {
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label("Bulk edit selected contacts…").click();
    app.settle();
    app.fill(Role::TextInput, "New City", city);
    app.harness.get_by_label(&format!("Apply to {count} contacts")).click();
    app.wait_until("the bulk edit", |app| {
        app.state().bulk.dialog.as_ref().is_some_and(|d| d.applied.is_some() && !d.is_busy())
    });
    app.harness.get_by_label("Close").click();
    app.settle();
}

fn history_items(app: &AppUnderTest) -> Vec<treepl_contacts::app::journal::HistoryItem> {
    app.state().history.items.clone()
}

fn is_disabled(app: &AppUnderTest, label: &str) -> bool {
    app.harness.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn a_bulk_edit_is_one_history_entry_that_opens_to_its_contacts_and_is_undone_once() {
    use treepl_contacts::app::journal::HistoryItem;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    select_rows(&mut app, 0, 5);
    let six: Vec<Contact> = (0..6).map(|row| app.state().grid.peek(row).cloned().unwrap()).collect();
    bulk_edit_city(&mut app, "Longyearbyen", 6);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("the history lists it", |app| !history_items(app).is_empty());
    let items = history_items(&app);
    assert_eq!(items.len(), 1, "one line for the whole bulk edit: {items:?}");
    let HistoryItem::Batch(batch) = &items[0] else { panic!("a bulk operation: {items:?}") };
    assert_eq!((batch.writes, batch.done), (6, 6));
    let title = batch.title.clone();
    assert!(title.starts_with("Bulk edit of 6 contacts"), "{title}");
    app.harness.get_by_label_contains(&format!("{title}, 6 done")).click();
    app.wait_until("its contacts are read", |app| {
        app.state().history.batch.as_ref().is_some_and(|b| b.members.as_ref().is_some_and(|m| m.len() == 6))
    });
    for contact in &six {
        let name = treepl_contacts::app::text::contact_name(contact);
        app.harness.get_by_label_contains(&format!("Saved · {name}, done"));
    }
    app.harness.get_by_label("Undo the whole operation").click();
    let ids: Vec<i64> = six.iter().map(|c| c.id).collect();
    app.wait_until("every city is back", |app| {
        let on_site = app.contacts_on_site();
        ids.iter().all(|id| {
            let now = on_site.iter().find(|c| c.id == *id).unwrap();
            six.iter().find(|c| c.id == *id).unwrap().address.city == now.address.city
        })
    });
    // Once the list is read again: the operation is marked undone, and its Undo is off.
    app.wait_until("the undo is listed", |app| history_items(app).len() == 2 && !app.state().history.undoing);
    app.settle();
    app.harness.get_by_label_contains(&format!("{title}, done, undone"));
    assert!(is_disabled(&app, "Undo the whole operation"), "an operation undone is not undone twice");
    let notification = app.state().shell.notifications.history().last().cloned().unwrap();
    assert_eq!(notification.level, treepl_contacts::app::notifications::Level::Success, "{notification:?}");
    assert!(notification.detail.starts_with("6 of 6 undone"), "{}", notification.detail);
    // A contact of it: its own Undo is off too, and it links to the undo.
    let name = treepl_contacts::app::text::contact_name(&six[0]);
    app.harness.get_by_label_contains(&format!("Saved · {name}, done, undone")).click();
    app.settle();
    assert!(is_disabled(&app, "Undo"));
    app.harness.get_by_label("Undone: see the undo").click();
    app.wait_until("the undo is picked", |app| {
        app.state().history.selected_batch().is_some_and(|b| b.title.starts_with("Undo: Bulk edit"))
    });
}

#[test]
fn a_save_undone_from_history_cannot_be_undone_again() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 2);
    retype(&mut app, "City", "Tromsø");
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("saved", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()));
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("listed", |app| !history_items(app).is_empty());
    let name = treepl_contacts::app::text::contact_name(&contact);
    app.harness.get_by_label_contains(&format!("Saved · {name}, done")).click();
    app.settle();
    app.harness.get_by_label("Undo").click();
    let city = contact.address.city.clone();
    app.wait_until("put back", |app| {
        app.contacts_on_site().iter().any(|c| c.id == contact.id && c.address.city == city)
    });
    app.wait_until("the undo is listed", |app| history_items(app).len() == 2);
    app.harness.get_by_label_contains(&format!("Saved · {name}, done, undone")).click();
    app.settle();
    assert!(is_disabled(&app, "Undo"), "undone already");
    app.harness.get_by_label("Undone: see the undo");
}

/// Where the pane starts, from its Save button's left edge.
fn pane_left(app: &AppUnderTest) -> f32 {
    app.harness.get_by_label_contains("Save changes").rect().left()
}

#[test]
fn creating_a_contact_keeps_the_panes_width_and_the_grids_controls_in_view() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    open_in_pane(&mut app, 0);
    app.settle();
    // The user made the pane narrower than it starts.
    let edge = app.harness.get_by_label("Resize panel").rect().center();
    app.harness.hover_at(edge);
    app.harness.run_steps(2);
    app.harness.drag_at(edge);
    app.harness.run_steps(2);
    for step in 1..=10 {
        app.harness.hover_at(edge + egui::vec2(12.0 * step as f32, 0.0));
        app.harness.run_steps(1);
    }
    app.harness.drop_at(edge + egui::vec2(120.0, 0.0));
    app.settle();
    let before = pane_left(&app);
    assert!(before > edge.x + 60.0, "the pane is narrower: {edge:?} -> {before}");
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    app.settle();
    retype(&mut app, "Email", "wide.pane@example.no");
    retype(&mut app, "First name", "Wide");
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("created", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.is_new() && !o.saving));
    app.wait_until("the tabs have their counts", |app| {
        app.state().related.count(treepl_contacts::app::related::Tab::Orders).is_some()
    });
    app.settle();
    let after = pane_left(&app);
    assert!((after - before).abs() < 1.0, "the pane kept its width: its left edge went from {before} to {after}");
    let views = app.harness.get_by_label("Views").rect();
    assert!(views.right() < after, "Views ({views:?}) stays clear of the pane at {after}");
    app.harness.get_by_label_contains(&format!("{} contacts", DEMO_CONTACTS + 1));
}

#[test]
fn ctrl_z_undoes_the_last_change_named_in_the_edit_menu() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 3);
    retype(&mut app, "City", "Kirkenes");
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("saved", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()));
    let name = treepl_contacts::app::text::contact_name(&contact);
    app.wait_until("the last change is known", |app| app.state().history.last_change.is_some());
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label_contains(&format!("Undo save of {name}"));
    app.harness.key_press(Key::Escape);
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    let (id, city) = (contact.id, contact.address.city.clone());
    app.wait_until("put back", |app| app.contacts_on_site().iter().any(|c| c.id == id && c.address.city == city));
    // Undone: nothing left to undo, and the menu says so.
    app.wait_until("nothing left to undo", |app| app.state().history.last_change.is_none());
    app.harness.get_by_label("Edit").click();
    app.settle();
    assert!(app.harness.get_by_label_contains("Undo").accesskit_node().is_disabled());
}

#[test]
fn f1_lists_every_shortcut_of_the_command_list_and_escape_closes_it() {
    use treepl_contacts::app::command::UiCommand;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press(Key::F1);
    app.settle();
    app.harness.get_by_label("Commands");
    let ctx = app.harness.ctx.clone();
    for command in UiCommand::ALL {
        if let Some(shortcut) = command.shortcut() {
            assert!(app.harness.query_all_by_label(command.label()).count() >= 1, "{}", command.label());
            let keys = ctx.format_shortcut(&shortcut);
            assert!(app.harness.query_all_by_label(&keys).count() >= 1, "{keys}");
        }
    }
    app.harness.get_by_label("Escape");
    app.harness.run();
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.harness.query_by_label("Commands").is_none(), "closed");
}

#[test]
fn enum_fields_are_drop_downs_with_other_and_custom_labels_and_dates_read_well() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let row = (0..20)
        .find(|row| {
            let groups = &app.state().grid.peek(*row).unwrap().custom_crm_groups;
            groups.get("Preferences").is_some_and(|p| p.contains_key("PreferredChannel"))
                && groups.get("Membership").is_some_and(|m| m.contains_key("Renewal"))
        })
        .expect("a seeded contact with a preferred channel and a renewal date");
    let contact = open_in_pane(&mut app, row);
    // The alias made readable, the alias itself only in the tooltip.
    app.harness.get_by_label("Preferred channel");
    assert!(app.harness.query_by_label("PreferredChannel").is_none());
    // A date kept as text edits with the date picker.
    app.harness.get_by_label("Renewal").scroll_to_me();
    app.settle();
    assert_eq!(app.harness.get_by_label("Renewal").accesskit_node().role(), Role::Button, "a date picker");
    // Status: a drop-down of the values known, and Other… to type one.
    app.harness.get_by_role_and_label(Role::ComboBox, "Status").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::ComboBox, "Status").click();
    app.settle();
    app.harness.get_by_label("Other…").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::TextInput, "Status").type_text("Dormant");
    app.harness.key_press(Key::Escape);
    app.settle();
    app.harness.get_by_role_and_label(Role::ComboBox, "Status");
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    let id = contact.id;
    app.wait_until("saved", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()));
    let stored = app.contacts_on_site().into_iter().find(|c| c.id == id).unwrap();
    assert_eq!(stored.status.as_deref(), Some("Dormant"));
    // Role picks from the list: General is the contract's own value.
    app.harness.get_by_role_and_label(Role::ComboBox, "Role").click();
    app.settle();
    app.harness.get_by_label("General");
}

fn orders_tab(app: &AppUnderTest) -> egui_kittest::Node<'_> {
    let tabs = app.harness.query_all_by_role(Role::Tab);
    tabs.into_iter().find(|t| t.accesskit_node().label().is_some_and(|l| l.starts_with("Orders"))).unwrap()
}

#[test]
fn the_pane_keeps_its_tab_when_moving_to_another_contact() {
    use treepl_contacts::app::related::Tab;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    open_in_pane(&mut app, 1);
    app.wait_until("the tabs have their counts", |app| app.state().related.count(Tab::Orders).is_some());
    orders_tab(&app).click();
    app.settle();
    for row in [4, 2] {
        let other = app.state().grid.peek(row).cloned().unwrap();
        app.harness.get_by_label_contains(&other.email).click();
        app.wait_until("the other contact shows", |app| {
            app.state().editor.open.as_ref().is_some_and(|o| o.id == other.id && o.draft.is_some())
        });
        app.settle();
        assert_eq!(app.state().related.tab, Tab::Orders);
        app.wait_until("its orders show", |app| app.harness.query_by_label("Customer summary").is_some());
        assert!(app.harness.query_by_label("Identity").is_none(), "not the Details of contact {}", other.id);
    }
}

#[test]
fn a_new_contact_says_the_email_is_required_only_once_left_empty_and_cancel_drops_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    app.settle();
    app.harness.get_by_label("New contact");
    let required = "An email address is required";
    assert!(app.harness.query_by_label_contains(required).is_none(), "not on opening");
    // Into the Email field and out of it, empty: now it says so.
    app.harness.get_by_role_and_label(Role::TextInput, "Email").focus();
    app.settle();
    app.harness.key_press(Key::Tab);
    app.settle();
    app.harness.get_by_label_contains(required);
    retype(&mut app, "First name", "Kept");
    let file = draft_file(&app, 0);
    app.wait_until("the new contact's draft is on disk", |_| file.exists());
    app.harness.get_by_label("Cancel").click();
    app.settle();
    assert!(app.state().editor.open.is_none(), "the new contact is dropped");
    app.wait_until("its draft goes too", |_| !file.exists());
    assert_eq!(app.contacts_on_site().len() as u64, DEMO_CONTACTS, "nothing was created");
}

#[test]
fn ctrl_shift_n_opens_the_notifications_not_a_new_contact() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::N);
    app.settle();
    assert!(app.state().shell.notifications.panel_open);
    assert!(app.state().editor.open.is_none(), "no new contact");
}

#[test]
fn escape_on_last_times_drafts_is_later_and_keeps_them() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 5);
    retype(&mut app, "City", "Hammerfest");
    let file = draft_file(&app, contact.id);
    app.wait_until("the draft is on disk", |_| file.exists());
    let mut app = app.restart();
    app.wait_until("the draft is offered", |app| !app.state().editor.offered.is_empty());
    app.settle();
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.state().editor.offered.is_empty(), "the offer closed");
    assert!(file.exists(), "the draft is kept for the next start");
}

#[test]
fn a_bulk_edit_of_the_contact_in_the_pane_shows_there() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    select_rows(&mut app, 0, 5);
    let id = app.state().grid.peek(5).unwrap().id;
    app.wait_until("the pane shows the last one clicked", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == id && o.draft.is_some())
    });
    bulk_edit_city(&mut app, "Longyearbyen", 6);
    app.wait_until("the pane shows the new city", |app| {
        app.state().editor.open.as_ref().and_then(|o| o.draft.as_ref()).and_then(|d| d.address.city.clone())
            == Some("Longyearbyen".to_owned())
    });
    assert!(!app.state().editor.is_dirty(), "the site's copy, not an edit");
}
