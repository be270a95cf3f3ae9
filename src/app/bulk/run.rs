//! Carrying out a bulk operation: the selection resolved to ids, one journal batch, then a
//! read-modify-write per contact with a bounded number in flight. A contact that fails never
//! stops the others; each ends with its own outcome.

use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use std::collections::HashMap;
use std::sync::Mutex;

use crate::api::paging::{PageSource, PagingOptions};
use crate::api::selection::resolve_confirmed_ids;
use crate::api::{ApiError, Contact, ContactId, ContactScope, ListQuery, Page, ReadClient};
use crate::api::{Confirmed, Distrust};
use crate::app::journal::{Context, Writes};
use crate::app::tasks::Progress;
use crate::app::text::contact_name;

use super::edit::Edits;
use super::report::{BulkOutcome, BulkReport, ContactOutcome};
use super::zones::ZoneAction;

/// Contacts worked on at once. Each does its requests one after another, so this is also
/// the most requests in flight (the sandbox's and a site's limits are not ours to find out).
pub const IN_FLIGHT: usize = 8;

/// What a bulk operation does to each contact.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkAction {
    Edit(Edits),
    Zones(ZoneAction),
    /// STUB (the runner branch brings the real one): each contact's own edits.
    EditEach(std::sync::Arc<std::collections::BTreeMap<ContactId, Edits>>),
}

impl BulkAction {
    /// For the journal's batch and the dialog.
    pub fn title(&self, count: u64) -> String {
        let what = crate::app::text::contacts(count);
        match self {
            BulkAction::Edit(edits) => format!("Bulk edit of {what}: {}", edits.summary()),
            BulkAction::Zones(action) => format!("{} for {what}", action.summary()),
            BulkAction::EditEach(_) => format!("Update of {what}"),
        }
    }
}

/// The contacts a bulk operation acts on: a frozen selection, or the ids of a retry.
#[derive(Clone, Debug, PartialEq)]
pub enum Targets {
    Scope(ContactScope),
    Ids(Vec<ContactId>),
}

/// Why a bulk operation did not start.
#[derive(Debug)]
pub enum NotStarted {
    Cancelled,
    Failed(ApiError),
    /// More contacts matched than the user confirmed: nothing was written.
    Grew {
        found: u64,
    },
}

/// Contacts listed through a client, each one's name kept on the way: a contact whose own
/// read fails later is still named in the result table, at no extra request.
struct NamingSource<'a> {
    client: &'a ReadClient,
    names: Mutex<HashMap<ContactId, String>>,
}

impl PageSource<Contact> for NamingSource<'_> {
    async fn fetch_page(&self, query: ListQuery) -> Result<Page<Contact>, ApiError> {
        let page = self.client.list_contacts(&query).await?;
        if let Ok(mut names) = self.names.lock() {
            names.extend(page.items.iter().map(|contact| (contact.id, contact_name(contact))));
        }
        Ok(page)
    }

    fn throttle_events(&self) -> u64 {
        self.client.throttle_events()
    }
}

/// The contacts a run takes up, and the names of those the listing showed.
#[derive(Debug, Default)]
pub struct Resolved {
    pub ids: Vec<ContactId>,
    pub names: HashMap<ContactId, String>,
}

/// The ids of `targets` (exactly the `confirmed` number of them, through the client's checks),
/// with the names the listing gave.
pub async fn resolve(
    writes: &Writes,
    targets: &Targets,
    confirmed: Confirmed,
    cancel: &CancellationToken,
) -> Result<Resolved, NotStarted> {
    let scope = match targets {
        Targets::Ids(ids) => return Ok(Resolved { ids: ids.clone(), names: HashMap::new() }),
        Targets::Scope(scope) => scope,
    };
    let source = NamingSource { client: writes.client(), names: Mutex::default() };
    let listed = resolve_confirmed_ids(
        &source,
        scope,
        confirmed,
        &PagingOptions::for_site(writes.client().dialect()),
        cancel,
        |_, _| {},
    )
    .await;
    let names = source.names.into_inner().unwrap_or_default();
    match listed {
        Ok(ids) => Ok(Resolved { ids, names }),
        Err(ApiError::Untrusted(Distrust::CountChanged { found, .. })) if found > confirmed.count => {
            Err(NotStarted::Grew { found })
        }
        Err(ApiError::Cancelled) => Err(NotStarted::Cancelled),
        Err(error) => Err(NotStarted::Failed(error)),
    }
}

/// Resolves `targets`, opens a batch and applies `action` to every contact.
pub async fn run_bulk(
    writes: &Writes,
    targets: &Targets,
    confirmed: u64,
    action: &BulkAction,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<(Option<i64>, BulkReport), NotStarted> {
    run_bulk_confirmed(writes, targets, Confirmed::count(confirmed), action, cancel, progress).await
}

/// [`run_bulk`], with what the user confirmed (a typed count for a filter the client cannot
/// check).
pub async fn run_bulk_confirmed(
    writes: &Writes,
    targets: &Targets,
    confirmed: Confirmed,
    action: &BulkAction,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<(Option<i64>, BulkReport), NotStarted> {
    let Resolved { ids, names } = resolve(writes, targets, confirmed, cancel).await?;
    let batch = writes.new_batch(action.title(ids.len() as u64)).await;
    let mut report = apply_to_all(writes, &ids, action, Context { batch, undo_of: None }, cancel, progress).await;
    report.name_unnamed(&names);
    Ok((batch, report))
}

/// Applies `action` to each of `ids`, at most [`IN_FLIGHT`] at once. Once `cancel` fires no
/// contact is started, and those already started finish (a write stopped half-way might
/// have happened without being counted).
pub async fn apply_to_all(
    writes: &Writes,
    ids: &[ContactId],
    action: &BulkAction,
    context: Context,
    cancel: &CancellationToken,
    progress: &Progress,
) -> BulkReport {
    let total = ids.len() as u64;
    progress.set(0, Some(total));
    let mut finished = 0;
    let mut rows: Vec<ContactOutcome> = futures::stream::iter(ids.iter().copied())
        .map(|id| async move {
            if cancel.is_cancelled() {
                return ContactOutcome { id, label: String::new(), outcome: BulkOutcome::NotRun };
            }
            apply_to_one(writes, id, action, context).await
        })
        .buffer_unordered(IN_FLIGHT)
        .inspect(|_| {
            finished += 1;
            progress.set(finished, Some(total));
        })
        .collect()
        .await;
    // The table in the selection's order, whatever order they finished in.
    let order: std::collections::HashMap<ContactId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| order.get(&row.id).copied().unwrap_or(usize::MAX));
    BulkReport { rows }
}

/// Read, modify, write one contact: the fresh copy with the change applied, sent whole; not
/// sent when the change changes nothing.
pub async fn apply_to_one(writes: &Writes, id: ContactId, action: &BulkAction, context: Context) -> ContactOutcome {
    let fresh = match writes.client().get_contact(id).await {
        Ok(fresh) => fresh,
        Err(error) => return ContactOutcome { id, label: String::new(), outcome: failed(&error) },
    };
    let label = contact_name(&fresh);
    let outcome = match action {
        BulkAction::Edit(edits) => match edits.apply(&fresh) {
            Err(refused) => BulkOutcome::Failed(refused.to_string()),
            Ok(edited) if edits.differences(&fresh, &edited).is_empty() => BulkOutcome::Unchanged,
            Ok(edited) => match writes.update(&fresh, &edited, context).await {
                Ok(_) => BulkOutcome::Done,
                Err(error) => failed(&error),
            },
        },
        BulkAction::EditEach(each) => match each.get(&id) {
            None => BulkOutcome::Unchanged,
            Some(edits) => match edits.apply(&fresh) {
                Err(refused) => BulkOutcome::Failed(refused.to_string()),
                Ok(edited) if edits.differences(&fresh, &edited).is_empty() => BulkOutcome::Unchanged,
                Ok(edited) => match writes.update(&fresh, &edited, context).await {
                    Ok(_) => BulkOutcome::Done,
                    Err(error) => failed(&error),
                },
            },
        },
        BulkAction::Zones(zones) => match writes.client().all_secure_zones(id).await {
            Err(error) => failed(&error),
            Ok(current) => {
                let wanted = zones.wanted(&current);
                if wanted == current {
                    BulkOutcome::Unchanged
                } else {
                    match writes.set_zones(id, &label, &current, &wanted, context).await {
                        Ok(_) => BulkOutcome::Done,
                        Err(error) => failed(&error),
                    }
                }
            }
        },
    };
    ContactOutcome { id, label, outcome }
}

fn failed(error: &ApiError) -> BulkOutcome {
    BulkOutcome::Failed(error.to_string())
}
