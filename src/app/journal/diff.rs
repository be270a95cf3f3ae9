//! What a journal entry changed, field by field, for the History panel.

use serde_json::Value;

use crate::api::SecureZone;
use crate::app::contact::save::flat_json;

use super::writes::ZONES_KEY;
use super::{Entry, Operation};

/// One field's value before and after (`None`: the copy had no such field, or there was no
/// copy, as before a create).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields that differ between the entry's copies: every field of a created or deleted
/// contact, the changed ones of a save, the zones of a zone change. A password set has none.
pub fn changes(entry: &Entry) -> Vec<FieldChange> {
    match entry.operation {
        Operation::Zones => zone_changes(entry.before.as_ref(), entry.after.as_ref().or(entry.sent.as_ref())),
        Operation::Password | Operation::Other => Vec::new(),
        Operation::Create | Operation::Save | Operation::Delete => {
            let mut before = entry.before.clone().map(flat_json).unwrap_or_default();
            let zones = before.remove(ZONES_KEY);
            // A failed save has no copy after: what it asked for stands in.
            let after = entry.after.clone().or_else(|| entry.sent.clone()).map(flat_json);
            let after = if entry.operation == Operation::Delete { None } else { after };
            let mut names: Vec<&String> = before.keys().chain(after.iter().flat_map(|a| a.keys())).collect();
            names.sort();
            names.dedup();
            let mut changes: Vec<FieldChange> = names
                .into_iter()
                .filter_map(|name| {
                    let was = before.get(name).filter(|v| !v.is_null());
                    let now = after.as_ref().and_then(|a| a.get(name)).filter(|v| !v.is_null());
                    (was != now).then(|| FieldChange {
                        field: name.clone(),
                        before: was.map(text),
                        after: now.map(text),
                    })
                })
                .collect();
            if let Some(zones) = zones {
                changes.extend(zone_changes(Some(&zones), None));
            }
            changes
        }
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Zones by name: added, removed, or with a new expiry.
fn zone_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let read = |value: Option<&Value>| -> Vec<SecureZone> {
        value.and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
    };
    let (before, after) = (read(before), read(after));
    let expiry = |zone: &SecureZone| {
        zone.expiry_date_time
            .map_or_else(|| "no expiry".to_owned(), |at| format!("until {}", crate::app::text::date(&at)))
    };
    let mut ids: Vec<i64> = before.iter().chain(&after).map(|z| z.id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let was = before.iter().find(|z| z.id == id);
            let now = after.iter().find(|z| z.id == id);
            let name = was.or(now).map_or_else(|| format!("Zone {id}"), |z| z.name.clone());
            let (was, now) = (was.map(expiry), now.map(expiry));
            (was != now).then(|| FieldChange { field: format!("Secure zone: {name}"), before: was, after: now })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(operation: Operation, before: Value, after: Value) -> Entry {
        Entry {
            id: 1,
            at: None,
            operation,
            contact: Some(7),
            label: "Åse".to_owned(),
            before: Some(before),
            sent: None,
            after: Some(after),
            outcome: super::super::JournalOutcome::Done,
            detail: None,
            batch: None,
            undo_of: None,
            undone_by: None,
        }
    }

    #[test]
    fn a_save_lists_only_the_fields_it_changed_custom_values_included() {
        let before =
            json!({"Id": 7, "City": "Oslo", "Phone": null, "CustomCrmGroups": {"Membership": {"Level": "Gold"}}});
        let after =
            json!({"Id": 7, "City": "Bergen", "Phone": "+47 1", "CustomCrmGroups": {"Membership": {"Level": "Gold"}}});
        let found = changes(&entry(Operation::Save, before, after));
        let fields: Vec<(&str, Option<&str>, Option<&str>)> =
            found.iter().map(|c| (c.field.as_str(), c.before.as_deref(), c.after.as_deref())).collect();
        assert_eq!(fields, [("City", Some("Oslo"), Some("Bergen")), ("Phone", None, Some("+47 1"))]);
    }

    #[test]
    fn a_delete_lists_what_went_with_its_zones() {
        let before = json!({"Id": 7, "Email": "a@b.example", ZONES_KEY: [{"Id": 2, "Name": "Wine Club", "ExpiryDateTime": null}]});
        let found = changes(&entry(Operation::Delete, before, Value::Null));
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["Email", "Id", "Secure zone: Wine Club"]);
        assert!(found.iter().all(|c| c.after.is_none()));
    }
}
