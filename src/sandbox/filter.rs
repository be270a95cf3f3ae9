//! The Where dialect and Order_By, translated to parameterised SQL.
//!
//! Every value travels as a bound parameter; only names from the sandbox's own field
//! tables are written into the SQL text. Every predicate is two-valued (never SQL NULL),
//! so that `$not` and `$neq` match records whose value is null, as the contract says.

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use crate::api::Timestamp;

use super::list_request::SiteOrder;
use super::where_reader::{Bound, Scalar, SiteFilter, SitePath, Test, TextMatch};

/// SQL text with its parameters, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sql {
    pub text: String,
    pub params: Vec<SqlValue>,
}

impl Sql {
    pub fn raw(text: impl Into<String>) -> Self {
        Self { text: text.into(), params: Vec::new() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn param(&mut self, value: impl Into<SqlValue>) -> &mut Self {
        self.text.push('?');
        self.params.push(value.into());
        self
    }

    pub fn append(&mut self, other: &Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.params.extend(other.params.iter().cloned());
        self
    }
}

/// The kind of a value in a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Lowercase text.
    Text,
    Number,
    /// `0`/`1`.
    Bool,
    /// Epoch milliseconds.
    Date,
}

/// How SQL reaches one field of the listed record.
pub enum Field {
    /// An expression over the row itself: one per kind of value the field can hold, each
    /// NULL when the field is null or holds another kind.
    Direct { values: Vec<(ValueKind, Sql)>, presence: Sql, sort: Vec<Sql> },
    /// A value kept in a side table, one row per owner (custom CRM fields of contacts):
    /// `owner IN (lookup AND condition-for-kind AND comparison-on-column)`.
    Side { owner: &'static str, lookup: Sql, values: Vec<(ValueKind, &'static str, &'static str)>, sort: Vec<Sql> },
    /// A field that exists but cannot be compared (an object or an array).
    Nested,
}

/// A record type's fields, as the translator sees them.
pub trait Schema {
    /// `Err` names the problem: an unknown top-level field is a 400.
    fn field(&self, path: &SitePath) -> Result<Field, String>;
    /// The tie-break column (the record's `Id`).
    fn id_column(&self) -> &'static str;
}

/// [assumed] The published limits of a `Where` (the sandbox's /openapi.json states them):
/// how deep `$and`, `$or` and `$not` nest (the filter object itself is level 1)...
pub const MAX_WHERE_DEPTH: usize = 8;
/// ...how many comparisons it holds in all (each operator of a field counts, and a bare value)...
pub const MAX_WHERE_TERMS: usize = 200;
/// ...how many values one `$in` or `$nin` list holds...
pub const MAX_WHERE_LIST: usize = 1000;
/// ...and how many values all its lists hold together.
pub const MAX_WHERE_LISTED: usize = 2000;

/// Checks a `Where` (as JSON) against the published limits; `Err` says which one it passes.
/// Only the size is checked here: the parser reports a filter of the wrong shape.
pub fn check_limits(filter: &Value) -> Result<(), String> {
    #[derive(Default)]
    struct Tally {
        terms: usize,
        listed: usize,
    }
    fn walk(value: &Value, depth: usize, tally: &mut Tally) -> Result<(), String> {
        if depth > MAX_WHERE_DEPTH {
            return Err(format!(
                "The filter (Where) nests $and, $or and $not more than {MAX_WHERE_DEPTH} levels deep; \
                 at most {MAX_WHERE_DEPTH} are allowed."
            ));
        }
        let Value::Object(fields) = value else { return Ok(()) };
        for (key, inner) in fields {
            match (key.as_str(), inner) {
                ("$and" | "$or", Value::Array(parts)) => {
                    for part in parts {
                        walk(part, depth + 1, tally)?;
                    }
                }
                ("$not", inner) => walk(inner, depth + 1, tally)?,
                (_, Value::Object(operators)) => {
                    for value in operators.values() {
                        count(value, tally)?;
                    }
                }
                (_, value) => count(value, tally)?,
            }
        }
        Ok(())
    }
    fn count(value: &Value, tally: &mut Tally) -> Result<(), String> {
        tally.terms += 1;
        if tally.terms > MAX_WHERE_TERMS {
            return Err(format!(
                "The filter (Where) holds more than {MAX_WHERE_TERMS} comparisons; at most {MAX_WHERE_TERMS} are allowed."
            ));
        }
        if let Value::Array(items) = value {
            if items.len() > MAX_WHERE_LIST {
                return Err(format!(
                    "A $in or $nin list of the filter (Where) holds {} values; at most {MAX_WHERE_LIST} are allowed.",
                    items.len()
                ));
            }
            tally.listed += items.len();
            if tally.listed > MAX_WHERE_LISTED {
                return Err(format!(
                    "The $in and $nin lists of the filter (Where) hold more than {MAX_WHERE_LISTED} values together; \
                     at most {MAX_WHERE_LISTED} are allowed."
                ));
            }
        }
        Ok(())
    }
    walk(filter, 1, &mut Tally::default())
}

/// Appends the SQL condition for `filter` to `out`.
pub fn where_sql(filter: &SiteFilter, schema: &dyn Schema, out: &mut Sql) -> Result<(), String> {
    match filter {
        SiteFilter::Everything => {
            out.push("1");
        }
        SiteFilter::Test { path, test } => {
            let resolved = schema.field(path)?;
            compare(&resolved, path, test, out)?;
        }
        SiteFilter::All(parts) | SiteFilter::Any(parts) if parts.is_empty() => {
            out.push(if matches!(filter, SiteFilter::All(_)) { "1" } else { "0" });
        }
        SiteFilter::All(parts) | SiteFilter::Any(parts) => {
            let joiner = if matches!(filter, SiteFilter::All(_)) { " AND " } else { " OR " };
            out.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push(joiner);
                }
                where_sql(part, schema, out)?;
            }
            out.push(")");
        }
        SiteFilter::Not(inner) => {
            out.push("NOT (");
            where_sql(inner, schema, out)?;
            out.push(")");
        }
    }
    Ok(())
}

/// `ORDER BY` keys for `order` (or just the id), always ending with `Id` ascending.
pub fn order_sql(order: Option<&SiteOrder>, schema: &dyn Schema, out: &mut Sql) -> Result<(), String> {
    out.push(" ORDER BY ");
    if let Some(order) = order {
        let keys = match schema.field(&order.path)? {
            Field::Direct { sort, .. } | Field::Side { sort, .. } => sort,
            Field::Nested => return Err(format!("cannot sort by `{}`: it is an object or a list", order.path)),
        };
        for key in keys {
            out.append(&key).push(if order.descending { " DESC, " } else { " ASC, " });
        }
    }
    out.push(schema.id_column()).push(" ASC");
    Ok(())
}

fn compare(field: &Field, path: &SitePath, test: &Test, out: &mut Sql) -> Result<(), String> {
    if matches!(field, Field::Nested) {
        return Err(format!("`{path}` is an object or a list; filter on a plain field instead"));
    }
    match test {
        Test::IsNull(is_null) => presence(field, *is_null, out),
        Test::Eq(None) => presence(field, true, out),
        Test::Neq(None) => presence(field, false, out),
        Test::Eq(Some(value)) => ordered(field, path, " = ", value, out)?,
        Test::Neq(Some(value)) => {
            out.push("NOT ");
            ordered(field, path, " = ", value, out)?;
        }
        Test::Range(bound, value) => {
            let operator = match bound {
                Bound::Above => " > ",
                Bound::AtLeast => " >= ",
                Bound::Below => " < ",
                Bound::AtMost => " <= ",
            };
            ordered(field, path, operator, value, out)?;
        }
        Test::In(items) => one_of(field, path, items, out)?,
        Test::Nin(items) => {
            out.push("NOT ");
            one_of(field, path, items, out)?;
        }
        Test::Text(TextMatch::NotContains, needle) => {
            out.push("NOT ");
            text_match(field, path, TextMatch::Contains, needle, out)?;
        }
        Test::Text(how, needle) => text_match(field, path, *how, needle, out)?,
    }
    Ok(())
}

/// `x <operator> value` for the field's value of the value's kind.
fn ordered(field: &Field, path: &SitePath, operator: &str, value: &Scalar, out: &mut Sql) -> Result<(), String> {
    let (kind, param) = bind(field, path, value)?;
    predicate(field, path, kind, out, |x, sql| {
        sql.append(x).push(operator).param(param.clone());
    })
}

/// `$in`: null among the items matches a null field; the others by kind.
fn one_of(field: &Field, path: &SitePath, items: &[Option<Scalar>], out: &mut Sql) -> Result<(), String> {
    let mut alternatives = Vec::new();
    if items.iter().any(Option::is_none) {
        let mut null_test = Sql::default();
        presence(field, true, &mut null_test);
        alternatives.push(null_test);
    }
    for kind in [ValueKind::Text, ValueKind::Number, ValueKind::Bool, ValueKind::Date] {
        let mut params = Vec::new();
        for item in items.iter().flatten() {
            let (item_kind, param) = bind(field, path, item)?;
            if item_kind == kind {
                params.push(param);
            }
        }
        if params.is_empty() {
            continue;
        }
        let mut test = Sql::default();
        predicate(field, path, kind, &mut test, |x, sql| {
            sql.append(x).push(" IN (");
            for (i, param) in params.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.param(param.clone());
            }
            sql.push(")");
        })?;
        alternatives.push(test);
    }
    match alternatives.len() {
        0 => out.push("0"),
        _ => {
            out.push("(");
            for (i, alternative) in alternatives.iter().enumerate() {
                if i > 0 {
                    out.push(" OR ");
                }
                out.append(alternative);
            }
            out.push(")")
        }
    };
    Ok(())
}

/// `$contains`, `$startsWith`, `$endsWith` on the lowercase forms.
fn text_match(field: &Field, path: &SitePath, how: TextMatch, needle: &str, out: &mut Sql) -> Result<(), String> {
    let needle = needle.to_lowercase();
    predicate(field, path, ValueKind::Text, out, |x, sql| match how {
        TextMatch::Contains | TextMatch::NotContains => {
            sql.push("instr(").append(x).push(", ").param(needle.clone()).push(") > 0");
        }
        TextMatch::StartsWith => match prefix_upper_bound(&needle) {
            // A prefix range, so that an index on the column serves it.
            Some(upper) => {
                sql.append(x).push(" >= ").param(needle.clone()).push(" AND ").append(x).push(" < ").param(upper);
            }
            None if needle.is_empty() => {
                sql.push("1");
            }
            None => {
                let length = needle.chars().count() as i64;
                sql.push("substr(").append(x).push(", 1, ").param(length).push(") = ").param(needle.clone());
            }
        },
        TextMatch::EndsWith => {
            let length = needle.chars().count() as i64;
            sql.push("length(").append(x).push(") >= ").param(length);
            sql.push(" AND substr(").append(x).push(", length(").append(x).push(") - ").param(length);
            sql.push(" + 1) = ").param(needle.clone());
        }
    })
}

/// `(x IS NOT NULL AND <comparison on x>)` for the field's value of `kind`: false, never
/// NULL, when the field is null or holds another kind.
fn predicate(
    field: &Field,
    path: &SitePath,
    kind: ValueKind,
    out: &mut Sql,
    comparison: impl Fn(&Sql, &mut Sql),
) -> Result<(), String> {
    match field {
        Field::Direct { values, .. } => {
            let x = &values
                .iter()
                .find(|(k, _)| *k == kind)
                .ok_or_else(|| wrong_kind(path, kind, values.iter().map(|(k, _)| *k)))?
                .1;
            out.push("(").append(x).push(" IS NOT NULL AND ");
            comparison(x, out);
            out.push(")");
        }
        Field::Side { owner, lookup, values, .. } => {
            let (_, condition, column) = values
                .iter()
                .find(|(k, ..)| *k == kind)
                .ok_or_else(|| wrong_kind(path, kind, values.iter().map(|(k, ..)| *k)))?;
            out.push("(").push(owner).push(" IN (").append(lookup).push(" AND ").push(condition).push(" AND ");
            comparison(&Sql::raw(*column), out);
            out.push("))");
        }
        Field::Nested => return Err(format!("`{path}` is an object or a list; filter on a plain field instead")),
    }
    Ok(())
}

fn presence(field: &Field, is_null: bool, out: &mut Sql) {
    match field {
        Field::Direct { presence, .. } => {
            out.push("(").append(presence).push(if is_null { " IS NULL)" } else { " IS NOT NULL)" });
        }
        Field::Side { owner, lookup, .. } => {
            out.push("(").push(owner).push(if is_null { " NOT IN (" } else { " IN (" }).append(lookup).push("))");
        }
        Field::Nested => {
            out.push("0");
        }
    }
}

/// The kind and SQL parameter of a filter value, for this field. A string is a date when
/// the field holds dates; then it must parse as one.
fn bind(field: &Field, path: &SitePath, value: &Scalar) -> Result<(ValueKind, SqlValue), String> {
    let holds_dates = match field {
        Field::Direct { values, .. } => values.iter().any(|(k, _)| *k == ValueKind::Date),
        _ => false,
    };
    Ok(match value {
        Scalar::Text(text) if holds_dates => {
            let instant = Timestamp::parse(text)
                .ok_or_else(|| format!("`{path}` holds dates; `{text}` is not an ISO-8601 date"))?;
            (ValueKind::Date, SqlValue::Integer(instant.millis()))
        }
        Scalar::Text(text) => (ValueKind::Text, SqlValue::Text(text.to_lowercase())),
        Scalar::Bool(flag) => (ValueKind::Bool, SqlValue::Integer(i64::from(*flag))),
        Scalar::Number(number) => match number.as_i64() {
            Some(whole) => (ValueKind::Number, SqlValue::Integer(whole)),
            None => (ValueKind::Number, SqlValue::Real(number.as_f64().unwrap_or(f64::NAN))),
        },
    })
}

fn wrong_kind(path: &SitePath, got: ValueKind, holds: impl Iterator<Item = ValueKind>) -> String {
    let name = |kind: ValueKind| match kind {
        ValueKind::Text => "text",
        ValueKind::Number => "numbers",
        ValueKind::Bool => "true/false",
        ValueKind::Date => "dates",
    };
    let holds: Vec<&str> = holds.map(name).collect();
    format!("`{path}` holds {}; it cannot be compared with {}", holds.join(" or "), name(got))
}

/// The smallest string above every string that starts with `prefix` (its last character
/// moved up one code point), or `None` when there is none.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_past_the_published_limits_are_refused_naming_the_limit() {
        let nested = |depth: usize| {
            let mut value = serde_json::json!({"City": "Oslo"});
            for _ in 1..depth {
                value = serde_json::json!({"$not": value});
            }
            value
        };
        assert!(check_limits(&nested(8)).is_ok());
        assert!(check_limits(&nested(9)).unwrap_err().contains("levels deep"));
        let terms =
            |n: usize| serde_json::json!({"$or": (0..n).map(|i| serde_json::json!({"Id": i})).collect::<Vec<_>>()});
        assert!(check_limits(&terms(200)).is_ok());
        assert!(check_limits(&terms(201)).unwrap_err().contains("comparisons"));
        let ids = |n: usize| serde_json::json!({"Id": {"$in": (0..n).collect::<Vec<_>>()}});
        assert!(check_limits(&ids(1000)).is_ok());
        assert!(check_limits(&ids(1001)).unwrap_err().contains("1001 values"));
        let lists = serde_json::json!({"Id": {"$in": (0..1000).collect::<Vec<_>>(), "$nin": (0..1000).collect::<Vec<_>>()}, "Type": {"$in": [1]}});
        assert!(check_limits(&lists).unwrap_err().contains("together"));
    }

    #[test]
    fn prefix_bounds_cover_exactly_the_prefixed_strings() {
        assert_eq!(prefix_upper_bound("smi").as_deref(), Some("smj"));
        assert_eq!(prefix_upper_bound("a\u{d7ff}").as_deref(), Some("a\u{e000}"), "skips surrogates");
        assert_eq!(prefix_upper_bound("b\u{10ffff}").as_deref(), Some("c"));
        assert_eq!(prefix_upper_bound(""), None);
    }
}
