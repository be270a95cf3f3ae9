//! Property tests of the client's wire formats: any filter the builder makes is written as
//! the contract says and reads back as itself, and any unknown field a site sends survives a
//! round trip through the models.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use treepl_contacts::api::model::{Booking, Order, SecureZone};
use treepl_contacts::api::query::{FieldPath, Op, Where};
use treepl_contacts::api::{Contact, ContactInput};

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[a-zA-Zé ]{0,8}".prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn field() -> impl Strategy<Value = FieldPath> {
    prop_oneof![
        "[A-Z][a-zA-Z]{0,10}".prop_map(FieldPath::Top),
        ("[A-Z][a-z]{0,6}", "[A-Z][a-z]{0,6}").prop_map(|(group, field)| FieldPath::Custom { group, field }),
    ]
}

/// A comparison with a value its operator accepts.
fn comparison() -> impl Strategy<Value = Where> {
    (
        field(),
        proptest::sample::select(Op::ALL.to_vec()),
        scalar(),
        proptest::collection::vec(scalar(), 0..4),
        "[a-z]{0,5}",
    )
        .prop_map(|(field, op, value, list, text)| {
            let value = match op {
                Op::In | Op::Nin => Value::Array(list),
                Op::IsNull => Value::Bool(value.is_null()),
                Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith => Value::from(text),
                Op::Gt | Op::Gte | Op::Lt | Op::Lte if value.is_null() => Value::from(1),
                _ => value,
            };
            Where::Compare { field, op, value }
        })
}

/// Filters as the builder makes them: `and`/`or` of two or more parts, `negate`.
fn filter() -> impl Strategy<Value = Where> {
    comparison().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Where::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Where::Or),
            inner.prop_map(Where::negate),
        ]
    })
}

fn unknown_fields() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![scalar(), "[a-z]{0,6}".prop_map(Value::from)];
    let value = leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[A-Z][a-z]{0,5}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    // Names no model knows ("Zz" is never a field of ours).
    proptest::collection::btree_map("Zz[A-Za-z]{1,8}", value, 0..4).prop_map(|m| m.into_iter().collect())
}

/// The contract's JSON for a filter, written here from the contract's prose (fields by
/// name, custom ones as `CustomCrmGroups.<group>.<field>`, operators as the contract spells
/// them), so that the builder's JSON is checked against something other than itself.
fn contract_json(filter: &Where) -> Value {
    match filter {
        Where::Compare { field, op, value } => {
            let name = match field {
                FieldPath::Top(name) => name.clone(),
                FieldPath::Custom { group, field } => format!("CustomCrmGroups.{group}.{field}"),
            };
            let op = match op {
                Op::Eq => "$eq",
                Op::Neq => "$neq",
                Op::Gt => "$gt",
                Op::Gte => "$gte",
                Op::Lt => "$lt",
                Op::Lte => "$lte",
                Op::Contains => "$contains",
                Op::NotContains => "$notContains",
                Op::StartsWith => "$startsWith",
                Op::EndsWith => "$endsWith",
                Op::In => "$in",
                Op::Nin => "$nin",
                Op::IsNull => "$isNull",
            };
            json!({ name: { op: value } })
        }
        Where::And(parts) => json!({ "$and": parts.iter().map(contract_json).collect::<Vec<_>>() }),
        Where::Or(parts) => json!({ "$or": parts.iter().map(contract_json).collect::<Vec<_>>() }),
        Where::Not(inner) => json!({ "$not": contract_json(inner) }),
        other => panic!("not a generated filter: {other:?}"),
    }
}

proptest! {
    #[test]
    fn every_built_filter_reads_back_as_itself(filter in filter()) {
        let json = filter.to_json();
        prop_assert_eq!(&json, &contract_json(&filter), "the contract's JSON");
        prop_assert_eq!(Where::parse(&json).unwrap(), filter.clone());
        // And the text form a user could paste into a raw editor.
        prop_assert_eq!(Where::parse_str(&json.to_string()).unwrap(), filter);
    }

    #[test]
    fn unknown_contact_fields_survive_an_update_round_trip(extra in unknown_fields(), id in 1i64..1_000_000) {
        let mut sent = json!({"Id": id, "Email": "someone@example.com", "LastName": "Ökten", "BillingCity": "Oslo"});
        sent.as_object_mut().unwrap().extend(extra.clone());
        let contact: Contact = serde_json::from_value(sent).unwrap();
        prop_assert_eq!(&contact.extra, &extra);
        let body = serde_json::to_value(ContactInput::from_contact(&contact)).unwrap();
        for (key, value) in &extra {
            prop_assert_eq!(&body[key], value);
        }
        let again: Contact = serde_json::from_value(serde_json::to_value(&contact).unwrap()).unwrap();
        prop_assert_eq!(again, contact);
    }

    #[test]
    fn unknown_fields_of_records_survive_too(extra in unknown_fields()) {
        let with = |base: Value| {
            let mut value = base;
            value.as_object_mut().unwrap().extend(extra.clone());
            value
        };
        let booking: Booking = serde_json::from_value(with(json!({"Id": 1, "EventId": 2}))).unwrap();
        prop_assert_eq!(&booking.extra, &extra);
        let order: Order = serde_json::from_value(with(json!({"Id": 1, "TotalCost": 12.5}))).unwrap();
        prop_assert_eq!(serde_json::from_value::<Order>(serde_json::to_value(&order).unwrap()).unwrap(), order);
        let zone: SecureZone = serde_json::from_value(with(json!({"Id": 3, "Name": "Gold"}))).unwrap();
        let sent_back = serde_json::to_value(&zone).unwrap();
        for (key, value) in &extra {
            prop_assert_eq!(&sent_back[key], value);
        }
    }
}

#[test]
fn malformed_replies_are_errors_not_panics() {
    for body in ["[1,2]", "nul", "null", r#""a contact""#] {
        assert!(serde_json::from_str::<Contact>(body).is_err(), "{body}");
    }
}

#[test]
fn an_odd_field_never_fails_its_contact_and_is_kept_as_sent() {
    for (body, field) in [
        (r#"{"Id": "x", "Email": "a@example.com"}"#, "Id"),
        (r#"{"Id": 1, "CreatedDate": "not a date"}"#, "CreatedDate"),
        (r#"{"Id": 1, "EmailConfirmed": "perhaps"}"#, "EmailConfirmed"),
        (r#"{"Id": 1, "FirstName": {"Given": "Ann"}}"#, "FirstName"),
    ] {
        let sent: Value = serde_json::from_str(body).unwrap();
        let contact: Contact = serde_json::from_str(body).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(contact.unreadable(field), Some(&sent[field]), "{body}");
        assert_eq!(serde_json::to_value(&contact).unwrap(), sent, "{body}: kept as sent");
    }
}
