//! What the editor checks as the user types, before anything is sent: the same rules the
//! contract gives the site (`Email` required and valid, text up to 4000 characters).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::Contact;

/// The longest text a field may hold.
pub const MAX_TEXT: usize = 4000;

/// Problems by field name (`Email`, `City`, `CustomCrmGroups.<group>.<field>`).
pub fn problems(contact: &Contact) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    if let Some(problem) = email_problem(&contact.email) {
        found.insert("Email".to_owned(), problem);
    }
    if let Ok(Value::Object(fields)) = serde_json::to_value(contact) {
        for (name, value) in &fields {
            if let Value::String(text) = value
                && text.chars().count() > MAX_TEXT
            {
                found.insert(name.clone(), format!("At most {MAX_TEXT} characters ({} now).", text.chars().count()));
            }
        }
    }
    for (group, values) in &contact.custom_crm_groups {
        for (field, value) in values {
            if let Value::String(text) = value
                && text.chars().count() > MAX_TEXT
            {
                found.insert(format!("CustomCrmGroups.{group}.{field}"), format!("At most {MAX_TEXT} characters."));
            }
        }
    }
    found
}

/// Why `password` cannot be a first password (none is fine: the site then has none).
pub fn password_problem(password: &str) -> Option<String> {
    use crate::api::assumed::PASSWORD_CHARS;
    let length = password.chars().count();
    let (low, high) = (PASSWORD_CHARS.start(), PASSWORD_CHARS.end());
    (length > 0 && !PASSWORD_CHARS.contains(&length)).then(|| format!("{low} to {high} characters ({length} now)."))
}

/// Why `email` cannot be a contact's email, if it cannot.
pub fn email_problem(email: &str) -> Option<String> {
    let email = email.trim();
    if email.is_empty() {
        return Some("An email address is required.".to_owned());
    }
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(char::is_whitespace)
    });
    (!valid).then(|| format!("“{email}” is not an email address (name@example.com)."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_as_the_user_types() {
        assert_eq!(email_problem("ase.braten@example.no"), None);
        assert!(email_problem("").unwrap().contains("required"));
        for bad in ["ase", "ase@", "@example.no", "ase@example", "a b@example.no", "a@b@example.no", "a@.no"] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn long_texts_are_refused_at_their_field() {
        let contact =
            Contact { email: "a@example.com".into(), notes: Some("x".repeat(MAX_TEXT + 1)), ..Contact::default() };
        let found = problems(&contact);
        assert_eq!(found.keys().collect::<Vec<_>>(), ["Notes"]);
    }
}
