//! How contact rows are written and read: the column values of each field, the prepared
//! inserts for a contact and what hangs off it, and a row written out as the API's JSON.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{CachedStatement, Connection, OptionalExtension, Row, params, params_from_iter};
use serde_json::{Map, Value, json};

use crate::api::Timestamp;
use crate::api::model::ContactId;

use super::schema::{CONTACT_FIELDS, ContactField, FieldKind, RecordKind};
use super::seed::DemoContact;
use super::store::StoreError;

/// The columns [`write_contact_json`] reads, in order.
pub(super) fn contact_columns() -> String {
    let mut columns: Vec<String> = CONTACT_FIELDS.iter().map(|f| format!("c.{}", f.column)).collect();
    columns.push("c.custom_json".to_owned());
    columns.join(", ")
}

/// Appends a contact row (the columns of [`contact_columns`]) as the API's JSON.
pub(super) fn write_contact_json(row: &Row, out: &mut String) -> rusqlite::Result<()> {
    out.push('{');
    for (i, field) in CONTACT_FIELDS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(field.api);
        out.push_str("\":");
        let written = match field.kind {
            FieldKind::Text | FieldKind::Nested => {
                row.get_ref(i)?.as_str_or_null()?.map(|text| push_json_string(out, text))
            }
            FieldKind::Int => row.get::<_, Option<i64>>(i)?.map(|number| out.push_str(&number.to_string())),
            FieldKind::Decimal => {
                row.get::<_, Option<f64>>(i)?.filter(|n| n.is_finite()).map(|number| out.push_str(&number.to_string()))
            }
            FieldKind::Bool => {
                out.push_str(if row.get::<_, Option<i64>>(i)?.unwrap_or(0) != 0 { "true" } else { "false" });
                Some(())
            }
            FieldKind::Date => row
                .get::<_, Option<i64>>(i)?
                .and_then(Timestamp::from_millis)
                .map(|t| push_json_string(out, &t.to_wire())),
        };
        if written.is_none() {
            out.push_str("null");
        }
    }
    out.push_str(",\"CustomCrmGroups\":");
    // JSON text that only this module writes (from a parsed value), so it is copied as is.
    out.push_str(row.get_ref(CONTACT_FIELDS.len())?.as_str()?);
    out.push('}');
    Ok(())
}

/// Appends `text` as a JSON string literal.
fn push_json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The SQL columns and values of one contact field, its lowercase twin included.
pub(super) fn column_values(field: &ContactField, value: Option<&Value>) -> Vec<(&'static str, SqlValue)> {
    let value = value.unwrap_or(&Value::Null);
    let sql = match (field.kind, value) {
        (FieldKind::Bool, Value::Null) => SqlValue::Integer(0),
        (_, Value::Null) => SqlValue::Null,
        (FieldKind::Text, Value::String(text)) => SqlValue::Text(text.clone()),
        (FieldKind::Int, Value::Number(n)) => n.as_i64().map_or(SqlValue::Null, SqlValue::Integer),
        (FieldKind::Decimal, Value::Number(n)) => n.as_f64().map_or(SqlValue::Null, SqlValue::Real),
        (FieldKind::Bool, Value::Bool(flag)) => SqlValue::Integer(i64::from(*flag)),
        (FieldKind::Date, Value::String(text)) => {
            Timestamp::parse(text).map_or(SqlValue::Null, |t| SqlValue::Integer(t.millis()))
        }
        _ => SqlValue::Null,
    };
    let mut columns = vec![(field.column, sql.clone())];
    if let Some(twin) = field.folded {
        let folded = match sql {
            SqlValue::Text(text) => SqlValue::Text(text.to_lowercase()),
            _ => SqlValue::Null,
        };
        columns.push((twin, folded));
    }
    columns
}

/// Prepared inserts for contacts and what hangs off them.
pub(super) struct Inserter<'c> {
    conn: &'c Connection,
    contact: CachedStatement<'c>,
    custom: CachedStatement<'c>,
    find_field: CachedStatement<'c>,
    add_field: CachedStatement<'c>,
    field_ids: HashMap<(String, String), i64>,
    record: CachedStatement<'c>,
    zone: CachedStatement<'c>,
}

impl<'c> Inserter<'c> {
    pub(super) fn new(conn: &'c Connection) -> rusqlite::Result<Self> {
        let mut columns = Vec::new();
        for field in CONTACT_FIELDS {
            columns.push(field.column);
            columns.extend(field.folded);
        }
        columns.push("custom_json");
        let placeholders = vec!["?"; columns.len()].join(", ");
        let contact =
            conn.prepare_cached(&format!("INSERT INTO contacts ({}) VALUES ({placeholders})", columns.join(", ")))?;
        Ok(Self {
            conn,
            contact,
            custom: conn.prepare_cached(
                "INSERT OR REPLACE INTO custom_values (contact_id, field_id, kind, text_lc, num) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            find_field: conn.prepare_cached("SELECT id FROM custom_fields WHERE grp = ?1 AND field = ?2")?,
            add_field: conn.prepare_cached("INSERT INTO custom_fields (grp, field) VALUES (?1, ?2)")?,
            field_ids: HashMap::new(),
            record: conn.prepare_cached("INSERT INTO records (contact_id, kind, doc) VALUES (?1, ?2, ?3)")?,
            zone: conn.prepare_cached("INSERT OR REPLACE INTO zone_subscriptions (contact_id, zone_id, expiry) VALUES (?1, ?2, ?3)")?,
        })
    }

    /// Inserts one contact from API-named JSON fields; `id` `None` lets SQLite choose.
    pub(super) fn contact(
        &mut self,
        id: Option<ContactId>,
        fields: &Map<String, Value>,
    ) -> Result<ContactId, StoreError> {
        let mut values = Vec::with_capacity(CONTACT_FIELDS.len() * 2);
        for field in CONTACT_FIELDS {
            let value = if field.api == "Id" { id.map(Value::from) } else { fields.get(field.api).cloned() };
            values.extend(column_values(field, value.as_ref()).into_iter().map(|(_, v)| v));
        }
        let groups = fields.get("CustomCrmGroups").cloned().unwrap_or_else(|| json!({}));
        values.push(SqlValue::Text(groups.to_string()));
        let id = self.contact.insert(params_from_iter(values.iter()))?;
        self.index_custom_values(id, &groups)?;
        Ok(id)
    }

    /// Replaces all of a contact's custom values: the groups as returned
    /// (`contacts.custom_json`) and the rows that filters read (`custom_values`), together,
    /// so that what a GET shows and what `Where` finds cannot differ. Run it in the
    /// transaction of the update.
    pub(super) fn replace_custom_groups(&mut self, contact: ContactId, groups: &Value) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE contacts SET custom_json = ?1 WHERE id = ?2")?
            .execute(params![groups.to_string(), contact])?;
        self.conn.prepare_cached("DELETE FROM custom_values WHERE contact_id = ?1")?.execute([contact])?;
        self.index_custom_values(contact, groups)
    }

    /// The id of a (group, field) pair, registered on first sight.
    fn field_id(&mut self, group: &str, field: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.field_ids.get(&(group.to_owned(), field.to_owned())) {
            return Ok(*id);
        }
        let id = match self.find_field.query_row(params![group, field], |row| row.get(0)).optional()? {
            Some(id) => id,
            None => self.add_field.insert(params![group, field])?,
        };
        self.field_ids.insert((group.to_owned(), field.to_owned()), id);
        Ok(id)
    }

    /// Indexes each scalar custom value so that filters can find it. Private: the rows are
    /// written only with the JSON they index (see `contact` and `replace_custom_groups`).
    fn index_custom_values(&mut self, contact: ContactId, groups: &Value) -> Result<(), StoreError> {
        let Value::Object(groups) = groups else { return Ok(()) };
        for (group, fields) in groups {
            let Value::Object(fields) = fields else { continue };
            for (field, value) in fields {
                let (kind, text, num) = match value {
                    Value::String(text) => (0, Some(text.to_lowercase()), None),
                    Value::Number(n) => (1, None, n.as_f64()),
                    Value::Bool(flag) => (2, None, Some(if *flag { 1.0 } else { 0.0 })),
                    _ => continue,
                };
                let field_id = self.field_id(group, field)?;
                self.custom.execute(params![contact, field_id, kind, text, num])?;
            }
        }
        Ok(())
    }

    /// Stores a record document. Its `Id`, `MemberId` and `Member` are the row's own and
    /// are set from the row when read (see `record_json`).
    fn record<T: serde::Serialize>(
        &mut self,
        contact: ContactId,
        kind: RecordKind,
        record: &T,
    ) -> Result<i64, StoreError> {
        let doc = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(self.record.insert(params![contact, kind as i64, doc])?)
    }

    pub(super) fn demo_contact(&mut self, id: ContactId, demo: DemoContact) -> Result<(), StoreError> {
        let DemoContact { contact, bookings, cases, orders, zones } = demo;
        let Value::Object(fields) = to_json(&contact)? else {
            return Err(StoreError::Corrupt("a contact is not a JSON object".to_owned()));
        };
        self.contact(Some(id), &fields)?;
        // Orders first: bookings and cases name theirs by position (1-based) in `orders`.
        let mut order_ids = Vec::with_capacity(orders.len());
        for order in &orders {
            order_ids.push(self.record(id, RecordKind::Order, order)?);
        }
        let order_id = |position: Option<i64>| {
            position.and_then(|p| usize::try_from(p).ok()?.checked_sub(1)).and_then(|i| order_ids.get(i)).copied()
        };
        for mut booking in bookings {
            booking.order_id = order_id(booking.order_id);
            self.record(id, RecordKind::Booking, &booking)?;
        }
        for mut case in cases {
            case.order_id = order_id(case.order_id);
            self.record(id, RecordKind::Case, &case)?;
        }
        for zone in zones {
            self.zone.execute(params![id, zone.zone_id, zone.expiry.map(|t| t.millis())])?;
        }
        Ok(())
    }
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}
