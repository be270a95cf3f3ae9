//! Import in the real app against its sandbox (egui_kittest): a CSV file dropped on the
//! window opens the import dialog, a column is mapped by its combo, the dry run shows its
//! counts and each field's before and after, Apply writes exactly that to the site's
//! database, and History undoes the import as one step. A password column stops the dry run
//! with the reason shown.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable};
use treepl_contacts::api::Contact;
use treepl_contacts::api::contact_fields::Field;
use treepl_contacts::app::journal::HistoryItem;
use treepl_contacts::import::file::{Encoding, Source};
use treepl_contacts::import::mapping::Target;

use common::app::{AppUnderTest, DEMO_CONTACTS, TestKeyring};

/// A file dropped on the window, as the desktop hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn write_csv(path: &Path, rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

/// Drops `path` on the window and waits for the dialog to have read it.
fn drop_file(app: &mut AppUnderTest, path: &Path) {
    app.harness.input_mut().dropped_files.push(Arc::new(Dropped(path.to_owned())));
    app.wait_until("the file is read", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.table.is_some() && !d.is_busy())
    });
    app.settle();
}

/// Picks `target` in the combo of the column `header`.
fn map_column(app: &mut AppUnderTest, header: &str, target: &str) {
    app.harness.get_by_role_and_label(Role::ComboBox, &format!("Import “{header}” as")).click();
    app.settle();
    // The popup is drawn over the window: its entry is the last node of that name.
    let option = app.harness.query_all_by_label(target).last().expect("the target in the combo's list");
    option.click();
    app.settle();
}

fn is_disabled(app: &AppUnderTest, label: &str) -> bool {
    app.harness.get_by_label(label).accesskit_node().is_disabled()
}

fn shown(value: Option<&str>) -> &str {
    value.filter(|v| !v.is_empty()).unwrap_or("(empty)")
}

#[test]
fn a_dropped_file_is_mapped_dry_run_applied_and_undone_as_one_step() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    assert_eq!(before.len() as u64, DEMO_CONTACTS);
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("contacts.csv");
    // Three contacts of the site (the first with another town), and one new person. "Ort"
    // is no header the guess knows: the user maps it to City.
    let town = |c: &Contact| c.address.city.clone().unwrap_or_default();
    let mut rows = vec![vec!["E-mail".to_owned(), "First Name".to_owned(), "Ort".to_owned()]];
    for (i, contact) in before.iter().take(3).enumerate() {
        let city = if i == 0 { "Narvik".to_owned() } else { town(contact) };
        rows.push(vec![contact.email.clone(), contact.first_name.clone().unwrap_or_default(), city]);
    }
    rows.push(vec!["nora.new@example.com".to_owned(), "Nora".to_owned(), "Bodø".to_owned()]);
    write_csv(&file, &rows);
    assert_ne!(before[0].address.city.as_deref(), Some("Narvik"), "the first contact's town changes");

    drop_file(&mut app, &file);
    app.harness.get_by_label("Import contacts from contacts.csv");
    app.harness.get_by_label_contains("contacts.csv · 4 rows · 3 columns");
    map_column(&mut app, "Ort", "City");
    app.harness.get_by_label("Dry run").click();
    app.wait_until("the dry run", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.current().is_some() && !d.is_busy())
    });
    app.harness.run();
    app.harness.get_by_label("1 create · 1 update · 2 unchanged · 0 skip · 0 ambiguous · 0 error");
    let change = format!("City: {} » Narvik", shown(before[0].address.city.as_deref()));
    app.harness.get_by_label(&change);
    app.harness.get_by_label("Email: (empty) » nora.new@example.com; First name: (empty) » Nora; City: (empty) » Bodø");
    assert!(app.harness.unnamed_widgets().is_empty(), "{:?}", app.harness.unnamed_widgets());
    // The filter: without "unchanged", the rows of the contacts left as they are go.
    app.harness.get_by_label(&before[1].email);
    app.harness.get_by_role_and_label(Role::CheckBox, "unchanged").click();
    app.settle();
    assert!(app.harness.query_by_label(&before[1].email).is_none());
    app.harness.get_by_label(&change);
    app.harness.get_by_role_and_label(Role::CheckBox, "unchanged").click();
    app.settle();
    app.harness.get_by_label(&before[1].email);

    app.harness.get_by_label("Apply 2 changes").click();
    app.wait_until("the import", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.report.is_some() && !d.is_busy())
    });
    app.harness.run();
    app.harness.get_by_label("2 written, 0 already as asked, 0 failed");

    // The site's database holds exactly what was asked: one town changed, one contact more.
    let store = app.state().shell.site.sandbox().unwrap().store();
    assert_eq!(store.contact_count().unwrap(), DEMO_CONTACTS + 1);
    let mut expected = before[0].clone();
    expected.address.city = Some("Narvik".to_owned());
    let first = store.get_contact(before[0].id).unwrap().unwrap();
    assert_eq!(first, expected);
    let after = app.contacts_on_site();
    for contact in &before[1..] {
        assert_eq!(after.iter().find(|c| c.id == contact.id), Some(contact), "contact {} is as it was", contact.id);
    }
    let new = after.iter().find(|c| c.email == "nora.new@example.com").expect("the new contact");
    let stored = store.get_contact(new.id).unwrap().unwrap();
    assert_eq!(
        (stored.first_name.as_deref(), stored.last_name.as_deref(), stored.address.city.as_deref()),
        (Some("Nora"), None, Some("Bodø"))
    );

    // History: the import is one entry, undone as one step.
    app.harness.get_by_label("Close").click();
    app.settle();
    assert!(app.state().import.dialog.is_none());
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("the history lists the import", |app| {
        app.state().history.items.iter().any(|item| matches!(item, HistoryItem::Batch(b) if b.done == 2))
    });
    let items = app.state().history.items.clone();
    assert_eq!(items.len(), 1, "one line for the whole import: {items:?}");
    app.harness.get_by_label_contains("Import of contacts.csv, 2 done").click();
    app.wait_until("its contacts are read", |app| {
        app.state().history.batch.as_ref().is_some_and(|b| b.members.as_ref().is_some_and(|m| m.len() == 2))
    });
    assert!(!is_disabled(&app, "Undo the whole operation"));
    app.harness.get_by_label("Undo the whole operation").click();
    app.wait_until("the import is undone", |app| {
        let store = app.state().shell.site.sandbox().unwrap().store();
        store.contact_count().unwrap() == DEMO_CONTACTS
            && store.get_contact(before[0].id).unwrap().is_some_and(|c| c.address.city == before[0].address.city)
    });
    assert_eq!(app.contacts_on_site(), before, "the site is as it was before the import");

    // The same file again: the mapping of the dry run is offered, "Ort" as City.
    app.harness.key_press(Key::Escape);
    app.settle();
    drop_file(&mut app, &file);
    let mapping = app.state().import.dialog.as_ref().unwrap().mapping.clone();
    assert_eq!(mapping.columns[2], Target::field(Field::City));
}

#[test]
fn a_password_column_stops_the_dry_run_with_the_reason_shown() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let before = app.contacts_on_site();
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("with-passwords.csv");
    let rows =
        vec![vec!["Email".to_owned(), "Password".to_owned()], vec![before[0].email.clone(), "hunter2".to_owned()]];
    write_csv(&file, &rows);
    drop_file(&mut app, &file);
    app.harness.get_by_label("Column “Password” holds passwords, which are never imported. Set it to Ignore.");
    assert!(is_disabled(&app, "Dry run"));
    app.harness.get_by_label("Dry run").click();
    app.settle();
    assert!(app.state().import.dialog.as_ref().unwrap().reviewed.is_none(), "no dry run ran");

    // Ignored, the column no longer stops it.
    map_column(&mut app, "Password", "Ignore");
    assert!(app.harness.query_by_label_contains("holds passwords").is_none());
    assert!(!is_disabled(&app, "Dry run"));
    app.harness.get_by_label("Dry run").click();
    app.wait_until("the dry run", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.current().is_some() && !d.is_busy())
    });
    app.harness.get_by_label("0 create · 0 update · 1 unchanged · 0 skip · 0 ambiguous · 0 error");
    assert_eq!(app.contacts_on_site(), before, "a dry run sends nothing");

    // Another file, where the desktop has no open dialog: its path is typed.
    let other = folder.path().join("other.csv");
    write_csv(
        &other,
        &[vec!["E-mail".to_owned(), "Town".to_owned()], vec![before[1].email.clone(), "Moss".to_owned()]],
    );
    app.harness.get_by_label("Another file…").click();
    app.wait_until("the path box", |app| app.harness.query_by_label("File to import").is_some());
    app.harness.get_by_role_and_label(Role::TextInput, "File to import").focus();
    app.settle();
    // It holds the file read: all of it is typed over.
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, "File to import").type_text(&other.display().to_string());
    app.settle();
    app.harness.get_by_label("Open").click();
    app.wait_until("the other file is read", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.file_name() == "other.csv" && !d.is_busy())
    });
    app.harness.get_by_label("Import contacts from other.csv");
    assert!(app.harness.query_by_label("File to import").is_none(), "the path box goes once a file is read");
}

#[test]
fn a_failed_row_is_retried_into_the_same_history_entry_and_the_tables_export_as_csv() {
    use treepl_contacts::sandbox::FaultSpec;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("one-new.csv");
    write_csv(
        &file,
        &[vec!["Email".to_owned(), "City".to_owned()], vec!["ola.new@example.com".to_owned(), "Hamar".to_owned()]],
    );
    drop_file(&mut app, &file);
    app.harness.get_by_label("Dry run").click();
    app.wait_until("the dry run", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.current().is_some() && !d.is_busy())
    });
    let dry_run = app.exports.join("dry-run.csv");
    app.chooser.answer(dry_run.clone());
    app.harness.get_by_label("Export dry run…").click();
    app.wait_until("the dry run's file", |_| dry_run.exists());
    let saved = std::fs::read_to_string(&dry_run).unwrap();
    let lines: Vec<&str> = saved.lines().collect();
    assert_eq!(lines.len(), 2, "{saved}");
    assert_eq!(lines[0], "Line,Key,Outcome,Contact,Changes,Reason");
    assert!(lines[1].starts_with("2,ola.new@example.com,create,,"), "{saved}");

    // Every create fails on the site: the row fails, and nothing is there.
    let sandbox_faults = |app: &AppUnderTest| Arc::clone(app.state().shell.site.sandbox().unwrap().faults());
    sandbox_faults(&app).set(FaultSpec::parse("create:error=1").unwrap());
    app.harness.get_by_label("Apply 1 change").click();
    app.wait_until("the import", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.report.is_some() && !d.is_busy())
    });
    app.harness.get_by_label("0 written, 0 already as asked, 1 failed");
    assert!(app.contacts_on_site().iter().all(|c| c.email != "ola.new@example.com"));

    // The site takes creates again: Retry sends the failed row, in the same journal batch.
    sandbox_faults(&app).clear();
    app.harness.get_by_label("Retry 1 row").click();
    app.wait_until("the retry", |app| {
        app.state()
            .import
            .dialog
            .as_ref()
            .is_some_and(|d| d.report.as_ref().is_some_and(|(_, r)| r.tally().done == 1) && !d.is_busy())
    });
    app.harness.get_by_label("1 written, 0 already as asked, 0 failed");
    let created: Vec<Contact> =
        app.contacts_on_site().into_iter().filter(|c| c.email == "ola.new@example.com").collect();
    assert_eq!(created.len(), 1, "created once");
    assert_eq!(created[0].address.city.as_deref(), Some("Hamar"));
    let results = app.exports.join("results.csv");
    app.chooser.answer(results.clone());
    app.harness.get_by_label("Export results…").click();
    app.wait_until("the results' file", |_| results.exists());
    let saved = std::fs::read_to_string(&results).unwrap();
    assert_eq!(
        saved,
        format!("Line,Key,Action,Contact,Outcome,Reason\n2,ola.new@example.com,create,{},done,\n", created[0].id)
    );

    app.harness.get_by_label("Close").click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    app.wait_until("the history lists the import", |app| !app.state().history.items.is_empty());
    let items = app.state().history.items.clone();
    assert_eq!(items.len(), 1, "the retry is in the import's entry: {items:?}");
    let HistoryItem::Batch(batch) = &items[0] else { panic!("one batch: {items:?}") };
    assert_eq!((batch.done, batch.failed), (1, 1), "{batch:?}");
}

#[test]
fn rows_not_kept_are_not_sent_and_cancel_leaves_the_rows_after_those_in_flight_not_run() {
    use treepl_contacts::sandbox::FaultSpec;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("ten-new.csv");
    let mut rows = vec![vec!["Email".to_owned()]];
    rows.extend((0..10).map(|i| vec![format!("new.{i}@example.com")]));
    write_csv(&file, &rows);
    drop_file(&mut app, &file);
    app.harness.get_by_label("Dry run").click();
    app.wait_until("the dry run", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.current().is_some() && !d.is_busy())
    });
    // A row not kept is not sent.
    app.harness.get_by_label("Keep line 2").click();
    app.settle();
    app.harness.get_by_label("Apply 9 changes");
    // Creates take long on the site: the first ones are in flight when Cancel comes.
    let faults = Arc::clone(app.state().shell.site.sandbox().unwrap().faults());
    faults.set(FaultSpec::parse("create:latency=5s").unwrap());
    app.harness.get_by_label("Apply 9 changes").click();
    app.wait_until("the apply runs", |app| app.state().import.dialog.as_ref().is_some_and(|d| d.is_applying()));
    assert!(is_disabled(&app, "Close"), "the dialog stays while it writes");
    // The status bar lists the task with its own Cancel: the dialog's is drawn over it, last.
    // The dialog grew by the progress bar: it is centred again before the click.
    app.settle();
    app.harness.query_all_by_label("Cancel").last().unwrap().click();
    app.wait_until("the apply stops", |app| {
        app.state().import.dialog.as_ref().is_some_and(|d| d.report.is_some() && !d.is_busy())
    });
    let (_, report) = app.state().import.dialog.as_ref().unwrap().report.clone().unwrap();
    let tally = report.tally();
    assert!(tally.not_run > 0 && tally.done + tally.not_run == 9, "{tally:?}");
    let on_site: Vec<String> =
        app.contacts_on_site().into_iter().map(|c| c.email).filter(|e| e.starts_with("new.")).collect();
    assert_eq!(on_site.len() as u64, tally.done, "what ran is on the site, and nothing else: {on_site:?}");
    assert!(!on_site.contains(&"new.0@example.com".to_owned()), "the row not kept was not sent");
    let rows = if tally.not_run == 1 { "row" } else { "rows" };
    app.harness.get_by_label(&format!("Retry {} {rows}", tally.not_run));
}

#[test]
fn closing_the_dialog_stops_its_dry_run() {
    use treepl_contacts::sandbox::FaultSpec;
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("slow.csv");
    write_csv(&file, &[vec!["Email".to_owned()], vec!["someone@example.com".to_owned()]]);
    drop_file(&mut app, &file);
    // The site's lists answer after a minute: the dry run waits on its lookup.
    let faults = Arc::clone(app.state().shell.site.sandbox().unwrap().faults());
    faults.set(FaultSpec::parse("list:latency=60s").unwrap());
    app.harness.get_by_label("Dry run").click();
    let dry_running =
        |app: &AppUnderTest| app.state().shell.tasks.running().any(|(_, t)| t.label.starts_with("Dry run"));
    app.wait_until("the dry run runs", dry_running);
    app.harness.key_press(Key::Escape);
    app.wait_until("the dry run stops", |app| !dry_running(app));
    assert!(app.state().import.dialog.is_none());
    faults.clear();
}

#[test]
fn escape_closes_the_import_dialog_as_it_closes_any_other() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("people.csv");
    write_csv(&file, &[vec!["Email".into(), "City".into()], vec!["a@x.example".into(), "Oslo".into()]]);
    drop_file(&mut app, &file);
    assert!(app.harness.query_by_label("Dry run").is_some(), "the dialog is open");
    app.harness.key_press(Key::Escape);
    app.settle();
    assert!(app.state().import.dialog.is_none(), "Escape closed it");
    assert!(app.harness.query_by_label("Dry run").is_none());
}

/// Picks `choice` in the combo named `combo` and waits for the file to be read again.
fn choose_and_reread(app: &mut AppUnderTest, combo: &str, choice: &str) {
    app.harness.get_by_role_and_label(Role::ComboBox, combo).click();
    app.settle();
    app.harness.query_all_by_label(choice).last().expect("the choice in the combo's list").click();
    app.wait_until("the file is read again", |app| app.state().import.dialog.as_ref().is_some_and(|d| !d.is_busy()));
    app.settle();
}

fn source(app: &AppUnderTest) -> Source {
    app.state().import.dialog.as_ref().unwrap().table.as_ref().unwrap().source.clone()
}

/// How the file was read is on the file line, and each choice there reads it again: a CSV
/// file's encoding and delimiter, a workbook's sheet. What the mapping shows follows.
#[test]
fn the_encoding_delimiter_and_sheet_are_shown_and_changing_one_reads_the_file_again() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let folder = tempfile::tempdir().unwrap();
    let csv = folder.path().join("names.csv");
    std::fs::write(&csv, "Email;Last name\nm@example.no;Müller\n").unwrap();
    drop_file(&mut app, &csv);
    assert_eq!(source(&app), Source::Csv { encoding: Encoding::Utf8, delimiter: b';' });
    app.harness.get_by_label("Müller");

    // The same bytes as Windows-1252: the sample shows what that reading makes of them.
    choose_and_reread(&mut app, "Encoding", "Windows-1252");
    assert_eq!(source(&app), Source::Csv { encoding: Encoding::Windows1252, delimiter: b';' });
    app.harness.get_by_label("MÃ¼ller");
    assert!(app.harness.query_by_label("Müller").is_none());
    choose_and_reread(&mut app, "Encoding", "UTF-8");
    app.harness.get_by_label("Müller");

    // Split on commas, the file has one column, named by its whole first line.
    choose_and_reread(&mut app, "Delimiter", "Comma");
    assert_eq!(source(&app), Source::Csv { encoding: Encoding::Utf8, delimiter: b',' });
    app.harness.get_by_role_and_label(Role::ComboBox, "Import “Email;Last name” as");
    app.harness.get_by_label("m@example.no;Müller");

    // A workbook opens on its first sheet; another is chosen by name.
    let workbook = folder.path().join("lists.xlsx");
    common::workbook::write_workbook(
        &workbook,
        &[
            ("Members", vec![vec!["Email", "City"], vec!["a@example.no", "Oslo"]]),
            ("Guests", vec![vec!["E-mail", "Town"], vec!["b@example.no", "Moss"]]),
        ],
    );
    drop_file(&mut app, &workbook);
    let sheets = vec!["Members".to_owned(), "Guests".to_owned()];
    assert_eq!(source(&app), Source::Xlsx { sheet: "Members".into(), sheets: sheets.clone() });
    app.harness.get_by_label("Oslo");
    choose_and_reread(&mut app, "Sheet", "Guests");
    assert_eq!(source(&app), Source::Xlsx { sheet: "Guests".into(), sheets });
    app.harness.get_by_label("Moss");
    app.harness.get_by_role_and_label(Role::ComboBox, "Import “Town” as");
    assert!(app.harness.query_by_label("Oslo").is_none());
}
