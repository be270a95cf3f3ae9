//! One of the contact's record lists (bookings, cases, orders) as its tab scrolls through
//! it: a [`PageWindow`] over the site's pages, each page a task whose result folds back in
//! through the tabs' [`super::RelatedResult`].

use futures::future::BoxFuture;

use crate::api::{ApiError, Booking, Case, ContactId, ListQuery, Order, OrderBy, Page, ReadClient, Where};
use crate::app::pages::{PageFetch, PageWindow};

use super::{RelatedPart, Visit};

/// Rows asked for per page (a site that caps lower is followed).
const PAGE_SIZE: u32 = crate::api::assumed::DEFAULT_LIMIT;

/// Every list of the contact, newest first: the tabs and the activity timeline read them in
/// this one order, so that a record's place in the timeline's walk is its row in its tab.
pub fn newest_first() -> ListQuery {
    ListQuery::new(Where::All).order_by(OrderBy::desc("CreatedDateTime"))
}

/// A record the contact's lists hold.
pub trait Record: Send + Sized + 'static {
    fn fetch(
        client: ReadClient,
        contact: ContactId,
        query: ListQuery,
    ) -> BoxFuture<'static, Result<Page<Self>, ApiError>>;
    fn id(&self) -> i64;
    /// A fetched page, as the tabs' result carries it.
    fn arrived(generation: u64, page: u64, result: Result<Page<Self>, ApiError>) -> RelatedPart;
}

impl Record for Booking {
    fn arrived(generation: u64, page: u64, result: Result<Page<Self>, ApiError>) -> RelatedPart {
        RelatedPart::Bookings { generation, page, result }
    }
    fn fetch(
        client: ReadClient,
        contact: ContactId,
        query: ListQuery,
    ) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_bookings(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl Record for Case {
    fn arrived(generation: u64, page: u64, result: Result<Page<Self>, ApiError>) -> RelatedPart {
        RelatedPart::Cases { generation, page, result }
    }
    fn fetch(
        client: ReadClient,
        contact: ContactId,
        query: ListQuery,
    ) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_cases(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl Record for Order {
    fn arrived(generation: u64, page: u64, result: Result<Page<Self>, ApiError>) -> RelatedPart {
        RelatedPart::Orders { generation, page, result }
    }
    fn fetch(
        client: ReadClient,
        contact: ContactId,
        query: ListQuery,
    ) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_orders(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

pub struct RecordList<T: Record> {
    window: PageWindow<T>,
    /// The first and last row the list drew last frame.
    pub visible: Option<(u64, u64)>,
    /// The row whose record shows below the list.
    pub selected: Option<u64>,
    /// A row the list should scroll to on its next frame.
    pub scroll_to: Option<u64>,
    /// Nothing is fetched before the tab is first shown.
    wanted: bool,
}

impl<T: Record> Default for RecordList<T> {
    fn default() -> Self {
        Self { window: PageWindow::new(PAGE_SIZE), visible: None, selected: None, scroll_to: None, wanted: false }
    }
}

impl<T: Record> RecordList<T> {
    /// How many records the contact has, once the first page told.
    pub fn total(&self) -> Option<u64> {
        // A first page that failed tells nothing (the window counts it as none).
        let failed_first = self.window.error.is_some() && self.window.loaded().next().is_none();
        self.window.total().filter(|_| !failed_first)
    }

    pub fn error(&self) -> Option<&str> {
        self.window.error.as_deref()
    }

    pub fn is_loading(&self) -> bool {
        self.window.loading_pages() > 0
    }

    pub fn row(&self, index: u64) -> Option<&T> {
        self.window.row(index)
    }

    pub fn selected_record(&self) -> Option<&T> {
        self.selected.and_then(|index| self.window.peek(index))
    }

    /// Shows the record at `index` (from the timeline or a link): selected, scrolled to.
    pub fn show(&mut self, index: u64) {
        self.wanted = true;
        self.selected = Some(index);
        self.scroll_to = Some(index);
        self.visible = Some((index, index));
    }

    /// Loads again (F5, Retry), keeping the place and the selection.
    pub fn reload(&mut self) {
        if self.total().is_none() {
            // Nothing was read (or the first page failed): start over, asking for the total.
            self.window = PageWindow::new(PAGE_SIZE);
        }
        self.window.reload();
        self.window.error = None;
    }

    /// Starts the pages the tab needs now, if it is `shown` (or was shown before).
    pub fn fetch(&mut self, shown: bool, client: &ReadClient, contact: ContactId, visit: &mut Visit<'_>) {
        self.wanted |= shown;
        if !self.wanted || self.window.error.is_some() {
            return;
        }
        for PageFetch { generation, page, offset, limit, cancel } in self.window.requests(self.visible) {
            let work = T::fetch(client.clone(), contact, newest_first().page(offset, limit));
            // A page scrolled far away is cancelled: it returns nothing, and the window has
            // let go of it already.
            visit.spawn_unlisted(cancel, async move { T::arrived(generation, page, work.await) });
        }
    }

    /// Folds a fetched page in (one of an older generation is dropped).
    pub fn page_loaded(&mut self, generation: u64, page: u64, result: Result<Page<T>, ApiError>) {
        self.window.page_loaded(generation, page, result);
    }
}
