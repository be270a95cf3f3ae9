//! The export and the editor's save, end to end over HTTP, under the fault mix
//! (`latency=20..200ms,error=0.2,throttle=0.1,drop=0.05`) and with the site killed in the
//! middle (the sandbox in its own process, SIGKILL, then started again or left down).
//!
//! An export is byte for byte the fault-free one, or an error that leaves no file (not even a
//! temporary one). A save ends once (the site holds the edit, the journal says done), or fails
//! with the edit still ours to save again; never half of it, never a journal that disagrees
//! with the site.
//!
//! The fault mixes are seeded (`seed=N`): a run that fails meets the same faults again.

use crate::common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::fields::all_fields;
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::{ApiError, Client, ClientOptions, Contact, ContactScope, ListQuery, OrderBy, RetryPolicy};
use treepl_contacts::app::contact::save::{SaveOutcome, save_contact};
use treepl_contacts::app::journal::{Filter, Journal, JournalOutcome, Writes};
use treepl_contacts::export::{ExportError, ExportSettings, Format, run_export};
use treepl_contacts::sandbox::FaultSpec;

use common::process::SandboxProcess;

/// The fault mix of the issue, exactly.
const FAULTS: &str = "latency=20..200ms,error=0.2,throttle=0.1,drop=0.05";

/// [`FAULTS`], its draws seeded with `seed`.
fn seeded_faults(seed: u64) -> FaultSpec {
    FaultSpec::parse(&format!("{FAULTS},seed={seed}")).unwrap()
}

const CONTACTS: u64 = 1_500;

fn paging() -> PagingOptions {
    // Fifteen pages, three at a time: many requests, each a chance for a fault.
    PagingOptions { max_in_flight: 3, page_size: 100, keyset: false, whole_lists_by_id: false }
}

fn scope() -> ContactScope {
    ContactScope::matching(ListQuery::default().order_by(OrderBy::asc("Id")), Default::default())
}

fn settings(format: Format) -> ExportSettings {
    ExportSettings { format, columns: all_fields(&[]), ..ExportSettings::default() }
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Exports everything to `file` in `folder`.
async fn export(
    client: &Client,
    format: Format,
    folder: &Path,
    file: &str,
    mut on_progress: impl FnMut(u64),
) -> (Result<u64, ExportError>, PathBuf) {
    let target = folder.join(file);
    let result =
        run_export(client, &scope(), &settings(format), &target, &paging(), &CancellationToken::new(), |written, _| {
            on_progress(written)
        })
        .await
        .map(|summary| summary.contacts);
    (result, target)
}

#[tokio::test]
async fn under_the_fault_mix_every_export_is_the_fault_free_one_or_an_error_with_no_file() {
    let site = common::site(CONTACTS).await;
    let references = tempfile::tempdir().unwrap();
    let formats = [(Format::Csv, "csv"), (Format::Json, "json"), (Format::Vcard, "vcf")];
    let mut reference = Vec::new();
    for (format, extension) in formats {
        let (result, path) = export(&site.client, format, references.path(), &format!("all.{extension}"), |_| {}).await;
        assert_eq!(result.expect("the fault-free export"), CONTACTS);
        reference.push(std::fs::read(path).unwrap());
    }

    let throttled_before = site.client.throttle_events();
    site.sandbox.faults().set(seeded_faults(1));
    let (mut identical, mut refused) = (0, 0);
    for run in 0..6 {
        let (format, extension) = formats[run % formats.len()];
        let folder = tempfile::tempdir().unwrap();
        let (result, path) = export(&site.client, format, folder.path(), &format!("run.{extension}"), |_| {}).await;
        match result {
            Ok(written) => {
                identical += 1;
                assert_eq!(written, CONTACTS);
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    bytes == reference[run % formats.len()],
                    "run {run} ({extension}) differs from the fault-free one"
                );
                assert_eq!(files_in(folder.path()), [format!("run.{extension}")], "nothing else beside it");
            }
            Err(error) => {
                refused += 1;
                assert!(matches!(error, ExportError::Site(_)), "run {run}: {error:?}");
                assert!(!error.to_string().is_empty());
                assert_eq!(files_in(folder.path()), Vec::<String>::new(), "run {run}: no file, no temporary file");
            }
        }
    }
    // Faulted replies never reach the request log; the 429s the client met show the faults were on.
    let throttled = site.client.throttle_events() - throttled_before;
    eprintln!("under {FAULTS}: {identical} exports identical, {refused} refused; {throttled} throttled replies met");
    assert!(throttled > 3, "the faults were on: {throttled} throttled replies");
    assert!(identical >= 3, "the retries carry most exports through: {identical} of 6");
}

/// Patient enough to outlast a restart of the site (a second or so).
fn patient() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_attempts: 12,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            max_total: Duration::from_secs(30),
        },
        ..ClientOptions::default()
    }
}

/// Gives up within a second or so.
fn hasty() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            max_total: Duration::from_secs(5),
        },
        ..ClientOptions::default()
    }
}

/// Stands in for the killed site on its `port` until a client knocks, and closes that
/// connection unanswered, as a dead site's port would fail it: whether one came within `limit`.
///
/// The export's knock is what shows it met the dead site and will try again. (This test once
/// counted the client's `retrying` events with a tracing subscriber scoped to the export. But
/// tracing caches whether anyone wants an event for the whole process: when that event first
/// fired on another test's thread while this subscriber was the process's only one, it was
/// cached as unwanted, and the count stayed 0 although the export had retried.)
fn knocked_on(port: u16, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    // The killed site's socket may linger for a moment.
    let listener = loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(listener) => break listener,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return false,
        }
    };
    listener.set_nonblocking(true).expect("a non-blocking listener");
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((connection, _)) => {
                drop(connection);
                return true;
            }
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_killed_mid_export_and_back_a_moment_later_gives_the_same_file() {
    let folder = tempfile::tempdir().unwrap();
    let site = Arc::new(Mutex::new(SandboxProcess::start(&folder.path().join("site.db"), CONTACTS, &[])));
    let client = site.lock().unwrap().client(patient());
    let (reference, path) = export(&client, Format::Csv, folder.path(), "reference.csv", |_| {}).await;
    assert_eq!(reference.unwrap(), CONTACTS);
    let reference = std::fs::read(path).unwrap();

    let out = tempfile::tempdir().unwrap();
    let met_the_dead_site = Arc::new(AtomicBool::new(false));
    let mut killed_at = None;
    let export_run = export(&client, Format::Csv, out.path(), "contacts.csv", |written| {
        if written >= 500 && killed_at.is_none() {
            killed_at = Some(written);
            let port = {
                let mut site = site.lock().unwrap();
                site.kill();
                site.port()
            };
            // Back once the export has met the dead site (a request of it failed, and it
            // tried again), or after a deadline, failing the test below.
            let (site, met) = (Arc::clone(&site), Arc::clone(&met_the_dead_site));
            std::thread::spawn(move || {
                met.store(knocked_on(port, Duration::from_secs(20)), Ordering::SeqCst);
                site.lock().unwrap().restart();
            });
        }
    });
    let (result, path) = export_run.await;
    assert!(killed_at.is_some_and(|at| at < CONTACTS), "the site went away half-way ({killed_at:?})");
    assert!(met_the_dead_site.load(Ordering::SeqCst), "the export retried against the dead site within 20 s");
    assert_eq!(result.expect("the export outlasts the restart"), CONTACTS);
    assert!(std::fs::read(&path).unwrap() == reference, "the file is the fault-free one");
    assert_eq!(files_in(out.path()), ["contacts.csv"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_that_stays_down_mid_export_leaves_no_file_and_the_old_one_untouched() {
    let folder = tempfile::tempdir().unwrap();
    let mut site = SandboxProcess::start(&folder.path().join("site.db"), CONTACTS, &[]);
    let client = site.client(hasty());
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("contacts.csv"), "last week's export\n").unwrap();
    let mut killed = false;
    let (result, path) = export(&client, Format::Csv, out.path(), "contacts.csv", |written| {
        if written >= 500 && !killed {
            killed = true;
            site.kill();
        }
    })
    .await;
    assert!(killed);
    let error = result.expect_err("no site, no export");
    assert!(matches!(&error, ExportError::Site(ApiError::Network { .. })), "{error:?}");
    assert!(error.to_string().to_lowercase().contains("site"), "{error}");
    assert_eq!(std::fs::read_to_string(path).unwrap(), "last week's export\n");
    assert_eq!(files_in(out.path()), ["contacts.csv"], "no temporary file is left");
}

/// The journal's last word on the saves of `contact`.
fn journaled(journal: &Journal, contact: i64) -> Vec<JournalOutcome> {
    let filter = Filter { contact: Some(contact), ..Filter::default() };
    journal.entries(&filter, 100).unwrap().iter().map(|e| e.outcome).collect()
}

fn with_phone(contact: &Contact, phone: &str) -> Contact {
    Contact { phone: Some(phone.to_owned()), ..contact.clone() }
}

#[tokio::test]
async fn under_the_fault_mix_every_save_ends_once_or_keeps_the_edit_for_a_later_save() {
    let site = common::site(60).await;
    let writes = site.writes();
    let journal = writes.journal().expect("a journal").clone();
    let mut originals = Vec::new();
    for id in 1..=60_i64 {
        originals.push(site.client.get_contact(id).await.unwrap());
    }
    site.sandbox.faults().set(seeded_faults(2));
    let stored = |id: i64| site.sandbox.store().get_contact(id).unwrap().unwrap();
    let mut kept = Vec::new();
    for base in &originals {
        let edited = with_phone(base, &format!("+47 555 {:04}", base.id));
        match save_contact(&writes, base, &edited, Default::default()).await {
            SaveOutcome::Saved(copy) => {
                assert_eq!(copy.phone, edited.phone);
                assert_eq!(stored(base.id).phone, edited.phone, "contact {}: saved means on the site", base.id);
                assert_eq!(journaled(&journal, base.id), [JournalOutcome::Done], "contact {}", base.id);
            }
            SaveOutcome::Failed(error) => {
                assert!(!error.to_string().is_empty());
                let on_site = stored(base.id).phone;
                assert!(on_site == base.phone || on_site == edited.phone, "contact {}: never half", base.id);
                // The journal never says done for a save that failed, and never failed for one
                // that landed.
                for outcome in journaled(&journal, base.id) {
                    match outcome {
                        JournalOutcome::Done => panic!("contact {}: a failed save journaled as done", base.id),
                        JournalOutcome::Failed => {
                            assert_eq!(on_site, base.phone, "contact {}: journaled failed, but landed", base.id)
                        }
                        JournalOutcome::Unknown => {}
                        JournalOutcome::Pending => panic!("contact {}: left pending", base.id),
                    }
                }
                kept.push((base.clone(), edited));
            }
            SaveOutcome::Conflict { .. } => panic!("nobody else changed contact {}", base.id),
        }
    }
    let saved = originals.len() - kept.len();
    eprintln!("under {FAULTS}: {saved} saves done, {} failed and kept", kept.len());
    assert!(saved > 30, "the retries carry most saves: {saved} of {}", originals.len());

    // The kept edits, saved again once the faults are gone: each one ends on the site.
    site.sandbox.faults().clear();
    for (base, edited) in kept {
        match save_contact(&writes, &base, &edited, Default::default()).await {
            SaveOutcome::Saved(copy) => assert_eq!(copy.phone, edited.phone),
            // It had landed, its reply lost: the site already holds exactly the edit.
            SaveOutcome::Conflict { theirs } => assert_eq!(theirs.phone, edited.phone, "contact {}", base.id),
            SaveOutcome::Failed(error) => panic!("contact {}: {error}", base.id),
        }
        assert_eq!(stored(base.id).phone, edited.phone);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_killed_mid_save_ends_the_save_once_or_fails_it_as_the_site_says() {
    let folder = tempfile::tempdir().unwrap();
    // Updates take a while, so the save is surely on its way when the site goes.
    // The sandbox logs each fault it injects (only updates have one here).
    let log = "info,treepl_contacts::sandbox::http=debug";
    let mut site =
        SandboxProcess::start_logging(&folder.path().join("site.db"), 5, &["--faults", "update:latency=1500ms"], log);
    let journal = Journal::open(folder.path(), "killed").unwrap();
    let writes = Writes::new(site.client(hasty()), Ok(journal.clone()));
    let base = writes.client().get_contact(3).await.unwrap();
    let edited = with_phone(&base, "+47 555 9999");

    let save = {
        let writes = writes.clone();
        let (base, edited) = (base.clone(), edited.clone());
        tokio::spawn(async move { save_contact(&writes, &base, &edited, Default::default()).await })
    };
    // Killed while the site holds the update, before it answers.
    site.wait_for_stderr("injecting a fault");
    site.kill();
    let outcome = save.await.unwrap();
    let SaveOutcome::Failed(error) = outcome else { panic!("no site, no save: {outcome:?}") };
    assert!(!error.to_string().is_empty());
    let [outcome] = journaled(&journal, 3)[..] else { panic!("one journal entry") };

    site.restart();
    let reader = site.client(patient());
    let on_site = reader.get_contact(3).await.unwrap().phone;
    assert!(on_site == base.phone || on_site == edited.phone, "never half: {on_site:?}");
    match outcome {
        JournalOutcome::Failed => assert_eq!(on_site, base.phone, "journaled failed, but it landed"),
        JournalOutcome::Unknown => {}
        other => panic!("a failed save journaled {other:?}"),
    }
    // The edit was kept: saved again, it ends on the site once.
    let writes = Writes::new(reader.clone(), Ok(journal.clone()));
    match save_contact(&writes, &base, &edited, Default::default()).await {
        SaveOutcome::Saved(copy) => assert_eq!(copy.phone, edited.phone),
        SaveOutcome::Conflict { theirs } => assert_eq!(theirs.phone, edited.phone),
        SaveOutcome::Failed(error) => panic!("{error}"),
    }
    assert_eq!(reader.get_contact(3).await.unwrap().phone, edited.phone);
}
