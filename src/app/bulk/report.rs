//! The result table of a bulk operation: how it ended for each contact, which ones to try
//! again, and the table as CSV.

use std::io::Write;

use crate::api::ContactId;

/// How a bulk operation ended for one contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The contact already was as asked: nothing was sent.
    Unchanged,
    Failed(String),
    /// Cancelled before its turn: nothing was sent.
    NotRun,
}

impl Outcome {
    pub fn label(&self) -> &str {
        match self {
            Outcome::Done => "done",
            Outcome::Unchanged => "skipped unchanged",
            Outcome::Failed(_) => "failed",
            Outcome::NotRun => "not run (cancelled)",
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Outcome::Failed(reason) => reason,
            _ => "",
        }
    }

    /// Whether Retry takes it again.
    pub fn wants_retry(&self) -> bool {
        matches!(self, Outcome::Failed(_) | Outcome::NotRun)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContactOutcome {
    pub id: ContactId,
    /// Who it is (name or email), when the contact was read.
    pub label: String,
    pub outcome: Outcome,
}

/// Counts by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub not_run: u64,
}

/// The outcome of every contact, in the order they were taken up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkReport {
    pub rows: Vec<ContactOutcome>,
}

impl BulkReport {
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for row in &self.rows {
            match row.outcome {
                Outcome::Done => tally.done += 1,
                Outcome::Unchanged => tally.unchanged += 1,
                Outcome::Failed(_) => tally.failed += 1,
                Outcome::NotRun => tally.not_run += 1,
            }
        }
        tally
    }

    /// The contacts Retry takes again.
    pub fn to_retry(&self) -> Vec<ContactId> {
        self.rows.iter().filter(|row| row.outcome.wants_retry()).map(|row| row.id).collect()
    }

    /// A retry's rows replace this report's rows for the same contacts.
    pub fn merge(&mut self, retried: BulkReport) {
        let mut by_id: std::collections::HashMap<ContactId, ContactOutcome> =
            retried.rows.into_iter().map(|row| (row.id, row)).collect();
        for row in &mut self.rows {
            if let Some(newer) = by_id.remove(&row.id) {
                *row = newer;
            }
        }
        self.rows.extend(by_id.into_values());
    }

    /// The table as CSV: Id, Contact, Outcome, Reason (cells that a spreadsheet would run as a
    /// formula are neutralised, as in the contact export).
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        use crate::export::neutralise_formula;
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["Id", "Contact", "Outcome", "Reason"])?;
        for row in &self.rows {
            let label = neutralise_formula(row.label.as_str().into());
            let reason = neutralise_formula(row.outcome.reason().into());
            writer.write_record([row.id.to_string().as_str(), &label, row.outcome.label(), &reason])?;
        }
        writer.flush()
    }

    /// Writes the table to `path`, all or nothing.
    pub fn save_csv(&self, path: &std::path::Path) -> std::io::Result<()> {
        let mut file = crate::export::AtomicFile::create(path)?;
        self.write_csv(std::io::BufWriter::new(file.file_mut()))?;
        file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: ContactId, outcome: Outcome) -> ContactOutcome {
        ContactOutcome { id, label: format!("C{id}"), outcome }
    }

    #[test]
    fn a_retry_replaces_the_rows_it_took_again() {
        let mut report = BulkReport {
            rows: vec![row(1, Outcome::Done), row(2, Outcome::Failed("503".into())), row(3, Outcome::NotRun)],
        };
        assert_eq!(report.to_retry(), [2, 3]);
        report.merge(BulkReport { rows: vec![row(3, Outcome::Unchanged), row(2, Outcome::Done)] });
        assert_eq!(report.tally(), Tally { done: 2, unchanged: 1, failed: 0, not_run: 0 });
        assert!(report.to_retry().is_empty());
    }

    #[test]
    fn the_table_exports_as_csv_with_reasons() {
        let report =
            BulkReport { rows: vec![row(1, Outcome::Done), row(2, Outcome::Failed("=cmd, then \"x\"".into()))] };
        let mut out = Vec::new();
        report.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().next(), Some("Id,Contact,Outcome,Reason"));
        assert!(text.contains("1,C1,done,\n"));
        assert!(text.contains("2,C2,failed,\"'=cmd, then \"\"x\"\"\""), "{text}");
    }
}
