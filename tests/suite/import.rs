//! Import against the sandbox over real HTTP: a messy file's dry run compared with a table
//! written by hand, the apply compared contact by contact with the site's database, the
//! import undone as one step, and our own exports (CSV and XLSX) imported back as all
//! "unchanged".

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::fields::all_fields;
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::{Contact, ContactInput, ContactScope, ListQuery, ReadClient, Where};
use treepl_contacts::app::bulk::BulkOutcome;
use treepl_contacts::app::journal::Writes;
use treepl_contacts::app::journal::undo::undo_batch;
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::export::{ExportSettings, Format, run_export};
use treepl_contacts::import::apply::apply;
use treepl_contacts::import::file::{ReadOptions, Table, read_table};
use treepl_contacts::import::lookup::custom_fields_seen;
use treepl_contacts::import::mapping::{Mapping, MappingProblem, MatchOn, Target};
use treepl_contacts::import::plan::{DryRun, DryRunError, ImportOptions, OutcomeKind, describe_changes};
use treepl_contacts::import::planner::dry_run;
use treepl_contacts::sandbox::Route;

use common::{Site, raw_get, site};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

fn read(path: &Path) -> Table {
    read_table(path, &ReadOptions::default(), &CancellationToken::new(), |_, _| {}).expect("the file reads")
}

/// The file's dry run with the guessed mapping, as the CLI makes it.
async fn plan(client: &ReadClient, table: &Table, options: ImportOptions) -> Result<DryRun, DryRunError> {
    let known = custom_fields_seen(client).await.expect("the site's custom fields");
    let mapping = Mapping::guess(&table.headers, &known);
    dry_run(client, table, &mapping, &options, &known, &CancellationToken::new(), &Progress::default()).await
}

/// The three contacts the messy file meets on the site.
async fn seed_messy_site(site: &Site) {
    let contacts = [
        json!({"Email": "anna@example.com", "FirstName": "Anna", "LastName": "Berg", "City": "Oslo",
               "CustomCrmGroups": {"Membership": {"Level": "Gold"}}}),
        json!({"Email": "ola@example.com", "FirstName": "Ola", "LastName": "Nordmann", "City": "Bergen"}),
        json!({"Email": "kari@example.com", "FirstName": "Kari", "LastName": "Hansen", "City": "Trondheim"}),
    ];
    for contact in contacts {
        let contact: Contact = serde_json::from_value(contact).unwrap();
        site.client.create_contact(&ContactInput::for_create(&contact), None).await.expect("a contact is created");
    }
}

/// (line, key, outcome, changes, reason) of each row.
fn table_of(dry_run: &DryRun) -> Vec<(u64, String, &'static str, String, String)> {
    dry_run
        .rows
        .iter()
        .map(|row| {
            let planned = &row.planned;
            (
                row.line,
                row.key.clone(),
                planned.kind().label(),
                describe_changes(planned.changes()),
                planned.reason().to_owned(),
            )
        })
        .collect()
}

/// What the messy file should plan, written out by hand from the file and the three contacts.
fn messy_expected() -> Vec<(u64, String, &'static str, String, String)> {
    let row = |line, key: &str, outcome, changes: &str, reason: &str| {
        (line, key.to_owned(), outcome, changes.to_owned(), reason.to_owned())
    };
    vec![
        row(2, "Anna@Example.com", "update", "City: Oslo → Tromsø", ""),
        row(3, "ola@example.com", "update", "Notes: (empty) → =HYPERLINK(\"http://x.example\")", ""),
        row(
            4,
            "new.person@example.com",
            "create",
            "Email: (empty) → new.person@example.com; First name: (empty) → Jürgen; Last name: (empty) → Müller; \
             City: (empty) → Köln; Notes: (empty) → first line\r\nsecond line; Membership: Level: (empty) → Silver; \
             Type: (empty) → 2",
            "",
        ),
        row(6, "twin@example.com", "ambiguous", "", "the file has 2 rows with this email (lines 6 and 7)"),
        row(7, "TWIN@example.com", "ambiguous", "", "the file has 2 rows with this email (lines 6 and 7)"),
        row(8, "not-an-email", "error", "", "“not-an-email” is not an email address (name@example.com)."),
        row(
            9,
            "hobby@example.com",
            "error",
            "",
            "CustomCrmGroups.Hobbies.Sport: unknown custom group “Hobbies” (the site has Membership)",
        ),
        row(10, "type@example.com", "error", "", "Type: “many” is not a whole number"),
        row(11, "kari@example.com", "unchanged", "", ""),
    ]
}

#[tokio::test]
async fn a_messy_file_plans_row_by_row_as_written_by_hand_in_either_encoding() {
    let site = site(0).await;
    seed_messy_site(&site).await;
    site.sandbox.requests().clear();
    for name in ["messy-windows-1252.csv", "messy-utf8-bom.csv"] {
        let table = read(&fixture(name));
        let planned = plan(&site.client, &table, ImportOptions::default()).await.expect("a dry run");
        assert_eq!(table_of(&planned), messy_expected(), "{name}");
    }
    let requests = site.sandbox.requests().all();
    let sent: Vec<_> = requests.iter().filter(|r| r.method != "GET" && r.route != Route::Token).collect();
    assert!(sent.is_empty(), "a dry run sends nothing: {sent:?}");
    let lookups = site.sandbox.requests().to(Route::ListContacts).len();
    // Per file: the custom fields' page, one Email $in lookup, the dry run's own sample page.
    assert_eq!(lookups, 2 * 3, "a lookup per batch of emails, not per row");
    assert!(site.sandbox.requests().to(Route::GetContact).is_empty(), "no contact is read alone");
}

/// Every contact on the site as the site sends it, by email.
async fn dump(site: &Site) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page = raw_get(site, &format!("/api/v2/admin/contacts?Order_By=Id&Offset={offset}&Limit=500")).await;
        let items = page["Items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return all;
        }
        offset += items.len();
        for mut item in items {
            if let Value::Object(fields) = &mut item {
                fields.retain(|_, value| !value.is_null());
            }
            all.insert(item["Email"].as_str().expect("an email").to_owned(), item);
        }
    }
}

#[tokio::test]
async fn an_applied_import_leaves_the_site_as_asked_and_undoes_as_one_step() {
    let site = site(0).await;
    seed_messy_site(&site).await;
    let before = dump(&site).await;
    let writes: Writes = site.writes();
    let table = read(&fixture("messy-windows-1252.csv"));
    let planned = plan(writes.client(), &table, ImportOptions::default()).await.expect("a dry run");
    let keep: BTreeSet<u64> = planned.rows.iter().map(|row| row.line).collect();
    let cancel = CancellationToken::new();
    let report = apply(&writes, &planned, &keep, "Import of messy.csv", None, &cancel, &Progress::default()).await;
    let outcomes: Vec<(u64, &str, BulkOutcome)> =
        report.rows.iter().map(|row| (row.line, row.action, row.outcome.clone())).collect();
    assert_eq!(
        outcomes,
        vec![(2, "update", BulkOutcome::Done), (3, "update", BulkOutcome::Done), (4, "create", BulkOutcome::Done)],
        "only the creates and updates are sent"
    );

    // What was asked, written out from the file; every other contact as it was.
    let mut expected = before.clone();
    expected.get_mut("anna@example.com").unwrap()["City"] = json!("Tromsø");
    expected.get_mut("ola@example.com").unwrap()["Notes"] = json!("=HYPERLINK(\"http://x.example\")");
    let after = dump(&site).await;
    let created = &after["new.person@example.com"];
    for (field, value) in [
        ("FirstName", json!("Jürgen")),
        ("LastName", json!("Müller")),
        ("City", json!("Köln")),
        ("Notes", json!("first line\r\nsecond line")),
        ("Type", json!(2)),
        ("CustomCrmGroups", json!({"Membership": {"Level": "Silver"}})),
    ] {
        assert_eq!(created[field], value, "the created contact's {field}");
    }
    expected.insert("new.person@example.com".to_owned(), created.clone());
    assert_eq!(after, expected, "the site holds exactly what the import asked, and nothing else changed");

    // Undone as one step: the updates put back, the created contact deleted.
    let undone = undo_batch(&writes, report.batch.expect("a batch"), &cancel, &Progress::default()).await;
    assert_eq!(undone.lines.len(), 3, "{undone:?}");
    assert_eq!(dump(&site).await, before, "the site is as before the import");
}

#[tokio::test]
async fn three_email_columns_or_a_password_column_stop_the_dry_run_before_any_request() {
    let site = site(5).await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("three.csv");
    std::fs::write(&path, "Email,email,E-mail,Password\na@x.example,b@x.example,c@x.example,secret\n").unwrap();
    let table = read(&path);
    let mapping = Mapping::guess(&table.headers, &BTreeSet::new());
    site.sandbox.requests().clear();
    let result = dry_run(
        &site.client,
        &table,
        &mapping,
        &ImportOptions::default(),
        &BTreeSet::new(),
        &CancellationToken::new(),
        &Progress::default(),
    )
    .await;
    let Err(DryRunError::Mapping(problems)) = result else { panic!("the mapping is refused") };
    assert_eq!(
        problems,
        vec![
            MappingProblem::Password { header: "Password".to_owned() },
            MappingProblem::Repeated {
                target: "Email".to_owned(),
                count: 3,
                headers: "“Email”, “email”, “E-mail”".to_owned()
            },
        ]
    );
    assert_eq!(mapping.columns[3], Target::Password);
    assert_eq!(site.sandbox.requests().all(), vec![], "no request was made");
}

/// Our own export of every contact, every column, as `format`.
async fn export_all(site: &Site, format: Format, path: &Path) {
    let known = custom_fields_seen(&site.client).await.unwrap();
    let settings = ExportSettings { format, columns: all_fields(&known), ..ExportSettings::default() };
    let scope = ContactScope::matching(ListQuery::new(Where::All), Default::default());
    run_export(&site.client, &scope, &settings, path, &PagingOptions::default(), &CancellationToken::new(), |_, _| {})
        .await
        .expect("the export is written");
}

#[tokio::test]
async fn our_own_csv_and_xlsx_exports_import_back_as_all_unchanged() {
    let site = site(300).await;
    // Values a spreadsheet would run as formulas: the export guards them, the import must
    // take the guard off again.
    for (id, notes) in [(1, "=1+1"), (2, "-starts with a minus"), (3, "@mention"), (4, "+47 99 99 99 99")] {
        let mut contact = site.client.get_contact(id).await.unwrap();
        let before = contact.clone();
        contact.notes = Some(notes.to_owned());
        site.client.update_contact(before.id, &contact).await.unwrap();
    }
    let folder = tempfile::tempdir().unwrap();
    for (format, name) in [(Format::Csv, "contacts.csv"), (Format::Xlsx, "contacts.xlsx")] {
        let path = folder.path().join(name);
        export_all(&site, format, &path).await;
        let table = read(&path);
        let planned = plan(&site.client, &table, ImportOptions::default()).await.expect("a dry run");
        assert_eq!(planned.rows.len(), 300, "{name}");
        let counts = planned.counts();
        let not_unchanged: Vec<_> = table_of(&planned).into_iter().filter(|row| row.2 != "unchanged").take(5).collect();
        assert_eq!(counts[&OutcomeKind::Unchanged], 300, "{name}: {not_unchanged:#?}");
        assert_eq!(planned.to_send(), 0);
        // Matched on Id as well.
        let by_id = ImportOptions { match_on: MatchOn::Id, ..ImportOptions::default() };
        let planned = plan(&site.client, &table, by_id).await.expect("a dry run by Id");
        assert_eq!(planned.counts()[&OutcomeKind::Unchanged], 300, "{name} by Id");
    }
}
