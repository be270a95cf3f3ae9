//! The change journal: every write the app makes to a site, recorded in a local SQLite file
//! per site (the time, the operation, the contact, the copy before, what was sent, the copy
//! after as the site returned it, and how it ended). [`Writes`] is the one path writes take;
//! [`settle`] completes what a crash left pending; the History panel reads it back.

pub mod diff;
mod settle;
mod store;
pub mod undo;
mod writes;

use serde::Serialize;
use serde_json::Value;

use crate::api::{ContactId, Timestamp};

pub use settle::{settle_pending, tidy};
pub use store::{Journal, JournalError, JournalResult};
pub use writes::{Context, Writes, deleted_copy};

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Save,
    Delete,
    Zones,
    /// A password was set: the fact only, never the password.
    Password,
    /// Written by a newer version of the app.
    Other,
}

impl Operation {
    pub const ALL: [Operation; 5] =
        [Operation::Create, Operation::Save, Operation::Delete, Operation::Zones, Operation::Password];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Save => "save",
            Operation::Delete => "delete",
            Operation::Zones => "zones",
            Operation::Password => "password",
            Operation::Other => "other",
        }
    }

    fn parse(text: &str) -> Self {
        Self::ALL.into_iter().find(|op| op.as_str() == text).unwrap_or(Operation::Other)
    }

    /// "Saved", "Deleted", for the History panel.
    /// The change as a noun, for "Undo save of Isla Ngata".
    pub fn noun(self) -> &'static str {
        match self {
            Operation::Create => "creation",
            Operation::Save => "save",
            Operation::Delete => "delete",
            Operation::Zones => "zone change",
            Operation::Password => "password change",
            Operation::Other => "change",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Operation::Create => "Created",
            Operation::Save => "Saved",
            Operation::Delete => "Deleted",
            Operation::Zones => "Secure zones changed",
            Operation::Password => "Password set",
            Operation::Other => "Changed",
        }
    }
}

/// How a write ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JournalOutcome {
    /// Sent (or about to be) and not heard back: the app stopped in between.
    Pending,
    Done,
    Failed,
    /// The connection failed after it went out: the site may or may not have done it.
    Unknown,
}

impl JournalOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalOutcome::Pending => "pending",
            JournalOutcome::Done => "done",
            JournalOutcome::Failed => "failed",
            JournalOutcome::Unknown => "unknown",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "done" => JournalOutcome::Done,
            "failed" => JournalOutcome::Failed,
            "pending" => JournalOutcome::Pending,
            _ => JournalOutcome::Unknown,
        }
    }
}

/// A write about to be sent.
#[derive(Clone, Debug)]
pub struct Intent {
    pub operation: Operation,
    pub contact: Option<ContactId>,
    /// Who it is about, as people read it (a name or an email).
    pub label: String,
    pub before: Option<Value>,
    pub sent: Option<Value>,
    pub batch: Option<i64>,
    pub undo_of: Option<i64>,
}

impl Intent {
    pub fn new(operation: Operation, contact: Option<ContactId>, label: impl Into<String>) -> Self {
        Self { operation, contact, label: label.into(), before: None, sent: None, batch: None, undo_of: None }
    }
}

/// One write as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: Option<Timestamp>,
    pub operation: Operation,
    pub contact: Option<ContactId>,
    pub label: String,
    pub before: Option<Value>,
    pub sent: Option<Value>,
    pub after: Option<Value>,
    pub outcome: JournalOutcome,
    pub detail: Option<String>,
    pub batch: Option<i64>,
    pub undo_of: Option<i64>,
    /// The entry that undid this one, once an undo of it was done.
    pub undone_by: Option<i64>,
}

/// One bulk operation as the History panel lists it: a line that opens to its contacts.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchSummary {
    pub id: i64,
    pub at: Option<Timestamp>,
    pub title: String,
    /// Writes in it (matching the panel's filter), and how they ended.
    pub writes: u64,
    pub done: u64,
    pub failed: u64,
    /// Writes of it undone since.
    pub undone: u64,
    /// Writes in it that are themselves undos (an undo of a bulk operation).
    pub undos: u64,
}

impl BatchSummary {
    /// Whether an Undo of the whole operation has anything left to do.
    pub fn can_undo(&self) -> bool {
        self.undos == 0 && self.done > self.undone
    }
}

/// A line of the History panel.
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryItem {
    Entry(Entry),
    Batch(BatchSummary),
}

impl HistoryItem {
    /// Whether Undo has something to do: a change that was done, not undone since, and not
    /// itself an undo (nor a password, which cannot be put back).
    pub fn can_undo(&self) -> bool {
        match self {
            HistoryItem::Entry(entry) => {
                entry.outcome == JournalOutcome::Done
                    && entry.undone_by.is_none()
                    && entry.undo_of.is_none()
                    && !matches!(entry.operation, Operation::Password | Operation::Other)
            }
            HistoryItem::Batch(batch) => batch.can_undo(),
        }
    }

    /// What Edit > Undo says it undoes: "save of Isla Ngata".
    pub fn undo_name(&self) -> String {
        match self {
            HistoryItem::Entry(entry) => format!("{} of {}", entry.operation.noun(), entry.label),
            HistoryItem::Batch(batch) => {
                let mut title = batch.title.clone();
                if let Some(first) = title.get(..1) {
                    title = format!("{}{}", first.to_lowercase(), &title[1..]);
                }
                title
            }
        }
    }

    pub fn at(&self) -> Option<Timestamp> {
        match self {
            HistoryItem::Entry(entry) => entry.at,
            HistoryItem::Batch(batch) => batch.at,
        }
    }
}

/// What [`Journal::forget`](store::Journal::forget) removed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forgotten {
    /// The contacts (by id) the email belonged to.
    pub contacts: Vec<ContactId>,
    pub entries: usize,
}

/// What the History panel narrows the entries to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub contact: Option<ContactId>,
    pub operation: Option<Operation>,
    pub batch: Option<i64>,
    /// Part of the name or email.
    pub text: String,
}
