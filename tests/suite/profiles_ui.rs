//! Site profiles and their secrets in the real app (egui_kittest, against the sandbox): a
//! damaged profiles file is kept, saves in flight all land, a cancelled save leaves the file,
//! the keyring and the app agreeing, typed text survives a stray click, and quitting never
//! waits on a keyring that does not answer.

use crate::common;

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use treepl_contacts::app::profiles::ProfileFile;
use treepl_contacts::sandbox::{FaultRule, Route};

use common::app::{AppUnderTest, TestKeyring};

fn saved_names(app: &AppUnderTest) -> Vec<String> {
    let mut names: Vec<String> =
        ProfileFile::in_folder(&app.config_dir).load().unwrap().into_iter().map(|p| p.name).collect();
    names.sort();
    names
}

fn files_in(folder: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn keyring_calls(app: &AppUnderTest) -> usize {
    app.keyring.calls.load(std::sync::atomic::Ordering::SeqCst)
}

#[test]
fn a_damaged_profiles_file_is_kept_aside_reported_and_not_destroyed_by_a_later_save() {
    let mut app = AppUnderTest::start_prepared(TestKeyring::mock(), 20, |config| {
        std::fs::write(config.join("profiles.json"), "{\"profiles\": [ {\"id\": 3").unwrap();
    });
    app.harness.get_by_label("Could not read the site profiles");
    let kept = files_in(&app.config_dir);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].starts_with("profiles.json.damaged-"), "{kept:?}");
    let aside = app.config_dir.join(&kept[0]);
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), "{\"profiles\": [ {\"id\": 3");
    let problem = &app.state().shell.notifications.history()[0].detail;
    assert!(problem.contains(&kept[0]), "the message says where it was kept: {problem}");

    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the site is saved", |app| app.state().profiles.dialog.is_none() && app.rows_loaded());
    assert_eq!(saved_names(&app), ["Shop"]);
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), "{\"profiles\": [ {\"id\": 3", "still intact");
}

#[test]
fn a_save_cancelled_after_its_secret_is_stored_finishes_whole_and_a_second_save_keeps_both() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    *app.keyring.delay.lock().unwrap() = Duration::from_millis(600);
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the secret is being stored", |app| keyring_calls(app) >= 1);
    app.harness.get_by_label("Cancel").click();
    app.settle();
    assert!(app.state().profiles.dialog.is_none(), "Cancel closes the dialog at once");

    // A second site, saved while the first save is still finishing.
    let url = app.state().shell.site.sandbox().unwrap().url().to_string();
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Second shop", &url, "sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("both saves are done", |app| {
        app.state().profiles.list.len() == 2 && app.state().profiles.dialog.is_none() && app.rows_loaded()
    });
    assert_eq!(saved_names(&app), ["Second shop", "Shop"], "both in the file");
    for profile in &app.state().profiles.list {
        assert!(app.keyring.holds(&profile.id), "{} has its secret", profile.name);
    }
    app.harness.get_by_label_contains("was saved before the cancel reached it");
    assert_eq!(app.state().shell.site.name, "Second shop", "the site the user saved last is open");
}

#[test]
fn a_save_cancelled_before_anything_is_stored_keeps_nothing() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let slow =
        FaultRule { latency: Some((Duration::from_millis(700), Duration::from_millis(700))), ..FaultRule::default() };
    app.state().shell.site.sandbox().unwrap().faults().set_route(Route::Token, slow);
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.settle();
    app.harness.key_press(egui::Key::Escape);
    app.settle();
    assert!(app.state().profiles.dialog.is_none());
    // Once the task has ended nothing more of it can happen.
    app.wait_until("the save has stopped", |app| {
        app.state().shell.tasks.running().all(|(_, t)| t.label != "Saving the site")
    });
    assert!(app.state().profiles.list.is_empty(), "not in the app");
    assert_eq!(keyring_calls(&app), 0, "nothing went to the keyring");
    assert!(!app.config_dir.join("profiles.json").exists(), "nothing went to the file");
}

#[test]
fn text_typed_in_the_connect_dialog_survives_a_click_outside_it() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill_connect_dialog("typed-secret");
    let outside = egui::pos2(20.0, 780.0);
    app.harness.drag_at(outside);
    app.harness.drop_at(outside);
    app.settle();
    let dialog = app.state().profiles.dialog.as_ref().expect("the dialog stays open");
    assert_eq!(dialog.draft.name, "Shop");
    assert_eq!(egui::TextBuffer::as_str(&dialog.draft.client_secret), "typed-secret");
    assert!(!format!("{:?}", dialog.draft).contains("typed-secret"), "Debug never shows the secret");
    app.harness.get_by_role_and_label(Role::TextInput, "Name");
}

#[test]
fn the_app_quits_within_two_seconds_while_a_keyring_call_hangs() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    *app.keyring.delay.lock().unwrap() = Duration::MAX;
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the keyring call has started", |app| keyring_calls(app) >= 1);
    let took = app.quit().expect("quitting was stuck");
    assert!(took < Duration::from_secs(2), "quitting took {took:?}");
}
