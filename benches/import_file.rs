//! Reading an import file: 100,000 contacts written by our own CSV and XLSX exports (every
//! standard column), read back into a table with `import::file::read_table`. Median of 3.
//!
//! `cargo bench --bench import_file`. Prints a Markdown table for BENCHMARKS.md.
//!
//! In a debug build the XLSX read is some ten times slower than optimised: `quick-xml` scans
//! with `memchr`, whose SIMD intrinsics are function calls when not optimised.

mod support;

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::Contact;
use treepl_contacts::api::fields::all_fields;
use treepl_contacts::export::{ExportSettings, Format, write_contacts};
use treepl_contacts::import::file::{ReadOptions, read_table};

const CONTACTS: usize = 100_000;
const ROUNDS: usize = 3;

fn main() {
    println!("Machine: {}", support::machine());
    println!();
    let contacts: Vec<Contact> = (0..CONTACTS).map(contact).collect();
    let folder = tempfile::tempdir().expect("a scratch folder");
    println!("| rows | format | file | read (median of {ROUNDS}) |");
    println!("|---|---|---|---|");
    for format in [Format::Csv, Format::Xlsx] {
        let settings = ExportSettings { format, columns: all_fields(&[]), ..ExportSettings::default() };
        let path = folder.path().join(format!("contacts.{}", format.extension()));
        let file = std::fs::File::create(&path).expect("the file");
        write_contacts(&contacts, &settings, std::io::BufWriter::new(file)).expect("the export");
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or_default();
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let started = Instant::now();
                let table = read_table(&path, &ReadOptions::default(), &CancellationToken::new(), |_, _| {})
                    .expect("the file reads");
                assert_eq!(table.rows.len(), CONTACTS);
                started.elapsed()
            })
            .collect();
        times.sort();
        let mib = size as f64 / (1024.0 * 1024.0);
        println!("| {CONTACTS} | {} | {mib:.1} MiB | {:.2} s |", format.label(), times[ROUNDS / 2].as_secs_f64());
    }
}

/// A contact with every standard field filled, some with line breaks and non-ASCII text.
fn contact(i: usize) -> Contact {
    serde_json::from_value(serde_json::json!({
        "Id": i + 1, "Email": format!("person{i}@bench.example"), "FirstName": "Zoë", "LastName": format!("Müller {i}"),
        "CrmType": "Contact", "EmailConfirmed": i.is_multiple_of(2), "Role": "Member", "CreatedDate": "2024-05-17T18:18:39.175Z",
        "Address": format!("{i} High Street"), "City": "Zürich", "State": "ZH", "ZipCode": "8001", "Country": "Switzerland",
        "BillingAddress": "PO Box 1", "BillingCity": "Bern", "BillingState": "BE", "BillingZipCode": "3000",
        "BillingCountry": "Switzerland", "Site": "Main", "Phone": "+41 44 000 00 00", "Status": "Active",
        "Notes": "first line\nsecond line, with a comma", "Type": 2, "CustomerTypeName": "Retail",
        "IsDataUsingAllowed": true
    }))
    .expect("a contact")
}
