//! The grid's rows: a small cache of pages around what is on screen (the rows of a
//! million-contact query are never all held: the grid knows the total, and asks for the
//! pages the table is about to draw), the selection, and what the loaded rows say about the
//! site's reading of the filter.

use std::collections::{BTreeSet, HashSet};

use crate::api::fields::custom_fields_of;
use crate::api::{ApiError, Contact, ContactId, ContactScope, Page, RowCheck, Rows, Selection};

use super::super::pages::{KEEP_PAGES, PageFetch};
use super::super::text::thousands;
use super::{Grid, GridQuery, PageRequest, RowView};

impl Grid {
    pub fn generation(&self) -> u64 {
        self.window.generation()
    }

    /// Rows a page holds on this site.
    pub fn page_size(&self) -> u32 {
        self.window.page_size()
    }

    /// `TotalItemsCount` of the query, once known.
    pub fn total(&self) -> Option<u64> {
        self.window.total()
    }

    /// The last failure to load, until a page loads again.
    pub fn error(&self) -> Option<&str> {
        self.window.error.as_deref()
    }

    /// Changes with every in-place change of a loaded row.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Puts a saved copy in place of the loaded row of the same contact.
    pub fn replace_loaded(&mut self, contact: &Contact) {
        for row in self.window.loaded_mut().filter(|row| row.id == contact.id) {
            *row = contact.clone();
            self.revision += 1;
        }
    }

    /// Shows the query again with `id` selected (a contact just created: it is found wherever
    /// the site's order puts it).
    pub fn select_contact(&mut self, id: ContactId) {
        self.selection = Selection::ids([id]);
        self.cursor = None;
        self.reload();
    }

    /// What the loaded rows say about the site's reading of the filter: rows outside it, or a
    /// filter the app cannot check. Worked out when pages arrive, not each frame.
    pub fn filter_warning(&self) -> Option<&str> {
        self.filter_warning.as_deref()
    }

    fn update_filter_warning(&mut self) {
        let filter = self.query.filter();
        self.filter_warning = if self.rows_repeat {
            Some(
                "This site seems to ignore Offset: the same contacts come back on different pages, so rows below \
                 repeat. Check the site (Site > Check this site…)."
                    .to_owned(),
            )
        } else if !filter.is_checkable() {
            Some(format!(
                "This app cannot check this filter (raw JSON outside the filters it knows): the rows below are as the \
                 site sent them, and may not all match {}.",
                filter.describe()
            ))
        } else {
            let (failing, rows) = self.outside_filter.values().fold((0, 0), |(f, r), (pf, pr)| (f + pf, r + pr));
            (failing > 0).then(|| {
                let seems = if failing * 2 >= rows { "ignored" } else { "misread" };
                format!(
                    "This site {seems} the filter: the rows below do not all match {} ({} of the {} loaded rows do \
                     not).",
                    filter.describe(),
                    thousands(failing),
                    thousands(rows)
                )
            })
        };
    }

    /// The contact the cursor moved to, once its row is loaded (asked once per move).
    pub fn take_cursor_contact(&mut self) -> Option<ContactId> {
        let id = self.cursor.filter(|_| self.cursor_moved).and_then(|index| self.id_at(index))?;
        self.cursor_moved = false;
        Some(id)
    }

    /// Every move counts, even to the same row: after the user kept the pane on another
    /// contact (unsaved changes), clicking this row again asks again.
    fn move_cursor_to(&mut self, index: u64) {
        self.cursor_moved = true;
        self.cursor = Some(index);
    }

    /// Shows another query: everything loaded is dropped, the selection too.
    pub fn set_query(&mut self, query: GridQuery) {
        if query == self.query {
            return;
        }
        self.query = query;
        self.outside_filter.clear();
        self.rows_repeat = false;
        self.update_filter_warning();
        self.selection = Selection::default();
        self.cursor = None;
        self.anchor = None;
        self.scroll_to = Some(0);
        // A new query starts at the top: its first pages are the ones to ask for.
        self.visible = None;
        self.reload();
    }

    /// Loads again what is on screen, keeping the scroll position and the selection.
    pub fn reload(&mut self) {
        self.window.reload();
    }

    /// The row at `index` as the table draws it, or `Pending` while its page is not in.
    pub fn row(&self, index: u64) -> RowView<'_> {
        self.window.row(index).map_or(RowView::Pending, RowView::Loaded)
    }

    /// The pages to fetch for what the table shows now (and a margin). A selection never
    /// adds pages: it is a description, resolved when an action runs.
    pub fn requests(&mut self) -> Vec<PageRequest> {
        let query = self.query.list_query();
        let fetches = self.window.requests(self.visible);
        let request = |PageFetch { generation, page, offset, limit, cancel }| PageRequest {
            generation,
            page,
            query: query.clone().page(offset, limit),
            cancel,
        };
        fetches.into_iter().map(request).collect()
    }

    /// Folds a fetched page in (a page of an older generation is dropped). Returns whether it
    /// brought custom fields not seen before.
    pub fn page_loaded(&mut self, generation: u64, page: u64, result: Result<Page<Contact>, ApiError>) -> bool {
        let mut new_fields = false;
        if let Ok(loaded) = &result
            && self.window.is_current(generation)
        {
            if self.checked_generation != generation {
                self.outside_filter.clear();
                self.rows_repeat = false;
                self.checked_generation = generation;
            }
            let filter = self.query.filter();
            if !filter.is_all()
                && let Some(check) = RowCheck::new(&filter)
            {
                let failing = loaded.items.iter().filter(|contact| !check.matches(contact)).count() as u64;
                self.outside_filter.insert(page, (failing, loaded.items.len() as u64));
            }
            // A site that ignores Offset sends the same rows for every page. (A row or two met
            // again is a contact that moved between pages while others write: not counted.)
            let size = u64::from(self.window.page_size().max(1));
            let ids: HashSet<ContactId> = loaded.items.iter().map(|contact| contact.id).collect();
            let again = self
                .window
                .loaded()
                .filter(|(index, contact)| index / size != page && ids.contains(&contact.id))
                .count();
            self.rows_repeat |= again >= 2 && again * 2 >= ids.len();
            self.update_filter_warning();
            for (group, field) in loaded.items.iter().flat_map(custom_fields_of) {
                if !self.custom_fields.iter().any(|(g, f)| g == group && f == field) {
                    self.custom_fields.insert((group.to_owned(), field.to_owned()));
                    new_fields = true;
                }
            }
        }
        if self.window.page_loaded(generation, page, result) {
            self.resolve_loaded_range();
        }
        new_fields
    }

    pub fn loading_pages(&self) -> usize {
        self.window.loading_pages()
    }

    /// A loaded row, without marking it used (for looking, not drawing).
    pub fn peek(&self, index: u64) -> Option<&Contact> {
        self.window.peek(index)
    }

    /// A custom value as a loaded contact has it (to tell the field's kind).
    pub fn loaded_value(&self, group: &str, field: &str) -> Option<&serde_json::Value> {
        self.window.loaded().find_map(|(_, c)| c.custom_crm_groups.get(group)?.get(field))
    }

    /// The values a field has among the loaded contacts (the known ones of the contract
    /// first), for the editor's drop-downs: sorted, without duplicates or empties.
    pub fn field_choices(&self, field: &str) -> Vec<String> {
        let known = crate::api::model::KNOWN_VALUES.iter().find(|(name, _)| *name == field);
        let known = known.map(|(_, values)| *values).unwrap_or_default();
        // Drawn each frame the pane shows: values are borrowed until the few distinct ones.
        let values = self.window.loaded().map(|(_, c)| crate::api::fields::field_value(c, field));
        let seen: BTreeSet<std::borrow::Cow<'_, str>> = values
            .map(|value| match value {
                crate::api::fields::FieldValue::Text(text) => std::borrow::Cow::Borrowed(text.trim()),
                other => std::borrow::Cow::Owned(other.to_text(|_| String::new()).trim().to_owned()),
            })
            .filter(|text| !text.is_empty() && !known.contains(&text.as_ref()))
            .collect();
        known.iter().map(|v| (*v).to_owned()).chain(seen.into_iter().map(|text| text.into_owned())).collect()
    }

    /// Contacts loaded now, for the selection's ids (the grid never holds them all).
    pub fn loaded_contact(&self, id: ContactId) -> Option<&Contact> {
        self.window.loaded().map(|(_, c)| c).find(|c| c.id == id)
    }

    fn id_at(&self, index: u64) -> Option<ContactId> {
        self.peek(index).map(|c| c.id)
    }

    /// A plain click (or the keyboard moving there): this row alone.
    pub fn click(&mut self, index: u64) {
        self.selection = Selection::range(index, index);
        self.move_cursor_to(index);
        self.anchor = Some(index);
        self.resolve_loaded_range();
    }

    /// Ctrl+click: this row in or out.
    pub fn toggle(&mut self, index: u64) {
        if let Some(id) = self.id_at(index) {
            self.selection.toggle(index, id);
        }
        self.move_cursor_to(index);
        self.anchor = Some(index);
    }

    /// Shift+click: every row from the anchor to this one, loaded or not.
    pub fn extend_to(&mut self, index: u64) {
        let anchor = self.anchor.unwrap_or(index);
        self.selection = Selection::range(anchor, index);
        self.move_cursor_to(index);
        self.resolve_loaded_range();
    }

    /// A range whose rows are all loaded becomes their ids: it then follows those contacts
    /// through a refresh, as a selection of a few rows should. A range over rows not loaded
    /// stays a description (nothing is fetched to select it).
    fn resolve_loaded_range(&mut self) {
        let Rows::Range { first, last } = self.selection.rows else { return };
        let size = u64::from(self.page_size());
        if last / size - first / size >= KEEP_PAGES as u64 {
            return;
        }
        let Some(ids) = (first..=last).map(|index| self.id_at(index)).collect::<Option<Vec<_>>>() else { return };
        let selection = std::mem::take(&mut self.selection);
        let rows = ids.into_iter().filter(|id| !selection.except.contains(id));
        self.selection = Selection::ids(rows.chain(selection.also));
    }

    /// Ctrl+A: every contact that matches, loaded or not.
    pub fn select_all(&mut self) {
        self.selection = Selection::all();
    }

    /// Moves the keyboard focus to row `target`, selecting the row; with `extend`, the
    /// selection runs from the anchor.
    pub fn move_cursor(&mut self, target: u64, extend: bool) {
        let Some(total) = self.total().filter(|t| *t > 0) else { return };
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
            .window
            .loaded()
            .filter(|(index, c)| self.selection.contains(*index, c.id))
            .map(|(_, c)| c.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Drops selected ids that no longer exist (after a refresh found them gone).
    pub fn keep_selected(&mut self, existing: &BTreeSet<ContactId>) {
        self.selection.also.retain(|id| existing.contains(id));
    }

    /// How many contacts are selected.
    pub fn selected_count(&self) -> u64 {
        self.selection.count(self.total().unwrap_or(0))
    }

    /// The selection frozen with the query it was made in: what a confirmed action acts on.
    pub fn selection_scope(&self) -> ContactScope {
        ContactScope { query: self.query.list_query(), selection: self.selection.clone() }
    }

    /// Every contact the query matches, frozen likewise.
    pub fn matching_scope(&self) -> ContactScope {
        ContactScope::matching(self.query.list_query(), BTreeSet::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Where;
    use crate::app::filter::FilterSpec;

    fn page(first_id: i64, count: usize, total: u64) -> Page<Contact> {
        let items = (0..count as i64).map(|i| Contact { id: first_id + i, ..Contact::default() }).collect();
        Page::new(items, total)
    }

    /// Answers every request as a site that returns at most `cap` rows a page would, with
    /// rows whose id is their index + 1. Returns the pages asked for.
    fn serve_capped(grid: &mut Grid, total: u64, cap: u32) -> Vec<u64> {
        let requests = grid.requests();
        let pages: Vec<u64> = requests.iter().map(|r| r.page).collect();
        for request in requests {
            let start = request.query.offset;
            let count = u64::from(request.query.limit.min(cap)).min(total.saturating_sub(start)) as usize;
            grid.page_loaded(request.generation, request.page, Ok(page(start as i64 + 1, count, total)));
        }
        pages
    }

    fn serve(grid: &mut Grid, total: u64) -> Vec<u64> {
        serve_capped(grid, total, 500)
    }

    #[test]
    fn rows_outside_the_search_are_shown_under_a_banner_and_a_raw_filter_is_flagged() {
        let mut grid = Grid::default();
        grid.set_query(GridQuery { search: "obrien".into(), ..GridQuery::default() });
        let request = grid.requests().remove(0);
        let mut rows = page(1, 100, 3000);
        rows.items[0].last_name = Some("O'Brien-OBRIEN".into());
        rows.items[1].email = "obrien@example.com".into();
        grid.page_loaded(request.generation, request.page, Ok(rows));
        let warning = grid.filter_warning().expect("a banner");
        assert!(warning.starts_with("This site ignored the filter: the rows below do not all match"), "{warning}");
        assert!(warning.contains("98 of the 100 loaded rows"), "{warning}");
        assert!(matches!(grid.row(0), RowView::Loaded(_)) && matches!(grid.row(99), RowView::Loaded(_)), "shown");

        grid.set_query(GridQuery { search: "example".into(), ..GridQuery::default() });
        let request = grid.requests().remove(0);
        let mut rows = page(1, 10, 10);
        rows.items.iter_mut().for_each(|c| c.email = format!("{}@Example.com", c.id));
        grid.page_loaded(request.generation, request.page, Ok(rows));
        assert_eq!(grid.filter_warning(), None, "every row matches");

        // One contact met again on the next page (it moved while others wrote): no banner.
        grid.set_query(GridQuery { search: "x".into(), ..GridQuery::default() });
        grid.set_query(GridQuery::default());
        grid.visible = Some((0, 150));
        for request in grid.requests() {
            let first = if request.page == 0 { 1 } else { request.page as i64 * 100 };
            grid.page_loaded(request.generation, request.page, Ok(page(first, 100, 3000)));
        }
        assert_eq!(grid.filter_warning(), None);

        // Every page the first one again: a site that ignores Offset.
        grid.set_query(GridQuery { search: "y".into(), ..GridQuery::default() });
        grid.set_query(GridQuery::default());
        grid.visible = Some((0, 150));
        for request in grid.requests() {
            grid.page_loaded(request.generation, request.page, Ok(page(1, 100, 3000)));
        }
        assert!(
            grid.filter_warning().is_some_and(|w| w.contains("seems to ignore Offset")),
            "{:?}",
            grid.filter_warning()
        );

        let raw = FilterSpec { raw: Some(serde_json::json!({"City": {"$like": "A%"}})), ..FilterSpec::default() };
        grid.set_query(GridQuery { filter: raw, ..GridQuery::default() });
        assert!(grid.filter_warning().is_some_and(|w| w.contains("cannot check this filter")));
    }

    #[test]
    fn only_the_pages_around_the_window_are_fetched_and_far_ones_are_dropped() {
        let mut grid = Grid::default();
        assert_eq!(serve(&mut grid, 1_000_000), vec![0, 1], "the first page tells the total");
        assert_eq!(grid.total(), Some(1_000_000));
        grid.visible = Some((900_000, 900_030));
        assert_eq!(serve(&mut grid, 1_000_000), vec![8999, 9000, 9001]);
        assert!(matches!(grid.row(900_000), RowView::Loaded(c) if c.id == 900_001));
        for step in 0..60u64 {
            grid.visible = Some((step * 1000, step * 1000 + 30));
            serve(&mut grid, 1_000_000);
        }
        assert!(grid.window.held_pages() <= KEEP_PAGES + 3, "the cache stays small: {}", grid.window.held_pages());
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
    fn a_shift_range_over_rows_not_loaded_fetches_only_the_window() {
        let mut grid = Grid::default();
        serve(&mut grid, 1_000_000);
        grid.click(10);
        grid.visible = Some((899_980, 900_010));
        let mut asked = serve(&mut grid, 1_000_000);
        grid.extend_to(900_000);
        for _ in 0..10 {
            asked.extend(serve(&mut grid, 1_000_000));
        }
        assert_eq!(asked, vec![8998, 8999, 9000, 9001], "the window and its margin, once");
        assert_eq!(grid.selection.rows, Rows::Range { first: 10, last: 900_000 });
        assert_eq!(grid.selected_count(), 899_991);
        assert!(grid.selection.contains(900_000, 900_001) && !grid.selection.contains(9, 10));
        let scope = grid.selection_scope();
        assert_eq!(scope.known_count(), Some(899_991));
    }

    #[test]
    fn a_shift_range_over_loaded_rows_becomes_their_ids() {
        let mut grid = Grid::default();
        serve(&mut grid, 1000);
        grid.click(5);
        grid.extend_to(150);
        assert_eq!(grid.selection.only_ids().map(BTreeSet::len), Some(146));
        assert!(grid.selection.contains(999, 6) && grid.selection.contains(0, 151), "ids, wherever they move");
        grid.extend_to(250);
        assert_eq!(grid.selection.rows, Rows::Range { first: 5, last: 250 }, "rows 200.. are not loaded");
        assert_eq!(grid.selected_count(), 246);
    }

    #[test]
    fn a_site_that_caps_pages_lower_is_followed_and_no_row_stays_pending() {
        let mut grid = Grid::default();
        let total = 1_000;
        serve_capped(&mut grid, total, 20);
        assert_eq!(grid.page_size(), 20);
        for first in (0..total).step_by(7) {
            grid.visible = Some((first, (first + 30).min(total - 1)));
            for _ in 0..3 {
                serve_capped(&mut grid, total, 20);
            }
            for index in first..=(first + 30).min(total - 1) {
                assert!(matches!(grid.row(index), RowView::Loaded(c) if c.id == index as i64 + 1), "row {index}");
            }
        }
    }

    #[test]
    fn select_all_counts_every_match_and_ctrl_click_takes_some_out() {
        let mut grid = Grid::default();
        serve(&mut grid, 1_000_000);
        grid.select_all();
        assert_eq!(grid.selected_count(), 1_000_000);
        grid.toggle(3);
        assert_eq!(grid.selected_count(), 999_999);
        assert!(!grid.selection.contains(3, 4));
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
