//! The password reset dialog in the real app, against its sandbox (egui_kittest): a mismatch
//! and a too-short password are refused, a valid one is set (checked through the sandbox),
//! Escape closes it, an ambiguous failure says so and offers to set it again, Generate and
//! Copy work, and nothing of the password is left in the logs or the data folder afterwards.

#[path = "suite/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable};
use secrecy::ExposeSecret as _;
use treepl_contacts::api::Contact;
use treepl_contacts::app::password::Stage;
use treepl_contacts::sandbox::{FaultRule, Forced, Route};

use common::app::{AppUnderTest, TestKeyring};

/// Everything logged by any thread of this test binary, at every level.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Captured;

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A global subscriber (the app's tasks log from the runtime's threads), with `log`
/// records (reqwest, hyper) brought in too.
fn capture_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(|| Captured)
        .try_init();
}

fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

fn start() -> AppUnderTest {
    capture_logs();
    AppUnderTest::start(TestKeyring::mock())
}

/// Clicks the contact of row `row`, then the pane's Reset password….
fn open_dialog(app: &mut AppUnderTest, row: u64) -> Contact {
    let contact = app.state().grid.peek(row).unwrap().clone();
    app.harness.get_by_label_contains(&contact.email).click();
    let id = contact.id;
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.base.is_some())
    });
    app.harness.get_by_label("Reset password…").click();
    app.wait_until("the dialog opens", |app| app.state().passwords.dialog.is_some());
    app.settle();
    app.harness.get_by_label(&format!("Reset the password of {}", name(&contact)));
    contact
}

fn name(contact: &Contact) -> String {
    format!("{} {}", contact.first_name.clone().unwrap_or_default(), contact.last_name.clone().unwrap_or_default())
}

/// Replaces the text of a hidden password field.
fn retype(app: &mut AppUnderTest, label: &str, text: &str) {
    app.harness.get_by_role_and_label(Role::PasswordInput, label).focus();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::PasswordInput, label).type_text(text);
    app.settle();
}

fn type_both(app: &mut AppUnderTest, password: &str, confirmation: &str) {
    retype(app, "New password", password);
    retype(app, "Confirm password", confirmation);
}

fn set_password_requests(app: &AppUnderTest) -> usize {
    let sandbox = app.state().shell.site.sandbox().unwrap();
    sandbox.requests().all().iter().filter(|request| request.route == Route::SetPassword).count()
}

fn set_button_disabled(app: &AppUnderTest, label: &str) -> bool {
    app.harness.get_by_role_and_label(Role::Button, label).accesskit_node().is_disabled()
}

fn dialog_stage(app: &AppUnderTest) -> Option<Stage> {
    app.state().passwords.dialog.as_ref().map(|dialog| dialog.stage.clone())
}

/// Every file under `folder`, with its bytes.
fn files_under(folder: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

#[test]
fn a_mismatch_and_a_too_short_password_are_refused_and_nothing_is_sent() {
    let mut app = start();
    open_dialog(&mut app, 2);
    type_both(&mut app, "abc", "abc");
    app.harness.get_by_label("Too short: 3 of at least 6 characters.");
    assert!(set_button_disabled(&app, "Set password"));
    app.harness.key_press(Key::Enter);
    app.settle();

    type_both(&mut app, "long enough 1", "long enough 2");
    app.harness.get_by_label("The two passwords differ.");
    assert!(set_button_disabled(&app, "Set password"));
    app.harness.get_by_label("Set password").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::PasswordInput, "Confirm password").focus();
    app.settle();
    app.harness.key_press(Key::Enter);
    app.settle();
    let confirmation = app.harness.get_by_role_and_label(Role::PasswordInput, "Confirm password");
    assert!(confirmation.is_focused(), "Enter keeps the field, to fix the text");

    assert_eq!(dialog_stage(&app), Some(Stage::Editing), "still open, nothing under way");
    assert_eq!(set_password_requests(&app), 0, "nothing reached the site");
}

#[test]
fn a_valid_password_is_set_on_the_site_and_nothing_of_it_is_left_in_the_logs_or_the_data_folder() {
    let mut app = start();
    let password = "Kestrel-Moor-7319-quay";
    let contact = open_dialog(&mut app, 4);
    type_both(&mut app, password, password);
    assert!(!set_button_disabled(&app, "Set password"));
    app.harness.key_press(Key::Enter);
    app.wait_until("the password is set", |app| app.state().passwords.dialog.is_none());

    let sandbox = app.state().shell.site.sandbox().unwrap();
    assert!(sandbox.password_is(contact.id, password), "the site holds the new password");
    assert!(!sandbox.password_is(contact.id, "Kestrel-Moor-7319-qua"));
    assert_eq!(set_password_requests(&app), 1);
    app.harness.get_by_label_contains("signs in with the new password");

    // Nothing of it anywhere: the whole password, or its most telling part.
    let pieces = [password, "Kestrel-Moor"];
    for note in app.state().shell.notifications.history() {
        for piece in pieces {
            assert!(!note.title.contains(piece) && !note.detail.contains(piece), "{note:?}");
        }
    }
    let logs = logs();
    assert!(logs.contains("set-password"), "the logs were captured, the request among them");
    for piece in pieces {
        assert!(!logs.contains(piece), "the logs hold `{piece}`");
    }
    let files = files_under(&app.data_dir());
    assert!(files.iter().any(|(path, _)| path.ends_with("sandbox.db")), "the data folder was searched");
    for (path, bytes) in files_under(&app.data_dir()).into_iter().chain(files_under(&app.config_dir)) {
        for piece in pieces {
            assert!(!contains(&bytes, piece), "{} holds `{piece}`", path.display());
        }
    }
}

#[test]
fn escape_closes_password_dialog() {
    let mut app = start();
    open_dialog(&mut app, 1);
    type_both(&mut app, "never-sent-9", "never-sent-9");
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.state().passwords.dialog.is_none(), "closed, its passwords dropped");
    assert!(app.harness.query_by_label_contains("Reset the password of").is_none());
    assert_eq!(set_password_requests(&app), 0);
}

#[test]
fn enter_on_the_focused_cancel_button_cancels_rather_than_sets() {
    let mut app = start();
    open_dialog(&mut app, 9);
    type_both(&mut app, "valid-but-cancelled-4", "valid-but-cancelled-4");
    app.harness.get_by_role_and_label(Role::Button, "Cancel").focus();
    app.settle();
    app.harness.key_press(Key::Enter);
    app.settle();
    assert!(app.state().passwords.dialog.is_none());
    assert_eq!(set_password_requests(&app), 0);
}

#[test]
fn an_ambiguous_failure_says_the_password_may_or_may_not_be_set_and_offers_to_set_it_again() {
    let mut app = start();
    let password = "Harbour-Lantern-5521";
    let contact = open_dialog(&mut app, 3);
    // The site handles the request, then the connection drops before the answer.
    app.state().shell.site.sandbox().unwrap().faults().force(Route::SetPassword, Forced::Drop, 1);
    type_both(&mut app, password, password);
    app.harness.get_by_label("Set password").click();
    app.wait_until("the failure shows", |app| dialog_stage(app) == Some(Stage::Unknown));
    app.harness.get_by_label_contains("may or may not have been set");
    assert_eq!(set_password_requests(&app), 1, "sent once, never repeated on its own");

    app.harness.get_by_label("Set it again").click();
    app.wait_until("the second try lands", |app| app.state().passwords.dialog.is_none());
    assert_eq!(set_password_requests(&app), 2);
    assert!(app.state().shell.site.sandbox().unwrap().password_is(contact.id, password));
}

#[test]
fn escape_during_the_request_closes_the_dialog_and_the_result_still_comes_as_a_notification() {
    let mut app = start();
    let password = "Copper-Thistle-8804";
    let contact = open_dialog(&mut app, 5);
    let slow = FaultRule::latency(Duration::from_millis(800));
    app.state().shell.site.sandbox().unwrap().faults().set_route(Route::SetPassword, slow);
    type_both(&mut app, password, password);
    app.harness.get_by_label("Set password").click();
    app.settle();
    app.harness.get_by_label("Setting the password…");
    assert!(set_button_disabled(&app, "Set password"), "no second send while one is out");
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.state().passwords.dialog.is_none());
    app.wait_until("the result is told", |app| {
        app.state().shell.notifications.history().iter().any(|note| note.title == "Password set")
    });
    assert!(app.state().shell.site.sandbox().unwrap().password_is(contact.id, password));
    for note in app.state().shell.notifications.history() {
        assert!(!note.detail.contains("Copper-Thistle") && !note.title.contains("Copper-Thistle"));
    }
}

#[test]
fn generate_fills_a_strong_password_and_copy_takes_it_off_the_clipboard_after_a_while() {
    let mut app = start();
    app.state_mut().passwords.clipboard_keeps = Duration::from_millis(400);
    let contact = open_dialog(&mut app, 6);
    app.harness.get_by_label("Generate").click();
    app.settle();
    let generated = {
        let dialog = app.state().passwords.dialog.as_ref().unwrap();
        assert!(dialog.shown, "a generated password shows");
        assert_eq!(dialog.password, dialog.confirmation, "in both fields");
        dialog.password.secret().expose_secret().to_owned()
    };
    assert_eq!(generated.chars().count(), 20);
    let field = app.harness.get_by_role_and_label(Role::TextInput, "New password");
    assert_eq!(field.value().as_deref(), Some(generated.as_str()), "shown as text");
    app.harness.get_by_label("Strength: Very strong");

    app.harness.get_by_label("Copy").click();
    app.wait_until("it is on the clipboard", |app| app.clipboard.holds(&generated));
    app.harness.get_by_label_contains("Copied.");
    app.wait_until("it is off the clipboard again", |app| app.clipboard.is_empty());

    app.harness.get_by_label("Set password").click();
    app.wait_until("the password is set", |app| app.state().passwords.dialog.is_none());
    assert!(app.state().shell.site.sandbox().unwrap().password_is(contact.id, &generated));
}

#[test]
fn reset_password_opens_from_the_row_menu_and_the_command_palette() {
    let mut app = start();
    let contact = app.state().grid.peek(7).unwrap().clone();
    let heading = format!("Reset the password of {}", name(&contact));
    // Without the pane, whose header has a Reset password… of its own.
    app.state_mut().settings.pane_shown = false;
    app.harness.get_by_label_contains(&contact.email).click_secondary();
    app.settle();
    app.harness.get_by_label("Reset password…").click();
    app.wait_until("the dialog opens from the row menu", |app| app.state().passwords.dialog.is_some());
    app.settle();
    app.harness.get_by_label(&heading);
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.state().passwords.dialog.is_none());

    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::K);
    app.settle();
    app.harness.get_by_role_and_label(Role::TextInput, "Run a command").type_text("password");
    app.settle();
    app.harness.key_press(Key::Enter);
    app.wait_until("the dialog opens from the palette", |app| app.state().passwords.dialog.is_some());
    app.settle();
    app.harness.get_by_label(&heading);
}

#[test]
fn a_copied_password_is_taken_off_the_clipboard_when_the_app_closes_before_its_time() {
    let mut app = start();
    open_dialog(&mut app, 8);
    app.harness.get_by_label("Generate").click();
    app.settle();
    app.harness.get_by_label("Copy").click();
    app.wait_until("it is on the clipboard", |app| !app.clipboard.is_empty());
    let clipboard = app.clipboard.clone();
    assert!(app.quit().is_some(), "the app closed in time");
    assert!(clipboard.is_empty(), "the app took it off on its way out");
}
