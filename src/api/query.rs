//! List queries: `Where` (the filter dialect), `OrderBy`, `Offset`, `Limit`.
//!
//! [assumed] The dialect is the project's choice (see the contract), built and read here for
//! the client; the wire encoding is the site's learned [`super::dialect::Dialect`].

use std::fmt;

use serde_json::{Value, json};

use super::wire::describe_json;

/// The prefix of a custom CRM field path: `CustomCrmGroups.<GroupAlias>.<FieldAlias>`.
pub const CUSTOM_PREFIX: &str = "CustomCrmGroups";

pub use super::assumed::DEFAULT_LIMIT;

/// One list request: which records, in which order, which slice.
#[derive(Clone, Debug, PartialEq)]
pub struct ListQuery {
    pub filter: Where,
    pub order_by: Option<OrderBy>,
    pub offset: u64,
    pub limit: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self { filter: Where::All, order_by: None, offset: 0, limit: DEFAULT_LIMIT }
    }
}

impl ListQuery {
    pub fn new(filter: Where) -> Self {
        Self { filter, ..Self::default() }
    }

    pub fn order_by(mut self, order_by: OrderBy) -> Self {
        self.order_by = Some(order_by);
        self
    }

    pub fn page(mut self, offset: u64, limit: u32) -> Self {
        self.offset = offset;
        self.limit = limit;
        self
    }
}

/// Sort order: a field and a direction. Ties are broken by `Id` on the server.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderBy {
    pub field: String,
    pub descending: bool,
}

impl OrderBy {
    pub fn asc(field: impl Into<String>) -> Self {
        Self { field: field.into(), descending: false }
    }

    pub fn desc(field: impl Into<String>) -> Self {
        Self { field: field.into(), descending: true }
    }

    /// Reads `"LastName"`, `"LastName DESC"`, `"LastName asc"` or `"-LastName"`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some(field) = text.strip_prefix('-') {
            // `-Field` or `Field DESC`, not both.
            let field = field.trim();
            if field.contains(char::is_whitespace) {
                return Err(format!("Order_By `{text}` has both a leading `-` and more than a field"));
            }
            return Self::checked(field, true);
        }
        let mut words = text.split_whitespace();
        let field = words.next().unwrap_or_default();
        let descending = match words.next() {
            None => false,
            Some(dir) if dir.eq_ignore_ascii_case("asc") => false,
            Some(dir) if dir.eq_ignore_ascii_case("desc") => true,
            Some(other) => return Err(format!("Order_By direction `{other}` is neither ASC nor DESC")),
        };
        if words.next().is_some() {
            return Err(format!("Order_By `{text}` has more than a field and a direction"));
        }
        Self::checked(field, descending)
    }

    fn checked(field: &str, descending: bool) -> Result<Self, String> {
        if field.is_empty() {
            return Err("Order_By names no field".to_owned());
        }
        Ok(Self { field: field.to_owned(), descending })
    }
}

impl fmt::Display for OrderBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.field)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

/// A field a filter or a sort names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldPath {
    /// A top-level field of the record, e.g. `LastName`.
    Top(String),
    /// `CustomCrmGroups.<group>.<field>`.
    Custom { group: String, field: String },
}

impl FieldPath {
    /// The custom field `field` of `group`.
    pub fn custom(group: impl Into<String>, field: impl Into<String>) -> Self {
        Self::Custom { group: group.into(), field: field.into() }
    }

    /// Reads `LastName` or `CustomCrmGroups.<group>.<field>`; a custom path with an empty
    /// group or field is refused (see [`custom_parts`] for names the app made itself).
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a field name is empty".to_owned());
        }
        // `CustomCrmGroups` itself, or a name that only begins like it, is a top-level field.
        if !text.strip_prefix(CUSTOM_PREFIX).is_some_and(|rest| rest.starts_with('.')) {
            return Ok(Self::Top(text.to_owned()));
        }
        match custom_parts(text) {
            Some((group, field)) if !group.is_empty() && !field.is_empty() => Ok(Self::custom(group, field)),
            _ => Err(format!("`{text}` is not of the form {CUSTOM_PREFIX}.<GroupAlias>.<FieldAlias>")),
        }
    }
}

/// The group and field of `CustomCrmGroups.<group>.<field>` as written, empty parts
/// included (a group's key may be empty in a contact's JSON); `None` for any other name.
/// The group has no dot; the field may.
pub fn custom_parts(name: &str) -> Option<(&str, &str)> {
    name.strip_prefix(CUSTOM_PREFIX)?.strip_prefix('.')?.split_once('.')
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Top(name) => f.write_str(name),
            Self::Custom { group, field } => write!(f, "{CUSTOM_PREFIX}.{group}.{field}"),
        }
    }
}

/// A comparison operator of the dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
    In,
    Nin,
    IsNull,
}

impl Op {
    pub const ALL: [Op; 13] = [
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
        Op::In,
        Op::Nin,
        Op::IsNull,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
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
        }
    }

    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.wire_name() == name)
    }

    /// What the operator's value must be, checked when a filter is read.
    fn check_value(self, value: &Value) -> Result<(), String> {
        let scalar = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
        match self {
            Op::Eq | Op::Neq if scalar(value) || value.is_null() => Ok(()),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte if scalar(value) => Ok(()),
            Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith if value.is_string() => Ok(()),
            Op::In | Op::Nin => match value {
                Value::Array(items) if items.iter().all(|v| scalar(v) || v.is_null()) => Ok(()),
                Value::Array(_) => Err("an array of plain values (text, numbers, true/false or null)".to_owned()),
                _ => Err("an array".to_owned()),
            },
            Op::IsNull if value.is_boolean() => Ok(()),
            Op::Eq | Op::Neq => Err("a plain value (text, a number, true/false or null)".to_owned()),
            Op::Gt | Op::Gte | Op::Lt | Op::Lte => Err("text, a number or a date".to_owned()),
            Op::Contains | Op::NotContains | Op::StartsWith | Op::EndsWith => Err("text".to_owned()),
            Op::IsNull => Err("true or false".to_owned()),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// A filter. Build one with [`Where::field`] / [`Where::custom`] and combine with
/// [`Where::and`], [`Where::or`] and [`Where::negate`]; or hold JSON typed by a user.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Where {
    /// `{}`: every record.
    #[default]
    All,
    Compare {
        field: FieldPath,
        op: Op,
        value: Value,
    },
    And(Vec<Where>),
    Or(Vec<Where>),
    Not(Box<Where>),
    /// JSON as a user typed it, sent as it is (checked with [`Where::parse`] first).
    Raw(Value),
}

/// A filter that does not follow the dialect; the message names the offending part.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("Invalid filter: {0}")]
pub struct WhereError(pub String);

impl Where {
    /// Starts a comparison on a top-level field.
    pub fn field(name: impl Into<String>) -> FieldFilter {
        FieldFilter(FieldPath::Top(name.into()))
    }

    /// Starts a comparison on `CustomCrmGroups.<group>.<field>`.
    pub fn custom(group: impl Into<String>, field: impl Into<String>) -> FieldFilter {
        FieldFilter(FieldPath::Custom { group: group.into(), field: field.into() })
    }

    /// Whether this filter matches everything.
    pub fn is_all(&self) -> bool {
        match self {
            Where::All => true,
            Where::And(parts) => parts.iter().all(Where::is_all),
            _ => false,
        }
    }

    pub fn and(self, other: Where) -> Where {
        match (self, other) {
            (Where::All, other) | (other, Where::All) => other,
            (Where::And(mut left), Where::And(right)) => {
                left.extend(right);
                Where::And(left)
            }
            (Where::And(mut left), other) => {
                left.push(other);
                Where::And(left)
            }
            (first, other) => Where::And(vec![first, other]),
        }
    }

    pub fn or(self, other: Where) -> Where {
        match (self, other) {
            (Where::Or(mut left), Where::Or(right)) => {
                left.extend(right);
                Where::Or(left)
            }
            (Where::Or(mut left), other) => {
                left.push(other);
                Where::Or(left)
            }
            (first, other) => Where::Or(vec![first, other]),
        }
    }

    pub fn negate(self) -> Where {
        Where::Not(Box::new(self))
    }

    /// The contract's JSON for this filter.
    pub fn to_json(&self) -> Value {
        match self {
            Where::All => json!({}),
            Where::Compare { field, op, value } => json!({ field.to_string(): { op.wire_name(): value } }),
            Where::And(parts) if parts.is_empty() => json!({}),
            Where::And(parts) => json!({ "$and": parts.iter().map(Where::to_json).collect::<Vec<_>>() }),
            Where::Or(parts) => json!({ "$or": parts.iter().map(Where::to_json).collect::<Vec<_>>() }),
            Where::Not(inner) => json!({ "$not": inner.to_json() }),
            Where::Raw(value) => value.clone(),
        }
    }

    /// Reads the contract's JSON into a typed filter (never `Raw`).
    pub fn parse(value: &Value) -> Result<Where, WhereError> {
        parse_object(value, "the filter")
    }

    /// Reads JSON text, as typed into a raw filter editor.
    pub fn parse_str(text: &str) -> Result<Where, WhereError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Where::All);
        }
        let value: Value = serde_json::from_str(text).map_err(|e| WhereError(format!("the text is not JSON ({e})")))?;
        Where::parse(&value)
    }
}

/// The left half of a comparison: `Where::field("City").eq("Oslo")`.
#[derive(Clone, Debug)]
pub struct FieldFilter(FieldPath);

impl FieldFilter {
    pub fn op(self, op: Op, value: impl Into<Value>) -> Where {
        Where::Compare { field: self.0, op, value: value.into() }
    }
    pub fn eq(self, value: impl Into<Value>) -> Where {
        self.op(Op::Eq, value)
    }
    pub fn neq(self, value: impl Into<Value>) -> Where {
        self.op(Op::Neq, value)
    }
    pub fn gt(self, value: impl Into<Value>) -> Where {
        self.op(Op::Gt, value)
    }
    pub fn gte(self, value: impl Into<Value>) -> Where {
        self.op(Op::Gte, value)
    }
    pub fn lt(self, value: impl Into<Value>) -> Where {
        self.op(Op::Lt, value)
    }
    pub fn lte(self, value: impl Into<Value>) -> Where {
        self.op(Op::Lte, value)
    }
    pub fn contains(self, text: impl Into<String>) -> Where {
        self.op(Op::Contains, text.into())
    }
    pub fn not_contains(self, text: impl Into<String>) -> Where {
        self.op(Op::NotContains, text.into())
    }
    pub fn starts_with(self, text: impl Into<String>) -> Where {
        self.op(Op::StartsWith, text.into())
    }
    pub fn ends_with(self, text: impl Into<String>) -> Where {
        self.op(Op::EndsWith, text.into())
    }
    pub fn is_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Where {
        self.op(Op::In, Value::Array(values.into_iter().map(Into::into).collect()))
    }
    pub fn not_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Where {
        self.op(Op::Nin, Value::Array(values.into_iter().map(Into::into).collect()))
    }
    pub fn is_null(self, null: bool) -> Where {
        self.op(Op::IsNull, null)
    }
}

fn parse_object(value: &Value, context: &str) -> Result<Where, WhereError> {
    let Value::Object(map) = value else {
        return Err(WhereError(format!("{context} must be a JSON object, not {}", describe_json(value))));
    };
    let mut parts = Vec::with_capacity(map.len());
    for (key, value) in map {
        parts.push(match key.as_str() {
            "$and" | "$or" => {
                let Value::Array(items) = value else {
                    return Err(WhereError(format!("`{key}` needs an array of filters, not {}", describe_json(value))));
                };
                let parsed = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| parse_object(item, &format!("item {} of `{key}`", i + 1)))
                    .collect::<Result<Vec<_>, _>>()?;
                if key == "$and" { Where::And(parsed) } else { Where::Or(parsed) }
            }
            "$not" => Where::Not(Box::new(parse_object(value, "the value of `$not`")?)),
            other if other.starts_with('$') => {
                return Err(WhereError(format!("`{other}` is not a known operator here")));
            }
            field => parse_field(field, value)?,
        });
    }
    Ok(match parts.len() {
        0 => Where::All,
        1 => parts.swap_remove(0),
        _ => Where::And(parts),
    })
}

fn parse_field(name: &str, value: &Value) -> Result<Where, WhereError> {
    let field = FieldPath::parse(name).map_err(WhereError)?;
    let Value::Object(operators) = value else {
        // `{"Field": value}` is shorthand for `{"Field": {"$eq": value}}`.
        return compare(field, Op::Eq, value);
    };
    if operators.is_empty() {
        return Err(WhereError(format!("`{name}` has an empty operator object")));
    }
    let mut parts = Vec::with_capacity(operators.len());
    for (op_name, operand) in operators {
        let op = Op::from_wire(op_name).ok_or_else(|| {
            if op_name.starts_with('$') {
                WhereError(format!("`{op_name}` on `{name}` is not a known operator"))
            } else {
                WhereError(format!("`{name}` takes a value or operators like `$eq`, not the key `{op_name}`"))
            }
        })?;
        parts.push(compare(field.clone(), op, operand)?);
    }
    Ok(if parts.len() == 1 { parts.swap_remove(0) } else { Where::And(parts) })
}

fn compare(field: FieldPath, op: Op, value: &Value) -> Result<Where, WhereError> {
    op.check_value(value).map_err(|expected| {
        WhereError(format!("`{op}` on `{field}` needs {expected}, not {}", describe_json(value)))
    })?;
    Ok(Where::Compare { field, op, value: value.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_emits_the_contract_dialect() {
        let filter = Where::field("LastName")
            .starts_with("Sm")
            .and(Where::custom("Preferences", "Newsletter").eq(true))
            .and(Where::field("Country").is_in(["NZ", "AU"]).or(Where::field("City").is_null(true)))
            .and(Where::field("Email").contains("@example").negate());
        assert_eq!(
            filter.to_json(),
            json!({"$and": [
                {"LastName": {"$startsWith": "Sm"}},
                {"CustomCrmGroups.Preferences.Newsletter": {"$eq": true}},
                {"$or": [{"Country": {"$in": ["NZ", "AU"]}}, {"City": {"$isNull": true}}]},
                {"$not": {"Email": {"$contains": "@example"}}}
            ]})
        );
        assert_eq!(Where::All.to_json(), json!({}));
        assert_eq!(Where::All.and(Where::field("Id").gt(5)).to_json(), json!({"Id": {"$gt": 5}}));
    }

    #[test]
    fn every_operator_has_its_wire_name() {
        let names: Vec<_> = Op::ALL.iter().map(|op| op.wire_name()).collect();
        assert_eq!(
            names,
            [
                "$eq",
                "$neq",
                "$gt",
                "$gte",
                "$lt",
                "$lte",
                "$contains",
                "$notContains",
                "$startsWith",
                "$endsWith",
                "$in",
                "$nin",
                "$isNull"
            ]
        );
    }

    #[test]
    fn parse_reads_shorthand_and_ands_keys_and_operators() {
        let parsed = Where::parse(&json!({"City": "Oslo", "Id": {"$gte": 2, "$lt": 9}})).unwrap();
        assert_eq!(
            parsed,
            Where::And(vec![
                Where::field("City").eq("Oslo"),
                Where::And(vec![Where::field("Id").gte(2), Where::field("Id").lt(9)]),
            ])
        );
        assert_eq!(Where::parse(&json!({})).unwrap(), Where::All);
    }

    #[test]
    fn parse_names_the_offending_part() {
        let cases = [
            (json!({"City": {"$like": "x"}}), "`$like` on `City`"),
            (json!({"$xor": []}), "`$xor`"),
            (json!({"Id": {"$in": 5}}), "`$in` on `Id` needs an array"),
            (json!({"Id": {"$isNull": "yes"}}), "`$isNull` on `Id` needs true or false"),
            (json!({"CustomCrmGroups.Only": 1}), "CustomCrmGroups.<GroupAlias>.<FieldAlias>"),
            (json!([1]), "must be a JSON object"),
            (json!({"$and": [{"A": 1}, 3]}), "item 2 of `$and`"),
            (json!({"City": {}}), "empty operator object"),
        ];
        for (input, expected) in cases {
            let message = Where::parse(&input).unwrap_err().to_string();
            assert!(message.contains(expected), "{input}: {message}");
        }
    }

    #[test]
    fn order_by_reads_every_spelling() {
        assert_eq!(OrderBy::parse("LastName DESC").unwrap(), OrderBy::desc("LastName"));
        assert_eq!(OrderBy::parse("-LastName").unwrap(), OrderBy::desc("LastName"));
        assert_eq!(OrderBy::parse("Email asc").unwrap(), OrderBy::asc("Email"));
        assert_eq!(OrderBy::desc("LastName").to_string(), "LastName DESC");
        assert!(OrderBy::parse("Email sideways").is_err());
        assert!(OrderBy::parse("  ").is_err());
    }
}
