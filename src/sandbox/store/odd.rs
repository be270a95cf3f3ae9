//! `sandbox --dialect odd-values`: a few seeded contacts (and one order) hold values in shapes
//! a real site may send: `null` booleans, a number as text, a date without a zone or in
//! another format, a `null` custom group, an Id above 2^53. They live as JSON fragments in a
//! side table, patched into the replies, so the typed columns (and every other test) stay as
//! they are. A PUT that sends a fragment back unchanged keeps it; one that changes the field
//! replaces it with the stored value.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::{Store, StoreError};
use crate::api::model::ContactId;
use crate::sandbox::rows::Inserter;
use crate::sandbox::schema::RecordKind;

pub(super) const CREATE: &str = "CREATE TABLE IF NOT EXISTS odd_values (
    contact_id INTEGER NOT NULL,
    field TEXT NOT NULL,   -- a top-level name, or `CustomCrmGroups.<group>`
    json TEXT NOT NULL,
    PRIMARY KEY (contact_id, field)
) WITHOUT ROWID;";

/// An Id above 2^53 (past which a double loses whole numbers), within `i64`.
pub const BIG_ID: ContactId = (1 << 53) + 1;

/// The invoice number, as text with leading zeros, of the order given odd values.
pub const ODD_INVOICE: &str = "000456";

const GROUPS: &str = "CustomCrmGroups";

/// The odd fields of the first and the second contact.
fn fragments() -> [Vec<(&'static str, Value)>; 2] {
    [
        vec![
            ("EmailConfirmed", Value::Null),
            ("IsDataUsingAllowed", Value::Null),
            ("CreatedDate", json!("2024-05-17T18:18:39")),
            ("Type", json!("2")),
            ("CustomCrmGroups.Odd", Value::Null),
            ("CustomCrmGroups.Sparse", json!({"Note": null, "Count": 3})),
        ],
        vec![
            ("EmailConfirmed", json!("true")),
            ("IsDataUsingAllowed", json!("maybe")),
            ("CreatedDate", json!("17/05/2024 18:18")),
            ("Phone", json!(6421555123_i64)),
        ],
    ]
}

impl Store {
    /// Gives the first two contacts and the first order odd values, and adds a contact with
    /// Id [`BIG_ID`]. Done once: a database that has them is left as it is.
    pub fn plant_odd_values(&self) -> Result<(), StoreError> {
        let mut conn = self.writer()?;
        let tx = conn.begin_write()?;
        let planted: i64 = tx.query_row("SELECT COUNT(*) FROM odd_values", [], |row| row.get(0))?;
        if planted > 0 {
            return Ok(());
        }
        let ids: Vec<ContactId> = tx
            .prepare("SELECT id FROM contacts ORDER BY id LIMIT 2")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        let mut insert = tx.prepare("INSERT INTO odd_values (contact_id, field, json) VALUES (?1, ?2, ?3)")?;
        for (id, fields) in ids.iter().zip(fragments()) {
            for (field, value) in fields {
                insert.execute(params![id, field, value.to_string()])?;
            }
        }
        drop(insert);
        let big = json!({"Email": "big.id@example.com", "FirstName": "Big", "LastName": "Id"});
        if let Value::Object(big) = big {
            Inserter::new(&tx)?.contact(Some(BIG_ID), &big)?;
        }
        let order: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, doc FROM records WHERE kind = ?1 ORDER BY contact_id, id LIMIT 1",
                [RecordKind::Order as i64],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((id, doc)) = order {
            let mut doc: Value = serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            odd_order(&mut doc);
            tx.execute("UPDATE records SET doc = ?1 WHERE id = ?2", params![doc.to_string(), id])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The odd fields of the contacts `ids`, by contact.
    pub fn odd_values(&self, ids: &[ContactId]) -> Result<HashMap<ContactId, Map<String, Value>>, StoreError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached("SELECT field, json FROM odd_values WHERE contact_id = ?1")?;
            let mut found = HashMap::new();
            for id in ids {
                let rows = statement.query_map([id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?;
                let mut fields = Map::new();
                for row in rows {
                    let (field, text) = row?;
                    fields.insert(field, serde_json::from_str(&text).unwrap_or(Value::Null));
                }
                if !fields.is_empty() {
                    found.insert(*id, fields);
                }
            }
            Ok(found)
        })
    }

    /// Before a PUT of contact `id` is stored: the odd fields `body` sends back unchanged are
    /// taken out of it (the odd value stays); those it changes lose their odd value.
    pub fn settle_odd_values(&self, id: ContactId, body: &mut Map<String, Value>) -> Result<(), StoreError> {
        let Some(odd) = self.odd_values(&[id])?.remove(&id) else { return Ok(()) };
        let conn = self.writer()?;
        for (field, value) in odd {
            let sent = match field.strip_prefix("CustomCrmGroups.") {
                Some(group) => match body.get_mut(GROUPS) {
                    Some(Value::Object(groups)) => Some(groups.remove(group).unwrap_or(Value::Null)),
                    _ => None,
                },
                None => body.remove(&field),
            };
            match sent {
                None => {}
                Some(sent) if sent == value => {}
                Some(sent) => {
                    conn.execute("DELETE FROM odd_values WHERE contact_id = ?1 AND field = ?2", params![id, field])?;
                    if !field.starts_with("CustomCrmGroups.") {
                        body.insert(field, sent);
                    } else if let (Some(group), Some(Value::Object(groups))) =
                        (field.strip_prefix("CustomCrmGroups."), body.get_mut(GROUPS))
                        && sent.is_object()
                    {
                        groups.insert(group.to_owned(), sent);
                    }
                }
            }
        }
        Ok(())
    }
}

/// `contact` (a reply's object) with its odd fields put in.
pub fn patch(contact: &mut Value, odd: &Map<String, Value>) {
    let Value::Object(fields) = contact else { return };
    for (field, value) in odd {
        match field.strip_prefix("CustomCrmGroups.") {
            Some(group) => {
                let groups = fields.entry(GROUPS).or_insert_with(|| json!({}));
                if let Value::Object(groups) = groups {
                    groups.insert(group.to_owned(), value.clone());
                }
            }
            None => {
                fields.insert(field.clone(), value.clone());
            }
        }
    }
}

/// An order's odd shapes: the invoice number as text with leading zeros, a number among an
/// order line's `OptionsIds`, a `null` custom group.
fn odd_order(order: &mut Value) {
    let Value::Object(fields) = order else { return };
    fields.insert("InvoiceNumber".to_owned(), json!(ODD_INVOICE));
    let groups = fields.entry(GROUPS).or_insert_with(|| json!({}));
    if let Value::Object(groups) = groups {
        groups.insert("Odd".to_owned(), Value::Null);
    }
    if let Some(Value::Array(lines)) = fields.get_mut("OrderLines")
        && let Some(Value::Object(line)) = lines.first_mut()
    {
        line.insert("Attributes".to_owned(), json!([{"AttributeId": 1, "OptionsIds": [7, "b"]}]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_put_keeps_the_odd_values_it_sends_back_and_replaces_those_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("odd.db")).unwrap();
        store.seed(3, |_| {}).unwrap();
        store.plant_odd_values().unwrap();
        store.plant_odd_values().unwrap();
        let odd = store.odd_values(&[1, 2]).unwrap();
        assert_eq!(odd[&1]["Type"], json!("2"));
        assert_eq!(odd[&2]["Phone"], json!(6421555123_i64));
        assert!(store.get_contact(BIG_ID).unwrap().is_some(), "the contact with a large Id");

        let mut body = Map::new();
        body.insert("Type".to_owned(), json!("2"));
        body.insert("CreatedDate".to_owned(), json!("2024-05-17T18:18:39"));
        body.insert("IsDataUsingAllowed".to_owned(), json!(true));
        body.insert(GROUPS.to_owned(), json!({"Odd": null, "Sparse": {"Note": null, "Count": 3}, "Prefs": {}}));
        store.settle_odd_values(1, &mut body).unwrap();
        assert_eq!(
            body,
            Map::from_iter(
                [("IsDataUsingAllowed".to_owned(), json!(true)), (GROUPS.to_owned(), json!({"Prefs": {}})),]
            )
        );
        let left = store.odd_values(&[1]).unwrap().remove(&1).unwrap();
        assert!(!left.contains_key("IsDataUsingAllowed"), "changed: no longer odd");
        assert_eq!(left.len(), 5);
    }
}
