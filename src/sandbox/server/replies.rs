//! Replies as this site's dialect writes them: odd values patched into contacts
//! (`odd-values`), dates without a zone (`dates-without-zone`), and an empty 204 to a
//! contact PUT, set-password and the zones PUT (`put-empty-204`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{ApiFailure, ServerState, blocking, json_text};
use crate::api::{DateForm, Timestamp};
use crate::sandbox::store::patch_odd_values;

impl ServerState {
    fn reshapes(&self) -> bool {
        self.dialect.odd_values || self.dialect.dates_without_zone
    }

    /// A contact or a page of contacts, as JSON text from the store.
    pub(super) async fn contacts_reply(&self, json: String) -> Result<Response, ApiFailure> {
        if !self.reshapes() {
            return Ok(json_text(json));
        }
        let value: Value = serde_json::from_str(&json).map_err(ApiFailure::internal)?;
        Ok(axum::Json(self.reshape_contacts(value).await?).into_response())
    }

    /// A contact or a page of contacts with this dialect's odd values and date form.
    pub(super) async fn reshape_contacts(&self, mut value: Value) -> Result<Value, ApiFailure> {
        if self.dialect.odd_values {
            let contacts: Vec<&mut Value> = match &mut value {
                Value::Object(page) if page.contains_key("Items") => match page.get_mut("Items") {
                    Some(Value::Array(items)) => items.iter_mut().collect(),
                    _ => Vec::new(),
                },
                contact => vec![contact],
            };
            let ids: Vec<i64> = contacts.iter().filter_map(|c| c.get("Id").and_then(Value::as_i64)).collect();
            let odd = blocking(&self.store, move |store| store.odd_values(&ids)).await?;
            for contact in contacts {
                if let Some(fields) = contact.get("Id").and_then(Value::as_i64).and_then(|id| odd.get(&id)) {
                    patch_odd_values(contact, fields);
                }
            }
        }
        Ok(self.dates(value))
    }

    /// `value` with its dates in this site's form.
    pub(super) fn dates(&self, mut value: Value) -> Value {
        if self.dialect.dates_without_zone {
            dates_without_zone(&mut value);
        }
        value
    }

    /// The reply to a write: empty (204) on a site that answers so, else `value`.
    pub(super) fn written(&self, value: Value) -> Response {
        if self.dialect.put_empty_204 {
            return StatusCode::NO_CONTENT.into_response();
        }
        axum::Json(self.dates(value)).into_response()
    }
}

/// Every date-time with a zone in `value` written as its UTC wall time with no zone.
fn dates_without_zone(value: &mut Value) {
    match value {
        Value::String(text) => {
            let looks_like_one = text.len() >= 20 && text.as_bytes().get(10) == Some(&b'T');
            if let Some(at) = Timestamp::parse(text).filter(|at| looks_like_one && at.form() == DateForm::WithZone) {
                *text = at.in_form(DateForm::WithoutZone).to_wire();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(dates_without_zone),
        Value::Object(fields) => fields.values_mut().for_each(dates_without_zone),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_lose_their_zone_and_nothing_else_changes() {
        let mut value = json!({"CreatedDate": "2024-05-17T18:18:39.175Z", "Notes": "2024", "Expiry": "2024-05-18T01:00:00+14:00", "N": 3});
        dates_without_zone(&mut value);
        assert_eq!(
            value,
            json!({"CreatedDate": "2024-05-17T18:18:39.175", "Notes": "2024", "Expiry": "2024-05-17T11:00:00", "N": 3})
        );
    }
}
