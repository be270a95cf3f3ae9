//! Bulk edits over real HTTP against the sandbox: one journal batch with each contact's
//! before and after; under injected faults every contact ends as asked or listed as failed
//! with a reason, a retry of the failed converges, and nothing else on the site changes.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::{ContactScope, ListQuery, OrderBy, Selection, Where};
use treepl_contacts::app::bulk::edit::{Edits, FieldEdit};
use treepl_contacts::app::bulk::run::{BulkAction, Targets, apply_to_all, run_bulk};
use treepl_contacts::app::bulk::{BulkOutcome, BulkReport};
use treepl_contacts::app::journal::{Context, Filter, Operation};
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::sandbox::{FaultSpec, Route};

use common::{Site, raw_get, site};

/// City set, Notes cleared.
fn city_and_notes() -> BulkAction {
    BulkAction::Edit(Edits(vec![
        FieldEdit { field: "City".into(), value: Some(json!("Narvik")) },
        FieldEdit { field: "Notes".into(), value: None },
    ]))
}

/// `before` as the edit should leave it (the site's JSON, not the app's model).
fn as_asked(before: &Value) -> Value {
    let mut after = before.clone();
    after["City"] = json!("Narvik");
    after["Notes"] = Value::Null;
    after
}

/// Every contact on the site as the site sends it, by id.
async fn dump(site: &Site) -> BTreeMap<i64, Value> {
    let mut all = BTreeMap::new();
    loop {
        let page = raw_get(site, &format!("/api/v2/admin/contacts?Order_By=Id&Offset={}&Limit=500", all.len())).await;
        let items = page["Items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return all;
        }
        for item in items {
            all.insert(item["Id"].as_i64().expect("an Id"), item);
        }
    }
}

/// Notes absent and null are the same to the site.
fn same(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Value::Object(fields) = &mut v {
            fields.retain(|_, value| !value.is_null());
        }
        v
    };
    strip(a) == strip(b)
}

#[tokio::test]
async fn a_bulk_edit_is_one_journal_batch_with_before_and_after() {
    let site = site(40).await;
    let writes = site.writes();
    let before = dump(&site).await;
    let scope = ContactScope::ids(ListQuery::default(), [3, 5, 7]);
    let cancel = CancellationToken::new();
    let action = city_and_notes();
    let (batch, report) =
        run_bulk(&writes, &Targets::Scope(scope.clone()), 3, &action, &cancel, &Progress::default()).await.unwrap();
    assert_eq!(report.tally().done, 3, "{report:?}");
    let batch = batch.expect("a journal batch");
    let filter = Filter { batch: Some(batch), ..Filter::default() };
    let entries = writes.journal().unwrap().entries(&filter, 10_000).unwrap();
    let mut contacts: Vec<i64> = entries.iter().filter_map(|e| e.contact).collect();
    contacts.sort_unstable();
    assert_eq!(contacts, [3, 5, 7]);
    for entry in &entries {
        assert_eq!(entry.operation, Operation::Save);
        let id = entry.contact.unwrap();
        let (was, now) = (entry.before.as_ref().unwrap(), entry.after.as_ref().unwrap());
        assert_eq!(was["City"], before[&id]["City"], "the before-copy is the site's copy");
        assert_eq!(now["City"], json!("Narvik"));
        assert!(now["Notes"].is_null());
    }
    // Run again: already as asked, so nothing is sent.
    site.sandbox.requests().clear();
    let (_, again) =
        run_bulk(&writes, &Targets::Scope(scope), 3, &action, &cancel, &Progress::default()).await.unwrap();
    assert_eq!(again.tally().unchanged, 3);
    assert!(site.sandbox.requests().to(Route::UpdateContact).is_empty(), "no write for an unchanged contact");
}

#[tokio::test]
async fn a_cancelled_bulk_edit_starts_no_more_contacts_and_lists_them_as_not_run() {
    let site = site(10).await;
    let writes = site.writes();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let ids: Vec<i64> = (1..=10).collect();
    let report =
        apply_to_all(&writes, &ids, &city_and_notes(), Context::default(), &cancel, &Progress::default()).await;
    assert_eq!(report.tally().not_run, 10);
    assert_eq!(report.to_retry(), ids, "a retry takes them up");
    assert!(site.sandbox.requests().to(Route::UpdateContact).is_empty());
}

#[tokio::test]
async fn a_selection_that_grew_is_not_written() {
    let site = site(20).await;
    let writes = site.writes();
    let scope = ContactScope { query: ListQuery::new(Where::All), selection: Selection::all() };
    let result = run_bulk(
        &writes,
        &Targets::Scope(scope),
        10,
        &city_and_notes(),
        &CancellationToken::new(),
        &Progress::default(),
    )
    .await;
    assert!(matches!(result, Err(treepl_contacts::app::bulk::NotStarted::Grew { found: 20 })));
    assert!(site.sandbox.requests().to(Route::UpdateContact).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_edit_under_faults_ends_as_asked_or_failed_and_a_retry_converges() {
    const SELECTED: u64 = 2_000;
    let site = site(2_300).await;
    let writes = site.writes();
    let before = dump(&site).await;
    assert_eq!(before.len(), 2_300);
    // The first 2,000 rows by Id: a range of the query's order.
    let query = ListQuery::new(Where::All).order_by(OrderBy::asc("Id"));
    let scope = ContactScope { query, selection: Selection::range(0, SELECTED - 1) };
    let selected: BTreeSet<i64> = before.keys().take(SELECTED as usize).copied().collect();

    // Seeded: a failure comes back on the next run.
    site.sandbox.faults().set(FaultSpec::parse("error=0.2,throttle=0.1,drop=0.05,seed=1").unwrap());
    site.sandbox.requests().reset_peak();
    let action = city_and_notes();
    let cancel = CancellationToken::new();
    let (batch, mut report) =
        run_bulk(&writes, &Targets::Scope(scope), SELECTED, &action, &cancel, &Progress::default()).await.unwrap();
    let first = report.clone();
    assert_eq!(report.rows.len() as u64, SELECTED);
    assert_eq!(report.rows.iter().map(|r| r.id).collect::<BTreeSet<_>>(), selected);
    site.sandbox.faults().clear();
    assert!(site.sandbox.requests().peak_in_flight() <= 8, "at most 8 requests in flight");
    check_run(&first, &before, &dump(&site).await);

    // Retry the failed (faults on again) until none fails.
    site.sandbox.faults().set(FaultSpec::parse("error=0.2,throttle=0.1,drop=0.05,seed=2").unwrap());
    let mut rounds = 0;
    while !report.to_retry().is_empty() {
        rounds += 1;
        assert!(rounds <= 10, "retries do not converge: {:?}", report.tally());
        let retried = apply_to_all(
            &writes,
            &report.to_retry(),
            &action,
            Context { batch, undo_of: None },
            &cancel,
            &Progress::default(),
        )
        .await;
        report.merge(retried);
    }
    site.sandbox.faults().clear();
    let after = dump(&site).await;
    check_run(&report, &before, &after);

    assert_eq!(after.len(), before.len(), "no contact created or deleted");
    for (id, was) in &before {
        let now = &after[id];
        if selected.contains(id) {
            assert!(same(now, &as_asked(was)), "contact {id} as asked: {now} from {was}");
        } else {
            assert_eq!(now, was, "contact {id} outside the selection is untouched");
        }
    }
    let tally = report.tally();
    assert_eq!(tally.done + tally.unchanged, SELECTED);
    eprintln!("first run {:?}; converged after {rounds} retries", first.tally());
}

/// What a run claims, checked against the site: a contact reported done or unchanged is as
/// asked; a failed one has a reason and is either as it was or as asked (a write whose reply
/// was lost may have landed); a contact outside the run is as it was.
fn check_run(run: &BulkReport, before: &BTreeMap<i64, Value>, after: &BTreeMap<i64, Value>) {
    let mut failed = 0;
    for row in &run.rows {
        let (was, now) = (&before[&row.id], &after[&row.id]);
        match &row.outcome {
            BulkOutcome::Done | BulkOutcome::Unchanged => {
                assert!(same(now, &as_asked(was)), "contact {}: {now}\nwas {was}", row.id)
            }
            BulkOutcome::Failed(reason) => {
                failed += 1;
                assert!(!reason.is_empty(), "contact {} failed without a reason", row.id);
                assert!(same(now, was) || same(now, &as_asked(was)), "contact {} half-changed: {now}", row.id);
            }
            BulkOutcome::NotRun => panic!("nothing was cancelled"),
        }
    }
    let ran: BTreeSet<i64> = run.rows.iter().map(|r| r.id).collect();
    for (id, was) in before.iter().filter(|(id, _)| !ran.contains(id)) {
        assert_eq!(&after[id], was, "contact {id} outside the selection is untouched");
    }
    eprintln!("{failed} failed with a reason");
}

#[tokio::test]
async fn a_bulk_edit_is_undone_as_one_step_leaving_a_contact_changed_since() {
    use treepl_contacts::api::ContactInput;
    use treepl_contacts::app::journal::undo::{Undone, undo_batch};

    let site = site(12).await;
    let writes = site.writes();
    let before = dump(&site).await;
    let scope = ContactScope::ids(ListQuery::default(), [2, 4, 6, 8]);
    let (cancel, progress) = (CancellationToken::new(), Progress::default());
    let (batch, report) =
        run_bulk(&writes, &Targets::Scope(scope), 4, &city_and_notes(), &cancel, &progress).await.unwrap();
    assert_eq!(report.tally().done, 4, "{report:?}");
    // Someone else changes contact 6 after the bulk edit.
    let mut theirs = site.client.get_contact(6).await.unwrap();
    theirs.phone = Some("+47 999 99 999".to_owned());
    site.client.update_contact(6, &ContactInput::from_contact(&theirs)).await.unwrap();

    let undone = undo_batch(&writes, batch.unwrap(), &cancel, &progress).await;
    assert_eq!(undone.count(|u| matches!(u, Undone::Done(_))), 3, "{undone:?}");
    assert_eq!(undone.count(|u| matches!(u, Undone::Skipped(_))), 1, "the one changed since is left alone");
    let after = dump(&site).await;
    for id in [2, 4, 8] {
        assert!(same(&after[&id], &before[&id]), "contact {id} is back as it was");
    }
    assert_eq!(after[&6]["City"], json!("Narvik"), "not undone under the other change");
    assert_eq!(after[&6]["Phone"], json!("+47 999 99 999"));
}
