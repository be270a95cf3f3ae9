//! A whole working day in the app, in a process of its own: connect a site with its secret,
//! open a contact, edit and save it, set its password, export, quit. Afterwards the client
//! secret, every access token the site issued and the password are searched for in the
//! config folder, the data folder (drafts, journal), the exported file and everything the
//! process wrote to stdout and stderr (its logs, at TRACE): zero hits. The secret is in the
//! keyring, nowhere else.
//!
//! The day runs in a child process (this test binary, started again with the day's inputs in
//! its environment) so that its whole output can be read; the site is a sandbox in this
//! process, which knows the tokens it issued. Ignored by `cargo test`, as it stores into the
//! system keyring; `.ci/run` runs it on a private session bus with gnome-keyring.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use secrecy::{ExposeSecret, SecretString};
use treepl_contacts::app::credentials::{KeyringStore, SecretStore};
use treepl_contacts::app::profiles::ProfileFile;
use treepl_contacts::sandbox::{Sandbox, SandboxConfig};

use common::app::{AppUnderTest, Folders, TestKeyring};

const TEST_NAME: &str = "a_working_day_leaves_no_secret_token_or_password_anywhere_but_the_keyring";
const CHILD: &str = "TREEPL_WORKDAY_CHILD";
const SITE: &str = "TREEPL_WORKDAY_SITE";
const SECRET: &str = "TREEPL_WORKDAY_SECRET";
const PASSWORD: &str = "TREEPL_WORKDAY_PASSWORD";
const CITY: &str = "Workday Harbour";

#[test]
#[ignore = "stores into the system keyring; .ci/run provides one on a private session bus"]
fn a_working_day_leaves_no_secret_token_or_password_anywhere_but_the_keyring() {
    if std::env::var_os(CHILD).is_some() {
        return working_day();
    }
    let secret = format!("workday-secret-{:032x}", fastrand::u128(..));
    let password = format!("Moorhen-{:08x}-Quay", fastrand::u32(..));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(folder.path().join("site.db")).seed(30);
    config.client_secret = SecretString::from(secret.clone());
    let site = runtime.block_on(Sandbox::start(config)).unwrap();

    let home = tempfile::tempdir().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            &common::harness_name(module_path!(), TEST_NAME),
            "--exact",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("HOME", home.path())
        .env(SITE, site.url().as_str())
        .env(SECRET, &secret)
        .env(PASSWORD, &password)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (output.stdout, output.stderr);
    assert!(
        output.status.success(),
        "the working day failed:\n{}\n{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );

    // The day happened: the edit and the password are on the site, the file is written, and
    // the process logged its requests.
    let contacts = common::app::contacts_on(&site, &runtime);
    let edited: Vec<_> = contacts.iter().filter(|c| c.address.city.as_deref() == Some(CITY)).collect();
    assert_eq!(edited.len(), 1, "the edit was saved");
    assert!(site.password_is(edited[0].id, &password), "the password was set");
    let export = home.path().join("exports/contacts.csv");
    let exported = std::fs::read_to_string(&export).unwrap();
    assert_eq!(exported.lines().count(), 31, "a header and the 30 contacts");
    assert!(exported.contains(CITY));
    let logs = String::from_utf8_lossy(&stderr);
    assert!(logs.contains("set-password") && logs.contains("TRACE"), "the logs were written at TRACE");
    let tokens = site.live_tokens();
    assert!(!tokens.is_empty(), "the site issued tokens");

    // The secret is in the keyring, under the profile's key.
    let folders = Folders::of_home(home.path());
    let profiles = ProfileFile::in_folder(&folders.config).load().unwrap();
    assert_eq!(profiles.len(), 1);
    let keyring = KeyringStore::system().unwrap();
    let kept = keyring.get(&profiles[0].id).unwrap().expect("the secret is in the keyring");
    assert_eq!(kept.expose_secret(), secret);
    keyring.delete(&profiles[0].id).unwrap();

    // And nowhere else.
    let mut needles: Vec<(String, String)> =
        vec![("the client secret".into(), secret.clone()), ("the password".into(), password.clone())];
    needles.extend(tokens.iter().map(|t| ("an access token".to_owned(), t.expose_secret().to_owned())));
    let mut haystacks: Vec<(String, Vec<u8>)> = files_under(home.path());
    assert!(haystacks.iter().any(|(name, _)| name.contains("/journal/")), "the journal was searched");
    assert!(haystacks.iter().any(|(name, _)| name.ends_with("profiles.json")));
    assert!(haystacks.iter().any(|(name, _)| name.ends_with("contacts.csv")));
    haystacks.push(("stdout".into(), stdout));
    haystacks.push(("stderr".into(), stderr));
    let mut hits = Vec::new();
    for (where_, bytes) in &haystacks {
        for (what, needle) in &needles {
            if contains(bytes, needle) {
                hits.push(format!("{what} in {where_}"));
            }
        }
    }
    assert!(hits.is_empty(), "found: {hits:?}");
}

/// The child's part: the real app (egui_kittest) on the home folder it was given, with the
/// system keyring, logging everything at TRACE to this process's stderr.
fn working_day() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
    let var = |name| std::env::var(name).unwrap();
    let home = PathBuf::from(var("HOME"));
    let mut app = AppUnderTest::start_in(TestKeyring::system(), 10, Folders::of_home(&home));

    // Connect the site with its secret.
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Shop", &var(SITE), &var(SECRET));
    app.harness.get_by_label("Save").click();
    app.wait_until("the site opens", |app| {
        app.state().profiles.dialog.is_none() && app.state().shell.site.name == "Shop" && app.rows_loaded()
    });
    assert_eq!(app.state().grid.total(), Some(30));

    // Open a contact, edit it, save.
    let contact = app.state().grid.peek(2).unwrap().clone();
    app.harness.get_by_label_contains(&contact.email).click();
    let id = contact.id;
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.draft.is_some())
    });
    app.harness.get_by_role_and_label(Role::TextInput, "City").focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, "City").type_text(CITY);
    app.settle();
    app.harness.key_press(Key::Escape);
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("the save lands", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && !open.saving && !open.is_dirty())
    });

    // Set its password.
    app.harness.get_by_label("Reset password…").click();
    app.wait_until("the password dialog opens", |app| app.state().passwords.dialog.is_some());
    app.settle();
    for field in ["New password", "Confirm password"] {
        app.harness.get_by_role_and_label(Role::PasswordInput, field).focus();
        app.settle();
        app.harness.get_by_role_and_label(Role::PasswordInput, field).type_text(&var(PASSWORD));
        app.settle();
    }
    app.harness.key_press(Key::Enter);
    app.wait_until("the password is set", |app| app.state().passwords.dialog.is_none());
    app.harness.get_by_label_contains("signs in with the new password");

    // Export every contact as CSV.
    app.chooser.answer(app.exports.join("contacts.csv"));
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
    app.settle();
    app.harness.get_by_label("All contacts matching the filter (30)").click();
    app.harness.get_by_label("CSV").click();
    app.settle();
    app.harness.get_by_label("Export 30 contacts…").click();
    let target = app.exports.join("contacts.csv");
    app.wait_until("the export finished", |app| app.state().exports.dialog.is_none() && target.exists());

    assert!(app.quit().is_some(), "the app quit");
}

/// Every file under `folder` (its path, its bytes).
fn files_under(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                found.push((path.display().to_string(), bytes));
            }
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}
