//! Who holds an email on the site. This is how the client learns which contact a create made
//! when its reply did not say: a reply without an Id, a lost reply, a create that a crash left
//! pending. Whether a create is sent again, and which contact the journal (and so an undo)
//! names, depend on the answer, so the site's rows are checked before they are believed.

use crate::api::ApiError;
use crate::api::guard::ContactGuard;
use crate::api::model::Contact;
use crate::api::query::{ListQuery, Where};

use super::ReadClient;

/// The contacts a site holds with one email.
#[derive(Debug)]
pub enum EmailHolders {
    None,
    One(Box<Contact>),
    /// This many or more: the lookup reads two, enough to tell one from several.
    Several(usize),
}

impl ReadClient {
    /// The contacts with `email`, trimmed (sites compare emails case-insensitively). A row
    /// without that email means the site ignored or misread the filter, and the answer is
    /// refused ([`ApiError::Untrusted`]): another contact must not pass for the one looked for.
    pub async fn holders_of_email(&self, email: &str) -> Result<EmailHolders, ApiError> {
        let filter = Where::field("Email").eq(email.trim());
        let mut rows = self.list_contacts(&ListQuery::new(filter.clone()).page(0, 2)).await?.items;
        ContactGuard::new(&filter).inspect(&rows).map_err(ApiError::Untrusted)?;
        Ok(match rows.len() {
            0 => EmailHolders::None,
            1 => EmailHolders::One(Box::new(rows.remove(0))),
            several => EmailHolders::Several(several),
        })
    }
}
