//! Applying a dry run: the rows kept, as one journal batch (undone as one step from History),
//! through the bulk runner for the updates (fresh copies read a page at a time, the edit
//! applied to each, at most eight requests in flight) and the journal's create for the new
//! contacts (a create whose reply is lost is looked up by its email before anything else).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::sync::Arc;

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::api::ContactId;
use crate::app::bulk::report::{BulkOutcome, Tally};
use crate::app::bulk::run::{BulkAction, IN_FLIGHT, apply_to_all};
use crate::app::journal::{Context, Writes};
use crate::app::tasks::Progress;
use crate::app::text::contact_name;

use super::lookup::{contacts_by_email, email_key};
use super::plan::{DryRun, Planned};

/// What an apply did to one row.
#[derive(Clone, Debug, PartialEq)]
pub struct RowResult {
    pub line: u64,
    pub key: String,
    /// "create" or "update".
    pub action: &'static str,
    /// The contact written (for a create, once it exists).
    pub contact: Option<ContactId>,
    pub label: String,
    pub outcome: BulkOutcome,
}

/// The rows an apply took up, in the file's order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    /// The journal's batch: the import's entry in History (and what a retry adds to).
    pub batch: Option<i64>,
    pub rows: Vec<RowResult>,
}

impl ImportReport {
    pub fn tally(&self) -> Tally {
        Tally::of(self.rows.iter().map(|row| &row.outcome))
    }

    /// The lines Retry takes again.
    pub fn to_retry(&self) -> BTreeSet<u64> {
        self.rows.iter().filter(|row| row.outcome.wants_retry()).map(|row| row.line).collect()
    }

    /// A retry's rows replace this report's rows for the same lines.
    pub fn merge(&mut self, retried: ImportReport) {
        let mut by_line: HashMap<u64, RowResult> = retried.rows.into_iter().map(|row| (row.line, row)).collect();
        for row in &mut self.rows {
            if let Some(newer) = by_line.remove(&row.line) {
                *row = newer;
            }
        }
        self.batch = self.batch.or(retried.batch);
    }

    /// The table as CSV: Line, Key, Action, Contact, Outcome, Reason.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        use crate::export::neutralise_formula;
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(["Line", "Key", "Action", "Contact", "Outcome", "Reason"])?;
        for row in &self.rows {
            let contact = row.contact.map(|id| id.to_string()).unwrap_or_default();
            let key = neutralise_formula(row.key.as_str().into());
            let reason = neutralise_formula(row.outcome.reason().into());
            let line = row.line.to_string();
            writer.write_record([&line, &*key, row.action, &contact, row.outcome.label(), &*reason])?;
        }
        writer.flush()
    }
}

/// Applies the rows of `dry_run` whose lines `keep` holds (rows the dry run found nothing to
/// send for are passed over) as journal batch `batch`, or a new one titled `title`.
pub async fn apply(
    writes: &Writes,
    dry_run: &DryRun,
    keep: &BTreeSet<u64>,
    title: &str,
    batch: Option<i64>,
    cancel: &CancellationToken,
    progress: &Progress,
) -> ImportReport {
    let kept: Vec<_> =
        dry_run.rows.iter().filter(|row| keep.contains(&row.line) && row.planned.kind().sends()).collect();
    let batch = match batch {
        Some(batch) => Some(batch),
        None => writes.new_batch(title.to_owned()).await,
    };
    let context = Context { batch, undo_of: None };
    let mut results: BTreeMap<u64, RowResult> = BTreeMap::new();

    // Updates: each contact's own edits, through the bulk runner.
    let mut edits = BTreeMap::new();
    let mut lines_of: HashMap<ContactId, &super::plan::PlannedRow> = HashMap::new();
    for row in &kept {
        if let Planned::Update { contact, edits: row_edits, .. } = &row.planned {
            edits.insert(*contact, row_edits.clone());
            lines_of.insert(*contact, row);
        }
    }
    let ids: Vec<ContactId> = edits.keys().copied().collect();
    if !ids.is_empty() {
        let report =
            apply_to_all(writes, &ids, &BulkAction::EditEach(Arc::new(edits)), context, cancel, progress).await;
        for outcome in report.rows {
            let Some(row) = lines_of.get(&outcome.id) else { continue };
            let label = if outcome.label.is_empty() { planned_name(&row.planned) } else { outcome.label };
            results.insert(
                row.line,
                RowResult {
                    line: row.line,
                    key: row.key.clone(),
                    action: "update",
                    contact: Some(outcome.id),
                    label,
                    outcome: outcome.outcome,
                },
            );
        }
    }

    // Creates: an email that came to the site since the dry run is not created twice.
    // Owned rows: a stream of borrowed ones makes the future fail `Send` (rustc's
    // higher-ranked lifetimes in async closures), and the app spawns it.
    let creates: Vec<super::plan::PlannedRow> =
        kept.iter().filter(|row| matches!(row.planned, Planned::Create { .. })).map(|row| (*row).clone()).collect();
    let total = (ids.len() + creates.len()) as u64;
    let mut done = ids.len() as u64;
    progress.set(done, Some(total));
    let emails: Vec<String> = creates
        .iter()
        .filter_map(
            |row| if let Planned::Create { draft, .. } = &row.planned { Some(draft.email.clone()) } else { None },
        )
        .flat_map(|email| [email_key(&email), email])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let there_now = match contacts_by_email(writes.client(), &emails, cancel, |_, _| {}).await {
        Ok(found) => Ok(found),
        Err(error) => Err(error.to_string()),
    };
    let created = futures::stream::iter(creates)
        .map(|row| {
            let there_now = &there_now;
            async move {
                let Planned::Create { draft, .. } = &row.planned else { return None };
                let label = contact_name(draft);
                let result = |contact, outcome| RowResult {
                    line: row.line,
                    key: row.key.clone(),
                    action: "create",
                    contact,
                    label: label.clone(),
                    outcome,
                };
                if cancel.is_cancelled() {
                    return Some(result(None, BulkOutcome::NotRun));
                }
                let found = match there_now {
                    Err(reason) => {
                        let reason =
                            format!("not created: whether it is on the site already could not be checked ({reason})");
                        return Some(result(None, BulkOutcome::Failed(reason)));
                    }
                    Ok(found) => found.get(&email_key(&draft.email)),
                };
                if let Some(first) = found.and_then(|found| found.first()) {
                    let reason = format!(
                        "not created: contact {} with this email came to the site after the dry run; run it again",
                        first.id
                    );
                    return Some(result(Some(first.id), BulkOutcome::Failed(reason)));
                }
                Some(match writes.create(draft, None, context).await {
                    Ok(contact) => result(Some(contact.id), BulkOutcome::Done),
                    Err(error) => result(None, BulkOutcome::Failed(error.to_string())),
                })
            }
        })
        .buffer_unordered(IN_FLIGHT);
    let mut created = std::pin::pin!(created);
    while let Some(row) = created.next().await {
        done += 1;
        progress.set(done, Some(total));
        if let Some(row) = row {
            results.insert(row.line, row);
        }
    }
    ImportReport { batch, rows: results.into_values().collect() }
}

fn planned_name(planned: &Planned) -> String {
    match planned {
        Planned::Update { name, .. } | Planned::Unchanged { name, .. } => name.clone(),
        Planned::Create { draft, .. } => contact_name(draft),
        _ => String::new(),
    }
}
