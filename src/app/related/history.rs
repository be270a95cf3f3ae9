//! The contact's whole history, read once in the background: every booking, case and order
//! on one timeline (newest first), and the customer summary of all of the contact's orders.
//! Only what the timeline and the summary show is kept, not the records themselves.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rust_decimal::Decimal;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::list::{Record, newest_first};
use super::{RelatedPart, Visit};
use crate::api::paging::{FnSource, PagingOptions, Progress, for_each_page};
use crate::api::{ApiError, Booking, Case, ContactId, Order, ReadClient, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordKind {
    Booking,
    Case,
    Order,
}

/// One thing that happened with the contact.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub kind: RecordKind,
    pub id: i64,
    /// The record's row in its tab (the tabs list in the same order as this walk).
    pub index: u64,
    pub when: Option<Timestamp>,
    /// "Booking: Wine Tasting", "Order #1234 (Completed)".
    pub title: String,
    /// The order's total (with its currency), for the timeline to format.
    pub amount: Option<(Decimal, Option<String>)>,
}

/// Sums of the orders in one currency.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurrencyTotals {
    pub currency: Option<String>,
    pub orders: u64,
    pub total: Decimal,
    pub paid: Decimal,
    pub pending: Decimal,
    /// (when, total) of each order with a date, oldest first.
    pub points: Vec<(Timestamp, Decimal)>,
    /// The totals of each month with orders (months counted from year 0), oldest first: the
    /// chart's bars.
    pub by_month: Vec<(i32, Decimal)>,
}

impl CurrencyTotals {
    fn add_up_months(&mut self) {
        use chrono::Datelike as _;
        self.by_month.clear();
        for (when, total) in &self.points {
            let month = when.0.year() * 12 + when.0.month0() as i32;
            match self.by_month.last_mut() {
                Some((last, sum)) if *last == month => *sum += *total,
                _ => self.by_month.push((month, *total)),
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderSummary {
    pub orders: u64,
    /// One entry per currency, the most used first.
    pub by_currency: Vec<CurrencyTotals>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
}

impl OrderSummary {
    /// Folds one order in. Deleted orders count for nothing.
    fn add(&mut self, order: &Order, by_currency: &mut BTreeMap<Option<String>, CurrencyTotals>) {
        if order.is_deleted {
            return;
        }
        self.orders += 1;
        let totals = by_currency
            .entry(order.currency.clone())
            .or_insert_with(|| CurrencyTotals { currency: order.currency.clone(), ..CurrencyTotals::default() });
        totals.orders += 1;
        let money = |amount: Option<crate::api::Amount>| amount.map_or(Decimal::ZERO, |a| a.0);
        totals.total += money(order.total_cost);
        totals.paid += money(order.amount_paid);
        totals.pending += money(order.amount_pending);
        let when = order.created_date_time.or(order.invoice_date);
        if let Some(when) = when {
            totals.points.push((when, money(order.total_cost)));
            self.first = Some(self.first.map_or(when, |first| first.min(when)));
            self.last = Some(self.last.map_or(when, |last| last.max(when)));
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryData {
    pub timeline: Vec<Entry>,
    pub summary: OrderSummary,
    pub counts: BTreeMap<RecordKind, u64>,
    /// An order's row in the Orders tab, for links from bookings and cases.
    pub order_rows: HashMap<i64, u64>,
}

/// The walk in progress, or its outcome. Dropping it stops the walk (its task then returns
/// nothing).
pub struct ActivityHistory {
    read: Arc<AtomicU64>,
    expected: Arc<AtomicU64>,
    pub outcome: Option<Result<HistoryData, ApiError>>,
    _stop: DropGuard,
}

impl ActivityHistory {
    pub fn start(client: &ReadClient, contact: ContactId, visit: &mut Visit<'_>) -> Self {
        let cancel = CancellationToken::new();
        let read = Arc::new(AtomicU64::new(0));
        let expected = Arc::new(AtomicU64::new(0));
        let walk = read_history(client.clone(), contact, cancel.clone(), Arc::clone(&read), Arc::clone(&expected));
        visit.spawn_unlisted(cancel.clone(), async move { RelatedPart::Activity(walk.await) });
        Self { read, expected, outcome: None, _stop: cancel.drop_guard() }
    }

    /// Records read so far, and how many there are (once the first pages told).
    pub fn progress(&self) -> (u64, u64) {
        (self.read.load(Ordering::Relaxed), self.expected.load(Ordering::Relaxed))
    }

    pub fn data(&self) -> Option<&HistoryData> {
        self.outcome.as_ref().and_then(|outcome| outcome.as_ref().ok())
    }

    /// Takes the walk's outcome in.
    pub fn done(&mut self, result: Result<HistoryData, ApiError>) {
        self.outcome = Some(result);
    }
}

async fn read_history(
    client: ReadClient,
    contact: ContactId,
    cancel: CancellationToken,
    read: Arc<AtomicU64>,
    expected: Arc<AtomicU64>,
) -> Result<HistoryData, ApiError> {
    let counter = Counter { read: &read, expected: &expected, seen: Default::default() };
    let (bookings, cases, orders) = tokio::try_join!(
        walk::<Booking, _>(&client, contact, &cancel, &counter, RecordKind::Booking, booking_entry),
        walk::<Case, _>(&client, contact, &cancel, &counter, RecordKind::Case, case_entry),
        walk_orders(&client, contact, &cancel, &counter),
    )?;
    let (order_entries, summary, order_rows) = orders;
    let mut data = HistoryData { summary, order_rows, ..HistoryData::default() };
    data.counts.insert(RecordKind::Booking, bookings.len() as u64);
    data.counts.insert(RecordKind::Case, cases.len() as u64);
    data.counts.insert(RecordKind::Order, order_entries.len() as u64);
    let mut timeline: Vec<Entry> = bookings.into_iter().chain(cases).chain(order_entries).collect();
    // Newest first; undated records last; the same moment in a fixed order.
    timeline.sort_by(|a, b| b.when.cmp(&a.when).then(a.kind.cmp(&b.kind)).then(a.index.cmp(&b.index)));
    data.timeline = timeline;
    Ok(data)
}

/// Counts what the three walks read, for the progress line.
struct Counter<'a> {
    read: &'a AtomicU64,
    expected: &'a AtomicU64,
    seen: std::sync::Mutex<BTreeMap<RecordKind, u64>>,
}

impl Counter<'_> {
    fn page(&self, kind: RecordKind, items: usize, done: Progress) {
        self.read.fetch_add(items as u64, Ordering::Relaxed);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(total) = done.total {
            seen.insert(kind, total);
        }
        self.expected.store(seen.values().sum(), Ordering::Relaxed);
    }
}

async fn walk<T: Record, F: Fn(&T, u64) -> Entry>(
    client: &ReadClient,
    contact: ContactId,
    cancel: &CancellationToken,
    counter: &Counter<'_>,
    kind: RecordKind,
    entry: F,
) -> Result<Vec<Entry>, ApiError> {
    let source = FnSource(|query| T::fetch(client.clone(), contact, query));
    let mut entries = Vec::new();
    for_each_page(&source, newest_first(), &PagingOptions::default(), cancel, |items, done| {
        counter.page(kind, items.len(), done);
        for item in items {
            let index = entries.len() as u64;
            entries.push(entry(&item, index));
        }
    })
    .await?;
    Ok(entries)
}

type OrderWalk = (Vec<Entry>, OrderSummary, HashMap<i64, u64>);

async fn walk_orders(
    client: &ReadClient,
    contact: ContactId,
    cancel: &CancellationToken,
    counter: &Counter<'_>,
) -> Result<OrderWalk, ApiError> {
    let source = FnSource(|query| Order::fetch(client.clone(), contact, query));
    let mut entries = Vec::new();
    let mut summary = OrderSummary::default();
    let mut by_currency = BTreeMap::new();
    let mut rows = HashMap::new();
    for_each_page(&source, newest_first(), &PagingOptions::default(), cancel, |items, done| {
        counter.page(RecordKind::Order, items.len(), done);
        for order in items {
            let index = entries.len() as u64;
            rows.insert(order.id, index);
            summary.add(&order, &mut by_currency);
            entries.push(order_entry(&order, index));
        }
    })
    .await?;
    let mut by_currency: Vec<CurrencyTotals> = by_currency.into_values().collect();
    for totals in &mut by_currency {
        totals.points.sort_by_key(|(when, _)| *when);
        totals.add_up_months();
    }
    by_currency.sort_by(|a, b| b.orders.cmp(&a.orders).then(a.currency.cmp(&b.currency)));
    summary.by_currency = by_currency;
    Ok((entries, summary, rows))
}

fn booking_entry(booking: &Booking, index: u64) -> Entry {
    let event = booking.event.as_ref().and_then(|e| e.name.clone()).unwrap_or_else(|| "an event".to_owned());
    Entry {
        kind: RecordKind::Booking,
        id: booking.id,
        index,
        when: booking.created_date_time,
        title: format!("Booked {event}"),
        amount: None,
    }
}

fn case_entry(case: &Case, index: u64) -> Entry {
    let form = case.form.as_ref().and_then(|f| f.name.clone()).unwrap_or_else(|| format!("case {}", case.id));
    Entry { kind: RecordKind::Case, id: case.id, index, when: case.created_date_time, title: form, amount: None }
}

fn order_entry(order: &Order, index: u64) -> Entry {
    let name = order.order_name.as_deref().filter(|n| !n.trim().is_empty());
    let status = order.status_short.as_ref().and_then(|s| s.name.as_deref());
    let mut title = crate::app::text::invoice(order);
    if let Some(name) = name {
        title = format!("{title} · {name}");
    }
    if let Some(status) = status {
        title = format!("{title} ({status})");
    }
    Entry {
        kind: RecordKind::Order,
        id: order.id,
        index,
        when: order.created_date_time.or(order.invoice_date),
        title,
        amount: order.total_cost.map(|total| (total.0, order.currency.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Amount;
    use std::str::FromStr;

    fn order(id: i64, currency: &str, total: &str, paid: &str, day: i64) -> Order {
        let total = Decimal::from_str(total).unwrap();
        let paid = Decimal::from_str(paid).unwrap();
        Order {
            id,
            currency: Some(currency.to_owned()),
            total_cost: Some(Amount(total)),
            amount_paid: Some(Amount(paid)),
            amount_pending: Some(Amount(total - paid)),
            created_date_time: Timestamp::from_millis(1_700_000_000_000 + day * 86_400_000),
            ..Order::default()
        }
    }

    #[test]
    fn the_summary_adds_exactly_per_currency_and_skips_deleted_orders() {
        let mut summary = OrderSummary::default();
        let mut by_currency = BTreeMap::new();
        let mut deleted = order(4, "NZD", "1000", "0", 9);
        deleted.is_deleted = true;
        for o in
            [order(1, "NZD", "0.1", "0.1", 3), order(2, "NZD", "0.2", "0", 1), order(3, "EUR", "5", "5", 2), deleted]
        {
            summary.add(&o, &mut by_currency);
        }
        assert_eq!(summary.orders, 3);
        let nzd = &by_currency[&Some("NZD".to_owned())];
        assert_eq!((nzd.orders, nzd.total.to_string(), nzd.paid.to_string()), (2, "0.3".to_owned(), "0.1".to_owned()));
        assert_eq!(nzd.pending.to_string(), "0.2");
        assert_eq!(summary.first, Timestamp::from_millis(1_700_000_000_000 + 86_400_000));
        assert_eq!(summary.last, Timestamp::from_millis(1_700_000_000_000 + 3 * 86_400_000));
    }

    #[test]
    fn the_months_add_up_the_orders_they_hold_exactly() {
        // 1_700_000_000_000 ms is 2023-11-14; day 20 falls in December.
        let mut totals = CurrencyTotals::default();
        for (day, total) in [(0, "0.1"), (5, "0.2"), (20, "1.05")] {
            let when = Timestamp::from_millis(1_700_000_000_000 + day * 86_400_000).unwrap();
            totals.points.push((when, Decimal::from_str_exact(total).unwrap()));
        }
        totals.add_up_months();
        let november = 2023 * 12 + 10;
        assert_eq!(
            totals.by_month,
            [
                (november, Decimal::from_str_exact("0.3").unwrap()),
                (november + 1, Decimal::from_str_exact("1.05").unwrap())
            ]
        );
    }
}
