//! Site > Check this site… in the real app (egui_kittest), against a second sandbox that
//! sorts ascending only: the table fills in, the dialect is kept with the site's profile, and
//! the app then stops asking for what the site cannot do. And a saved site whose dialect
//! lacks an operator is not offered it in the filter builder.

use crate::common;

use common::app::{AppUnderTest, TestKeyring};
use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable as _;
use treepl_contacts::api::Dialect;
use treepl_contacts::api::dialect::OrderForm;
use treepl_contacts::app::command::{Command, Target};
use treepl_contacts::app::credentials::SecretStore as _;
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::doctor::SiteCheck;
use treepl_contacts::sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Route, SandboxConfig, SiteDialect};

/// A sandbox speaking `dialect` on a runtime of its own (kept as long as the site is).
fn other_site(dialect: &str) -> (tokio::runtime::Runtime, common::Site) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = SandboxConfig::new("");
    config.dialect = dialect.parse::<SiteDialect>().unwrap();
    let site = runtime.block_on(common::site_with(config, 40));
    (runtime, site)
}

#[test]
fn checking_a_saved_site_shows_the_table_keeps_the_dialect_and_sorts_only_as_the_site_can() {
    let (_runtime, site) = other_site("order-asc-only");
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Shop", site.sandbox.url().as_str(), DEFAULT_CLIENT_SECRET);
    app.harness.get_by_label("Save").click();
    app.wait_until("the saved site is open", |app| {
        matches!(app.state().shell.site.target, Target::Profile(_)) && app.rows_loaded()
    });

    // The banner says the new site is not checked yet, with the check one click away.
    app.harness.get_by_label("Not checked yet");
    app.harness.get_by_label("Check this site…").click();
    app.settle();
    app.harness.get_by_label("Check").click();
    app.wait_until("the check ends", |app| {
        app.state().site_checks.dialog.as_ref().is_some_and(|d| d.outcome.is_some() && !d.is_running())
    });
    app.harness.get_by_label("Offset moves");
    app.harness.get_by_label("Descending sorts");
    app.harness.get_by_label_contains("The site works; the app adapts to");
    app.wait_until("the check is saved", |app| {
        ProfileFile::in_folder(&app.config_dir).load().unwrap().iter().any(|p| p.site_check.is_some())
    });
    let saved = ProfileFile::in_folder(&app.config_dir).load().unwrap().remove(0);
    assert_eq!(saved.dialect().order, OrderForm::AscendingOnly);
    app.harness.get_by_label("Close").click();
    app.settle();
    assert!(app.state().site_checks.dialog.is_none());
    assert!(app.harness.query_by_label("Not checked yet").is_none(), "checked now");

    // A header clicked twice sorts ascending both times; nothing asks the site for DESC.
    site.sandbox.requests().clear();
    for header in ["Email", "Email ⏶"] {
        app.harness.get_by_label(header).click();
        app.wait_until("the sort applies", |app| app.rows_loaded());
    }
    let order = app.state().grid.query.order_by.clone().expect("sorted");
    assert!(order.field == "Email" && !order.descending, "{order:?}");
    let asked: Vec<String> =
        site.sandbox.requests().to(Route::ListContacts).iter().filter_map(|r| r.query_param("Order_By")).collect();
    assert!(!asked.is_empty() && asked.iter().all(|o| o == "Email"), "{asked:?}");
}

#[test]
fn the_filter_builder_offers_only_the_operators_a_saved_site_honours() {
    let (_runtime, site) = other_site("");
    let mut profile = SiteProfile::new("Shop", site.sandbox.url().as_str(), DEFAULT_CLIENT_ID);
    let dialect = Dialect { unhonoured_operators: vec!["$endsWith".to_owned()], ..Dialect::default() };
    profile.site_check = Some(SiteCheck::new(Vec::new(), dialect));
    let keyring = TestKeyring::mock();
    keyring.set(&profile.id, &DEFAULT_CLIENT_SECRET.into()).unwrap();
    let saved = profile.clone();
    let mut app = AppUnderTest::start_prepared(keyring, 20, move |config| {
        ProfileFile::in_folder(config).save(&[saved]).unwrap();
    });
    app.state_mut().send(Command::Open(Target::Profile(profile.id.clone())));
    app.wait_until("the saved site is open", |app| {
        app.state().shell.site.target == Target::Profile(profile.id.clone()) && app.rows_loaded()
    });
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Add condition").click();
    app.settle();
    app.harness.get_by_label("Operator of condition 1").click();
    app.settle();
    app.harness.get_by_label("starts with");
    assert!(app.harness.query_by_label("ends with").is_none(), "the site ignores $endsWith");
}

#[test]
fn raw_json_outside_the_dialect_is_sent_as_typed_and_the_box_says_it_cannot_be_checked() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Filter…").click();
    app.settle();
    app.harness.get_by_label("Edit as JSON…").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::MultilineTextInput, "Where (JSON)").focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.key_press(Key::Backspace);
    let typed = r#"{"City": {"$like": "Auck%"}}"#;
    app.fill(Role::MultilineTextInput, "Where (JSON)", typed);
    app.state().shell.site.sandbox().unwrap().requests().clear();
    app.harness.get_by_label("Apply JSON").click();
    app.wait_until("the filter is sent", |app| {
        !app.state().shell.site.sandbox().unwrap().requests().to(Route::ListContacts).is_empty()
    });
    app.harness.get_by_label_contains("outside the filters this app reads");
    let sent = app.state().shell.site.sandbox().unwrap().requests().to(Route::ListContacts);
    let filters: Vec<serde_json::Value> =
        sent.iter().filter_map(|r| r.query_param("Where")).map(|w| serde_json::from_str(&w).unwrap()).collect();
    assert!(filters.iter().all(|w| *w == serde_json::from_str::<serde_json::Value>(typed).unwrap()), "{filters:?}");
}
