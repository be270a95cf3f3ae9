//! [assumed] What the sandbox accepts in a contact body: `Email` required on create, a
//! valid address; a password of 6 to 128 characters; strings up to 4000 characters;
//! each known field of its JSON type; unknown fields ignored.

use serde_json::{Map, Value};

use crate::api::FieldError;
use crate::api::model::ContactId;
use crate::api::wire::describe_json;

use super::schema::{FieldKind, MAX_TEXT_CHARS, contact_field};

/// The contract's rule, from the one place it lives.
pub use crate::api::assumed::PASSWORD_CHARS;
pub const MAX_ALIAS_CHARS: usize = 100;

/// [assumed] A practical email check, not RFC 5322: one `@`, something before it, a dotted
/// domain after it, no spaces or control characters inside; spaces around it are trimmed.
/// The one rule: [`is_valid_email`] runs it, and `/openapi.json` publishes it.
pub const EMAIL_PATTERN: &str =
    r"^[ \t\r\n]*[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f.]+(?:\.[^@\x00-\x20\x7f.]+)+[ \t\r\n]*$";
pub const MAX_EMAIL_CHARS: usize = 254;

/// An alias (of a custom group or field) needs a character other than a space or a control.
pub const ALIAS_PATTERN: &str = r"[^\x00-\x20\x7f]";

/// The characters trimmed from around an email.
const EMAIL_SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update { id: ContactId },
}

/// A refused body: a summary and the fields at fault.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl Invalid {
    fn whole(message: impl Into<String>) -> Self {
        Self { message: message.into(), fields: Vec::new() }
    }
}

/// A checked contact body: the fields to store, by their API names, and the password of a create.
pub struct ContactBody {
    pub fields: Map<String, Value>,
    pub password: Option<String>,
}

pub fn contact_body(body: &[u8], mode: Mode) -> Result<ContactBody, Invalid> {
    let json = json_body(body)?;
    let Value::Object(input) = json else {
        return Err(Invalid::whole("The body must be a JSON object: the contact's fields."));
    };
    let mut fields = Map::new();
    let mut password = None;
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| errors.push(FieldError { field: field.to_owned(), message });

    for (key, value) in &input {
        if key.eq_ignore_ascii_case("Password") {
            if mode == Mode::Create {
                match value {
                    Value::String(text) if PASSWORD_CHARS.contains(&text.chars().count()) => {
                        password = Some(text.clone())
                    }
                    Value::Null => {}
                    _ => fail("Password", password_rule()),
                }
            }
            continue;
        }
        if key.eq_ignore_ascii_case("CustomCrmGroups") {
            match custom_groups(value) {
                Ok(groups) => {
                    fields.insert("CustomCrmGroups".to_owned(), groups);
                }
                Err(message) => fail("CustomCrmGroups", message),
            }
            continue;
        }
        let Some(field) = contact_field(key) else { continue };
        if field.api == "Id" {
            if let Mode::Update { id } = mode
                && !value.is_null()
                && value.as_i64() != Some(id)
            {
                fail("Id", format!("The Id in the body ({value}) is not the Id in the address ({id})."));
            }
            continue;
        }
        if !field.writable {
            continue;
        }
        match checked(field.kind, value) {
            Ok(value) => {
                fields.insert(field.api.to_owned(), value);
            }
            Err(message) => fail(field.api, message),
        }
    }

    match (fields.get("Email"), mode) {
        (None, Mode::Create) => fail("Email", "Email is required.".to_owned()),
        (Some(Value::String(email)), _) if !is_valid_email(email) => {
            fail("Email", format!("`{email}` is not a valid email address."))
        }
        (Some(Value::Null), _) => fail("Email", "Email cannot be empty.".to_owned()),
        _ => {}
    }
    if let Some(Value::String(email)) = fields.get_mut("Email") {
        *email = email.trim_matches(EMAIL_SPACE).to_owned();
    }
    if errors.is_empty() {
        Ok(ContactBody { fields, password })
    } else {
        Err(Invalid { message: "The contact is not valid.".to_owned(), fields: errors })
    }
}

/// The body of set-password: `{"Password": "..."}`.
pub fn password_body(body: &[u8]) -> Result<String, Invalid> {
    let json = json_body(body)?;
    match json.get("Password").or_else(|| json.get("password")) {
        Some(Value::String(text)) if PASSWORD_CHARS.contains(&text.chars().count()) => Ok(text.clone()),
        _ => Err(Invalid {
            message: "The password is not valid.".to_owned(),
            fields: vec![FieldError { field: "Password".to_owned(), message: password_rule() }],
        }),
    }
}

/// The body of set-secure-zones: `[{"Id": 1, "Name": "...", "ExpiryDateTime": null}, ...]`.
pub fn zones_body(body: &[u8]) -> Result<Vec<(i64, Option<crate::api::Timestamp>)>, Invalid> {
    let Value::Array(items) = json_body(body)? else {
        return Err(Invalid::whole("The body must be a JSON array of secure zones."));
    };
    let mut zones = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("[{i}]");
        let Some(id) = item.get("Id").or_else(|| item.get("id")).and_then(Value::as_i64) else {
            return Err(Invalid::whole(format!("Secure zone {at} has no whole-number Id.")));
        };
        let expiry = match item.get("ExpiryDateTime").or_else(|| item.get("expiryDateTime")) {
            None | Some(Value::Null) => None,
            // [assumed] An empty date is no date, as a web form sends it.
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(Value::String(text)) => Some(
                crate::api::Timestamp::parse(text)
                    .ok_or_else(|| Invalid::whole(format!("Secure zone {at}: `{text}` is not an ISO-8601 date.")))?,
            ),
            Some(other) => {
                return Err(Invalid::whole(format!("Secure zone {at}: ExpiryDateTime {other} is not a date.")));
            }
        };
        // [assumed] A zone listed twice counts once, with the expiry listed last.
        match zones.iter_mut().find(|(known, _)| *known == id) {
            Some(listed) => listed.1 = expiry,
            None => zones.push((id, expiry)),
        }
    }
    Ok(zones)
}

fn json_body(body: &[u8]) -> Result<Value, Invalid> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Invalid::whole("The request has no body; send JSON."));
    }
    serde_json::from_slice(body).map_err(|e| Invalid::whole(format!("The body is not valid JSON: {e}.")))
}

fn is_whole_i64(number: f64) -> bool {
    // 2^63 is past i64::MAX. -2^63 is i64::MIN, but as a float it may have been
    // -9223372036854775809 in the text: only a whole number in i64's form is taken at the edge.
    const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;
    number.fract() == 0.0 && number > -TWO_TO_63 && number < TWO_TO_63
}

fn password_rule() -> String {
    format!("The password must be {} to {} characters long.", PASSWORD_CHARS.start(), PASSWORD_CHARS.end())
}

/// The value to store for a field of `kind`, or why it cannot be.
fn checked(kind: FieldKind, value: &Value) -> Result<Value, String> {
    match (kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (FieldKind::Text, Value::String(text)) if text.chars().count() > MAX_TEXT_CHARS => {
            Err(format!("At most {MAX_TEXT_CHARS} characters."))
        }
        (FieldKind::Text, Value::String(_)) => Ok(value.clone()),
        (FieldKind::Int, Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        // JSON has one number type: `5.0` is the whole number 5 (but not past 64 bits).
        (FieldKind::Int, Value::Number(n)) if n.as_f64().is_some_and(is_whole_i64) => {
            Ok(Value::from(n.as_f64().unwrap_or_default() as i64))
        }
        (FieldKind::Bool, Value::Bool(_)) => Ok(value.clone()),
        (FieldKind::Text, _) => Err(format!("Expected text, got {}.", describe_json(value))),
        (FieldKind::Int, _) => Err(format!("Expected a whole number, got {}.", describe_json(value))),
        (FieldKind::Bool, _) => Err(format!("Expected true or false, got {}.", describe_json(value))),
        _ => Err("This field cannot be set.".to_owned()),
    }
}

/// `{ "<Group>": { "<Field>": text | number | bool | null } }`; `null` is "no groups".
fn custom_groups(value: &Value) -> Result<Value, String> {
    let groups = match value {
        Value::Null => return Ok(Value::Object(Map::new())),
        Value::Object(groups) => groups,
        other => return Err(format!("Expected an object of groups, got {}.", describe_json(other))),
    };
    for (group, fields) in groups {
        check_alias(group)?;
        let Value::Object(fields) = fields else {
            return Err(format!("Group `{group}` must be an object of fields, not {}.", describe_json(fields)));
        };
        for (field, value) in fields {
            check_alias(field)?;
            match value {
                Value::String(text) if text.chars().count() > MAX_TEXT_CHARS => {
                    return Err(format!("{group}.{field}: at most {MAX_TEXT_CHARS} characters."));
                }
                Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {}
                other => {
                    return Err(format!(
                        "{group}.{field} must be text, a number or true/false, not {}.",
                        describe_json(other)
                    ));
                }
            }
        }
    }
    Ok(value.clone())
}

fn check_alias(alias: &str) -> Result<(), String> {
    let visible = alias.chars().any(|c| c > ' ' && c != '\x7f');
    if !visible || alias.chars().count() > MAX_ALIAS_CHARS {
        return Err(format!("`{alias}` is not a valid alias (1 to {MAX_ALIAS_CHARS} characters)."));
    }
    Ok(())
}

/// Whether `email` (as sent, spaces around it included) passes [`EMAIL_PATTERN`].
pub fn is_valid_email(email: &str) -> bool {
    static PATTERN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(EMAIL_PATTERN).expect("EMAIL_PATTERN is a valid regex"));
    email.chars().count() <= MAX_EMAIL_CHARS && PATTERN.is_match(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_practically() {
        for good in ["a@b.co", "first.last+tag@example.co.nz", "émile@exemple.fr"] {
            assert!(is_valid_email(good), "{good}");
        }
        assert!(is_valid_email(" padded@example.com\t"), "spaces around it are trimmed");
        for bad in ["", "plain", "@example.com", "a@b", "a@@b.com", "a b@c.com", "a@.com", "a@b..com", "a\u{7}@b.co"] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn a_create_needs_a_valid_email_and_right_types() {
        let refused =
            contact_body(br#"{"FirstName": 5, "Type": "two", "Password": "123"}"#, Mode::Create).err().unwrap();
        let fields: Vec<&str> = refused.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["FirstName", "Password", "Type", "Email"]);
        let accepted =
            contact_body(br#"{"email": " x@y.example ", "Unknown": 1, "EmailConfirmed": true}"#, Mode::Create)
                .ok()
                .unwrap();
        assert_eq!(accepted.fields.get("Email"), Some(&Value::from("x@y.example")));
        assert_eq!(accepted.fields.len(), 1, "unknown and site-owned fields are ignored");
        let whole = contact_body(br#"{"Email": "a@b.co", "Type": -115191.0}"#, Mode::Create).ok().unwrap();
        assert_eq!(whole.fields.get("Type"), Some(&Value::from(-115191)));
        for past in ["1.5", "9223372036854775808.0", "1e19"] {
            let body = format!(r#"{{"Email": "a@b.co", "Type": {past}}}"#);
            assert!(contact_body(body.as_bytes(), Mode::Create).is_err(), "{past}");
        }
    }

    #[test]
    fn an_update_body_id_must_match_the_address() {
        assert!(contact_body(br#"{"Id": 4, "City": "Oslo"}"#, Mode::Update { id: 4 }).is_ok());
        let refused = contact_body(br#"{"Id": 5}"#, Mode::Update { id: 4 }).err().unwrap();
        assert_eq!(refused.fields[0].field, "Id");
    }

    #[test]
    fn a_zone_listed_twice_counts_once_and_an_empty_expiry_is_none() {
        let zones = zones_body(
            br#"[{"Id": 1, "ExpiryDateTime": "2030-01-01T00:00:00Z"}, {"Id": 2, "ExpiryDateTime": ""},
                 {"Id": 1, "ExpiryDateTime": null}]"#,
        )
        .ok()
        .unwrap();
        assert_eq!(zones, [(1, None), (2, None)], "the last expiry of zone 1 wins; blank is no expiry");
        assert!(zones_body(br#"[{"Id": 1, "ExpiryDateTime": "soon"}]"#).is_err());
    }

    #[test]
    fn malformed_bodies_are_refused_with_a_reason() {
        assert!(contact_body(b"", Mode::Create).err().unwrap().message.contains("no body"));
        assert!(contact_body(b"{", Mode::Create).err().unwrap().message.contains("not valid JSON"));
        assert!(contact_body(b"[1]", Mode::Create).err().unwrap().message.contains("JSON object"));
        let deep =
            contact_body(br#"{"Email":"a@b.co","CustomCrmGroups":{"G":{"F":[1]}}}"#, Mode::Create).err().unwrap();
        assert!(deep.fields[0].message.contains("G.F"));
    }
}
