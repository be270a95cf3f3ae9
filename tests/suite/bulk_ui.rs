//! Bulk operations in the real app against its sandbox (egui_kittest): the dialog opens on the
//! selection from the row menu and the Edit menu, keys behind it do nothing, the preview
//! counts what would change, Apply changes exactly the selection as one journal batch, and
//! the result table says how each contact ended.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::ContactId;
use treepl_contacts::app::journal::{Filter, Operation};

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

fn select_all(app: &mut AppUnderTest) {
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    assert_eq!(app.state().grid.selected_count(), DEMO_CONTACTS);
}

#[test]
fn a_bulk_edit_from_the_row_menu_previews_then_changes_every_selected_contact_in_one_batch() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    // Expected from the data: the contacts not in Narvik already.
    let changing = before.iter().filter(|c| c.address.city.as_deref() != Some("Narvik")).count();
    select_all(&mut app);
    let first = app.state().grid.peek(0).unwrap().clone();
    app.harness.get_by_label_contains(&first.email).click_secondary();
    app.settle();
    app.harness.get_by_label("Bulk edit selected contacts…").click();
    app.settle();
    app.harness.get_by_label(&format!("Bulk edit of {DEMO_CONTACTS} contacts"));

    // Keys behind the dialog do nothing.
    let selection = app.state().grid.selection.clone();
    for (modifiers, key) in
        [(Modifiers::NONE, Key::Delete), (Modifiers::NONE, Key::ArrowDown), (Modifiers::COMMAND, Key::E)]
    {
        app.harness.key_press_modifiers(modifiers, key);
        app.settle();
    }
    assert_eq!(app.state().grid.selection, selection);
    assert!(app.state().deletes.confirmation.is_none() && app.state().exports.dialog.is_none());

    app.fill(Role::TextInput, "New City", "Narvik");
    // Enter in the value field previews.
    app.harness.key_press(Key::Enter);
    let expected = format!("{changing} of {DEMO_CONTACTS} contacts will change.");
    app.wait_until("the preview", |app| app.harness.query_by_label(&expected).is_some());
    let shown = app.harness.query_all_by_label("Narvik").count();
    assert!(shown > 1, "the samples show the value after (and the field holds it)");

    app.harness.get_by_label(&format!("Apply to {DEMO_CONTACTS} contacts")).click();
    app.wait_until("the bulk edit", |app| {
        app.state().bulk.dialog.as_ref().is_some_and(|d| d.applied.is_some() && !d.is_busy())
    });
    let summary = format!("{changing} done, {} skipped unchanged, 0 failed", DEMO_CONTACTS as usize - changing);
    app.harness.get_by_label(&summary);
    let after = app.contacts_on_site();
    assert!(after.iter().all(|c| c.address.city.as_deref() == Some("Narvik")));
    for (was, now) in before.iter().zip(&after) {
        let mut expected = was.clone();
        expected.address.city = Some("Narvik".into());
        assert_eq!(now, &expected, "only the City of contact {} changed", was.id);
    }

    // One batch in the journal, a save with before and after per changed contact.
    let (_, batch, _) = app.state().bulk.dialog.as_ref().unwrap().applied.clone().unwrap();
    let journal = app.state().shell.site.writes.as_ref().unwrap().journal().unwrap().clone();
    let entries = journal.entries(&Filter { batch, ..Filter::default() }, 10_000).unwrap();
    assert!(batch.is_some());
    assert_eq!(entries.len(), changing);
    assert!(entries.iter().all(|e| e.operation == Operation::Save && e.after.as_ref().unwrap()["City"] == "Narvik"));

    // The result table saves itself as CSV where the save dialog says.
    let target = app.exports.join("results.csv");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export results…").click();
    app.wait_until("the results file", |_| target.exists());
    let saved = std::fs::read_to_string(&target).unwrap();
    assert_eq!(saved.lines().count(), DEMO_CONTACTS as usize + 1, "a header and a row per contact");
    assert!(saved.starts_with("Id,Contact,Outcome,Reason"));

    app.harness.get_by_label("Close").click();
    app.settle();
    assert!(app.state().bulk.dialog.is_none());
}

#[test]
fn a_zone_granted_from_the_edit_menu_reaches_every_selected_contact() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (zone, _) = treepl_contacts::sandbox::seed::ZONES[0];
    select_all(&mut app);
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label("Secure zones of selected contacts…").click();
    app.settle();
    app.fill(Role::TextInput, "Zone Id", &zone.to_string());
    app.fill(Role::TextInput, "Expires", "2030-01-31");
    app.harness.get_by_label(&format!("Apply to {DEMO_CONTACTS} contacts")).click();
    app.wait_until("the zones", |app| {
        app.state().bulk.dialog.as_ref().is_some_and(|d| d.applied.is_some() && !d.is_busy())
    });
    let (_, _, report) = app.state().bulk.dialog.as_ref().unwrap().applied.clone().unwrap();
    assert_eq!(report.tally().failed, 0, "{report:?}");
    let client = app.state().shell.site.client.clone().unwrap();
    let ids: Vec<ContactId> = app.contacts_on_site().iter().map(|c| c.id).collect();
    for id in ids {
        let zones = app.runtime().block_on(treepl_contacts::api::paging::fetch_all(
            &treepl_contacts::api::paging::FnSource(|q| {
                let client = client.clone();
                async move { client.list_secure_zones(id, &q).await }
            }),
            treepl_contacts::api::ListQuery::default(),
            &Default::default(),
            &Default::default(),
            |_| {},
        ));
        let zones = zones.unwrap();
        let granted = zones.iter().find(|z| z.id == zone).expect("the zone granted");
        assert_eq!(granted.expiry_date_time.map(|t| t.0.date_naive().to_string()).as_deref(), Some("2030-01-31"));
    }
}
