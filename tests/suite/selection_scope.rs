//! A selection over a million-row query, resolved by streaming: a range from row 10 to row
//! 900,000 is exported exactly, in order, from a page source that counts its calls and caps
//! its pages like a stricter site would.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio_util::sync::CancellationToken;
use treepl_contacts::api::paging::{PageSource, PagingOptions};
use treepl_contacts::api::selection::resolve_ids;
use treepl_contacts::api::{ApiError, Contact, ContactScope, ListQuery, Page, Selection};
use treepl_contacts::export::{ExportSettings, Format, run_export};

const ROWS: u64 = 1_000_000;

/// A million contacts whose id is their row + 1; pages hold at most `cap` rows.
struct MillionRows {
    cap: u32,
    calls: AtomicU64,
}

impl PageSource<Contact> for MillionRows {
    fn fetch_page(&self, query: ListQuery) -> impl Future<Output = Result<Page<Contact>, ApiError>> + Send {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let end = (query.offset + u64::from(query.limit.min(self.cap))).min(ROWS);
        let items = (query.offset..end).map(|row| Contact { id: row as i64 + 1, ..Contact::default() }).collect();
        std::future::ready(Ok(Page::new(items, ROWS)))
    }
}

#[tokio::test]
async fn exporting_a_range_of_a_million_rows_writes_exactly_those_rows_in_order() {
    let source = MillionRows { cap: 250, calls: AtomicU64::new(0) };
    let scope = ContactScope { query: ListQuery::default(), selection: Selection::range(10, 900_000) };
    assert_eq!(scope.known_count(), Some(899_991));
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("range.csv");
    let settings = ExportSettings { format: Format::Csv, columns: vec!["Id".into()], ..ExportSettings::default() };
    let cancel = CancellationToken::new();
    let summary =
        run_export(&source, &scope, &settings, &target, &PagingOptions::default(), &cancel, |_, _| {}).await.unwrap();
    assert_eq!(summary.contacts, 899_991);
    let mut reader = csv::Reader::from_path(&target).unwrap();
    let mut expected_id = 11_u64;
    for record in reader.records() {
        let id: u64 = record.unwrap()[0].parse().unwrap();
        assert_eq!(id, expected_id, "rows in order, none missing or repeated");
        expected_id += 1;
    }
    assert_eq!(expected_id, 900_002, "the last row written is row 900,000");
    // One request per capped page of the range, and no more.
    let calls = source.calls.load(Ordering::Relaxed);
    assert!(calls <= 899_991 / 250 + 2, "{calls} requests");
}

#[tokio::test]
async fn a_range_less_some_ids_resolves_to_just_its_ids() {
    let source = MillionRows { cap: 20, calls: AtomicU64::new(0) };
    let mut selection = Selection::range(500_000, 500_099);
    selection.toggle(500_050, 500_051);
    selection.toggle(3, 4);
    let scope = ContactScope { query: ListQuery::default(), selection };
    let ids =
        resolve_ids(&source, &scope, &PagingOptions::default(), &CancellationToken::new(), |_, _| {}).await.unwrap();
    let mut expected: Vec<i64> = (500_001..=500_100).filter(|id| *id != 500_051).collect();
    expected.push(4);
    assert_eq!(ids, expected);
    assert_eq!(source.calls.load(Ordering::Relaxed), 5, "100 rows at 20 a page");
}
