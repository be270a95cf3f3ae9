//! The change journal in the real app (egui_kittest, against its sandbox): a save, a delete
//! and a zone change each show in the History panel with what they changed; each Undo puts
//! the site back (read back over the API, or from the sandbox's database); undoing a save the
//! site changed since opens the three-way view. The labels expected are written out here, the
//! names in them taken from the site's data.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::{Client, Contact, ContactId, ContactInput, ListQuery, SecureZone, Where};
use treepl_contacts::app::journal::{Filter, HistoryItem, JournalOutcome, Operation};
use treepl_contacts::sandbox::SiteListRequest;

use common::app::{AppUnderTest, TestKeyring};

fn client(app: &AppUnderTest) -> Client {
    Client::with_options(app.state().shell.site.sandbox().unwrap().credentials(), common::quick_options()).unwrap()
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

/// "First Last", from the contact's data.
fn full_name(contact: &Contact) -> String {
    format!("{} {}", contact.first_name.as_deref().unwrap(), contact.last_name.as_deref().unwrap())
}

/// Opens History and, once it lists a finished change of `operation`, picks the entry
/// labelled `entry`.
fn pick(app: &mut AppUnderTest, operation: Operation, entry: &str) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("the history shows the change", |app| {
        app.state()
            .history
            .items
            .iter()
            .any(|item| matches!(item, HistoryItem::Entry(e) if e.operation == operation && e.outcome == JournalOutcome::Done))
    });
    app.harness.get_by_label_contains(entry).click();
    app.settle();
}

fn journal_entries(app: &AppUnderTest, operation: Operation) -> Vec<treepl_contacts::app::journal::Entry> {
    let journal = app.state().shell.site.writes.as_ref().and_then(|w| w.journal()).unwrap();
    journal.entries(&Filter { operation: Some(operation), ..Filter::default() }, 100).unwrap()
}

#[test]
fn a_save_shows_in_the_history_with_its_fields_and_undo_puts_the_contact_back() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 2);
    retype(&mut app, "City", "Tromsø");
    save(&mut app);
    pick(&mut app, Operation::Save, &format!("Saved · {}, done", full_name(&contact)));
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
    pick(&mut app, Operation::Save, &format!("Saved · {}, done", full_name(&contact)));
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
    pick(&mut app, Operation::Delete, &format!("Deleted · {}, done", full_name(&contact)));
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
    app.harness.get_by_role_and_label(Role::Tab, "Changes (1)");
    let others = format!("Saved · {}", full_name(&other));
    assert!(app.harness.query_by_label_contains(&others).is_none(), "only this contact's changes");
    app.harness.get_by_label_contains(&format!("Saved · {}, done", full_name(&contact))).click();
    app.settle();
    app.harness.get_by_label("City after: Tromsø");
    app.harness.get_by_label("Undo").click();
    let (id, city) = (contact.id, contact.address.city.clone());
    app.wait_until("the undo is saved", |app| site_copy(app, id).is_some_and(|c| c.address.city == city));
}

/// The contact's zones as the sandbox's database holds them: (id, name, expiry in ms).
fn zones_in_database(app: &AppUnderTest, contact: ContactId) -> Vec<(i64, String, Option<i64>)> {
    let store = app.state().shell.site.sandbox().unwrap().store();
    let request = SiteListRequest { limit: 500, ..SiteListRequest::default() };
    let zones: Vec<SecureZone> = store.list_zones(contact, &request).unwrap().unwrap().items;
    zones.into_iter().map(|z| (z.id, z.name, z.expiry_date_time.map(|at| at.0.timestamp_millis()))).collect()
}

/// Opens the Edit menu, reads whether it holds `label`, and closes it.
fn edit_menu_holds(app: &mut AppUnderTest, label: &str) -> bool {
    app.harness.get_by_label("Edit").click();
    app.settle();
    let holds = app.harness.query_by_label_contains(label).is_some();
    app.harness.key_press(Key::Escape);
    app.settle();
    holds
}

#[test]
fn a_zone_removed_in_the_zones_tab_shows_in_the_history_and_undo_puts_it_back() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    // A contact in a zone that never expires, read from the database.
    let never_expires = |zones: &[(i64, String, Option<i64>)]| zones.iter().find(|z| z.2.is_none()).cloned();
    let row = (1..20).find(|row| {
        let id = app.state().grid.peek(*row).unwrap().id;
        never_expires(&zones_in_database(&app, id)).is_some()
    });
    let contact = open_in_pane(&mut app, row.expect("a seeded contact in a zone that never expires"));
    let before = zones_in_database(&app, contact.id);
    let (zone, zone_name, _) = never_expires(&before).unwrap();
    // The Changes tab read before the change: nothing yet.
    app.wait_until("the tabs show", |app| app.harness.query_by_role_and_label(Role::Tab, "Changes").is_some());
    app.harness.get_by_role_and_label(Role::Tab, "Changes").click();
    app.wait_until("the changes are read", |app| {
        app.harness.query_by_label("This app has not changed this contact yet.").is_some()
    });

    // In the Secure zones tab: Remove, then Save zones.
    let tab = format!("Secure zones ({})", before.len());
    app.wait_until("the tabs have their counts", |app| app.harness.query_by_role_and_label(Role::Tab, &tab).is_some());
    app.harness.get_by_role_and_label(Role::Tab, &tab).click();
    let remove = format!("Remove {zone_name}");
    app.wait_until("the zones load", |app| app.harness.query_by_label(&remove).is_some());
    app.harness.get_by_label(&remove).click();
    app.settle();
    app.harness.get_by_label("Save zones").click();
    let id = contact.id;
    app.wait_until("the zone is removed", |app| zones_in_database(app, id).iter().all(|z| z.0 != zone));

    // Told to the Edit menu's Undo, the contact's Changes tab and the History panel.
    let name = full_name(&contact);
    let undo = format!("Undo zone change of {name}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !edit_menu_holds(&mut app, &undo) {
        assert!(std::time::Instant::now() < deadline, "the Edit menu never offered {undo:?}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let entry = format!("Secure zones changed · {name}, done");
    // The tab reads the journal again when shown.
    app.harness.get_by_role_and_label(Role::Tab, "Changes (0)").click();
    app.wait_until("the Changes tab lists it", |app| app.harness.query_by_label_contains(&entry).is_some());
    app.harness.get_by_role_and_label(Role::Tab, "Changes (1)");
    // Back to the contact's fields, so that only History lists the change.
    app.harness.get_by_role_and_label(Role::Tab, "Details").click();
    app.settle();
    pick(&mut app, Operation::Zones, &entry);
    app.harness.get_by_label(&format!("Secure zone: {zone_name} before: no expiry"));
    let after = format!("Secure zone: {zone_name} after");
    assert!(app.harness.query_by_label_contains(&after).is_none(), "a removed zone has no after");

    app.harness.get_by_label("Undo").click();
    app.wait_until("the zone is back", |app| zones_in_database(app, id).iter().any(|z| z.0 == zone));
    assert_eq!(zones_in_database(&app, contact.id), before, "every zone as it was, with its expiry");
}

#[test]
fn the_history_titles_a_field_as_the_grid_does() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 3);
    retype(&mut app, "First name", "Ingrid");
    save(&mut app);
    // The entry is named as the contact was when the change was asked for.
    let (first_name, last_name) = (contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    pick(&mut app, Operation::Save, &format!("Saved · {first_name} {last_name}, done"));
    app.harness.get_by_label("First name after: Ingrid");
    app.harness.get_by_label(&format!("First name before: {first_name}"));
    assert!(app.harness.query_by_label_contains("FirstName").is_none(), "no field is titled by its wire name");
}
