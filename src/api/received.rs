//! What a contact keeps of the JSON the site sent, and how it goes back: the object as it
//! came with only the fields whose typed value changed re-encoded. An odd value the model
//! cannot read, a date's text, a `null` or a number written as text then return unchanged.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use serde::ser::SerializeMap;

use super::contact_fields::{FIELDS, FieldSpec};
use super::model::{Contact, ContactInput, ExtraFields};
use super::query::CUSTOM_PREFIX;
use super::wire::lenient;

/// The JSON object of a contact as the site sent it, shared by the copies made from it.
/// Not part of the contact's value: two contacts with the same fields are equal whatever
/// they were read from.
#[derive(Clone, Default)]
pub struct Received(Option<Arc<ReceivedJson>>);

struct ReceivedJson {
    fields: ExtraFields,
    /// The typed fields as read from `fields`, serialised: what "unchanged" means.
    read_as: OnceLock<Value>,
}

impl Received {
    pub fn fields(&self) -> Option<&ExtraFields> {
        self.0.as_deref().map(|json| &json.fields)
    }

    /// The value the site sent for `field` (a top-level name).
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields()?.get(field)
    }
}

impl PartialEq for Received {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.fields() {
            Some(fields) => write!(f, "Received({} fields)", fields.len()),
            None => f.write_str("Received(none)"),
        }
    }
}

/// The typed fields of a contact, serialised as the model writes them: the table's fields
/// in its order, the custom groups, then the fields the table does not have.
struct Typed<'a>(&'a Contact);

impl Serialize for Typed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let contact = self.0;
        let mut map = serializer.serialize_map(Some(FIELDS.len() + 1 + contact.extra.len()))?;
        for spec in &FIELDS {
            spec.serialize_entry(&mut map, contact)?;
        }
        map.serialize_entry(CUSTOM_PREFIX, &contact.custom_crm_groups)?;
        for (name, value) in &contact.extra {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Serialize for Contact {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(received) = self.received.0.as_deref() else { return Typed(self).serialize(serializer) };
        let now = serde_json::to_value(Typed(self)).map_err(serde::ser::Error::custom)?;
        let read_as = received
            .read_as
            .get_or_init(|| serde_json::to_value(Typed(&Contact::read(&received.fields))).unwrap_or(Value::Null));
        overlay(&received.fields, read_as, &now).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Contact {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self::from_received(ExtraFields::deserialize(deserializer)?))
    }
}

impl Contact {
    /// The contact the site sent as `fields`, remembering them.
    pub fn from_received(fields: ExtraFields) -> Self {
        let mut contact = Self::read(&fields);
        contact.received = Received(Some(Arc::new(ReceivedJson { fields, read_as: OnceLock::new() })));
        contact
    }

    /// The typed fields of the object `fields`, by the table; a field that cannot be read
    /// takes its default, and a field the table does not have is kept in `extra`.
    fn read(fields: &ExtraFields) -> Self {
        let mut contact = Self::default();
        for (name, value) in fields {
            if let Some(spec) = FieldSpec::named(name) {
                spec.read(&mut contact, value);
            } else if name == CUSTOM_PREFIX {
                contact.custom_crm_groups = lenient::groups(value).unwrap_or_default();
            } else {
                contact.extra.insert(name.clone(), value.clone());
            }
        }
        contact
    }

    /// The value the site sent for `field` (a top-level name) when it could not be read as
    /// the field's type: it is kept as sent, shown as "unreadable", and sent back unchanged.
    pub fn unreadable(&self, field: &str) -> Option<&Value> {
        let value = self.received.get(field)?;
        (!value.is_null() && !field_reads(field, value)).then_some(value)
    }
}

/// Whether `value` reads as the type of contact field `field` (unknown fields always do).
fn field_reads(field: &str, value: &Value) -> bool {
    match FieldSpec::named(field) {
        Some(spec) => spec.reads(value),
        None if field == CUSTOM_PREFIX => lenient::groups(value).is_ok(),
        None => true,
    }
}

/// `received` with the fields whose typed value changed (`read_as` then, `now` now) taken
/// from `now`: an unchanged field goes back exactly as it came, a field the site did not
/// send stays out unless it was set, and objects (custom groups) are compared field by field.
fn overlay(received: &ExtraFields, read_as: &Value, now: &Value) -> Value {
    let (Value::Object(read_as), Value::Object(now)) = (read_as, now) else { return now.clone() };
    let mut out = ExtraFields::new();
    for (key, sent) in received {
        match now.get(key) {
            Some(value) => {
                out.insert(key.clone(), overlay_value(sent, read_as.get(key).unwrap_or(&Value::Null), value));
            }
            // Removed by the user.
            None if read_as.contains_key(key) => {}
            // Not read at all: kept.
            None => {
                out.insert(key.clone(), sent.clone());
            }
        }
    }
    for (key, value) in now {
        if !received.contains_key(key) && read_as.get(key) != Some(value) {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

fn overlay_value(sent: &Value, read_as: &Value, now: &Value) -> Value {
    if read_as == now {
        return sent.clone();
    }
    match sent {
        Value::Object(sent) => overlay(sent, read_as, now),
        _ => now.clone(),
    }
}

/// The body of a contact update (PUT).
pub trait UpdateBody {
    fn update_body(&self) -> Result<Value, serde_json::Error>;
}

impl UpdateBody for ContactInput {
    fn update_body(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

impl UpdateBody for Contact {
    /// A contact read from the site goes back as the site sent it, with only the fields the
    /// user changed re-encoded; one made here sends its fields as [`ContactInput::from_contact`].
    fn update_body(&self) -> Result<Value, serde_json::Error> {
        match self.received.fields() {
            Some(_) => serde_json::to_value(self),
            None => serde_json::to_value(ContactInput::from_contact(self)),
        }
    }
}
