//! Personal data at rest (the real app, egui_kittest, on its own sandbox): the files it
//! leaves are the user's alone; retention applies to every site's journal and drafts at
//! start; "Forget…" removes every byte of a person's email from the journal's files and the
//! drafts.

use crate::common;

use std::path::{Path, PathBuf};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::Contact;
use treepl_contacts::app::contact::drafts::{DraftFolder, SavedDraft};

use common::app::{AppUnderTest, TestKeyring};

fn retype(app: &mut AppUnderTest, label: &str, text: &str) {
    app.harness.get_by_role_and_label(Role::TextInput, label).focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
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

fn save_city(app: &mut AppUnderTest, city: &str) {
    retype(app, "City", city);
    app.harness.key_press(Key::Escape);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("saved", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()));
}

/// Every file under `folder`.
fn files_under(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![folder.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// The built-in sandbox's database (the site itself, which keeps its contacts), not the app's.
fn is_the_sites_own(file: &Path) -> bool {
    file.file_name().is_some_and(|name| name.to_string_lossy().starts_with("sandbox.db"))
}

fn holds(path: &Path, needle: &str) -> bool {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes.windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[test]
fn forget_removes_every_byte_of_an_email_from_the_journal_and_the_drafts() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let other = open_in_pane(&mut app, 1);
    save_city(&mut app, "Narvik");
    let contact = open_in_pane(&mut app, 3);
    save_city(&mut app, "Tromsø");
    save_city(&mut app, "Bodø");
    // A draft of this person kept from an earlier run.
    let drafts = DraftFolder::new(&app.data_dir(), "sandbox");
    let mut draft = contact.clone();
    draft.notes = Some("call back".into());
    drafts.write(&SavedDraft { base: contact.clone(), draft, saved_at: chrono::Utc::now() }).unwrap();
    let journal = app.data_dir().join("journal");
    let with_email = |app: &AppUnderTest, email: &str| -> Vec<PathBuf> {
        files_under(&app.data_dir()).into_iter().filter(|f| holds(f, email)).filter(|f| !is_the_sites_own(f)).collect()
    };
    let before = with_email(&app, &contact.email);
    assert!(before.iter().any(|f| f.starts_with(&journal)), "the journal holds the email: {before:?}");
    assert!(before.iter().any(|f| f.to_string_lossy().contains("drafts")), "and a draft: {before:?}");

    app.harness.get_by_label("Forget…").click();
    app.settle();
    let name = treepl_contacts::app::text::contact_name(&contact);
    app.harness.get_by_label(&format!("Forget {name}?"));
    app.harness.get_by_label("Forget").click();
    app.wait_until("forgotten", |app| app.state().shell.notifications.history().iter().any(|n| n.title == "Forgotten"));
    let after = with_email(&app, &contact.email);
    assert!(after.is_empty(), "the email is still in {after:?}");
    let journal_files = files_under(&journal);
    assert!(!journal_files.is_empty());
    // Another person's changes stay.
    assert!(journal_files.iter().any(|f| holds(f, &other.email)), "{journal_files:?}");
    // The site's contact is untouched.
    assert!(app.contacts_on_site().iter().any(|c| c.id == contact.id && c.email == contact.email));
}

#[cfg(unix)]
#[test]
fn every_file_the_app_leaves_is_the_users_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = open_in_pane(&mut app, 2);
    save_city(&mut app, "Alta");
    retype(&mut app, "City", "Kept as a draft");
    let draft = app.data_dir().join("drafts/sandbox").join(format!("{}.json", contact.id));
    app.wait_until("the draft is on disk", |_| draft.exists());
    // The journal exported from History.
    let export = app.exports.join("journal.jsonl");
    app.state_mut().send(treepl_contacts::app::command::Command::History(
        treepl_contacts::app::history::HistoryCommand::Export(export.clone()),
    ));
    app.wait_until("the journal is exported", |_| export.exists());
    let (config, data) = (app.config_dir.clone(), app.data_dir());
    let files: Vec<PathBuf> =
        [config.clone(), data.clone()].iter().flat_map(|f| files_under(f)).chain([export.clone()]).collect();
    assert!(files.iter().any(|f| f.to_string_lossy().ends_with(".sqlite-wal")), "{files:?}");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let open: Vec<String> =
        files.iter().filter(|f| mode(f) & 0o077 != 0).map(|f| format!("{} {:o}", f.display(), mode(f))).collect();
    assert!(open.is_empty(), "readable by others: {open:?}");
    for folder in [data.join("journal"), data.join("drafts"), data.join("drafts/sandbox")] {
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
}

#[test]
fn retention_at_start_covers_every_sites_journal_and_drafts() {
    let app = AppUnderTest::start(TestKeyring::mock());
    let data = app.data_dir();
    // Another site's journal with an entry from long ago, and a draft as old, never opened here.
    let journal = treepl_contacts::app::journal::Journal::open(&data, "site-elsewhere").unwrap();
    let intent = treepl_contacts::app::journal::Intent::new(
        treepl_contacts::app::journal::Operation::Save,
        Some(7),
        "old@example.com",
    );
    let id = journal.begin(&intent).unwrap();
    journal.finish(id, treepl_contacts::app::journal::JournalOutcome::Done, Some(7), None, None).unwrap();
    drop(journal);
    let file = treepl_contacts::app::personal_data::journal_file(&data, "site-elsewhere");
    let db = rusqlite::Connection::open(&file).unwrap();
    let long_ago = chrono::Utc::now().timestamp_millis() - 400 * 86_400_000;
    db.execute("UPDATE entries SET at = ?1", [long_ago]).unwrap();
    drop(db);
    let drafts = DraftFolder::new(&data, "site-elsewhere");
    let base = Contact { id: 7, email: "old@example.com".into(), ..Contact::default() };
    let draft = Contact { first_name: Some("Old".into()), ..base.clone() };
    drafts.write(&SavedDraft { base, draft, saved_at: chrono::Utc::now() - chrono::Duration::days(400) }).unwrap();
    assert_eq!(drafts.list().len(), 1);

    let mut app = app.restart();
    app.wait_until("the old draft is dropped", |_| drafts.list().is_empty());
    let journal = treepl_contacts::app::journal::Journal::open(&data, "site-elsewhere").unwrap();
    app.wait_until("the old entry is dropped", |_| {
        journal.entries(&Default::default(), 10).is_ok_and(|e| e.is_empty())
    });
}

/// Ctrl+Z in a field asks egui's own undo history of it: a secret field has none to give.
#[test]
fn secret_fields_keep_no_undo_history() {
    use secrecy::ExposeSecret as _;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    let field = app.harness.get_by_role_and_label(Role::PasswordInput, "Client Secret");
    field.focus();
    field.type_text("first-s3cret");
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    app.settle();
    let kept = app.state().profiles.dialog.as_ref().unwrap().draft.client_secret.secret().expose_secret().to_owned();
    assert_eq!(kept, "first-s3cret", "nothing to undo back to");
    // A plain field keeps its history (the test would pass for any field otherwise).
    app.fill(Role::TextInput, "Name", "Shop");
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    app.settle();
    assert_eq!(app.state().profiles.dialog.as_ref().unwrap().draft.name, "", "a plain field undoes");
}

#[test]
fn a_new_contacts_first_password_keeps_no_undo_history() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    app.settle();
    retype(&mut app, "Email", "new.person@example.no");
    app.harness.get_by_role_and_label(Role::PasswordInput, "First password").focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::PasswordInput, "First password").type_text("first-pass-4711");
    app.settle();
    let typed = egui::TextBuffer::as_str(&app.state().editor.open.as_ref().unwrap().first_password).to_owned();
    assert_eq!(typed, "first-pass-4711", "typed into the field");
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    app.settle();
    let open = app.state().editor.open.as_ref().unwrap();
    assert_eq!(egui::TextBuffer::as_str(&open.first_password), "first-pass-4711");
}

#[test]
fn journal_forget_on_the_command_line_erases_a_person_from_the_files() {
    use treepl_contacts::app::journal::{Intent, Journal, JournalOutcome, Operation};
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join(".local/share/treepl-contacts");
    let journal = Journal::open(&data, "sandbox").unwrap();
    for (id, email) in [(7, "Gone.Person@example.com"), (8, "stays@example.com")] {
        let mut intent = Intent::new(Operation::Save, Some(id), email);
        intent.before = Some(serde_json::json!({"Id": id, "Email": email, "City": "Oslo"}));
        let entry = journal.begin(&intent).unwrap();
        let after = serde_json::json!({"Id": id, "Email": email, "City": "Bergen"});
        journal.finish(entry, JournalOutcome::Done, Some(id), Some(&after), None).unwrap();
    }
    drop(journal);
    let files = || files_under(&data.join("journal"));
    assert!(files().iter().any(|f| holds(f, "gone.person@example.com")));

    let run = |email: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
            .args(["journal", "forget", "--site", "sandbox", "--email", email])
            .env("HOME", home.path())
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap()
    };
    let output = run("gone.person@example.com");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}{}", String::from_utf8_lossy(&output.stderr));
    assert!(said.contains("1 journal entry and 0 drafts removed"), "{said}");
    let left: Vec<PathBuf> = files().into_iter().filter(|f| holds(f, "gone.person@example.com")).collect();
    assert!(left.is_empty(), "still in {left:?}");
    assert!(files().iter().any(|f| holds(f, "stays@example.com")), "the other person stays");
    // A site with no journal here is a clear error, not a new empty file.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
        .args(["journal", "forget", "--site", "Unknown shop", "--email", "x@example.com"])
        .env("HOME", home.path())
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("No saved site is called Unknown shop"));
}

/// Connects the app's sandbox as a saved site "Shop", saves a change there, and returns the
/// profile's id (its files are kept under it).
fn shop_with_a_change(app: &mut AppUnderTest) -> String {
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the site is saved and open", |app| app.state().profiles.dialog.is_none() && app.rows_loaded());
    let id = app.state().profiles.list[0].id.clone();
    open_in_pane(app, 1);
    save_city(app, "Svolvær");
    id
}

fn remove_shop(app: &mut AppUnderTest, erase: bool) {
    // The menu bar's Site (the pane has a Site field too).
    app.harness.query_all_by_label("Site").next().unwrap().click();
    app.settle();
    app.harness.get_by_label("Remove a site").click();
    app.settle();
    app.harness.get_by_label("Remove Shop").click();
    app.settle();
    app.harness.get_by_label("Remove Shop?");
    if !erase {
        app.harness.get_by_label_contains("Also remove its change journal").click();
        app.settle();
    }
    app.harness.get_by_label("Remove").click();
    app.wait_until("the site is removed", |app| app.state().profiles.list.is_empty());
}

#[test]
fn removing_a_site_asks_and_removes_its_journal_drafts_and_views_too() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let id = shop_with_a_change(&mut app);
    let journal = treepl_contacts::app::personal_data::journal_file(&app.data_dir(), &id);
    let drafts = app.data_dir().join("drafts").join(&id);
    std::fs::create_dir_all(&drafts).unwrap();
    std::fs::write(drafts.join("9.json"), b"{}").unwrap();
    assert!(journal.exists());
    assert!(app.state().settings.layouts.contains_key(&id), "the site has a layout (its views)");
    remove_shop(&mut app, true);
    app.wait_until("its data is gone", |_| !journal.exists() && !drafts.exists());
    assert!(!app.state().settings.layouts.contains_key(&id));
    let wal = journal.with_extension("sqlite-wal");
    assert!(!wal.exists(), "{}", wal.display());
}

#[test]
fn removing_a_site_can_keep_its_data() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let id = shop_with_a_change(&mut app);
    let journal = treepl_contacts::app::personal_data::journal_file(&app.data_dir(), &id);
    remove_shop(&mut app, false);
    app.settle();
    assert!(journal.exists(), "kept as asked");
}
