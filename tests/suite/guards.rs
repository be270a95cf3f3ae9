//! The guards against a site that reads requests differently from this client: a site that
//! ignores `Where` or `Offset` (the sandbox's dialect switches). An export ends with no file,
//! a delete or a bulk edit with nothing changed; every expectation comes from the sandbox's own
//! database (`sandbox.store()`), never from the client's view.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::paging::{PageSource, PagingOptions};
use treepl_contacts::api::{
    ApiError, Client, Confirmed, Contact, ContactId, ContactScope, Distrust, ListQuery, Page, Where,
};
use treepl_contacts::app::bulk::edit::{Edits, FieldEdit};
use treepl_contacts::app::bulk::run::{BulkAction, NotStarted, Targets, run_bulk, run_bulk_confirmed};
use treepl_contacts::app::delete::{DeleteStop, delete_confirmed, delete_contacts};
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::export::{ExportError, ExportSettings, Format, run_export};
use treepl_contacts::sandbox::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, SandboxConfig, SiteDialect, SiteListRequest, Store,
};

use common::Site;

async fn site_where(dialect: SiteDialect, seed: u64) -> Site {
    common::site_with(SandboxConfig { dialect, ..SandboxConfig::new("") }, seed).await
}

fn where_ignored() -> SiteDialect {
    SiteDialect { where_ignored: true, ..SiteDialect::default() }
}

fn offset_ignored() -> SiteDialect {
    SiteDialect { offset_ignored: true, ..SiteDialect::default() }
}

/// Every contact in the site's database, by id, read from the store page by page in Id order.
fn database(store: &Store) -> BTreeMap<ContactId, Contact> {
    let mut all = BTreeMap::new();
    loop {
        // The site's own request type, read in Id order (its default).
        let request = SiteListRequest { offset: all.len() as u64, limit: 500, ..SiteListRequest::default() };
        let page = store.list_contacts(&request).unwrap();
        if page.items.is_empty() {
            return all;
        }
        all.extend(page.items.into_iter().map(|c| (c.id, c)));
    }
}

/// The city most contacts have, and the ids that have it (compared as the contract says:
/// lowercase forms), from the database.
fn common_city(store: &Store) -> (String, BTreeSet<ContactId>) {
    let mut by_city: BTreeMap<String, BTreeSet<ContactId>> = BTreeMap::new();
    for contact in database(store).values() {
        if let Some(city) = &contact.address.city {
            by_city.entry(city.to_lowercase()).or_default().insert(contact.id);
        }
    }
    let (city, ids) = by_city.into_iter().max_by_key(|(_, ids)| ids.len()).expect("cities");
    (city, ids)
}

fn files_in(folder: &Path) -> Vec<String> {
    std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

/// Runs `treepl-contacts export` against `site` with `extra` arguments.
async fn cli_export(site: &Site, out: &Path, extra: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
    command
        .arg("export")
        .args(["--site", site.sandbox.url().as_str(), "--client-id", DEFAULT_CLIENT_ID])
        .args(["--format", "csv", "--columns", "Id,City", "--out", out.to_str().unwrap()])
        .args(extra)
        .env("XDG_CONFIG_HOME", out.parent().unwrap())
        .env("TREEPL_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_export_with_a_filter_the_site_ignores_fails_naming_it_and_writes_no_file() {
    let site = site_where(where_ignored(), 1200).await;
    let (city, matching) = common_city(site.sandbox.store());
    assert!(matching.len() < 1200 / 2, "most contacts are elsewhere");
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("city.csv");
    let filter = json!({"City": {"$eq": city}}).to_string();
    let output = cli_export(&site, &out, &["--where", &filter]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("ignored the filter") && stderr.contains(&format!("City = {city}")), "{stderr}");
    assert!(stderr.contains("No file was written"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(files_in(folder.path()), Vec::<String>::new(), "no file, not even a temporary one");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_export_from_a_site_that_ignores_offset_fails_and_writes_no_file() {
    let site = site_where(offset_ignored(), 1200).await;
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("all.csv");
    let output = cli_export(&site, &out, &[]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("ignore Offset"), "{stderr}");
    assert_eq!(files_in(folder.path()), Vec::<String>::new());
}

fn id_export() -> ExportSettings {
    ExportSettings { format: Format::Json, columns: vec!["Id".into()], ..ExportSettings::default() }
}

fn exported_ids(path: &Path) -> Vec<ContactId> {
    let rows: Vec<Value> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    rows.iter().map(|row| row["Id"].as_i64().expect("an Id")).collect()
}

#[tokio::test]
async fn the_app_export_from_a_site_that_ignores_the_filter_or_offset_keeps_the_old_file() {
    for dialect in [where_ignored(), offset_ignored()] {
        let site = site_where(dialect, 1200).await;
        let (city, _) = common_city(site.sandbox.store());
        // A filter where the site ignores it; everything where it ignores Offset (more than a page).
        let filter = if dialect.where_ignored { Where::field("City").eq(city) } else { Where::All };
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("contacts.json");
        std::fs::write(&target, "yesterday's export").unwrap();
        let scope = ContactScope::matching(ListQuery::new(filter), BTreeSet::new());
        let paging = PagingOptions::default();
        let cancel = CancellationToken::new();
        let result = run_export(&site.client, &scope, &id_export(), &target, &paging, &cancel, |_, _| {}).await;
        assert!(matches!(result, Err(ExportError::Site(ApiError::Untrusted(_)))), "{dialect}: {result:?}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "yesterday's export", "{dialect}");
        assert_eq!(files_in(folder.path()), vec!["contacts.json".to_owned()], "{dialect}");
    }
}

#[tokio::test]
async fn a_delete_of_every_contact_matching_a_filter_the_site_ignores_deletes_nothing() {
    let site = site_where(where_ignored(), 1200).await;
    let before = database(site.sandbox.store());
    let (city, _) = common_city(site.sandbox.store());
    let query = ListQuery::new(Where::field("City").eq(city.as_str()));
    // What the grid would show and the confirmation name: the site's total for the filter.
    let shown = site.client.list_contacts(&query).await.unwrap().total_items_count.unwrap();
    assert_eq!(shown, 1200, "the site ignores the filter");
    let scope = ContactScope::matching(query, BTreeSet::new());
    let outcome = delete_contacts(&site.writes(), &scope, shown, &CancellationToken::new(), &Progress::default()).await;
    assert_eq!(outcome.deleted, 0);
    let DeleteStop::Failed(ApiError::Untrusted(Distrust::RowsOutsideFilter { filter, failing, checked })) =
        outcome.stop
    else {
        panic!("{:?}", outcome.stop)
    };
    assert_eq!(filter, format!("City = {city}"));
    assert!(failing > 0 && failing <= checked);
    assert_eq!(database(site.sandbox.store()), before, "nothing was deleted");
}

fn set_notes() -> BulkAction {
    BulkAction::Edit(Edits(vec![FieldEdit { field: "Notes".into(), value: Some(json!("bulk edited")) }]))
}

#[tokio::test]
async fn a_bulk_edit_of_every_contact_matching_a_filter_the_site_ignores_changes_nothing() {
    let site = site_where(where_ignored(), 1200).await;
    let before = database(site.sandbox.store());
    let (city, _) = common_city(site.sandbox.store());
    let scope = ContactScope::matching(ListQuery::new(Where::field("City").eq(city)), BTreeSet::new());
    let targets = Targets::Scope(scope);
    let result =
        run_bulk(&site.writes(), &targets, 1200, &set_notes(), &CancellationToken::new(), &Progress::default()).await;
    assert!(
        matches!(result, Err(NotStarted::Failed(ApiError::Untrusted(Distrust::RowsOutsideFilter { .. })))),
        "{result:?}"
    );
    assert_eq!(database(site.sandbox.store()), before, "nothing was changed");
}

#[tokio::test]
async fn a_delete_and_a_bulk_edit_on_a_site_that_ignores_offset_change_nothing() {
    let site = site_where(offset_ignored(), 1200).await;
    let before = database(site.sandbox.store());
    let scope = ContactScope::matching(ListQuery::default(), BTreeSet::new());
    let (cancel, progress) = (CancellationToken::new(), Progress::default());
    let outcome = delete_contacts(&site.writes(), &scope, 1200, &cancel, &progress).await;
    assert_eq!(outcome.deleted, 0);
    assert!(
        matches!(outcome.stop, DeleteStop::Failed(ApiError::Untrusted(Distrust::RepeatedRow { .. }))),
        "{outcome:?}"
    );
    let targets = Targets::Scope(scope);
    let result = run_bulk(&site.writes(), &targets, 1200, &set_notes(), &cancel, &progress).await;
    assert!(matches!(result, Err(NotStarted::Failed(ApiError::Untrusted(Distrust::RepeatedRow { .. })))), "{result:?}");
    assert_eq!(database(site.sandbox.store()), before, "nothing was deleted or changed");
}

#[tokio::test]
async fn keyset_paging_exports_every_contact_once_from_a_site_that_ignores_offset() {
    let site = site_where(offset_ignored(), 1200).await;
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("all.json");
    let scope = ContactScope::matching(ListQuery::default(), BTreeSet::new());
    let paging = PagingOptions { keyset: true, ..PagingOptions::default() };
    let cancel = CancellationToken::new();
    let summary = run_export(&site.client, &scope, &id_export(), &target, &paging, &cancel, |_, _| {}).await.unwrap();
    let expected: Vec<ContactId> = database(site.sandbox.store()).into_keys().collect();
    assert_eq!(summary.contacts, 1200);
    assert_eq!(exported_ids(&target), expected);
}

/// The site's contacts, with others deleting and creating contacts before each page is read.
struct Busy<'a> {
    run: &'static str,
    client: &'a Client,
    store: Arc<Store>,
    pages: AtomicU64,
    deleted: std::sync::Mutex<BTreeSet<ContactId>>,
    created: std::sync::Mutex<BTreeSet<ContactId>>,
}

impl PageSource<Contact> for Busy<'_> {
    async fn fetch_page(&self, query: ListQuery) -> Result<Page<Contact>, ApiError> {
        let n = self.pages.fetch_add(1, Ordering::SeqCst);
        if n > 0 {
            // Spread over the whole table: behind the walk, just ahead of it, far ahead.
            for id in [(n * 7_919) % 20_000 + 1, n * 500 + 3, 20_000 - n * 131] {
                let id = id as ContactId;
                if self.store.delete_contact(id).unwrap() {
                    self.deleted.lock().unwrap().insert(id);
                }
            }
            for k in 0..2 {
                let fields = json!({"Email": format!("busy-{}-{n}-{k}@example.com", self.run), "City": "Elsewhere"});
                let Value::Object(fields) = fields else { unreachable!() };
                let created = self.store.create_contact(&fields).unwrap();
                self.created.lock().unwrap().insert(created.id);
            }
        }
        self.client.list_contacts(&query).await
    }
}

#[tokio::test]
async fn keyset_paging_exports_each_contact_that_existed_throughout_exactly_once_while_others_write() {
    let site = common::site_with(SandboxConfig::new("").seed(20_000), 20_000).await;
    let store = Arc::clone(site.sandbox.store());
    let before: BTreeSet<ContactId> = database(&store).into_keys().collect();
    assert_eq!(before.len(), 20_000);
    let folder = tempfile::tempdir().unwrap();
    let scope = ContactScope::matching(ListQuery::default(), BTreeSet::new());
    let cancel = CancellationToken::new();

    let busy = |store: &Arc<Store>, run| Busy {
        run,
        client: &site.client,
        store: Arc::clone(store),
        pages: AtomicU64::new(0),
        deleted: Default::default(),
        created: Default::default(),
    };
    // Offset paging under the same writes refuses (the total moves), leaving no file.
    let offset_target = folder.path().join("offset.json");
    let source = busy(&store, "offset");
    let result =
        run_export(&source, &scope, &id_export(), &offset_target, &PagingOptions::default(), &cancel, |_, _| {}).await;
    assert!(matches!(result, Err(ExportError::Site(ApiError::Untrusted(_)))), "{result:?}");
    assert!(!offset_target.exists());

    let before: BTreeSet<ContactId> = database(&store).into_keys().collect();
    let source = busy(&store, "keyset");
    let target = folder.path().join("keyset.json");
    let paging = PagingOptions { keyset: true, ..PagingOptions::default() };
    run_export(&source, &scope, &id_export(), &target, &paging, &cancel, |_, _| {}).await.unwrap();
    let (deleted, created) = (source.deleted.into_inner().unwrap(), source.created.into_inner().unwrap());
    assert!(deleted.len() > 40 && created.len() > 40, "others wrote throughout ({} pages)", source.pages.into_inner());

    let exported = exported_ids(&target);
    let once: BTreeSet<ContactId> = exported.iter().copied().collect();
    assert_eq!(once.len(), exported.len(), "no contact twice");
    let throughout: BTreeSet<ContactId> = before.difference(&deleted).copied().collect();
    let missing: Vec<_> = throughout.difference(&once).collect();
    assert!(missing.is_empty(), "every contact that existed throughout is in the file: {missing:?}");
    let known: BTreeSet<ContactId> = before.union(&created).copied().collect();
    assert!(once.is_subset(&known), "nothing that never existed");
}

#[tokio::test]
async fn a_frozen_scope_that_resolves_to_another_count_changes_nothing() {
    let site = common::site(300).await;
    let before = database(site.sandbox.store());
    let (city, matching) = common_city(site.sandbox.store());
    let scope = ContactScope::matching(ListQuery::new(Where::field("City").eq(city)), BTreeSet::new());
    let shown = matching.len() as u64;
    // Someone deleted one of them since the confirmation showed its count.
    let gone = *matching.iter().next().unwrap();
    assert!(site.sandbox.store().delete_contact(gone).unwrap());
    let after_delete = database(site.sandbox.store());
    let (cancel, progress) = (CancellationToken::new(), Progress::default());
    let outcome = delete_contacts(&site.writes(), &scope, shown, &cancel, &progress).await;
    let DeleteStop::Failed(error) = &outcome.stop else { panic!("{outcome:?}") };
    assert_eq!(error, &ApiError::Untrusted(Distrust::CountChanged { confirmed: shown, found: shown - 1 }));
    assert!(error.to_string().contains(&format!("You confirmed {shown} contacts")), "{error}");
    let result = run_bulk(&site.writes(), &Targets::Scope(scope), shown, &set_notes(), &cancel, &progress).await;
    assert!(matches!(result, Err(NotStarted::Failed(ApiError::Untrusted(Distrust::CountChanged { .. })))));
    assert_eq!(database(site.sandbox.store()), after_delete, "no write");
    assert_eq!(before.len(), after_delete.len() + 1);
}

#[tokio::test]
async fn a_filter_the_app_cannot_check_is_refused_for_writes_unless_the_count_was_typed() {
    let site = common::site(50).await;
    let before = database(site.sandbox.store());
    let raw = Where::Raw(json!({"City": {"$like": "Osl%"}}));
    let scope = ContactScope::matching(ListQuery::new(raw), BTreeSet::new());
    let requests = site.sandbox.requests().all().len();
    let (cancel, progress) = (CancellationToken::new(), Progress::default());
    let outcome = delete_confirmed(&site.writes(), &scope, Confirmed::count(3), &cancel, &progress).await;
    assert!(
        matches!(outcome.stop, DeleteStop::Failed(ApiError::Untrusted(Distrust::UncheckedFilter { .. }))),
        "{outcome:?}"
    );
    let targets = Targets::Scope(scope);
    let result =
        run_bulk_confirmed(&site.writes(), &targets, Confirmed::count(3), &set_notes(), &cancel, &progress).await;
    assert!(matches!(result, Err(NotStarted::Failed(ApiError::Untrusted(Distrust::UncheckedFilter { .. })))));
    assert_eq!(site.sandbox.requests().all().len(), requests, "refused before asking the site");
    assert_eq!(database(site.sandbox.store()), before);
}
