//! The contact's own changes: its entries in the site's change journal, newest first, for
//! the pane's Changes tab (read off the UI thread when the tab shows, again after a write).

use poll_promise::Promise;

use crate::api::ContactId;
use crate::app::effects::TaskResult;
use crate::app::history::SHOWN;
use crate::app::journal::{Entry, Filter, Journal, JournalResult};
use crate::app::tasks::TaskRunner;

#[derive(Default)]
pub struct ContactChanges {
    /// `None` until read.
    pub entries: Option<Vec<Entry>>,
    pub error: Option<String>,
    /// The entry whose changes show.
    pub selected: Option<i64>,
    loading: Option<Promise<JournalResult<Vec<Entry>>>>,
    stale: bool,
}

impl ContactChanges {
    pub fn selected_entry(&self) -> Option<&Entry> {
        self.entries.as_ref()?.iter().find(|e| Some(e.id) == self.selected)
    }

    /// Something was written: read again when shown.
    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    pub fn fetch(
        &mut self,
        shown: bool,
        journal: Option<&Journal>,
        contact: ContactId,
        tasks: &TaskRunner<TaskResult>,
    ) {
        let needed = self.entries.is_none() || self.stale;
        let Some(journal) = journal.cloned().filter(|_| shown && needed && self.loading.is_none()) else { return };
        self.stale = false;
        let filter = Filter { contact: Some(contact), ..Filter::default() };
        self.loading = Some(tasks.promise(async move { journal.off_thread(move |j| j.entries(&filter, SHOWN)).await }));
    }

    pub fn poll(&mut self) {
        let Some(promise) = self.loading.take() else { return };
        match promise.try_take() {
            Ok(Ok(entries)) => {
                self.entries = Some(entries);
                self.error = None;
            }
            Ok(Err(error)) => self.error = Some(error.to_string()),
            Err(promise) => self.loading = Some(promise),
        }
    }
}
