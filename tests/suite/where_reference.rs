//! Every Where operator and Order_By of the sandbox, checked against the plain in-memory
//! reference (tests/common/reference.rs) on random contacts stored in a real SQLite file.

use crate::common;

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::{Value, json};
use treepl_contacts::api::Page;
use treepl_contacts::api::query::{FieldPath, Op, OrderBy, Where};
use treepl_contacts::api::{Contact, ListQuery, Timestamp};
use treepl_contacts::sandbox::{SiteListRequest, Store};

use common::reference;

/// Text that differs only in case, in and beyond ASCII, plus prefixes and empties.
const WORDS: &[&str] = &[
    "Émile", "émile", "ÉMILE", "Zoë", "zoë", "ZOË", "Øyvind", "øyvind", "Anna", "anna", "İlker", "Straße", "STRASSE",
    "Ökten", "öz", "ab", "a", "",
];
const NEEDLES: &[&str] = &["é", "É", "zo", "ZOË", "ë", "anna", "a", "", "ø", "ß", "Str", "İ", "i̇", "z", "mile", "x"];
const INSTANTS: &[&str] = &[
    "2024-05-17T12:00:00Z",
    "2024-05-18T01:00:00+14:00",
    "2024-05-17T11:00:00.500Z",
    "2023-01-01T00:00:00Z",
    "2025-12-31T23:59:59.999Z",
    "2024-05-17T12:00:00",
];

fn word() -> impl Strategy<Value = Option<String>> {
    prop_oneof![4 => proptest::sample::select(WORDS).prop_map(|w| Some(w.to_owned())), 1 => Just(None)]
}

fn custom_value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        proptest::sample::select(WORDS).prop_map(|w| Some(json!(w))),
        (-3i64..4).prop_map(|n| Some(json!(n))),
        (-2.0f64..2.0).prop_map(|f| Some(json!((f * 4.0).round() / 4.0))),
        any::<bool>().prop_map(|b| Some(json!(b))),
        Just(None),
    ]
}

fn contact() -> impl Strategy<Value = Contact> {
    (
        (word(), word(), word(), word()),
        (
            proptest::option::of(0i64..4),
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(proptest::sample::select(INSTANTS)),
        ),
        (
            proptest::option::of(proptest::sample::select(WORDS)),
            proptest::option::of(-5i64..5),
            proptest::option::of(any::<bool>()),
            custom_value(),
        ),
    )
        .prop_map(
            |((first, last, city, country), (kind, allowed, confirmed, created), (text, number, flag, mixed))| {
                let mut group = BTreeMap::new();
                if let Some(text) = text {
                    group.insert("Text".to_owned(), json!(text));
                }
                if let Some(number) = number {
                    group.insert("Number".to_owned(), json!(number));
                }
                if let Some(flag) = flag {
                    group.insert("Flag".to_owned(), json!(flag));
                }
                if let Some(mixed) = mixed {
                    group.insert("Mixed".to_owned(), mixed);
                }
                let mut contact = Contact {
                    first_name: first,
                    last_name: last,
                    contact_type: kind,
                    is_data_using_allowed: Some(allowed),
                    email_confirmed: Some(confirmed),
                    created_date: created.and_then(Timestamp::parse),
                    ..Contact::default()
                };
                contact.address.city = city;
                contact.address.country = country;
                if !group.is_empty() {
                    contact.custom_crm_groups.insert("Prefs".to_owned(), group);
                }
                contact
            },
        )
}

/// A comparison whose value fits the field (a mismatch is a 400, tested elsewhere).
fn comparison() -> impl Strategy<Value = Where> {
    let text_field = proptest::sample::select(vec!["FirstName", "LastName", "City", "Country"]);
    let custom_field = proptest::sample::select(vec!["Text", "Number", "Flag", "Mixed", "Absent"]);
    let text_op = proptest::sample::select(vec![
        Op::Eq,
        Op::Neq,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::Contains,
        Op::NotContains,
        Op::StartsWith,
        Op::EndsWith,
    ]);
    let order_op = proptest::sample::select(vec![Op::Eq, Op::Neq, Op::Gt, Op::Gte, Op::Lt, Op::Lte]);
    let any_value = prop_oneof![
        proptest::sample::select(NEEDLES).prop_map(|n| json!(n)),
        (-3i64..4).prop_map(|n| json!(n)),
        Just(json!(0.5)),
        any::<bool>().prop_map(|b| json!(b)),
    ];
    let words = proptest::sample::subsequence(NEEDLES.to_vec(), 0..4);
    prop_oneof![
        (text_field.clone(), text_op.clone(), proptest::sample::select(NEEDLES))
            .prop_map(|(f, op, v)| Where::field(f).op(op, v)),
        (text_field.clone(), words.clone(), any::<bool>(), any::<bool>()).prop_map(|(f, ws, with_null, negate)| {
            let mut values: Vec<Value> = ws.into_iter().map(Value::from).collect();
            if with_null {
                values.push(Value::Null);
            }
            Where::field(f).op(if negate { Op::Nin } else { Op::In }, Value::Array(values))
        }),
        (text_field.clone(), any::<bool>()).prop_map(|(f, null)| Where::field(f).is_null(null)),
        (text_field, any::<bool>())
            .prop_map(|(f, eq)| Where::field(f).op(if eq { Op::Eq } else { Op::Neq }, Value::Null)),
        (proptest::sample::select(vec!["Type", "Id"]), order_op.clone(), -1i64..5)
            .prop_map(|(f, op, v)| Where::field(f).op(op, v)),
        (proptest::sample::select(vec!["IsDataUsingAllowed", "EmailConfirmed"]), order_op.clone(), any::<bool>())
            .prop_map(|(f, op, v)| Where::field(f).op(op, v)),
        (order_op.clone(), proptest::sample::select(INSTANTS))
            .prop_map(|(op, v)| Where::field("CreatedDate").op(op, v)),
        Just(Where::field("CreatedDate").is_null(true)),
        (custom_field.clone(), text_op, any_value.clone()).prop_map(|(f, op, v)| {
            // Text operators need text; others take any kind.
            let v = if matches!(op, Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith) && !v.is_string() {
                json!("a")
            } else {
                v
            };
            Where::custom("Prefs", f).op(op, v)
        }),
        (custom_field.clone(), proptest::collection::vec(any_value, 0..3), any::<bool>()).prop_map(
            |(f, vs, negate)| Where::custom("Prefs", f).op(if negate { Op::Nin } else { Op::In }, Value::Array(vs))
        ),
        (custom_field, any::<bool>()).prop_map(|(f, null)| Where::custom("Prefs", f).is_null(null)),
    ]
}

fn filter() -> impl Strategy<Value = Where> {
    comparison().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Where::And),
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Where::Or),
            inner.prop_map(Where::negate),
        ]
    })
}

fn order_by() -> impl Strategy<Value = Option<OrderBy>> {
    let fields = vec![
        "Id",
        "FirstName",
        "LastName",
        "City",
        "Country",
        "Type",
        "IsDataUsingAllowed",
        "CreatedDate",
        "CustomCrmGroups.Prefs.Text",
        "CustomCrmGroups.Prefs.Number",
        "CustomCrmGroups.Prefs.Mixed",
    ];
    proptest::option::of(
        (proptest::sample::select(fields), any::<bool>())
            .prop_map(|(f, desc)| OrderBy { field: f.to_owned(), descending: desc }),
    )
}

/// The contacts stored in a new SQLite file, and the same contacts as the test made them
/// (with the ids the store gave them): the reference is run on these, not on what the store
/// reads back.
fn stored(contacts: &[Contact]) -> (tempfile::TempDir, Store, Vec<Contact>) {
    let folder = tempfile::tempdir().unwrap();
    let store = Store::open(&folder.path().join("reference.db")).unwrap();
    let with_emails: Vec<Contact> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| Contact { email: format!("person{i}@example.com"), ..c.clone() })
        .collect();
    let ids = store.insert_contacts(&with_emails).unwrap();
    let made: Vec<Contact> = with_emails.into_iter().zip(ids).map(|(c, id)| Contact { id, ..c }).collect();
    (folder, store, made)
}

/// What the store lists for `query`, read from the client's wire encoding as the site reads it.
fn listed(store: &Store, query: &ListQuery) -> Result<Page<Contact>, String> {
    let request = SiteListRequest::from_pairs(
        treepl_contacts::api::Dialect::default().list_request(query).expect("the client encodes it").query,
    )?;
    store.list_contacts(&request).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn filters_and_sorts_match_the_reference(
        contacts in proptest::collection::vec(contact(), 1..40),
        filters in proptest::collection::vec((filter(), order_by()), 1..8),
    ) {
        let (_folder, store, all) = stored(&contacts);
        for (filter, order_by) in filters {
            let query = ListQuery { filter: filter.clone(), order_by: order_by.clone(), offset: 0, limit: 500 };
            let page = listed(&store, &query).map_err(|e| TestCaseError::fail(format!("{e} for {}", filter.to_json())))?;
            let mut expected: Vec<Contact> = all.iter().filter(|c| reference::matches(&filter, c)).cloned().collect();
            reference::sort(&mut expected, order_by.as_ref());
            let got: Vec<i64> = page.items.iter().map(|c| c.id).collect();
            let want: Vec<i64> = expected.iter().map(|c| c.id).collect();
            prop_assert_eq!(&got, &want, "filter {} order {:?}", filter.to_json(), order_by);
            prop_assert_eq!(page.total_items_count, Some(want.len() as u64));
        }
    }
}

#[test]
fn unicode_case_is_folded_beyond_ascii() {
    let people = ["Émile", "ÖZIL", "Zoë", "emile"]
        .map(|name| Contact { first_name: Some(name.to_owned()), ..Contact::default() });
    let (_folder, store, _) = stored(&people);
    let names = |filter: Where| -> Vec<String> {
        let query = ListQuery::new(filter).order_by(OrderBy::asc("Id"));
        listed(&store, &query).unwrap().items.into_iter().filter_map(|c| c.first_name).collect()
    };
    assert_eq!(names(Where::field("FirstName").starts_with("é")), ["Émile"]);
    assert_eq!(names(Where::field("FirstName").eq("özil")), ["ÖZIL"]);
    assert_eq!(names(Where::field("FirstName").contains("OË")), ["Zoë"]);
}

#[test]
fn dates_compare_as_instants_whatever_their_offset() {
    let at = |text: &str| Contact { created_date: Timestamp::parse(text), ..Contact::default() };
    let (_folder, store, all) = stored(&[at("2024-05-17T12:00:00Z"), at("2024-05-17T10:00:00Z")]);
    let query = ListQuery::new(Where::field("CreatedDate").lt("2024-05-18T01:00:00+14:00"));
    let found: Vec<i64> = listed(&store, &query).unwrap().items.iter().map(|c| c.id).collect();
    assert_eq!(found, [all[1].id], "01:00 at +14:00 is 11:00 UTC on the 17th");
}

#[test]
fn a_custom_path_no_record_has_matches_as_null() {
    let (_folder, store, all) = stored(&[Contact::default(), Contact::default()]);
    let none = Where::custom("Nobody", "Has").eq("x");
    assert_eq!(listed(&store, &ListQuery::new(none)).unwrap().items.len(), 0);
    let nulls = Where::custom("Nobody", "Has").is_null(true);
    assert_eq!(listed(&store, &ListQuery::new(nulls)).unwrap().items.len(), all.len());
    let path = FieldPath::Custom { group: "Nobody".into(), field: "Has".into() };
    assert_eq!(path.to_string(), "CustomCrmGroups.Nobody.Has");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The client's own row check (what the guards use) reads the dialect as the reference does.
    #[test]
    fn the_clients_row_check_agrees_with_the_reference(
        contacts in proptest::collection::vec(contact(), 1..40),
        filters in proptest::collection::vec(filter(), 1..8),
    ) {
        for filter in filters {
            let check = treepl_contacts::api::RowCheck::new(&filter).expect("a filter of the dialect");
            for contact in &contacts {
                prop_assert_eq!(check.matches(contact), reference::matches(&filter, contact), "filter {}", filter.to_json());
            }
        }
    }
}
