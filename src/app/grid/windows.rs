//! Contacts opened from the grid in windows of their own: the copy the grid had, then the
//! fresh one from the site once it is in.

use crate::api::{ApiError, Contact, ContactId};

pub struct ContactWindow {
    pub id: ContactId,
    pub contact: Option<Contact>,
    pub error: Option<String>,
}

impl ContactWindow {
    /// A window showing `cached` (the grid's row, if loaded) until the site's copy arrives.
    pub fn new(id: ContactId, cached: Option<Contact>) -> Self {
        Self { id, contact: cached, error: None }
    }

    pub(super) fn arrived(&mut self, result: Result<Box<Contact>, ApiError>) {
        match result {
            Ok(contact) => {
                self.contact = Some(*contact);
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }
}
