//! A plain in-memory reading of the contract's Where and Order_By semantics, written from
//! the contract's prose and nothing else, to check the sandbox's SQL against.

use std::cmp::Ordering;

use serde_json::Value;
use treepl_contacts::api::query::{FieldPath, Op, OrderBy, Where};
use treepl_contacts::api::{Contact, Timestamp};

/// Fields whose string values are instants.
const DATE_FIELDS: &[&str] = &["CreatedDate"];

fn is_date(path: &FieldPath) -> bool {
    matches!(path, FieldPath::Top(name) if DATE_FIELDS.contains(&name.as_str()))
}

/// The value of a field of a contact as JSON (`null` when absent).
pub fn value_of(contact: &Value, path: &FieldPath) -> Value {
    match path {
        FieldPath::Top(name) => contact.get(name).cloned().unwrap_or(Value::Null),
        FieldPath::Custom { group, field } => contact
            .get("CustomCrmGroups")
            .and_then(|g| g.get(group))
            .and_then(|g| g.get(field))
            .cloned()
            .unwrap_or(Value::Null),
    }
}

pub fn matches(filter: &Where, contact: &Contact) -> bool {
    let json = serde_json::to_value(contact).expect("a contact is JSON");
    matches_json(filter, &json)
}

fn matches_json(filter: &Where, contact: &Value) -> bool {
    match filter {
        Where::All => true,
        Where::And(parts) => parts.iter().all(|p| matches_json(p, contact)),
        Where::Or(parts) => parts.iter().any(|p| matches_json(p, contact)),
        Where::Not(inner) => !matches_json(inner, contact),
        Where::Raw(value) => matches_json(&Where::parse(value).expect("a valid filter"), contact),
        Where::Compare { field, op, value } => {
            let actual = value_of(contact, field);
            let date = is_date(field);
            match op {
                Op::Eq => equal(&actual, value, date),
                Op::Neq => !equal(&actual, value, date),
                Op::Gt => compare(&actual, value, date) == Some(Ordering::Greater),
                Op::Gte => matches!(compare(&actual, value, date), Some(Ordering::Greater | Ordering::Equal)),
                Op::Lt => compare(&actual, value, date) == Some(Ordering::Less),
                Op::Lte => matches!(compare(&actual, value, date), Some(Ordering::Less | Ordering::Equal)),
                Op::Contains => text_test(&actual, value, |a, b| a.contains(b)),
                Op::NotContains => !text_test(&actual, value, |a, b| a.contains(b)),
                Op::StartsWith => text_test(&actual, value, |a, b| a.starts_with(b)),
                Op::EndsWith => text_test(&actual, value, |a, b| a.ends_with(b)),
                Op::In => value.as_array().expect("$in takes an array").iter().any(|v| equal(&actual, v, date)),
                Op::Nin => !value.as_array().expect("$nin takes an array").iter().any(|v| equal(&actual, v, date)),
                Op::IsNull => actual.is_null() == value.as_bool().expect("$isNull takes a bool"),
            }
        }
    }
}

/// `null` equals only null; strings compare by their lowercase forms (dates as instants).
fn equal(actual: &Value, expected: &Value, date: bool) -> bool {
    match (actual, expected) {
        (Value::Null, Value::Null) => true,
        (Value::Null, _) | (_, Value::Null) => false,
        _ => compare(actual, expected, date) == Some(Ordering::Equal),
    }
}

/// Values of the same kind compare; null and mixed kinds do not.
fn compare(actual: &Value, expected: &Value, date: bool) -> Option<Ordering> {
    match (actual, expected) {
        (Value::String(a), Value::String(b)) if date => Some(Timestamp::parse(a)?.cmp(&Timestamp::parse(b)?)),
        (Value::String(a), Value::String(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn text_test(actual: &Value, needle: &Value, test: impl Fn(&str, &str) -> bool) -> bool {
    match (actual, needle) {
        (Value::String(a), Value::String(b)) => test(&a.to_lowercase(), &b.to_lowercase()),
        _ => false,
    }
}

/// Sort rank of a value: null first, then true/false, numbers, text.
fn sort_key(value: &Value, date: bool) -> (u8, f64, String) {
    match value {
        Value::Null => (0, 0.0, String::new()),
        Value::Bool(flag) => (1, if *flag { 1.0 } else { 0.0 }, String::new()),
        Value::Number(n) => (2, n.as_f64().unwrap_or(0.0), String::new()),
        Value::String(text) if date => (2, Timestamp::parse(text).map_or(0.0, |t| t.millis() as f64), String::new()),
        Value::String(text) => (3, 0.0, text.to_lowercase()),
        _ => (4, 0.0, String::new()),
    }
}

/// Sorts as the contract says: by the field (null smallest), ties by Id ascending.
pub fn sort(contacts: &mut [Contact], order_by: Option<&OrderBy>) {
    let Some(order_by) = order_by else {
        contacts.sort_by_key(|c| c.id);
        return;
    };
    let path = FieldPath::parse(&order_by.field).expect("a valid field");
    let date = is_date(&path);
    let keyed = |c: &Contact| sort_key(&value_of(&serde_json::to_value(c).expect("JSON"), &path), date);
    contacts.sort_by(|a, b| {
        let (ka, kb) = (keyed(a), keyed(b));
        // By value: -0.0 equals 0.
        let by_number = ka.1.partial_cmp(&kb.1).unwrap_or(std::cmp::Ordering::Equal);
        let by_field = ka.0.cmp(&kb.0).then(by_number).then_with(|| ka.2.cmp(&kb.2));
        let by_field = if order_by.descending { by_field.reverse() } else { by_field };
        by_field.then(a.id.cmp(&b.id))
    });
}
