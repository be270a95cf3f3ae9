//! A contact's fields by name: their titles for people and their typed values. The grid's
//! cells and the export's columns both read contacts through here, so a field shows the
//! same everywhere.

use std::borrow::Cow;

use serde_json::Value;

use super::contact_fields::{FIELDS, FieldSpec};
use super::model::{Contact, Timestamp};
use super::query::{FieldPath, custom_parts};

/// One field's value of one contact, typed as the API sends it.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Bool(bool),
    Date(Timestamp),
    /// A custom field's number (kept as the site wrote it) or any other JSON value.
    Json(&'a Value),
    /// A value the site sent that does not read as the field's type, as sent.
    Unreadable(&'a Value),
}

impl FieldValue<'_> {
    /// The value as text, with dates written by `date`.
    pub fn to_text(&self, date: impl Fn(&Timestamp) -> String) -> Cow<'_, str> {
        match self {
            FieldValue::Empty => Cow::Borrowed(""),
            FieldValue::Text(text) => Cow::Borrowed(text),
            FieldValue::Int(number) => Cow::Owned(number.to_string()),
            FieldValue::Bool(flag) => Cow::Borrowed(if *flag { "yes" } else { "no" }),
            FieldValue::Date(instant) => Cow::Owned(date(instant)),
            FieldValue::Json(Value::String(text)) => Cow::Borrowed(text),
            FieldValue::Json(Value::Bool(flag)) => Cow::Borrowed(if *flag { "yes" } else { "no" }),
            FieldValue::Json(Value::Null) => Cow::Borrowed(""),
            FieldValue::Json(other) => Cow::Owned(other.to_string()),
            FieldValue::Unreadable(raw) => Cow::Owned(unreadable_text(raw)),
        }
    }
}

/// The value of `field` (`LastName`, `CustomCrmGroups.<group>.<field>`) of `contact`;
/// [`FieldValue::Empty`] for a field the contact lacks or a name that is no field.
pub fn field_value<'a>(contact: &'a Contact, field: &str) -> FieldValue<'a> {
    match typed_value(contact, field) {
        FieldValue::Empty => contact.unreadable(field).map_or(FieldValue::Empty, FieldValue::Unreadable),
        value => value,
    }
}

/// How a value the app cannot read is shown: `unreadable: <the JSON the site sent>`.
pub fn unreadable_text(raw: &Value) -> String {
    format!("unreadable: {raw}")
}

fn typed_value<'a>(contact: &'a Contact, field: &str) -> FieldValue<'a> {
    if let Some(spec) = FieldSpec::named(field) {
        return spec.value(contact);
    }
    match FieldPath::parse(field) {
        Ok(FieldPath::Custom { group, field }) => {
            match contact.custom_crm_groups.get(&group).and_then(|g| g.get(&field)) {
                None | Some(Value::Null) => FieldValue::Empty,
                Some(value) => FieldValue::Json(value),
            }
        }
        _ => FieldValue::Empty,
    }
}

/// The heading of a field for people: `First name`, or `Membership: Level` for a custom field.
pub fn field_title(field: &str) -> Cow<'_, str> {
    if let Some(spec) = FieldSpec::named(field) {
        return Cow::Borrowed(spec.title);
    }
    match FieldPath::parse(field) {
        Ok(FieldPath::Custom { group, field }) => Cow::Owned(format!("{}: {}", readable(&group), readable(&field))),
        _ => Cow::Borrowed(field),
    }
}

/// A word the site sends as an identifier, as people read it: "PartiallyPaid" as "Partially
/// paid", "CreditCard" as "Credit card", "PreferredChannel" as "Preferred channel". Words in
/// capitals (VIP, NZD) and words with spaces already are left as they are.
pub fn readable(word: &str) -> String {
    let word = word.trim();
    if word.contains(' ') || word.chars().all(|c| !c.is_lowercase()) {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len() + 4);
    let mut previous: Option<char> = None;
    for c in word.chars() {
        if c == '_' || c == '-' {
            out.push(' ');
            previous = Some(' ');
            continue;
        }
        let starts_word = c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit());
        if starts_word {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    let mut chars = out.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The name of a custom field: `CustomCrmGroups.<group>.<field>`.
pub fn custom_field_name(group: &str, field: &str) -> String {
    FieldPath::custom(group, field).to_string()
}

/// Whether `name` is a custom field's (`CustomCrmGroups.<group>.<field>`).
pub fn is_custom(name: &str) -> bool {
    custom_parts(name).is_some()
}

/// The custom fields a contact has, as `(group, field)`.
pub fn custom_fields_of(contact: &Contact) -> impl Iterator<Item = (&str, &str)> {
    contact
        .custom_crm_groups
        .iter()
        .flat_map(|(group, fields)| fields.keys().map(move |f| (group.as_str(), f.as_str())))
}

/// Every contact field, then the given custom fields: what "all fields" means.
pub fn all_fields<'a>(custom: impl IntoIterator<Item = &'a (String, String)>) -> Vec<String> {
    let mut fields: Vec<String> = FIELDS.iter().map(|spec| spec.name.to_owned()).collect();
    fields.extend(custom.into_iter().map(|(group, field)| custom_field_name(group, field)));
    fields
}

/// Whether `field` names a contact field or a well-formed custom field.
pub fn is_field(field: &str) -> bool {
    FieldSpec::named(field).is_some() || matches!(FieldPath::parse(field), Ok(FieldPath::Custom { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Contact {
        serde_json::from_value(serde_json::json!({
            "Id": 1, "Email": "e@x.example", "FirstName": "F", "LastName": "L", "CrmType": "C", "EmailConfirmed": true,
            "Role": "R", "CreatedDate": "2024-05-17T12:00:00Z", "Address": "A", "City": "Ci", "State": "S", "ZipCode": "Z",
            "Country": "Co", "BillingAddress": "BA", "BillingCity": "BC", "BillingState": "BS", "BillingZipCode": "BZ",
            "BillingCountry": "BCo", "Site": "Si", "Phone": "P", "Status": "St", "Notes": "N", "Type": 2,
            "CustomerTypeName": "CT", "IsDataUsingAllowed": false,
            "CustomCrmGroups": {"Membership": {"Points": 12, "Level": "Gold", "Active": true, "Gone": null}}
        }))
        .unwrap()
    }

    #[test]
    fn every_contact_field_has_a_value_and_a_title() {
        let contact = sample();
        for field in FIELDS.iter().map(|spec| spec.name) {
            assert_ne!(field_value(&contact, field), FieldValue::Empty, "{field}");
            assert!(!field_title(field).contains("CustomCrmGroups"), "{field} has a title");
            assert!(is_field(field));
        }
        assert_eq!(field_value(&contact, "Type"), FieldValue::Int(2));
        assert_eq!(
            field_value(&contact, "CustomCrmGroups.Membership.Points"),
            FieldValue::Json(&serde_json::json!(12))
        );
        assert_eq!(field_value(&contact, "CustomCrmGroups.Membership.Gone"), FieldValue::Empty);
        assert_eq!(field_value(&contact, "CustomCrmGroups.Nope.Nothing"), FieldValue::Empty);
        assert_eq!(field_value(&contact, "NoSuchField"), FieldValue::Empty);
        assert_eq!(field_title("CustomCrmGroups.Membership.Level"), "Membership: Level");
        assert!(!is_field("NoSuchField"));
        assert!(is_field("CustomCrmGroups.Membership.Level"));
    }

    #[test]
    fn values_read_as_text() {
        let contact = sample();
        let iso = |t: &Timestamp| t.0.to_rfc3339();
        assert_eq!(field_value(&contact, "EmailConfirmed").to_text(iso), "yes");
        assert_eq!(field_value(&contact, "CustomCrmGroups.Membership.Active").to_text(iso), "yes");
        assert_eq!(field_value(&contact, "CustomCrmGroups.Membership.Points").to_text(iso), "12");
        assert_eq!(field_value(&contact, "CreatedDate").to_text(iso), "2024-05-17T12:00:00+00:00");
    }

    #[test]
    fn all_fields_lists_the_contract_then_custom_fields() {
        let fields = all_fields(&[("G".to_owned(), "F".to_owned())]);
        assert_eq!(fields.len(), FIELDS.len() + 1);
        assert_eq!(fields.last().map(String::as_str), Some("CustomCrmGroups.G.F"));
    }
}
