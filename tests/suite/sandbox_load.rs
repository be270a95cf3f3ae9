//! The sandbox under load: 32 clients at once, each its own `Client` and token, for 60 s
//! (`TREEPL_LOAD_SECONDS` shortens it for a local run), doing mixed reads and writes:
//! lists with a filter, gets, creates, updates, zone changes and deletes. No request may
//! fail (no 5xx, no `database is locked`, no transport error: the clients do not retry, so
//! nothing is hidden). Then the sandbox is killed with SIGKILL and started again, and every
//! acknowledged write is read back: each contact holds the last update its client was told
//! succeeded (no lost update, no older value), its last zones, and a deleted one is gone.
//! Prints requests/s and latency percentiles per operation (`--nocapture`).

use crate::common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use treepl_contacts::api::model::{Change, SecureZone};
use treepl_contacts::api::{ApiError, Client, ClientOptions, ContactId, ContactInput, ListQuery, RetryPolicy, Where};
use treepl_contacts::sandbox::seed::ZONES;

use common::process::SandboxProcess;

const CLIENTS: usize = 32;

/// What one client was told succeeded, per contact it created.
#[derive(Default)]
struct Acknowledged {
    /// The last `Notes` acknowledged.
    notes: HashMap<ContactId, String>,
    zones: HashMap<ContactId, Vec<i64>>,
    deleted: Vec<ContactId>,
}

#[derive(Default)]
struct Tally {
    latencies: HashMap<&'static str, Vec<Duration>>,
    failures: Vec<String>,
}

fn no_retries() -> ClientOptions {
    let retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    ClientOptions { retry, ..ClientOptions::default() }
}

async fn timed<T>(
    tally: &mut Tally,
    kind: &'static str,
    call: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Option<T> {
    let started = Instant::now();
    let result = call.await;
    tally.latencies.entry(kind).or_default().push(started.elapsed());
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            // The time, to line the failure up with the sandbox's log (UTC, as it logs).
            let at = chrono::Utc::now().format("%H:%M:%S%.6f");
            tally.failures.push(format!("{at} {kind}: {error}"));
            None
        }
    }
}

/// One client's run: a fixed cycle of operations over the contacts it created.
async fn client_run(index: usize, client: Client, until: Instant) -> (Acknowledged, Tally) {
    let (mut acked, mut tally) = (Acknowledged::default(), Tally::default());
    let mut owned: Vec<(ContactId, String)> = Vec::new();
    let mut step = 0_u64;
    while Instant::now() < until {
        step += 1;
        match step % 8 {
            0 | 4 => {
                let email = format!("load-{index}-{step}@example.com");
                let input = ContactInput::new(email.as_str());
                if let Some(created) = timed(&mut tally, "create", client.create_contact(&input, None)).await {
                    owned.push((created.id, email));
                }
            }
            1 | 5 if !owned.is_empty() => {
                let (id, email) = owned[step as usize % owned.len()].clone();
                let notes = format!("client {index} step {step}");
                let input = ContactInput { notes: Change::set(notes.as_str()), ..ContactInput::new(email) };
                if timed(&mut tally, "update", client.update_contact(id, &input)).await.is_some() {
                    acked.notes.insert(id, notes);
                }
            }
            2 if !owned.is_empty() => {
                let id = owned[step as usize % owned.len()].0;
                let zone = ZONES[step as usize % ZONES.len()].0;
                let zones = [SecureZone { id: zone, ..SecureZone::default() }];
                if timed(&mut tally, "zones", client.set_secure_zones(id, &zones)).await.is_some() {
                    acked.zones.insert(id, vec![zone]);
                }
            }
            3 => {
                let query = ListQuery::new(Where::field("Email").contains("load-")).page(0, 50);
                timed(&mut tally, "list", client.list_contacts(&query)).await;
            }
            7 if !owned.is_empty() => {
                // A read while the others write: it holds this client's last acknowledged update.
                let id = owned[step as usize % owned.len()].0;
                if let Some(stored) = timed(&mut tally, "get", client.get_contact(id)).await {
                    let expected = acked.notes.get(&id).map(String::as_str);
                    if expected.is_some() && stored.notes.as_deref() != expected {
                        tally.failures.push(format!("get {id}: notes {:?}, acknowledged {expected:?}", stored.notes));
                    }
                }
            }
            6 if owned.len() > 3 => {
                let (id, _) = owned.remove(0);
                if timed(&mut tally, "delete", client.delete_contact(id)).await.is_some() {
                    acked.notes.remove(&id);
                    acked.zones.remove(&id);
                    acked.deleted.push(id);
                }
            }
            _ => {
                let id = owned.last().map_or(1, |(id, _)| *id);
                timed(&mut tally, "get", client.get_contact(id)).await;
            }
        }
    }
    (acked, tally)
}

/// The id of a 500 in a failure's text: `internal error (id 0123456789ab)`.
fn error_id(failure: &str) -> Option<String> {
    let at = failure.find("(id ")? + 4;
    let id: String = failure[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    (!id.is_empty()).then_some(id)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * fraction).round() as usize]
}

#[test]
fn thirty_two_clients_for_a_minute_lose_nothing_and_meet_no_error() {
    let seconds: u64 = std::env::var("TREEPL_LOAD_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let folder = tempfile::tempdir().unwrap();
    let mut site = SandboxProcess::start(&folder.path().join("load.db"), 500, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();

    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let runs: Vec<(Acknowledged, Tally)> = runtime.block_on(async {
        let tasks: Vec<_> =
            (0..CLIENTS).map(|i| tokio::spawn(client_run(i, site.client(no_retries()), until))).collect();
        let mut runs = Vec::new();
        for task in tasks {
            runs.push(task.await.expect("a client run does not panic"));
        }
        runs
    });
    let elapsed = started.elapsed();

    // Figures.
    let mut all: Vec<Duration> = Vec::new();
    let mut by_kind: HashMap<&str, Vec<Duration>> = HashMap::new();
    for (_, tally) in &runs {
        for (kind, latencies) in &tally.latencies {
            by_kind.entry(kind).or_default().extend(latencies);
            all.extend(latencies);
        }
    }
    all.sort();
    println!(
        "{CLIENTS} clients, {:.1} s: {} requests, {:.0} requests/s; p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all[all.len() - 1].as_secs_f64() * 1e3,
    );
    let mut kinds: Vec<_> = by_kind.into_iter().collect();
    kinds.sort_by_key(|(kind, _)| *kind);
    for (kind, mut latencies) in kinds {
        latencies.sort();
        println!(
            "  {kind:<7} {:>7} requests  p50 {:>6.1} ms  p99 {:>6.1} ms",
            latencies.len(),
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3
        );
    }

    let failures: Vec<&String> = runs.iter().flat_map(|(_, t)| &t.failures).collect();
    if !failures.is_empty() {
        // What the sandbox saw: around each 500's error id, then every warning and error it logged.
        for failure in failures.iter().take(10) {
            println!("FAILED {failure}");
            if let Some(id) = error_id(failure) {
                println!("  the sandbox's stderr around {id}:\n{}", site.stderr_around(&id, 5));
            }
        }
        println!("the sandbox's warnings and errors:\n{}", site.stderr_problems());
        let stderr = site.stderr();
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        println!("the last lines of its stderr:\n{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    }
    assert!(failures.is_empty(), "{} requests failed, e.g. {:?}", failures.len(), &failures[..failures.len().min(5)]);
    assert!(!site.stderr().contains("database is locked"), "{}", site.stderr());
    let writes: usize = runs.iter().map(|(a, _)| a.notes.len() + a.zones.len() + a.deleted.len()).sum();
    assert!(writes > 100, "the clients wrote: {writes}");

    // Every acknowledged write survives a SIGKILL of the site.
    site.restart();
    let client = site.client(common::quick_options());
    runtime.block_on(async {
        for (acked, _) in &runs {
            for (id, notes) in &acked.notes {
                let stored = client.get_contact(*id).await.unwrap();
                assert_eq!(stored.notes.as_deref(), Some(notes.as_str()), "contact {id}: its last acknowledged update");
            }
            for (id, zones) in &acked.zones {
                let page = client.list_secure_zones(*id, &ListQuery::default()).await.unwrap();
                let stored: Vec<i64> = page.items.iter().map(|z| z.id).collect();
                assert_eq!(&stored, zones, "contact {id}: its last acknowledged zones");
            }
            for id in &acked.deleted {
                let gone = client.get_contact(*id).await.unwrap_err();
                assert!(matches!(gone, ApiError::NotFound { .. }), "contact {id} was deleted: {gone:?}");
            }
        }
    });
}
