//! The contact grid, as a feature: what it shows (query, a cache of pages around the screen,
//! the selection), its commands (refresh, another query, open a contact in a window), the
//! work they start, and the fold of what comes back. The parts: `query` (what is asked of
//! the site), `rows` (pages, selection, filter checks), `windows` (read-only contact windows).

mod query;
mod rows;
mod windows;

use std::collections::{BTreeMap, BTreeSet};

use tokio_util::sync::CancellationToken;

use crate::api::paging::PagingOptions;
use crate::api::selection::existing_ids;
use crate::api::{ApiError, Contact, ContactId, ListQuery, Page, Selection};

use super::effects::{Effects, Feature, TaskResult};
use super::pages::PageWindow;

pub use query::GridQuery;
pub use windows::ContactWindow;

/// Rows asked for per request; a site that caps pages lower is followed (see `page_size`).
pub const PAGE_SIZE: u32 = 100;

/// What the UI may ask of the grid.
#[derive(Debug)]
pub enum GridCommand {
    /// Loads the grid again, keeping its scroll position and the selection of the contacts
    /// that still exist.
    Refresh,
    /// Shows another filter, search or sort.
    SetQuery(GridQuery),
    /// Opens a contact in a window of its own, read fresh from the site.
    OpenContact(ContactId),
    /// Closes a contact's window.
    CloseContact(ContactId),
}

/// What the grid's work hands back.
pub enum GridResult {
    Page {
        generation: u64,
        page: u64,
        result: Result<Page<Contact>, ApiError>,
    },
    /// Which of the selected ids still exist after a refresh.
    SelectionChecked(Result<BTreeSet<ContactId>, ApiError>),
    ContactOpened {
        id: ContactId,
        result: Result<Box<Contact>, ApiError>,
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

pub struct Grid {
    /// Contacts opened in windows of their own (read-only), in the order opened.
    pub windows: Vec<ContactWindow>,
    pub query: GridQuery,
    /// The query's rows around what is on screen; a new generation when the query changes
    /// or the data is refreshed.
    window: PageWindow<Contact>,
    pub selection: Selection,
    /// The row with the keyboard focus.
    pub cursor: Option<u64>,
    /// Where a Shift+click range starts.
    anchor: Option<u64>,
    /// Every `CustomCrmGroups` group and field seen on a loaded contact.
    pub custom_fields: BTreeSet<(String, String)>,
    /// The first and last row the table drew last frame.
    pub visible: Option<(u64, u64)>,
    /// A row the table should scroll to on its next frame.
    pub scroll_to: Option<u64>,
    /// The row whose context menu is open (only that row needs to draw one).
    pub menu_row: Option<u64>,
    /// Bumped when a loaded row changes in place (a saved contact), so that its cells are
    /// laid out again.
    revision: u64,
    /// Per loaded page of this generation: its rows outside the filter, and its rows. Shown,
    /// never hidden: the user sees what the site did.
    outside_filter: BTreeMap<u64, (u64, u64)>,
    /// The generation `outside_filter` counts.
    checked_generation: u64,
    /// Whether a contact came on two pages of this generation (the site ignores Offset).
    rows_repeat: bool,
    /// What the banner over the rows says, if anything.
    filter_warning: Option<String>,
    /// The cursor moved to another row, and the detail pane has not followed yet.
    cursor_moved: bool,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            windows: Vec::new(),
            query: GridQuery::default(),
            window: PageWindow::new(PAGE_SIZE),
            selection: Selection::default(),
            cursor: None,
            anchor: None,
            custom_fields: BTreeSet::new(),
            visible: None,
            scroll_to: None,
            menu_row: None,
            revision: 0,
            cursor_moved: false,
            outside_filter: BTreeMap::new(),
            checked_generation: 0,
            rows_repeat: false,
            filter_warning: None,
        }
    }
}

impl Grid {
    pub fn execute(&mut self, command: GridCommand, fx: &mut Effects) {
        match command {
            GridCommand::Refresh => self.refresh(fx),
            GridCommand::SetQuery(query) => self.set_query(query),
            GridCommand::OpenContact(id) => self.open_contact(id, fx),
            GridCommand::CloseContact(id) => self.windows.retain(|window| window.id != id),
        }
    }

    /// Folds finished work in. Returns whether the page brought custom fields not seen
    /// before (the layout adds them as columns).
    pub fn fold(&mut self, result: GridResult, fx: &mut Effects) -> bool {
        match result {
            GridResult::Page { generation, page, result } => {
                if let Err(error) = &result
                    && !matches!(error, ApiError::Cancelled)
                    && self.error().is_none()
                {
                    fx.notifications.error("Could not load the contacts", error.to_string());
                }
                return self.page_loaded(generation, page, result);
            }
            GridResult::SelectionChecked(existing) => {
                if let Ok(existing) = existing {
                    self.keep_selected(&existing);
                }
            }
            GridResult::ContactOpened { id, result } => {
                if let Some(window) = self.windows.iter_mut().find(|w| w.id == id) {
                    window.arrived(result);
                }
            }
        }
        false
    }

    /// Starts loading the pages the table asks for (after the frame told what shows).
    pub fn fetch_pages(&mut self, fx: &mut Effects) {
        let Some(client) = fx.client.clone() else { return };
        let connection = fx.connection;
        for PageRequest { generation, page, query, cancel } in self.requests() {
            let client = client.clone();
            fx.tasks.spawn_unlisted(cancel, async move {
                let result = client.list_contacts(&query).await;
                TaskResult::for_site(connection, GridResult::Page { generation, page, result })
            });
        }
    }

    /// Loads what shows again, keeping the scroll position and the selection of the
    /// contacts that still exist.
    fn refresh(&mut self, fx: &mut Effects) {
        self.reload();
        let Some(client) = fx.client.clone() else { return };
        let ids = self.selection.also.clone();
        if ids.is_empty() {
            return;
        }
        let connection = fx.connection;
        fx.tasks.spawn("Checking the selection", async move {
            let paging = PagingOptions::for_site(client.dialect());
            let existing = existing_ids(&client, ids, &paging, &CancellationToken::new()).await;
            TaskResult::for_site(connection, GridResult::SelectionChecked(existing))
        });
    }

    fn open_contact(&mut self, id: ContactId, fx: &mut Effects) {
        let Some(client) = fx.client.clone() else { return };
        if !self.windows.iter().any(|w| w.id == id) {
            let cached = self.loaded_contact(id).cloned();
            self.windows.push(ContactWindow::new(id, cached));
        }
        let connection = fx.connection;
        fx.tasks.spawn(format!("Opening contact {id}"), async move {
            let result = client.get_contact(id).await.map(Box::new);
            TaskResult::for_site(connection, GridResult::ContactOpened { id, result })
        });
    }
}

impl Feature for Grid {
    /// Another site shows another grid: nothing loaded, selected or opened stays.
    fn on_site_closed(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::notifications::Notifications;
    use crate::app::tasks::TaskRunner;

    /// Effects with no site connected: enough for folds, which start no work.
    fn with_effects(test: impl FnOnce(&mut Effects)) -> Notifications {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let mut tasks = TaskRunner::new(runtime.handle().clone(), egui::Context::default());
        let mut notifications = Notifications::default();
        let mut fx =
            Effects { tasks: &mut tasks, client: None, writes: None, connection: 1, notifications: &mut notifications };
        test(&mut fx);
        notifications
    }

    fn contact(id: ContactId, email: &str) -> Contact {
        Contact { id, email: email.to_owned(), ..Contact::default() }
    }

    #[test]
    fn a_failed_page_is_told_once_and_a_cancelled_one_not_at_all() {
        let mut grid = Grid::default();
        let told = with_effects(|fx| {
            let requests = grid.requests();
            let generation = grid.generation();
            for (page, error) in [(0, ApiError::Cancelled), (1, ApiError::RateLimited { retry_after: None })] {
                grid.fold(GridResult::Page { generation, page, result: Err(error) }, fx);
            }
            // The grid shows the failure now: a second one adds no second toast.
            let error = ApiError::RateLimited { retry_after: None };
            grid.fold(GridResult::Page { generation, page: 2, result: Err(error) }, fx);
            assert!(requests.len() >= 2, "the first frame asks for pages");
        });
        let titles: Vec<&str> = told.history().iter().map(|n| n.title.as_str()).collect();
        assert_eq!(titles, ["Could not load the contacts"]);
    }

    #[test]
    fn a_window_shows_the_grids_copy_then_the_sites_and_closes() {
        let mut grid = Grid::default();
        grid.windows.push(ContactWindow::new(7, Some(contact(7, "old@example.com"))));
        with_effects(|fx| {
            let fresh = Ok(Box::new(contact(7, "new@example.com")));
            grid.fold(GridResult::ContactOpened { id: 7, result: fresh }, fx);
            assert_eq!(grid.windows[0].contact.as_ref().map(|c| c.email.as_str()), Some("new@example.com"));
            let failed = Err(ApiError::RateLimited { retry_after: None });
            grid.fold(GridResult::ContactOpened { id: 7, result: failed }, fx);
            assert!(grid.windows[0].error.is_some(), "a failed read says so");
            assert!(grid.windows[0].contact.is_some(), "and keeps what it showed");
            grid.execute(GridCommand::CloseContact(7), fx);
        });
        assert!(grid.windows.is_empty());
    }

    #[test]
    fn a_refresh_keeps_only_the_selected_contacts_that_still_exist() {
        let mut grid = Grid { selection: Selection::ids([1, 2, 3]), ..Grid::default() };
        with_effects(|fx| {
            let existing = Ok(BTreeSet::from([1, 3]));
            grid.fold(GridResult::SelectionChecked(existing), fx);
        });
        assert_eq!(grid.selection.also, BTreeSet::from([1, 3]));
    }

    #[test]
    fn closing_the_site_lets_go_of_rows_selection_and_windows() {
        let mut grid = Grid { selection: Selection::ids([1]), cursor: Some(4), ..Grid::default() };
        grid.windows.push(ContactWindow::new(1, None));
        grid.on_site_closed();
        assert!(grid.windows.is_empty() && grid.selection.also.is_empty() && grid.cursor.is_none());
    }
}
