//! Fetching every item of a query: several pages in flight at once, delivered in order.
//!
//! The first page tells how many items there are and how many the site really returns per
//! page (it may cap `Limit`). The remaining pages are then requested a few at a time,
//! each offset advanced by what was actually received: a short page is followed by a
//! request for the rest of its slice. Work stops at `TotalItemsCount` or at an empty page.
//!
//! A walk refuses what does not hold together: a page larger than its `Limit`, or a total
//! that changes between pages (offset paging then skips or repeats rows). Under
//! [`PagingOptions::keyset`], a walk in Id order pages by `Id $gt <last id>` instead of
//! `Offset`, which holds while others write to the site and where a site ignores `Offset`.

use std::collections::BTreeMap;
use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};
use tokio_util::sync::CancellationToken;

use super::client::{Client, ReadClient};
use super::error::ApiError;
use super::guard::Distrust;
use super::model::{Contact, ContactId, Page};
use super::query::{ListQuery, OrderBy, Where};

/// Something that serves pages of a list.
pub trait PageSource<T>: Sync {
    fn fetch_page(&self, query: ListQuery) -> impl Future<Output = Result<Page<T>, ApiError>> + Send;

    /// A counter that grows with each "slow down" (429) reply the source has seen.
    fn throttle_events(&self) -> u64 {
        0
    }
}

impl PageSource<Contact> for ReadClient {
    async fn fetch_page(&self, query: ListQuery) -> Result<Page<Contact>, ApiError> {
        self.list_contacts(&query).await
    }

    fn throttle_events(&self) -> u64 {
        ReadClient::throttle_events(self)
    }
}

/// A reading and writing client lists as its reads do.
impl PageSource<Contact> for Client {
    async fn fetch_page(&self, query: ListQuery) -> Result<Page<Contact>, ApiError> {
        self.list_contacts(&query).await
    }

    fn throttle_events(&self) -> u64 {
        ReadClient::throttle_events(self)
    }
}

/// Any `Fn(ListQuery) -> Future<Page>` is a source (no throttle signal).
pub struct FnSource<F>(pub F);

impl<T, F, Fut> PageSource<T> for FnSource<F>
where
    F: Fn(ListQuery) -> Fut + Sync,
    Fut: Future<Output = Result<Page<T>, ApiError>> + Send,
{
    fn fetch_page(&self, query: ListQuery) -> impl Future<Output = Result<Page<T>, ApiError>> + Send {
        (self.0)(query)
    }
}

#[derive(Clone, Debug)]
pub struct PagingOptions {
    /// Requests in flight at most; halved (down to one) each time the site answers 429.
    pub max_in_flight: usize,
    /// The `Limit` asked for; the site may return fewer per page.
    pub page_size: u32,
    /// Walks in Id order page by `Id $gt <last id>` with `Order_By=Id` rather than by
    /// `Offset` (see [`for_each_page_by_id`]); set from the site's dialect.
    pub keyset: bool,
    /// A walk of a whole list (not a range of rows) pages by Id whatever its order, its
    /// rows then coming in Id order: the way through a site that ignores `Offset`.
    pub whole_lists_by_id: bool,
}

impl PagingOptions {
    /// The options a site's dialect allows: by Id where it honours `Id $gt`, and whole lists
    /// by Id in any order where it ignores `Offset`.
    pub fn for_site(dialect: &super::Dialect) -> Self {
        Self {
            keyset: dialect.keyset_paging,
            whole_lists_by_id: dialect.keyset_paging && !dialect.offset_honoured,
            ..Self::default()
        }
    }
}

impl Default for PagingOptions {
    fn default() -> Self {
        // A site with a lower cap than we ask is followed.
        Self { max_in_flight: 8, page_size: super::assumed::WALK_LIMIT, keyset: false, whole_lists_by_id: false }
    }
}

/// A record with an Id to page by.
pub trait Keyed {
    fn key(&self) -> ContactId;
}

impl Keyed for Contact {
    fn key(&self) -> ContactId {
        self.id
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub fetched: u64,
    /// How many items the walk will bring (from the query's offset to its end); `None`
    /// until the first page arrives, or when the site does not say.
    pub total: Option<u64>,
}

/// Every item of `query` (from its `offset` on), in order.
pub async fn fetch_all<T: Send, S: PageSource<T>>(
    source: &S,
    query: ListQuery,
    options: &PagingOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(Progress),
) -> Result<Vec<T>, ApiError> {
    let mut all = Vec::new();
    for_each_page(source, query, options, cancel, |items, done| {
        all.extend(items);
        progress(done);
    })
    .await?;
    Ok(all)
}

/// Hands every item of `query` to `deliver` in order, a page at a time, holding no more
/// than a window of pages: what an export streams to a file.
pub async fn for_each_page<T: Send, S: PageSource<T>>(
    source: &S,
    query: ListQuery,
    options: &PagingOptions,
    cancel: &CancellationToken,
    deliver: impl FnMut(Vec<T>, Progress),
) -> Result<(), ApiError> {
    for_each_page_until(source, query, None, options, cancel, deliver).await
}

/// As [`for_each_page`], stopping before the item at `until` (an offset in the query's
/// order) when given: a range of rows, fetched as the site pages it.
pub async fn for_each_page_until<T: Send, S: PageSource<T>>(
    source: &S,
    query: ListQuery,
    until: Option<u64>,
    options: &PagingOptions,
    cancel: &CancellationToken,
    mut deliver: impl FnMut(Vec<T>, Progress),
) -> Result<(), ApiError> {
    try_for_each_page_until(source, query, until, options, cancel, |items, done| {
        deliver(items, done);
        Ok(())
    })
    .await
}

/// As [`for_each_page_until`], where `deliver` may stop the walk with an error (a check on the
/// rows failed): no page is delivered after it.
pub async fn try_for_each_page_until<T: Send, S: PageSource<T>>(
    source: &S,
    query: ListQuery,
    until: Option<u64>,
    options: &PagingOptions,
    cancel: &CancellationToken,
    mut deliver: impl FnMut(Vec<T>, Progress) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let max_in_flight = options.max_in_flight.max(1);
    if until.is_some_and(|until| until <= query.offset) {
        return Ok(());
    }
    let first_limit =
        until.map_or(u64::from(options.page_size), |until| (until - query.offset).min(u64::from(options.page_size)));
    let first_limit = u32::try_from(first_limit).unwrap_or(options.page_size);
    let first = cancellable(cancel, source.fetch_page(query.clone().page(query.offset, first_limit))).await?;
    no_larger_than(first.items.len(), u64::from(first_limit))?;
    let end = match (first.total_items_count, until) {
        (Some(total), Some(until)) => Some(total.min(until)),
        (total, None) => total,
        (None, until) => until,
    };
    let received = first.items.len() as u64;
    let mut progress = Progress { fetched: received, total: end.map(|end| end.saturating_sub(query.offset)) };
    let first_total = first.total_items_count;
    deliver(first.items, progress)?;
    let start = query.offset + received;
    if received == 0 || end.is_some_and(|end| start >= end) {
        return Ok(());
    }
    // The site's real page size: what a full page brought back.
    let step = received.min(u64::from(first_limit)).max(1);
    let window = step * 2 * max_in_flight as u64;

    let mut in_flight = FuturesUnordered::new();
    let mut arrived: BTreeMap<u64, Vec<T>> = BTreeMap::new();
    let mut next_offset = start;
    let mut delivered_to = start;
    let mut stop_at = end.unwrap_or(u64::MAX);
    let mut concurrency = if end.is_some() { max_in_flight } else { 1 };
    let mut throttle_seen = source.throttle_events();
    let mut calm_pages = 0u32;

    loop {
        while in_flight.len() < concurrency
            && next_offset < stop_at
            && next_offset.saturating_sub(delivered_to) < window
        {
            let limit = step.min(stop_at - next_offset);
            in_flight.push(fetch_slice(source, &query, next_offset, limit));
            next_offset += limit;
        }
        let Some((offset, asked, result)) = (tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ApiError::Cancelled),
            next = in_flight.next() => next,
        }) else {
            return Ok(());
        };
        let page = result?;
        // A site that sends more than was asked does not page as asked: its rows may repeat
        // the next slice's, or skip some.
        no_larger_than(page.items.len(), asked)?;
        same_total(first_total, page.total_items_count)?;
        let items = page.items;
        let got = items.len() as u64;
        if got == 0 {
            // The list ended early (items were deleted meanwhile): nothing lies beyond.
            stop_at = stop_at.min(offset);
        } else if got < asked && offset + got < stop_at {
            // A short page: ask for the rest of its slice.
            in_flight.push(fetch_slice(source, &query, offset + got, asked - got));
        }
        if got > 0 {
            arrived.insert(offset, items);
        }
        while let Some(items) = arrived.remove(&delivered_to) {
            delivered_to += items.len() as u64;
            progress.fetched += items.len() as u64;
            deliver(items, progress)?;
        }
        if delivered_to >= stop_at {
            return Ok(());
        }
        // Fewer requests at once while the site asks us to slow down; creep back up after.
        let throttle_now = source.throttle_events();
        if throttle_now > throttle_seen {
            throttle_seen = throttle_now;
            concurrency = (concurrency / 2).max(1);
            calm_pages = 0;
        } else {
            calm_pages += 1;
            if calm_pages >= 8 && concurrency < max_in_flight && end.is_some() {
                concurrency += 1;
                calm_pages = 0;
            }
        }
    }
}

fn no_larger_than(got: usize, asked: u64) -> Result<(), ApiError> {
    let got = got as u64;
    if got > asked {
        return Err(ApiError::Untrusted(Distrust::PageTooLarge { asked, got }));
    }
    Ok(())
}

/// Offset paging while the total moves skips or repeats rows.
fn same_total(first: Option<u64>, now: Option<u64>) -> Result<(), ApiError> {
    match (first, now) {
        (Some(before), Some(after)) if before != after => {
            Err(ApiError::Untrusted(Distrust::TotalChanged { before, after }))
        }
        _ => Ok(()),
    }
}

/// Whether a walk of `query` up to the `until`-th row may page by Id: it is in ascending Id
/// order from its first row, or (on a site that ignores `Offset`) it is the whole list, whose
/// rows are the same set in any order.
pub fn pages_by_id(query: &ListQuery, until: Option<u64>, options: &PagingOptions) -> bool {
    let by_id = query.order_by.as_ref().is_none_or(|order| order.field == "Id" && !order.descending);
    let whole_list = until.is_none() && options.whole_lists_by_id;
    options.keyset && query.offset == 0 && (by_id || whole_list)
}

/// Every item of `query` (which must be in ascending Id order, from its first row) up to the
/// `until`-th, a page at a time, each page asked as `<filter> and Id $gt <last Id seen>` in Id
/// order. Rows written meanwhile neither shift the pages nor come twice: each contact that
/// exists throughout the walk comes exactly once. One request at a time (each needs the last).
pub async fn for_each_page_by_id<T: Keyed + Send, S: PageSource<T>>(
    source: &S,
    query: ListQuery,
    until: Option<u64>,
    options: &PagingOptions,
    cancel: &CancellationToken,
    mut deliver: impl FnMut(Vec<T>, Progress) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let mut last: Option<ContactId> = None;
    let mut progress = Progress { fetched: 0, total: until };
    loop {
        let left = until.map_or(u64::MAX, |until| until.saturating_sub(progress.fetched));
        if left == 0 {
            return Ok(());
        }
        let limit = u32::try_from(left.min(u64::from(options.page_size))).unwrap_or(options.page_size);
        let filter = match last {
            Some(last) => query.filter.clone().and(Where::field("Id").gt(last)),
            None => query.filter.clone(),
        };
        let page_query = ListQuery { filter, order_by: Some(OrderBy::asc("Id")), offset: 0, limit };
        let page = cancellable(cancel, source.fetch_page(page_query)).await?;
        no_larger_than(page.items.len(), u64::from(limit))?;
        for item in &page.items {
            let key = item.key();
            if let Some(last) = last.filter(|last| key <= *last) {
                return Err(ApiError::Untrusted(Distrust::KeysetBackwards { last, got: key }));
            }
            last = Some(key);
        }
        let got = page.items.len() as u64;
        // The total of this page's query is what is left from here on.
        let rest = page.total_items_count;
        if progress.fetched == 0 {
            progress.total = match (rest, until) {
                (Some(rest), Some(until)) => Some(rest.min(until)),
                (rest, until) => rest.or(until),
            };
        }
        progress.fetched += got;
        if got == 0 {
            return Ok(());
        }
        deliver(page.items, progress)?;
        if rest.is_some_and(|rest| rest <= got) {
            return Ok(());
        }
    }
}

async fn fetch_slice<T, S: PageSource<T>>(
    source: &S,
    query: &ListQuery,
    offset: u64,
    limit: u64,
) -> (u64, u64, Result<Page<T>, ApiError>) {
    let limit32 = u32::try_from(limit).unwrap_or(u32::MAX);
    (offset, limit, source.fetch_page(query.clone().page(offset, limit32)).await)
}

/// `work`, or `Cancelled` as soon as `cancel` fires.
pub async fn cancellable<T>(
    cancel: &CancellationToken,
    work: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(ApiError::Cancelled),
        result = work => result,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// An in-memory list of `len` numbers that caps pages at `cap` and records requests.
    struct Numbers {
        len: u64,
        cap: u32,
        requests: Mutex<Vec<(u64, u32)>>,
    }

    impl PageSource<u64> for Numbers {
        fn fetch_page(&self, query: ListQuery) -> impl Future<Output = Result<Page<u64>, ApiError>> + Send {
            self.requests.lock().unwrap().push((query.offset, query.limit));
            let limit = query.limit.min(self.cap) as u64;
            let items: Vec<u64> = (query.offset..(query.offset + limit).min(self.len)).collect();
            let page = Page::new(items, self.len);
            async move {
                tokio::task::yield_now().await;
                Ok(page)
            }
        }
    }

    fn numbers(len: u64, cap: u32) -> Numbers {
        Numbers { len, cap, requests: Mutex::new(Vec::new()) }
    }

    #[tokio::test]
    async fn every_item_arrives_once_in_order_when_the_site_caps_pages() {
        let source = numbers(1234, 70);
        let options = PagingOptions { max_in_flight: 4, page_size: 100, keyset: false, whole_lists_by_id: false };
        let mut reports = Vec::new();
        let all = fetch_all(&source, ListQuery::default(), &options, &CancellationToken::new(), |p| reports.push(p))
            .await
            .unwrap();
        assert_eq!(all, (0..1234).collect::<Vec<_>>());
        assert_eq!(reports.last(), Some(&Progress { fetched: 1234, total: Some(1234) }));
        let requests = source.requests.lock().unwrap();
        assert!(requests.iter().skip(1).all(|(offset, _)| offset % 70 == 0), "advanced by what was received");
    }

    #[tokio::test]
    async fn short_pages_are_followed_by_a_request_for_the_rest() {
        // The first page is full (100); the site then returns at most 60, so pages come short.
        struct Shrinking(Numbers);
        impl PageSource<u64> for Shrinking {
            fn fetch_page(&self, mut query: ListQuery) -> impl Future<Output = Result<Page<u64>, ApiError>> + Send {
                if query.offset > 0 {
                    query.limit = query.limit.min(60);
                }
                self.0.fetch_page(query)
            }
        }
        let source = Shrinking(numbers(500, 1000));
        let all = fetch_all(
            &source,
            ListQuery::default(),
            &PagingOptions { max_in_flight: 3, page_size: 100, keyset: false, whole_lists_by_id: false },
            &CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(all, (0..500).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_site_sending_more_than_asked_is_refused() {
        // Pages after the first come half as long again as asked (rows of the next slice).
        struct Generous(Numbers);
        impl PageSource<u64> for Generous {
            fn fetch_page(&self, mut query: ListQuery) -> impl Future<Output = Result<Page<u64>, ApiError>> + Send {
                if query.offset > 0 {
                    query.limit = query.limit.saturating_mul(3) / 2;
                }
                self.0.fetch_page(query)
            }
        }
        let source = Generous(numbers(1000, 1000));
        let options = PagingOptions { max_in_flight: 3, page_size: 100, keyset: false, whole_lists_by_id: false };
        let result = fetch_all(&source, ListQuery::default(), &options, &CancellationToken::new(), |_| {}).await;
        assert_eq!(result, Err(ApiError::Untrusted(Distrust::PageTooLarge { asked: 100, got: 150 })));
    }

    #[tokio::test]
    async fn a_total_that_changes_between_pages_is_refused() {
        struct Growing(Numbers, Mutex<u64>);
        impl PageSource<u64> for Growing {
            fn fetch_page(&self, query: ListQuery) -> impl Future<Output = Result<Page<u64>, ApiError>> + Send {
                let mut calls = self.1.lock().unwrap();
                *calls += 1;
                let grown = *calls > 3;
                let page = self.0.fetch_page(query);
                async move {
                    let mut page = page.await?;
                    if grown {
                        page.total_items_count = page.total_items_count.map(|t| t + 1);
                    }
                    Ok(page)
                }
            }
        }
        let source = Growing(numbers(1000, 1000), Mutex::new(0));
        let options = PagingOptions { max_in_flight: 1, page_size: 100, keyset: false, whole_lists_by_id: false };
        let result = fetch_all(&source, ListQuery::default(), &options, &CancellationToken::new(), |_| {}).await;
        assert_eq!(result, Err(ApiError::Untrusted(Distrust::TotalChanged { before: 1000, after: 1001 })));
    }

    /// Numbers as records with an Id, served by `Id $gt` in Id order (as a site's filter would).
    #[derive(Debug, PartialEq)]
    struct Row(i64);
    impl Keyed for Row {
        fn key(&self) -> ContactId {
            self.0
        }
    }

    fn after_id(filter: &Where) -> Option<i64> {
        match filter {
            Where::Compare { value, .. } => value.as_i64(),
            Where::And(parts) => parts.iter().find_map(after_id),
            _ => None,
        }
    }

    #[tokio::test]
    async fn keyset_paging_asks_past_the_last_id_and_ends_at_the_rest() {
        let ids: Vec<i64> = (1..=1000).filter(|id| id % 7 != 0).collect();
        let requests = Mutex::new(Vec::new());
        let source = FnSource(|query: ListQuery| {
            requests.lock().unwrap().push(query.clone());
            let after = after_id(&query.filter).unwrap_or(0);
            let rest: Vec<i64> = ids.iter().copied().filter(|id| *id > after).collect();
            let page: Vec<Row> = rest.iter().take(query.limit.min(60) as usize).map(|id| Row(*id)).collect();
            async move { Ok(Page::new(page, rest.len() as u64)) }
        });
        let options = PagingOptions { max_in_flight: 4, page_size: 100, keyset: true, whole_lists_by_id: false };
        let mut all = Vec::new();
        for_each_page_by_id(&source, ListQuery::default(), None, &options, &CancellationToken::new(), |items, _| {
            all.extend(items.into_iter().map(|row| row.0));
            Ok(())
        })
        .await
        .unwrap();
        assert_eq!(all, ids);
        let requests = requests.lock().unwrap();
        assert!(requests.iter().all(|q| q.offset == 0 && q.order_by == Some(OrderBy::asc("Id"))));
        assert_eq!(requests.len(), ids.len().div_ceil(60), "no request past the end");
    }

    #[tokio::test]
    async fn keyset_paging_refuses_a_site_that_ignores_the_id_filter() {
        let source = FnSource(|query: ListQuery| async move {
            Ok(Page::new((1..=i64::from(query.limit)).map(Row).collect::<Vec<_>>(), 1000))
        });
        let options = PagingOptions { max_in_flight: 1, page_size: 100, keyset: true, whole_lists_by_id: false };
        let result = for_each_page_by_id(
            &source,
            ListQuery::default(),
            None,
            &options,
            &CancellationToken::new(),
            |_, _| Ok(()),
        )
        .await;
        assert_eq!(result, Err(ApiError::Untrusted(Distrust::KeysetBackwards { last: 100, got: 1 })));
    }

    #[tokio::test]
    async fn a_query_offset_is_the_starting_point() {
        let source = numbers(50, 10);
        let all = fetch_all(
            &source,
            ListQuery::default().page(45, 10),
            &PagingOptions::default(),
            &CancellationToken::new(),
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(all, vec![45, 46, 47, 48, 49]);
    }

    #[tokio::test]
    async fn a_range_stops_at_its_end_and_follows_the_sites_cap() {
        let source = numbers(10_000, 30);
        let mut reports = Vec::new();
        let mut all = Vec::new();
        let query = ListQuery::default().page(10, 100);
        let options = PagingOptions { max_in_flight: 3, page_size: 100, keyset: false, whole_lists_by_id: false };
        for_each_page_until(&source, query, Some(1_001), &options, &CancellationToken::new(), |items, p| {
            all.extend(items);
            reports.push(p);
        })
        .await
        .unwrap();
        assert_eq!(all, (10..1_001).collect::<Vec<_>>());
        assert_eq!(reports.last(), Some(&Progress { fetched: 991, total: Some(991) }));
        let requests = source.requests.lock().unwrap();
        assert!(requests.iter().all(|(offset, limit)| offset + u64::from(*limit) <= 1_001), "{requests:?}");
        assert!(requests.len() <= 991 / 30 + 2, "one request a capped page: {}", requests.len());
    }

    #[tokio::test]
    async fn cancelling_stops_with_cancelled() {
        let source = numbers(10_000, 10);
        let cancel = CancellationToken::new();
        let result = fetch_all(&source, ListQuery::default(), &PagingOptions::default(), &cancel, |p| {
            if p.fetched >= 100 {
                cancel.cancel();
            }
        })
        .await;
        assert_eq!(result, Err(ApiError::Cancelled));
        assert!(source.requests.lock().unwrap().len() < 100, "stopped early");
    }
}
