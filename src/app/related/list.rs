//! One of the contact's record lists (bookings, cases, orders) as its tab scrolls through
//! it: a [`PageWindow`] over the site's pages, each page loaded by the tab's own promise.

use futures::future::BoxFuture;
use poll_promise::Promise;
use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Booking, Case, ReadClient, ContactId, ListQuery, Order, OrderBy, Page, Where};
use crate::app::effects::TaskResult;
use crate::app::pages::{PageFetch, PageWindow};
use crate::app::tasks::TaskRunner;

/// Rows asked for per page (a site that caps lower is followed).
const PAGE_SIZE: u32 = crate::api::assumed::DEFAULT_LIMIT;

/// Every list of the contact, newest first: the tabs and the activity timeline read them in
/// this one order, so that a record's place in the timeline's walk is its row in its tab.
pub fn newest_first() -> ListQuery {
    ListQuery::new(Where::All).order_by(OrderBy::desc("CreatedDateTime"))
}

/// A record the contact's lists hold.
pub trait Record: Send + Sized + 'static {
    fn fetch(client: ReadClient, contact: ContactId, query: ListQuery) -> BoxFuture<'static, Result<Page<Self>, ApiError>>;
    fn id(&self) -> i64;
}

impl Record for Booking {
    fn fetch(client: ReadClient, contact: ContactId, query: ListQuery) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_bookings(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl Record for Case {
    fn fetch(client: ReadClient, contact: ContactId, query: ListQuery) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_cases(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

impl Record for Order {
    fn fetch(client: ReadClient, contact: ContactId, query: ListQuery) -> BoxFuture<'static, Result<Page<Self>, ApiError>> {
        Box::pin(async move { client.list_orders(contact, &query).await })
    }
    fn id(&self) -> i64 {
        self.id
    }
}

struct Loading<T: Send + 'static> {
    generation: u64,
    page: u64,
    promise: Promise<Result<Page<T>, ApiError>>,
}

pub struct RecordList<T: Record> {
    window: PageWindow<T>,
    loading: Vec<Loading<T>>,
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
        Self {
            window: PageWindow::new(PAGE_SIZE),
            loading: Vec::new(),
            visible: None,
            selected: None,
            scroll_to: None,
            wanted: false,
        }
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
        !self.loading.is_empty()
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
        self.loading.clear();
    }

    /// Starts the pages the tab needs now, if it is `shown` (or was shown before).
    pub fn fetch(&mut self, shown: bool, client: &ReadClient, contact: ContactId, tasks: &TaskRunner<TaskResult>) {
        self.wanted |= shown;
        if !self.wanted || self.window.error.is_some() {
            return;
        }
        for PageFetch { generation, page, offset, limit, cancel } in self.window.requests(self.visible) {
            let query = newest_first().page(offset, limit);
            let work = T::fetch(client.clone(), contact, query);
            let promise = tasks.promise(cancellable(cancel, work));
            self.loading.push(Loading { generation, page, promise });
        }
    }

    /// Takes in the pages that arrived. Called while drawing.
    pub fn poll(&mut self) {
        for loading in std::mem::take(&mut self.loading) {
            match loading.promise.try_take() {
                Ok(result) => {
                    self.window.page_loaded(loading.generation, loading.page, result);
                }
                Err(promise) => self.loading.push(Loading { promise, ..loading }),
            }
        }
    }
}

async fn cancellable<T>(
    cancel: CancellationToken,
    work: BoxFuture<'static, Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(ApiError::Cancelled),
        result = work => result,
    }
}
