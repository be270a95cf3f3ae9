//! A bulk edit of 10,000 sandbox contacts with 50 ms added to every request (what a remote
//! site costs), journal included: the app's bulk engine (fresh copies read a page of 100 at a
//! time by `Id $in`, then a write per contact, 8 requests in flight) against a plain
//! sequential read-modify-write loop (a GET and a PUT per contact) through the same
//! write path, in the same run. The sequential loop runs on the first 500 contacts only (on
//! all 10,000 it would take some 18 minutes); both are compared per contact. The sandbox
//! counts the requests it handles at once: the most seen is reported.
//!
//! `cargo bench --bench bulk` (figures go to BENCHMARKS.md)

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::{ContactScope, ListQuery, OrderBy, Selection, Where};
use treepl_contacts::app::bulk::edit::{Edits, FieldEdit};
use treepl_contacts::app::bulk::run::{BulkAction, Targets, run_bulk};
use treepl_contacts::app::journal::{Context, Journal, Writes};
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::sandbox::{FaultSpec, Sandbox, SandboxConfig};

const CONTACTS: u64 = 10_000;
const SEQUENTIAL: usize = 500;

/// A value no contact holds yet, so that every contact changes.
fn edit(tag: &str) -> BulkAction {
    BulkAction::Edit(Edits(vec![FieldEdit { field: "City".into(), value: Some(json!(tag)) }]))
}

/// The baseline: one contact after another, read, changed, written through the journal.
async fn sequential(writes: &Writes, ids: &[i64], action: &BulkAction) -> Duration {
    let BulkAction::Edit(edits) = action else { unreachable!() };
    let started = Instant::now();
    for id in ids {
        let fresh = writes.client().get_contact(*id).await.expect("a contact");
        let edited = edits.apply(&fresh).expect("an edit");
        writes.update(&fresh, &edited, Context::default()).await.expect("a save");
    }
    started.elapsed()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let mut config = SandboxConfig::new(support::bench_data().join("bulk-10k.db"));
        config.seed = CONTACTS;
        config.faults = FaultSpec::parse("latency=50ms").expect("a fault spec");
        let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
        let client = treepl_contacts::api::Client::new(sandbox.credentials()).expect("a client");
        let folder = tempfile::tempdir().expect("a folder");
        let writes = Writes::new(client, Journal::open(folder.path(), "bench"));
        let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();

        let query = ListQuery::new(Where::All).order_by(OrderBy::asc("Id"));
        let scope = ContactScope { query, selection: Selection::range(0, CONTACTS - 1) };
        let ids: Vec<i64> = (1..=SEQUENTIAL as i64).collect();
        let one_by_one = sequential(&writes, &ids, &edit(&format!("Seq {run}"))).await;
        let per_contact_sequential = one_by_one / SEQUENTIAL as u32;
        println!("sequential: {SEQUENTIAL} contacts in {one_by_one:.1?} = {per_contact_sequential:.1?} per contact");

        sandbox.requests().reset_peak();
        let started = Instant::now();
        let cancel = CancellationToken::new();
        let action = edit(&format!("Bulk {run}"));
        let (_, report) = run_bulk(&writes, &Targets::Scope(scope), CONTACTS, &action, &cancel, &Progress::default())
            .await
            .expect("the bulk edit runs");
        let bulk = started.elapsed();
        let tally = report.tally();
        assert_eq!(tally.done, CONTACTS, "{tally:?}");
        let per_contact_bulk = bulk / CONTACTS as u32;
        let peak = sandbox.requests().peak_in_flight();
        println!("bulk engine: {CONTACTS} contacts in {bulk:.1?} = {per_contact_bulk:.2?} per contact ({tally:?})");
        println!(
            "speed-up: {:.1}x the sequential loop; most requests in flight: {peak}",
            per_contact_sequential.as_secs_f64() / per_contact_bulk.as_secs_f64()
        );
        println!(
            "a sequential loop over all {CONTACTS} would take about {:.0?}",
            per_contact_sequential * CONTACTS as u32
        );
    });
}
