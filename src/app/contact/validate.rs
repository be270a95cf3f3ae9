//! What the editor checks as the user types, before anything is sent: the same rules the
//! contract gives the site (`Email` required and valid, text up to 4000 characters).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::contact_fields::FIELDS;
use crate::api::{Contact, FieldPath};

pub use crate::api::contact_fields::{MAX_TEXT, email_problem};

/// Problems by field name (`Email`, `City`, `CustomCrmGroups.<group>.<field>`).
pub fn problems(contact: &Contact) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for spec in &FIELDS {
        if let Some(problem) = spec.problem(contact) {
            found.insert(spec.name.to_owned(), problem);
        }
    }
    // Fields this version does not know go back as they came; the site's length rule holds
    // for them too.
    for (name, value) in &contact.extra {
        if let Some(problem) = too_long(value) {
            found.insert(name.clone(), problem);
        }
    }
    for (group, values) in &contact.custom_crm_groups {
        for (field, value) in values {
            if too_long(value).is_some() {
                found.insert(FieldPath::custom(group, field).to_string(), format!("At most {MAX_TEXT} characters."));
            }
        }
    }
    found
}

/// "At most 4000 characters (4012 now)." for a text longer than [`MAX_TEXT`].
fn too_long(value: &Value) -> Option<String> {
    let Value::String(text) = value else { return None };
    let length = text.chars().count();
    (length > MAX_TEXT).then(|| format!("At most {MAX_TEXT} characters ({length} now)."))
}

/// Why `password` cannot be a first password (none is fine: the site then has none).
pub fn password_problem(password: &str) -> Option<String> {
    use crate::api::assumed::PASSWORD_CHARS;
    let length = password.chars().count();
    let (low, high) = (PASSWORD_CHARS.start(), PASSWORD_CHARS.end());
    (length > 0 && !PASSWORD_CHARS.contains(&length)).then(|| format!("{low} to {high} characters ({length} now)."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_refused_at_their_field() {
        let contact =
            Contact { email: "a@example.com".into(), notes: Some("x".repeat(MAX_TEXT + 1)), ..Contact::default() };
        let found = problems(&contact);
        assert_eq!(found.keys().collect::<Vec<_>>(), ["Notes"]);
    }
}
