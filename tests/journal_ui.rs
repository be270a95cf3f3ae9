//! The change journal in the real app (egui_kittest, against its sandbox): a save, a delete
//! and a zone change each show in the History panel with what they changed; each Undo puts
//! the site back (read back over the API); undoing a save the site changed since opens the
//! three-way view.

mod common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::{Client, Contact, ContactInput, ListQuery, Where};
use treepl_contacts::app::journal::{Filter, HistoryItem, Operation, Outcome};

use common::app::{AppUnderTest, TestKeyring};

fn client(app: &AppUnderTest) -> Client {
    Client::with_options(app.state().sandbox().unwrap().credentials(), common::quick_options()).unwrap()
}

fn site_copy(app: &AppUnderTest, id: i64) -> Option<Contact> {
    app.runtime().block_on(client(app).get_contact(id)).ok()
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

fn retype(app: &mut AppUnderTest, label: &str, text: &str) {
    app.harness.get_by_role_and_label(Role::TextInput, label).focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
    app.settle();
}

fn save(app: &mut AppUnderTest) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("the save is done", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty())
    });
}

/// Opens History and picks its newest entry of `operation`.
fn pick_newest(app: &mut AppUnderTest, operation: Operation, label: &str) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("the history shows the change", |app| {
        app.state()
            .history
            .items
            .iter()
            .any(|item| matches!(item, HistoryItem::Entry(e) if e.operation == operation && e.outcome == Outcome::Done))
    });
    app.harness.get_by_label_contains(&format!("{} · {label}, done", operation.title())).click();
    app.settle();
}

fn journal_entries(app: &AppUnderTest, operation: Operation) -> Vec<treepl_contacts::app::journal::Entry> {
    let journal = app.state().site.writes.as_ref().and_then(|w| w.journal()).unwrap();
    journal.entries(&Filter { operation: Some(operation), ..Filter::default() }, 100).unwrap()
}

#[test]
fn a_save_shows_in_the_history_with_its_fields_and_undo_puts_the_contact_back() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 2);
    retype(&mut app, "City", "Tromsø");
    save(&mut app);
    let name = treepl_contacts::app::text::contact_name(&contact);
    pick_newest(&mut app, Operation::Save, &name);
    // The diff: the one field, before and after.
    // `run` also fails on any control without a name.
    app.harness.run();
    app.harness.get_by_label(&format!("City before: {}", contact.address.city.as_deref().unwrap()));
    app.harness.get_by_label("City after: Tromsø");
    let saves = journal_entries(&app, Operation::Save);
    assert_eq!(saves[0].before.as_ref().unwrap()["City"], serde_json::json!(contact.address.city));
    assert_eq!(saves[0].after.as_ref().unwrap()["City"], "Tromsø", "the copy after, as the site returned it");

    app.harness.get_by_label("Undo").click();
    let id = contact.id;
    let city = contact.address.city.clone();
    app.wait_until("the undo is saved", |app| site_copy(app, id).is_some_and(|c| c.address.city == city));
    assert_eq!(site_copy(&app, id).unwrap().address.city, contact.address.city);
    app.wait_until("the undo is journaled", |app| journal_entries(app, Operation::Save).len() == 2);
    assert_eq!(journal_entries(&app, Operation::Save)[0].undo_of, Some(saves[0].id));
}

#[test]
fn undoing_a_save_the_site_changed_since_opens_the_three_way_view() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 3);
    retype(&mut app, "City", "Tromsø");
    save(&mut app);
    // Someone else changes the city on the site meanwhile.
    let mut theirs = site_copy(&app, contact.id).unwrap();
    theirs.address.city = Some("Hammerfest".to_owned());
    app.runtime().block_on(client(&app).update_contact(contact.id, &ContactInput::from_contact(&theirs))).unwrap();
    let name = treepl_contacts::app::text::contact_name(&contact);
    pick_newest(&mut app, Operation::Save, &name);
    app.harness.get_by_label("Undo").click();
    app.wait_until("the conflict shows", |app| app.state().editor.open.as_ref().is_some_and(|o| o.conflict.is_some()));
    assert_eq!(site_copy(&app, contact.id).unwrap().address.city.as_deref(), Some("Hammerfest"), "nothing written");
}

#[test]
fn a_delete_shows_in_the_history_and_undo_re_creates_the_contact_with_its_values_and_zones() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let zones_of = |app: &AppUnderTest, id: i64| {
        let query = ListQuery::new(Where::All).page(0, 100);
        app.runtime().block_on(client(app).list_secure_zones(id, &query)).unwrap().items
    };
    let row = (1..20).find(|row| {
        let id = app.state().grid.peek(*row).unwrap().id;
        !zones_of(&app, id).is_empty()
    });
    let contact = open_in_pane(&mut app, row.unwrap());
    let zones = zones_of(&app, contact.id);
    app.harness.get_by_label("Delete contact…").click();
    app.settle();
    app.harness.get_by_label("Delete").click();
    let id = contact.id;
    app.wait_until("the contact is deleted", |app| site_copy(app, id).is_none());
    let name = treepl_contacts::app::text::contact_name(&contact);
    pick_newest(&mut app, Operation::Delete, &name);
    app.harness.get_by_label(&format!("Email before: {}", contact.email));
    assert!(app.harness.query_by_label_contains("Email after").is_none(), "a deleted contact has no after");
    app.harness.get_by_label("Undo").click();
    let email = contact.email.clone();
    let find = move |app: &AppUnderTest| {
        let query = ListQuery::new(Where::field("Email").eq(email.as_str()));
        app.runtime().block_on(client(app).list_contacts(&query)).unwrap().items.into_iter().next()
    };
    app.wait_until("the contact is back", |app| find(app).is_some_and(|c| !zones_of(app, c.id).is_empty()));
    let back = find(&app).unwrap();
    assert_ne!(back.id, contact.id, "a new Id: the old one cannot come back");
    assert_eq!(back.custom_crm_groups, contact.custom_crm_groups);
    assert_eq!(
        (back.first_name.clone(), back.address.city.clone()),
        (contact.first_name.clone(), contact.address.city.clone())
    );
    let ids = |zones: &[treepl_contacts::api::SecureZone]| {
        zones.iter().map(|z| (z.id, z.expiry_date_time)).collect::<Vec<_>>()
    };
    assert_eq!(ids(&zones_of(&app, back.id)), ids(&zones));
    app.harness.get_by_label_contains("do not come back");
}

#[test]
fn the_pane_lists_the_contacts_own_changes_and_undoes_from_there() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 4);
    retype(&mut app, "City", "Tromsø");
    save(&mut app);
    // Another contact's change stays out of this one's list.
    let other = open_in_pane(&mut app, 5);
    retype(&mut app, "City", "Narvik");
    save(&mut app);
    let _ = open_in_pane(&mut app, 4);
    app.wait_until("the tabs have their counts", |app| {
        app.state().related.count(treepl_contacts::app::related::Tab::Orders).is_some()
    });
    app.harness.get_by_role_and_label(Role::Tab, "Changes").click();
    app.wait_until("the contact's changes are read", |app| {
        app.state().related.changes.entries.as_ref().is_some_and(|e| !e.is_empty())
    });
    let name = treepl_contacts::app::text::contact_name(&contact);
    app.harness.get_by_role_and_label(Role::Tab, "Changes (1)");
    let others = format!("Saved · {}", treepl_contacts::app::text::contact_name(&other));
    assert!(app.harness.query_by_label_contains(&others).is_none(), "only this contact's changes");
    app.harness.get_by_label_contains(&format!("Saved · {name}, done")).click();
    app.settle();
    app.harness.get_by_label("City after: Tromsø");
    app.harness.get_by_label("Undo").click();
    let (id, city) = (contact.id, contact.address.city.clone());
    app.wait_until("the undo is saved", |app| site_copy(app, id).is_some_and(|c| c.address.city == city));
}

#[test]
fn the_history_titles_a_field_as_the_grid_does() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 3);
    retype(&mut app, "First name", "Ingrid");
    save(&mut app);
    // The entry is named as the contact was when the change was asked for.
    let (first_name, last_name) = (contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    pick_newest(&mut app, Operation::Save, &format!("{first_name} {last_name}"));
    app.harness.get_by_label("First name after: Ingrid");
    app.harness.get_by_label(&format!("First name before: {first_name}"));
    assert!(app.harness.query_by_label_contains("FirstName").is_none(), "no field is titled by its wire name");
}
