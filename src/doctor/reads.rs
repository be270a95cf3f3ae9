//! The read-only probes: each asks the site one list question whose answer is known from
//! what it answered before, and compares.

use tokio_util::sync::CancellationToken;

use crate::api::dialect::{KeyCase, OrderForm, ParamPlacement};
use crate::api::paging::cancellable;
use crate::api::wire::DateForm;
use crate::api::{ApiError, Contact, ContactId, Dialect, ListQuery, Op, OrderBy, Page, ReadClient, Where};

use super::{Probe, Verdict};
use crate::app::text::{plural, thousands};

/// The fewest contacts a site needs for the probes to tell anything.
const FEWEST_CONTACTS: usize = 3;

/// Runs the read-only probes, handing each to `on_probe` as it is decided; returns them
/// with the dialect they show. Stops with `Cancelled` when `cancel` fires.
pub async fn check_reads(
    client: &ReadClient,
    cancel: &CancellationToken,
    mut on_probe: impl FnMut(&Probe),
) -> Result<(Vec<Probe>, Dialect), ApiError> {
    let mut probes = Vec::new();
    let mut add = |probe: Probe| {
        on_probe(&probe);
        probes.push(probe);
    };
    let base = client.with_dialect(Dialect::default());
    let first = cancellable(cancel, base.list_contacts(&ListQuery::default().page(0, 5))).await?;
    let Some(sample) = Sample::of(&first) else {
        add(Probe::new(
            "Enough contacts to probe",
            "a list of 5",
            format!("{} contacts", first.items.len()),
            Verdict::Undecided,
        ));
        return Ok((probes, Dialect::default()));
    };

    let mut dialect = Dialect::default();
    let encoding = encoding_probes(&base, &sample, cancel, &mut add).await?;
    let filter_works = match encoding {
        Some((params, keys)) => {
            dialect.params = params;
            dialect.keys = keys;
            true
        }
        None => false,
    };
    let site = client.with_dialect(dialect.clone());
    // What the site lists first in Id order, with the learned encoding.
    let ordered = cancellable(cancel, site.list_contacts(&by_id(Where::All, 0, 5))).await?;
    let Some(sample) = Sample::of(&ordered) else {
        add(Probe::new("Order_By=Id", "Order_By=Id, Limit=5", "fewer than 3 contacts", Verdict::Undecided));
        return Ok((probes, dialect));
    };

    dialect.offset_honoured = offset_probe(&site, &sample, cancel, &mut add).await?;
    dialect.order = order_probe(&site, &sample, cancel, &mut add).await?;
    dialect.max_page = limit_probe(&site, &sample, cancel, &mut add).await?;
    if filter_works {
        dialect.unhonoured_operators = operator_probes(&site, &sample, cancel, &mut add).await?;
        dialect.keyset_paging = !dialect.unhonoured_operators.iter().any(|op| op == Op::Gt.wire_name());
        add(Probe::new(
            "Keyset paging",
            "Id $gt <last id>, Order_By=Id",
            if dialect.keyset_paging { "the rows after that id" } else { "not honoured" },
            if dialect.keyset_paging { Verdict::Honoured } else { Verdict::Differs },
        ));
    }
    dialect.dates = dates_probe(&sample, &mut add);
    Ok((probes, dialect))
}

/// What the probes compare against: the first contacts the site listed, and how many it has.
struct Sample {
    contacts: Vec<Contact>,
    total: u64,
}

impl Sample {
    fn of(page: &Page<Contact>) -> Option<Self> {
        (page.items.len() >= FEWEST_CONTACTS).then(|| Self {
            contacts: page.items.clone(),
            total: page.total_items_count.unwrap_or(page.items.len() as u64),
        })
    }

    fn id(&self, index: usize) -> ContactId {
        self.contacts[index].id
    }
}

fn by_id(filter: Where, offset: u64, limit: u32) -> ListQuery {
    ListQuery::new(filter).order_by(OrderBy::asc("Id")).page(offset, limit)
}

fn ids(page: &Page<Contact>) -> Vec<ContactId> {
    page.items.iter().map(|c| c.id).collect()
}

/// "2 rows of 60 (Id 1, 2)": what a page held, shortly.
fn rows_text(page: &Page<Contact>) -> String {
    let rows = plural(page.items.len() as u64, "row", "rows");
    let total = page.total_items_count.map_or_else(String::new, |t| format!(" of {}", thousands(t)));
    if page.items.is_empty() {
        return format!("{rows}{total}");
    }
    let shown: Vec<String> = page.items.iter().take(3).map(|c| c.id.to_string()).collect();
    let more = if page.items.len() > 3 { ", …" } else { "" };
    format!("{rows}{total} (Id {}{more})", shown.join(", "))
}

/// Where the list parameters go and in which casing: the first form under which a filter on
/// one Id brings that contact alone.
async fn encoding_probes(
    base: &ReadClient,
    sample: &Sample,
    cancel: &CancellationToken,
    add: &mut impl FnMut(Probe),
) -> Result<Option<(ParamPlacement, KeyCase)>, ApiError> {
    let wanted = sample.contacts.iter().map(|c| c.id).max().unwrap_or_default();
    let filter = Where::field("Id").eq(wanted);
    let forms = [
        (ParamPlacement::Query, KeyCase::Reference, "Where in the query string", "?Where="),
        (ParamPlacement::Query, KeyCase::Lower, "Lowercase keys in the query string", "?where="),
        (ParamPlacement::Body, KeyCase::Reference, "Where in a JSON body", "{\"Where\":"),
        (ParamPlacement::Body, KeyCase::Lower, "Lowercase keys in a JSON body", "{\"where\":"),
    ];
    let mut found = None;
    for (params, keys, choice, prefix) in forms {
        let dialect = Dialect { params, keys, ..Dialect::default() };
        let query = ListQuery::new(filter.clone()).page(0, 5);
        let sent = format!("{prefix}{}", filter.to_json());
        let result = cancellable(cancel, base.with_dialect(dialect).list_contacts(&query)).await;
        let probe = match result {
            Ok(page) if ids(&page) == [wanted] => {
                found.get_or_insert((params, keys));
                Probe::new(choice, sent, rows_text(&page), Verdict::Honoured)
            }
            // Another form works already: this one is not needed.
            Ok(page) if found.is_some() => Probe::new(choice, sent, rows_text(&page), Verdict::Differs),
            Ok(page) => {
                Probe::new(choice, sent, format!("{}: the filter was ignored", rows_text(&page)), Verdict::Differs)
            }
            Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
            Err(error) => Probe::new(choice, sent, error.to_string(), Verdict::Differs),
        };
        add(probe);
    }
    if found.is_none() {
        add(Probe::new(
            "A filter narrows the list",
            format!("Id $eq {wanted}, in each form above"),
            "every form brought other contacts too",
            Verdict::Refused,
        ));
    }
    Ok(found)
}

async fn offset_probe(
    site: &ReadClient,
    sample: &Sample,
    cancel: &CancellationToken,
    add: &mut impl FnMut(Probe),
) -> Result<bool, ApiError> {
    let second = cancellable(cancel, site.list_contacts(&by_id(Where::All, 1, 2))).await;
    let (probe, honoured) = match second {
        Ok(page) if page.items.first().map(|c| c.id) == Some(sample.id(1)) => {
            (Probe::new("Offset moves", "Order_By=Id, Offset=1, Limit=2", rows_text(&page), Verdict::Honoured), true)
        }
        Ok(page) => (
            Probe::new(
                "Offset moves",
                "Order_By=Id, Offset=1, Limit=2",
                format!("{}: the first page again", rows_text(&page)),
                Verdict::Refused,
            ),
            false,
        ),
        Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
        Err(error) => {
            (Probe::new("Offset moves", "Order_By=Id, Offset=1, Limit=2", error.to_string(), Verdict::Undecided), true)
        }
    };
    add(probe);
    Ok(honoured)
}

async fn order_probe(
    site: &ReadClient,
    sample: &Sample,
    cancel: &CancellationToken,
    add: &mut impl FnMut(Probe),
) -> Result<OrderForm, ApiError> {
    let smallest = sample.id(0);
    for (form, sent) in [(OrderForm::Suffix, "Order_By=Id DESC"), (OrderForm::Prefix, "Order_By=-Id")] {
        let dialect = Dialect { order: form, ..site.dialect().clone() };
        let query = ListQuery::default().order_by(OrderBy::desc("Id")).page(0, 2);
        match cancellable(cancel, site.with_dialect(dialect).list_contacts(&query)).await {
            Ok(page) if page.items.first().is_some_and(|c| c.id > smallest) => {
                let verdict = if form == OrderForm::Suffix { Verdict::Honoured } else { Verdict::Differs };
                add(Probe::new("DESC reverses the order", sent, rows_text(&page), verdict));
                return Ok(form);
            }
            Ok(page) => add(Probe::new("DESC reverses the order", sent, rows_text(&page), Verdict::Differs)),
            Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
            Err(error) => add(Probe::new("DESC reverses the order", sent, error.to_string(), Verdict::Differs)),
        }
    }
    add(Probe::new(
        "Descending sorts",
        "both forms above",
        "ascending order both times: descending sorts are not offered",
        Verdict::Differs,
    ));
    Ok(OrderForm::AscendingOnly)
}

/// The largest page: what `Limit=1000` brings, or the first smaller Limit the site accepts.
async fn limit_probe(
    site: &ReadClient,
    sample: &Sample,
    cancel: &CancellationToken,
    add: &mut impl FnMut(Probe),
) -> Result<Option<u32>, ApiError> {
    for asked in [1000u32, 500, 100] {
        let sent = format!("Limit={asked}");
        match cancellable(cancel, site.list_contacts(&by_id(Where::All, 0, asked))).await {
            Ok(page) => {
                let got = page.items.len() as u64;
                let expected = sample.total.min(u64::from(asked));
                if got > u64::from(asked) {
                    add(Probe::new("Limit is a cap", sent, format!("{got} rows: more than asked"), Verdict::Refused));
                    return Ok(None);
                }
                if got < expected {
                    add(Probe::new(
                        "Limit is a cap",
                        sent,
                        format!("{got} rows: the site's largest page"),
                        Verdict::Honoured,
                    ));
                    return Ok(u32::try_from(got).ok().filter(|got| *got > 0));
                }
                add(Probe::new("Limit is a cap", sent, format!("{got} rows"), Verdict::Honoured));
                return Ok((asked < 1000).then_some(asked));
            }
            Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
            Err(error @ ApiError::Validation { .. }) => {
                add(Probe::new("Limit is a cap", sent, error.to_string(), Verdict::Differs));
            }
            Err(error) => {
                add(Probe::new("Limit is a cap", sent, error.to_string(), Verdict::Undecided));
                return Ok(None);
            }
        }
    }
    Ok(Some(100))
}

/// What a probe of one operator expects back.
enum Expect {
    /// Exactly these contacts.
    Exactly(Vec<ContactId>),
    /// Every contact but this one.
    AllBut(ContactId),
    /// This contact among others, every row passing the test.
    Including(ContactId, Box<dyn Fn(&Contact) -> bool + Send>),
    /// This contact not among them, every row passing the test.
    Excluding(ContactId, Box<dyn Fn(&Contact) -> bool + Send>),
}

impl Expect {
    fn met_by(&self, page: &Page<Contact>, total: u64) -> bool {
        let found = ids(page);
        let count = page.total_items_count.unwrap_or(found.len() as u64);
        match self {
            Expect::Exactly(wanted) => found == *wanted && count == wanted.len() as u64,
            Expect::AllBut(absent) => count == total.saturating_sub(1) && !found.contains(absent),
            Expect::Including(id, test) => found.contains(id) && page.items.iter().all(test),
            Expect::Excluding(id, test) => !found.contains(id) && page.items.iter().all(test),
        }
    }
}

/// Each operator (and `$and`, `$or`, `$not`) on filters whose answer the sample shows.
/// Returns the operators the site does not honour. A logic operator it does not honour
/// cannot be left out of a filter builder: that is refused.
async fn operator_probes(
    site: &ReadClient,
    sample: &Sample,
    cancel: &CancellationToken,
    add: &mut impl FnMut(Probe),
) -> Result<Vec<String>, ApiError> {
    let (a, b, c) = (sample.id(0), sample.id(1), sample.id(2));
    let email = sample.contacts[1].email.to_lowercase();
    let local = email.split('@').next().unwrap_or_default().to_owned();
    let lower = |c: &Contact| c.email.to_lowercase();
    let (l1, l2, l3, e1) = (local.clone(), local.clone(), local.clone(), email.clone());
    let mut cases: Vec<(&str, Where, Expect)> = vec![
        ("$eq", Where::field("Id").eq(b), Expect::Exactly(vec![b])),
        ("$neq", Where::field("Id").neq(a), Expect::AllBut(a)),
        ("$gt", Where::field("Id").gt(a), Expect::AllBut(a)),
        ("$gte", Where::field("Id").gte(b), Expect::AllBut(a)),
        ("$lt", Where::field("Id").lt(b), Expect::Exactly(vec![a])),
        ("$lte", Where::field("Id").lte(a), Expect::Exactly(vec![a])),
        ("$in", Where::field("Id").is_in([a, c]), Expect::Exactly(vec![a, c])),
        ("$nin", Where::field("Id").not_in([a]), Expect::AllBut(a)),
        ("$isNull", Where::field("Id").is_null(true), Expect::Exactly(Vec::new())),
        ("$and", Where::field("Id").gte(a).and(Where::field("Id").lte(a)), Expect::Exactly(vec![a])),
        ("$or", Where::field("Id").eq(a).or(Where::field("Id").eq(c)), Expect::Exactly(vec![a, c])),
        ("$not", Where::field("Id").eq(a).negate(), Expect::AllBut(a)),
    ];
    if !local.is_empty() {
        cases.extend([
            (
                "$contains",
                Where::field("Email").contains(local.clone()),
                Expect::Including(b, Box::new(move |c: &Contact| lower(c).contains(&l1))),
            ),
            (
                "$notContains",
                Where::field("Email").not_contains(local.clone()),
                Expect::Excluding(b, Box::new(move |c: &Contact| !lower(c).contains(&l2))),
            ),
            (
                "$startsWith",
                Where::field("Email").starts_with(local.clone()),
                Expect::Including(b, Box::new(move |c: &Contact| lower(c).starts_with(&l3))),
            ),
            (
                "$endsWith",
                Where::field("Email").ends_with(email.clone()),
                Expect::Including(b, Box::new(move |c: &Contact| lower(c).ends_with(&e1))),
            ),
        ]);
    } else {
        for op in ["$contains", "$notContains", "$startsWith", "$endsWith"] {
            add(Probe::new(op, "Email …", "the sample contact has no email", Verdict::Undecided));
        }
    }
    let mut unhonoured = Vec::new();
    for (name, filter, expect) in cases {
        let sent = filter.to_json().to_string();
        let logic = matches!(name, "$and" | "$or" | "$not");
        let not_honoured = if logic { Verdict::Refused } else { Verdict::Differs };
        let probe = match cancellable(cancel, site.list_contacts(&by_id(filter, 0, 50))).await {
            Ok(page) if expect.met_by(&page, sample.total) => {
                Probe::new(name, sent, rows_text(&page), Verdict::Honoured)
            }
            Ok(page) => {
                unhonoured.push(name.to_owned());
                Probe::new(name, sent, format!("{}: not what it asks", rows_text(&page)), not_honoured)
            }
            Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
            Err(error @ ApiError::Validation { .. }) => {
                unhonoured.push(name.to_owned());
                Probe::new(name, sent, error.to_string(), not_honoured)
            }
            Err(error) => Probe::new(name, sent, error.to_string(), Verdict::Undecided),
        };
        add(probe);
    }
    Ok(unhonoured)
}

/// Whether the site's dates carry a zone, from the sample's creation dates as sent.
fn dates_probe(sample: &Sample, add: &mut impl FnMut(Probe)) -> DateForm {
    let sent = "(the listed contacts' CreatedDate)";
    let dates: Vec<_> = sample.contacts.iter().filter_map(|c| c.created_date).collect();
    let Some(first) = dates.first() else {
        add(Probe::new("Dates carry a zone", sent, "no dates", Verdict::Undecided));
        return DateForm::WithZone;
    };
    // A date read from the site keeps the form (and the text) it came in.
    if dates.iter().all(|date| date.form() == DateForm::WithZone) {
        add(Probe::new("Dates carry a zone", sent, first.to_wire(), Verdict::Honoured));
        DateForm::WithZone
    } else {
        let came_back = format!("{}: no zone, read as UTC and sent back as it came", first.to_wire());
        add(Probe::new("Dates carry a zone", sent, came_back, Verdict::Differs));
        DateForm::WithoutZone
    }
}
