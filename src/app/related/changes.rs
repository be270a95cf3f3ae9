//! The contact's own changes: its entries in the site's change journal, newest first, for
//! the pane's Changes tab (read off the UI thread when the tab shows, again after a write).

use crate::api::ContactId;
use crate::app::history::SHOWN;
use crate::app::journal::{Entry, Filter, Journal, JournalResult};

use super::{RelatedPart, Visit};

#[derive(Default)]
pub struct ContactChanges {
    /// `None` until read.
    pub entries: Option<Vec<Entry>>,
    pub error: Option<String>,
    /// The entry whose changes show.
    pub selected: Option<i64>,
    loading: bool,
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

    pub fn fetch(&mut self, shown: bool, journal: Option<&Journal>, contact: ContactId, visit: &mut Visit<'_>) {
        let needed = self.entries.is_none() || self.stale;
        let Some(journal) = journal.cloned().filter(|_| shown && needed && !self.loading) else { return };
        self.stale = false;
        self.loading = true;
        let filter = Filter { contact: Some(contact), ..Filter::default() };
        visit.spawn(async move { RelatedPart::Changes(journal.off_thread(move |j| j.entries(&filter, SHOWN)).await) });
    }

    pub fn read(&mut self, result: JournalResult<Vec<Entry>>) {
        self.loading = false;
        match result {
            Ok(entries) => {
                self.entries = Some(entries);
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }
}
