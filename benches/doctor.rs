//! The doctor against a sandbox site in its own process that answers every request 50 ms
//! late (a site across the world): how long a whole check takes, read-only and with the
//! write probes, against one request at the same latency (the baseline), and how many
//! requests it sends. Target: a check under 10 s.
//!
//! `cargo bench --bench doctor`

mod support;

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::ListQuery;
use treepl_contacts::app::journal::{Journal, Writes};
use treepl_contacts::doctor;

const RUNS: usize = 5;

fn main() {
    println!("Machine: {}", support::machine());
    let site = support::SandboxProcess::start("doctor-1000.db", 1_000, Some("latency=50ms"));
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let client = site.client();
    let journal_folder = tempfile::tempdir().expect("a temporary folder");
    let journal = Journal::open(journal_folder.path(), "bench");
    let writes = Writes::new(client.clone(), journal);
    runtime.block_on(async {
        // Signed in once before anything is timed.
        client.list_contacts(&ListQuery::default().page(0, 1)).await.expect("the site answers");
        let mut one_request = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            client.list_contacts(&ListQuery::default().page(0, 5)).await.expect("the site answers");
            one_request.push(started.elapsed());
        }
        let mut reads = Vec::new();
        let mut probes = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let (found, _) = doctor::check_reads(&client, &CancellationToken::new(), |_| {}).await.expect("a check");
            reads.push(started.elapsed());
            probes = found.len();
        }
        let mut with_writes = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let (_, mut dialect) =
                doctor::check_reads(&client, &CancellationToken::new(), |_| {}).await.expect("a check");
            let writes = writes.with_dialect(dialect.clone());
            doctor::check_writes(&writes, &mut dialect, &CancellationToken::new(), |_| {}).await;
            with_writes.push(started.elapsed());
        }
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        println!("One list request at 50 ms latency (baseline): median {}", ms(support::median(one_request)));
        println!(
            "A read-only check ({probes} probes): median {}, slowest {}",
            ms(support::median(reads.clone())),
            ms(*reads.iter().max().expect("runs"))
        );
        println!(
            "A check with the write probes: median {}, slowest {}",
            ms(support::median(with_writes.clone())),
            ms(*with_writes.iter().max().expect("runs"))
        );
    });
}
