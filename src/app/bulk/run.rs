//! Carrying out a bulk operation: the selection resolved to ids, one journal batch, then a
//! read-modify-write per contact with a bounded number of requests in flight, the fresh
//! copies read a page at a time. A contact that fails never stops the others; each ends with
//! its own outcome.

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::api::paging::{PageSource, PagingOptions};
use crate::api::selection::resolve_confirmed_ids;
use crate::api::{ApiError, Contact, ContactId, ContactScope, ListQuery, Page, ReadClient};
use crate::api::{Confirmed, Distrust};
use crate::app::journal::{Context, Writes};
use crate::app::tasks::Progress;
use crate::app::text::contact_name;

use super::edit::Edits;
use super::fresh;
use super::report::{BulkOutcome, BulkReport, ContactOutcome};
use super::zones::ZoneAction;

/// Page reads and contacts under way at once. Each does its requests one after another, so
/// this is also the most requests in flight (the sandbox's and a site's limits are not ours
/// to find out).
pub const IN_FLIGHT: usize = 8;

/// What a bulk operation does to each contact.
#[derive(Clone, Debug, PartialEq)]
pub enum BulkAction {
    /// The same edits for every contact.
    Edit(Edits),
    /// Each contact's own edits (an import's updates); a contact without an entry is left
    /// as it is.
    EditEach(Arc<BTreeMap<ContactId, Edits>>),
    Zones(ZoneAction),
}

impl BulkAction {
    /// For the journal's batch and the dialog.
    pub fn title(&self, count: u64) -> String {
        let what = crate::app::text::contacts(count);
        match self {
            BulkAction::Edit(edits) => format!("Bulk edit of {what}: {}", edits.summary()),
            BulkAction::EditEach(_) => format!("Update of {what}"),
            BulkAction::Zones(action) => format!("{} for {what}", action.summary()),
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

/// Applies `action` to each of `ids`, with at most [`IN_FLIGHT`] requests in flight. The
/// fresh copies are read a page at a time ([`fresh`]) right before that page's contacts start
/// (the next page's read overlapping the last writes of the one before), or with a GET each
/// where the site does not honour `$in`, where a page read fails, and for a contact missing
/// from its page. Once `cancel` fires no contact (and no page read) is started, and those
/// already started finish (a write stopped half-way might have happened without being
/// counted). The report is in the order of `ids`.
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
    let page_size = fresh::page_size(writes.client().dialect());
    let mut pages = ids.chunks(page_size.unwrap_or(IN_FLIGHT).max(1));
    // Contacts whose turn has come, with their copy from a page read (`None`: read it alone).
    let mut ready: VecDeque<(ContactId, Option<Contact>)> = VecDeque::new();
    // Page reads and contacts under way: each has at most one request in flight at a time.
    let mut running: FuturesUnordered<BoxFuture<'_, Step<'_>>> = FuturesUnordered::new();
    let mut reading = false;
    let mut rows = Vec::with_capacity(ids.len());
    loop {
        while running.len() < IN_FLIGHT && !cancel.is_cancelled() {
            if let Some((id, copy)) = ready.pop_front() {
                running.push(Box::pin(async move {
                    Step::Finished(apply_to_copy(writes, id, copy, action, context).await)
                }));
            } else if reading {
                break;
            } else if let Some(page) = pages.next() {
                if page_size.is_some() {
                    reading = true;
                    running.push(Box::pin(async move {
                        Step::Read(page, fresh::read_page(writes.client(), page, cancel).await)
                    }));
                } else {
                    ready.extend(page.iter().map(|id| (*id, None)));
                }
            } else {
                break;
            }
        }
        let Some(step) = running.next().await else { break };
        match step {
            Step::Read(page, copies) => {
                reading = false;
                let mut copies = copies.unwrap_or_else(|error| {
                    tracing::debug!(%error, contacts = page.len(), "page read failed: a GET per contact");
                    HashMap::new()
                });
                ready.extend(page.iter().map(|id| (*id, copies.remove(id))));
            }
            Step::Finished(row) => {
                rows.push(row);
                progress.set(rows.len() as u64, Some(total));
            }
        }
    }
    // Cancelled: what never started.
    let not_run = ready.into_iter().map(|(id, _)| id).chain(pages.flatten().copied());
    rows.extend(not_run.map(|id| ContactOutcome { id, label: String::new(), outcome: BulkOutcome::NotRun }));
    progress.set(rows.len() as u64, Some(total));
    // The table in the selection's order, whatever order they finished in.
    let order: HashMap<ContactId, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|row| order.get(&row.id).copied().unwrap_or(usize::MAX));
    BulkReport { rows }
}

/// What finished among the work under way.
enum Step<'a> {
    /// A page's copies were read (or not), for these ids.
    Read(&'a [ContactId], Result<HashMap<ContactId, Contact>, ApiError>),
    Finished(ContactOutcome),
}

/// [`apply_to_fresh`] on `copy` when a page read brought it, else on the contact read alone.
async fn apply_to_copy(
    writes: &Writes,
    id: ContactId,
    copy: Option<Contact>,
    action: &BulkAction,
    context: Context,
) -> ContactOutcome {
    match copy {
        Some(fresh) => apply_to_fresh(writes, fresh, action, context).await,
        None => apply_to_one(writes, id, action, context).await,
    }
}

/// Read, modify, write one contact, reading it with its own GET.
pub async fn apply_to_one(writes: &Writes, id: ContactId, action: &BulkAction, context: Context) -> ContactOutcome {
    match writes.client().get_contact(id).await {
        Ok(fresh) => apply_to_fresh(writes, fresh, action, context).await,
        Err(error) => ContactOutcome { id, label: String::new(), outcome: failed(&error) },
    }
}

/// Modify, write one contact from `fresh`, its copy just read: the change applied and the
/// whole sent; not sent when the change changes nothing.
pub async fn apply_to_fresh(writes: &Writes, fresh: Contact, action: &BulkAction, context: Context) -> ContactOutcome {
    let (id, label) = (fresh.id, contact_name(&fresh));
    let outcome = match action {
        BulkAction::Edit(edits) => edit(writes, &fresh, edits, context).await,
        BulkAction::EditEach(each) => match each.get(&id) {
            Some(edits) => edit(writes, &fresh, edits, context).await,
            None => BulkOutcome::Unchanged,
        },
        BulkAction::Zones(zones) => set_zones(writes, id, &label, zones, context).await,
    };
    ContactOutcome { id, label, outcome }
}

async fn edit(writes: &Writes, fresh: &Contact, edits: &Edits, context: Context) -> BulkOutcome {
    match edits.apply(fresh) {
        Err(refused) => BulkOutcome::Failed(refused.to_string()),
        Ok(edited) if edits.differences(fresh, &edited).is_empty() => BulkOutcome::Unchanged,
        Ok(edited) => match writes.update(fresh, &edited, context).await {
            Ok(_) => BulkOutcome::Done,
            Err(error) => failed(&error),
        },
    }
}

/// The contact's zones read, changed as asked and sent whole.
async fn set_zones(writes: &Writes, id: ContactId, label: &str, zones: &ZoneAction, context: Context) -> BulkOutcome {
    let current = match writes.client().all_secure_zones(id).await {
        Ok(current) => current,
        Err(error) => return failed(&error),
    };
    let wanted = zones.wanted(&current);
    if wanted == current {
        return BulkOutcome::Unchanged;
    }
    match writes.set_zones(id, label, &current, &wanted, context).await {
        Ok(_) => BulkOutcome::Done,
        Err(error) => failed(&error),
    }
}

fn failed(error: &ApiError) -> BulkOutcome {
    BulkOutcome::Failed(error.to_string())
}
