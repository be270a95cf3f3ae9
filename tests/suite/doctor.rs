//! The doctor against the sandbox, in its default dialect and in each `--dialect` a real site
//! may have: it names the difference, and the dialect it learns makes the app adapt (or its
//! verdict makes it refuse). What the site did is checked in its database or request log.

use crate::common;

use std::path::Path;
use std::process::Output;

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::dialect::{KeyCase, OrderForm, ParamPlacement, ZonesPut};
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::wire::DateForm;
use treepl_contacts::api::{
    ApiError, ContactId, ContactScope, Dialect, ListQuery, OrderBy, SecureZone, Selection, Timestamp, Where,
};
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::doctor::{self, EXIT_REFUSED, EXIT_WORKS, Probe, SiteCheck, Verdict};
use treepl_contacts::export::{ExportError, ExportSettings, Format, run_export};
use treepl_contacts::sandbox::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MAX_LIMIT, Route, SandboxConfig, SiteDialect, SiteListRequest,
};

/// A sandbox speaking `dialect` (e.g. "where-ignored"), seeded with `seed` contacts.
async fn site_speaking(dialect: &str, seed: u64) -> common::Site {
    let mut config = SandboxConfig::new("");
    config.dialect = dialect.parse::<SiteDialect>().expect("a known dialect");
    common::site_with(config, seed).await
}

async fn read_check(site: &common::Site) -> SiteCheck {
    let (probes, dialect) = doctor::check_reads(&site.client, &CancellationToken::new(), |_| {}).await.unwrap();
    SiteCheck::new(probes, dialect)
}

fn verdict_of<'a>(check: &'a SiteCheck, choice: &str) -> &'a Probe {
    check
        .probes
        .iter()
        .find(|p| p.choice == choice)
        .unwrap_or_else(|| panic!("no probe `{choice}`:\n{}", check.table()))
}

fn not_honoured(check: &SiteCheck) -> Vec<String> {
    check.probes.iter().filter(|p| p.verdict != Verdict::Honoured).map(|p| p.choice.clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_sandbox_honours_every_choice_reads_and_writes() {
    let site = common::site(60).await;
    let (mut probes, mut dialect) = doctor::check_reads(&site.client, &CancellationToken::new(), |_| {}).await.unwrap();
    let writes = site.writes().with_dialect(dialect.clone());
    probes.extend(doctor::check_writes(&writes, &mut dialect, &CancellationToken::new(), |_| {}).await);
    let check = SiteCheck::new(probes, dialect);
    assert_eq!(not_honoured(&check), Vec::<String>::new(), "\n{}", check.table());
    assert_eq!(check.exit_status(), EXIT_WORKS);
    assert_eq!(check.dialect, Dialect { keyset_paging: true, ..Dialect::default() });
    // The doctor's contact is gone again, and its steps are in the journal.
    assert_eq!(site.sandbox.store().contact_count().unwrap(), 60);
    let journal = writes.journal().unwrap();
    let operations: Vec<String> = journal
        .entries(&Default::default(), 50)
        .unwrap()
        .iter()
        .map(|entry| entry.operation.as_str().to_owned())
        .collect();
    for operation in ["create", "save", "zones", "delete"] {
        assert!(operations.iter().any(|o| o == operation), "{operation} not journaled: {operations:?}");
    }
    // Every probe the contract's open questions name is a row of the doctor's table.
    for question in treepl_contacts::api::assumed::OPEN_QUESTIONS {
        for probe in question.probed_by {
            assert!(check.probes.iter().any(|p| p.choice == *probe), "{}: no `{probe}` row", question.topic);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_ignores_the_filter_is_named_and_refused() {
    let site = site_speaking("where-ignored", 40).await;
    let check = read_check(&site).await;
    assert_eq!(verdict_of(&check, "A filter narrows the list").verdict, Verdict::Refused, "\n{}", check.table());
    assert_eq!(check.exit_status(), EXIT_REFUSED);
    assert!(check.summary().contains("refused"), "{}", check.summary());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_ignores_offset_is_named_refused_and_paged_by_id() {
    let site = site_speaking("offset-ignored", 40).await;
    let check = read_check(&site).await;
    let offset = verdict_of(&check, "Offset moves");
    assert_eq!(offset.verdict, Verdict::Refused, "\n{}", check.table());
    assert!(offset.came_back.contains("the first page again"), "{}", offset.came_back);
    assert_eq!(check.exit_status(), EXIT_REFUSED);
    assert!(!check.dialect.offset_honoured && check.dialect.keyset_paging, "{:?}", check.dialect);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_with_a_smaller_page_is_asked_for_no_more() {
    let mut config = SandboxConfig::new("");
    config.max_limit = 20;
    let site = common::site_with(config, 60).await;
    let check = read_check(&site).await;
    assert_eq!(check.exit_status(), EXIT_WORKS, "\n{}", check.table());
    assert_eq!(check.dialect.max_page, Some(20));
    site.sandbox.requests().clear();
    let client = site.client.with_dialect(check.dialect);
    client.list_contacts(&ListQuery::default().page(0, 500)).await.unwrap();
    let asked = site.sandbox.requests().to(Route::ListContacts)[0].query_param("Limit");
    assert_eq!(asked.as_deref(), Some("20"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_large_site_reports_the_sandboxs_cap_as_its_largest_page() {
    let site = common::site(u64::from(MAX_LIMIT) + 20).await;
    let check = read_check(&site).await;
    assert_eq!(check.exit_status(), EXIT_WORKS, "\n{}", check.table());
    assert_eq!(check.dialect.max_page, Some(MAX_LIMIT));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ascending_only_dialect_refuses_a_descending_sort_before_sending_it() {
    let site = common::site(10).await;
    let client = site.client.with_dialect(Dialect { order: OrderForm::AscendingOnly, ..Dialect::default() });
    site.sandbox.requests().clear();
    let descending = ListQuery::default().order_by(OrderBy::desc("LastName"));
    let refused = client.list_contacts(&descending).await.unwrap_err();
    assert!(matches!(refused, ApiError::NotOnThisSite(_)), "{refused:?}");
    assert!(refused.to_string().contains("ascending order only"), "{refused}");
    assert!(site.sandbox.requests().to(Route::ListContacts).is_empty(), "nothing was sent");
}

/// Runs `treepl-contacts doctor` with `args` and a private config and data folder.
async fn run_doctor(args: &[&str], home: &Path) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
    command
        .arg("doctor")
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TREEPL_CLIENT_SECRET", DEFAULT_CLIENT_SECRET);
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_prints_the_table_saves_the_dialect_and_exits_by_its_verdict() {
    let home = tempfile::tempdir().unwrap();
    let good = common::site(30).await;
    let profile = SiteProfile::new("Shop", good.sandbox.url().as_str(), DEFAULT_CLIENT_ID);
    let profiles = ProfileFile::in_folder(&home.path().join("config").join("treepl-contacts"));
    profiles.save(std::slice::from_ref(&profile)).unwrap();

    let output = run_doctor(&["--profile", "Shop"], home.path()).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(i32::from(EXIT_WORKS)),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.lines().next().is_some_and(|header| header.starts_with("Choice") && header.contains("Verdict")));
    assert!(stdout.contains("Offset moves") && stdout.contains("Every choice is honoured."), "{stdout}");
    let saved = profiles.load().unwrap().remove(0);
    let check = saved.site_check.clone().expect("the check is kept with the profile");
    assert!(check.dialect.keyset_paging);
    assert_eq!(saved.dialect(), check.dialect);

    let bad = site_speaking("where-ignored", 30).await;
    let output =
        run_doctor(&["--site", bad.sandbox.url().as_str(), "--client-id", DEFAULT_CLIENT_ID], home.path()).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(i32::from(EXIT_REFUSED)), "{stdout}");
    assert!(stdout.contains("A filter narrows the list"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("Not saved"), "an unsaved site keeps nothing");
}

/// Every contact in the site's database, read without the client.
fn all_on_site(site: &common::Site) -> Vec<treepl_contacts::api::Contact> {
    let everything = SiteListRequest { limit: 100_000, ..SiteListRequest::default() };
    site.sandbox.store().list_contacts(&everything).unwrap().items
}

/// A filter on the city of the site's third contact, and the ids the database says match it.
fn city_filter_and_its_ids(site: &common::Site) -> (Where, Vec<ContactId>) {
    let contacts = all_on_site(site);
    let city = contacts[2].address.city.clone().expect("a seeded city");
    let ids = contacts.iter().filter(|c| c.address.city.as_deref() == Some(city.as_str())).map(|c| c.id).collect();
    (Where::field("City").eq(city), ids)
}

/// The doctor learns where and how a site reads list parameters, and the app, speaking its
/// dialect, gets exactly the contacts a filter matches (the database's count).
async fn learns_the_encoding(dialect: &str, honoured: &str) -> Dialect {
    let site = site_speaking(dialect, 60).await;
    let check = read_check(&site).await;
    assert_eq!(verdict_of(&check, "Where in the query string").verdict, Verdict::Differs, "\n{}", check.table());
    assert_eq!(verdict_of(&check, honoured).verdict, Verdict::Honoured, "\n{}", check.table());
    assert_eq!(check.exit_status(), EXIT_WORKS, "\n{}", check.table());
    let (filter, expected) = city_filter_and_its_ids(&site);
    let before = site.client.list_contacts(&ListQuery::new(filter.clone()).page(0, 500)).await.unwrap();
    assert_eq!(before.items.len(), 60, "in the default dialect the filter is lost");
    let client = site.client.with_dialect(check.dialect.clone());
    let page = client.list_contacts(&ListQuery::new(filter).order_by(OrderBy::asc("Id")).page(0, 500)).await.unwrap();
    assert_eq!(page.items.iter().map(|c| c.id).collect::<Vec<_>>(), expected);
    check.dialect
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_reading_list_parameters_from_a_body_is_spoken_to_in_a_body() {
    let dialect = learns_the_encoding("body-params", "Where in a JSON body").await;
    assert_eq!((dialect.params, dialect.keys), (ParamPlacement::Body, KeyCase::Reference));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_honouring_lowercase_keys_only_is_spoken_to_in_lowercase() {
    let dialect = learns_the_encoding("lowercase-keys", "Lowercase keys in the query string").await;
    assert_eq!((dialect.params, dialect.keys), (ParamPlacement::Query, KeyCase::Lower));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_sorting_ascending_only_is_not_asked_to_sort_descending() {
    let site = site_speaking("order-asc-only", 30).await;
    let check = read_check(&site).await;
    assert_eq!(verdict_of(&check, "Descending sorts").verdict, Verdict::Differs, "\n{}", check.table());
    assert_eq!(check.dialect.order, OrderForm::AscendingOnly);
    assert!(!check.dialect.sorts_descending());
    assert_eq!(check.exit_status(), EXIT_WORKS);
    let client = site.client.with_dialect(check.dialect);
    site.sandbox.requests().clear();
    let refused = client.list_contacts(&ListQuery::default().order_by(OrderBy::desc("Email"))).await.unwrap_err();
    assert!(matches!(refused, ApiError::NotOnThisSite(_)), "{refused:?}");
    assert!(site.sandbox.requests().to(Route::ListContacts).is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_whose_zones_put_merges_is_never_asked_to_remove_a_zone() {
    let site = site_speaking("zones-merge", 30).await;
    let (mut probes, mut dialect) = doctor::check_reads(&site.client, &CancellationToken::new(), |_| {}).await.unwrap();
    let writes = site.writes().with_dialect(dialect.clone());
    probes.extend(doctor::check_writes(&writes, &mut dialect, &CancellationToken::new(), |_| {}).await);
    let check = SiteCheck::new(probes, dialect.clone());
    let zones = verdict_of(&check, "Secure zones PUT replaces the list");
    assert_eq!(zones.verdict, Verdict::Differs, "\n{}", check.table());
    assert_eq!(dialect.zones_put, ZonesPut::Merges);
    assert_eq!(check.exit_status(), EXIT_WORKS);

    let store = site.sandbox.store();
    let catalog = store.zone_catalog().unwrap();
    store.set_zones(1, &[(catalog[0].0, None), (catalog[1].0, None)]).unwrap();
    let writes = writes.with_dialect(dialect);
    let before = writes.client().list_secure_zones(1, &ListQuery::default()).await.unwrap().items;
    let refused = writes.set_zones(1, "Contact 1", &before, &before[..1], Default::default()).await.unwrap_err();
    assert!(refused.to_string().contains("cannot take one away"), "{refused}");
    let on_site = store.list_zones(1, &SiteListRequest::default()).unwrap().unwrap().items;
    assert_eq!(on_site.len(), 2, "both zones kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_answering_writes_with_an_empty_204_checks_out() {
    let site = site_speaking("put-empty-204", 30).await;
    let (mut probes, mut dialect) = doctor::check_reads(&site.client, &CancellationToken::new(), |_| {}).await.unwrap();
    let writes = site.writes().with_dialect(dialect.clone());
    probes.extend(doctor::check_writes(&writes, &mut dialect, &CancellationToken::new(), |_| {}).await);
    let check = SiteCheck::new(probes, dialect);
    assert_eq!(not_honoured(&check), Vec::<String>::new(), "\n{}", check.table());
    assert_eq!(verdict_of(&check, "Update").came_back, "saved, and read back so");
    assert_eq!(site.sandbox.store().contact_count().unwrap(), 30, "its contact deleted again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_writing_dates_without_a_zone_gets_new_dates_in_that_form() {
    let site = site_speaking("dates-without-zone", 30).await;
    let check = read_check(&site).await;
    let dates = verdict_of(&check, "Dates carry a zone");
    assert_eq!(dates.verdict, Verdict::Differs, "\n{}", check.table());
    assert_eq!(check.dialect.dates, DateForm::WithoutZone);
    // A zone given its first expiry goes out in the site's form, meaning the same instant.
    let store = site.sandbox.store();
    let zone = store.zone_catalog().unwrap()[0].clone();
    store.set_zones(1, &[(zone.0, None)]).unwrap();
    let writes = site.writes().with_dialect(check.dialect);
    let before = writes.client().list_secure_zones(1, &ListQuery::default()).await.unwrap().items;
    let picked = Timestamp::parse("2028-01-02T03:04:05Z").unwrap();
    let wanted = vec![SecureZone { expiry_date_time: Some(picked), ..before[0].clone() }];
    writes.set_zones(1, "Contact 1", &before, &wanted, Default::default()).await.unwrap();
    let put = site.sandbox.requests().to(Route::SetSecureZones).pop().and_then(|r| r.body).unwrap();
    assert_eq!(put[0]["ExpiryDateTime"], serde_json::json!("2028-01-02T03:04:05"));
    let stored = store.list_zones(1, &SiteListRequest::default()).unwrap().unwrap().items;
    assert_eq!(stored[0].expiry_date_time.map(|t| t.millis()), Some(picked.millis()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_with_odd_values_is_checked_without_a_hitch() {
    let site = site_speaking("odd-values", 30).await;
    let (mut probes, mut dialect) = doctor::check_reads(&site.client, &CancellationToken::new(), |_| {}).await.unwrap();
    let writes = site.writes().with_dialect(dialect.clone());
    probes.extend(doctor::check_writes(&writes, &mut dialect, &CancellationToken::new(), |_| {}).await);
    let check = SiteCheck::new(probes, dialect);
    let undecided: Vec<&Probe> = check.probes.iter().filter(|p| p.verdict == Verdict::Undecided).collect();
    assert!(undecided.is_empty(), "\n{}", check.table());
    assert_eq!(check.exit_status(), EXIT_WORKS, "\n{}", check.table());
}

#[tokio::test(flavor = "multi_thread")]
async fn once_checked_a_site_that_ignores_offset_is_exported_whole_by_id_and_a_range_still_refused() {
    let mut config = SandboxConfig::new("");
    config.dialect = "offset-ignored".parse().unwrap();
    config.max_limit = 50;
    let site = common::site_with(config, 200).await;
    let check = read_check(&site).await;
    let client = site.client.with_dialect(check.dialect);
    let paging = PagingOptions::for_site(client.dialect());
    let folder = tempfile::tempdir().unwrap();
    let settings = ExportSettings { format: Format::Json, columns: vec!["Id".into()], ..ExportSettings::default() };
    let by_name = ListQuery::default().order_by(OrderBy::asc("LastName"));
    let cancel = CancellationToken::new();

    // Everything matching, in the user's order: walked by Id, every contact once.
    let whole = ContactScope::matching(by_name.clone(), Default::default());
    let target = folder.path().join("all.json");
    let summary = run_export(&client, &whole, &settings, &target, &paging, &cancel, |_, _| {}).await.unwrap();
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    let mut exported: Vec<ContactId> = rows.iter().map(|row| row["Id"].as_i64().unwrap()).collect();
    exported.sort_unstable();
    let on_site: Vec<ContactId> = all_on_site(&site).iter().map(|c| c.id).collect();
    assert_eq!((summary.contacts, exported), (200, on_site));

    // Rows 10 to 120 in name order are not the same set by Id: refused, no file.
    let range = ContactScope { query: by_name, selection: Selection::range(10, 120) };
    let target = folder.path().join("range.json");
    let refused = run_export(&client, &range, &settings, &target, &paging, &cancel, |_, _| {}).await;
    assert!(matches!(refused, Err(ExportError::Site(ApiError::Untrusted(_)))), "{refused:?}");
    assert!(!target.exists());
}
