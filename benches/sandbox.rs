//! The sandbox site on 100k contacts: how long seeding takes, and how long a list page
//! takes with and without a Where filter (in the store alone, and over HTTP with the typed
//! client, as the app sees it).
//!
//! `cargo bench --bench sandbox` (figures go to BENCHMARKS.md; `-- list` skips the seeding). Throughput under load from
//! a second process: `benches/throughput.sh`.

mod support;

use std::time::{Duration, Instant};

use treepl_contacts::api::{ListQuery, OrderBy, Where};
use treepl_contacts::sandbox::{SiteListRequest, Store};

const CONTACTS: u64 = 100_000;
const SAMPLES: usize = 200;
const NEW_FILTER_SAMPLES: usize = 100;
const PAGE: u32 = 100;

/// The store's request for `query`, read from the client's wire encoding as the site reads it.
fn in_store(query: &ListQuery) -> SiteListRequest {
    SiteListRequest::from_pairs(
        treepl_contacts::api::Dialect::default().list_request(query).expect("the client encodes it").query,
    )
    .expect("the site reads the query")
}

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
    // `cargo bench --bench sandbox -- list` runs the list pages alone.
    if !std::env::args().any(|arg| arg == "list") {
        seeding();
    }
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

/// A newly applied filter's first page (Offset 0) pays for counting its matches; later pages
/// of the same query find the total cached until the next write. Measured: the first page
/// with an untimed write that changes nothing (an empty update of contact 1) before every
/// sample, which makes the store forget its cached totals; the same page with the total
/// cached (the baseline: the difference is the count); pages at random offsets, cached.
fn list_latency() {
    let site = support::SandboxProcess::start("paging-100k.db", CONTACTS, None);
    let store = Store::open(&support::bench_data().join("paging-100k.db")).expect("the bench database");
    let client = site.client();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(client.check_connection()).expect("the sandbox answers");
    let writer = runtime.block_on(NoOpWriter::new(&site.url));
    let nothing = serde_json::Map::new();

    println!();
    println!("List pages of {PAGE} on {CONTACTS} contacts: p50 / p99");
    println!(
        "- new filter: the first page (Offset 0) with its count, {NEW_FILTER_SAMPLES} samples, each after a write \
         that empties the totals cache"
    );
    println!("- baseline: the same first page with its total cached, {NEW_FILTER_SAMPLES} samples");
    println!("- primed: pages at {SAMPLES} random offsets with the total cached (a grid paging on)");
    println!("\"store\" is the SQLite work alone; \"HTTP\" the typed client's round trip to the site");
    println!();
    println!(
        "| query | matches | new filter, first page | baseline: first page, total cached | primed, random offsets |"
    );
    println!("|---|---|---|---|---|");
    for (label, query) in scenarios() {
        let first = store.list_contacts(&in_store(&query.clone().page(0, 1))).expect("the query runs");
        let first_page = in_store(&query.clone().page(0, PAGE));
        let total = first.total_items_count.unwrap_or(0);

        let mut new_in_store = Vec::with_capacity(NEW_FILTER_SAMPLES);
        for _ in 0..NEW_FILTER_SAMPLES {
            store.update_contact(1, &nothing).expect("an empty update");
            let started = Instant::now();
            store.list_contacts_json(&first_page).expect("a page");
            new_in_store.push(started.elapsed());
        }
        let new_over_http = runtime.block_on(async {
            let mut samples = Vec::with_capacity(NEW_FILTER_SAMPLES);
            for _ in 0..NEW_FILTER_SAMPLES {
                writer.write_nothing().await;
                let started = Instant::now();
                client.list_contacts(&query.clone().page(0, PAGE)).await.expect("a page");
                samples.push(started.elapsed());
            }
            samples
        });

        // The baseline in the same run: the same first page with its total cached (the
        // caches, the store's here and the site's in its process, primed by the last sample).
        let mut first_in_store = Vec::with_capacity(NEW_FILTER_SAMPLES);
        for _ in 0..NEW_FILTER_SAMPLES {
            let started = Instant::now();
            store.list_contacts_json(&first_page).expect("a page");
            first_in_store.push(started.elapsed());
        }
        let first_over_http = runtime.block_on(async {
            let mut samples = Vec::with_capacity(NEW_FILTER_SAMPLES);
            for _ in 0..NEW_FILTER_SAMPLES {
                let started = Instant::now();
                client.list_contacts(&query.clone().page(0, PAGE)).await.expect("a page");
                samples.push(started.elapsed());
            }
            samples
        });

        let offsets = offsets(total);
        let mut in_store = Vec::with_capacity(SAMPLES);
        for offset in &offsets {
            let page = SiteListRequest { offset: *offset, ..first_page.clone() };
            let started = Instant::now();
            store.list_contacts_json(&page).expect("a page");
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
        println!(
            "| {label} | {total} | store {}, HTTP {} | store {}, HTTP {} | store {}, HTTP {} |",
            p50_p99(new_in_store),
            p50_p99(new_over_http),
            p50_p99(first_in_store),
            p50_p99(first_over_http),
            p50_p99(in_store),
            p50_p99(over_http)
        );
    }
}

/// Writes that change nothing, over raw HTTP: `PUT /contacts/1` with `{}` (a write for the
/// site, so its cached totals are dropped, with no field changed).
struct NoOpWriter {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl NoOpWriter {
    async fn new(site: &str) -> Self {
        let http = reqwest::Client::new();
        let base = site.trim_end_matches('/');
        let form =
            [("grant_type", "client_credentials"), ("client_id", "sandbox"), ("client_secret", "sandbox-secret")];
        let reply: serde_json::Value = http
            .post(format!("{base}/api/v1/oauth/token"))
            .form(&form)
            .send()
            .await
            .expect("the token endpoint answers")
            .json()
            .await
            .expect("a token reply");
        let token = reply["access_token"].as_str().expect("an access token").to_owned();
        Self { http, url: format!("{base}/api/v2/admin/contacts/1"), token }
    }

    async fn write_nothing(&self) {
        let reply = self
            .http
            .put(&self.url)
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("the site answers");
        assert!(reply.status().is_success(), "the empty update: {}", reply.status());
    }
}

fn p50_p99(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:.1} / {:.1} ms", ms(support::percentile(&samples, 0.5)), ms(support::percentile(&samples, 0.99)))
}
