//! The JSON Schema of the list parameters `Where` and `Order_By` of each record type, from
//! the field tables the filter translator reads: the fields a filter may name, the operators
//! each one takes, and the values each operator takes on a field of that kind. What the
//! schema allows the sandbox answers; what it refuses, the sandbox refuses too.

use serde_json::{Map, Value, json};

use super::filter::{MAX_WHERE_DEPTH, MAX_WHERE_LIST, MAX_WHERE_LISTED, MAX_WHERE_TERMS};
use super::schema::{CONTACT_FIELDS, FieldKind, RecordKind, ZONE_FIELDS};
use super::where_reader::CUSTOM_GROUPS;

/// The record types a list can be of.
#[derive(Clone, Copy, Debug)]
pub enum Listed {
    Contacts,
    Records(RecordKind),
    Zones,
}

impl Listed {
    /// The name of its `Where` component, e.g. `ContactWhere`.
    pub fn where_name(self) -> String {
        format!("{}Where", self.item())
    }

    pub fn item(self) -> &'static str {
        match self {
            Listed::Contacts => "Contact",
            Listed::Records(kind) => kind.shape().name,
            Listed::Zones => "SecureZone",
        }
    }

    /// The fields a filter or a sort may name, with how they compare (objects and lists left out).
    fn fields(self) -> Vec<(&'static str, FieldKind)> {
        let all: Vec<(&'static str, FieldKind)> = match self {
            Listed::Contacts => CONTACT_FIELDS.iter().map(|f| (f.api, f.kind)).collect(),
            Listed::Records(kind) => kind.shape().fields.iter().map(|p| (p.api, p.kind())).collect(),
            Listed::Zones => ZONE_FIELDS.iter().map(|f| (f.api, f.kind)).collect(),
        };
        all.into_iter().filter(|(_, kind)| *kind != FieldKind::Nested).collect()
    }

    fn has_custom_fields(self) -> bool {
        !matches!(self, Listed::Zones)
    }
}

/// The values a field of `kind` is compared with (a custom field holds text, numbers or booleans).
fn value_of(kind: Option<FieldKind>) -> Value {
    match kind {
        Some(FieldKind::Text) => json!({"type": "string"}),
        Some(FieldKind::Int | FieldKind::Decimal) => json!({"type": "number"}),
        Some(FieldKind::Bool) => json!({"type": "boolean"}),
        Some(FieldKind::Date) => json!({"type": "string", "format": "date-time"}),
        Some(FieldKind::Nested) => json!(false),
        None => json!({"type": ["string", "number", "boolean"]}),
    }
}

fn or_null(schema: &Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// `{"$eq": v, "$gt": v, ...}` or a bare value (shorthand for `$eq`) for a field of `kind`
/// (`None`: a custom field).
fn condition(kind: Option<FieldKind>) -> Value {
    let value = value_of(kind);
    let listed = json!({"type": "array", "items": or_null(&value), "maxItems": MAX_WHERE_LIST});
    let mut ops = Map::new();
    for op in ["$eq", "$neq"] {
        ops.insert(op.into(), or_null(&value));
    }
    for op in ["$gt", "$gte", "$lt", "$lte"] {
        ops.insert(op.into(), value.clone());
    }
    for op in ["$in", "$nin"] {
        ops.insert(op.into(), listed.clone());
    }
    ops.insert("$isNull".into(), json!({"type": "boolean"}));
    // Text operators need a field that holds text.
    if matches!(kind, Some(FieldKind::Text) | None) {
        for op in ["$contains", "$notContains", "$startsWith", "$endsWith"] {
            ops.insert(op.into(), json!({"type": "string"}));
        }
    }
    json!({"anyOf": [
        or_null(&value),
        {"type": "object", "minProperties": 1, "properties": ops, "additionalProperties": false},
    ]})
}

/// The `Where` schema of `listed`: its fields, `$and`, `$or` and `$not`, nothing else.
pub fn where_schema(listed: Listed) -> Value {
    let itself = json!({"$ref": format!("#/components/schemas/{}", listed.where_name())});
    let mut properties = Map::new();
    properties.insert("$and".into(), json!({"type": "array", "items": itself, "maxItems": MAX_WHERE_TERMS}));
    properties.insert("$or".into(), json!({"type": "array", "items": itself, "maxItems": MAX_WHERE_TERMS}));
    properties.insert("$not".into(), itself);
    // The fields by kind, one pattern each: the same rule as a property per field, in a
    // schema small enough for a fuzzer to cover.
    let mut by_kind = Map::new();
    for kind in [FieldKind::Text, FieldKind::Int, FieldKind::Decimal, FieldKind::Bool, FieldKind::Date] {
        let names: Vec<String> =
            listed.fields().iter().filter(|(_, k)| *k == kind).map(|(name, _)| regex_escape(name)).collect();
        if !names.is_empty() {
            by_kind.insert(format!("^(?:{})$", names.join("|")), condition(Some(kind)));
        }
    }
    if listed.has_custom_fields() {
        // `CustomCrmGroups.<group>.<field>`: the group has no dot, the field may.
        by_kind.insert(format!(r"^{}\.[^.]+\.[\s\S]+$", regex_escape(CUSTOM_GROUPS)), condition(None));
    }
    json!({
        "type": "object",
        "description": format!(
            "A filter in the Where dialect; {{}} matches everything. Fields side by side must all hold. {}",
            limits_text()
        ),
        "properties": properties,
        "patternProperties": by_kind,
        "additionalProperties": false,
    })
}

/// The limits of a `Where`, in words (the depth and the totals are beyond JSON Schema).
pub fn limits_text() -> String {
    format!(
        "Limits (past them, 400 with a message naming the limit): $and, $or and $not nest at most \
         {MAX_WHERE_DEPTH} levels deep (the filter itself is level 1); at most {MAX_WHERE_TERMS} comparisons in all \
         (each operator of a field, or a bare value, is one); at most {MAX_WHERE_LIST} values in one $in or $nin \
         list and {MAX_WHERE_LISTED} in all of them together."
    )
}

/// The limits of a `Where` as an OpenAPI extension, for tools.
pub fn limits_extension() -> Value {
    json!({"maxDepth": MAX_WHERE_DEPTH, "maxTerms": MAX_WHERE_TERMS, "maxListValues": MAX_WHERE_LIST, "maxListValuesTotal": MAX_WHERE_LISTED})
}

/// `Field`, `Field ASC`, `Field DESC` or `-Field`, for each field a list can be sorted by;
/// empty is the default order (by Id).
pub fn order_by_schema(listed: Listed) -> Value {
    let choices: Vec<String> = std::iter::once(String::new())
        .chain(listed.fields().iter().flat_map(|(name, _)| {
            [name.to_string(), format!("{name} ASC"), format!("{name} DESC"), format!("-{name}")]
        }))
        .collect();
    json!({"type": "string", "enum": choices})
}

fn regex_escape(text: &str) -> String {
    text.chars().flat_map(|c| if c.is_ascii_alphanumeric() { vec![c] } else { vec!['\\', c] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_where_names_only_comparable_fields_and_text_operators_only_on_text() {
        let schema = where_schema(Listed::Contacts);
        let patterns = schema["patternProperties"].as_object().unwrap();
        let of = |field: &str| {
            let (_, condition) = patterns
                .iter()
                .find(|(pattern, _)| regex::Regex::new(pattern).unwrap().is_match(field))
                .unwrap_or_else(|| panic!("no pattern names {field}"));
            condition["anyOf"][1]["properties"].as_object().unwrap().clone()
        };
        assert!(of("City").contains_key("$contains"));
        assert!(!of("Id").contains_key("$contains"), "Id holds numbers");
        assert_eq!(of("CreatedDate")["$gt"]["format"], "date-time");
        assert!(of("CustomCrmGroups.Membership.Level").contains_key("$contains"));
        for nowhere in ["CustomCrmGroups", "Cityx", "xCity", "CustomCrmGroups.NoField"] {
            assert!(!patterns.keys().any(|p| regex::Regex::new(p).unwrap().is_match(nowhere)), "{nowhere}");
        }
        let zones = where_schema(Listed::Zones);
        assert!(!zones["patternProperties"].as_object().unwrap().keys().any(|p| p.contains("CustomCrmGroups")));
    }
}
