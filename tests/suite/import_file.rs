//! Reading import files from disk: each encoding and delimiter, the user's overrides, every
//! kind of bad input with the message a user sees, and our own CSV and XLSX exports of a real
//! sandbox's contacts read back to the values the site sent.

use crate::common;

use common::exported::expected_text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::fields::all_fields;
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::{Change, Contact, ContactInput, ContactScope, ListQuery, OrderBy, Where};
use treepl_contacts::export::{Delimiter, ExportSettings, Format, run_export, write_contacts};
use treepl_contacts::import::file::{
    Encoding, FileError, MAX_CELL_BYTES, ReadOptions, Source, Table, read_csv_bytes, read_table,
};

/// `bytes` written to `name` in a fresh folder (kept alive by the returned guard).
fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("a folder");
    let path = folder.path().join(name);
    std::fs::write(&path, bytes).expect("the file is written");
    (folder, path)
}

fn read_with(path: &Path, options: &ReadOptions) -> Result<Table, FileError> {
    read_table(path, options, &CancellationToken::new(), |_, _| {})
}

fn read(name: &str, bytes: &[u8]) -> Result<Table, FileError> {
    let (_folder, path) = file(name, bytes);
    read_with(&path, &ReadOptions::default())
}

fn error_text(name: &str, bytes: &[u8]) -> String {
    match read(name, bytes) {
        Ok(table) => panic!("{name} was read: {table:?}"),
        Err(error) => error.to_string(),
    }
}

fn cells(table: &Table) -> Vec<Vec<&str>> {
    table.rows.iter().map(|row| row.cells.iter().map(String::as_str).collect()).collect()
}

/// "Name;City" / "Müller;Zürich" in UTF-16 code units.
fn utf16_units() -> Vec<u16> {
    "Name;City\r\nMüller;Zürich\r\n".encode_utf16().collect()
}

#[test]
fn each_encoding_is_sniffed_and_decoded() {
    // Windows-1252: ü is 0xFC, and 0x80 is the euro sign (Latin-1 has a control there).
    let windows_1252 = b"Name;City;Fee\r\nM\xFCller;Z\xFCrich;\x80 5\r\n".to_vec();
    let mut utf16_le = vec![0xFF, 0xFE];
    utf16_le.extend(utf16_units().iter().flat_map(|u| u.to_le_bytes()));
    let mut utf16_be = vec![0xFE, 0xFF];
    utf16_be.extend(utf16_units().iter().flat_map(|u| u.to_be_bytes()));
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice("Name;City\nMüller;Zürich\n".as_bytes());
    let plain_utf8 = "Name;City\nMüller;Zürich\n".as_bytes().to_vec();

    let cases = [
        (windows_1252, Encoding::Windows1252),
        (utf16_le, Encoding::Utf16Le),
        (utf16_be, Encoding::Utf16Be),
        (utf8_bom, Encoding::Utf8),
        (plain_utf8, Encoding::Utf8),
    ];
    for (bytes, encoding) in cases {
        let table = read("names.csv", &bytes).unwrap_or_else(|e| panic!("{encoding:?}: {e}"));
        assert_eq!(table.source, Source::Csv { encoding, delimiter: b';' }, "{encoding:?}");
        // No BOM left on the first header.
        assert_eq!(&table.headers[..2], ["Name", "City"], "{encoding:?}");
        assert_eq!(&table.rows[0].cells[..2], ["Müller", "Zürich"], "{encoding:?}");
        if encoding == Encoding::Windows1252 {
            assert_eq!(table.rows[0].cells[2], "€ 5");
        }
    }
    assert_eq!(Encoding::ALL.map(Encoding::label), ["UTF-8", "UTF-16 LE", "UTF-16 BE", "Windows-1252"]);
}

#[test]
fn the_users_encoding_and_delimiter_override_the_sniff() {
    // "Müller" in UTF-8; pipes split the lines into 3 fields, semicolons into 2.
    let bytes = b"Name|City|Zip;Region\nM\xC3\xBCller|Bonn|53111;NRW\n";
    let sniffed = read_csv_bytes(bytes, &ReadOptions::default(), &CancellationToken::new(), |_, _| {}).unwrap();
    assert_eq!(sniffed.source, Source::Csv { encoding: Encoding::Utf8, delimiter: b'|' });
    assert_eq!(cells(&sniffed), [["Müller", "Bonn", "53111;NRW"]]);

    let options = ReadOptions { encoding: Some(Encoding::Windows1252), delimiter: Some(b';'), sheet: None };
    let chosen = read_csv_bytes(bytes, &options, &CancellationToken::new(), |_, _| {}).unwrap();
    assert_eq!(chosen.source, Source::Csv { encoding: Encoding::Windows1252, delimiter: b';' });
    assert_eq!(chosen.headers, ["Name|City|Zip", "Region"]);
    assert_eq!(cells(&chosen), [["MÃ¼ller|Bonn|53111", "NRW"]]);
}

#[test]
fn each_delimiter_from_a_file() {
    for delimiter in [b',', b';', b'\t', b'|'] {
        let d = char::from(delimiter);
        let text = format!("Email{d}Notes\r\na@x.example{d}\"say \"\"hi\"\"{d} then\r\nleave\"\r\n");
        let table = read("list.txt", text.as_bytes()).unwrap();
        assert_eq!(table.source, Source::Csv { encoding: Encoding::Utf8, delimiter }, "{d:?}");
        assert_eq!(cells(&table), [vec!["a@x.example", &format!("say \"hi\"{d} then\r\nleave")]]);
    }
}

#[test]
fn the_kind_comes_from_the_content_not_the_name() {
    // A CSV named .xlsx is read as CSV.
    let table = read("contacts.xlsx", b"Email\na@x.example\n").unwrap();
    assert!(matches!(table.source, Source::Csv { .. }), "{:?}", table.source);

    // A workbook named .csv is read as a workbook.
    let contact: Contact = serde_json::from_value(serde_json::json!({"Id": 7, "Email": "a@x.example"})).unwrap();
    let settings = ExportSettings { format: Format::Xlsx, columns: vec!["Email".into()], ..ExportSettings::default() };
    let mut workbook = std::io::Cursor::new(Vec::new());
    write_contacts([&contact], &settings, &mut workbook).unwrap();
    let table = read("contacts.csv", workbook.get_ref()).unwrap();
    assert!(matches!(table.source, Source::Xlsx { .. }), "{:?}", table.source);
    assert_eq!(cells(&table), [["a@x.example"]]);
}

#[test]
fn a_file_that_cannot_be_opened_names_its_path() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("missing.csv");
    let error = read_with(&path, &ReadOptions::default()).unwrap_err();
    assert!(matches!(error, FileError::Open { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.starts_with(&format!("Could not read {}: ", path.display())), "{text}");
}

#[test]
fn empty_files_and_files_with_only_a_header_are_refused() {
    let empty = "The file is empty: there is nothing to import.";
    assert_eq!(error_text("empty.csv", b""), empty);
    assert_eq!(error_text("bom.csv", b"\xEF\xBB\xBF"), empty);
    assert_eq!(error_text("blank.csv", b"\r\n\n\r\n"), empty);
    let only_header = "The file has a header but no rows: there is nothing to import.";
    assert_eq!(error_text("header.csv", b"Email,First name\r\n"), only_header);
    assert_eq!(error_text("header.csv", b"Email,First name\r\n,\r\n\r\n"), only_header);
}

#[test]
fn a_blank_header_is_refused_but_blank_header_cells_are_kept() {
    assert_eq!(
        error_text("blank-header.csv", b" , ,\nx,y,z\n"),
        "The header (line 1) is blank: the first line must name the columns."
    );
    let table = read("gap.csv", b"Email,,Notes\na@x.example,skipped,n\n").unwrap();
    assert_eq!(table.headers, ["Email", "", "Notes"]);
}

#[test]
fn a_ragged_row_names_its_line_and_both_counts() {
    // The quoted line break puts the ragged record on line 4.
    let text = "Email,Name,City\na@x.example,\"Ann\nLee\",Oslo\nb@x.example,Bo\n";
    assert_eq!(
        error_text("ragged.csv", text.as_bytes()),
        "Line 4 has 2 cells where the header has 3. Check the delimiter, or a quote that is not closed on or \
         before that line."
    );
}

#[test]
fn a_50_mb_cell_is_refused_with_its_line_column_and_size() {
    let mut bytes = b"Email,First name,Notes\r\na@x.example,Ann,short\r\nb@x.example,Bo,\"".to_vec();
    bytes.resize(bytes.len() + 50 * 1024 * 1024, b'x');
    bytes.extend_from_slice(b"\"\r\nc@x.example,Cy,short\r\n");
    assert_eq!(
        error_text("huge.csv", &bytes),
        "Line 3, column 3 (\"Notes\") holds 50.0 MB; a cell may hold at most 1 MB. This is not a contact list, \
         or a quote is not closed."
    );
    assert_eq!(MAX_CELL_BYTES, 1024 * 1024);
}

#[test]
fn binary_files_named_csv_are_not_text() {
    let not_text = "This is not a text file, so it cannot be read as CSV. Choose a CSV file or an Excel workbook \
                    (.xlsx), or, for UTF-16 text without a byte-order mark, choose the encoding.";
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    assert_eq!(error_text("picture.csv", png), not_text);
    // No NUL, but hardly anything but control characters.
    let controls: Vec<u8> = (0..4096u32).map(|i| (i % 31 + 1) as u8).collect();
    assert_eq!(error_text("controls.csv", &controls), not_text);
    // UTF-16 without a mark has NULs: refused until the user picks the encoding.
    let utf16: Vec<u8> = utf16_units().iter().flat_map(|u| u.to_le_bytes()).collect();
    assert_eq!(error_text("utf16.csv", &utf16), not_text);
    let (_folder, path) = file("utf16.csv", &utf16);
    let options = ReadOptions { encoding: Some(Encoding::Utf16Le), ..ReadOptions::default() };
    assert_eq!(cells(&read_with(&path, &options).unwrap()), [["Müller", "Zürich"]]);

    assert_eq!(
        error_text("old.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0"),
        "This is an Excel 97-2003 workbook (.xls), which cannot be read. Open it in Excel and save it as an Excel \
         workbook (.xlsx) or as CSV."
    );
}

#[test]
fn a_corrupt_xlsx_is_not_a_readable_workbook() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5, 2000));
    let text = error_text("broken.xlsx", &bytes);
    assert!(text.starts_with("This file is not a readable Excel workbook ("), "{text}");
    assert!(text.ends_with("). Open it in Excel and save it again, or save it as CSV."), "{text}");
}

#[test]
fn a_workbook_is_read_from_its_first_sheet_or_the_one_chosen() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("two sheets.xlsx");
    common::workbook::write_workbook(
        &path,
        &[
            ("Members", vec![vec!["Email", "City"], vec!["a@example.no", "Oslo"]]),
            (
                "Guests",
                vec![
                    vec!["E-mail", "Town", "Phone"],
                    vec!["b@example.no", "Moss", "+47 1"],
                    vec!["c@example.no", "", ""],
                ],
            ),
        ],
    );
    let sheets = vec!["Members".to_owned(), "Guests".to_owned()];

    let first = read_with(&path, &ReadOptions::default()).unwrap();
    assert_eq!(first.source, Source::Xlsx { sheet: "Members".into(), sheets: sheets.clone() });
    assert_eq!(
        (first.headers.clone(), cells(&first)),
        (vec!["Email".to_owned(), "City".to_owned()], vec![vec!["a@example.no", "Oslo"]])
    );

    let chosen = ReadOptions { sheet: Some("Guests".into()), ..ReadOptions::default() };
    let guests = read_with(&path, &chosen).unwrap();
    assert_eq!(guests.source, Source::Xlsx { sheet: "Guests".into(), sheets });
    assert_eq!(guests.headers, ["E-mail", "Town", "Phone"]);
    assert_eq!(cells(&guests), [vec!["b@example.no", "Moss", "+47 1"], vec!["c@example.no", "", ""]]);

    let missing = ReadOptions { sheet: Some("Staff".into()), ..ReadOptions::default() };
    let error = read_with(&path, &missing).unwrap_err().to_string();
    assert_eq!(error, r#"The workbook has no sheet named "Staff". Its sheets: "Members", "Guests"."#);
}

#[test]
fn a_hundred_thousand_rows_read_with_progress_and_cancel() {
    let mut text = String::from("Email,First name,Last name,City,Notes\r\n");
    for i in 0..100_000 {
        text.push_str(&format!("p{i}@bulk.example,Person,Müller {i},Zürich,\"two\r\nlines, quoted\"\r\n"));
    }
    let (_folder, path) = file("big.csv", text.as_bytes());
    let mut reports = Vec::new();
    let table = read_table(&path, &ReadOptions::default(), &CancellationToken::new(), |done, total| {
        reports.push((done, total));
    })
    .unwrap();
    assert_eq!(table.rows.len(), 100_000);
    let last = &table.rows[99_999];
    assert_eq!(last.line, 2 + 2 * 99_999, "each record takes two lines");
    assert_eq!(last.cells[2], "Müller 99999");
    assert!(reports.len() >= 100, "progress now and then: {}", reports.len());
    assert_eq!(reports.last(), Some(&(text.len() as u64, text.len() as u64)));

    let cancel = CancellationToken::new();
    let result = read_table(&path, &ReadOptions::default(), &cancel, |done, total| {
        if done * 2 > total {
            cancel.cancel();
        }
    });
    assert!(matches!(result, Err(FileError::Cancelled)), "{result:?}");
}

// The round trip: our exports of a real site's contacts read back as the site's values.

/// Values that test a reader: non-Latin letters, delimiters, quotes, line breaks, and text
/// our CSV export guards against formulas (`=`, `-`, `+`, `@`).
fn contacts() -> Vec<ContactInput> {
    let rows: [(&str, &str, &str, &str); 5] = [
        ("Nguyễn Thị", "Ánh", "Hà Nội", "Khách hàng thân thiết 🌿"),
        ("O'Brien, \"Jr\"", "Smith; Jones", "Cork | Munster", "line one\nline two\r\nline three"),
        ("=HYPERLINK(\"http://x.example\")", "-Minus", "-2+3", "@SUM(A1:A9)"),
        ("Müller", "Ørsted", "'Tis a town", "tab\tinside"),
        ("李", "小龍", "香港", ""),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (first, last, city, notes))| {
            let mut input = ContactInput {
                first_name: Change::set(*first),
                last_name: Change::set(*last),
                phone: Change::set(format!("+44 20 7946 09{i:02}")),
                notes: if notes.is_empty() { Change::Keep } else { Change::set(*notes) },
                ..ContactInput::new(format!("import{i}@import.example"))
            };
            input.address.city = Change::set(*city);
            input.billing.city = Change::set(format!("Billing {city}"));
            let mut membership = BTreeMap::new();
            membership.insert("Level".to_owned(), serde_json::json!(if i % 2 == 0 { "=Gold" } else { "Silver" }));
            membership.insert("Points".to_owned(), serde_json::json!(i * 10));
            membership.insert("Active".to_owned(), serde_json::json!(i % 2 == 0));
            let mut risky = BTreeMap::new();
            risky.insert("Note".to_owned(), serde_json::json!(format!("-{i} days")));
            let groups = [("Membership".to_owned(), membership), ("=Flags".to_owned(), risky)];
            input.custom_crm_groups = Change::Set(groups.into());
            input
        })
        .collect()
}

/// The headers our export writes for every column, as a person reads them.
const TITLES: [&str; 29] = [
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
    "=Flags: Note",
    "Membership: Active",
    "Membership: Level",
    "Membership: Points",
];

#[tokio::test]
async fn our_csv_and_xlsx_exports_read_back_as_the_values_the_site_sent() {
    let site = common::site(0).await;
    for input in contacts() {
        site.client.create_contact(&input, None).await.expect("the contact is created");
    }
    let query = ListQuery::new(Where::field("Email").ends_with("@import.example")).order_by(OrderBy::asc("Id"));
    let custom = [
        ("=Flags".to_owned(), "Note".to_owned()),
        ("Membership".to_owned(), "Active".to_owned()),
        ("Membership".to_owned(), "Level".to_owned()),
        ("Membership".to_owned(), "Points".to_owned()),
    ];
    let columns = all_fields(&custom);
    // The expected values: the site's own JSON, read without the crate's model or exporters.
    let filter = common::url_encoded(r#"{"Email":{"$endsWith":"@import.example"}}"#);
    let reply = common::raw_get(&site, &format!("/api/v2/admin/contacts?Where={filter}&Order_By=Id&Limit=100")).await;
    let raw = reply["Items"].as_array().expect("Items").clone();
    assert_eq!(raw.len(), 5);
    let expected: Vec<Vec<String>> =
        raw.iter().map(|contact| columns.iter().map(|field| expected_text(contact, field)).collect()).collect();

    let folder = tempfile::tempdir().unwrap();
    let export = |settings: ExportSettings, name: &str| {
        let target = folder.path().join(name);
        let scope = ContactScope::matching(query.clone(), Default::default());
        let client = site.client.clone();
        async move {
            let summary = run_export(
                &client,
                &scope,
                &settings,
                &target,
                &PagingOptions::default(),
                &CancellationToken::new(),
                |_, _| {},
            )
            .await
            .expect("the export succeeds");
            assert_eq!(summary.contacts, 5);
            target
        }
    };
    let settings = |format| ExportSettings { format, columns: columns.clone(), ..ExportSettings::default() };

    let xlsx_path = export(settings(Format::Xlsx), "contacts.xlsx").await;
    let xlsx = read_with(&xlsx_path, &ReadOptions::default()).expect("our XLSX reads");
    assert_eq!(xlsx.source, Source::Xlsx { sheet: "Contacts".into(), sheets: vec!["Contacts".into()] });
    assert_eq!(xlsx.headers, TITLES);
    assert_eq!(xlsx.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 4, 5, 6], "the sheet's row numbers");
    let xlsx_cells: Vec<Vec<String>> = xlsx.rows.iter().map(|r| r.cells.clone()).collect();
    assert_eq!(xlsx_cells, expected);

    // The default CSV, and the one for Excel where the decimal separator is a comma.
    let semicolons = ExportSettings { delimiter: Delimiter::Semicolon, utf8_bom: true, ..settings(Format::Csv) };
    for (csv_settings, delimiter) in [(settings(Format::Csv), b','), (semicolons, b';')] {
        let name = format!("contacts-{}.csv", char::from(delimiter));
        let csv_path = export(csv_settings, &name).await;
        let written = std::fs::read_to_string(&csv_path).unwrap();
        for guarded in ["'=Gold", "'=HYPERLINK", "'-Minus", "'-2+3", "'@SUM", "'-0 days", "'=Flags: Note", "'+44"] {
            assert!(written.contains(guarded), "the export guards {guarded}");
        }
        let csv = read_with(&csv_path, &ReadOptions::default()).expect("our CSV reads");
        assert_eq!(csv.source, Source::Csv { encoding: Encoding::Utf8, delimiter });
        assert_eq!(csv.headers, xlsx.headers, "{name}");
        let csv_cells: Vec<Vec<String>> = csv.rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(csv_cells, xlsx_cells, "{name}: the same table as the XLSX");
        // The second contact's notes hold two line breaks: the next record starts 2 lines on.
        assert_eq!(csv.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 6, 7, 8], "{name}");
    }
}
