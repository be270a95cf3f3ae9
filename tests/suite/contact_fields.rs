//! The app's one table of contact fields against the contract's contact
//! (`tests/fixtures/contract_contact.json`, written from the contract; see its README):
//! every field of the contract appears once, in the contract's order, with the contract's
//! type, and custom fields are paths of their own.

use std::collections::BTreeMap;

use serde_json::Value;
use treepl_contacts::api::contact_fields::{FIELDS, Kind};
use treepl_contacts::api::query::CUSTOM_PREFIX;
use treepl_contacts::api::{Contact, FieldPath, Timestamp};

const FIXTURE: &str = include_str!("../fixtures/contract_contact.json");

fn contract_contact() -> serde_json::Map<String, Value> {
    match serde_json::from_str(FIXTURE) {
        Ok(Value::Object(fields)) => fields,
        other => panic!("the fixture is a JSON object: {other:?}"),
    }
}

/// Every leaf of `value` as a dotted path (`City`, `CustomCrmGroups.Membership.Level`).
fn leaf_paths(value: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    let Value::Object(fields) = value else { return out.push((prefix.to_owned(), value.clone())) };
    for (key, inner) in fields {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        leaf_paths(inner, &path, out);
    }
}

#[test]
fn every_field_of_the_contracts_contact_is_in_the_table_once() {
    let mut leaves = Vec::new();
    leaf_paths(&Value::Object(contract_contact()), "", &mut leaves);
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    for spec in &FIELDS {
        *rows.entry(spec.name).or_default() += 1;
    }
    let mut custom = 0;
    for (path, _) in &leaves {
        match FieldPath::parse(path) {
            Ok(FieldPath::Top(name)) => assert_eq!(rows.remove(name.as_str()), Some(1), "{name}: one row"),
            Ok(parsed @ FieldPath::Custom { .. }) => {
                assert_eq!(parsed.to_string(), *path, "a custom field's path writes back as it read");
                custom += 1;
            }
            Err(error) => panic!("{path}: {error}"),
        }
    }
    assert!(rows.is_empty(), "rows the contract does not have: {rows:?}");
    assert_eq!(custom, 3, "the custom values are paths of their own, not rows");
}

#[test]
fn the_table_keeps_the_contracts_order() {
    let position = |name: &str| FIXTURE.find(&format!("\"{name}\":")).unwrap_or_else(|| panic!("{name}"));
    let positions: Vec<usize> = FIELDS.iter().map(|spec| position(spec.name)).collect();
    assert!(positions.is_sorted(), "{:?}", FIELDS.iter().map(|spec| spec.name).collect::<Vec<_>>());
    assert!(position(CUSTOM_PREFIX) > positions[positions.len() - 1], "the custom groups come last");
}

#[test]
fn each_kind_is_the_contracts_type() {
    let contact = contract_contact();
    for spec in &FIELDS {
        let value = &contact[spec.name];
        let text = value.as_str();
        let matches = match spec.kind() {
            Kind::Id | Kind::WholeNumber => value.is_i64(),
            Kind::Bool => value.is_boolean(),
            Kind::Date => text.and_then(Timestamp::parse).is_some(),
            Kind::Email | Kind::Text => value.is_string(),
        };
        assert!(matches, "{} is {:?} but the contract sends {value}", spec.name, spec.kind());
    }
}

#[test]
fn the_model_reads_every_field_of_the_contract_into_the_table_and_writes_it_back() {
    let sent = Value::Object(contract_contact());
    let contact: Contact = serde_json::from_value(sent.clone()).expect("the contract's contact reads");
    assert!(contact.extra.is_empty(), "no field of the contract is left unknown: {:?}", contact.extra);
    for spec in &FIELDS {
        assert_eq!(contact.unreadable(spec.name), None, "{}", spec.name);
        let shown = spec.value(&contact).to_text(|date| date.to_wire()).into_owned();
        let expected = match &sent[spec.name] {
            Value::String(text) => text.clone(),
            Value::Bool(flag) => if *flag { "yes" } else { "no" }.to_owned(),
            other => other.to_string(),
        };
        assert_eq!(shown, expected, "{}", spec.name);
    }
    let mut made_here = contact.clone();
    made_here.received = Default::default();
    assert_eq!(serde_json::to_value(&made_here).unwrap(), sent, "written from the table alone, as the contract has it");
}
