//! Saving an edited contact without overwriting anyone: the site has no version numbers, so
//! a save reads the contact again first and writes only if the site's copy is still the one
//! the edit started from. When it is not, the fields that changed on both sides are listed for
//! a three-way choice (as loaded / theirs / yours), and [`merge`] builds what to send.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::api::model::CustomCrmGroups;
use secrecy::SecretString;

use crate::api::query::{CUSTOM_PREFIX, custom_parts};
use crate::api::{ApiError, Contact, FieldPath};
use crate::app::journal::{Context, Writes};

/// How a save ended.
#[derive(Debug)]
pub enum SaveOutcome {
    /// Written; the copy the site returned.
    Saved(Box<Contact>),
    /// The site's copy changed since it was loaded: nothing was written.
    Conflict {
        theirs: Box<Contact>,
    },
    Failed(ApiError),
}

/// Re-reads the contact, then writes `edited` (the whole object, unknown fields included)
/// if the site still has `base`.
/// `context`: the journal entry it undoes, if it does.
pub async fn save_contact(writes: &Writes, base: &Contact, edited: &Contact, context: Context) -> SaveOutcome {
    let theirs = match writes.client().get_contact(base.id).await {
        Ok(theirs) => theirs,
        Err(error) => return SaveOutcome::Failed(error),
    };
    if !changed_fields(base, &theirs).is_empty() {
        return SaveOutcome::Conflict { theirs: Box::new(theirs) };
    }
    match writes.update(&theirs, edited, context).await {
        Ok(saved) => SaveOutcome::Saved(Box::new(saved)),
        Err(error) => SaveOutcome::Failed(error),
    }
}

/// Creates a new contact with an optional first password. When the create's outcome is
/// unknown (the connection failed after it was sent), its email is looked up before anything
/// else (see [`Writes::create`]): a contact is never created twice.
pub async fn create_contact(writes: &Writes, draft: &Contact, password: Option<&SecretString>) -> SaveOutcome {
    match writes.create(draft, password, Context::default()).await {
        Ok(created) => SaveOutcome::Saved(Box::new(created)),
        Err(error) => SaveOutcome::Failed(error),
    }
}

/// A contact as flat fields: every top-level field by its name, each custom value as
/// `CustomCrmGroups.<group>.<field>`.
fn flat(contact: &Contact) -> Map<String, Value> {
    serde_json::to_value(contact).map(flat_json).unwrap_or_default()
}

/// A contact's JSON as flat fields (see [`flat`]); anything but an object has none.
pub fn flat_json(contact: Value) -> Map<String, Value> {
    let Value::Object(mut fields) = contact else { return Map::new() };
    if let Some(Value::Object(groups)) = fields.remove(CUSTOM_PREFIX) {
        for (group, values) in groups {
            if let Value::Object(values) = values {
                for (field, value) in values {
                    fields.insert(FieldPath::custom(&group, field).to_string(), value);
                }
            }
        }
    }
    fields
}

/// The fields whose values differ between two copies (a field one copy lacks counts as null).
pub fn changed_fields(a: &Contact, b: &Contact) -> BTreeSet<String> {
    let (a, b) = (flat(a), flat(b));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|name| a.get(*name).unwrap_or(&Value::Null) != b.get(*name).unwrap_or(&Value::Null))
        .cloned()
        .collect()
}

/// One field of the three-way view.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldConflict {
    pub field: String,
    pub base: Value,
    pub theirs: Value,
    pub yours: Value,
}

/// The fields someone else changed since `base` was loaded, with all three values: the
/// ones the user must decide on (fields only the user changed merge by themselves).
pub fn conflicts(base: &Contact, theirs: &Contact, yours: &Contact) -> Vec<FieldConflict> {
    let (b, t, y) = (flat(base), flat(theirs), flat(yours));
    let value = |fields: &Map<String, Value>, name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
    changed_fields(base, theirs)
        .into_iter()
        .map(|field| FieldConflict {
            base: value(&b, &field),
            theirs: value(&t, &field),
            yours: value(&y, &field),
            field,
        })
        .collect()
}

/// What to send after a conflict: the site's copy (`theirs`) with every change the user made
/// since `base`, except in the fields `keep_theirs` names. Keeping theirs for every
/// conflicting field takes their version of those and still applies the user's other edits;
/// keeping none overwrites their changes with the user's values.
pub fn merge(base: &Contact, theirs: &Contact, yours: &Contact, keep_theirs: &BTreeSet<String>) -> Contact {
    let mut merged = flat(theirs);
    let mine = flat(yours);
    let changed_by_them = changed_fields(base, theirs);
    for field in changed_fields(base, yours) {
        let only_mine = !changed_by_them.contains(&field);
        if only_mine || !keep_theirs.contains(&field) {
            merged.insert(field.clone(), mine.get(&field).cloned().unwrap_or(Value::Null));
        }
    }
    let groups = theirs.custom_crm_groups.keys().chain(yours.custom_crm_groups.keys());
    unflat(merged, groups).unwrap_or_else(|| theirs.clone())
}

/// One field's value as JSON (`City`, `CustomCrmGroups.<group>.<field>`); null when absent.
pub fn field_json(contact: &Contact, field: &str) -> Value {
    flat(contact).remove(field).unwrap_or(Value::Null)
}

/// `target` with `field` as `source` has it (Revert of one field: target = the draft,
/// source = the copy as loaded).
pub fn with_field_from(target: &Contact, source: &Contact, field: &str) -> Contact {
    with_field_json(target, field, field_json(source, field)).unwrap_or_else(|| target.clone())
}

/// `target` with `field` set to `value` (null clears it); `None` when the contact cannot
/// hold that value (a text where a number belongs, a null email).
pub fn with_field_json(target: &Contact, field: &str, value: Value) -> Option<Contact> {
    let mut fields = flat(target);
    fields.insert(field.to_owned(), value);
    unflat(fields, target.custom_crm_groups.keys())
}

/// The reverse of [`flat`]. `groups`: the custom groups the contact keeps even when they
/// hold no value (a flat copy has no trace of an empty group, and the site's copy does).
fn unflat<'a>(fields: Map<String, Value>, groups: impl Iterator<Item = &'a String>) -> Option<Contact> {
    let mut top = Map::new();
    let mut groups: CustomCrmGroups = groups.map(|group| (group.clone(), Default::default())).collect();
    for (name, value) in fields {
        match custom_parts(&name) {
            // A custom value cleared on one side is left out, as the site leaves it out.
            Some((group, field)) if !value.is_null() => {
                groups.entry(group.to_owned()).or_default().insert(field.to_owned(), value);
            }
            Some(_) => {}
            None => {
                top.insert(name, value);
            }
        }
    }
    top.insert(CUSTOM_PREFIX.to_owned(), serde_json::to_value(groups).ok()?);
    serde_json::from_value(Value::Object(top)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn contact(value: Value) -> Contact {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn a_revert_and_a_merge_keep_an_empty_custom_group() {
        let base = contact(json!({"Id": 1, "Email": "a@b.example", "City": "Oslo",
            "CustomCrmGroups": {"Marketing": {}, "Membership": {"Level": "Gold"}}}));
        let mut draft = base.clone();
        draft.address.city = Some("Bergen".to_owned());
        let reverted = with_field_from(&draft, &base, "City");
        assert_eq!(reverted, base, "nothing but the field moved");
        let mut theirs = base.clone();
        theirs.phone = Some("+47 1".to_owned());
        let merged = merge(&base, &theirs, &draft, &BTreeSet::new());
        assert_eq!(merged.custom_crm_groups.get("Marketing"), Some(&Default::default()), "{merged:?}");
        assert_eq!((merged.address.city.as_deref(), merged.phone.as_deref()), (Some("Bergen"), Some("+47 1")));
    }

    #[test]
    fn conflicts_list_what_someone_else_changed_with_all_three_values() {
        let base = contact(
            json!({"Id": 1, "Email": "a@x.example", "City": "Oslo", "CustomCrmGroups": {"M": {"Level": "Gold"}}}),
        );
        let theirs = contact(
            json!({"Id": 1, "Email": "a@x.example", "City": "Bergen", "CustomCrmGroups": {"M": {"Level": "Gold"}}}),
        );
        let yours = contact(
            json!({"Id": 1, "Email": "b@x.example", "City": "Trondheim", "CustomCrmGroups": {"M": {"Level": "Silver"}}}),
        );
        let found = conflicts(&base, &theirs, &yours);
        assert_eq!(
            found,
            [FieldConflict {
                field: "City".into(),
                base: json!("Oslo"),
                theirs: json!("Bergen"),
                yours: json!("Trondheim")
            }]
        );
        let take_theirs = merge(&base, &theirs, &yours, &["City".to_owned()].into());
        assert_eq!(take_theirs.address.city.as_deref(), Some("Bergen"), "their City");
        assert_eq!(take_theirs.email, "b@x.example", "the user's other edits still apply");
        assert_eq!(take_theirs.custom_crm_groups["M"]["Level"], json!("Silver"));
        let overwrite = merge(&base, &theirs, &yours, &BTreeSet::new());
        assert_eq!(overwrite.address.city.as_deref(), Some("Trondheim"), "the user's City over theirs");
    }

    #[test]
    fn unknown_fields_and_untouched_values_come_through_a_merge() {
        let base = contact(json!({"Id": 2, "Email": "c@x.example", "Loyalty": {"Tier": 3}, "Phone": "1"}));
        let theirs = contact(json!({"Id": 2, "Email": "c@x.example", "Loyalty": {"Tier": 4}, "Phone": "1"}));
        let yours = contact(json!({"Id": 2, "Email": "c@x.example", "Loyalty": {"Tier": 3}, "Phone": "2"}));
        let merged = merge(&base, &theirs, &yours, &BTreeSet::new());
        assert_eq!(merged.extra["Loyalty"], json!({"Tier": 4}), "their change the user did not touch");
        assert_eq!(merged.phone.as_deref(), Some("2"));
        assert_eq!(changed_fields(&base, &base), BTreeSet::new());
    }
}

#[cfg(test)]
mod revert_tests {
    use super::*;

    #[test]
    fn one_field_is_put_back_from_another_copy() {
        let base = crate::sandbox::seed::demo_contact(1).contact;
        let mut draft = base.clone();
        draft.email = "other@example.com".into();
        draft.address.city = Some("Narvik".into());
        let reverted = with_field_from(&draft, &base, "Email");
        assert_eq!(reverted.email, base.email);
        assert_eq!(reverted.address.city.as_deref(), Some("Narvik"));
    }
}
