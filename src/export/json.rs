//! JSON: an array of objects in the API's own shape (field names as the site spells them,
//! custom fields under `CustomCrmGroups`), written one contact at a time.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::api::fields::{FieldValue, field_value};
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
        let mut object = Map::new();
        for path in &self.columns {
            match path {
                FieldPath::Top(name) => {
                    object.insert(name.clone(), json_value(field_value(contact, name)));
                }
                FieldPath::Custom { group, field } => {
                    let value = contact.custom_crm_groups.get(group).and_then(|g| g.get(field));
                    let groups = object.entry("CustomCrmGroups").or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(groups) = groups
                        && let Value::Object(fields) =
                            groups.entry(group.clone()).or_insert_with(|| Value::Object(Map::new()))
                    {
                        fields.insert(field.clone(), value.cloned().unwrap_or(Value::Null));
                    }
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

fn json_value(value: FieldValue<'_>) -> Value {
    match value {
        FieldValue::Empty => Value::Null,
        FieldValue::Text(text) => Value::String(text.to_owned()),
        FieldValue::Int(number) => Value::from(number),
        FieldValue::Bool(flag) => Value::Bool(flag),
        FieldValue::Date(instant) => Value::String(instant.to_string()),
        FieldValue::Json(value) => value.clone(),
    }
}
