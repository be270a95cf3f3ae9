//! The contact grid's data: which query it shows, a small cache of pages around what is on
//! screen, and the selection. The rows of a million-contact query are never all held: the
//! grid knows the total, and asks for the pages the table is about to draw.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};

use tokio_util::sync::CancellationToken;

use crate::api::fields::custom_fields_of;
use crate::api::{ApiError, Contact, ContactId, ListQuery, OrderBy, Page, Where};

use super::filter::FilterSpec;

/// Rows per request.
pub const PAGE_SIZE: u32 = 100;
/// Pages fetched beyond the visible ones, each way, so that scrolling finds rows ready.
const MARGIN_PAGES: u64 = 1;
/// Pages kept at most; the ones farthest from the visible window go first.
const KEEP_PAGES: usize = 24;
/// A page still loading this far (in pages) from the window is no longer wanted.
const CANCEL_DISTANCE: u64 = 3;

/// What the user asked to see: filter, quick search and sort.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct GridQuery {
    pub filter: FilterSpec,
    pub search: String,
    pub order_by: Option<OrderBy>,
}

impl GridQuery {
    /// The server-side filter: the filter spec, and the search over names and email.
    pub fn filter(&self) -> Where {
        let words: Vec<&str> = self.search.split_whitespace().collect();
        let search = words.into_iter().fold(Where::All, |all, word| {
            let any_field = Where::field("FirstName")
                .contains(word)
                .or(Where::field("LastName").contains(word))
                .or(Where::field("Email").contains(word));
            all.and(any_field)
        });
        self.filter.to_where().and(search)
    }

    pub fn list_query(&self, page: u64) -> ListQuery {
        let query = ListQuery::new(self.filter()).page(page * u64::from(PAGE_SIZE), PAGE_SIZE);
        match &self.order_by {
            Some(order_by) => query.order_by(order_by.clone()),
            None => query,
        }
    }
}

/// Which contacts are selected: some by id, or every contact matching the query but some.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    Ids(BTreeSet<ContactId>),
    AllMatching { except: BTreeSet<ContactId> },
}

impl Default for Selection {
    fn default() -> Self {
        Selection::Ids(BTreeSet::new())
    }
}

impl Selection {
    pub fn contains(&self, id: ContactId) -> bool {
        match self {
            Selection::Ids(ids) => ids.contains(&id),
            Selection::AllMatching { except } => !except.contains(&id),
        }
    }

    /// How many are selected, given how many match.
    pub fn count(&self, total: u64) -> u64 {
        match self {
            Selection::Ids(ids) => ids.len() as u64,
            Selection::AllMatching { except } => total.saturating_sub(except.len() as u64),
        }
    }

    pub fn is_empty(&self, total: u64) -> bool {
        self.count(total) == 0
    }

    fn toggle(&mut self, id: ContactId) {
        let set = match self {
            Selection::Ids(ids) => ids,
            Selection::AllMatching { except } => except,
        };
        if !set.remove(&id) {
            set.insert(id);
        }
    }

    fn add(&mut self, id: ContactId) {
        match self {
            Selection::Ids(ids) => {
                ids.insert(id);
            }
            Selection::AllMatching { except } => {
                except.remove(&id);
            }
        }
    }
}

enum Slot {
    Loading {
        cancel: CancellationToken,
    },
    /// `used`: when a row of it was last drawn, for forgetting the least used pages.
    Loaded {
        rows: Vec<Contact>,
        used: Cell<u64>,
    },
}

/// A page the app should fetch: its query (for this generation of the grid) and the token
/// that cancels it when the user has scrolled away.
pub struct PageRequest {
    pub generation: u64,
    pub page: u64,
    pub query: ListQuery,
    pub cancel: CancellationToken,
}

/// A row as the table draws it.
pub enum RowView<'a> {
    Loaded(&'a Contact),
    Pending,
}

#[derive(Default)]
pub struct Grid {
    pub query: GridQuery,
    /// Bumped whenever the query changes or the data is refreshed: late pages are dropped.
    generation: u64,
    /// `TotalItemsCount` of the query, once known.
    pub total: Option<u64>,
    pages: HashMap<u64, Slot>,
    tick: Cell<u64>,
    pub selection: Selection,
    /// The row with the keyboard focus.
    pub cursor: Option<u64>,
    /// Where a Shift+click range starts.
    anchor: Option<u64>,
    /// A Shift range whose rows were not all loaded: finished as their pages arrive.
    pending_range: Option<(u64, u64)>,
    /// The last failure to load, until a page loads again.
    pub error: Option<String>,
    /// Every `CustomCrmGroups` group and field seen on a loaded contact.
    pub custom_fields: BTreeSet<(String, String)>,
    /// The first and last row the table drew last frame.
    pub visible: Option<(u64, u64)>,
    /// A row the table should scroll to on its next frame.
    pub scroll_to: Option<u64>,
    /// The row whose context menu is open (only that row needs to draw one).
    pub menu_row: Option<u64>,
}

impl Grid {
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Shows another query: everything loaded is dropped, the selection too.
    pub fn set_query(&mut self, query: GridQuery) {
        if query == self.query {
            return;
        }
        self.query = query;
        self.selection = Selection::default();
        self.cursor = None;
        self.anchor = None;
        self.scroll_to = Some(0);
        self.reload();
    }

    /// Loads again what is on screen, keeping the scroll position and the selection.
    pub fn reload(&mut self) {
        self.generation += 1;
        for slot in self.pages.values() {
            if let Slot::Loading { cancel } = slot {
                cancel.cancel();
            }
        }
        self.pages.clear();
        self.pending_range = None;
    }

    /// The row at `index` as the table draws it, or `Pending` while its page is not in.
    pub fn row(&self, index: u64) -> RowView<'_> {
        self.tick.set(self.tick.get() + 1);
        let (page, offset) = (index / u64::from(PAGE_SIZE), (index % u64::from(PAGE_SIZE)) as usize);
        match self.pages.get(&page) {
            Some(Slot::Loaded { rows, used }) => {
                used.set(self.tick.get());
                rows.get(offset).map_or(RowView::Pending, RowView::Loaded)
            }
            _ => RowView::Pending,
        }
    }

    /// The pages to fetch for what the table shows now (and a margin): also cancels pages no
    /// longer wanted and forgets the farthest loaded ones.
    pub fn requests(&mut self) -> Vec<PageRequest> {
        let (first, last) = match (self.visible, self.total) {
            (Some(window), _) => window,
            // Nothing drawn yet: the first page tells the total.
            (None, _) => (0, 0),
        };
        let first_page = (first / u64::from(PAGE_SIZE)).saturating_sub(MARGIN_PAGES);
        let mut last_page = last / u64::from(PAGE_SIZE) + MARGIN_PAGES;
        if let Some(total) = self.total {
            last_page = last_page.min(total.saturating_sub(1) / u64::from(PAGE_SIZE));
        }
        // The pages of a Shift range still waiting for rows are wanted wherever they are.
        let range_pages =
            self.pending_range.map(|(low, high)| (low / u64::from(PAGE_SIZE), high / u64::from(PAGE_SIZE)));
        let in_range = |page: u64| range_pages.is_some_and(|(low, high)| (low..=high).contains(&page));
        let distance = |page: u64| {
            if in_range(page) {
                0
            } else if page < first_page {
                first_page - page
            } else {
                page.saturating_sub(last_page)
            }
        };
        // Stop what was scrolled past.
        self.pages.retain(|page, slot| match slot {
            Slot::Loading { cancel } if distance(*page) > CANCEL_DISTANCE => {
                cancel.cancel();
                false
            }
            _ => true,
        });
        // Forget the farthest pages beyond the budget.
        let loaded: usize = self.pages.values().filter(|s| matches!(s, Slot::Loaded { .. })).count();
        if loaded > KEEP_PAGES {
            let mut far: Vec<(u64, u64)> = self
                .pages
                .iter()
                .filter_map(|(page, slot)| matches!(slot, Slot::Loaded { .. }).then_some((distance(*page), *page)))
                .collect();
            far.sort_unstable_by(|a, b| b.cmp(a));
            for (_, page) in far.into_iter().take(loaded - KEEP_PAGES) {
                self.pages.remove(&page);
            }
        }
        let mut wanted: Vec<u64> = (first_page..=last_page).collect();
        if let Some((low, high)) = range_pages {
            wanted.extend((low..=high).filter(|page| !(first_page..=last_page).contains(page)));
        }
        let mut requests = Vec::new();
        for page in wanted {
            if self.pages.contains_key(&page) || self.total.is_some_and(|t| page * u64::from(PAGE_SIZE) >= t) {
                continue;
            }
            let cancel = CancellationToken::new();
            self.pages.insert(page, Slot::Loading { cancel: cancel.clone() });
            requests.push(PageRequest {
                generation: self.generation,
                page,
                query: self.query.list_query(page),
                cancel,
            });
        }
        requests
    }

    /// Folds a fetched page in (a page of an older generation is dropped). Returns whether it
    /// brought custom fields not seen before.
    pub fn page_loaded(&mut self, generation: u64, page: u64, result: Result<Page<Contact>, ApiError>) -> bool {
        if generation != self.generation {
            return false;
        }
        let mut new_fields = false;
        match result {
            Ok(loaded) => {
                self.error = None;
                if let Some(total) = loaded.total_items_count {
                    self.total = Some(total);
                }
                for (group, field) in loaded.items.iter().flat_map(custom_fields_of) {
                    if !self.custom_fields.iter().any(|(g, f)| g == group && f == field) {
                        self.custom_fields.insert((group.to_owned(), field.to_owned()));
                        new_fields = true;
                    }
                }
                self.tick.set(self.tick.get() + 1);
                self.pages.insert(page, Slot::Loaded { rows: loaded.items, used: Cell::new(self.tick.get()) });
                self.extend_pending_range();
            }
            Err(ApiError::Cancelled) => {
                self.pages.remove(&page);
            }
            Err(error) => {
                self.pages.remove(&page);
                self.error = Some(error.to_string());
                if page == 0 && self.total.is_none() {
                    self.total = Some(0);
                }
            }
        }
        new_fields
    }

    pub fn loading_pages(&self) -> usize {
        self.pages.values().filter(|s| matches!(s, Slot::Loading { .. })).count()
    }

    /// A loaded row, without marking it used (for looking, not drawing).
    pub fn peek(&self, index: u64) -> Option<&Contact> {
        let (page, offset) = (index / u64::from(PAGE_SIZE), (index % u64::from(PAGE_SIZE)) as usize);
        match self.pages.get(&page) {
            Some(Slot::Loaded { rows, .. }) => rows.get(offset),
            _ => None,
        }
    }

    /// Contacts loaded now, for the selection's ids (the grid never holds them all).
    pub fn loaded_contact(&self, id: ContactId) -> Option<&Contact> {
        self.pages.values().find_map(|slot| match slot {
            Slot::Loaded { rows, .. } => rows.iter().find(|c| c.id == id),
            Slot::Loading { .. } => None,
        })
    }

    fn id_at(&self, index: u64) -> Option<ContactId> {
        self.peek(index).map(|c| c.id)
    }

    /// A plain click (or the keyboard moving there): this row alone, once it is loaded.
    pub fn click(&mut self, index: u64) {
        self.selection = Selection::default();
        self.cursor = Some(index);
        self.anchor = Some(index);
        self.pending_range = Some((index, index));
        self.extend_pending_range();
    }

    /// Ctrl+click: this row in or out.
    pub fn toggle(&mut self, index: u64) {
        if let Some(id) = self.id_at(index) {
            self.selection.toggle(id);
        }
        self.cursor = Some(index);
        self.anchor = Some(index);
    }

    /// Shift+click: every row from the anchor to this one (rows not loaded yet join as their
    /// pages arrive).
    pub fn extend_to(&mut self, index: u64) {
        let anchor = self.anchor.unwrap_or(index);
        let (low, high) = (anchor.min(index), anchor.max(index));
        self.selection = Selection::Ids(BTreeSet::new());
        self.cursor = Some(index);
        self.pending_range = Some((low, high));
        self.extend_pending_range();
    }

    fn extend_pending_range(&mut self) {
        let Some((low, high)) = self.pending_range else { return };
        let mut complete = true;
        for index in low..=high {
            match self.id_at(index) {
                Some(id) => self.selection.add(id),
                None => complete = false,
            }
        }
        if complete {
            self.pending_range = None;
        }
    }

    /// Whether a Shift range is still waiting for rows.
    pub fn selecting(&self) -> bool {
        self.pending_range.is_some()
    }

    /// Ctrl+A: every contact that matches, loaded or not.
    pub fn select_all(&mut self) {
        self.selection = Selection::AllMatching { except: BTreeSet::new() };
        self.pending_range = None;
    }

    /// Moves the keyboard focus by `delta` rows (or to `to`), selecting the row; with
    /// `extend`, the selection runs from the anchor.
    pub fn move_cursor(&mut self, target: u64, extend: bool) {
        let Some(total) = self.total.filter(|t| *t > 0) else { return };
        let target = target.min(total - 1);
        if extend {
            self.extend_to(target);
        } else {
            self.click(target);
        }
        self.scroll_to = Some(target);
    }

    /// The ids selected among the rows loaded now.
    pub fn selected_loaded_ids(&self) -> Vec<ContactId> {
        let mut ids: Vec<ContactId> = self
            .pages
            .values()
            .filter_map(|slot| match slot {
                Slot::Loaded { rows, .. } => Some(rows.iter().map(|c| c.id).filter(|id| self.selection.contains(*id))),
                Slot::Loading { .. } => None,
            })
            .flatten()
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Drops selected ids that no longer exist (after a refresh found them gone).
    pub fn keep_selected(&mut self, existing: &BTreeSet<ContactId>) {
        if let Selection::Ids(ids) = &mut self.selection {
            ids.retain(|id| existing.contains(id));
        }
    }

    /// How many contacts are selected.
    pub fn selected_count(&self) -> u64 {
        self.selection.count(self.total.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(first_id: i64, count: usize, total: u64) -> Page<Contact> {
        let items = (0..count as i64).map(|i| Contact { id: first_id + i, ..Contact::default() }).collect();
        Page::new(items, total)
    }

    /// Answers every request with rows whose id is their index + 1.
    fn serve(grid: &mut Grid, total: u64) -> Vec<u64> {
        let requests = grid.requests();
        let pages: Vec<u64> = requests.iter().map(|r| r.page).collect();
        for request in requests {
            let start = request.page * u64::from(PAGE_SIZE);
            let count = u64::from(PAGE_SIZE).min(total.saturating_sub(start)) as usize;
            grid.page_loaded(request.generation, request.page, Ok(page(start as i64 + 1, count, total)));
        }
        pages
    }

    #[test]
    fn only_the_pages_around_the_window_are_fetched_and_far_ones_are_dropped() {
        let mut grid = Grid::default();
        assert_eq!(serve(&mut grid, 1_000_000), vec![0, 1], "the first page tells the total");
        assert_eq!(grid.total, Some(1_000_000));
        grid.visible = Some((900_000, 900_030));
        assert_eq!(serve(&mut grid, 1_000_000), vec![8999, 9000, 9001]);
        assert!(matches!(grid.row(900_000), RowView::Loaded(c) if c.id == 900_001));
        for step in 0..60u64 {
            grid.visible = Some((step * 1000, step * 1000 + 30));
            serve(&mut grid, 1_000_000);
        }
        assert!(grid.pages.len() <= KEEP_PAGES + 3, "the cache stays small: {}", grid.pages.len());
        assert!(matches!(grid.row(900_000), RowView::Pending), "far pages were forgotten");
    }

    #[test]
    fn pages_scrolled_past_are_cancelled_and_late_ones_dropped() {
        let mut grid = Grid::default();
        serve(&mut grid, 10_000);
        grid.visible = Some((5000, 5030));
        let requests = grid.requests();
        grid.visible = Some((0, 30));
        grid.requests();
        assert!(requests.iter().all(|r| r.cancel.is_cancelled()), "the user scrolled away");
        grid.reload();
        let stale = &requests[0];
        grid.page_loaded(stale.generation, stale.page, Ok(page(5001, 100, 10_000)));
        assert!(matches!(grid.row(5000), RowView::Pending), "a page of an older generation is dropped");
    }

    #[test]
    fn shift_click_selects_a_range_that_completes_as_pages_arrive() {
        let mut grid = Grid::default();
        serve(&mut grid, 1000);
        grid.click(5);
        grid.extend_to(250);
        assert!(grid.selecting(), "rows 200..=250 are not loaded yet");
        serve(&mut grid, 1000);
        assert!(!grid.selecting());
        assert_eq!(grid.selected_count(), 246);
        assert!(grid.selection.contains(6) && grid.selection.contains(251) && !grid.selection.contains(5));
    }

    #[test]
    fn select_all_counts_every_match_and_ctrl_click_takes_some_out() {
        let mut grid = Grid::default();
        serve(&mut grid, 1_000_000);
        grid.select_all();
        assert_eq!(grid.selected_count(), 1_000_000);
        grid.toggle(3);
        assert_eq!(grid.selected_count(), 999_999);
        assert!(!grid.selection.contains(4));
    }

    #[test]
    fn the_search_looks_in_names_and_email_word_by_word() {
        let query = GridQuery { search: "ann smith".into(), ..GridQuery::default() };
        let json = query.filter().to_json();
        assert_eq!(json["$and"].as_array().unwrap().len(), 2);
        assert_eq!(json["$and"][0]["$or"][2], serde_json::json!({"Email": {"$contains": "ann"}}));
        assert_eq!(GridQuery::default().filter(), Where::All);
    }
}
