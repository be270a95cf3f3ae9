//! Checks on what a site answered to a walk over its contacts, before anything acts on it:
//! every row matches the filter asked for, no contact comes twice, pages are no larger than
//! asked and the total holds still. A site that reads a request differently from this client
//! (ignores `Where` or `Offset`) is caught here, in the one walk that export, delete, bulk
//! edits, bulk zones and undo all go through.

use std::collections::HashSet;
use std::fmt;

use super::filter_check::RowCheck;
use super::model::{Contact, ContactId};
use super::query::Where;

/// What did not hold in a site's answer. Shown as a sentence that says what the site seems to
/// do and that nothing was acted on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Distrust {
    /// Rows came back that do not match the filter (`failing` of the first `checked`).
    RowsOutsideFilter { filter: String, failing: u64, checked: u64 },
    /// A contact came back a second time in one walk.
    RepeatedRow { id: ContactId, offset: u64 },
    /// A page held more rows than its `Limit`.
    PageTooLarge { asked: u64, got: u64 },
    /// `TotalItemsCount` changed between the pages of one walk.
    TotalChanged { before: u64, after: u64 },
    /// Paging by Id (`Id $gt <last>` in Id order) brought an Id not past the last one.
    KeysetBackwards { last: ContactId, got: ContactId },
    /// A filter the client cannot check, on an action that writes, not confirmed by typing
    /// the count.
    UncheckedFilter { filter: String },
    /// A scope confirmed as `confirmed` contacts resolved to `found` distinct ones.
    CountChanged { confirmed: u64, found: u64 },
}

impl fmt::Display for Distrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = thousands;
        match self {
            Distrust::RowsOutsideFilter { filter, failing, checked } => {
                let seems = if failing * 2 >= *checked {
                    "this site ignored the filter"
                } else {
                    "this site read the filter differently from this app"
                };
                write!(f, "{seems}: {} of the first {} contacts do not match {filter}", n(*failing), n(*checked))
            }
            Distrust::RepeatedRow { id, offset } => write!(
                f,
                "this site seems to ignore Offset: the page from row {} repeated contact {id}. Check the site \
                 (Site > Check this site…) to page by Id instead",
                n(*offset)
            ),
            Distrust::PageTooLarge { asked, got } => {
                write!(
                    f,
                    "this site sent {} contacts for a page of {}, so its paging cannot be trusted",
                    n(*got),
                    n(*asked)
                )
            }
            Distrust::TotalChanged { before, after } => write!(
                f,
                "the number of matching contacts changed from {} to {} while they were read (someone is changing \
                 them); try again when the site is quiet",
                n(*before),
                n(*after)
            ),
            Distrust::KeysetBackwards { last, got } => write!(
                f,
                "this site ignored `Id > {last}` when paging by Id (it sent contact {got}), so its paging cannot be \
                 trusted"
            ),
            Distrust::UncheckedFilter { filter } => write!(
                f,
                "this app cannot check which contacts match {filter}, so it cannot tell whether the site read it \
                 as meant; type the number of contacts to confirm"
            ),
            Distrust::CountChanged { confirmed, found } => write!(
                f,
                "you confirmed {} contacts, but {} match now; check the list and try again",
                n(*confirmed),
                n(*found)
            ),
        }
    }
}

/// The checks a contact walk applies to each page, in the order pages are delivered.
pub(crate) struct ContactGuard {
    check: Option<RowCheck>,
    filter: String,
    seen: HashSet<ContactId>,
    checked: u64,
    failing: u64,
    delivered: u64,
}

impl ContactGuard {
    /// Checks rows against `filter` when the client can read it (else rows are taken as they
    /// come; callers that write refuse such a filter unless the user confirmed it).
    pub(crate) fn new(filter: &Where) -> Self {
        Self {
            check: RowCheck::new(filter),
            filter: filter.describe(),
            seen: HashSet::new(),
            checked: 0,
            failing: 0,
            delivered: 0,
        }
    }

    /// Checks another page: every row matches the filter (the whole page is counted before
    /// giving up, so the message can say how many), and none came before.
    pub(crate) fn inspect(&mut self, page: &[Contact]) -> Result<(), Distrust> {
        if let Some(check) = &self.check {
            self.checked += page.len() as u64;
            self.failing += page.iter().filter(|contact| !check.matches(contact)).count() as u64;
            if self.failing > 0 {
                let (failing, checked) = (self.failing, self.checked);
                return Err(Distrust::RowsOutsideFilter { filter: self.filter.clone(), failing, checked });
            }
        }
        for contact in page {
            if !self.seen.insert(contact.id) {
                return Err(Distrust::RepeatedRow { id: contact.id, offset: self.delivered });
            }
        }
        self.delivered += page.len() as u64;
        Ok(())
    }

    /// Checks the next pages against another filter (a batch of ids within the scope's filter),
    /// still refusing any contact seen before.
    pub(crate) fn set_filter(&mut self, filter: &Where) {
        self.check = RowCheck::new(filter);
        self.filter = filter.describe();
        (self.checked, self.failing) = (0, 0);
    }

    /// Whether `id` came in this walk already.
    pub(crate) fn has_seen(&self, id: ContactId) -> bool {
        self.seen.contains(&id)
    }
}

/// `2893` as `2,893`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: ContactId, city: &str) -> Contact {
        let mut contact = Contact { id, ..Contact::default() };
        contact.address.city = Some(city.to_owned());
        contact
    }

    #[test]
    fn rows_outside_the_filter_are_counted_over_the_whole_page_and_named() {
        let mut guard = ContactGuard::new(&Where::field("City").eq("Auckland"));
        assert_eq!(guard.inspect(&[contact(1, "auckland"), contact(2, "AUCKLAND")]), Ok(()));
        let page: Vec<Contact> =
            (3..3003).map(|id| contact(id, if id % 3 == 0 { "Auckland" } else { "Oslo" })).collect();
        let error = guard.inspect(&page).unwrap_err();
        assert_eq!(
            error,
            Distrust::RowsOutsideFilter { filter: "City = Auckland".into(), failing: 2000, checked: 3002 }
        );
        assert_eq!(
            error.to_string(),
            "this site ignored the filter: 2,000 of the first 3,002 contacts do not match City = Auckland"
        );
    }

    #[test]
    fn a_contact_seen_twice_is_refused() {
        let mut guard = ContactGuard::new(&Where::All);
        assert_eq!(guard.inspect(&[contact(1, "a"), contact(2, "b")]), Ok(()));
        assert_eq!(guard.inspect(&[contact(1, "a")]), Err(Distrust::RepeatedRow { id: 1, offset: 2 }));
    }

    #[test]
    fn an_uncheckable_filter_lets_rows_through_but_not_repeats() {
        let raw = Where::Raw(serde_json::json!({"City": {"$like": "A%"}}));
        let mut guard = ContactGuard::new(&raw);
        assert_eq!(guard.inspect(&[contact(1, "Oslo")]), Ok(()));
        assert!(guard.inspect(&[contact(1, "Oslo")]).is_err());
    }
}
