//! Which contacts an action acts on, as a description rather than a list: some ids, a range
//! of rows in a query's order, or every contact the query matches, each less or plus some
//! ids. A million selected contacts cost a few bytes; an action resolves its scope by
//! streaming when it runs (page by page, at the site's own page size, cancellable).

use std::collections::BTreeSet;

use tokio_util::sync::CancellationToken;

use super::paging::{self, PageSource, PagingOptions};
use super::{ApiError, Contact, ContactId, ListQuery, Where};

use super::assumed::IDS_PER_REQUEST;

/// The rows a selection takes by position in the query's order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rows {
    #[default]
    None,
    /// Rows `first..=last`.
    Range { first: u64, last: u64 },
    /// Every row the query matches.
    All,
}

/// A selection: `rows` by position, less `except`, plus `also` (ids outside `rows`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub rows: Rows,
    /// Contacts within `rows` that are not selected.
    pub except: BTreeSet<ContactId>,
    /// Contacts outside `rows` that are selected.
    pub also: BTreeSet<ContactId>,
}

impl Selection {
    pub fn ids(ids: impl IntoIterator<Item = ContactId>) -> Self {
        Self { also: ids.into_iter().collect(), ..Self::default() }
    }

    /// Rows `first..=last` of the query's order (in either order).
    pub fn range(from: u64, to: u64) -> Self {
        Self { rows: Rows::Range { first: from.min(to), last: from.max(to) }, ..Self::default() }
    }

    pub fn all() -> Self {
        Self { rows: Rows::All, ..Self::default() }
    }

    /// Every match but these.
    pub fn all_except(except: impl IntoIterator<Item = ContactId>) -> Self {
        Self { except: except.into_iter().collect(), ..Self::all() }
    }

    fn rows_cover(&self, index: u64) -> bool {
        match self.rows {
            Rows::None => false,
            Rows::Range { first, last } => (first..=last).contains(&index),
            Rows::All => true,
        }
    }

    /// Whether the contact `id`, drawn at row `index`, is selected.
    pub fn contains(&self, index: u64, id: ContactId) -> bool {
        self.also.contains(&id) || (self.rows_cover(index) && !self.except.contains(&id))
    }

    /// How many are selected, given how many rows the query matches.
    pub fn count(&self, total: u64) -> u64 {
        let rows = match self.rows {
            Rows::None => 0,
            Rows::Range { first, last } if first < total => last.min(total - 1) - first + 1,
            Rows::Range { .. } => 0,
            Rows::All => total,
        };
        rows.saturating_sub(self.except.len() as u64) + self.also.len() as u64
    }

    pub fn is_empty(&self, total: u64) -> bool {
        self.count(total) == 0
    }

    /// The ids, when the selection is ids alone.
    pub fn only_ids(&self) -> Option<&BTreeSet<ContactId>> {
        (self.rows == Rows::None).then_some(&self.also)
    }

    /// Ctrl+click on row `index` showing `id`: in or out.
    pub fn toggle(&mut self, index: u64, id: ContactId) {
        if self.also.remove(&id) {
            return;
        }
        if self.rows_cover(index) {
            if !self.except.remove(&id) {
                self.except.insert(id);
            }
        } else {
            self.also.insert(id);
        }
    }
}

/// A selection frozen with the query it was made in: what a confirmed action acts on, no
/// matter what the grid shows by the time it runs.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactScope {
    /// The filter and order the rows are counted in (its offset and limit are not used).
    pub query: ListQuery,
    pub selection: Selection,
}

impl ContactScope {
    /// Every contact `query` matches, but those in `except`, in the query's order.
    pub fn matching(query: ListQuery, except: BTreeSet<ContactId>) -> Self {
        Self { query, selection: Selection::all_except(except) }
    }

    /// These contacts, if they still match the query's filter.
    pub fn ids(query: ListQuery, ids: impl IntoIterator<Item = ContactId>) -> Self {
        Self { query, selection: Selection::ids(ids) }
    }

    /// How many contacts the scope holds at most, when known before it is resolved.
    pub fn known_count(&self) -> Option<u64> {
        match self.selection.rows {
            Rows::All => None,
            Rows::None | Rows::Range { .. } => Some(self.selection.count(u64::MAX)),
        }
    }

    fn rows_query(&self) -> Option<(ListQuery, Option<u64>)> {
        let query = self.query.clone();
        match self.selection.rows {
            Rows::None => None,
            Rows::Range { first, last } => Some((query.page(first, self.query.limit), Some(last + 1))),
            Rows::All => Some((query.page(0, self.query.limit), None)),
        }
    }
}

/// Hands the contacts of `scope` to `deliver`, a page at a time: the rows in the query's
/// order less the exceptions, then the extra ids that still match the filter (in the query's
/// order within each batch of ids). `deliver` also hears how many the scope holds, once known.
pub async fn for_each_contact<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    mut deliver: impl FnMut(Vec<Contact>, Option<u64>),
) -> Result<(), ApiError> {
    let selection = &scope.selection;
    let mut expected = scope.known_count();
    // Extra ids met among the rows already (the rows moved since): not delivered twice.
    let mut met = BTreeSet::new();
    if let Some((query, until)) = scope.rows_query() {
        paging::for_each_page_until(source, query, until, paging, cancel, |mut page, done| {
            page.retain(|c| !selection.except.contains(&c.id));
            met.extend(page.iter().map(|c| c.id).filter(|id| selection.also.contains(id)));
            if selection.rows == Rows::All {
                let rows = done.total.map(|t| t.saturating_sub(selection.except.len() as u64));
                expected = rows.map(|rows| rows + selection.also.len() as u64);
            }
            deliver(page, expected);
        })
        .await?;
    }
    let ids: Vec<ContactId> = selection.also.difference(&met).copied().collect();
    for batch in ids.chunks(IDS_PER_REQUEST) {
        let filter = scope.query.filter.clone().and(Where::field("Id").is_in(batch.iter().copied()));
        let batch_query = ListQuery { filter, offset: 0, ..scope.query.clone() };
        paging::for_each_page(source, batch_query, paging, cancel, |page, _| deliver(page, expected)).await?;
    }
    Ok(())
}

/// The ids of `scope`, streamed page by page and kept alone (a million ids are 8 MB; their
/// contacts would not fit). Ids selected one by one are taken as they are, without a request.
pub async fn resolve_ids<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<ContactId>, ApiError> {
    let selection = &scope.selection;
    let mut ids = Vec::new();
    if let Some((query, until)) = scope.rows_query() {
        paging::for_each_page_until(source, query, until, paging, cancel, |page, done| {
            ids.extend(page.iter().map(|c| c.id).filter(|id| !selection.except.contains(id)));
            progress(done.fetched, done.total);
        })
        .await?;
    }
    if !selection.also.is_empty() {
        let met: std::collections::HashSet<ContactId> = ids.iter().copied().collect();
        ids.extend(selection.also.iter().copied().filter(|id| !met.contains(id)));
    }
    Ok(ids)
}

/// Which of `ids` still exist on the site.
pub async fn existing_ids<S: PageSource<Contact>>(
    source: &S,
    ids: impl IntoIterator<Item = ContactId>,
    paging: &PagingOptions,
    cancel: &CancellationToken,
) -> Result<BTreeSet<ContactId>, ApiError> {
    let scope = ContactScope::ids(ListQuery::default(), ids);
    let mut existing = BTreeSet::new();
    for_each_contact(source, &scope, paging, cancel, |page, _| existing.extend(page.iter().map(|c| c.id))).await?;
    Ok(existing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_counts_its_rows_less_exceptions_plus_extras() {
        let mut selection = Selection::range(900_000, 10);
        assert_eq!(selection.rows, Rows::Range { first: 10, last: 900_000 });
        assert_eq!(selection.count(1_000_000), 899_991);
        assert_eq!(selection.count(100), 90, "rows past the end are not counted");
        selection.toggle(500, 501);
        selection.toggle(5, 6);
        assert_eq!(selection.count(1_000_000), 899_991);
        assert!(!selection.contains(500, 501) && selection.contains(5, 6) && selection.contains(11, 12));
        assert!(!selection.contains(9, 10) && !selection.contains(900_001, 900_002));
        selection.toggle(5, 6);
        selection.toggle(500, 501);
        assert_eq!(selection, Selection::range(10, 900_000), "toggled back");
    }

    #[test]
    fn everything_less_some_and_ids_alone() {
        let mut all = Selection::all();
        all.toggle(3, 4);
        assert_eq!(all.count(1_000_000), 999_999);
        assert!(!all.contains(3, 4) && all.contains(0, 1));
        assert_eq!(all.only_ids(), None);
        let ids = Selection::ids([7, 9]);
        assert_eq!(ids.count(1_000_000), 2);
        assert_eq!(ids.only_ids().map(|s| s.len()), Some(2));
        assert!(Selection::default().is_empty(10));
    }
}
