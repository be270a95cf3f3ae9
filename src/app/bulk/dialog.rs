//! The bulk dialog's state: the selection it froze when it opened, the form (fields and
//! values, or a zone), the preview, and the result table once it ran.

use std::collections::BTreeMap;

use crate::api::{ContactScope, DateForm, Op, Timestamp};
use crate::app::filter::{ValueError, field_type, parse_value};
use crate::app::grid::Grid;
use crate::app::tasks::TaskId;

use super::edit::{Edits, FieldEdit, editable_fields};
use super::preview::Preview;
use super::report::BulkReport;
use super::run::BulkAction;
use super::zones::ZoneAction;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkKind {
    Edit,
    Zones,
}

/// One line of the edit form: a field and the value typed for it, or "clear".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldRow {
    pub field: String,
    pub text: String,
    pub clear: bool,
}

/// The zone form: grant (with an optional expiry) or revoke.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ZoneForm {
    pub revoke: bool,
    pub zone_id: String,
    pub expiry: String,
}

/// What is wrong with the form, as the dialog says it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("Choose a field to change.")]
    NoField,
    #[error("{0} is chosen twice.")]
    ChosenTwice(String),
    #[error("{field}: {error}")]
    Value {
        field: String,
        #[source]
        error: ValueError,
    },
    #[error("Choose a secure zone (its Id).")]
    NoZone,
    /// The expiry as typed, trimmed.
    #[error("`{0}` is not a date (e.g. 2027-01-31).")]
    NotADate(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkStage {
    Editing,
    Previewing(TaskId),
    Applying(TaskId),
    /// Asking where to save the result table.
    ChoosingFile,
}

pub struct BulkDialog {
    pub kind: BulkKind,
    /// The selection when the dialog opened, and how many it held.
    pub scope: ContactScope,
    pub count: u64,
    /// Fields offered, contact fields then custom ones seen.
    pub fields: Vec<String>,
    /// Samples of the custom values seen, to read typed values as their type.
    custom_samples: BTreeMap<String, serde_json::Value>,
    pub rows: Vec<FieldRow>,
    pub zone: ZoneForm,
    pub known_zones: BTreeMap<i64, String>,
    /// The preview, and the action it was made for (a changed form needs a new one).
    pub preview: Option<(BulkAction, Preview)>,
    pub stage: BulkStage,
    /// What ran, its journal batch and its result table.
    pub applied: Option<(BulkAction, Option<i64>, BulkReport)>,
    pub error: Option<String>,
    /// A path typed when there is no save dialog.
    pub typed_path: Option<String>,
    pub exported_to: Option<std::path::PathBuf>,
    /// The count to type before Apply, when the filter is one the client cannot check.
    pub typed_count: crate::app::typed_count::TypedCount,
    /// The first value field has had the keyboard (asked until it holds: a modal's first
    /// frame only measures).
    pub focused_once: bool,
}

/// A value of a custom field among the loaded rows near the view: its type is the field's.
fn custom_sample(grid: &Grid, group: &str, field: &str) -> Option<serde_json::Value> {
    let (first, last) = grid.visible?;
    (first..=last.min(first + 50))
        .find_map(|index| grid.peek(index)?.custom_crm_groups.get(group).and_then(|g| g.get(field)).cloned())
}

impl BulkDialog {
    /// The grid's selection as it is now; `None` when nothing is selected.
    pub fn for_selection(kind: BulkKind, grid: &Grid, known_zones: BTreeMap<i64, String>) -> Option<Self> {
        let count = grid.selected_count();
        if count == 0 {
            return None;
        }
        let custom: Vec<(String, String)> = grid.custom_fields.iter().cloned().collect();
        let custom_samples = custom
            .iter()
            .filter_map(|(g, f)| {
                let name = crate::api::fields::custom_field_name(g, f);
                custom_sample(grid, g, f).map(|value| (name, value))
            })
            .collect();
        let fields = editable_fields(&custom);
        let first = fields.iter().find(|f| *f == "City").or(fields.first()).cloned().unwrap_or_default();
        let scope = grid.selection_scope();
        Some(Self {
            kind,
            typed_count: crate::app::typed_count::TypedCount::for_scope(&scope, count),
            scope,
            count,
            fields,
            custom_samples,
            rows: vec![FieldRow { field: first, ..FieldRow::default() }],
            zone: ZoneForm::default(),
            known_zones,
            preview: None,
            stage: BulkStage::Editing,
            applied: None,
            error: None,
            typed_path: None,
            exported_to: None,
            focused_once: false,
        })
    }

    pub fn is_busy(&self) -> bool {
        self.stage != BulkStage::Editing
    }

    /// The form as an action, or what is wrong with it.
    pub fn action(&self) -> Result<BulkAction, FormError> {
        match self.kind {
            BulkKind::Edit => self.edits().map(BulkAction::Edit),
            BulkKind::Zones => self.zone_action().map(BulkAction::Zones),
        }
    }

    fn edits(&self) -> Result<Edits, FormError> {
        let mut edits = Vec::new();
        for row in &self.rows {
            if row.field.is_empty() {
                continue;
            }
            if edits.iter().any(|e: &FieldEdit| e.field == row.field) {
                return Err(FormError::ChosenTwice(row.field.clone()));
            }
            let value = if row.clear {
                None
            } else {
                let kind = field_type(&row.field, self.custom_samples.get(&row.field));
                let value = parse_value(kind, Op::Eq, &row.text);
                Some(value.map_err(|error| FormError::Value { field: row.field.clone(), error })?)
            };
            edits.push(FieldEdit { field: row.field.clone(), value });
        }
        if edits.is_empty() {
            return Err(FormError::NoField);
        }
        Ok(Edits(edits))
    }

    fn zone_action(&self) -> Result<ZoneAction, FormError> {
        let id: i64 = self.zone.zone_id.trim().parse().map_err(|_| FormError::NoZone)?;
        let name = self.known_zones.get(&id).cloned().unwrap_or_else(|| format!("Zone {id}"));
        if self.zone.revoke {
            return Ok(ZoneAction::Revoke { id, name });
        }
        let expiry = typed_expiry(&self.zone.expiry)?;
        Ok(ZoneAction::Grant { id, name, expiry })
    }

    /// The preview, when it was made for the form as it is now.
    pub fn current_preview(&self) -> Option<&Preview> {
        let (action, preview) = self.preview.as_ref()?;
        (self.action().ok().as_ref() == Some(action)).then_some(preview)
    }

    /// "Bulk edit of 2,000 contacts" for the heading.
    pub fn heading(&self) -> String {
        let what = crate::app::text::contacts(self.count);
        match self.kind {
            BulkKind::Edit => format!("Bulk edit of {what}"),
            BulkKind::Zones => format!("Secure zones of {what}"),
        }
    }
}

/// The expiry typed in the zone form; none when empty. Written in the app's form, not as
/// typed: a bare day would otherwise go to the site as one.
fn typed_expiry(text: &str) -> Result<Option<Timestamp>, FormError> {
    match text.trim() {
        "" => Ok(None),
        text => Timestamp::parse(text)
            .map(|at| Some(at.in_form(DateForm::default())))
            .ok_or_else(|| FormError::NotADate(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_expiry_goes_out_in_the_apps_form() {
        let at = typed_expiry(" 2027-01-31 ").unwrap().unwrap();
        assert_eq!(at.to_wire(), "2027-01-31T00:00:00.000Z");
        assert_eq!(typed_expiry("").unwrap(), None);
        assert_eq!(typed_expiry(" soon ").unwrap_err().to_string(), "`soon` is not a date (e.g. 2027-01-31).");
    }
}
