//! The real app, driven through egui_kittest against its own in-process sandbox site:
//! clicks by label, keys, and text read back.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use secrecy::ExposeSecret;
use treepl_contacts::app::command::Target;
use treepl_contacts::app::credentials::SecretStore;
use treepl_contacts::app::settings::ThemeChoice;
use treepl_contacts::sandbox::{FaultRule, Route, seed};

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

#[test]
fn the_first_start_shows_the_sandbox_banner_and_contacts() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Sandbox site: demo data");
    app.harness.get_by_label(&format!("{DEMO_CONTACTS} contacts"));
    let first = seed::demo_contact(0).contact;
    app.harness.get_by_label_contains(&first.email);
    app.harness.get_by_label("Connected");
    // Settled: nothing animates, and every input has an accessible name.
    app.harness.run();
}

#[test]
fn a_profile_with_a_wrong_secret_shows_the_credentials_error_and_saves_nothing() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill_connect_dialog("not-the-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the save fails", |app| {
        app.state().profiles.dialog.as_ref().is_some_and(|d| !d.saving && d.outcome.is_some())
    });
    app.harness.get_by_label_contains("The site refused these credentials");
    assert!(app.state().profiles.list.is_empty());
    assert!(app.keyring.stored.lock().unwrap().is_empty(), "nothing went to the keyring");
    assert!(!app.config_dir.join("profiles.json").exists(), "nothing went to the profiles file");
    assert_eq!(app.state().shell.site.target, Target::Sandbox, "still on the sandbox");
}

#[test]
fn a_good_profile_keeps_its_secret_in_the_keyring_and_not_in_the_config_file() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Test connection").click();
    app.wait_until("the test passes", |app| app.state().profiles.dialog.as_ref().is_some_and(|d| d.outcome.is_some()));
    app.harness.get_by_label(&format!("Connected: the site has {DEMO_CONTACTS} contacts."));
    assert!(app.keyring.stored.lock().unwrap().is_empty(), "a test saves nothing");

    app.harness.get_by_label("Save").click();
    app.wait_until("the site is saved and open", |app| app.state().profiles.dialog.is_none() && app.rows_loaded());
    let profile = app.state().profiles.list[0].clone();
    assert_eq!(app.state().shell.site.target, Target::Profile(profile.id.clone()));
    assert_eq!(*app.keyring.stored.lock().unwrap(), vec![profile.id.clone()]);
    let secret = app.keyring.get(&profile.id).unwrap().unwrap();
    assert_eq!(secret.expose_secret(), "sandbox-secret");
    let file = std::fs::read_to_string(app.config_dir.join("profiles.json")).unwrap();
    assert!(file.contains(&profile.id) && file.contains("Shop"));
    assert!(!file.contains("sandbox-secret"), "the secret is not in the config file");
    app.harness.get_by_label("Shop");
}

#[test]
fn with_no_keyring_the_secret_can_be_kept_for_this_session_only() {
    let mut app = AppUnderTest::start(TestKeyring::missing());
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the keyring problem shows", |app| {
        app.state().profiles.dialog.as_ref().is_some_and(|d| d.keyring_problem.is_some())
    });
    app.harness.get_by_label_contains("No keyring is available");
    app.harness.get_by_label("Keep for this session only").click();
    app.wait_until("the site is open", |app| app.state().profiles.dialog.is_none() && app.rows_loaded());
    assert_eq!(app.state().profiles.list.len(), 1);
    assert!(!app.config_dir.join("profiles.json").exists(), "a session-only site is not written anywhere");
}

#[test]
fn the_command_palette_runs_a_command() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    app.settle();
    app.harness.get_by_label("Run a command");
    app.fill(Role::TextInput, "Run a command", "dark");
    app.harness.get_by_label("Theme: dark");
    assert!(app.harness.query_by_label("Theme: light").is_none(), "filtered out");
    app.harness.key_press(egui::Key::Enter);
    app.settle();
    assert_eq!(app.state().settings.theme, ThemeChoice::Dark);
    assert!(app.harness.query_by_label("Run a command").is_none(), "the palette closed");
}

#[test]
fn a_failed_task_shows_a_toast_and_keeps_it_in_the_notifications() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let sandbox = app.state().shell.site.sandbox().unwrap();
    sandbox.faults().set_route(Route::ListContacts, FaultRule { error: 1.0, ..FaultRule::default() });
    app.harness.key_press(egui::Key::F5);
    app.wait_until("the refresh fails", |app| app.state().grid.error().is_some());
    app.harness.get_by_label("Could not load the contacts");
    app.harness.get_by_label("Notifications (1)").click();
    app.settle();
    assert!(app.state().shell.notifications.panel_open);
    assert_eq!(app.harness.query_all_by_label("Could not load the contacts").count(), 2, "the toast and the history");
    app.harness.get_by_label("Dismiss").click();
    app.settle();
    assert_eq!(app.harness.query_all_by_label("Could not load the contacts").count(), 1, "the history keeps it");
}

/// Runs the command named `name` from the command palette.
fn run_command(app: &mut AppUnderTest, name: &str) {
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    app.settle();
    app.fill(Role::TextInput, "Run a command", name);
    app.harness.key_press(egui::Key::Enter);
    app.settle();
}

/// Every control of every dialog and window has an accessible name (what a screen reader
/// announces, and what these tests find controls by): each is opened in turn, and the controls
/// without a name are listed, dialog by dialog.
#[test]
fn every_dialog_names_every_control() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let mut unnamed = Vec::new();
    let mut check = |app: &mut AppUnderTest, dialog: &str, shows: &str| {
        app.settle();
        assert!(
            app.harness.query_all_by_label_contains(shows).next().is_some(),
            "{dialog} is open: it shows {shows:?}"
        );
        unnamed.extend(app.harness.unnamed_widgets().into_iter().map(|widget| format!("{dialog}: {widget}")));
    };
    let close = |app: &mut AppUnderTest| {
        app.harness.key_press(egui::Key::Escape);
        app.settle();
    };

    // The palette itself, before it runs anything.
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    check(&mut app, "Command palette", "Run a command");
    close(&mut app);

    // A contact changed in the pane, and another one clicked before the change is saved.
    let first = app.state().grid.peek(1).unwrap().clone();
    app.harness.get_by_label_contains(&first.email).click();
    app.wait_until("the pane shows the contact", |app| app.harness.query_by_label("Reset password…").is_some());
    app.harness.get_by_role_and_label(Role::TextInput, "City").focus();
    app.harness.get_by_role_and_label(Role::TextInput, "City").type_text(" again");
    app.settle();
    let contact = app.state().grid.peek(2).unwrap().clone();
    app.harness.get_by_label_contains(&contact.email).click();
    let first_name = format!("{} {}", first.first_name.as_deref().unwrap(), first.last_name.as_deref().unwrap());
    check(&mut app, "Unsaved changes", &format!("Save the changes to {first_name}?"));
    app.harness.get_by_label("Discard").click();

    // The next one in the pane (and a change of it in the journal), then every contact selected.
    app.wait_until("the pane shows the next contact", |app| {
        app.harness.query_by_label("Reset password…").is_some()
            && app
                .harness
                .query_by_role_and_label(Role::TextInput, "Email")
                .is_some_and(|email| email.value().as_deref() == Some(contact.email.as_str()))
    });
    let city = app.harness.get_by_role_and_label(Role::TextInput, "City");
    city.focus();
    city.type_text(" North");
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    let stored = |app: &AppUnderTest| {
        app.state().shell.site.sandbox().unwrap().store().get_contact(contact.id).unwrap().unwrap()
    };
    app.wait_until("the save is done", |app| stored(app).address.city.is_some_and(|city| city.ends_with(" North")));
    let name = format!("{} {}", contact.first_name.as_deref().unwrap(), contact.last_name.as_deref().unwrap());
    // The zones tab, whose zones the bulk zones dialog then offers to pick from.
    app.wait_until("the tabs have their counts", |app| {
        app.harness.query_all_by_label_contains("Secure zones (").next().is_some()
    });
    app.harness.get_by_label_contains("Secure zones (").click();
    app.wait_until("the zones load", |app| app.harness.query_by_label("Save zones").is_some());
    check(&mut app, "Secure zones tab", "Add a zone");

    app.harness.get_by_label("Forget…").click();
    check(&mut app, "Forget", &format!("Forget {name}?"));
    close(&mut app);
    app.harness.get_by_label("Delete contact…").click();
    check(&mut app, "Delete contact", "Delete 1 contact");
    close(&mut app);
    run_command(&mut app, "Reset password");
    check(&mut app, "Reset password", &format!("Reset the password of {name}"));
    close(&mut app);
    run_command(&mut app, "History of changes");
    check(&mut app, "History", "Saved · ");
    app.harness.get_by_label_contains(&format!("Saved · {name}, done")).click();
    check(&mut app, "History with a change picked", "City after: ");
    close(&mut app);
    app.harness.get_by_label("Filter…").click();
    check(&mut app, "Filter builder", "Edit as JSON…");
    close(&mut app);

    run_command(&mut app, "Select all matching contacts");
    for (command, shows) in [
        ("Export contacts", "Export contacts"),
        ("Delete selected contacts", &format!("Delete all {DEMO_CONTACTS} contacts")),
        ("Bulk edit selected contacts", &format!("Bulk edit of {DEMO_CONTACTS} contacts")),
        ("Secure zones of selected contacts", &format!("Secure zones of {DEMO_CONTACTS} contacts")),
        ("Connect a site", "Connect a Treepl site"),
        ("Check this site", "Check this site"),
        ("Keyboard shortcuts", "Keyboard shortcuts"),
        ("About Treepl Contacts", "Search crates"),
    ] {
        run_command(&mut app, command);
        check(&mut app, command, shows);
        close(&mut app);
    }
    // Import: the path box, then a file read with its mapping, then its dry run.
    run_command(&mut app, "Import contacts");
    check(&mut app, "Import contacts", "File to import");
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("people.csv");
    let email = app.state().grid.peek(0).unwrap().email.clone();
    std::fs::write(&file, format!("Email,City\n{email},Ålesund\nnew.one@example.com,Oslo\n")).unwrap();
    app.fill(Role::TextInput, "File to import", &file.display().to_string());
    app.harness.get_by_label("Open").click();
    app.wait_until("the file is read", |app| app.state().import.dialog.as_ref().is_some_and(|d| d.table.is_some()));
    check(&mut app, "Import mapping", "Imported as");
    app.harness.get_by_label("Dry run").click();
    app.wait_until("the dry run", |app| app.state().import.dialog.as_ref().is_some_and(|d| d.current().is_some()));
    check(&mut app, "Import dry run", "Keep line 2");
    close(&mut app);

    run_command(&mut app, "Notifications");
    check(&mut app, "Notifications", "Notifications");
    run_command(&mut app, "Notifications");

    assert!(unnamed.is_empty(), "{} controls without a name:\n{}", unnamed.len(), unnamed.join("\n"));
}
