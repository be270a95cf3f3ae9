//! The result table of a bulk operation: how it ended for each contact, which ones to try
//! again, and the table as CSV.

use std::io::Write;

use crate::api::ContactId;

/// How a bulk operation ended for one contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkOutcome {
    Done,
    /// The contact already was as asked: nothing was sent.
    Unchanged,
    Failed(String),
    /// Cancelled before its turn: nothing was sent.
    NotRun,
}

impl BulkOutcome {
    pub fn label(&self) -> &str {
        match self {
            BulkOutcome::Done => "done",
            BulkOutcome::Unchanged => "skipped unchanged",
            BulkOutcome::Failed(_) => "failed",
            BulkOutcome::NotRun => "not run (cancelled)",
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            BulkOutcome::Failed(reason) => reason,
            _ => "",
        }
    }

    /// Whether Retry takes it again.
    pub fn wants_retry(&self) -> bool {
        matches!(self, BulkOutcome::Failed(_) | BulkOutcome::NotRun)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContactOutcome {
    pub id: ContactId,
    /// Who it is (name or email), when the contact was read.
    pub label: String,
    pub outcome: BulkOutcome,
}

/// Counts by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub not_run: u64,
}

impl Tally {
    /// Counts `outcomes` by kind.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a BulkOutcome>) -> Self {
        let mut tally = Tally::default();
        for outcome in outcomes {
            match outcome {
                BulkOutcome::Done => tally.done += 1,
                BulkOutcome::Unchanged => tally.unchanged += 1,
                BulkOutcome::Failed(_) => tally.failed += 1,
                BulkOutcome::NotRun => tally.not_run += 1,
            }
        }
        tally
    }
}

/// The outcome of every contact, in the order they were taken up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkReport {
    pub rows: Vec<ContactOutcome>,
}

impl BulkReport {
    pub fn tally(&self) -> Tally {
        Tally::of(self.rows.iter().map(|row| &row.outcome))
    }

    /// The contacts Retry takes again.
    pub fn to_retry(&self) -> Vec<ContactId> {
        self.rows.iter().filter(|row| row.outcome.wants_retry()).map(|row| row.id).collect()
    }

    /// Names the rows whose contact could not be read (or was not run) from `names`: the
    /// table names every contact the listing showed, not only its Id.
    pub fn name_unnamed(&mut self, names: &std::collections::HashMap<ContactId, String>) {
        for row in self.rows.iter_mut().filter(|row| row.label.is_empty()) {
            if let Some(name) = names.get(&row.id) {
                row.label.clone_from(name);
            }
        }
    }

    /// A retry's rows replace this report's rows for the same contacts (keeping the name
    /// known from before when the retry could not read the contact).
    pub fn merge(&mut self, retried: BulkReport) {
        let mut by_id: std::collections::HashMap<ContactId, ContactOutcome> =
            retried.rows.into_iter().map(|row| (row.id, row)).collect();
        for row in &mut self.rows {
            if let Some(mut newer) = by_id.remove(&row.id) {
                if newer.label.is_empty() {
                    newer.label = std::mem::take(&mut row.label);
                }
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

/// Why the result table was not saved (no partial file is left).
#[derive(Debug, thiserror::Error)]
pub enum ResultsNotSaved {
    #[error("{}: {source}", path.display())]
    File { path: std::path::PathBuf, source: std::io::Error },
    /// The blocking task that wrote it stopped.
    #[error(transparent)]
    Stopped(#[from] tokio::task::JoinError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: ContactId, outcome: BulkOutcome) -> ContactOutcome {
        ContactOutcome { id, label: format!("C{id}"), outcome }
    }

    #[test]
    fn a_retry_replaces_the_rows_it_took_again() {
        let mut report = BulkReport {
            rows: vec![
                row(1, BulkOutcome::Done),
                row(2, BulkOutcome::Failed("503".into())),
                row(3, BulkOutcome::NotRun),
            ],
        };
        assert_eq!(report.to_retry(), [2, 3]);
        report.merge(BulkReport { rows: vec![row(3, BulkOutcome::Unchanged), row(2, BulkOutcome::Done)] });
        assert_eq!(report.tally(), Tally { done: 2, unchanged: 1, failed: 0, not_run: 0 });
        assert!(report.to_retry().is_empty());
    }

    #[test]
    fn a_retry_that_could_not_read_a_contact_keeps_its_name() {
        let mut report = BulkReport { rows: vec![row(7, BulkOutcome::Failed("503".into()))] };
        let unread = ContactOutcome { id: 7, label: String::new(), outcome: BulkOutcome::Failed("502".into()) };
        report.merge(BulkReport { rows: vec![unread] });
        assert_eq!(report.rows[0].label, "C7");
        assert_eq!(report.rows[0].outcome, BulkOutcome::Failed("502".into()));
    }

    #[test]
    fn rows_not_read_are_named_from_the_listing() {
        let mut report = BulkReport {
            rows: vec![
                ContactOutcome { id: 1, label: String::new(), outcome: BulkOutcome::NotRun },
                ContactOutcome { id: 2, label: "Read".into(), outcome: BulkOutcome::Done },
            ],
        };
        let names = [(1, "Ann Lee".to_owned()), (2, "Listed".to_owned())].into_iter().collect();
        report.name_unnamed(&names);
        assert_eq!(report.rows[0].label, "Ann Lee");
        assert_eq!(report.rows[1].label, "Read", "a name read with the contact stays");
    }

    #[test]
    fn the_table_exports_as_csv_with_reasons() {
        let report = BulkReport {
            rows: vec![row(1, BulkOutcome::Done), row(2, BulkOutcome::Failed("=cmd, then \"x\"".into()))],
        };
        let mut out = Vec::new();
        report.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().next(), Some("Id,Contact,Outcome,Reason"));
        assert!(text.contains("1,C1,done,\n"));
        assert!(text.contains("2,C2,failed,\"'=cmd, then \"\"x\"\"\""), "{text}");
    }
}
