//! The grid's filter as the user builds it: conditions (field, operator, value) joined by
//! AND or OR, or a raw Where JSON typed by hand. It becomes the API's `Where` in one place,
//! [`FilterSpec::to_where`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::contact_fields::{FIELDS, FieldSpec};
use crate::api::model::FieldType;
use crate::api::query::{FieldPath, Op, Where, WhereError};

/// How the conditions combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Combine {
    /// Every condition must hold.
    #[default]
    All,
    /// Any condition may hold.
    Any,
}

/// One condition of the filter builder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// `LastName` or `CustomCrmGroups.Group.Field`.
    pub field: String,
    pub op: String,
    pub value: Value,
}

impl Condition {
    pub fn new(field: &str, op: Op, value: Value) -> Self {
        Self { field: field.to_owned(), op: op.wire_name().to_owned(), value }
    }

    fn to_where(&self) -> Option<Where> {
        let field = FieldPath::parse(&self.field).ok()?;
        let op = Op::from_wire(&self.op)?;
        Some(Where::Compare { field, op, value: self.value.clone() })
    }

    /// How a chip shows it: `City = Oslo`.
    pub fn describe(&self) -> String {
        let op = Op::from_wire(&self.op).map_or_else(|| self.op.clone(), |op| op_label(op).to_owned());
        let value = match &self.value {
            Value::String(text) => text.clone(),
            Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
            other => value_text(other),
        };
        let field = super::layout::column_title(&self.field);
        match Op::from_wire(&self.op) {
            Some(Op::IsNull) => {
                format!("{field} {}", if self.value == Value::Bool(true) { "is empty" } else { "is not empty" })
            }
            _ => format!("{field} {op} {value}"),
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "empty".to_owned(),
        other => other.to_string(),
    }
}

/// The user's words for an operator.
pub fn op_label(op: Op) -> &'static str {
    match op {
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
        Op::IsNull => "is empty",
    }
}

/// The operators that make sense for a field type.
pub fn ops_for(kind: FieldType) -> &'static [Op] {
    match kind {
        FieldType::Text => &[
            Op::Contains,
            Op::Eq,
            Op::Neq,
            Op::StartsWith,
            Op::EndsWith,
            Op::NotContains,
            Op::In,
            Op::Nin,
            Op::Gt,
            Op::Lt,
            Op::IsNull,
        ],
        FieldType::Number | FieldType::Date => &[Op::Eq, Op::Neq, Op::Gt, Op::Gte, Op::Lt, Op::Lte, Op::In, Op::IsNull],
        FieldType::Bool => &[Op::Eq, Op::Neq, Op::IsNull],
    }
}

/// The operators the filter builder offers for a field type on a site: those the site's
/// dialect honours (all of them on a site not yet checked).
pub fn ops_offered(kind: FieldType, dialect: &crate::api::Dialect) -> Vec<Op> {
    ops_for(kind).iter().copied().filter(|op| dialect.honours(*op)).collect()
}

/// The type of a field by name: a contact field's own, or for a custom field the type of a
/// value seen (text when unknown).
pub fn field_type(field: &str, custom_sample: Option<&Value>) -> FieldType {
    if let Some(spec) = FieldSpec::named(field) {
        return spec.field_type();
    }
    match custom_sample {
        Some(Value::Number(_)) => FieldType::Number,
        Some(Value::Bool(_)) => FieldType::Bool,
        _ => FieldType::Text,
    }
}

/// Any of the contact's own text fields contains `text`.
fn any_text_field_contains(text: &str) -> Where {
    let text_fields = FIELDS.iter().filter(|spec| spec.field_type() == FieldType::Text);
    Where::Or(text_fields.map(|spec| Where::field(spec.name).contains(text)).collect())
}

/// Why a typed value is not one the field takes (the text as typed, trimmed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("`{0}` is not a number")]
    NotANumber(String),
    #[error("`{0}` is not yes or no")]
    NotYesOrNo(String),
    #[error("`{0}` is not a date (e.g. 2024-05-17)")]
    NotADate(String),
}

/// Reads what the user typed into the value box as the JSON value the operator needs.
pub fn parse_value(kind: FieldType, op: Op, text: &str) -> Result<Value, ValueError> {
    let one = |part: &str| -> Result<Value, ValueError> {
        let part = part.trim();
        match kind {
            FieldType::Text | FieldType::Date => Ok(Value::String(part.to_owned())),
            FieldType::Number => part
                .parse::<i64>()
                .map(Value::from)
                // Rust reads `NaN` and `inf` as numbers; JSON has no such numbers (they became null).
                .or_else(|_| part.parse::<f64>().ok().filter(|n| n.is_finite()).map(Value::from).ok_or(()))
                .map_err(|_| ValueError::NotANumber(part.to_owned())),
            FieldType::Bool => match part.to_lowercase().as_str() {
                "true" | "yes" | "1" => Ok(Value::Bool(true)),
                "false" | "no" | "0" => Ok(Value::Bool(false)),
                _ => Err(ValueError::NotYesOrNo(part.to_owned())),
            },
        }
    };
    match op {
        Op::IsNull => Ok(Value::Bool(true)),
        Op::In | Op::Nin => {
            text.split(',').filter(|p| !p.trim().is_empty()).map(one).collect::<Result<_, _>>().map(Value::Array)
        }
        _ if kind == FieldType::Date && crate::api::Timestamp::parse(text).is_none() => {
            Err(ValueError::NotADate(text.trim().to_owned()))
        }
        _ => one(text),
    }
}

/// The grid's filter: built conditions, or raw JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterSpec {
    pub conditions: Vec<Condition>,
    pub combine: Combine,
    /// A Where typed by hand (checked when applied); replaces the conditions.
    pub raw: Option<Value>,
    /// Text that any of the contact's text fields contains ("Search all fields").
    pub everywhere: Option<String>,
}

impl FilterSpec {
    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty() && self.raw.is_none() && self.everywhere.is_none()
    }

    /// A filter for contacts any of whose text fields contains `text`.
    pub fn search_everywhere(text: &str) -> Self {
        Self { everywhere: Some(text.trim().to_owned()), ..Self::default() }
    }

    pub fn to_where(&self) -> Where {
        if let Some(raw) = &self.raw {
            return Where::Raw(raw.clone());
        }
        let parts: Vec<Where> = self.conditions.iter().filter_map(Condition::to_where).collect();
        let built = match (parts.len(), self.combine) {
            (0, _) => Where::All,
            (1, _) => parts.into_iter().next().unwrap_or_default(),
            (_, Combine::All) => Where::And(parts),
            (_, Combine::Any) => Where::Or(parts),
        };
        match &self.everywhere {
            Some(text) => built.and(any_text_field_contains(text)),
            None => built,
        }
    }

    /// Makes raw JSON the filter, sent as typed: any valid JSON (an empty box, like `{}`, is no
    /// filter). Says whether the app reads it in its own dialect (so that it can check the
    /// site's rows against it) or not, and why.
    pub fn set_raw(&mut self, text: &str) -> Result<RawReading, WhereError> {
        let text = text.trim();
        let value: Option<Value> = if text.is_empty() {
            None
        } else {
            Some(serde_json::from_str(text).map_err(|e| WhereError(format!("the text is not JSON ({e})")))?)
        };
        let reading = match value.as_ref().map(Where::parse) {
            Some(Err(outside)) => RawReading::Outside(outside.0),
            None | Some(Ok(_)) => RawReading::Known,
        };
        self.raw = value.filter(|value| *value != Value::Object(Default::default()));
        self.conditions.clear();
        Ok(reading)
    }
}

/// How the app reads a raw filter it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawReading {
    /// In the app's Where dialect: the site's rows are checked against it.
    Known,
    /// Outside it (the reason): sent as typed, but the app cannot check what comes back.
    Outside(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conditions_become_the_where_dialect() {
        let mut spec = FilterSpec::default();
        assert_eq!(spec.to_where(), Where::All);
        spec.conditions.push(Condition::new("City", Op::Eq, json!("Oslo")));
        assert_eq!(spec.to_where().to_json(), json!({"City": {"$eq": "Oslo"}}));
        spec.conditions.push(Condition::new("CustomCrmGroups.Membership.Level", Op::In, json!(["Gold", "Silver"])));
        spec.combine = Combine::Any;
        assert_eq!(
            spec.to_where().to_json(),
            json!({"$or": [{"City": {"$eq": "Oslo"}}, {"CustomCrmGroups.Membership.Level": {"$in": ["Gold", "Silver"]}}]})
        );
    }

    #[test]
    fn typed_values_follow_the_field_type() {
        assert_eq!(parse_value(FieldType::Number, Op::Gt, " 42 "), Ok(json!(42)));
        assert_eq!(parse_value(FieldType::Number, Op::In, "1, 2.5"), Ok(json!([1, 2.5])));
        assert_eq!(parse_value(FieldType::Number, Op::Eq, " many ").unwrap_err().to_string(), "`many` is not a number");
        assert_eq!(parse_value(FieldType::Number, Op::In, "1, NaN").unwrap_err().to_string(), "`NaN` is not a number");
        assert_eq!(parse_value(FieldType::Bool, Op::Eq, "Yes"), Ok(json!(true)));
        assert_eq!(parse_value(FieldType::Bool, Op::Eq, "maybe").unwrap_err().to_string(), "`maybe` is not yes or no");
        assert_eq!(
            parse_value(FieldType::Date, Op::Gt, " soon ").unwrap_err().to_string(),
            "`soon` is not a date (e.g. 2024-05-17)"
        );
        assert_eq!(parse_value(FieldType::Date, Op::Gt, "2024-05-17"), Ok(json!("2024-05-17")));
        assert_eq!(parse_value(FieldType::Text, Op::In, "NZ, AU"), Ok(json!(["NZ", "AU"])));
        assert_eq!(field_type("CreatedDate", None), FieldType::Date);
        assert_eq!(field_type("CustomCrmGroups.M.Points", Some(&json!(3))), FieldType::Number);
    }

    #[test]
    fn raw_json_is_checked_before_it_applies() {
        let mut spec =
            FilterSpec { conditions: vec![Condition::new("City", Op::Eq, json!("Oslo"))], ..Default::default() };
        assert!(spec.set_raw(r#"{"City": "#).unwrap_err().to_string().contains("not JSON"));
        assert_eq!(spec.conditions.len(), 1, "text that is not JSON changes nothing");
        assert_eq!(spec.set_raw(r#"{"Id": {"$gt": 5}}"#), Ok(RawReading::Known));
        assert_eq!(spec.to_where().to_json(), json!({"Id": {"$gt": 5}}));
        assert!(spec.conditions.is_empty());
        assert_eq!(Condition::new("Country", Op::In, json!(["NZ", "AU"])).describe(), "Country is one of NZ, AU");
    }

    #[test]
    fn raw_json_outside_the_dialect_is_sent_as_typed_and_says_why_it_cannot_be_checked() {
        let mut spec = FilterSpec::default();
        let typed = r#"{"City": {"$like": "Auck%"}, "Extra": [1, 2]}"#;
        let reading = spec.set_raw(typed).unwrap();
        assert!(matches!(&reading, RawReading::Outside(why) if why.contains("$like")), "{reading:?}");
        let sent = spec.to_where().to_json();
        assert_eq!(sent, serde_json::from_str::<Value>(typed).unwrap(), "as typed");
    }

    #[test]
    fn an_emptied_raw_box_clears_the_filter() {
        // Found by fuzz/where_filter: the parser took "" as no filter, the builder refused it.
        for empty in ["", "  \n", "{}"] {
            let mut spec =
                FilterSpec { conditions: vec![Condition::new("City", Op::Eq, json!("Oslo"))], ..Default::default() };
            assert_eq!(spec.set_raw(empty), Ok(RawReading::Known), "{empty:?}");
            assert_eq!(spec, FilterSpec::default(), "{empty:?}");
        }
    }
}
