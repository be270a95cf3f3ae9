//! Fetching every one of 100k sandbox contacts: the client's paging function (several
//! pages in flight, delivered in order) against a plain sequential pager (Offset += Limit,
//! one request at a time), in the same run, on bare loopback and with 50 ms added to every
//! request (what a remote site costs).
//!
//! `cargo bench --bench paging` (figures go to BENCHMARKS.md)

mod support;

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::paging::{self, PagingOptions};
use treepl_contacts::api::{Client, ListQuery};

const CONTACTS: u64 = 100_000;
const ROUNDS: usize = 3;

/// The baseline: one page at a time, advancing by the Limit asked for.
async fn sequential(client: &Client, limit: u32) -> usize {
    let mut offset = 0;
    let mut fetched = 0;
    loop {
        let page = client.list_contacts(&ListQuery::default().page(offset, limit)).await.expect("a page");
        if page.items.is_empty() {
            return fetched;
        }
        fetched += page.items.len();
        offset += u64::from(limit);
    }
}

async fn concurrent(client: &Client, options: &PagingOptions) -> usize {
    let all = paging::fetch_all(client, ListQuery::default(), options, &CancellationToken::new(), |_| {})
        .await
        .expect("all pages");
    all.len()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let options = PagingOptions::default();
    println!("Machine: {}", support::machine());
    println!("Paging options: {} in flight, Limit {}", options.max_in_flight, options.page_size);
    println!();
    println!("| site | sequential pager (median of {ROUNDS}) | paging function (median of {ROUNDS}) | speed-up |");
    println!("|---|---|---|---|");
    for (label, faults) in [("bare loopback", None), ("+50 ms per request", Some("latency=50ms"))] {
        let site = support::SandboxProcess::start("paging-100k.db", CONTACTS, faults);
        let client = site.client();
        let (sequential_times, concurrent_times) = runtime.block_on(async {
            client.check_connection().await.expect("the sandbox answers");
            let mut sequential_times = Vec::new();
            let mut concurrent_times = Vec::new();
            for _ in 0..ROUNDS {
                let started = Instant::now();
                assert_eq!(sequential(&client, options.page_size).await as u64, CONTACTS);
                sequential_times.push(started.elapsed());
                let started = Instant::now();
                assert_eq!(concurrent(&client, &options).await as u64, CONTACTS);
                concurrent_times.push(started.elapsed());
            }
            (sequential_times, concurrent_times)
        });
        let (base, fast) = (support::median(sequential_times), support::median(concurrent_times));
        let rate = |d: Duration| CONTACTS as f64 / d.as_secs_f64();
        println!(
            "| {label} | {:.2} s ({:.0} contacts/s) | {:.2} s ({:.0} contacts/s) | {:.1}x |",
            base.as_secs_f64(),
            rate(base),
            fast.as_secs_f64(),
            rate(fast),
            base.as_secs_f64() / fast.as_secs_f64()
        );
    }
}
