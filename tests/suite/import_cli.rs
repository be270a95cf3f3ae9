//! `treepl-contacts import`, run as a real process against a sandbox site over HTTP: the dry
//! run's table on stdout, an apply through a change journal, bad files refused before any
//! request, and a `kill -9` mid-apply settled by the next run.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use treepl_contacts::sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FaultSpec, Route, SandboxConfig};

/// The command for the test's sandbox with private config and data folders under `home`.
fn command(site: &common::Site, home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
    command
        .args(["import", "--site", site.sandbox.url().as_str(), "--client-id", DEFAULT_CLIENT_ID])
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TREEPL_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
    command
}

async fn run(site: &common::Site, home: &Path, args: &[&str]) -> Output {
    let mut command = command(site, home, args);
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name).to_string_lossy().into_owned()
}

/// The rows of a CSV table, header first.
fn csv_rows(text: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text);
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect()).collect()
}

/// Every contact on the site as it sends them, in Id order (read past the client).
async fn all_on_site(site: &common::Site) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    loop {
        let path = format!("/api/v2/admin/contacts?Order_By=Id&Offset={}&Limit=500", all.len());
        let page = common::raw_get(site, &path).await;
        let items = page["Items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return all;
        }
        all.extend(items);
    }
}

/// Writes made to the site (anything but reads and sign-ins).
fn writes_seen(site: &common::Site) -> usize {
    site.sandbox.requests().all().iter().filter(|r| r.method != "GET" && r.route != Route::Token).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_prints_every_row_and_exits_2_when_a_row_is_not_as_asked() {
    let site = common::site(0).await;
    // The contacts of tests/suite/import.rs, which the messy file meets.
    let contacts = [
        json!({"Email": "anna@example.com", "FirstName": "Anna", "LastName": "Berg", "City": "Oslo",
               "CustomCrmGroups": {"Membership": {"Level": "Gold"}}}),
        json!({"Email": "ola@example.com", "FirstName": "Ola", "LastName": "Nordmann", "City": "Bergen"}),
        json!({"Email": "kari@example.com", "FirstName": "Kari", "LastName": "Hansen", "City": "Trondheim"}),
    ];
    for value in contacts {
        site.client.create_contact(&contact(value), None).await.unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    site.sandbox.requests().clear();
    let output = run(&site, home.path(), &["--file", &fixture("messy-windows-1252.csv"), "--dry-run"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "rows in error: exit 2\n{stderr}");
    assert!(
        stderr.contains("Dry run of 9 rows: 1 create, 2 update, 1 unchanged, 0 skip, 2 ambiguous, 3 error"),
        "{stderr}"
    );
    let rows = csv_rows(&output.stdout);
    assert_eq!(rows[0], ["Line", "Key", "Outcome", "Contact", "Changes", "Reason"]);
    assert_eq!(rows.len(), 10, "a line per row of the file");
    assert_eq!(rows[7][..5], ["9", "hobby@example.com", "error", "", ""]);
    assert!(rows[7][5].contains("unknown custom group “Hobbies”"), "{:?}", rows[7]);
    assert_eq!(writes_seen(&site), 0, "a dry run sends nothing");
    assert!(!home.path().join("data").exists(), "nor opens a journal");
}

fn contact(value: serde_json::Value) -> treepl_contacts::api::ContactInput {
    treepl_contacts::api::ContactInput::for_create(&serde_json::from_value(value).unwrap())
}

/// Every journal file under the run's data folder.
fn journals(home: &Path) -> Vec<PathBuf> {
    let folder = home.join("data/treepl-contacts/journal");
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "sqlite")).collect()
}

/// (operation, contact, outcome, batch) of each entry of the run's journal.
fn entries(home: &Path) -> Vec<(String, Option<i64>, String, Option<i64>)> {
    let Some(path) = journals(home).into_iter().next() else { return Vec::new() };
    let Ok(journal) = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return Vec::new();
    };
    let Ok(mut rows) = journal.prepare("SELECT operation, contact_id, outcome, batch FROM entries ORDER BY id") else {
        return Vec::new();
    };
    rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .map(|r| r.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_apply_writes_through_one_journal_batch_and_exits_0() {
    let site = common::site(0).await;
    for (email, city) in [("anna@example.com", "Oslo"), ("ola@example.com", "Bergen")] {
        site.client.create_contact(&contact(json!({"Email": email, "City": city})), None).await.unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("people.csv");
    std::fs::write(&file, "Email,City\nanna@example.com,Tromsø\nola@example.com,Bergen\nnew@example.com,Bodø\n")
        .unwrap();
    let report = home.path().join("results.csv");
    let args = ["--file", file.to_str().unwrap(), "--apply", "--report", report.to_str().unwrap()];
    let output = run(&site, home.path(), &args).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");

    let cities: Vec<(String, String)> = all_on_site(&site)
        .await
        .iter()
        .map(|c| (c["Email"].as_str().unwrap().to_owned(), c["City"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let expected = [("anna@example.com", "Tromsø"), ("ola@example.com", "Bergen"), ("new@example.com", "Bodø")];
    assert_eq!(cities, expected.map(|(e, c)| (e.to_owned(), c.to_owned())));
    let rows = csv_rows(&std::fs::read(&report).unwrap());
    assert_eq!(rows[0], ["Line", "Key", "Action", "Contact", "Outcome", "Reason"]);
    let outcomes: Vec<(&str, &str, &str)> =
        rows[1..].iter().map(|r| (r[0].as_str(), r[2].as_str(), r[4].as_str())).collect();
    assert_eq!(outcomes, [("2", "update", "done"), ("4", "create", "done")], "the unchanged row is not sent");
    let entries = entries(home.path());
    let batches: std::collections::BTreeSet<_> = entries.iter().map(|e| e.3).collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|e| e.2 == "done"), "{entries:?}");
    assert_eq!(batches.len(), 1, "one batch: {entries:?}");
    assert!(batches.iter().all(Option::is_some), "{entries:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_files_are_refused_with_a_clear_message_before_any_request() {
    let site = common::site(3).await;
    let home = tempfile::tempdir().unwrap();
    let folder = home.path();
    let huge_cell = [b"Email,Notes\na@x.example,".as_slice(), &vec![b'x'; 50 << 20], b"\n"].concat();
    let cases: [(&str, &[u8], &str); 6] = [
        ("empty.csv", b"", "The file is empty"),
        ("header-only.csv", b"Email,City\n", "has a header but no rows"),
        ("binary.csv", &[0x00, 0x01, 0x02, 0xff, 0x00, 0x10, 0x00, 0x00, 0x7f, 0x00], "not a text file"),
        ("corrupt.xlsx", b"PK\x03\x04 this is not really a workbook", "not a readable Excel workbook"),
        ("ragged.csv", b"Email,City\na@x.example,Oslo,extra\n", "Line 2 has 3 cells where the header has 2"),
        ("huge.csv", &huge_cell, "Line 2, column 2 (\"Notes\") holds 50.0 MB; a cell may hold at most 1 MB"),
    ];
    site.sandbox.requests().clear();
    for (name, bytes, said) in cases {
        let path = folder.join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = run(&site, folder, &["--file", path.to_str().unwrap(), "--apply"]).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(said), "{name}: {stderr}");
        assert!(output.stdout.is_empty(), "{name}");
    }
    assert_eq!(site.sandbox.requests().all(), vec![], "no request for a file that cannot be read");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_9_mid_apply_is_settled_by_the_next_run_and_the_rest_applied() {
    // Each update takes a while: some are done, some on their way when the kill comes.
    let mut config = SandboxConfig::new("");
    config.faults = FaultSpec::parse("update:latency=400ms").unwrap();
    let site = common::site_with(config, 80).await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("everyone.csv");
    let mut text = "Email,City\n".to_owned();
    let contacts = all_on_site(&site).await;
    for contact in &contacts {
        text.push_str(&format!("{},Narvik\n", contact["Email"].as_str().unwrap()));
    }
    std::fs::write(&file, text).unwrap();
    let args = ["--file", file.to_str().unwrap(), "--apply"];

    let mut child = command(&site, home.path(), &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let entries = entries(home.path());
        let done = entries.iter().filter(|e| e.2 == "done").count();
        if done >= 8 && entries.iter().any(|e| e.2 == "pending") {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the import ended before the kill: {entries:?}");
        assert!(Instant::now() < deadline, "no saves in flight within 90 s: {entries:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // SIGKILL: no handler runs.
    child.kill().unwrap();
    child.wait().unwrap();
    let before = entries(home.path());
    assert!(before.iter().any(|e| e.2 == "pending"), "{before:?}");

    let output = run(&site, home.path(), &args).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("Settled"), "the next run settles first: {stderr}");
    let on_site = all_on_site(&site).await;
    assert!(on_site.iter().all(|c| c["City"] == "Narvik"), "every contact as asked in the end");
    let after = entries(home.path());
    assert!(after.iter().all(|e| e.2 != "pending"), "nothing left pending: {after:?}");
    // The killed run's entries, settled as the site says: its pending ones were either done
    // (and the second run found those contacts unchanged) or not, and then sent again.
    let settled_done = after[..before.len()].iter().filter(|e| e.2 == "done").count();
    let sent_again = after.len() - before.len();
    assert_eq!(settled_done + sent_again, contacts.len(), "each contact written exactly once: {after:?}");
}

/// The doctor's write probes and an import on one site that is not saved in the app (`--site`)
/// write through one change journal: the site's, named by its address and Client ID.
#[tokio::test(flavor = "multi_thread")]
async fn the_doctors_write_probes_and_an_import_on_one_unsaved_site_share_its_journal() {
    let site = common::site(3).await;
    let home = tempfile::tempdir().unwrap();
    let doctor = command(&site, home.path(), &["--write-probes"]);
    // The same flags as an import, with the doctor's subcommand in its place.
    let args: Vec<_> = doctor.get_args().skip(1).map(ToOwned::to_owned).collect();
    let mut doctor_run = Command::new(doctor.get_program());
    doctor_run.arg("doctor").args(args).envs(doctor.get_envs().filter_map(|(k, v)| Some((k, v?))));
    let probed = tokio::task::spawn_blocking(move || doctor_run.output().unwrap()).await.unwrap();
    let probes = entries(home.path());
    assert!(
        probes.iter().any(|e| e.0 == "create") && probes.iter().any(|e| e.0 == "delete"),
        "the doctor's probes are journaled: {probes:?}\n{}",
        String::from_utf8_lossy(&probed.stderr)
    );

    let file = home.path().join("people.csv");
    std::fs::write(&file, "Email,City\nnew@example.com,Bodø\n").unwrap();
    let output = run(&site, home.path(), &["--file", file.to_str().unwrap(), "--apply"]).await;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let journals = journals(home.path());
    assert_eq!(journals.len(), 1, "one journal for the site: {journals:?}");
    let name = journals[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("unsaved-"), "{name}");
    let all = entries(home.path());
    assert_eq!(all.len(), probes.len() + 1, "the probes, then the import's create: {all:?}");
    assert_eq!(all[..probes.len()], probes[..]);
}
