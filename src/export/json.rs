//! JSON: an array of objects in the API's own shape (field names as the site spells them,
//! custom fields under `CustomCrmGroups`), written one contact at a time.

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap as _, Serializer};
use serde_json::Value;

use crate::api::fields::{FieldValue, field_value};
use crate::api::query::CUSTOM_PREFIX;
use crate::api::{Contact, FieldPath};

use super::{ContactWriter, ExportSettings};

pub struct JsonWriter<W: Write> {
    out: W,
    columns: Vec<FieldPath>,
    first: bool,
}

impl<W: Write> JsonWriter<W> {
    pub fn new(mut out: W, settings: &ExportSettings) -> io::Result<Self> {
        let columns = settings.columns.iter().filter_map(|field| FieldPath::parse(field).ok()).collect();
        out.write_all(b"[")?;
        Ok(Self { out, columns, first: true })
    }
}

impl<W: Write> ContactWriter for JsonWriter<W> {
    fn write(&mut self, contact: &Contact) -> io::Result<()> {
        let mut object = Ordered::default();
        for path in &self.columns {
            match path {
                FieldPath::Top(name) => object.insert(name, Node::Value(json_value(field_value(contact, name)))),
                FieldPath::Custom { group, field } => {
                    let value = contact.custom_crm_groups.get(group).and_then(|g| g.get(field));
                    object
                        .child(CUSTOM_PREFIX)
                        .child(group)
                        .insert(field, Node::Value(value.cloned().unwrap_or(Value::Null)));
                }
            }
        }
        self.out.write_all(if self.first { b"\n" } else { b",\n" })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, &object)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.write_all(b"\n]\n")?;
        self.out.flush()
    }
}

/// A JSON object that keeps its keys in the order of the columns (serde_json's map sorts).
#[derive(Default)]
struct Ordered(Vec<(String, Node)>);

enum Node {
    Value(Value),
    Object(Ordered),
}

impl Ordered {
    fn insert(&mut self, key: &str, node: Node) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, existing)) => *existing = node,
            None => self.0.push((key.to_owned(), node)),
        }
    }

    /// The object under `key`, made if missing (a value there is replaced).
    fn child(&mut self, key: &str) -> &mut Ordered {
        let at = match self.0.iter().position(|(k, node)| k == key && matches!(node, Node::Object(_))) {
            Some(at) => at,
            None => {
                self.insert(key, Node::Object(Ordered::default()));
                self.0.iter().position(|(k, _)| k == key).unwrap_or_default()
            }
        };
        match &mut self.0[at].1 {
            Node::Object(object) => object,
            Node::Value(_) => unreachable!("the entry at `at` was just made an object"),
        }
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, node) in &self.0 {
            match node {
                Node::Value(value) => map.serialize_entry(key, value)?,
                Node::Object(object) => map.serialize_entry(key, object)?,
            }
        }
        map.end()
    }
}

fn json_value(value: FieldValue<'_>) -> Value {
    match value {
        FieldValue::Empty => Value::Null,
        FieldValue::Text(text) => Value::String(text.to_owned()),
        FieldValue::Int(number) => Value::from(number),
        FieldValue::Bool(flag) => Value::Bool(flag),
        FieldValue::Date(instant) => Value::String(instant.to_string()),
        FieldValue::Json(value) => value.clone(),
        // As the site sent it.
        FieldValue::Unreadable(raw) => raw.clone(),
    }
}
