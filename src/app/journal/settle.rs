//! Settling what a crash left pending: an entry begun but never completed is checked against
//! the site, which tells whether the write happened.

use serde_json::Value;

use crate::api::{ApiError, Contact, SecureZone};
use crate::app::contact::save::changed_fields;

use super::undo::zone_key;
use super::writes::{Writes, find_created};
use super::{Entry, JournalOutcome, Operation};
use super::{Journal, JournalError};

/// What opening a site does with its journal: settles what was left pending, then drops
/// the entries older than `keep_days`. Returns how many were settled.
pub async fn tidy(writes: &Writes, keep_days: u32) -> Result<usize, JournalError> {
    let settled = settle_pending(writes).await?;
    if let Some(journal) = writes.journal() {
        journal.off_thread(move |j| j.prune(keep_days)).await?;
    }
    Ok(settled)
}

/// Settles every pending entry of the site's journal; returns how many were settled.
pub async fn settle_pending(writes: &Writes) -> Result<usize, JournalError> {
    let Some(journal) = writes.journal() else { return Ok(0) };
    let pending = journal.off_thread(Journal::pending).await?;
    let mut settled = 0;
    for entry in pending {
        let Ok((outcome, contact, after, detail)) = check(writes, &entry).await else { continue };
        let id = entry.id;
        journal.off_thread(move |j| j.finish(id, outcome, contact, after.as_ref(), Some(detail.as_str()))).await?;
        settled += 1;
    }
    Ok(settled)
}

type Settled = (JournalOutcome, Option<i64>, Option<Value>, String);

/// What the site says of one pending write. An error reaching the site leaves it pending.
async fn check(writes: &Writes, entry: &Entry) -> Result<Settled, ApiError> {
    let client = writes.client();
    let found =
        |after: Option<Value>| (JournalOutcome::Done, entry.contact, after, "Checked after a restart: done".to_owned());
    let not_done = || (JournalOutcome::Failed, entry.contact, None, "Checked after a restart: not done".to_owned());
    let contact = entry.contact.unwrap_or_default();
    match entry.operation {
        Operation::Save => {
            let site = client.get_contact(contact).await?;
            // Done when the site holds the contact as it was asked for.
            let sent: Option<Contact> = entry.sent.clone().and_then(|s| serde_json::from_value(s).ok());
            let applied = sent.is_some_and(|sent| changed_fields(&sent, &site).is_empty());
            Ok(if applied { found(serde_json::to_value(&site).ok()) } else { not_done() })
        }
        Operation::Create => {
            let email = entry.sent.as_ref().and_then(|s| s.get("Email")).and_then(Value::as_str).unwrap_or_default();
            match find_created(client, email).await {
                Ok(created) => Ok((
                    JournalOutcome::Done,
                    Some(created.id),
                    serde_json::to_value(&created).ok(),
                    "Checked after a restart: created".to_owned(),
                )),
                Err(ApiError::Network { .. }) => Ok(not_done()),
                Err(error) => Err(error),
            }
        }
        Operation::Delete => match client.get_contact(contact).await {
            Err(ApiError::NotFound { .. }) => Ok(found(None)),
            Ok(_) => Ok(not_done()),
            Err(error) => Err(error),
        },
        Operation::Zones => {
            let site = client.all_secure_zones(contact).await?;
            let sent: Vec<SecureZone> =
                entry.sent.clone().and_then(|s| serde_json::from_value(s).ok()).unwrap_or_default();
            Ok(if zone_key(&site) == zone_key(&sent) { found(serde_json::to_value(&site).ok()) } else { not_done() })
        }
        // A password cannot be read back: whether it was set stays unknown.
        Operation::Password | Operation::Other => Ok((
            JournalOutcome::Unknown,
            entry.contact,
            None,
            "The app stopped while this was sent; the site cannot be asked whether it happened".to_owned(),
        )),
    }
}
