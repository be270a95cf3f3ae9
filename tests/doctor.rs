//! The doctor against the sandbox, in its default dialect and in each `--dialect` a real site
//! may have: it names the difference, and the dialect it learns makes the app adapt (or its
//! verdict makes it refuse). What the site did is checked in its database or request log.

mod common;

use std::path::Path;
use std::process::Output;

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::dialect::OrderForm;
use treepl_contacts::api::{ApiError, Dialect, ListQuery, OrderBy};
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::doctor::{self, EXIT_REFUSED, EXIT_WORKS, Probe, SiteCheck, Verdict};
use treepl_contacts::sandbox::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MAX_LIMIT, Route, SandboxConfig, SiteDialect,
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
