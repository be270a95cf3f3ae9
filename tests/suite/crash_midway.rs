//! `kill -9` of the app in the middle of an export and of a bulk edit, then the next start on
//! the same folders: no temporary file is left, and every journal entry the killed run left
//! pending is settled against the site, agreeing with what the site holds.
//!
//! The killed app runs in a child process (this test binary, started again with
//! `TREEPL_CRASH_CHILD` naming what it does, on a home folder of its own); the app that
//! starts next runs in this process on the same folders, as the next start would.

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;

use common::app::{AppUnderTest, Folders, TestKeyring};

const CHILD: &str = "TREEPL_CRASH_CHILD";

/// Starts this test binary again as the app that will be killed.
fn start_child(test: &str, home: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([&common::harness_name(module_path!(), test), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, limit: Duration, child: &mut Child, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(child.try_wait().unwrap().is_none(), "the app ended before {what}");
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill_9(mut child: Child) {
    child.kill().unwrap(); // SIGKILL: no clean-up of any kind.
    child.wait().unwrap();
}

/// The child's app, then nothing: it waits to be killed.
fn child_app(folders: Folders, contacts: u64, work: impl FnOnce(&mut AppUnderTest)) -> ! {
    let mut app = AppUnderTest::start_in(TestKeyring::mock(), contacts, folders);
    work(&mut app);
    loop {
        app.harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn names_in(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn a_kill_9_mid_export_leaves_a_temporary_file_that_the_next_start_removes() {
    let child_home = std::env::var_os(CHILD).map(|_| PathBuf::from(std::env::var_os("HOME").unwrap()));
    if let Some(home) = child_home {
        let unfinished = treepl_contacts::export::unfinished_folder(&Folders::of_home(&home).data);
        treepl_contacts::export::note_unfinished_files_in(unfinished);
        let mut folders = Folders::of_home(&home);
        // Pages come slowly: the export is surely under way when the kill comes.
        folders.sandbox_faults = Some("list:latency=700ms".to_owned());
        child_app(folders, 1500, |app| {
            app.chooser.answer(app.exports.join("contacts.csv"));
            app.harness.key_press_modifiers(Modifiers::COMMAND, Key::E);
            app.settle();
            app.harness.get_by_label("All contacts matching the filter (1,500)").click();
            app.harness.get_by_label("CSV").click();
            app.settle();
            app.harness.get_by_label("Export 1,500 contacts…").click();
        });
    }

    let home = tempfile::tempdir().unwrap();
    let folders = Folders::of_home(home.path());
    let unfinished = treepl_contacts::export::unfinished_folder(&folders.data);
    let mut child = start_child("a_kill_9_mid_export_leaves_a_temporary_file_that_the_next_start_removes", home.path());
    wait_for("the export writes its temporary file", Duration::from_secs(90), &mut child, || {
        names_in(&folders.exports).iter().any(|n| n.ends_with(".part")) && !names_in(&unfinished).is_empty()
    });
    kill_9(child);
    let left = names_in(&folders.exports);
    assert!(left.len() == 1 && left[0].starts_with(".contacts.csv."), "the kill left the temporary file: {left:?}");

    let exports = folders.exports.clone();
    let mut app = AppUnderTest::start_in(TestKeyring::mock(), 0, folders);
    app.wait_until("the next start removes it", |_| names_in(&exports).is_empty());
    assert!(names_in(&unfinished).is_empty(), "its note went with it");
}

/// (contact, outcome) of each save in the sandbox site's journal under `data`.
fn journaled_saves(data: &Path) -> Vec<(i64, String)> {
    let path = data.join("journal/sandbox.sqlite");
    let Ok(journal) = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return Vec::new();
    };
    let Ok(mut rows) = journal.prepare("SELECT contact_id, outcome FROM entries WHERE operation = 'save'") else {
        return Vec::new();
    };
    rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map(|r| r.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

#[test]
fn a_kill_9_mid_bulk_edit_leaves_pending_entries_that_the_next_start_settles_as_the_site_says() {
    if std::env::var_os(CHILD).is_some() {
        let mut folders = Folders::of_home(&PathBuf::from(std::env::var_os("HOME").unwrap()));
        // Each update takes a while: some are done, some on their way when the kill comes.
        folders.sandbox_faults = Some("update:latency=400ms".to_owned());
        child_app(folders, 120, |app| {
            app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
            app.settle();
            app.harness.get_by_label("Edit").click();
            app.settle();
            app.harness.get_by_label("Bulk edit selected contacts…").click();
            app.settle();
            app.fill(Role::TextInput, "New City", "Narvik");
            app.harness.key_press(Key::Enter);
            app.wait_until("the preview", |app| app.harness.query_by_label_contains("will change").is_some());
            app.harness.get_by_label("Apply to 120 contacts").click();
        });
    }

    let home = tempfile::tempdir().unwrap();
    let folders = Folders::of_home(home.path());
    let name = "a_kill_9_mid_bulk_edit_leaves_pending_entries_that_the_next_start_settles_as_the_site_says";
    let mut child = start_child(name, home.path());
    wait_for("some saves are done and some on their way", Duration::from_secs(90), &mut child, || {
        let saves = journaled_saves(&folders.data);
        saves.iter().filter(|(_, o)| o == "done").count() >= 8 && saves.iter().any(|(_, o)| o == "pending")
    });
    kill_9(child);
    let before = journaled_saves(&folders.data);
    assert!(before.len() < 120, "the bulk edit was cut short: {} entries", before.len());

    let data = folders.data.clone();
    let mut app = AppUnderTest::start_in(TestKeyring::mock(), 0, folders);
    app.wait_until("the next start settles every entry", |_| {
        journaled_saves(&data).iter().all(|(_, outcome)| outcome != "pending")
    });
    let on_site: HashMap<i64, Option<String>> =
        app.contacts_on_site().into_iter().map(|c| (c.id, c.address.city)).collect();
    for (contact, outcome) in journaled_saves(&data) {
        let changed = on_site[&contact].as_deref() == Some("Narvik");
        match outcome.as_str() {
            "done" => assert!(changed, "contact {contact}: done in the journal, so Narvik on the site"),
            "failed" => assert!(!changed, "contact {contact}: not done, and the site agrees"),
            other => panic!("contact {contact}: {other}"),
        }
    }
    let leftovers: Vec<String> = names_in(&data.join("journal")).into_iter().filter(|n| n.ends_with(".part")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
