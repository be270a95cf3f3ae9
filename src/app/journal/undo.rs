//! Undoing what the journal recorded, through the same write path (so an undo is journaled
//! too, and can itself be undone). A write is undone only if the site still holds what it
//! wrote: a contact changed since is left alone and said so. A single save is undone in the
//! editor instead (its conflict check shows the three-way view); here are deletes, zone
//! changes, and every write of a bulk operation as one step.

use futures::StreamExt as _;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Contact, SecureZone};
use crate::app::contact::save::changed_fields;
use crate::app::tasks::Progress;

use super::writes::deleted_copy;
use super::{Context, Entry, Filter, JournalOutcome, Operation, Writes};

/// Undos in flight at once in a bulk undo (the site's own limit on parallel writes).
const IN_FLIGHT: usize = 8;

/// How one undo ended, for the report.
#[derive(Clone, Debug, PartialEq)]
pub enum Undone {
    Done(String),
    /// Not undone, on purpose: why.
    Skipped(String),
    Failed(String),
}

/// What an undo did, a line per contact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UndoReport {
    pub title: String,
    pub lines: Vec<(String, Undone)>,
    pub cancelled: bool,
}

impl UndoReport {
    pub fn count(&self, wanted: fn(&Undone) -> bool) -> usize {
        self.lines.iter().filter(|(_, undone)| wanted(undone)).count()
    }
}

fn parse<T: serde::de::DeserializeOwned>(value: &Option<Value>) -> Option<T> {
    value.clone().and_then(|v| serde_json::from_value(v).ok())
}

/// Undoes one entry (not a single save: the editor does that). `context.undo_of` is set
/// to the entry.
pub async fn undo_entry(writes: &Writes, entry: &Entry, batch: Option<i64>) -> Undone {
    let context = Context { batch, undo_of: Some(entry.id) };
    if entry.outcome != JournalOutcome::Done {
        return Undone::Skipped("it was not done, so there is nothing to undo".to_owned());
    }
    let result = match entry.operation {
        Operation::Save => undo_save(writes, entry, context).await,
        Operation::Delete => undo_delete(writes, entry, context).await,
        Operation::Zones => undo_zones(writes, entry, context).await,
        Operation::Create => undo_create(writes, entry, context).await,
        Operation::Password | Operation::Other => {
            Ok(Undone::Skipped("a password cannot be put back: set a new one instead".to_owned()))
        }
    };
    result.unwrap_or_else(|error| Undone::Failed(error.to_string()))
}

/// Puts the before-copy back, if the site still holds what the save wrote.
async fn undo_save(writes: &Writes, entry: &Entry, context: Context) -> Result<Undone, ApiError> {
    let (Some(before), Some(after)) = (parse::<Contact>(&entry.before), parse::<Contact>(&entry.after)) else {
        return Ok(Undone::Skipped("the journal has no copy to put back".to_owned()));
    };
    let now = writes.client().get_contact(before.id).await?;
    if !changed_fields(&after, &now).is_empty() {
        return Ok(Undone::Skipped("changed on the site since; open it to compare".to_owned()));
    }
    writes.update(&now, &before, context).await?;
    Ok(Undone::Done("put back as it was".to_owned()))
}

/// Re-creates a deleted contact from its last copy, with its custom values and zones. Its
/// Id, bookings, cases, orders and password cannot come back.
pub async fn undo_delete(writes: &Writes, entry: &Entry, context: Context) -> Result<Undone, ApiError> {
    let Some((contact, zones)) = entry.before.as_ref().and_then(deleted_copy) else {
        return Ok(Undone::Skipped("the journal has no copy to re-create it from".to_owned()));
    };
    let created = writes.create(&contact, None, context).await?;
    if !zones.is_empty() {
        writes.set_zones(created.id, &entry.label, &[], &zones, context).await?;
    }
    Ok(Undone::Done(format!(
        "re-created as contact {} (it was {}); its bookings, cases, orders and password do not come back",
        created.id, contact.id
    )))
}

/// Sends the zones as they were, if the site still has the list the change left.
async fn undo_zones(writes: &Writes, entry: &Entry, context: Context) -> Result<Undone, ApiError> {
    let (Some(before), Some(after), Some(contact)) =
        (parse::<Vec<SecureZone>>(&entry.before), parse::<Vec<SecureZone>>(&entry.after), entry.contact)
    else {
        return Ok(Undone::Skipped("the journal has no list to put back".to_owned()));
    };
    let now = writes.client().all_secure_zones(contact).await?;
    if zone_key(&now) != zone_key(&after) {
        return Ok(Undone::Skipped("its zones changed on the site since".to_owned()));
    }
    writes.set_zones(contact, &entry.label, &now, &before, context).await?;
    Ok(Undone::Done("zones put back as they were".to_owned()))
}

/// Deletes a contact the app created, if it is still as created.
async fn undo_create(writes: &Writes, entry: &Entry, context: Context) -> Result<Undone, ApiError> {
    let (Some(created), Some(id)) = (parse::<Contact>(&entry.after), entry.contact) else {
        return Ok(Undone::Skipped("the journal does not say which contact it created".to_owned()));
    };
    let now = match writes.client().get_contact(id).await {
        Ok(now) => now,
        Err(ApiError::NotFound { .. }) => return Ok(Undone::Skipped("it is gone already".to_owned())),
        Err(error) => return Err(error),
    };
    if !changed_fields(&created, &now).is_empty() {
        return Ok(Undone::Skipped("changed on the site since; delete it yourself if it should go".to_owned()));
    }
    writes.delete(id, context).await?;
    Ok(Undone::Done("deleted again".to_owned()))
}

/// (id, expiry) of each zone, sorted: two lists alike have the same key.
pub fn zone_key(zones: &[SecureZone]) -> Vec<(i64, Option<i64>)> {
    let mut key: Vec<(i64, Option<i64>)> =
        zones.iter().map(|z| (z.id, z.expiry_date_time.map(|e| e.millis()))).collect();
    key.sort_unstable();
    key
}

/// Undoes every write of bulk operation `batch` as one step (itself one bulk operation),
/// newest first, a few at a time, with progress; stops starting more when cancelled.
pub async fn undo_batch(writes: &Writes, batch: i64, cancel: &CancellationToken, progress: &Progress) -> UndoReport {
    let Some(journal) = writes.journal() else {
        return UndoReport { title: "Undo".to_owned(), ..UndoReport::default() };
    };
    let read = journal
        .off_thread(move |j| {
            let title = j.batch_title(batch)?.unwrap_or_else(|| format!("bulk operation {batch}"));
            let entries = j.entries(&Filter { batch: Some(batch), ..Filter::default() }, u32::MAX)?;
            let undo = j.new_batch(&format!("Undo: {title}"))?;
            Ok((title, entries, undo))
        })
        .await;
    let (title, entries, undo) = match read {
        Ok(read) => read,
        Err(error) => {
            return UndoReport {
                title: "Undo".to_owned(),
                lines: vec![(String::new(), Undone::Failed(error.to_string()))],
                cancelled: false,
            };
        }
    };
    // What the operation did, not the undos within it.
    let entries: Vec<Entry> =
        entries.into_iter().filter(|e| e.outcome == JournalOutcome::Done && e.undo_of.is_none()).collect();
    let total = entries.len() as u64;
    progress.set(0, Some(total));
    let mut lines = Vec::with_capacity(entries.len());
    // Each undo owns what it uses (the task that runs them must be free of borrows).
    let stop = cancel.clone();
    let undos = entries.into_iter().take_while(move |_| !stop.is_cancelled()).map(|entry| {
        let writes = writes.clone();
        async move { (entry.label.clone(), undo_entry(&writes, &entry, Some(undo)).await) }
    });
    let mut undos = futures::stream::iter(undos).buffer_unordered(IN_FLIGHT);
    // Cancel starts no more; those in flight finish, so that none is left half-known.
    while let Some(line) = undos.next().await {
        lines.push(line);
        progress.set(lines.len() as u64, Some(total));
    }
    drop(undos);
    UndoReport { title: format!("Undo: {title}"), cancelled: cancel.is_cancelled(), lines }
}
