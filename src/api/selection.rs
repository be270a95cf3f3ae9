//! Which contacts an action acts on, as a description rather than a list: some ids, a range
//! of rows in a query's order, or every contact the query matches, each less or plus some
//! ids. A million selected contacts cost a few bytes; an action resolves its scope by
//! streaming when it runs (page by page, at the site's own page size, cancellable).
//!
//! Every walk here checks what the site sent before handing it on ([`super::guard`]): rows
//! outside the filter or a contact met twice stop the walk with [`ApiError::Untrusted`], so
//! no export, delete or bulk edit acts on rows the site got wrong.

use std::collections::BTreeSet;

use tokio_util::sync::CancellationToken;

use super::guard::ContactGuard;
use super::paging::{self, PageSource, PagingOptions, Progress};
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

/// Walks the pages of `query` (up to the `until`-th row) by Id when the options and the
/// query's order allow it, else by offset; each page is checked by `guard` first.
async fn checked_pages<S: PageSource<Contact>>(
    source: &S,
    query: ListQuery,
    until: Option<u64>,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    guard: &mut ContactGuard,
    mut deliver: impl FnMut(Vec<Contact>, Progress),
) -> Result<(), ApiError> {
    let mut checked = |page: Vec<Contact>, done: Progress| {
        guard.inspect(&page).map_err(ApiError::Untrusted)?;
        deliver(page, done);
        Ok(())
    };
    if paging::pages_by_id(&query, until, paging) {
        paging::for_each_page_by_id(source, query, until, paging, cancel, checked).await
    } else {
        paging::try_for_each_page_until(source, query, until, paging, cancel, &mut checked).await
    }
}

/// Hands the contacts of `scope` to `deliver`, a page at a time: the rows in the query's
/// order less the exceptions, then the extra ids that still match the filter (in the query's
/// order within each batch of ids). `deliver` also hears how many the scope holds, once known.
/// Nothing is delivered past a page that fails the checks.
pub async fn for_each_contact<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    mut deliver: impl FnMut(Vec<Contact>, Option<u64>),
) -> Result<(), ApiError> {
    let selection = &scope.selection;
    let mut expected = scope.known_count();
    let mut guard = ContactGuard::new(&scope.query.filter);
    if let Some((query, until)) = scope.rows_query() {
        checked_pages(source, query, until, paging, cancel, &mut guard, |mut page, done| {
            page.retain(|c| !selection.except.contains(&c.id));
            if selection.rows == Rows::All {
                let rows = done.total.map(|t| t.saturating_sub(selection.except.len() as u64));
                expected = rows.map(|rows| rows + selection.also.len() as u64);
            }
            deliver(page, expected);
        })
        .await?;
    }
    // Extra ids met among the rows already (the rows moved since) are not delivered twice.
    let ids: Vec<ContactId> = selection.also.iter().copied().filter(|id| !guard.has_seen(*id)).collect();
    for batch in ids.chunks(IDS_PER_REQUEST) {
        let filter = scope.query.filter.clone().and(Where::field("Id").is_in(batch.iter().copied()));
        guard.set_filter(&filter);
        let batch_query = ListQuery { filter, offset: 0, ..scope.query.clone() };
        checked_pages(source, batch_query, None, paging, cancel, &mut guard, |page, _| deliver(page, expected)).await?;
    }
    Ok(())
}

/// The ids of `scope`, streamed page by page and kept alone (a million ids are 8 MB; their
/// contacts would not fit), each once. Ids selected one by one are taken as they are, without
/// a request. Fails, with nothing returned, when a page fails the checks.
pub async fn resolve_ids<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<ContactId>, ApiError> {
    let selection = &scope.selection;
    let mut ids = Vec::new();
    let mut guard = ContactGuard::new(&scope.query.filter);
    if let Some((query, until)) = scope.rows_query() {
        checked_pages(source, query, until, paging, cancel, &mut guard, |page, done| {
            ids.extend(page.iter().map(|c| c.id).filter(|id| !selection.except.contains(id)));
            progress(done.fetched, done.total);
        })
        .await?;
    }
    ids.extend(selection.also.iter().copied().filter(|id| !guard.has_seen(*id)));
    Ok(ids)
}

/// What the user confirmed of a scope before anything acts on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Confirmed {
    /// How many contacts the confirmation named.
    pub count: u64,
    /// The user typed the count to act on a filter the client cannot check (raw JSON outside
    /// the dialect); without it such a filter is refused.
    pub unchecked_filter: bool,
}

impl Confirmed {
    pub fn count(count: u64) -> Self {
        Self { count, unchecked_filter: false }
    }
}

/// [`resolve_ids`] for a scope the user confirmed, before anything acts on it: a filter the
/// client cannot check is refused unless the user typed the count for it
/// ([`Distrust::UncheckedFilter`](super::Distrust::UncheckedFilter)), and any other number of
/// distinct ids than confirmed stops it
/// ([`Distrust::CountChanged`](super::Distrust::CountChanged)).
pub async fn resolve_confirmed_ids<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    confirmed: Confirmed,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    progress: impl FnMut(u64, Option<u64>),
) -> Result<Vec<ContactId>, ApiError> {
    if !confirmed.unchecked_filter && !scope.query.filter.is_checkable() {
        let filter = scope.query.filter.describe();
        return Err(ApiError::Untrusted(super::Distrust::UncheckedFilter { filter }));
    }
    let ids = resolve_ids(source, scope, paging, cancel, progress).await?;
    let found = ids.len() as u64;
    if found != confirmed.count {
        return Err(ApiError::Untrusted(super::Distrust::CountChanged { confirmed: confirmed.count, found }));
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
