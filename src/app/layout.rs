//! The grid's layout per site: which columns show, in which order (custom fields too), and
//! the saved views (a name for a filter, a sort and columns). Kept in the UI settings.

use serde::{Deserialize, Serialize};

use crate::api::Contact;
use crate::api::FieldPath;
use crate::api::contact_fields::{FIELDS, Field, FieldSpec};
use crate::api::fields::field_value;

use super::grid::GridQuery;

/// The columns shown on first use.
const DEFAULT_COLUMNS: &[Field] = &[
    Field::FirstName,
    Field::LastName,
    Field::Email,
    Field::Phone,
    Field::City,
    Field::Country,
    Field::Status,
    Field::CreatedDate,
];

/// The narrowest a column can be dragged.
pub const MIN_COLUMN_WIDTH: f32 = 48.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridColumn {
    /// A contact field (`City`) or a custom field (`CustomCrmGroups.Group.Field`).
    pub field: String,
    pub visible: bool,
    /// In points; dragging the header's edge changes it.
    #[serde(default = "default_width")]
    pub width: f32,
}

impl GridColumn {
    fn new(field: &str, visible: bool) -> Self {
        let width = match FieldSpec::named(field).map(|spec| spec.field) {
            Some(Field::Email) => 250.0,
            Some(Field::Country | Field::Type | Field::Id) => 80.0,
            _ => default_width(),
        };
        Self { field: field.to_owned(), visible, width }
    }
}

fn default_width() -> f32 {
    140.0
}

/// A named filter, sort and set of columns, applied with one click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedView {
    pub name: String,
    pub query: GridQuery,
    pub columns: Vec<GridColumn>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GridLayout {
    pub columns: Vec<GridColumn>,
    pub views: Vec<SavedView>,
}

impl Default for GridLayout {
    /// The default columns first, in their order, then every other field, hidden.
    fn default() -> Self {
        let shown = DEFAULT_COLUMNS.iter().map(|field| GridColumn::new(field.name(), true));
        let hidden = FIELDS
            .iter()
            .filter(|spec| !DEFAULT_COLUMNS.contains(&spec.field))
            .map(|spec| GridColumn::new(spec.name, false));
        Self { columns: shown.chain(hidden).collect(), views: Vec::new() }
    }
}

impl GridLayout {
    pub fn visible(&self) -> impl Iterator<Item = &GridColumn> {
        self.columns.iter().filter(|c| c.visible)
    }

    /// Offers custom fields seen on contacts as (hidden) columns.
    pub fn add_custom_fields<'a>(&mut self, seen: impl IntoIterator<Item = &'a (String, String)>) {
        for (group, field) in seen {
            let name = FieldPath::custom(group, field).to_string();
            if !self.columns.iter().any(|c| c.field == name) {
                self.columns.push(GridColumn::new(&name, false));
            }
        }
    }

    /// Moves a column one place towards the start (`-1`) or the end (`+1`).
    pub fn move_column(&mut self, field: &str, step: isize) {
        let Some(from) = self.columns.iter().position(|c| c.field == field) else { return };
        let to = from.saturating_add_signed(step).min(self.columns.len() - 1);
        let column = self.columns.remove(from);
        self.columns.insert(to, column);
    }

    /// Moves a column to `slot` among the visible columns, counted before the move (`0`: in
    /// front of the first; the number of visible columns: after the last), as when its header
    /// is dropped between two others. Hidden columns keep their places among the rest.
    pub fn move_column_to_slot(&mut self, field: &str, slot: usize) {
        let Some(from) = self.columns.iter().position(|c| c.field == field) else { return };
        let visible: Vec<usize> = (0..self.columns.len()).filter(|i| self.columns[*i].visible).collect();
        // Dropped on either edge of its own place: nothing moves.
        let next_to_itself =
            visible.get(slot) == Some(&from) || slot.checked_sub(1).and_then(|s| visible.get(s)) == Some(&from);
        if next_to_itself {
            return;
        }
        // Where it goes in `columns` once taken out: before the column now at `slot`, or just
        // after the last visible one.
        let after_removal = |i: usize| if i > from { i - 1 } else { i };
        let to = match (visible.get(slot), visible.last()) {
            (Some(before), _) => after_removal(*before),
            (None, Some(last)) => after_removal(*last) + 1,
            (None, None) => return,
        };
        let column = self.columns.remove(from);
        self.columns.insert(to.min(self.columns.len()), column);
    }

    pub fn save_view(&mut self, name: &str, query: &GridQuery) {
        let view = SavedView { name: name.trim().to_owned(), query: query.clone(), columns: self.columns.clone() };
        match self.views.iter_mut().find(|v| v.name == view.name) {
            Some(existing) => *existing = view,
            None => self.views.push(view),
        }
    }
}

/// The heading of a field for people (the export's headers use the same).
pub use crate::api::fields::field_title as column_title;

/// `2024-05-17` in local time. (Plain `format!`: a grid formats dozens of dates a frame, and
/// parsing a strftime pattern each time shows in the frame time.)
pub fn local_date(instant: &crate::api::Timestamp) -> String {
    use chrono::Datelike as _;
    let local = instant.0.with_timezone(&chrono::Local);
    format!("{:04}-{:02}-{:02}", local.year(), local.month(), local.day())
}

/// The text of one cell: dates in local time, notes on one line.
pub fn cell_text(contact: &Contact, field: &str) -> String {
    let text = field_value(contact, field).to_text(local_date).into_owned();
    if field == "Notes" { text.replace('\n', " ") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contact_field_has_a_cell() {
        let contact: Contact = serde_json::from_value(serde_json::json!({
            "Id": 1, "Email": "e@x.example", "FirstName": "F", "LastName": "L", "CrmType": "C", "EmailConfirmed": true,
            "Role": "R", "CreatedDate": "2024-05-17T12:00:00Z", "Address": "A", "City": "Ci", "State": "S", "ZipCode": "Z",
            "Country": "Co", "BillingAddress": "BA", "BillingCity": "BC", "BillingState": "BS", "BillingZipCode": "BZ",
            "BillingCountry": "BCo", "Site": "Si", "Phone": "P", "Status": "St", "Notes": "N", "Type": 2,
            "CustomerTypeName": "CT", "IsDataUsingAllowed": false,
            "CustomCrmGroups": {"Membership": {"Points": 12, "Level": "Gold", "Active": true}}
        }))
        .unwrap();
        for field in FIELDS.iter().map(|spec| spec.name) {
            assert!(!cell_text(&contact, field).is_empty(), "{field}");
        }
        assert_eq!(cell_text(&contact, "CustomCrmGroups.Membership.Points"), "12");
        assert_eq!(cell_text(&contact, "CustomCrmGroups.Membership.Active"), "yes");
        assert_eq!(cell_text(&contact, "CustomCrmGroups.Nope.Nothing"), "");
        assert_eq!(column_title("CustomCrmGroups.Membership.Level"), "Membership: Level");
        for field in FIELDS.iter().map(|spec| spec.name) {
            assert!(!column_title(field).contains("CustomCrmGroups"), "{field} has a title");
        }
    }

    #[test]
    fn a_column_dropped_between_two_others_lands_there() {
        let fields = |layout: &GridLayout| layout.visible().map(|c| c.field.clone()).collect::<Vec<_>>();
        let mut layout = GridLayout::default();
        let before = fields(&layout);
        assert_eq!(before, ["FirstName", "LastName", "Email", "Phone", "City", "Country", "Status", "CreatedDate"]);
        // On its own edges: nothing moves.
        layout.move_column_to_slot("Email", 2);
        layout.move_column_to_slot("Email", 3);
        assert_eq!(fields(&layout), before);
        layout.move_column_to_slot("Email", 0);
        assert_eq!(fields(&layout)[..4], ["Email", "FirstName", "LastName", "Phone"]);
        // After City (the fifth visible column): slot 5.
        layout.move_column_to_slot("Email", 5);
        assert_eq!(fields(&layout)[..6], ["FirstName", "LastName", "Phone", "City", "Email", "Country"]);
        // To the end: after the last visible column, still ahead of the hidden ones.
        layout.move_column_to_slot("FirstName", DEFAULT_COLUMNS.len());
        assert_eq!(fields(&layout).last().map(String::as_str), Some("FirstName"));
        assert_eq!(layout.columns[DEFAULT_COLUMNS.len() - 1].field, "FirstName");
        assert!(!layout.columns[DEFAULT_COLUMNS.len()].visible);
        // A hidden column between visible ones keeps its place among them.
        layout.columns.iter_mut().find(|c| c.field == "Phone").unwrap().visible = false;
        layout.move_column_to_slot("LastName", 3);
        assert_eq!(fields(&layout)[..4], ["City", "Email", "LastName", "Country"]);
        assert_eq!(layout.columns.len(), GridLayout::default().columns.len());
        layout.move_column_to_slot("Nope", 0);
    }

    #[test]
    fn columns_move_and_custom_fields_join_hidden() {
        let mut layout = GridLayout::default();
        assert_eq!(layout.visible().next().unwrap().field, "FirstName");
        layout.move_column("Email", -10);
        assert_eq!(layout.columns[0].field, "Email");
        layout.add_custom_fields(&[("Membership".to_owned(), "Level".to_owned())]);
        layout.add_custom_fields(&[("Membership".to_owned(), "Level".to_owned())]);
        let custom: Vec<_> = layout.columns.iter().filter(|c| crate::api::fields::is_custom(&c.field)).collect();
        assert_eq!(custom.len(), 1);
        assert!(!custom[0].visible);
    }
}
