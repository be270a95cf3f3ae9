//! A window of pages over a long list that the site pages with `Offset/Limit`: the pages
//! around what is on screen are fetched, the farthest are forgotten, and pages scrolled past
//! while loading are cancelled. The contact grid and the contact's related lists (orders,
//! bookings, cases) both scroll through one, so a list of any length is never held whole.

use std::cell::Cell;
use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Page};

/// Pages fetched beyond the visible ones, each way, so that scrolling finds rows ready.
const MARGIN_PAGES: u64 = 1;
/// Pages kept at most; the ones farthest from the visible window go first.
pub const KEEP_PAGES: usize = 24;
/// A page still loading this far (in pages) from the window is no longer wanted.
const CANCEL_DISTANCE: u64 = 3;

enum Slot<T> {
    Loading {
        cancel: CancellationToken,
    },
    /// `used`: when a row of it was last drawn, for forgetting the least used pages.
    Loaded {
        rows: Vec<T>,
        used: Cell<u64>,
    },
}

/// A page to fetch: `Offset` and `Limit` for this generation of the window, and the token
/// that cancels it when the user has scrolled away.
pub struct PageFetch {
    pub generation: u64,
    pub page: u64,
    pub offset: u64,
    pub limit: u32,
    pub cancel: CancellationToken,
}

pub struct PageWindow<T> {
    /// Bumped whenever the list is loaded again: late pages are dropped.
    generation: u64,
    /// `TotalItemsCount`, once known.
    total: Option<u64>,
    /// The total is an older generation's: shown until a page tells the new one, but never
    /// used to decide what to fetch (a query that matched nothing must not stop the next
    /// one from asking for its first page).
    total_is_stale: bool,
    /// Rows a page holds: what we ask for, or fewer once the site is seen to cap pages.
    page_size: u32,
    pages: HashMap<u64, Slot<T>>,
    tick: Cell<u64>,
    /// The last failure to load, until a page loads again.
    pub error: Option<String>,
}

impl<T> PageWindow<T> {
    /// A window asking for `page_size` rows a page (a site that caps lower is followed).
    pub fn new(page_size: u32) -> Self {
        Self {
            generation: 0,
            total: None,
            total_is_stale: false,
            page_size: page_size.max(1),
            pages: HashMap::new(),
            tick: Cell::new(0),
            error: None,
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    /// Rows a page holds on this site.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// How many rows the list has, once the first page told.
    pub fn total(&self) -> Option<u64> {
        self.total
    }

    /// The total of this generation, not an older one's.
    fn current_total(&self) -> Option<u64> {
        self.total.filter(|_| !self.total_is_stale)
    }

    /// Drops everything loaded (keeping the total until a page tells it again), and cancels
    /// what is loading.
    pub fn reload(&mut self) {
        self.generation += 1;
        self.total_is_stale = true;
        for slot in self.pages.values() {
            if let Slot::Loading { cancel } = slot {
                cancel.cancel();
            }
        }
        self.pages.clear();
    }

    /// The page holding row `index`, and the row's place in it.
    fn locate(&self, index: u64) -> (u64, usize) {
        let size = u64::from(self.page_size);
        (index / size, (index % size) as usize)
    }

    /// The row at `index` as the list draws it (marking its page used), or `None` while its
    /// page is not in.
    pub fn row(&self, index: u64) -> Option<&T> {
        self.tick.set(self.tick.get() + 1);
        let (page, offset) = self.locate(index);
        match self.pages.get(&page) {
            Some(Slot::Loaded { rows, used }) => {
                used.set(self.tick.get());
                rows.get(offset)
            }
            _ => None,
        }
    }

    /// A loaded row, without marking it used (for looking, not drawing).
    pub fn peek(&self, index: u64) -> Option<&T> {
        let (page, offset) = self.locate(index);
        match self.pages.get(&page) {
            Some(Slot::Loaded { rows, .. }) => rows.get(offset),
            _ => None,
        }
    }

    /// Every loaded row with its index, in no particular order.
    pub fn loaded(&self) -> impl Iterator<Item = (u64, &T)> {
        let size = u64::from(self.page_size);
        self.pages.iter().flat_map(move |(page, slot)| match slot {
            Slot::Loaded { rows, .. } => {
                rows.iter().enumerate().map(|(at, row)| (page * size + at as u64, row)).collect()
            }
            Slot::Loading { .. } => Vec::new(),
        })
    }

    /// Every loaded row, to change in place.
    pub fn loaded_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.pages.values_mut().flat_map(|slot| match slot {
            Slot::Loaded { rows, .. } => rows.iter_mut(),
            Slot::Loading { .. } => [].iter_mut(),
        })
    }

    pub fn loading_pages(&self) -> usize {
        self.pages.values().filter(|s| matches!(s, Slot::Loading { .. })).count()
    }

    /// Pages held now (loaded or loading).
    pub fn held_pages(&self) -> usize {
        self.pages.len()
    }

    /// The pages to fetch for the rows `visible` now (and a margin; the first page when
    /// nothing is drawn yet): also cancels pages no longer wanted and forgets the farthest
    /// loaded ones.
    pub fn requests(&mut self, visible: Option<(u64, u64)>) -> Vec<PageFetch> {
        let (first, last) = visible.unwrap_or((0, 0));
        let size = u64::from(self.page_size);
        // An older generation's total does not bound what is asked: it could be 0 and ask
        // for nothing. Any page of this generation tells the new total.
        let known_total = self.current_total();
        let first_page = (first / size).saturating_sub(MARGIN_PAGES);
        let mut last_page = last / size + MARGIN_PAGES;
        if let Some(total) = known_total {
            last_page = last_page.min(total.saturating_sub(1) / size);
        }
        let distance = |page: u64| {
            if page < first_page { first_page - page } else { page.saturating_sub(last_page) }
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
        let mut requests = Vec::new();
        for page in first_page..=last_page {
            if self.pages.contains_key(&page) || known_total.is_some_and(|t| page * size >= t) {
                continue;
            }
            let cancel = CancellationToken::new();
            self.pages.insert(page, Slot::Loading { cancel: cancel.clone() });
            requests.push(PageFetch {
                generation: self.generation,
                page,
                offset: page * size,
                limit: self.page_size,
                cancel,
            });
        }
        requests
    }

    /// Folds a fetched page in; a page of an older generation is dropped. Returns whether
    /// the page was stored.
    pub fn page_loaded(&mut self, generation: u64, page: u64, result: Result<Page<T>, ApiError>) -> bool {
        if !self.is_current(generation) {
            return false;
        }
        match result {
            Ok(mut loaded) => {
                self.error = None;
                if let Some(total) = loaded.total_items_count {
                    self.total = Some(total);
                    self.total_is_stale = false;
                }
                loaded.items.truncate(self.page_size as usize);
                let Some(page) = self.follow_page_cap(page, loaded.items.len()) else { return false };
                self.tick.set(self.tick.get() + 1);
                self.pages.insert(page, Slot::Loaded { rows: loaded.items, used: Cell::new(self.tick.get()) });
                true
            }
            Err(ApiError::Cancelled) => {
                self.pages.remove(&page);
                false
            }
            Err(error) => {
                self.pages.remove(&page);
                self.error = Some(error.to_string());
                if page == 0 && self.current_total().is_none() {
                    self.total = Some(0);
                    self.total_is_stale = false;
                }
                false
            }
        }
    }

    /// A page shorter than asked that is not the last one means that the site caps pages
    /// lower than we ask: from now on a page is that size. What was asked at the old size is
    /// dropped (and asked again); the page that told us is kept if it starts a page of the
    /// new size. Returns where the page goes now, if anywhere.
    fn follow_page_cap(&mut self, page: u64, received: usize) -> Option<u64> {
        let offset = page * u64::from(self.page_size);
        let ends_the_list = self.total.is_none_or(|total| offset + received as u64 >= total);
        if received == 0 || received >= self.page_size as usize || ends_the_list {
            return Some(page);
        }
        tracing::info!(asked = self.page_size, received, "the site caps pages; following its size");
        self.page_size = received as u32;
        self.reload();
        let size = u64::from(self.page_size);
        offset.is_multiple_of(size).then_some(offset / size)
    }
}
