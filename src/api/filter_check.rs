//! The client's own reading of the Where dialect (`../shared/treepl-api.md`, "Where"), used
//! to check that each row a site returned for a filtered list matches the filter: a site that
//! ignores or misreads the filter must never make the app act on rows the user did not ask for.
//!
//! Semantics, from the contract: strings compare by their lowercase forms (all of Unicode);
//! `null` equals only null, so `$neq`, `$nin`, `$notContains` and `$not` match null while
//! `$contains`, `$startsWith`, `$endsWith` and the orderings never do; dates compare as
//! instants; values of different kinds never compare; a custom path no record has is null.
//!
//! A filter is compiled once per walk ([`RowCheck::new`]): needles are lowercased and dates
//! read once, so checking a row costs a few comparisons and no JSON.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use super::contact_fields::FieldSpec;
use super::fields::FieldValue;
use super::model::{Contact, Timestamp};
use super::query::{FieldPath, Op, Where};

/// What checking one row against a filter found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    Matches,
    Fails,
    /// The filter is outside the dialect this client reads ([`Where::is_checkable`]).
    Unknown,
}

impl Where {
    /// Whether the client can tell on its own which rows match this filter: false for raw
    /// JSON outside the known dialect.
    pub fn is_checkable(&self) -> bool {
        match self {
            Where::Raw(value) => Where::parse(value).is_ok_and(|parsed| parsed.is_checkable()),
            Where::And(parts) | Where::Or(parts) => parts.iter().all(Where::is_checkable),
            Where::Not(inner) => inner.is_checkable(),
            Where::All | Where::Compare { .. } => true,
        }
    }

    /// Whether `contact` matches this filter, by the contract's rules. Compiles the filter
    /// each call: for many rows, build one [`RowCheck`].
    pub fn check(&self, contact: &Contact) -> Checked {
        RowCheck::new(self).map_or(Checked::Unknown, |check| check.verdict(contact))
    }

    /// The filter in words, short: `City = Auckland`, `LastName contains obrien and ...`.
    pub fn describe(&self) -> String {
        const LIMIT: usize = 160;
        super::error::clip(&Words(self).to_string(), LIMIT)
    }
}

/// A filter compiled for checking rows.
#[derive(Clone, Debug)]
pub struct RowCheck {
    root: Node,
}

#[derive(Clone, Debug)]
enum Node {
    All,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Test { field: Field, test: Test },
}

/// Where a row's value comes from.
#[derive(Clone, Debug)]
enum Field {
    /// A field of the table, found once when the filter is compiled.
    Own(&'static FieldSpec),
    /// A top-level field the model does not know.
    Top(String),
    Custom {
        group: String,
        field: String,
    },
}

/// One comparison, its operand prepared.
#[derive(Clone, Debug)]
enum Test {
    Eq(Operand),
    Neq(Operand),
    Order(Op, Operand),
    Text(TextOp, String),
    NotContains(String),
    In(Vec<Operand>),
    Nin(Vec<Operand>),
    IsNull(bool),
}

#[derive(Clone, Copy, Debug)]
enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

/// A value from the filter: text lowercased once, its instant read once when it is a date.
#[derive(Clone, Debug)]
enum Operand {
    Null,
    Bool(bool),
    Number(f64),
    Text { lower: String, instant: Option<Timestamp> },
}

impl Operand {
    fn of(value: &Value) -> Option<Self> {
        Some(match value {
            Value::Null => Operand::Null,
            Value::Bool(flag) => Operand::Bool(*flag),
            Value::Number(number) => Operand::Number(number.as_f64()?),
            Value::String(text) => Operand::Text { lower: text.to_lowercase(), instant: Timestamp::parse(text) },
            Value::Array(_) | Value::Object(_) => return None,
        })
    }
}

/// A row's value, borrowed from the contact.
enum Actual<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(&'a str),
    Date(Timestamp),
    /// A value no comparison applies to (an array or an object).
    Other,
}

impl RowCheck {
    /// `None` when the filter is outside the dialect (see [`Where::is_checkable`]).
    pub fn new(filter: &Where) -> Option<Self> {
        Some(Self { root: compile(filter)? })
    }

    pub fn matches(&self, contact: &Contact) -> bool {
        eval(&self.root, contact)
    }

    pub fn verdict(&self, contact: &Contact) -> Checked {
        if self.matches(contact) { Checked::Matches } else { Checked::Fails }
    }
}

fn compile(filter: &Where) -> Option<Node> {
    Some(match filter {
        Where::All => Node::All,
        Where::And(parts) => Node::And(parts.iter().map(compile).collect::<Option<_>>()?),
        Where::Or(parts) => Node::Or(parts.iter().map(compile).collect::<Option<_>>()?),
        Where::Not(inner) => Node::Not(Box::new(compile(inner)?)),
        Where::Raw(value) => compile(&Where::parse(value).ok()?)?,
        Where::Compare { field, op, value } => {
            let field = match field {
                FieldPath::Top(name) => FieldSpec::named(name).map_or_else(|| Field::Top(name.clone()), Field::Own),
                FieldPath::Custom { group, field } => Field::Custom { group: group.clone(), field: field.clone() },
            };
            let operands = || value.as_array()?.iter().map(Operand::of).collect::<Option<Vec<_>>>();
            let text = || value.as_str().map(str::to_lowercase);
            let test = match op {
                Op::Eq => Test::Eq(Operand::of(value)?),
                Op::Neq => Test::Neq(Operand::of(value)?),
                Op::Gt | Op::Gte | Op::Lt | Op::Lte => Test::Order(*op, Operand::of(value)?),
                Op::Contains => Test::Text(TextOp::Contains, text()?),
                Op::StartsWith => Test::Text(TextOp::StartsWith, text()?),
                Op::EndsWith => Test::Text(TextOp::EndsWith, text()?),
                Op::NotContains => Test::NotContains(text()?),
                Op::In => Test::In(operands()?),
                Op::Nin => Test::Nin(operands()?),
                Op::IsNull => Test::IsNull(value.as_bool()?),
            };
            Node::Test { field, test }
        }
    })
}

fn eval(node: &Node, contact: &Contact) -> bool {
    match node {
        Node::All => true,
        Node::And(parts) => parts.iter().all(|part| eval(part, contact)),
        Node::Or(parts) => parts.iter().any(|part| eval(part, contact)),
        Node::Not(inner) => !eval(inner, contact),
        Node::Test { field, test } => {
            let actual = value_of(contact, field);
            match test {
                Test::Eq(operand) => equal(&actual, operand),
                Test::Neq(operand) => !equal(&actual, operand),
                Test::Order(op, operand) => {
                    let order = compare(&actual, operand);
                    match op {
                        Op::Gt => order == Some(Ordering::Greater),
                        Op::Gte => matches!(order, Some(Ordering::Greater | Ordering::Equal)),
                        Op::Lt => order == Some(Ordering::Less),
                        _ => matches!(order, Some(Ordering::Less | Ordering::Equal)),
                    }
                }
                Test::Text(op, needle) => text_test(&actual, needle, *op),
                Test::NotContains(needle) => !text_test(&actual, needle, TextOp::Contains),
                Test::In(operands) => operands.iter().any(|operand| equal(&actual, operand)),
                Test::Nin(operands) => !operands.iter().any(|operand| equal(&actual, operand)),
                Test::IsNull(null) => matches!(actual, Actual::Null) == *null,
            }
        }
    }
}

/// The contact's value at `field`; unknown top-level fields are looked for among the fields
/// the model keeps as they came, and are null when absent.
fn value_of<'a>(contact: &'a Contact, field: &Field) -> Actual<'a> {
    match field {
        Field::Custom { group, field } => {
            contact.custom_crm_groups.get(group).and_then(|fields| fields.get(field)).map_or(Actual::Null, json)
        }
        Field::Own(spec) => match own_value(contact, spec) {
            // A value the model could not read took its default (none): it is compared as the
            // site sent it. Looked up only then: the lookup costs more than the comparison.
            Actual::Null => contact.unreadable(spec.name).map_or(Actual::Null, json),
            typed => typed,
        },
        Field::Top(name) => contact.extra.get(name).map_or(Actual::Null, json),
    }
}

/// The contact's own (typed) value of a field of the table.
fn own_value<'a>(contact: &'a Contact, spec: &FieldSpec) -> Actual<'a> {
    match spec.value(contact) {
        FieldValue::Text(text) => Actual::Text(text),
        FieldValue::Int(number) => Actual::Number(number as f64),
        FieldValue::Bool(flag) => Actual::Bool(flag),
        FieldValue::Date(instant) => Actual::Date(instant),
        FieldValue::Json(value) | FieldValue::Unreadable(value) => json(value),
        FieldValue::Empty => Actual::Null,
    }
}

fn json(value: &Value) -> Actual<'_> {
    match value {
        Value::Null => Actual::Null,
        Value::Bool(flag) => Actual::Bool(*flag),
        Value::Number(number) => number.as_f64().map_or(Actual::Other, Actual::Number),
        Value::String(text) => Actual::Text(text),
        Value::Array(_) | Value::Object(_) => Actual::Other,
    }
}

/// `null` equals only null; other values equal when they compare equal.
fn equal(actual: &Actual<'_>, operand: &Operand) -> bool {
    match (actual, operand) {
        (Actual::Null, Operand::Null) => true,
        (Actual::Null, _) | (_, Operand::Null) => false,
        (Actual::Text(text), Operand::Text { lower, .. }) if text.is_ascii() && lower.is_ascii() => {
            text.eq_ignore_ascii_case(lower)
        }
        _ => compare(actual, operand) == Some(Ordering::Equal),
    }
}

/// Values of the same kind compare; null and mixed kinds do not.
fn compare(actual: &Actual<'_>, operand: &Operand) -> Option<Ordering> {
    match (actual, operand) {
        (Actual::Text(text), Operand::Text { lower, .. }) => Some(lowercase(text).as_ref().cmp(lower.as_str())),
        (Actual::Date(date), Operand::Text { instant, .. }) => Some(date.cmp(instant.as_ref()?)),
        (Actual::Number(number), Operand::Number(other)) => number.partial_cmp(other),
        (Actual::Bool(flag), Operand::Bool(other)) => Some(flag.cmp(other)),
        _ => None,
    }
}

fn text_test(actual: &Actual<'_>, needle: &str, op: TextOp) -> bool {
    let Actual::Text(text) = actual else { return false };
    let text = lowercase(text);
    match op {
        TextOp::Contains => text.contains(needle),
        TextOp::StartsWith => text.starts_with(needle),
        TextOp::EndsWith => text.ends_with(needle),
    }
}

/// The lowercase form, without a copy when the text has no capitals.
fn lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().all(|byte| !byte.is_ascii_uppercase() && byte.is_ascii()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// A filter in words, for messages.
struct Words<'a>(&'a Where);

impl fmt::Display for Words<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let joined = |f: &mut fmt::Formatter<'_>, parts: &[Where], word: &str| {
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    write!(f, " {word} ")?;
                }
                match part {
                    Where::And(_) | Where::Or(_) => write!(f, "({})", Words(part))?,
                    _ => write!(f, "{}", Words(part))?,
                }
            }
            Ok(())
        };
        match self.0 {
            Where::All => f.write_str("everything"),
            Where::And(parts) => joined(f, parts, "and"),
            Where::Or(parts) => joined(f, parts, "or"),
            Where::Not(inner) => write!(f, "not ({})", Words(inner)),
            Where::Raw(value) => write!(f, "the filter {value}"),
            Where::Compare { field, op, value } => {
                let shown = match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let word = match op {
                    Op::Eq => "=",
                    Op::Neq => "≠",
                    Op::Gt => ">",
                    Op::Gte => "≥",
                    Op::Lt => "<",
                    Op::Lte => "≤",
                    Op::Contains => "contains",
                    Op::NotContains => "does not contain",
                    Op::StartsWith => "starts with",
                    Op::EndsWith => "ends with",
                    Op::In => "is one of",
                    Op::Nin => "is none of",
                    Op::IsNull if value.as_bool() == Some(false) => return write!(f, "{field} is set"),
                    Op::IsNull => return write!(f, "{field} is empty"),
                };
                write!(f, "{field} {word} {shown}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_the_model_could_not_read_is_compared_as_the_site_sent_it() {
        let sent: Contact = serde_json::from_value(json!({"Id": 3, "Email": "a@b.example", "Type": "gold"})).unwrap();
        assert_eq!(sent.contact_type, None, "unreadable as a number");
        assert_eq!(Where::field("Type").eq("gold").check(&sent), Checked::Matches);
        assert_eq!(Where::field("Type").is_null(true).check(&sent), Checked::Fails);
    }

    fn contact(city: Option<&str>, custom: Option<Value>) -> Contact {
        let mut contact = Contact { id: 7, email: "Ana@Example.com".into(), ..Contact::default() };
        contact.address.city = city.map(str::to_owned);
        contact.created_date = Timestamp::parse("2024-05-17T12:00:00Z");
        if let Some(value) = custom {
            contact.custom_crm_groups.entry("Prefs".into()).or_default().insert("Tier".into(), value);
        }
        contact
    }

    fn verdict(filter: Value, contact: &Contact) -> Checked {
        Where::parse(&filter).unwrap().check(contact)
    }

    #[test]
    fn strings_compare_by_their_lowercase_forms_beyond_ascii() {
        let zoe = contact(Some("ÖREBRO"), None);
        assert_eq!(verdict(json!({"City": "örebro"}), &zoe), Checked::Matches);
        assert_eq!(verdict(json!({"City": {"$startsWith": "ö"}}), &zoe), Checked::Matches);
        assert_eq!(verdict(json!({"City": {"$endsWith": "BRO"}}), &zoe), Checked::Matches);
        assert_eq!(verdict(json!({"Email": {"$contains": "ana@example"}}), &zoe), Checked::Matches);
        assert_eq!(verdict(json!({"City": "Auckland"}), &zoe), Checked::Fails);
        assert_eq!(verdict(json!({"City": {"$gt": "oslo"}}), &zoe), Checked::Matches, "ö sorts after o");
    }

    #[test]
    fn null_equals_only_null_and_negations_match_it() {
        let nowhere = contact(None, None);
        assert_eq!(verdict(json!({"City": null}), &nowhere), Checked::Matches);
        assert_eq!(verdict(json!({"City": {"$neq": "Oslo"}}), &nowhere), Checked::Matches);
        assert_eq!(verdict(json!({"City": {"$nin": ["Oslo"]}}), &nowhere), Checked::Matches);
        assert_eq!(verdict(json!({"City": {"$notContains": "o"}}), &nowhere), Checked::Matches);
        assert_eq!(verdict(json!({"$not": {"City": "Oslo"}}), &nowhere), Checked::Matches);
        for op in ["$contains", "$startsWith", "$endsWith", "$gt", "$gte", "$lt", "$lte"] {
            assert_eq!(verdict(json!({"City": {op: "o"}}), &nowhere), Checked::Fails, "{op}");
        }
        assert_eq!(verdict(json!({"City": {"$isNull": true}}), &nowhere), Checked::Matches);
    }

    #[test]
    fn dates_compare_as_instants_whatever_their_offset() {
        let noon = contact(None, None);
        assert_eq!(verdict(json!({"CreatedDate": {"$gt": "2024-05-18T01:00:00+14:00"}}), &noon), Checked::Matches);
        assert_eq!(verdict(json!({"CreatedDate": "2024-05-18T02:00:00+14:00"}), &noon), Checked::Matches);
    }

    #[test]
    fn custom_fields_compare_by_kind_and_an_unknown_path_is_null() {
        let gold = contact(None, Some(json!(3)));
        assert_eq!(verdict(json!({"CustomCrmGroups.Prefs.Tier": {"$gte": 2.5}}), &gold), Checked::Matches);
        assert_eq!(verdict(json!({"CustomCrmGroups.Prefs.Tier": "3"}), &gold), Checked::Fails, "kinds differ");
        assert_eq!(verdict(json!({"CustomCrmGroups.Nope.Tier": null}), &gold), Checked::Matches);
        assert_eq!(verdict(json!({"CustomCrmGroups.Nope.Tier": {"$neq": 1}}), &gold), Checked::Matches);
        assert_eq!(verdict(json!({"Id": {"$in": [1, 7]}, "Type": null}), &gold), Checked::Matches);
    }

    #[test]
    fn every_contact_field_is_read_from_the_contact() {
        // Every field set, through the model's own reading of the site's JSON.
        let mut json = serde_json::Map::new();
        for (name, kind) in crate::api::contact_fields::FIELDS.iter().map(|spec| (spec.name, spec.field_type())) {
            let value = match kind {
                crate::api::model::FieldType::Text => json!(format!("v-{name}")),
                crate::api::model::FieldType::Number => json!(3),
                crate::api::model::FieldType::Bool => json!(true),
                crate::api::model::FieldType::Date => json!("2024-05-17T12:00:00Z"),
            };
            json.insert(name.to_owned(), value);
        }
        let contact: Contact = serde_json::from_value(Value::Object(json)).unwrap();
        for name in crate::api::contact_fields::FIELDS.iter().map(|spec| spec.name) {
            let set = Where::field(name).is_null(false);
            assert_eq!(set.check(&contact), Checked::Matches, "{name}");
            assert!(contact.extra.get(name).is_none(), "{name} is a field of the model, read from it");
        }
    }

    #[test]
    fn raw_json_outside_the_dialect_cannot_be_checked() {
        let raw = Where::Raw(json!({"City": {"$like": "Auck%"}}));
        assert!(!raw.is_checkable());
        assert_eq!(raw.check(&contact(Some("Auckland"), None)), Checked::Unknown);
        let known = Where::Raw(json!({"City": "Auckland"}));
        assert!(known.is_checkable() && Where::field("City").eq("x").and(Where::All).is_checkable());
        assert_eq!(known.check(&contact(Some("auckland"), None)), Checked::Matches);
    }

    #[test]
    fn a_filter_is_described_in_words() {
        assert_eq!(Where::field("City").eq("Auckland").describe(), "City = Auckland");
        let both = Where::field("LastName").contains("obrien").or(Where::field("Email").contains("obrien"));
        assert_eq!(
            both.and(Where::field("Type").gt(1)).describe(),
            "(LastName contains obrien or Email contains obrien) and Type > 1"
        );
    }
}
