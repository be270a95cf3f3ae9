//! A cell's text as the value its field takes: text as written, yes/no for a flag, a whole
//! number for a number; a custom field as the kind the site keeps it in. A cell that cannot
//! be its field's value is a reason, not a guess.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::Contact;
use crate::api::contact_fields::{FieldSpec, Kind, MAX_TEXT, email_problem};

/// What an empty cell means for a contact that exists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmptyCells {
    /// The field keeps its value.
    #[default]
    LeaveAsIs,
    /// The field is cleared.
    Clear,
}

impl EmptyCells {
    pub const ALL: [EmptyCells; 2] = [EmptyCells::LeaveAsIs, EmptyCells::Clear];

    pub fn label(self) -> &'static str {
        match self {
            EmptyCells::LeaveAsIs => "Leave the field as it is",
            EmptyCells::Clear => "Clear the field",
        }
    }
}

/// What one cell asks of its field.
#[derive(Clone, Debug, PartialEq)]
pub enum CellValue {
    Leave,
    Clear,
    Set(Value),
}

/// The kind of value the site keeps in a custom field, learned from its contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomKind {
    Text,
    Number,
    Flag,
}

impl CustomKind {
    pub fn of(value: &Value) -> Option<Self> {
        match value {
            Value::String(_) => Some(CustomKind::Text),
            Value::Number(_) => Some(CustomKind::Number),
            Value::Bool(_) => Some(CustomKind::Flag),
            _ => None,
        }
    }
}

/// The custom fields the site has, with the kind of value each holds.
#[derive(Clone, Debug, Default)]
pub struct CustomFields {
    pub kinds: HashMap<(String, String), CustomKind>,
    pub groups: std::collections::BTreeSet<String>,
}

impl CustomFields {
    /// Learns the groups and kinds `contact` shows.
    pub fn learn(&mut self, contact: &Contact) {
        for (group, fields) in &contact.custom_crm_groups {
            if !self.groups.contains(group) {
                self.groups.insert(group.clone());
            }
            for (field, value) in fields {
                if let Some(kind) = CustomKind::of(value) {
                    self.kinds.entry((group.clone(), field.clone())).or_insert(kind);
                }
            }
        }
    }

    /// Adds the groups of fields known elsewhere (those the grid has seen).
    pub fn know(&mut self, fields: &std::collections::BTreeSet<(String, String)>) {
        self.groups.extend(fields.iter().map(|(group, _)| group.clone()));
    }
}

/// The cell of a contact field. `None` from an empty cell is decided by `empty`.
pub fn contact_value(spec: &FieldSpec, cell: &str, empty: EmptyCells) -> Result<CellValue, String> {
    if cell.trim().is_empty() {
        return Ok(match empty {
            EmptyCells::LeaveAsIs => CellValue::Leave,
            // An email cannot be cleared: an empty one is left.
            EmptyCells::Clear if spec.kind() == Kind::Email => CellValue::Leave,
            EmptyCells::Clear => CellValue::Clear,
        });
    }
    match spec.kind() {
        Kind::Email => {
            let email = cell.trim();
            match email_problem(email) {
                Some(problem) => Err(problem),
                None => Ok(CellValue::Set(Value::from(email))),
            }
        }
        Kind::Text => text(cell),
        Kind::Bool => flag(cell).map(|flag| CellValue::Set(Value::Bool(flag))),
        Kind::WholeNumber => match cell.trim().parse::<i64>() {
            Ok(number) => Ok(CellValue::Set(Value::from(number))),
            Err(_) => Err(format!("“{}” is not a whole number", cell.trim())),
        },
        // Set by the site: the mapping never sends them.
        Kind::Id | Kind::Date => Ok(CellValue::Leave),
    }
}

/// The cell of a custom field, as the kind the site keeps it in (`kind`; text when unknown).
pub fn custom_value(kind: Option<CustomKind>, cell: &str, empty: EmptyCells) -> Result<CellValue, String> {
    if cell.trim().is_empty() {
        return Ok(match empty {
            EmptyCells::LeaveAsIs => CellValue::Leave,
            EmptyCells::Clear => CellValue::Clear,
        });
    }
    match kind.unwrap_or(CustomKind::Text) {
        CustomKind::Text => text(cell),
        CustomKind::Flag => flag(cell).map(|flag| CellValue::Set(Value::Bool(flag))),
        // Read as JSON reads a number, so that 7.5 and 25000 come back as the site wrote them.
        CustomKind::Number => match serde_json::from_str::<serde_json::Number>(cell.trim()) {
            Ok(number) => Ok(CellValue::Set(Value::Number(number))),
            Err(_) => Err(format!("“{}” is not a number", cell.trim())),
        },
    }
}

fn text(cell: &str) -> Result<CellValue, String> {
    let length = cell.chars().count();
    if length > MAX_TEXT {
        return Err(format!("{length} characters, more than the {MAX_TEXT} a field holds"));
    }
    Ok(CellValue::Set(Value::from(cell)))
}

/// Yes or no as people and spreadsheets write it (our export writes "yes" and "no").
fn flag(cell: &str) -> Result<bool, String> {
    match cell.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "ja" | "oui" | "x" => Ok(true),
        "no" | "n" | "false" | "0" | "nei" | "nein" | "non" => Ok(false),
        other => Err(format!("“{other}” is not yes or no")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::contact_fields::Field;
    use serde_json::json;

    #[test]
    fn each_kind_reads_its_cells_and_refuses_the_rest() {
        let set = |field: Field, cell: &str| contact_value(field.spec(), cell, EmptyCells::LeaveAsIs);
        assert_eq!(set(Field::Type, " 2 "), Ok(CellValue::Set(json!(2))));
        assert_eq!(set(Field::Type, "two"), Err("“two” is not a whole number".to_owned()));
        assert_eq!(set(Field::IsDataUsingAllowed, "Yes"), Ok(CellValue::Set(json!(true))));
        assert_eq!(set(Field::IsDataUsingAllowed, "maybe"), Err("“maybe” is not yes or no".to_owned()));
        assert_eq!(set(Field::City, " Oslo "), Ok(CellValue::Set(json!(" Oslo "))), "text is kept as written");
        assert_eq!(set(Field::Email, " a@x.example "), Ok(CellValue::Set(json!("a@x.example"))));
        assert!(set(Field::Email, "not-an-email").unwrap_err().contains("is not an email address"));
        assert_eq!(set(Field::City, ""), Ok(CellValue::Leave));
        assert_eq!(contact_value(Field::City.spec(), "", EmptyCells::Clear), Ok(CellValue::Clear));
        assert_eq!(contact_value(Field::Email.spec(), "", EmptyCells::Clear), Ok(CellValue::Leave));
        assert!(set(Field::Notes, &"x".repeat(MAX_TEXT + 1)).unwrap_err().contains("4001 characters"));
    }

    #[test]
    fn a_custom_cell_takes_the_kind_the_site_keeps() {
        let number = custom_value(Some(CustomKind::Number), "7.5", EmptyCells::LeaveAsIs);
        assert_eq!(number, Ok(CellValue::Set(json!(7.5))));
        assert_eq!(
            custom_value(Some(CustomKind::Number), "25000", EmptyCells::LeaveAsIs),
            Ok(CellValue::Set(json!(25000)))
        );
        assert_eq!(custom_value(Some(CustomKind::Flag), "no", EmptyCells::LeaveAsIs), Ok(CellValue::Set(json!(false))));
        assert_eq!(custom_value(None, "25000", EmptyCells::LeaveAsIs), Ok(CellValue::Set(json!("25000"))));
        assert!(custom_value(Some(CustomKind::Number), "lots", EmptyCells::LeaveAsIs).is_err());
    }
}
