//! Fresh copies for a bulk operation, a page at a time: one list request by `Id $in [...]`
//! for a page of contacts, read right before that page is written, instead of a GET per
//! contact. The reply goes through the selection walk's checks (only the ids asked, none
//! twice, the filter holds), so a site that reads the filter differently is caught before
//! anything is written from its copies.

use std::collections::HashMap;

use tokio_util::sync::CancellationToken;

use crate::api::paging::PagingOptions;
use crate::api::selection::for_each_contact;
use crate::api::{ApiError, Contact, ContactId, ContactScope, Dialect, ListQuery, Op, OrderBy, ReadClient};

/// Contacts read per list request, unless the site pages in fewer.
const PAGE: u32 = 100;

/// How many contacts to read per list request on a site with this dialect; `None` where the
/// site does not honour `$in` (each contact is then read with its own GET).
pub fn page_size(dialect: &Dialect) -> Option<usize> {
    dialect.honours(Op::In).then(|| dialect.limit(PAGE) as usize)
}

/// The site's copies of `ids` (at most a page of them), by id. A contact missing from the
/// map was not in the reply (deleted, most likely). Fails when the reply fails the checks.
pub async fn read_page(
    client: &ReadClient,
    ids: &[ContactId],
    cancel: &CancellationToken,
) -> Result<HashMap<ContactId, Contact>, ApiError> {
    let dialect = client.dialect();
    let query = ListQuery::default().order_by(OrderBy::asc("Id"));
    let scope = ContactScope::ids(query, ids.iter().copied());
    // One request at a time: the caller counts this read as one request in flight.
    let paging = PagingOptions { max_in_flight: 1, page_size: dialect.limit(PAGE), ..PagingOptions::for_site(dialect) };
    let mut copies = HashMap::with_capacity(ids.len());
    for_each_contact(client, &scope, &paging, cancel, |page, _| {
        copies.extend(page.into_iter().map(|contact| (contact.id, contact)));
    })
    .await?;
    Ok(copies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_hundred_or_the_sites_cap_and_none_without_in() {
        assert_eq!(page_size(&Dialect::default()), Some(100));
        assert_eq!(page_size(&Dialect { max_page: Some(40), ..Dialect::default() }), Some(40));
        assert_eq!(page_size(&Dialect { max_page: Some(500), ..Dialect::default() }), Some(100));
        let without_in = Dialect { unhonoured_operators: vec!["$in".to_owned()], ..Dialect::default() };
        assert_eq!(page_size(&without_in), None);
    }
}
