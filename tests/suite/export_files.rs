//! Exports from a real sandbox over HTTP into real files, each read back by an independent
//! reader (csv, calamine, serde_json, ical), and what a cancelled or failed export leaves.

use crate::common;

use common::exported::{expected_text, sent};

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, DataType as _, Reader as _};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::fields::all_fields;
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::{Change, Contact, ContactInput, ContactScope, ListQuery, OrderBy, Where};
use treepl_contacts::export::{ExportError, ExportSettings, ExportSummary, Format, run_export};
use treepl_contacts::sandbox::{Forced, Route};

/// Names and values that break naive writers: non-Latin letters, delimiters, quotes, line
/// breaks, and text a spreadsheet would run as a formula.
fn tricky_contacts() -> Vec<ContactInput> {
    let rows: [(&str, &str, &str, &str); 6] = [
        ("Nguyễn Thị", "Ánh", "Hà Nội", "Khách hàng thân thiết 🌿"),
        ("O'Brien, \"Jr\"", "Smith; Jones", "Cork, Munster", "line one\nline two\r\nline three"),
        ("=HYPERLINK(\"http://x.example\")", "+1 555 0100", "-2+3", "@SUM(A1:A9)"),
        ("Zoë", "Ørsted", "Ærøskøbing", "tab\tinside, and a \\ backslash"),
        ("李", "小龍", "香港", ""),
        ("Plain", "Person", "Springfield", "Nothing special"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (first, last, city, notes))| {
            let mut input = ContactInput {
                first_name: Change::set(*first),
                last_name: Change::set(*last),
                phone: Change::set(format!("+44 20 7946 09{i:02}")),
                notes: if notes.is_empty() { Change::Keep } else { Change::set(*notes) },
                ..ContactInput::new(format!("export{i}@export.example"))
            };
            input.address.city = Change::set(*city);
            input.address.address = Change::set(format!("{i} High Street, Flat \"B\""));
            input.address.country = Change::set("United Kingdom");
            input.billing.city = Change::set(format!("Billing {city}"));
            let mut membership = BTreeMap::new();
            membership.insert("Level".to_owned(), serde_json::json!(if i % 2 == 0 { "=Gold" } else { "Silver" }));
            membership.insert("Points".to_owned(), serde_json::json!(i * 10));
            membership.insert("Active".to_owned(), serde_json::json!(i % 2 == 0));
            input.custom_crm_groups = Change::Set([("Membership".to_owned(), membership)].into());
            input
        })
        .collect()
}

struct Fixture {
    site: common::Site,
    contacts: Vec<Contact>,
    /// The same contacts as the site sent them (plain JSON, read without the crate's model):
    /// where the expected values come from.
    raw: Vec<Value>,
    query: ListQuery,
    columns: Vec<String>,
    folder: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let site = common::site(0).await;
    for input in tricky_contacts() {
        site.client.create_contact(&input, None).await.expect("the contact is created");
    }
    let query = ListQuery::new(Where::field("Email").ends_with("@export.example")).order_by(OrderBy::asc("Id"));
    let contacts = site.client.list_contacts(&query.clone().page(0, 100)).await.expect("the list").items;
    assert_eq!(contacts.len(), 6);
    let custom = [
        ("Membership".to_owned(), "Active".to_owned()),
        ("Membership".to_owned(), "Level".to_owned()),
        ("Membership".to_owned(), "Points".to_owned()),
    ];
    let columns = all_fields(&custom);
    let filter = common::url_encoded(r#"{"Email":{"$endsWith":"@export.example"}}"#);
    let reply = common::raw_get(&site, &format!("/api/v2/admin/contacts?Where={filter}&Order_By=Id&Limit=100")).await;
    let raw = reply["Items"].as_array().expect("Items").clone();
    let raw_ids: Vec<i64> = raw.iter().map(|c| c["Id"].as_i64().expect("an Id")).collect();
    assert_eq!(raw_ids, contacts.iter().map(|c| c.id).collect::<Vec<_>>());
    Fixture { site, contacts, raw, query, columns, folder: tempfile::tempdir().expect("a folder") }
}

impl Fixture {
    fn settings(&self, format: Format) -> ExportSettings {
        ExportSettings { format, columns: self.columns.clone(), ..ExportSettings::default() }
    }

    async fn export(&self, settings: &ExportSettings, file: &str) -> std::path::PathBuf {
        let scope = ContactScope::matching(self.query.clone(), Default::default());
        let (summary, target) = self.export_scope(&scope, settings, file).await;
        assert_eq!(summary.contacts, 6);
        target
    }

    /// Exports `scope` to `file` in the fixture's folder, with the default paging.
    async fn export_scope(
        &self,
        scope: &ContactScope,
        settings: &ExportSettings,
        file: &str,
    ) -> (ExportSummary, std::path::PathBuf) {
        let target = self.folder.path().join(file);
        let summary = run_export(
            &self.site.client,
            scope,
            settings,
            &target,
            &PagingOptions::default(),
            &CancellationToken::new(),
            |_, _| {},
        )
        .await
        .expect("the export succeeds");
        (summary, target)
    }
}

/// The column titles of the fixture's columns, as people read them.
const TITLES: [&str; 28] = [
    "Id",
    "Email",
    "First name",
    "Last name",
    "CRM type",
    "Email confirmed",
    "Role",
    "Created",
    "Address",
    "City",
    "State",
    "Zip code",
    "Country",
    "Billing address",
    "Billing city",
    "Billing state",
    "Billing zip code",
    "Billing country",
    "Site",
    "Phone",
    "Status",
    "Notes",
    "Type",
    "Customer type",
    "Data use allowed",
    "Membership: Active",
    "Membership: Level",
    "Membership: Points",
];

/// Whether the site sent `field` as text (not a number, a flag or a date).
fn is_text(contact: &Value, field: &str) -> bool {
    field != "CreatedDate" && sent(contact, field).is_string()
}

#[tokio::test]
async fn csv_reads_back_as_the_sites_data_with_formulas_neutralised() {
    let fixture = fixture().await;
    for guard in [true, false] {
        let mut settings = fixture.settings(Format::Csv);
        settings.formula_guard = guard;
        settings.utf8_bom = true;
        settings.delimiter = treepl_contacts::export::Delimiter::Semicolon;
        let path = fixture.export(&settings, &format!("contacts-{guard}.csv")).await;
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "the BOM comes first");

        let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(&bytes[3..]);
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(headers, TITLES);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), fixture.raw.len());
        let mut guarded = 0;
        for (row, contact) in rows.iter().zip(&fixture.raw) {
            assert_eq!(row.len(), fixture.columns.len());
            for (cell, field) in row.iter().zip(&fixture.columns) {
                let expected = expected_text(contact, field);
                let risky = expected.starts_with(['=', '+', '-', '@', '\t', '\r']);
                if guard && risky && is_text(contact, field) {
                    assert_eq!(cell, format!("'{expected}"), "{field} of {}", contact["Id"]);
                    guarded += 1;
                } else {
                    assert_eq!(cell, expected, "{field} of {}", contact["Id"]);
                }
            }
        }
        if guard {
            // =HYPERLINK, +1 555, -2+3, @SUM, three "=Gold" levels and six "+44" phones.
            assert_eq!(guarded, 13);
        }
    }
}

#[tokio::test]
async fn xlsx_reads_back_in_calamine_with_text_cells_and_typed_numbers() {
    let fixture = fixture().await;
    let path = fixture.export(&fixture.settings(Format::Xlsx), "contacts.xlsx").await;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("calamine opens the workbook");
    let sheet = workbook.worksheet_range("Contacts").expect("the Contacts sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), fixture.raw.len() + 1);
    let headers: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(headers, TITLES);
    for (row, contact) in rows[1..].iter().zip(&fixture.raw) {
        assert_eq!(row.len(), fixture.columns.len());
        for (cell, field) in row.iter().zip(&fixture.columns) {
            match sent(contact, field) {
                Value::Null => assert_eq!(cell, &Data::Empty, "{field}"),
                Value::Bool(flag) => assert_eq!(cell, &Data::Bool(flag), "{field}"),
                Value::Number(n) => assert_eq!(cell.as_f64(), n.as_f64(), "{field}"),
                // Text stays text, formula-like or not: nothing is evaluated. Dates are text too.
                _ => assert_eq!(cell, &Data::String(expected_text(contact, field)), "{field} of {}", contact["Id"]),
            }
        }
    }
    let formulas = workbook.worksheet_formula("Contacts").expect("the formula layer");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
}

#[tokio::test]
async fn json_reads_back_as_the_same_contacts() {
    let fixture = fixture().await;
    let path = fixture.export(&fixture.settings(Format::Json), "contacts.json").await;
    let text = std::fs::read_to_string(&path).unwrap();
    let read: Vec<Value> = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(read, fixture.raw, "every field, custom ones included, as the site sent it");
    serde_json::from_str::<Vec<Contact>>(&text).expect("in the API's shape");

    // Columns narrow the objects.
    let mut settings = fixture.settings(Format::Json);
    settings.columns = vec!["Email".to_owned(), "CustomCrmGroups.Membership.Points".to_owned()];
    let path = fixture.export(&settings, "narrow.json").await;
    let values: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(
        values[1],
        serde_json::json!({"Email": "export1@export.example", "CustomCrmGroups": {"Membership": {"Points": 10}}})
    );
}

#[tokio::test]
async fn vcard_parses_back_to_the_names_emails_phones_and_addresses() {
    let fixture = fixture().await;
    let path = fixture.export(&fixture.settings(Format::Vcard), "contacts.vcf").await;
    let raw = std::fs::read(&path).unwrap();
    let text = String::from_utf8(raw.clone()).unwrap();
    assert!(text.lines().all(|line| line.len() <= 76), "lines fold at 75 octets (plus the CR)");
    assert!(text.split("\r\n").all(|line| !line.contains('\n')), "lines end in CRLF");

    let cards: Vec<_> =
        ical::VcardParser::new(std::io::BufReader::new(&raw[..])).map(|card| card.expect("a valid card")).collect();
    assert_eq!(cards.len(), fixture.contacts.len());
    for (card, contact) in cards.iter().zip(&fixture.contacts) {
        let property = |name: &str| -> Vec<String> {
            let found = card.properties.iter().find(|p| p.name == name);
            split_structured(found.and_then(|p| p.value.as_deref()).unwrap_or_default())
        };
        assert_eq!(property("VERSION"), ["4.0"]);
        let first = contact.first_name.clone().unwrap_or_default();
        let last = contact.last_name.clone().unwrap_or_default();
        assert_eq!(property("FN"), [format!("{first} {last}")]);
        assert_eq!(property("N"), [last, first, String::new(), String::new(), String::new()]);
        assert_eq!(property("EMAIL"), std::slice::from_ref(&contact.email));
        assert_eq!(property("TEL"), [contact.phone.clone().unwrap_or_default()]);
        let address = &contact.address;
        let adr = card.properties.iter().find(|p| {
            p.name == "ADR"
                && p.params.as_ref().is_some_and(|ps| ps.iter().any(|(_, v)| v.contains(&"home".to_owned())))
        });
        assert_eq!(
            split_structured(adr.and_then(|p| p.value.as_deref()).unwrap_or_default()),
            [
                String::new(),
                String::new(),
                address.address.clone().unwrap_or_default(),
                address.city.clone().unwrap_or_default(),
                String::new(),
                String::new(),
                address.country.clone().unwrap_or_default()
            ]
        );
        match &contact.notes {
            Some(notes) => assert_eq!(property("NOTE"), [notes.replace("\r\n", "\n")]),
            None => assert!(card.properties.iter().all(|p| p.name != "NOTE")),
        }
    }
}

/// A vCard value split at unescaped `;` and unescaped (RFC 6350 3.4), as a reader does.
fn split_structured(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => parts.last_mut().unwrap().push('\n'),
                Some(other) => parts.last_mut().unwrap().push(other),
                None => {}
            },
            ';' => parts.push(String::new()),
            _ => parts.last_mut().unwrap().push(c),
        }
    }
    parts
}

#[tokio::test]
async fn a_selection_exports_only_the_chosen_contacts() {
    let fixture = fixture().await;
    let chosen = vec![fixture.contacts[1].id, fixture.contacts[4].id];
    let scope = ContactScope::ids(fixture.query.clone(), chosen.clone());
    let (summary, target) = fixture.export_scope(&scope, &fixture.settings(Format::Json), "selection.json").await;
    assert_eq!(summary.contacts, 2);
    let read: Vec<Contact> = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(read.iter().map(|c| c.id).collect::<Vec<_>>(), chosen);

    // Ctrl+A minus one: every match but the one left out.
    let scope = ContactScope::matching(fixture.query.clone(), [fixture.contacts[0].id].into());
    let (summary, _) = fixture.export_scope(&scope, &fixture.settings(Format::Csv), "all-but-one.csv").await;
    assert_eq!(summary.contacts, 5);
}

/// Names of the files in `folder`.
fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[tokio::test]
async fn cancel_leaves_no_file() {
    let site = common::site(3000).await;
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("contacts.xlsx");
    let cancel = CancellationToken::new();
    let settings = ExportSettings { format: Format::Xlsx, columns: all_fields(&[]), ..ExportSettings::default() };
    let paging = PagingOptions { max_in_flight: 1, page_size: 100, keyset: false, whole_lists_by_id: false };
    let mut seen = 0;
    let result = run_export(
        &site.client,
        &ContactScope::matching(ListQuery::default(), Default::default()),
        &settings,
        &target,
        &paging,
        &cancel,
        |written, _| {
            seen = written;
            if written >= 500 {
                cancel.cancel();
            }
        },
    )
    .await;
    assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
    assert!((500..3000).contains(&seen), "it was stopped half-way ({seen})");
    assert_eq!(files_in(folder.path()), Vec::<String>::new(), "no file, not even a temporary one");
}

#[tokio::test]
async fn a_failure_half_way_leaves_the_existing_file_unchanged() {
    let site = common::site(3000).await;
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("contacts.csv");
    std::fs::write(&target, "the previous export\n").unwrap();
    let settings = ExportSettings { format: Format::Csv, columns: all_fields(&[]), ..ExportSettings::default() };
    let paging = PagingOptions { max_in_flight: 1, page_size: 100, keyset: false, whole_lists_by_id: false };
    let faults = site.sandbox.faults();
    let mut failed_at = None;
    let result = run_export(
        &site.client,
        &ContactScope::matching(ListQuery::default(), Default::default()),
        &settings,
        &target,
        &paging,
        &CancellationToken::new(),
        |written, _| {
            // Past the client's retry budget (6 attempts): every later page fails.
            if written >= 1000 && failed_at.is_none() {
                faults.force(Route::ListContacts, Forced::Error(503), 1000);
                failed_at = Some(written);
            }
        },
    )
    .await;
    assert!(matches!(result, Err(ExportError::Site(_))), "{result:?}");
    assert!(failed_at.is_some());
    assert!(result.unwrap_err().to_string().contains("site"), "the message says what failed");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "the previous export\n");
    assert_eq!(files_in(folder.path()), ["contacts.csv"], "no temporary file is left");
}

#[tokio::test]
async fn an_unwritable_folder_is_a_clear_error() {
    let site = common::site(10).await;
    let target = Path::new("/nonexistent-folder/contacts.csv");
    let settings = ExportSettings { format: Format::Csv, columns: all_fields(&[]), ..ExportSettings::default() };
    let result = run_export(
        &site.client,
        &ContactScope::matching(ListQuery::default(), Default::default()),
        &settings,
        target,
        &PagingOptions::default(),
        &CancellationToken::new(),
        |_, _| {},
    )
    .await;
    let error = result.unwrap_err();
    assert!(matches!(error, ExportError::File { .. }));
    assert!(error.to_string().contains("/nonexistent-folder/contacts.csv"), "{error}");
}
