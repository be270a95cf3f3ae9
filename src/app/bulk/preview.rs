//! The preview of a bulk edit: the selection read page by page (no write), how many contacts
//! the edit would change, and a few of them before and after.

use tokio_util::sync::CancellationToken;

use crate::api::paging::PagingOptions;
use crate::api::selection::for_each_contact;
use crate::api::{ApiError, ContactScope};
use crate::app::tasks::Progress;
use crate::app::text::contact_name;

use super::edit::{EditRefused, Edits};

/// Contacts shown before and after.
pub const SAMPLES: usize = 5;

/// One contact of the sample: who, and each changed field as (field, before, after).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub label: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Preview {
    /// Contacts in the selection when it was read.
    pub contacts: u64,
    /// Of them, how many the edit changes.
    pub changing: u64,
    /// Contacts that cannot take a value, with why (the first one's reason).
    pub refusing: u64,
    pub first_refusal: Option<EditRefused>,
    pub samples: Vec<Sample>,
}

/// Reads the contacts of `scope` and works out what `edits` would do to them.
pub async fn preview_edit(
    client: &crate::api::ReadClient,
    scope: &ContactScope,
    edits: &Edits,
    cancel: &CancellationToken,
    progress: &Progress,
) -> Result<Preview, ApiError> {
    let mut preview = Preview::default();
    for_each_contact(client, scope, &PagingOptions::for_site(client.dialect()), cancel, |page, expected| {
        for contact in page {
            preview.contacts += 1;
            match edits.apply(&contact) {
                Err(reason) => {
                    preview.refusing += 1;
                    preview.first_refusal.get_or_insert(reason);
                }
                Ok(edited) => {
                    let changes = edits.differences(&contact, &edited);
                    if !changes.is_empty() {
                        preview.changing += 1;
                        if preview.samples.len() < SAMPLES {
                            preview.samples.push(Sample { label: contact_name(&contact), changes });
                        }
                    }
                }
            }
        }
        progress.set(preview.contacts, expected);
    })
    .await?;
    Ok(preview)
}
