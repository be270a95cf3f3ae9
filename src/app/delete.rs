//! Deleting contacts: the confirmation, which freezes the scope it shows when it opens, and
//! the job that deletes exactly that scope, never more than the user confirmed.

use tokio_util::sync::CancellationToken;

use crate::api::paging::PagingOptions;
use crate::api::selection::resolve_confirmed_ids;
use crate::api::{ApiError, Confirmed, ContactScope, Distrust, Rows};

use super::effects::{Effects, Feature, TaskResult};
use super::grid::Grid;
use super::journal::{Context, Writes};
use super::notifications::{Level, Notifications};
use super::tasks::Progress;
use super::text::{contact_name, contacts, thousands};
use super::typed_count::TypedCount;

/// Deleting, as a feature: the confirmation waiting for the user's answer, the delete it
/// starts, and what its outcome does to the grid and the notifications.
#[derive(Default)]
pub struct Deletes {
    /// A delete waiting for the user's answer, with the scope it shows.
    pub confirmation: Option<DeleteConfirmation>,
}

impl Feature for Deletes {
    /// A delete not confirmed was about the old site's contacts.
    fn on_site_closed(&mut self) {
        self.confirmation = None;
    }
}

impl Deletes {
    /// Asks to delete the grid's selection: the confirmation freezes what it shows.
    pub fn ask(&mut self, grid: &Grid, notifications: &mut Notifications) {
        self.confirmation = DeleteConfirmation::for_selection(grid);
        if self.confirmation.is_none() {
            notifications.push(Level::Info, "Nothing to delete", "Select the contacts to delete first.");
        }
    }

    /// Deletes exactly what `confirmation` showed, with progress and Cancel; a cancelled
    /// delete still reports how many went.
    pub fn execute(&mut self, confirmation: DeleteConfirmation, fx: &mut Effects) {
        let Some(writes) = fx.writes.clone() else { return };
        let connection = fx.connection;
        let label = format!("Deleting {}", contacts(confirmation.count));
        fx.tasks.spawn_stoppable(label, move |cancel, progress| async move {
            let confirmed = confirmation.confirmed();
            let scope = confirmation.scope;
            TaskResult::for_site(connection, delete_confirmed(&writes, &scope, confirmed, &cancel, &progress).await)
        });
    }

    /// The grid is reloaded (what was deleted is gone, the selection with it) and the user
    /// is told how far the delete got.
    pub fn fold(&mut self, outcome: DeleteOutcome, grid: &mut Grid, notifications: &mut Notifications) {
        grid.selection = Default::default();
        grid.reload();
        let DeleteOutcome { confirmed, deleted, stop } = outcome;
        let (done, of) = (thousands(deleted), thousands(confirmed));
        match stop {
            DeleteStop::Finished => {
                notifications.push(Level::Success, "Contacts deleted", format!("{} deleted.", contacts(deleted)))
            }
            DeleteStop::Cancelled => notifications.push(
                Level::Info,
                "Delete cancelled",
                format!("{done} of {of} deleted before it stopped."),
            ),
            DeleteStop::Failed(error) if deleted == 0 => notifications.error("Nothing was deleted", error.to_string()),
            DeleteStop::Failed(error) => {
                notifications.error(format!("Stopped after deleting {done} of {of}"), error.to_string())
            }
            DeleteStop::Grew { found } => notifications.push(
                Level::Warning,
                "Nothing was deleted",
                format!(
                    "{} match now, more than the {of} you confirmed. Check the list and delete again.",
                    thousands(found)
                ),
            ),
        }
    }
}

/// Names shown in the question at most ("Delete 3 contacts (A, B and C)?").
const NAMES_SHOWN: usize = 3;

/// A delete the user is asked to confirm: what it acts on, frozen when it was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct DeleteConfirmation {
    pub scope: ContactScope,
    /// How many contacts the question named.
    pub count: u64,
    /// The names of the contacts, when they are few and loaded.
    names: Vec<String>,
    /// Whether the grid's query narrows the contacts (a filter or a search).
    filtered: bool,
    /// The count to type first, when the filter is one the client cannot check.
    pub typed_count: TypedCount,
}

impl DeleteConfirmation {
    /// The grid's selection, as it is now; `None` when nothing is selected.
    pub fn for_selection(grid: &Grid) -> Option<Self> {
        let count = grid.selected_count();
        if count == 0 {
            return None;
        }
        let scope = grid.selection_scope();
        let names = match scope.selection.only_ids() {
            Some(ids) if ids.len() <= NAMES_SHOWN => {
                ids.iter().map(|id| grid.loaded_contact(*id).map(contact_name)).collect::<Option<Vec<_>>>()
            }
            _ => None,
        };
        let filtered = !scope.query.filter.is_all();
        let typed_count = TypedCount::for_scope(&scope, count);
        Some(Self { scope, count, names: names.unwrap_or_default(), filtered, typed_count })
    }

    /// One contact, as the editor asks to delete it.
    pub fn for_contact(contact: &crate::api::Contact) -> Self {
        Self {
            scope: ContactScope::ids(crate::api::ListQuery::default(), [contact.id]),
            count: 1,
            names: vec![contact_name(contact)],
            filtered: false,
            typed_count: TypedCount::default(),
        }
    }

    /// What the user confirmed, as the delete is told it.
    pub fn confirmed(&self) -> Confirmed {
        self.typed_count.confirmed(self.count)
    }

    /// Whether Delete may be pressed: the count is typed where the filter asks for it.
    pub fn may_delete(&self) -> bool {
        self.typed_count.is_satisfied()
    }

    /// The contacts it names by id, when it names them so (the pane lets go of them).
    pub fn ids(&self) -> Option<&std::collections::BTreeSet<crate::api::ContactId>> {
        self.scope.selection.only_ids()
    }

    /// The dialog's heading: what is deleted, in words.
    pub fn question(&self) -> String {
        let selection = &self.scope.selection;
        let what = contacts(self.count);
        if !self.names.is_empty() {
            return format!("Delete {what} ({})?", join_names(&self.names));
        }
        let except = thousands(selection.except.len() as u64);
        match selection.rows {
            Rows::All if self.filtered && selection.except.is_empty() => format!("Delete {what} matching the filter?"),
            Rows::All if self.filtered => format!("Delete {what} matching the filter (all but {except})?"),
            Rows::All if selection.except.is_empty() => format!("Delete all {what} on this site?"),
            Rows::All => format!("Delete {what}, every contact on this site but {except}?"),
            Rows::Range { .. } | Rows::None => format!("Delete {what}?"),
        }
    }
}

/// "A", "A and B", "A, B and C".
fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a delete ended.
#[derive(Debug)]
pub enum DeleteStop {
    Finished,
    Cancelled,
    Failed(ApiError),
    /// More contacts matched when it ran than the user confirmed: nothing was deleted.
    Grew {
        found: u64,
    },
}

#[derive(Debug)]
pub struct DeleteOutcome {
    pub confirmed: u64,
    pub deleted: u64,
    pub stop: DeleteStop,
}

/// Deletes the contacts of `scope` one by one, stopping when `cancel` is cancelled, and says
/// how far it got. The scope's ids are resolved first (ids only, page by page), so that the
/// deletes do not shift the pages still to read.
pub async fn delete_contacts(
    writes: &Writes,
    scope: &ContactScope,
    confirmed: u64,
    cancel: &CancellationToken,
    progress: &Progress,
) -> DeleteOutcome {
    delete_confirmed(writes, scope, Confirmed::count(confirmed), cancel, progress).await
}

/// [`delete_contacts`], with what the user confirmed. Nothing is deleted unless the scope
/// resolves, through the client's checks, to exactly the confirmed number of contacts.
pub async fn delete_confirmed(
    writes: &Writes,
    scope: &ContactScope,
    confirmed: Confirmed,
    cancel: &CancellationToken,
    progress: &Progress,
) -> DeleteOutcome {
    let count = confirmed.count;
    let outcome = |deleted, stop| DeleteOutcome { confirmed: count, deleted, stop };
    let paging = PagingOptions::for_site(writes.client().dialect());
    let listed =
        resolve_confirmed_ids(writes.client(), scope, confirmed, &paging, cancel, |_, _| progress.set(0, Some(count)));
    let ids = match listed.await {
        Ok(ids) => ids,
        Err(ApiError::Cancelled) => return outcome(0, DeleteStop::Cancelled),
        Err(ApiError::Untrusted(Distrust::CountChanged { found, .. })) if found > count => {
            return outcome(0, DeleteStop::Grew { found });
        }
        Err(error) => return outcome(0, DeleteStop::Failed(error)),
    };
    // More than one contact is one bulk operation in the journal, undone as one.
    let mut context = Context::default();
    if ids.len() > 1 {
        context.batch = writes.new_batch(format!("Delete {}", contacts(ids.len() as u64))).await;
    }
    let mut deleted = 0;
    for id in ids {
        // Checked between deletes, never during one: a delete stopped half-way might have
        // happened on the site without being counted.
        if cancel.is_cancelled() {
            return outcome(deleted, DeleteStop::Cancelled);
        }
        match writes.delete(id, context).await {
            // Deleted elsewhere meanwhile: gone all the same.
            Ok(()) | Err(ApiError::NotFound { .. }) => deleted += 1,
            Err(error) => return outcome(deleted, DeleteStop::Failed(error)),
        }
        progress.set(deleted, Some(count));
    }
    outcome(deleted, DeleteStop::Finished)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ListQuery, Selection, Where};

    fn confirmation(selection: Selection, filter: Where, count: u64, names: &[&str]) -> DeleteConfirmation {
        DeleteConfirmation {
            typed_count: TypedCount::default(),
            filtered: !filter.is_all(),
            scope: ContactScope { query: ListQuery::new(filter), selection },
            count,
            names: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    #[test]
    fn the_question_names_what_is_deleted_in_singular_and_plural() {
        let one = confirmation(Selection::ids([7]), Where::All, 1, &["Åse Bråten"]);
        assert_eq!(one.question(), "Delete 1 contact (Åse Bråten)?");
        let three = confirmation(Selection::ids([1, 2, 3]), Where::All, 3, &["A", "B", "C"]);
        assert_eq!(three.question(), "Delete 3 contacts (A, B and C)?");
        let city = Where::field("City").eq("Oslo");
        let matching = confirmation(Selection::all(), city.clone(), 5000, &[]);
        assert_eq!(matching.question(), "Delete 5,000 contacts matching the filter?");
        let but = confirmation(Selection::all_except([4, 5]), city, 4998, &[]);
        assert_eq!(but.question(), "Delete 4,998 contacts matching the filter (all but 2)?");
        let everything = confirmation(Selection::all(), Where::All, 5000, &[]);
        assert_eq!(everything.question(), "Delete all 5,000 contacts on this site?");
        let range = confirmation(Selection::range(10, 900_000), Where::All, 899_991, &[]);
        assert_eq!(range.question(), "Delete 899,991 contacts?");
    }
}
