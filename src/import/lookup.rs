//! Finding the file's contacts on the site: a list request per batch of emails or ids
//! (`Email $in [...]`, `Id $in [...]`) through the guarded walk, so that a reply holding a
//! contact that was not asked for is refused; one request per key only where the site does
//! not honour `$in`.

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};
use tokio_util::sync::CancellationToken;

use crate::api::assumed::{EMAILS_PER_REQUEST, IDS_PER_REQUEST};
use crate::api::paging::PagingOptions;
use crate::api::selection::for_each_contact;
use crate::api::{ApiError, Contact, ContactId, ContactScope, ListQuery, Op, ReadClient, Where};

/// Lookups in flight at once (each is one request).
pub const IN_FLIGHT: usize = 8;

/// An email as the file and the site are matched on: trimmed, in lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The site's contacts for each of `emails` (keyed by [`email_key`]); an email the site does
/// not hold has no entry, one it holds twice has two. Pass each spelling the file has (and
/// its lower case): the contract compares without regard to case, a site may not.
pub async fn contacts_by_email(
    client: &ReadClient,
    emails: &[String],
    cancel: &CancellationToken,
    progress: impl Fn(u64, u64),
) -> Result<HashMap<String, Vec<Contact>>, ApiError> {
    let per_request = if client.dialect().honours(Op::In) { EMAILS_PER_REQUEST } else { 1 };
    let filters = emails.chunks(per_request).map(|batch| match batch {
        [one] => Where::field("Email").eq(one.as_str()),
        many => Where::field("Email").is_in(many.iter().map(String::as_str)),
    });
    let mut seen = std::collections::HashSet::new();
    let mut found: HashMap<String, Vec<Contact>> = HashMap::new();
    for contact in walk_all(client, filters.collect(), emails.len() as u64, cancel, progress).await? {
        // Two spellings of one email may both find it.
        if seen.insert(contact.id) {
            found.entry(email_key(&contact.email)).or_default().push(contact);
        }
    }
    Ok(found)
}

/// The site's contacts of `ids`; an id the site does not hold has no entry.
pub async fn contacts_by_id(
    client: &ReadClient,
    ids: &[ContactId],
    cancel: &CancellationToken,
    progress: impl Fn(u64, u64),
) -> Result<HashMap<ContactId, Contact>, ApiError> {
    let total = ids.len() as u64;
    if !client.dialect().honours(Op::In) {
        let reads = futures::stream::iter(ids.iter().copied())
            .map(|id| async move {
                if cancel.is_cancelled() {
                    return Err(ApiError::Cancelled);
                }
                match client.get_contact(id).await {
                    Ok(contact) if contact.id == id => Ok(Some(contact)),
                    // Asked for one contact, sent another: not taken as the one asked for.
                    Ok(_) | Err(ApiError::NotFound { .. }) => Ok(None),
                    Err(error) => Err(error),
                }
            })
            .buffer_unordered(IN_FLIGHT);
        let mut done = 0;
        let found: Vec<Option<Contact>> = reads
            .inspect(|_| {
                done += 1;
                progress(done, total);
            })
            .try_collect()
            .await?;
        return Ok(found.into_iter().flatten().map(|c| (c.id, c)).collect());
    }
    let filters = ids.chunks(IDS_PER_REQUEST).map(|batch| Where::field("Id").is_in(batch.iter().copied())).collect();
    let found = walk_all(client, filters, total, cancel, progress).await?;
    Ok(found.into_iter().map(|c| (c.id, c)).collect())
}

/// Every contact matching any of `filters`, a few filters at a time, each through the
/// guarded walk (a page holding a contact its filter does not match fails the lookup).
async fn walk_all(
    client: &ReadClient,
    filters: Vec<Where>,
    keys: u64,
    cancel: &CancellationToken,
    progress: impl Fn(u64, u64),
) -> Result<Vec<Contact>, ApiError> {
    let per_filter = keys.div_ceil(filters.len().max(1) as u64);
    // One request at a time per filter: the filters are what runs in parallel.
    let paging = PagingOptions { max_in_flight: 1, ..PagingOptions::for_site(client.dialect()) };
    let walks = futures::stream::iter(filters)
        .map(|filter| {
            let paging = &paging;
            async move {
                let scope = ContactScope::matching(ListQuery::new(filter), Default::default());
                let mut found = Vec::new();
                for_each_contact(client, &scope, paging, cancel, |page, _| found.extend(page)).await?;
                Ok::<_, ApiError>(found)
            }
        })
        .buffer_unordered(IN_FLIGHT);
    let mut done = 0;
    let batches: Vec<Vec<Contact>> = walks
        .inspect(|_| {
            done = (done + per_filter).min(keys);
            progress(done, keys);
        })
        .try_collect()
        .await?;
    Ok(batches.into_iter().flatten().collect())
}

/// The custom fields the site's first contacts have (custom groups have no schema to ask
/// for): what a mapping is guessed against when the app has not listed the site yet.
pub async fn custom_fields_seen(client: &ReadClient) -> Result<std::collections::BTreeSet<(String, String)>, ApiError> {
    let first = client.list_contacts(&ListQuery::new(Where::All).page(0, crate::api::assumed::WALK_LIMIT)).await?;
    let fields = first.items.iter().flat_map(crate::api::fields::custom_fields_of);
    Ok(fields.map(|(group, field)| (group.to_owned(), field.to_owned())).collect())
}
