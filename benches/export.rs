//! Exporting contacts: the fetch and the writing measured apart, then whole exports through
//! the `export` command with their peak memory, for 100k contacts in every format and for
//! 1M contacts (the streaming claim: rows are not all held at once).
//!
//! `cargo bench --bench export` (seeds `target/bench-data/*.db` on first use; the 1M
//! database takes a few minutes). Prints Markdown tables for BENCHMARKS.md.
//!
//! `cargo bench --bench export -- guards` runs only the cost of the guards: a filtered export
//! of 100k contacts with every row checked against the filter, against the same export
//! without the checks (the unguarded page walk into the same file), rounds interleaved.

mod support;

use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::fields::{all_fields, custom_fields_of};
use treepl_contacts::api::paging::{self, PagingOptions};
use treepl_contacts::api::{Client, Contact, ContactScope, ListQuery, RowCheck, Where};
use treepl_contacts::export::{AtomicFile, ExportSettings, Format, run_export, write_contacts};

const CONTACTS: u64 = 100_000;
const MILLION: u64 = 1_000_000;
const ROUNDS: usize = 3;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let folder = tempfile::tempdir_in(support::bench_data()).expect("a scratch folder");
    println!("Machine: {}", support::machine());
    println!();

    let site = support::SandboxProcess::start("paging-100k.db", CONTACTS, None);
    guard_cost(&runtime, &site.client(), folder.path());
    if std::env::args().any(|arg| arg == "guards") {
        return;
    }
    // Whole exports through the command line: fetch + write, and the process's peak memory.
    // First, while this process is small: a child's peak RSS counts what it shared with this
    // process when it was forked.
    println!("Whole exports with `treepl-contacts export` (fetch and write, one run each):");
    println!();
    println!("| contacts | format | time | peak memory (max RSS) |");
    println!("|---|---|---|---|");
    for format in Format::ALL {
        let (time, peak_kib) = export_command(&site.url, format, &folder.path().join("cli"));
        println!("| {CONTACTS} | {} | {:.2} s | {} MiB |", format.label(), time.as_secs_f64(), peak_kib / 1024);
    }
    let big = support::SandboxProcess::start("grid-1m.db", MILLION, None);
    for format in [Format::Csv, Format::Xlsx] {
        let (time, peak_kib) = export_command(&big.url, format, &folder.path().join("cli-1m"));
        println!("| {MILLION} | {} | {:.2} s | {} MiB |", format.label(), time.as_secs_f64(), peak_kib / 1024);
    }
    drop(big);
    println!();
    // The fetch alone: every contact through the paging function, into memory.
    let client = site.client();
    let mut fetch_times = Vec::new();
    let mut contacts = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        contacts = runtime
            .block_on(paging::fetch_all(
                &client,
                ListQuery::default(),
                &PagingOptions::default(),
                &CancellationToken::new(),
                |_| {},
            ))
            .expect("the contacts");
        fetch_times.push(started.elapsed());
    }
    assert_eq!(contacts.len() as u64, CONTACTS);
    let fetch = support::median(fetch_times);
    let custom: std::collections::BTreeSet<(String, String)> =
        contacts.iter().flat_map(custom_fields_of).map(|(group, field)| (group.to_owned(), field.to_owned())).collect();
    let columns = all_fields(&custom);
    println!(
        "Fetch alone ({} contacts, paging function, sandbox in its own process): {:.2} s (median of {ROUNDS})",
        CONTACTS,
        fetch.as_secs_f64()
    );
    println!();

    // The writing alone, from memory to a file, with a plain serde_json dump as the baseline.
    println!("Writing alone, {CONTACTS} contacts x {} columns (median of {ROUNDS}):", columns.len());
    println!();
    println!("| writer | time | contacts/s | file size |");
    println!("|---|---|---|---|");
    let baseline = folder.path().join("baseline.json");
    let time = median_of(|| {
        let out = BufWriter::new(std::fs::File::create(&baseline).expect("a file"));
        serde_json::to_writer(out, &contacts).expect("written");
    });
    row("baseline: serde_json dump of the contacts", time, &baseline);
    for format in Format::ALL {
        let path = folder.path().join(format!("written.{}", format.extension()));
        let settings = ExportSettings { format, columns: columns.clone(), ..ExportSettings::default() };
        let time = median_of(|| write_file(&contacts, &settings, &path));
        row(format.label(), time, &path);
    }
}

fn write_file(contacts: &[Contact], settings: &ExportSettings, path: &Path) {
    let out = BufWriter::with_capacity(1 << 18, std::fs::File::create(path).expect("a file"));
    write_contacts(contacts, settings, out).expect("written");
}

fn median_of(mut work: impl FnMut()) -> Duration {
    let times = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    support::median(times)
}

fn row(label: &str, time: Duration, path: &Path) {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "| {label} | {:.3} s | {:.0} | {:.1} MB |",
        time.as_secs_f64(),
        CONTACTS as f64 / time.as_secs_f64(),
        size as f64 / 1e6
    );
}

/// Runs `treepl-contacts export` for every contact and returns its time and peak RSS (KiB),
/// read from the kernel's accounting of that one child.
#[allow(clippy::zombie_processes, reason = "reaped by wait4, which also reads its peak memory")]
fn export_command(url: &str, format: Format, out: &Path) -> (Duration, i64) {
    let file = out.with_extension(format.extension());
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
        .args(["export", "--site", url, "--client-id", "sandbox", "--format", format.extension(), "--out"])
        .arg(&file)
        .env("TREEPL_CLIENT_SECRET", "sandbox-secret")
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the export runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for this one child (not yet reaped by anyone) and writes into locals.
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let time = started.elapsed();
    assert!(waited > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "the export succeeded");
    let _ = std::fs::remove_file(&file);
    (time, usage.ru_maxrss)
}

/// Rounds of each export in the guard comparison, interleaved so that drift hits both alike.
const GUARD_ROUNDS: usize = 9;

/// A filtered export of every contact, with the client's row checks (`run_export`, as the app
/// and the command line run it) and without them (the plain page walk into the same
/// all-or-nothing file): the export's cost of the guards. Then the checks alone, in memory.
fn guard_cost(runtime: &tokio::runtime::Runtime, client: &Client, folder: &Path) {
    // Every contact matches (so that every row is written and every row is checked), and the
    // check does real work: a Unicode-lowercased text search and a date compared as an instant.
    let filter = match std::env::var("GUARDS_FILTER").as_deref() {
        // Only the repeated-id check and the walk's own checks: what the row check adds shows apart.
        Ok("all") => Where::All,
        _ => Where::field("Email").contains("@").and(Where::field("CreatedDate").lt("2100-01-01T00:00:00Z")),
    };
    let query = ListQuery::new(filter.clone());
    let scope = ContactScope::matching(query.clone(), Default::default());
    let settings = ExportSettings { format: Format::Csv, columns: all_fields(&[]), ..Default::default() };
    let paging = PagingOptions::default();
    let cancel = CancellationToken::new();
    let path = folder.join("guards.csv");
    let (mut checked, mut unchecked) = (Vec::new(), Vec::new());
    for round in 0..GUARD_ROUNDS {
        // Each goes first in every other round: neither gains from the other's warm-up.
        for checked_turn in [round % 2 == 0, round % 2 == 1] {
            let started = Instant::now();
            if checked_turn {
                let summary = runtime
                    .block_on(run_export(client, &scope, &settings, &path, &paging, &cancel, |_, _| {}))
                    .expect("the checked export");
                checked.push(started.elapsed());
                assert_eq!(summary.contacts, CONTACTS);
            } else {
                let written = runtime.block_on(unchecked_export(client, query.clone(), &settings, &path, &paging));
                unchecked.push(started.elapsed());
                assert_eq!(written, CONTACTS);
            }
        }
    }
    let (checked, unchecked) = (support::median(checked), support::median(unchecked));
    let slower = (checked.as_secs_f64() / unchecked.as_secs_f64() - 1.0) * 100.0;
    println!(
        "Cost of the guards: a filtered CSV export of {CONTACTS} contacts (median of {GUARD_ROUNDS}, interleaved):"
    );
    println!();
    println!("| export | time | |");
    println!("|---|---|---|");
    println!("| without the row checks (plain page walk) | {:.2} s | |", unchecked.as_secs_f64());
    println!("| with every row checked (`run_export`) | {:.2} s | {slower:+.1}% |", checked.as_secs_f64());

    // The checks alone: the compiled filter and the repeated-id set over the same rows.
    let contacts = runtime.block_on(paging::fetch_all(client, query, &paging, &cancel, |_| {})).expect("the contacts");
    let check = RowCheck::new(&filter).expect("a filter of the dialect");
    let time = median_of(|| {
        let mut seen = std::collections::HashSet::with_capacity(contacts.len());
        let matching = contacts.iter().filter(|c| check.matches(c) && seen.insert(c.id)).count();
        assert_eq!(matching as u64, CONTACTS);
    });
    println!(
        "| the checks alone, in memory ({CONTACTS} rows) | {:.1} ms | {:.0} ns a row |",
        time.as_secs_f64() * 1000.0,
        time.as_nanos() as f64 / CONTACTS as f64
    );
    println!();
}

/// The export as it ran before the guards: pages walked and written, nothing checked.
async fn unchecked_export(
    client: &Client,
    query: ListQuery,
    settings: &ExportSettings,
    path: &Path,
    paging: &PagingOptions,
) -> u64 {
    let mut file = AtomicFile::create(path).expect("a file");
    let mut out = BufWriter::with_capacity(1 << 18, file.file_mut());
    let mut writer = treepl_contacts::export::writer(&mut out, settings).expect("a writer");
    let mut written = 0;
    paging::for_each_page(client, query, paging, &CancellationToken::new(), |page, _| {
        for contact in &page {
            writer.write(contact).expect("written");
            written += 1;
        }
    })
    .await
    .expect("the contacts");
    writer.finish().expect("finished");
    std::io::Write::flush(&mut out).expect("flushed");
    drop(out);
    file.commit().expect("committed");
    written
}
