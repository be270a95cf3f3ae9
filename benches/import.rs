//! Import, two figures (`cargo bench --bench import`; figures go to BENCHMARKS.md):
//!
//! 1. 10,000 rows (5,000 updates of contacts the site holds, 5,000 new contacts) against an
//!    in-process sandbox with 50 ms added to every request, journal included: the whole
//!    import (file read, dry run with its batched lookups, apply through the bulk runner and
//!    the journal) against a sequential loop of one lookup and one write per row through the
//!    same write path, in the same run. The loop runs on 500 rows (250 of each) and both are
//!    compared per row. The sandbox reports the most requests it handled at once.
//! 2. The dry run of 100,000 new rows on a bare sandbox (no latency): read the file, guess the
//!    mapping, look every email up. Target: under 30 s.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::{Client, ListQuery, Where};
use treepl_contacts::app::journal::{Context, Journal, Writes};
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::import::apply::apply;
use treepl_contacts::import::file::{ReadOptions, read_table};
use treepl_contacts::import::lookup::custom_fields_seen;
use treepl_contacts::import::mapping::Mapping;
use treepl_contacts::import::plan::{ImportOptions, OutcomeKind};
use treepl_contacts::import::planner::dry_run;
use treepl_contacts::sandbox::{FaultSpec, Route, Sandbox, SandboxConfig};

const ON_SITE: u64 = 5_000;
const NEW: u64 = 5_000;
const SEQUENTIAL: usize = 250;
const DRY_RUN_ROWS: u64 = 100_000;

/// A CSV of `existing` emails (each with a new City) and `new` rows of people not on the site.
fn write_file(path: &Path, existing: &[String], new: u64, tag: &str) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("the file"));
    writeln!(out, "Email,First name,Last name,City").unwrap();
    for email in existing {
        writeln!(out, "{email},,,City {tag}").unwrap();
    }
    for n in 0..new {
        writeln!(out, "new-{tag}-{n}@import.example,New,Person {n},City {tag}").unwrap();
    }
}

async fn sandbox(folder: &Path, seed: u64, faults: &str) -> Sandbox {
    std::fs::create_dir_all(folder).expect("the folder");
    let mut config = SandboxConfig::new(folder.join("sandbox.db"));
    config.seed = seed;
    config.faults = FaultSpec::parse(faults).expect("a fault spec");
    Sandbox::start(config).await.expect("the sandbox starts")
}

async fn emails(client: &Client, count: u64) -> Vec<String> {
    let mut emails = Vec::new();
    while (emails.len() as u64) < count {
        let page = client.list_contacts(&ListQuery::new(Where::All).page(emails.len() as u64, 500)).await.unwrap();
        if page.items.is_empty() {
            break;
        }
        emails.extend(page.items.into_iter().map(|c| c.email));
    }
    emails.truncate(count as usize);
    emails
}

/// The baseline: row after row, the email looked up, then the contact written (updated
/// through the journal, or created).
async fn sequential(writes: &Writes, existing: &[String], new: &[String], tag: &str) -> Duration {
    let started = Instant::now();
    for email in existing {
        let query = ListQuery::new(Where::field("Email").eq(email.as_str()));
        let found = writes.client().list_contacts(&query).await.expect("a lookup").items;
        let before = found.first().expect("the contact");
        let mut edited = before.clone();
        edited.address.city = Some(format!("City {tag}"));
        writes.update(before, &edited, Context::default()).await.expect("a save");
    }
    for email in new {
        let query = ListQuery::new(Where::field("Email").eq(email.as_str()));
        assert!(writes.client().list_contacts(&query).await.expect("a lookup").items.is_empty());
        let draft = treepl_contacts::api::Contact { email: email.clone(), ..Default::default() };
        writes.create(&draft, None, Context::default()).await.expect("a create");
    }
    started.elapsed()
}

async fn import_10k(folder: &Path) {
    let sandbox = sandbox(folder, ON_SITE + SEQUENTIAL as u64, "latency=50ms").await;
    let client = Client::new(sandbox.credentials()).expect("a client");
    let writes = Writes::new(client.clone(), Journal::open(folder, "bench"));
    let all = emails(&client, ON_SITE + SEQUENTIAL as u64).await;
    let (for_import, for_loop) = all.split_at(ON_SITE as usize);

    let new_for_loop: Vec<String> = (0..SEQUENTIAL).map(|n| format!("seq-{n}@import.example")).collect();
    let one_by_one = sequential(&writes, &for_loop[..SEQUENTIAL], &new_for_loop, "Seq").await;
    let per_row_sequential = one_by_one / (2 * SEQUENTIAL) as u32;
    println!("sequential: {} rows in {one_by_one:.1?} = {per_row_sequential:.1?} per row", 2 * SEQUENTIAL);

    let file = folder.join("import-10k.csv");
    write_file(&file, for_import, NEW, "Bench");
    sandbox.requests().reset_peak();
    let started = Instant::now();
    let cancel = CancellationToken::new();
    let table = read_table(&file, &ReadOptions::default(), &cancel, |_, _| {}).expect("the file reads");
    let known = custom_fields_seen(writes.client()).await.expect("the custom fields");
    let mapping = Mapping::guess(&table.headers, &known);
    let options = ImportOptions::default();
    let progress = Progress::default();
    let planned = dry_run(writes.client(), &table, &mapping, &options, &known, &cancel, &progress).await.unwrap();
    let dry = started.elapsed();
    let counts = planned.counts();
    assert_eq!((counts[&OutcomeKind::Update], counts[&OutcomeKind::Create]), (ON_SITE, NEW), "{counts:?}");
    let keep: BTreeSet<u64> = planned.rows.iter().map(|row| row.line).collect();
    let report = apply(&writes, &planned, &keep, "Bench import", None, &cancel, &progress).await;
    let whole = started.elapsed();
    let tally = report.tally();
    assert_eq!(tally.done, ON_SITE + NEW, "{tally:?}");
    let rows = (ON_SITE + NEW) as u32;
    let per_row = whole / rows;
    let peak = sandbox.requests().peak_in_flight();
    println!("import: {rows} rows in {whole:.1?} (dry run {dry:.1?}) = {per_row:.2?} per row ({tally:?})");
    println!(
        "speed-up: {:.1}x the sequential loop; most requests in flight: {peak}",
        per_row_sequential.as_secs_f64() / per_row.as_secs_f64()
    );
}

async fn dry_run_100k(folder: &Path) {
    let sandbox = sandbox(folder, 0, "").await;
    let client = Client::new(sandbox.credentials()).expect("a client");
    let file = folder.join("dry-run-100k.csv");
    write_file(&file, &[], DRY_RUN_ROWS, "Dry");
    let started = Instant::now();
    let cancel = CancellationToken::new();
    let table = read_table(&file, &ReadOptions::default(), &cancel, |_, _| {}).expect("the file reads");
    let read = started.elapsed();
    let known = custom_fields_seen(&client).await.expect("the custom fields");
    let mapping = Mapping::guess(&table.headers, &known);
    let planned = dry_run(&client, &table, &mapping, &ImportOptions::default(), &known, &cancel, &Progress::default())
        .await
        .unwrap();
    let whole = started.elapsed();
    assert_eq!(planned.counts()[&OutcomeKind::Create], DRY_RUN_ROWS);
    let lookups = sandbox.requests().count("GET", Route::ListContacts);
    println!(
        "dry run of {DRY_RUN_ROWS} rows on a bare sandbox: {whole:.1?} (the file read in {read:.1?}; {lookups} list \
         requests)"
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let folder = tempfile::tempdir().expect("a folder");
        if std::env::var("IMPORT_BENCH").as_deref() != Ok("dry-run") {
            import_10k(&folder.path().join("10k")).await;
        }
        dry_run_100k(&folder.path().join("100k")).await;
    });
}
