//! The sandbox's own reader of the Where filter language, written from the contract's text
//! (`treepl-api.md`, "Where (the filter language)"), not from the client's code.
//!
//! Why a second reader: a fake site that read requests with the client's own parser would
//! agree with every mistake the client makes, so no test against it could catch one. The two
//! readers are compared by a property test (`tests/suite/where_readers.rs`): a disagreement is a
//! failing test on one side or the other, never a shared blind spot.
//!
//! What it reads: `{}` (everything); several keys in one object (all must hold);
//! `{"Field": value}` (equality); `{"Field": {"$op": operand, ...}}` (each must hold);
//! `{"$and": [..]}`, `{"$or": [..]}`, `{"$not": {..}}`; a field is a top-level name or
//! `CustomCrmGroups.<GroupAlias>.<FieldAlias>`. Each operator's operand is typed as it is read,
//! so the SQL translation never meets a value of the wrong kind.

use std::fmt;

use serde_json::{Number, Value, json};

/// The name that leads a custom CRM field path.
pub const CUSTOM_GROUPS: &str = "CustomCrmGroups";

/// A filter as the site understood it.
#[derive(Clone, Debug, PartialEq)]
pub enum SiteFilter {
    /// `{}`: every record.
    Everything,
    /// One test on one field.
    Test { path: SitePath, test: Test },
    /// Every part holds (`$and`, or several keys or operators in one object).
    All(Vec<SiteFilter>),
    /// At least one part holds (`$or`); none for an empty list.
    Any(Vec<SiteFilter>),
    /// The part does not hold (`$not`).
    Not(Box<SiteFilter>),
}

/// The field a filter or a sort names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SitePath {
    /// A top-level field of the listed record (unknown names are refused by the schema).
    Field(String),
    /// `CustomCrmGroups.<group>.<field>`.
    Custom { group: String, field: String },
}

/// A plain value a field is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Text(String),
    Number(Number),
    Bool(bool),
}

/// One comparison, its operand typed by its operator. `None` stands for JSON `null`.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// `$eq` (or a bare value).
    Eq(Option<Scalar>),
    /// `$neq`.
    Neq(Option<Scalar>),
    /// `$gt`, `$gte`, `$lt`, `$lte`.
    Range(Bound, Scalar),
    /// `$contains`, `$notContains`, `$startsWith`, `$endsWith`.
    Text(TextMatch, String),
    /// `$in`.
    In(Vec<Option<Scalar>>),
    /// `$nin`.
    Nin(Vec<Option<Scalar>>),
    /// `$isNull`.
    IsNull(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    Above,
    AtLeast,
    Below,
    AtMost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextMatch {
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
}

impl Test {
    /// The operator's name in the filter language.
    pub fn operator(&self) -> &'static str {
        match self {
            Test::Eq(_) => "$eq",
            Test::Neq(_) => "$neq",
            Test::Range(Bound::Above, _) => "$gt",
            Test::Range(Bound::AtLeast, _) => "$gte",
            Test::Range(Bound::Below, _) => "$lt",
            Test::Range(Bound::AtMost, _) => "$lte",
            Test::Text(TextMatch::Contains, _) => "$contains",
            Test::Text(TextMatch::NotContains, _) => "$notContains",
            Test::Text(TextMatch::StartsWith, _) => "$startsWith",
            Test::Text(TextMatch::EndsWith, _) => "$endsWith",
            Test::In(_) => "$in",
            Test::Nin(_) => "$nin",
            Test::IsNull(_) => "$isNull",
        }
    }

    /// The operand as JSON.
    pub fn operand(&self) -> Value {
        let list = |items: &[Option<Scalar>]| Value::Array(items.iter().map(optional_json).collect());
        match self {
            Test::Eq(value) | Test::Neq(value) => optional_json(value),
            Test::Range(_, value) => value.to_json(),
            Test::Text(_, text) => json!(text),
            Test::In(items) | Test::Nin(items) => list(items),
            Test::IsNull(flag) => json!(flag),
        }
    }
}

impl Scalar {
    pub fn to_json(&self) -> Value {
        match self {
            Scalar::Text(text) => json!(text),
            Scalar::Number(number) => Value::Number(number.clone()),
            Scalar::Bool(flag) => json!(flag),
        }
    }
}

fn optional_json(value: &Option<Scalar>) -> Value {
    value.as_ref().map_or(Value::Null, Scalar::to_json)
}

impl fmt::Display for SitePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SitePath::Field(name) => f.write_str(name),
            SitePath::Custom { group, field } => write!(f, "{CUSTOM_GROUPS}.{group}.{field}"),
        }
    }
}

impl SitePath {
    /// Reads a field name: `CustomCrmGroups.<group>.<field>` is a custom field (the group
    /// alias ends at the first dot; the field alias is the rest), any other non-empty name a
    /// top-level field, `CustomCrmGroups` itself included.
    pub fn read(name: &str) -> Result<Self, String> {
        if name.is_empty() {
            return Err("a field name is empty".to_owned());
        }
        let Some(rest) = name.strip_prefix(CUSTOM_GROUPS).and_then(|rest| rest.strip_prefix('.')) else {
            return Ok(SitePath::Field(name.to_owned()));
        };
        match rest.split_once('.') {
            Some((group, field)) if !group.is_empty() && !field.is_empty() => {
                Ok(SitePath::Custom { group: group.to_owned(), field: field.to_owned() })
            }
            _ => Err(format!("`{name}` is not a custom field path: write {CUSTOM_GROUPS}.<GroupAlias>.<FieldAlias>")),
        }
    }
}

impl SiteFilter {
    /// A neutral JSON form of what was read, for comparing two readers: `{"and": [..]}`
    /// (everything is an empty `and`), `{"or": [..]}`, `{"not": ..}` and
    /// `{"test": [[path parts], operator, operand]}`. Nesting is kept as read.
    pub fn to_canonical_json(&self) -> Value {
        let list = |parts: &[SiteFilter]| Value::Array(parts.iter().map(SiteFilter::to_canonical_json).collect());
        match self {
            SiteFilter::Everything => json!({"and": []}),
            SiteFilter::Test { path, test } => {
                let parts = match path {
                    SitePath::Field(name) => json!([name]),
                    SitePath::Custom { group, field } => json!([CUSTOM_GROUPS, group, field]),
                };
                json!({"test": [parts, test.operator(), test.operand()]})
            }
            SiteFilter::All(parts) => json!({"and": list(parts)}),
            SiteFilter::Any(parts) => json!({"or": list(parts)}),
            SiteFilter::Not(inner) => json!({"not": inner.to_canonical_json()}),
        }
    }
}

/// Reads a filter; `Err` names the offending part.
pub fn read_where(value: &Value) -> Result<SiteFilter, String> {
    read_filter(value, "the filter")
}

/// Reads a filter sent as JSON text (blank is everything).
pub fn read_where_text(text: &str) -> Result<SiteFilter, String> {
    if text.trim().is_empty() {
        return Ok(SiteFilter::Everything);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| format!("the filter is not JSON ({e})"))?;
    read_where(&value)
}

/// `place` says which part is read, for messages ("item 2 of `$or`").
fn read_filter(value: &Value, place: &str) -> Result<SiteFilter, String> {
    let Value::Object(keys) = value else {
        return Err(format!("{place} must be a JSON object, not {}", kind_of(value)));
    };
    let mut parts = Vec::new();
    for (key, inner) in keys {
        let part = match key.as_str() {
            "$and" => SiteFilter::All(read_list(key, inner)?),
            "$or" => SiteFilter::Any(read_list(key, inner)?),
            "$not" => SiteFilter::Not(Box::new(read_filter(inner, "the value of `$not`")?)),
            logic if logic.starts_with('$') => {
                return Err(format!("`{logic}` is not a known operator here (only $and, $or and $not join filters)"));
            }
            name => read_field(SitePath::read(name)?, inner)?,
        };
        parts.push(part);
    }
    Ok(joined(parts))
}

fn read_list(key: &str, value: &Value) -> Result<Vec<SiteFilter>, String> {
    let Value::Array(items) = value else {
        return Err(format!("`{key}` needs an array of filters, not {}", kind_of(value)));
    };
    items.iter().enumerate().map(|(i, item)| read_filter(item, &format!("item {} of `{key}`", i + 1))).collect()
}

/// One part as itself, several as their conjunction, none as everything.
fn joined(mut parts: Vec<SiteFilter>) -> SiteFilter {
    match parts.len() {
        0 => SiteFilter::Everything,
        1 => parts.remove(0),
        _ => SiteFilter::All(parts),
    }
}

/// `value` is the operators object of `path`, or a bare value meaning `$eq`.
fn read_field(path: SitePath, value: &Value) -> Result<SiteFilter, String> {
    let Value::Object(operators) = value else {
        let test = read_test("$eq", value).map_err(|refusal| refusal.message("$eq", &path, value))?;
        return Ok(SiteFilter::Test { path, test });
    };
    if operators.is_empty() {
        return Err(format!("`{path}` has an empty operator object: name an operator such as $eq"));
    }
    let mut parts = Vec::new();
    for (operator, operand) in operators {
        let test = read_test(operator, operand).map_err(|refusal| refusal.message(operator, &path, operand))?;
        parts.push(SiteFilter::Test { path: path.clone(), test });
    }
    Ok(joined(parts))
}

/// Why an operator and its operand were refused.
enum Refusal {
    Unknown,
    Needs(&'static str),
}

impl Refusal {
    fn message(self, operator: &str, path: &SitePath, operand: &Value) -> String {
        match self {
            Refusal::Unknown if operator.starts_with('$') => {
                format!("`{operator}` on `{path}` is not a known operator")
            }
            Refusal::Unknown => format!("`{path}` takes a value or operators such as $eq, not the key `{operator}`"),
            Refusal::Needs(what) => format!("`{operator}` on `{path}` needs {what}, not {}", kind_of(operand)),
        }
    }
}

const PLAIN_OR_NULL: &str = "a plain value (text, a number, true/false or null)";

fn read_test(operator: &str, operand: &Value) -> Result<Test, Refusal> {
    let range =
        |bound| scalar(operand).map(|s| Test::Range(bound, s)).ok_or(Refusal::Needs("text, a number or a date"));
    let text = |how| operand.as_str().map(|t| Test::Text(how, t.to_owned())).ok_or(Refusal::Needs("text"));
    match operator {
        "$eq" => Ok(Test::Eq(scalar_or_null(operand).ok_or(Refusal::Needs(PLAIN_OR_NULL))?)),
        "$neq" => Ok(Test::Neq(scalar_or_null(operand).ok_or(Refusal::Needs(PLAIN_OR_NULL))?)),
        "$gt" => range(Bound::Above),
        "$gte" => range(Bound::AtLeast),
        "$lt" => range(Bound::Below),
        "$lte" => range(Bound::AtMost),
        "$contains" => text(TextMatch::Contains),
        "$notContains" => text(TextMatch::NotContains),
        "$startsWith" => text(TextMatch::StartsWith),
        "$endsWith" => text(TextMatch::EndsWith),
        "$in" => read_in_list(operand).map(Test::In),
        "$nin" => read_in_list(operand).map(Test::Nin),
        "$isNull" => operand.as_bool().map(Test::IsNull).ok_or(Refusal::Needs("true or false")),
        _ => Err(Refusal::Unknown),
    }
}

fn read_in_list(operand: &Value) -> Result<Vec<Option<Scalar>>, Refusal> {
    let Value::Array(items) = operand else { return Err(Refusal::Needs("an array")) };
    items
        .iter()
        .map(scalar_or_null)
        .collect::<Option<Vec<_>>>()
        .ok_or(Refusal::Needs("an array of plain values (text, numbers, true/false or null)"))
}

fn scalar(value: &Value) -> Option<Scalar> {
    match value {
        Value::String(text) => Some(Scalar::Text(text.clone())),
        Value::Number(number) => Some(Scalar::Number(number.clone())),
        Value::Bool(flag) => Some(Scalar::Bool(*flag)),
        _ => None,
    }
}

/// `Some(None)` for null, `None` for an array or an object.
fn scalar_or_null(value: &Value) -> Option<Option<Scalar>> {
    if value.is_null() { Some(None) } else { scalar(value).map(Some) }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, test: Test) -> SiteFilter {
        SiteFilter::Test { path: SitePath::Field(name.to_owned()), test }
    }

    #[test]
    fn reads_shorthand_keys_operators_and_logic() {
        let read = read_where(&json!({"City": "Oslo", "Id": {"$gte": 2, "$lt": 9}})).unwrap();
        let number = |n: i64| Scalar::Number(n.into());
        assert_eq!(
            read,
            SiteFilter::All(vec![
                field("City", Test::Eq(Some(Scalar::Text("Oslo".into())))),
                SiteFilter::All(vec![
                    field("Id", Test::Range(Bound::AtLeast, number(2))),
                    field("Id", Test::Range(Bound::Below, number(9))),
                ]),
            ])
        );
        let logic = read_where(&json!({"$or": [{"$not": {"Email": {"$isNull": true}}}, {"Type": {"$in": [1, null]}}]}));
        assert_eq!(
            logic.unwrap(),
            SiteFilter::Any(vec![
                SiteFilter::Not(Box::new(field("Email", Test::IsNull(true)))),
                field("Type", Test::In(vec![Some(number(1)), None])),
            ])
        );
        assert_eq!(read_where(&json!({})).unwrap(), SiteFilter::Everything);
        assert_eq!(read_where_text("  ").unwrap(), SiteFilter::Everything);
        assert_eq!(read_where(&json!({"$or": []})).unwrap(), SiteFilter::Any(vec![]));
    }

    #[test]
    fn custom_paths_split_at_the_group() {
        let custom = |group: &str, field: &str| SitePath::Custom { group: group.into(), field: field.into() };
        assert_eq!(SitePath::read("CustomCrmGroups.Prefs.News").unwrap(), custom("Prefs", "News"));
        assert_eq!(SitePath::read("CustomCrmGroups.Prefs.a.b").unwrap(), custom("Prefs", "a.b"));
        assert_eq!(SitePath::read("CustomCrmGroups").unwrap(), SitePath::Field("CustomCrmGroups".into()));
        for bad in ["CustomCrmGroups.Only", "CustomCrmGroups..F", "CustomCrmGroups.G.", "CustomCrmGroups.", ""] {
            assert!(SitePath::read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refusals_name_the_offending_part() {
        let cases = [
            (json!({"City": {"$like": "x"}}), "`$like` on `City`"),
            (json!({"$xor": []}), "`$xor`"),
            (json!({"Id": {"$in": 5}}), "`$in` on `Id` needs an array"),
            (json!({"Id": {"$in": [[1]]}}), "array of plain values"),
            (json!({"Id": {"$isNull": "yes"}}), "`$isNull` on `Id` needs true or false"),
            (json!({"Id": {"$gt": null}}), "`$gt` on `Id` needs text, a number or a date, not null"),
            (json!({"Id": {"eq": 1}}), "not the key `eq`"),
            (json!({"Id": [1]}), "`$eq` on `Id` needs a plain value"),
            (json!({"CustomCrmGroups.Only": 1}), "CustomCrmGroups.<GroupAlias>.<FieldAlias>"),
            (json!([1]), "must be a JSON object"),
            (json!({"$and": [{"A": 1}, 3]}), "item 2 of `$and`"),
            (json!({"$not": []}), "the value of `$not` must be a JSON object"),
            (json!({"City": {}}), "empty operator object"),
        ];
        for (input, expected) in cases {
            let message = read_where(&input).unwrap_err();
            assert!(message.contains(expected), "{input}: {message}");
        }
        assert!(read_where_text("{broken").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn the_canonical_form_keeps_paths_operators_and_operands() {
        let read = read_where(&json!({"CustomCrmGroups.G.F": {"$nin": ["a", null]}, "$not": {}})).unwrap();
        assert_eq!(
            read.to_canonical_json(),
            json!({"and": [{"not": {"and": []}}, {"test": [["CustomCrmGroups", "G", "F"], "$nin", ["a", null]]}]})
        );
    }
}
