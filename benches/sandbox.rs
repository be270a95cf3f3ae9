//! The sandbox site on 100k contacts: how long seeding takes, and how long a list page
//! takes with and without a Where filter (in the store alone, and over HTTP with the typed
//! client, as the app sees it).
//!
//! `cargo bench --bench sandbox` (figures go to BENCHMARKS.md). Throughput under load from
//! a second process: `benches/throughput.sh`.

mod support;

use std::time::{Duration, Instant};

use treepl_contacts::api::{ListQuery, OrderBy, Where};
use treepl_contacts::sandbox::Store;

const CONTACTS: u64 = 100_000;
const SAMPLES: usize = 200;
const PAGE: u32 = 100;

fn scenarios() -> Vec<(&'static str, ListQuery)> {
    vec![
        ("no filter, by Id", ListQuery::default()),
        ("no filter, by LastName", ListQuery::default().order_by(OrderBy::asc("LastName"))),
        ("Country = NZ (indexed)", ListQuery::new(Where::field("Country").eq("nz"))),
        ("LastName starts with \"mü\" (index range)", ListQuery::new(Where::field("LastName").starts_with("mü"))),
        ("Email contains \"smith\" (scan)", ListQuery::new(Where::field("Email").contains("smith"))),
        ("custom Membership.Level = Gold", ListQuery::new(Where::custom("Membership", "Level").eq("Gold"))),
        (
            "Country in (NZ, AU) and Status = Active, by CreatedDate desc",
            ListQuery::new(Where::field("Country").is_in(["NZ", "AU"]).and(Where::field("Status").eq("Active")))
                .order_by(OrderBy::desc("CreatedDate")),
        ),
    ]
}

fn main() {
    println!("Machine: {}", support::machine());
    seeding();
    list_latency();
}

fn seeding() {
    println!();
    println!("| seeding {CONTACTS} contacts into a new database | time |");
    println!("|---|---|");
    for run in 1..=2 {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let started = Instant::now();
        let store = Store::open(&folder.path().join("seed.db")).expect("a store");
        store.seed(CONTACTS, |_| {}).expect("seeded");
        println!("| run {run} | {:.2} s |", started.elapsed().as_secs_f64());
    }
}

/// Offsets spread over the result, the same for every scenario.
fn offsets(total: u64) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..SAMPLES).map(|_| if total > u64::from(PAGE) { rng.u64(0..total - u64::from(PAGE)) } else { 0 }).collect()
}

fn list_latency() {
    let site = support::SandboxProcess::start("paging-100k.db", CONTACTS, None);
    let store = Store::open(&support::bench_data().join("paging-100k.db")).expect("the bench database");
    let client = site.client();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(client.check_connection()).expect("the sandbox answers");

    println!();
    println!("List pages of {PAGE} on {CONTACTS} contacts, {SAMPLES} random offsets each: p50 / p99");
    println!();
    println!("| query | matches | store query | HTTP round trip (typed client) |");
    println!("|---|---|---|---|");
    for (label, query) in scenarios() {
        let first = store.list_contacts(&query.clone().page(0, 1)).expect("the query runs");
        let total = first.total_items_count.unwrap_or(0);
        let offsets = offsets(total);
        let mut in_store = Vec::with_capacity(SAMPLES);
        for offset in &offsets {
            let started = Instant::now();
            store.list_contacts_json(&query.clone().page(*offset, PAGE)).expect("a page");
            in_store.push(started.elapsed());
        }
        let over_http = runtime.block_on(async {
            let mut samples = Vec::with_capacity(SAMPLES);
            for offset in &offsets {
                let started = Instant::now();
                client.list_contacts(&query.clone().page(*offset, PAGE)).await.expect("a page");
                samples.push(started.elapsed());
            }
            samples
        });
        println!("| {label} | {total} | {} | {} |", p50_p99(in_store), p50_p99(over_http));
    }
}

fn p50_p99(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:.1} / {:.1} ms", ms(support::percentile(&samples, 0.5)), ms(support::percentile(&samples, 0.99)))
}
