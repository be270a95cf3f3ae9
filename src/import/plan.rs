//! The dry run's result: every row of the file with what an import would do to the site
//! (create, update with each field's before and after, unchanged, skip, ambiguous, or an error
//! with its reason), its counts and its CSV. [`super::planner`] makes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::{ApiError, Contact, ContactId};
use crate::app::bulk::edit::Edits;

use super::mapping::{MappingProblem, MatchOn};
use super::values::EmptyCells;

/// What an import may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Mode {
    #[default]
    CreateAndUpdate,
    UpdateOnly,
    CreateOnly,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::CreateAndUpdate, Mode::UpdateOnly, Mode::CreateOnly];

    pub fn label(self) -> &'static str {
        match self {
            Mode::CreateAndUpdate => "Create new contacts and update existing ones",
            Mode::UpdateOnly => "Update existing contacts only",
            Mode::CreateOnly => "Create new contacts only",
        }
    }

    pub fn creates(self) -> bool {
        self != Mode::UpdateOnly
    }

    pub fn updates(self) -> bool {
        self != Mode::CreateOnly
    }
}

/// The choices made once for the whole file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOptions {
    pub match_on: MatchOn,
    pub mode: Mode,
    pub empty: EmptyCells,
}

/// One field's value before and after, as people read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field's title ("First name", "Membership: Level").
    pub field: String,
    pub before: String,
    pub after: String,
}

/// What the import would do with one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Planned {
    Create { draft: Box<Contact>, changes: Vec<Change> },
    Update { contact: ContactId, name: String, edits: Edits, changes: Vec<Change> },
    Unchanged { contact: ContactId, name: String },
    Skip(String),
    Ambiguous(String),
    Error(String),
}

/// The outcomes a dry run counts and filters by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutcomeKind {
    Create,
    Update,
    Unchanged,
    Skip,
    Ambiguous,
    Error,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 6] = [
        OutcomeKind::Create,
        OutcomeKind::Update,
        OutcomeKind::Unchanged,
        OutcomeKind::Skip,
        OutcomeKind::Ambiguous,
        OutcomeKind::Error,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OutcomeKind::Create => "create",
            OutcomeKind::Update => "update",
            OutcomeKind::Unchanged => "unchanged",
            OutcomeKind::Skip => "skip",
            OutcomeKind::Ambiguous => "ambiguous",
            OutcomeKind::Error => "error",
        }
    }

    /// Whether an apply sends something for it.
    pub fn sends(self) -> bool {
        matches!(self, OutcomeKind::Create | OutcomeKind::Update)
    }
}

impl Planned {
    pub fn kind(&self) -> OutcomeKind {
        match self {
            Planned::Create { .. } => OutcomeKind::Create,
            Planned::Update { .. } => OutcomeKind::Update,
            Planned::Unchanged { .. } => OutcomeKind::Unchanged,
            Planned::Skip(_) => OutcomeKind::Skip,
            Planned::Ambiguous(_) => OutcomeKind::Ambiguous,
            Planned::Error(_) => OutcomeKind::Error,
        }
    }

    /// The contact it acts on, when it exists.
    pub fn contact(&self) -> Option<ContactId> {
        match self {
            Planned::Update { contact, .. } | Planned::Unchanged { contact, .. } => Some(*contact),
            _ => None,
        }
    }

    pub fn changes(&self) -> &[Change] {
        match self {
            Planned::Create { changes, .. } | Planned::Update { changes, .. } => changes,
            _ => &[],
        }
    }

    /// Why nothing is done, for a skip, an ambiguous row or an error.
    pub fn reason(&self) -> &str {
        match self {
            Planned::Skip(reason) | Planned::Ambiguous(reason) | Planned::Error(reason) => reason,
            _ => "",
        }
    }
}

/// One row of the dry run.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRow {
    /// Where the row is in the file (its line, or its row in the sheet).
    pub line: u64,
    /// The row's email or Id as the file has it.
    pub key: String,
    pub planned: Planned,
}

/// Every row of the file, in the file's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DryRun {
    pub rows: Vec<PlannedRow>,
}

impl DryRun {
    pub fn counts(&self) -> BTreeMap<OutcomeKind, u64> {
        let mut counts: BTreeMap<OutcomeKind, u64> = OutcomeKind::ALL.into_iter().map(|k| (k, 0)).collect();
        for row in &self.rows {
            *counts.entry(row.planned.kind()).or_default() += 1;
        }
        counts
    }

    /// How many rows an apply would send.
    pub fn to_send(&self) -> u64 {
        self.rows.iter().filter(|row| row.planned.kind().sends()).count() as u64
    }

    /// The table as CSV: Line, Key, Outcome, Contact, Changes, Reason (cells a spreadsheet
    /// would run as a formula are neutralised, as in the contact export).
    pub fn write_csv(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use crate::export::neutralise_formula;
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["Line", "Key", "Outcome", "Contact", "Changes", "Reason"])?;
        for row in &self.rows {
            let planned = &row.planned;
            let contact = planned.contact().map(|id| id.to_string()).unwrap_or_default();
            let changes = describe_changes(planned.changes());
            let cells = [&row.key, &changes, planned.reason()].map(|cell| neutralise_formula(cell.into()));
            let line = row.line.to_string();
            writer.write_record([&line, &*cells[0], planned.kind().label(), &contact, &cells[1], &cells[2]])?;
        }
        writer.flush()
    }
}

/// "City: Oslo → Bergen; Notes: vip → (empty)".
pub fn describe_changes(changes: &[Change]) -> String {
    let shown = |value: &str| if value.is_empty() { "(empty)".to_owned() } else { value.to_owned() };
    let parts: Vec<String> =
        changes.iter().map(|c| format!("{}: {} → {}", c.field, shown(&c.before), shown(&c.after))).collect();
    parts.join("; ")
}

/// Why a dry run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DryRunError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    Mapping(Vec<MappingProblem>),
    #[error("The contacts could not be looked up on the site: {0}")]
    Lookup(ApiError),
    #[error("Cancelled.")]
    Cancelled,
}

impl From<ApiError> for DryRunError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Cancelled => DryRunError::Cancelled,
            other => DryRunError::Lookup(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_before_and_after() {
        let changes = vec![
            Change { field: "City".into(), before: "Oslo".into(), after: "Bergen".into() },
            Change { field: "Notes".into(), before: "vip".into(), after: String::new() },
        ];
        assert_eq!(describe_changes(&changes), "City: Oslo → Bergen; Notes: vip → (empty)");
    }
}
