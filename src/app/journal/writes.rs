//! The one path the app's writes take: each is recorded in the journal as an intent before
//! its request leaves, and completed with its outcome and the site's copy after. A write
//! whose intent cannot be recorded is not sent.

use std::sync::Arc;

use secrecy::SecretString;
use serde_json::Value;

use crate::api::{ApiError, Client, Contact, ContactId, ContactInput, EmailHolders, ReadClient, SecureZone};
use crate::app::text::contact_name;

use super::{Intent, Journal, JournalError, JournalOutcome, Operation};

/// Where a deleted contact's zones travel in its before-copy (taken out again on undo).
pub const ZONES_KEY: &str = "SecureZones";

/// The site's client and its journal. Cheap to clone.
///
/// It is the only holder of a writing [`Client`] in the app, and never hands it out: the rest
/// of the app reads through a [`ReadClient`], which has no write calls. So a feature cannot
/// write without the journal; this does not compile:
///
/// ```compile_fail,E0599
/// # async fn feature(writes: &treepl_contacts::app::journal::Writes) {
/// let id: treepl_contacts::api::ContactId = 1;
/// writes.client().delete_contact(id).await;
/// # }
/// ```
///
/// while a read through it does:
///
/// ```no_run
/// # async fn feature(writes: &treepl_contacts::app::journal::Writes) {
/// let id: treepl_contacts::api::ContactId = 1;
/// let _ = writes.client().get_contact(id).await;
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Writes {
    client: Client,
    /// Shared by the clones: why the journal could not be opened.
    journal: Result<Journal, Arc<JournalError>>,
}

/// A write's place in a larger piece of work: the bulk operation it belongs to, the entry
/// (or bulk operation) it undoes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub batch: Option<i64>,
    pub undo_of: Option<i64>,
}

impl Writes {
    /// `journal`: the site's journal, or why it could not be opened (writes are then refused).
    pub fn new(client: Client, journal: Result<Journal, JournalError>) -> Self {
        Self { client, journal: journal.map_err(Arc::new) }
    }

    /// The same client and journal, speaking `dialect` to the site.
    pub fn with_dialect(&self, dialect: crate::api::Dialect) -> Self {
        Self { client: self.client.with_dialect(dialect), journal: self.journal.clone() }
    }

    /// For reads: the same connection, without its write calls.
    pub fn client(&self) -> &ReadClient {
        &self.client
    }

    pub fn journal(&self) -> Option<&Journal> {
        self.journal.as_ref().ok()
    }

    async fn begin(&self, intent: Intent) -> Result<(Journal, i64), ApiError> {
        let refused = |error: &JournalError| ApiError::Journal { message: error.to_string() };
        let journal = self.journal.clone().map_err(|error| refused(&error))?;
        let id = journal.off_thread(move |j| j.begin(&intent)).await.map_err(|error| refused(&error))?;
        Ok((journal, id))
    }

    /// A journal batch for `title`, so that an operation on many contacts is listed (and
    /// undone) as one. A journal that cannot make one still records each write alone.
    pub async fn new_batch(&self, title: String) -> Option<i64> {
        self.journal()?.off_thread(move |j| j.new_batch(&title)).await.ok()
    }

    /// Completes the entry from the result. A journal that fails now cannot undo the write:
    /// the entry stays pending and the next start settles it from the site.
    async fn finish<T>(
        journal: Journal,
        id: i64,
        result: &Result<T, ApiError>,
        contact: Option<ContactId>,
        after: Option<Value>,
    ) {
        let (outcome, detail) = match result {
            Ok(_) => (JournalOutcome::Done, None),
            Err(ApiError::OutcomeUnknown { .. }) => {
                (JournalOutcome::Unknown, result.as_ref().err().map(ToString::to_string))
            }
            Err(error) => (JournalOutcome::Failed, Some(error.to_string())),
        };
        let done = journal.off_thread(move |j| j.finish(id, outcome, contact, after.as_ref(), detail.as_deref())).await;
        if let Err(error) = done {
            tracing::warn!(entry = id, %error, "the journal entry stays pending");
        }
    }

    /// Writes `edited` over the site's copy (`before`, as the caller last read it). The body
    /// is `edited` as the site sent it, with only the fields changed since re-encoded (see
    /// [`crate::api::UpdateBody`]): odd values, dates and nulls go back as they came.
    pub async fn update(&self, before: &Contact, edited: &Contact, context: Context) -> Result<Contact, ApiError> {
        let intent = Intent {
            before: to_json(before),
            // The contact as asked for (the body is the whole of it).
            sent: to_json(edited),
            batch: context.batch,
            undo_of: context.undo_of,
            ..Intent::new(Operation::Save, Some(before.id), contact_name(before))
        };
        let (journal, entry) = self.begin(intent).await?;
        let result = self.client.update_contact(before.id, edited).await;
        let after = result.as_ref().ok().and_then(to_json);
        Self::finish(journal, entry, &result, Some(before.id), after).await;
        result
    }

    /// Creates `draft` (with an optional first password, never recorded). When the reply is
    /// lost, its email is looked up before anything else, so a contact is never created
    /// twice; the entry says what was found.
    pub async fn create(
        &self,
        draft: &Contact,
        password: Option<&SecretString>,
        context: Context,
    ) -> Result<Contact, ApiError> {
        let input = ContactInput::for_create(draft);
        let intent = Intent {
            sent: to_json(&input),
            batch: context.batch,
            undo_of: context.undo_of,
            ..Intent::new(Operation::Create, None, contact_name(draft))
        };
        let (journal, entry) = self.begin(intent).await?;
        let result = match self.client.create_contact(&input, password).await {
            Err(ApiError::OutcomeUnknown { .. }) => find_created(&self.client, &draft.email).await,
            other => other,
        };
        let after = result.as_ref().ok().and_then(to_json);
        let id = result.as_ref().ok().map(|c| c.id);
        Self::finish(journal, entry, &result, id, after).await;
        result
    }

    /// Deletes contact `id`, its copy and its zones read first, for the journal (and an undo
    /// that re-creates it). Gone already: nothing to do.
    pub async fn delete(&self, id: ContactId, context: Context) -> Result<(), ApiError> {
        let before = match self.client.get_contact(id).await {
            Ok(before) => before,
            Err(ApiError::NotFound { .. }) => return Ok(()),
            Err(error) => return Err(error),
        };
        let zones = self.client.all_secure_zones(id).await?;
        let mut copy = to_json(&before).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut copy {
            fields.insert(ZONES_KEY.to_owned(), to_json(&zones).unwrap_or(Value::Null));
        }
        let intent = Intent {
            before: Some(copy),
            batch: context.batch,
            undo_of: context.undo_of,
            ..Intent::new(Operation::Delete, Some(id), contact_name(&before))
        };
        let (journal, entry) = self.begin(intent).await?;
        let result = match self.client.delete_contact(id).await {
            // Deleted elsewhere meanwhile: gone all the same.
            Err(ApiError::NotFound { .. }) => Ok(()),
            other => other,
        };
        Self::finish(journal, entry, &result, Some(id), None).await;
        result
    }

    /// Sends the contact's complete list of zones (`before`: the list as just read).
    pub async fn set_zones(
        &self,
        contact: ContactId,
        label: &str,
        before: &[SecureZone],
        wanted: &[SecureZone],
        context: Context,
    ) -> Result<Vec<SecureZone>, ApiError> {
        refuse_removal_where_zones_merge(self.client.dialect(), before, wanted)?;
        let wanted = &dates_in_the_sites_form(self.client.dialect(), before, wanted);
        let intent = Intent {
            before: to_json(&before),
            sent: to_json(&wanted),
            batch: context.batch,
            undo_of: context.undo_of,
            ..Intent::new(Operation::Zones, Some(contact), label)
        };
        let (journal, entry) = self.begin(intent).await?;
        let result = self.client.set_secure_zones(contact, wanted).await;
        let after = result.as_ref().ok().and_then(to_json);
        Self::finish(journal, entry, &result, Some(contact), after).await;
        result
    }

    /// Sets the contact's password. The journal holds the fact only.
    pub async fn set_password(
        &self,
        contact: ContactId,
        label: &str,
        password: &SecretString,
    ) -> Result<Vec<SecureZone>, ApiError> {
        let (journal, entry) = self.begin(Intent::new(Operation::Password, Some(contact), label)).await?;
        let result = self.client.set_password(contact, password).await;
        Self::finish(journal, entry, &result, Some(contact), None).await;
        result
    }
}

/// The zones to send, each expiry the app set (one not as the site sent it) in the form of
/// the date it replaces, or else in the form the site's dialect writes dates: a site that
/// sends dates without a zone gets its own form back. An expiry as sent goes back as it came.
fn dates_in_the_sites_form(
    dialect: &crate::api::Dialect,
    before: &[SecureZone],
    wanted: &[SecureZone],
) -> Vec<SecureZone> {
    let text = |zone: &SecureZone| zone.expiry_date_time.map(|at| at.to_wire());
    wanted
        .iter()
        .map(|zone| {
            let had = before.iter().find(|had| had.id == zone.id);
            match zone.expiry_date_time {
                Some(at) if had.is_none_or(|had| text(had) != text(zone)) => {
                    let form = had.and_then(|had| had.expiry_date_time).map_or(dialect.dates, |old| old.form());
                    SecureZone { expiry_date_time: Some(at.in_form(form)), ..zone.clone() }
                }
                _ => zone.clone(),
            }
        })
        .collect()
}

/// A site whose zones PUT adds to the list cannot take a zone away through the API: sending
/// the shorter list would report success and change nothing, so it is refused before the
/// journal or the site hear of it.
fn refuse_removal_where_zones_merge(
    dialect: &crate::api::Dialect,
    before: &[SecureZone],
    wanted: &[SecureZone],
) -> Result<(), ApiError> {
    if dialect.zones_put != crate::api::dialect::ZonesPut::Merges {
        return Ok(());
    }
    match before.iter().find(|had| !wanted.iter().any(|kept| kept.id == had.id)) {
        Some(removed) => Err(ApiError::NotOnThisSite(format!(
            "This site adds secure zones on save and cannot take one away through its API, so {} was not \
             removed. Remove it in the site's own admin.",
            removed.name
        ))),
        None => Ok(()),
    }
}

fn to_json(value: &impl serde::Serialize) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// The contact created with `email`, if the site has exactly one; otherwise why not.
pub(super) async fn find_created(client: &ReadClient, email: &str) -> Result<Contact, ApiError> {
    match client.holders_of_email(email).await {
        Ok(EmailHolders::One(created)) => Ok(*created),
        Ok(EmailHolders::None) => Err(ApiError::Network {
            message: "the connection failed while creating the contact, and no contact has its email, so it was \
                      not created; saving again is safe"
                .to_owned(),
            timed_out: false,
        }),
        Ok(EmailHolders::Several(_)) => Err(could_not_tell("more than one contact has its email")),
        Err(error) => Err(could_not_tell(&error.to_string())),
    }
}

fn could_not_tell(why: &str) -> ApiError {
    ApiError::OutcomeUnknown {
        action: "creating the contact".to_owned(),
        detail: format!("the app could not tell whether it was created: {why}"),
    }
}

/// The copy and the zones of a deleted contact, from its journal entry.
pub fn deleted_copy(before: &Value) -> Option<(Contact, Vec<SecureZone>)> {
    let mut fields = before.as_object()?.clone();
    let zones = fields.remove(ZONES_KEY).and_then(|z| serde_json::from_value(z).ok()).unwrap_or_default();
    let contact = serde_json::from_value(Value::Object(fields)).ok()?;
    Some((contact, zones))
}
