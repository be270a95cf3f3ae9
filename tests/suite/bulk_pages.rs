//! The bulk runner reads its fresh copies a page at a time, over real HTTP against the
//! sandbox: one list request by `Id $in` per page instead of a GET per contact, counted on the
//! sandbox's side; a GET each where the site lacks `$in`, where a page read is not trusted and
//! for a contact gone since; each contact's own edits for an import's updates. What each
//! contact holds afterwards is read from the sandbox's database.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::Dialect;
use treepl_contacts::app::bulk::edit::{Edits, FieldEdit};
use treepl_contacts::app::bulk::run::{BulkAction, apply_to_all};
use treepl_contacts::app::bulk::zones::ZoneAction;
use treepl_contacts::app::bulk::{BulkOutcome, BulkReport};
use treepl_contacts::app::journal::{Context, Writes};
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::sandbox::{Route, SandboxConfig, SiteDialect};

use common::{Site, site, site_with};

fn set(field: &str, value: Value) -> Edits {
    Edits(vec![FieldEdit { field: field.into(), value: Some(value) }])
}

/// The contact as the sandbox's database holds it (`Null` when there is none).
fn stored(site: &Site, id: i64) -> Value {
    let json = site.sandbox.store().get_contact_json(id).unwrap();
    json.map_or(Value::Null, |json| serde_json::from_str(&json).unwrap())
}

async fn run(writes: &Writes, ids: &[i64], action: &BulkAction) -> BulkReport {
    apply_to_all(writes, ids, action, Context::default(), &CancellationToken::new(), &Progress::default()).await
}

fn requests(site: &Site, method: &str, route: Route) -> u64 {
    site.sandbox.requests().count(method, route)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_edit_reads_a_page_of_a_hundred_per_list_request_and_no_contact_alone() {
    let site = site(300).await;
    let writes = site.writes();
    let ids: Vec<i64> = (1..=250).collect();
    site.sandbox.requests().clear();
    site.sandbox.requests().reset_peak();
    let report = run(&writes, &ids, &BulkAction::Edit(set("City", json!("Paged City")))).await;

    assert_eq!(report.tally().done, 250, "{:?}", report.tally());
    assert_eq!(report.rows.iter().map(|row| row.id).collect::<Vec<_>>(), ids, "in the ids' order");
    assert_eq!(requests(&site, "GET", Route::ListContacts), 3, "ceil(250 / 100) page reads");
    assert_eq!(requests(&site, "GET", Route::GetContact), 0, "no contact read alone");
    assert_eq!(requests(&site, "PUT", Route::UpdateContact), 250);
    assert!(site.sandbox.requests().peak_in_flight() <= 8);
    for list in site.sandbox.requests().to(Route::ListContacts) {
        let filter: Value = serde_json::from_str(&list.query_param("Where").unwrap()).unwrap();
        let asked = filter["Id"]["$in"].as_array().map_or(0, Vec::len);
        assert!(asked > 0 && asked <= 100, "a page of ids: {filter}");
    }
    for id in 1..=300 {
        let city = &stored(&site, id)["City"];
        assert_eq!(city == "Paged City", id <= 250, "contact {id}: {city}");
    }
}

#[tokio::test]
async fn a_site_capping_pages_below_a_hundred_is_read_at_its_cap() {
    let site = site(60).await;
    let dialect = Dialect { max_page: Some(25), ..Dialect::default() };
    let writes = site.writes().with_dialect(dialect);
    let ids: Vec<i64> = (1..=60).collect();
    site.sandbox.requests().clear();
    let report = run(&writes, &ids, &BulkAction::Edit(set("City", json!("Capped City")))).await;
    assert_eq!(report.tally().done, 60, "{:?}", report.tally());
    assert_eq!(requests(&site, "GET", Route::ListContacts), 3, "ceil(60 / 25) page reads");
    assert_eq!(requests(&site, "GET", Route::GetContact), 0);
}

#[tokio::test]
async fn a_site_without_in_has_each_contact_read_alone_and_every_contact_right() {
    let site = site(40).await;
    let dialect = Dialect { unhonoured_operators: vec!["$in".to_owned()], ..Dialect::default() };
    let writes = site.writes().with_dialect(dialect);
    let ids: Vec<i64> = (1..=30).collect();
    site.sandbox.requests().clear();
    let report = run(&writes, &ids, &BulkAction::Edit(set("City", json!("Alone City")))).await;

    assert_eq!(report.tally().done, 30, "{:?}", report.tally());
    assert_eq!(requests(&site, "GET", Route::ListContacts), 0, "no `$in` asked of this site");
    assert_eq!(requests(&site, "GET", Route::GetContact), 30, "one GET per contact");
    for id in 1..=40 {
        assert_eq!(stored(&site, id)["City"] == "Alone City", id <= 30, "contact {id}");
    }
}

#[tokio::test]
async fn a_contact_deleted_before_its_page_is_read_fails_as_not_found_and_the_others_are_done() {
    let site = site(20).await;
    let writes = site.writes();
    let ids: Vec<i64> = (1..=20).collect();
    // Resolved, then deleted by someone else before the run reads it.
    assert!(site.sandbox.store().delete_contact(7).unwrap());
    site.sandbox.requests().clear();
    let report = run(&writes, &ids, &BulkAction::Edit(set("City", json!("After Delete")))).await;

    for row in &report.rows {
        match (row.id, &row.outcome) {
            (7, BulkOutcome::Failed(reason)) => assert!(reason.contains("not found"), "{reason}"),
            (7, other) => panic!("contact 7: {other:?}"),
            (id, outcome) => assert_eq!(outcome, &BulkOutcome::Done, "contact {id}"),
        }
    }
    assert_eq!(requests(&site, "GET", Route::ListContacts), 1);
    assert_eq!(requests(&site, "GET", Route::GetContact), 1, "the missing one is asked for alone");
    assert_eq!(stored(&site, 7), Value::Null, "not created again");
    assert!((1..=20).filter(|id| *id != 7).all(|id| stored(&site, id)["City"] == "After Delete"));
}

#[tokio::test]
async fn a_page_the_site_answers_outside_its_filter_is_not_used_and_each_contact_is_read_alone() {
    let dialect = SiteDialect { where_ignored: true, ..SiteDialect::default() };
    let config = SandboxConfig { dialect, ..SandboxConfig::new("") };
    let site = site_with(config, 30).await;
    let writes = site.writes();
    let ids = [3, 5, 7];
    site.sandbox.requests().clear();
    let report = run(&writes, &ids, &BulkAction::Edit(set("City", json!("Distrusted City")))).await;

    assert_eq!(report.tally().done, 3, "{report:?}");
    assert_eq!(requests(&site, "GET", Route::ListContacts), 1, "the page read, refused");
    assert_eq!(requests(&site, "GET", Route::GetContact), 3);
    assert_eq!(requests(&site, "PUT", Route::UpdateContact), 3, "only the contacts asked for are written");
    for id in 1..=30 {
        assert_eq!(stored(&site, id)["City"] == "Distrusted City", ids.contains(&id), "contact {id}");
    }
}

#[tokio::test]
async fn each_contact_gets_its_own_edits_and_one_without_edits_is_unchanged_and_not_sent() {
    let site = site(10).await;
    let writes = site.writes();
    let before_4 = stored(&site, 4);
    let each = BTreeMap::from([
        (1, set("City", json!("Own City A"))),
        (2, set("City", json!("Own City B"))),
        (3, Edits(vec![FieldEdit { field: "Notes".into(), value: Some(json!("imported")) }])),
    ]);
    let action = BulkAction::EditEach(Arc::new(each));
    assert_eq!(action.title(4), "Update of 4 contacts");
    site.sandbox.requests().clear();
    let report = run(&writes, &[1, 2, 3, 4], &action).await;

    let outcomes: Vec<_> = report.rows.iter().map(|row| (row.id, row.outcome.clone())).collect();
    let done = BulkOutcome::Done;
    assert_eq!(outcomes, [(1, done.clone()), (2, done.clone()), (3, done), (4, BulkOutcome::Unchanged)]);
    assert_eq!(stored(&site, 1)["City"], "Own City A");
    assert_eq!(stored(&site, 2)["City"], "Own City B");
    assert_eq!(stored(&site, 3)["Notes"], "imported");
    assert_eq!(stored(&site, 4), before_4);
    let written: Vec<String> = site.sandbox.requests().to(Route::UpdateContact).into_iter().map(|r| r.path).collect();
    assert_eq!(written.len(), 3);
    assert!(!written.iter().any(|path| path.ends_with("/4")), "{written:?}");
}

#[tokio::test]
async fn a_zones_change_names_each_contact_from_its_page_and_reads_only_its_zones() {
    let site = site(12).await;
    let writes = site.writes();
    let (zone, name) = site.sandbox.store().zone_catalog().unwrap().remove(0);
    let action = BulkAction::Zones(ZoneAction::Grant { id: zone, name, expiry: None });
    let ids = [2, 4, 6];
    site.sandbox.requests().clear();
    let report = run(&writes, &ids, &action).await;

    assert_eq!(report.tally().failed, 0, "{report:?}");
    assert_eq!(requests(&site, "GET", Route::GetContact), 0, "the name comes from the page");
    assert_eq!(requests(&site, "GET", Route::SecureZones), 3);
    for row in &report.rows {
        let contact = stored(&site, row.id);
        let name = format!("{} {}", contact["FirstName"].as_str().unwrap(), contact["LastName"].as_str().unwrap());
        assert_eq!(row.label, name.trim());
    }
}

#[tokio::test]
async fn once_cancelled_no_page_is_read_and_every_contact_is_not_run_in_order() {
    let site = site(10).await;
    let writes = site.writes();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let ids = [9, 2, 5];
    site.sandbox.requests().clear();
    let action = BulkAction::Edit(set("City", json!("Never")));
    let report = apply_to_all(&writes, &ids, &action, Context::default(), &cancel, &Progress::default()).await;
    let outcomes: Vec<_> = report.rows.iter().map(|row| (row.id, row.outcome.clone())).collect();
    assert_eq!(outcomes, ids.map(|id| (id, BulkOutcome::NotRun)));
    assert!(site.sandbox.requests().all().is_empty(), "nothing was asked of the site");
}
