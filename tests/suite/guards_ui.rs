//! The issue's own walk-through, in the real app (egui_kittest) connected to a site that
//! ignores `Where`: a search, Ctrl+A, Delete. The grid shows the site's rows under a banner,
//! and the confirmed delete stops before its first write; checked against the site's database.

use crate::common;

use std::collections::BTreeMap;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::{Contact, ContactId};
use treepl_contacts::sandbox::{DEFAULT_CLIENT_SECRET, Sandbox, SandboxConfig, SiteDialect, SiteListRequest, Store};

use common::app::{AppUnderTest, TestKeyring};

const CONTACTS: u64 = 300;

fn database(store: &Store) -> BTreeMap<ContactId, Contact> {
    let mut all = BTreeMap::new();
    loop {
        let request = SiteListRequest { offset: all.len() as u64, limit: 500, ..SiteListRequest::default() };
        let page = store.list_contacts(&request).unwrap();
        if page.items.is_empty() {
            return all;
        }
        all.extend(page.items.into_iter().map(|c| (c.id, c)));
    }
}

/// The app connected to a site of `dialect` with [`CONTACTS`] contacts, searching for a word
/// few of them hold; the site, its database before, and the word.
fn searching_an_odd_site(
    app: &mut AppUnderTest,
    folder: &std::path::Path,
    dialect: SiteDialect,
) -> (Sandbox, BTreeMap<ContactId, Contact>, String) {
    let config = SandboxConfig { dialect, ..SandboxConfig::new(folder.join("site.db")).seed(CONTACTS) };
    let site = app.runtime().block_on(Sandbox::start(config)).unwrap();
    let before = database(site.store());
    // A word of one contact's last name: few contacts match it (from the database).
    let word = before.values().find_map(|c| c.last_name.clone().filter(|n| n.len() >= 5)).unwrap().to_lowercase();
    let matching = before
        .values()
        .filter(|c| {
            let text = format!(
                "{} {} {}",
                c.first_name.as_deref().unwrap_or(""),
                c.last_name.as_deref().unwrap_or(""),
                c.email
            );
            text.to_lowercase().contains(&word)
        })
        .count() as u64;
    assert!(matching < CONTACTS / 4, "{word}: {matching}");

    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Odd site", site.url().as_str(), DEFAULT_CLIENT_SECRET);
    app.harness.get_by_label("Save").click();
    app.wait_until("the odd site is open", |app| {
        app.state().profiles.dialog.is_none() && app.rows_loaded() && app.state().grid.total() == Some(CONTACTS)
    });

    app.fill(egui::accesskit::Role::TextInput, "Search", &word);
    app.wait_until("the search applies", |app| app.state().grid.query.search == word && app.rows_loaded());
    (site, before, word)
}

fn where_ignored() -> SiteDialect {
    SiteDialect { where_ignored: true, ..SiteDialect::default() }
}

#[test]
fn on_a_site_that_ignores_the_filter_the_grid_warns_and_a_delete_of_the_matches_deletes_nothing() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let (site, before, _) = searching_an_odd_site(&mut app, folder.path(), where_ignored());
    assert_eq!(app.state().grid.total(), Some(CONTACTS), "the site ignored the search");
    app.harness.get_by_label_contains("This site ignored the filter: the rows below do not all match");
    let first = app.state().grid.peek(0).unwrap().email.clone();
    app.harness.get_by_label_contains(&first).click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    app.harness.key_press(Key::Delete);
    app.settle();
    app.harness.get_by_label(&format!("Delete {CONTACTS} contacts matching the filter?"));
    app.harness.get_by_label("Delete").click();
    app.wait_until("the delete reports", |app| {
        app.state().shell.notifications.history().iter().any(|n| n.title == "Nothing was deleted")
    });
    let note = app.state().shell.notifications.history().iter().find(|n| n.title == "Nothing was deleted").unwrap();
    assert!(note.detail.contains("This site ignored the filter"), "{}", note.detail);
    assert_eq!(database(site.store()), before, "nothing was deleted");
}

#[test]
fn on_a_site_that_ignores_the_filter_an_export_of_the_matches_writes_no_file_and_says_why() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let (_site, _, _) = searching_an_odd_site(&mut app, folder.path(), where_ignored());
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label_contains("Export contacts…").click();
    app.settle();
    app.harness.get_by_label(&format!("All contacts matching the filter ({CONTACTS})")).click();
    app.settle();
    app.chooser.answer(app.exports.join("matches.csv"));
    app.harness.get_by_label(&format!("Export {CONTACTS} contacts…")).click();
    app.wait_until("the export stopped", |app| app.state().exports.dialog.as_ref().is_some_and(|d| d.error.is_some()));
    let error = app.state().exports.dialog.as_ref().and_then(|d| d.error.clone()).unwrap();
    assert!(error.starts_with("This site ignored the filter:") && error.ends_with("No file was written."), "{error}");
    app.harness.get_by_label(&error);
    assert_eq!(std::fs::read_dir(&app.exports).unwrap().count(), 0, "no file, not even a temporary one");
}

#[test]
fn on_a_site_that_ignores_the_filter_a_bulk_edit_of_the_matches_changes_nothing_and_says_why() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let (site, before, _) = searching_an_odd_site(&mut app, folder.path(), where_ignored());
    let first = app.state().grid.peek(0).unwrap().email.clone();
    app.harness.get_by_label_contains(&first).click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.settle();
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label("Bulk edit selected contacts…").click();
    app.settle();
    app.fill(egui::accesskit::Role::TextInput, "New City", "Narvik");
    app.harness.get_by_label(&format!("Apply to {CONTACTS} contacts")).click();
    app.wait_until("the bulk edit stopped", |app| {
        app.state().bulk.dialog.as_ref().is_some_and(|d| d.error.is_some() && !d.is_busy())
    });
    let error = app.state().bulk.dialog.as_ref().and_then(|d| d.error.clone()).unwrap();
    assert!(error.starts_with("Nothing was changed: This site ignored the filter:"), "{error}");
    app.harness.get_by_label(&error);
    assert_eq!(database(site.store()), before, "nothing was changed");
}
