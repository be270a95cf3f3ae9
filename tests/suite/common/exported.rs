//! What an export (or a reader of one) must hold for a contact's field, taken from the JSON
//! the site sent: no model and no exporter in the way.

use serde_json::Value;

/// What the site sent for `field` (`LastName`, `CustomCrmGroups.<group>.<field>`) of a
/// contact in its plain JSON; `null` when absent.
pub fn sent(contact: &Value, field: &str) -> Value {
    let found = match field.strip_prefix("CustomCrmGroups.") {
        Some(custom) => {
            let (group, name) = custom.split_once('.').expect("group.field");
            contact.get("CustomCrmGroups").and_then(|g| g.get(group)).and_then(|g| g.get(name))
        }
        None => contact.get(field),
    };
    found.cloned().unwrap_or(Value::Null)
}

/// An instant as the ISO 8601 export writes it: UTC, milliseconds, `Z`. (A date the site
/// sends without a zone is UTC.)
pub fn iso_utc(text: &str) -> String {
    let instant =
        chrono::DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").expect("a date").and_utc()
        });
    instant.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// The text an export holds (and a reader gives back, with no formula guard) for `field` of
/// the contact the site sent as `contact`: flags as yes/no, numbers as the site wrote them,
/// dates in ISO 8601 UTC.
pub fn expected_text(contact: &Value, field: &str) -> String {
    match sent(contact, field) {
        Value::Null => String::new(),
        Value::Bool(flag) => (if flag { "yes" } else { "no" }).to_owned(),
        Value::String(text) if field == "CreatedDate" => iso_utc(&text),
        Value::String(text) => text,
        other => other.to_string(),
    }
}
