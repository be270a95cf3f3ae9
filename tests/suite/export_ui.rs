//! The export dialog of the real app, driven through egui_kittest against its sandbox, with
//! a stand-in for the native save dialog.

use crate::common;

use std::time::Duration;

use egui::Modifiers;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::Contact;
use treepl_contacts::app::export::{Chosen, ExportStage};
use treepl_contacts::export::Format;
use treepl_contacts::sandbox::{FaultRule, Route};

use common::app::{AppUnderTest, TestKeyring};

fn email(app: &AppUnderTest, index: u64) -> String {
    app.state().grid.peek(index).unwrap().email.clone()
}

#[test]
fn the_row_menu_exports_the_selection_to_the_chosen_file() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label_contains(&email(&app, 1)).click();
    app.settle();
    app.harness.get_by_label_contains(&email(&app, 3)).click_modifiers(Modifiers::SHIFT);
    app.settle();
    let chosen: Vec<String> = (1..=3).map(|i| email(&app, i)).collect();
    assert_eq!(app.state().grid.selected_count(), 3);

    app.harness.get_by_label_contains(&email(&app, 2)).click_secondary();
    app.settle();
    app.harness.get_by_label("Export 3 contacts…").click();
    app.settle();
    app.harness.get_by_label("Export contacts");
    app.harness.get_by_label("Selected contacts (3)");
    app.harness.get_by_label("JSON").click();
    app.settle();

    // The user cancels the save dialog: nothing is written, the dialog stays.
    app.harness.get_by_label("Export 3 contacts…").click();
    app.wait_until("the save dialog was asked", |app| !app.chooser.asked.lock().unwrap().is_empty());
    app.wait_until("the dialog is back", |app| {
        app.state().exports.dialog.as_ref().is_some_and(|d| d.stage == ExportStage::Editing)
    });
    let asked = app.chooser.asked.lock().unwrap()[0].clone();
    assert_eq!(asked.file_name, "contacts-selection.json");
    assert_eq!(asked.format, Format::Json);
    assert_eq!(std::fs::read_dir(&app.exports).unwrap().count(), 0);

    let target = app.exports.join("three.json");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 3 contacts…").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());
    let text = std::fs::read_to_string(&target).unwrap();
    let written: Vec<Contact> = serde_json::from_str(&text).unwrap();
    assert_eq!(written.iter().map(|c| c.email.clone()).collect::<Vec<_>>(), chosen);
    // The grid's visible columns, no more, in the grid's order (one object per line).
    let first_object = text.lines().nth(1).unwrap();
    let keys = ["FirstName", "LastName", "Email", "Phone", "City", "Country", "Status", "CreatedDate"];
    let at: Vec<usize> = keys.iter().map(|k| first_object.find(&format!("\"{k}\":")).unwrap()).collect();
    assert!(at.is_sorted(), "keys in column order: {first_object}");
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(first_object.trim_end_matches(',')).unwrap();
    assert_eq!(object.len(), keys.len());
    app.settle();
    app.harness.get_by_label("Export finished");

    // Remembered for next time: the format and the folder.
    let prefs = &app.state().settings.export;
    assert_eq!(prefs.settings.format, Format::Json);
    assert_eq!(prefs.last_folder.as_deref(), Some(app.exports.as_path()));
}

#[test]
fn all_matching_with_every_field_as_csv() {
    let mut app = AppUnderTest::start_with(TestKeyring::mock(), 700);
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::E);
    app.settle();
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    assert!(app.state().exports.dialog.is_none(), "Escape closes the dialog");
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::E);
    app.settle();
    app.harness.get_by_label("All contacts matching the filter (700)").click();
    app.harness.get_by_label("CSV").click();
    app.settle();
    app.harness.get_by_label("All fields").click();
    app.settle();
    let target = app.exports.join("everyone.csv");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 700 contacts…").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());

    let mut reader = csv::Reader::from_path(&target).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert!(headers.len() > 25, "every contract field and the custom ones: {headers:?}");
    assert!(headers.iter().any(|h| h == "Membership: Level"));
    assert_eq!(reader.records().count(), 700);
}

#[test]
fn cancel_stops_the_export_and_leaves_no_file() {
    let mut app = AppUnderTest::start_with(TestKeyring::mock(), 3000);
    // A slow site: each page takes a second, so the export is still running at Cancel.
    let slow = FaultRule::latency(Duration::from_secs(1));
    app.state().shell.site.sandbox().unwrap().faults().set_route(Route::ListContacts, slow);
    app.harness.get_by_label("Edit").click();
    app.settle();
    app.harness.get_by_label_contains("Export contacts…").click();
    app.settle();
    app.harness.get_by_label("All contacts matching the filter (3,000)").click();
    app.settle();
    app.chooser.answer(app.exports.join("slow.csv"));
    app.harness.get_by_label("Export 3,000 contacts…").click();
    app.wait_until("the first page is written", |app| {
        app.state().shell.tasks.running().any(|(_, task)| task.progress.as_ref().is_some_and(|p| p.get().0 > 0))
    });
    app.harness.get_by_label_contains("of 3,000 contacts");
    app.harness.get_by_label("Cancel export").click();
    app.wait_until("the dialog closed", |app| app.state().exports.dialog.is_none());
    app.settle();
    app.harness.get_by_label("Export cancelled");
    // The export thread stops at its next page and removes its temporary file as it returns:
    // once that file is gone, nothing of this export can appear any more.
    app.wait_until("no file is left", |app| std::fs::read_dir(&app.exports).unwrap().count() == 0);
}

#[test]
fn without_a_save_dialog_the_path_is_typed_in() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    *app.chooser.answer.lock().unwrap() = Chosen::NoDialog;
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::E);
    app.settle();
    app.harness.get_by_label("vCard 4.0").click();
    app.settle();
    app.harness.get_by_label("Export 40 contacts…").click();
    app.wait_until("the path field shows", |app| {
        app.state().exports.dialog.as_ref().is_some_and(|d| d.typed_path.is_some() && !d.is_busy())
    });
    app.harness.get_by_label_contains("no file dialog");
    let target = app.exports.join("typed.vcf");
    app.harness.get_by_role_and_label(Role::TextInput, "File").focus();
    app.settle();
    // Replace the suggested path: select it all, then type.
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, "File").type_text(target.to_str().unwrap());
    app.settle();
    app.harness.get_by_label("Export to this file").click();
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none());
    assert_eq!(std::fs::read_to_string(&target).unwrap().matches("BEGIN:VCARD").count(), 40);
}

#[test]
fn a_failed_export_says_why_in_the_dialog_and_keeps_the_choices() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(Modifiers::COMMAND, egui::Key::E);
    app.settle();
    app.harness.get_by_label("JSON").click();
    app.settle();
    // Every list request fails, far past the client's retries.
    let faults = app.state().shell.site.sandbox().unwrap().faults();
    faults.force(Route::ListContacts, treepl_contacts::sandbox::Forced::Error(503), 1000);
    let target = app.exports.join("never.json");
    app.chooser.answer(target.clone());
    app.harness.get_by_label("Export 40 contacts…").click();
    app.wait_until("the export failed", |app| {
        app.state().exports.dialog.as_ref().is_some_and(|d| d.error.is_some() && !d.is_busy())
    });
    let dialog = app.state().exports.dialog.as_ref().unwrap();
    assert_eq!(dialog.settings.format, Format::Json, "the choices are kept");
    let message = dialog.error.clone().unwrap();
    app.harness.get_by_label(&message);
    assert!(!target.exists());
    assert_eq!(std::fs::read_dir(&app.exports).unwrap().count(), 0, "no temporary file either");
}
