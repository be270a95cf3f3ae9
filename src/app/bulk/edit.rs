//! What a bulk edit does to one contact: a value (or "clear") for each chosen field, applied
//! to the whole object so that every other field, unknown ones included, stays as it was.

use serde_json::Value;

use crate::api::Contact;
use crate::api::FieldPath;
use crate::api::contact_fields::{FIELDS, Field};
use crate::app::contact::save::field_json;

/// A field that must stay unique: never offered for a bulk edit (nor are those the site sets).
const UNIQUE: Field = Field::Email;

/// The contact fields a bulk edit may set, then the custom fields seen (`CustomCrmGroups.<g>.<f>`).
pub fn editable_fields(custom: &[(String, String)]) -> Vec<String> {
    let own = FIELDS.iter().filter(|spec| !spec.site_owned && spec.field != UNIQUE).map(|spec| spec.name);
    own.map(str::to_owned).chain(custom.iter().map(|(g, f)| crate::api::fields::custom_field_name(g, f))).collect()
}

/// One field's new value; `None` clears it.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldEdit {
    pub field: String,
    pub value: Option<Value>,
}

impl FieldEdit {
    /// Touches this one field only: the rest of the object (empty custom groups, unknown
    /// fields) goes back to the site exactly as it came.
    fn apply(&self, mut contact: Contact) -> Result<Contact, EditRefused> {
        let refused = || EditRefused::Value { field: self.field.clone(), value: self.value.clone() };
        match FieldPath::parse(&self.field).map_err(EditRefused::Field)? {
            FieldPath::Custom { group, field } => {
                set_custom(&mut contact, &group, &field, self.value.as_ref());
                Ok(contact)
            }
            FieldPath::Top(name) => {
                let Ok(Value::Object(mut fields)) = serde_json::to_value(&contact) else { return Err(refused()) };
                fields.insert(name.clone(), self.value.clone().unwrap_or(Value::Null));
                // Read as the site would send it: the other fields keep their text; a value
                // the field cannot take is refused rather than sent.
                let edited = Contact::from_received(fields);
                match edited.unreadable(&name) {
                    Some(_) => Err(refused()),
                    None => Ok(edited),
                }
            }
        }
    }
}

/// Sets custom field `group.field` of `contact`, or clears it (`None`): a cleared custom value is
/// left out, as the site leaves it out. Bulk edits and imports write custom fields through this.
pub fn set_custom(contact: &mut Contact, group: &str, field: &str, value: Option<&Value>) {
    match value {
        Some(value) => {
            contact.custom_crm_groups.entry(group.to_owned()).or_default().insert(field.to_owned(), value.clone());
        }
        None => {
            if let Some(values) = contact.custom_crm_groups.get_mut(group) {
                values.remove(field);
            }
        }
    }
}

/// Why a contact cannot take a bulk edit.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EditRefused {
    /// The field's name is not one a contact has (the path's own reason).
    #[error("{0}")]
    Field(String),
    #[error("{field} cannot be set to {}", describe(value.as_ref()))]
    Value { field: String, value: Option<Value> },
}

/// The fields a bulk edit sets, in the order chosen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Edits(pub Vec<FieldEdit>);

impl Edits {
    /// `contact` with every edit applied; the reason when the contact cannot take a value.
    pub fn apply(&self, contact: &Contact) -> Result<Contact, EditRefused> {
        let mut edited = contact.clone();
        for edit in &self.0 {
            edited = edit.apply(edited)?;
        }
        Ok(edited)
    }

    /// The fields whose value `edited` changes, with before and after as text.
    pub fn differences(&self, before: &Contact, edited: &Contact) -> Vec<(String, String, String)> {
        self.0
            .iter()
            .map(|edit| (edit.field.clone(), field_json(before, &edit.field), field_json(edited, &edit.field)))
            .filter(|(_, was, now)| was != now)
            .map(|(field, was, now)| (field, text(&was), text(&now)))
            .collect()
    }

    /// "City = Oslo, Notes cleared", for the journal's batch title and the result table.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|edit| match &edit.value {
                Some(value) => format!("{} = {}", edit.field, text(value)),
                None => format!("{} cleared", edit.field),
            })
            .collect();
        parts.join(", ")
    }
}

fn describe(value: Option<&Value>) -> String {
    value.map_or_else(|| "empty".to_owned(), |v| format!("`{}`", text(v)))
}

/// A JSON value as people read it (a string without quotes, null as nothing).
pub fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contact(value: Value) -> Contact {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_edit_sets_and_clears_fields_and_keeps_the_rest() {
        let before = contact(json!({
            "Id": 3, "Email": "a@x.example", "City": "Oslo", "Notes": "vip", "Loyalty": {"Tier": 2},
            "CustomCrmGroups": {"Member": {"Level": "Gold", "Since": 2019}}
        }));
        let edits = Edits(vec![
            FieldEdit { field: "City".into(), value: Some(json!("Bergen")) },
            FieldEdit { field: "Notes".into(), value: None },
            FieldEdit { field: "CustomCrmGroups.Member.Level".into(), value: Some(json!("Silver")) },
        ]);
        let edited = edits.apply(&before).unwrap();
        assert_eq!(edited.address.city.as_deref(), Some("Bergen"));
        assert_eq!(edited.notes, None);
        assert_eq!(edited.custom_crm_groups["Member"]["Level"], json!("Silver"));
        assert_eq!(edited.custom_crm_groups["Member"]["Since"], json!(2019));
        assert_eq!(edited.extra["Loyalty"], json!({"Tier": 2}), "unknown fields are kept");
        let with_empty_group = contact(json!({"Id": 4, "Email": "b@x.example", "CustomCrmGroups": {"Marketing": {}}}));
        let kept = edits.apply(&with_empty_group).unwrap();
        assert!(kept.custom_crm_groups.contains_key("Marketing"), "an empty group is sent back as it came");
        assert_eq!(edits.differences(&before, &edited).len(), 3);
        assert!(edits.differences(&edited, &edits.apply(&edited).unwrap()).is_empty(), "applied twice: no change");
    }

    #[test]
    fn a_value_the_contact_cannot_hold_is_a_reason_not_a_panic() {
        let before = contact(json!({"Id": 3, "Email": "a@x.example"}));
        let edits = Edits(vec![FieldEdit { field: "Type".into(), value: Some(json!("many")) }]);
        let refused = edits.apply(&before).unwrap_err();
        assert_eq!(refused.to_string(), "Type cannot be set to `many`");
        assert!(!editable_fields(&[]).contains(&"Email".to_owned()));
    }
}
