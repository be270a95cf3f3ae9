//! The extra step before a write on a filter the client cannot check (raw JSON outside the
//! dialect): the user types how many contacts the action takes, as the confirmation shows it.
//! A site that misread such a filter would otherwise go unnoticed until contacts are gone.

use crate::api::{Confirmed, ContactScope};

/// The typed count a confirmation asks for, if any.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypedCount {
    /// The count to type; `None` when the filter can be checked (nothing to type).
    required: Option<u64>,
    pub typed: String,
}

impl TypedCount {
    pub fn for_scope(scope: &ContactScope, count: u64) -> Self {
        Self { required: (!scope.query.filter.is_checkable()).then_some(count), typed: String::new() }
    }

    /// Asks for `count` whatever the filter (an import of that many changes).
    pub fn of(count: u64) -> Self {
        Self { required: Some(count), typed: String::new() }
    }

    /// Whether it asks for exactly `count`.
    pub fn asks_for(&self, count: u64) -> bool {
        self.required == Some(count)
    }

    pub fn is_required(&self) -> bool {
        self.required.is_some()
    }

    /// Whether the action may go ahead: nothing to type, or the count typed (digits, with or
    /// without thousands separators).
    pub fn is_satisfied(&self) -> bool {
        let Some(required) = self.required else { return true };
        let digits: String = self.typed.chars().filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '_')).collect();
        digits.parse::<u64>() == Ok(required)
    }

    /// What the write path is told the user confirmed.
    pub fn confirmed(&self, count: u64) -> Confirmed {
        Confirmed { count, unchecked_filter: self.is_required() && self.is_satisfied() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ListQuery, Selection, Where};

    fn scope(filter: Where) -> ContactScope {
        ContactScope { query: ListQuery::new(filter), selection: Selection::all() }
    }

    #[test]
    fn only_an_unchecked_filter_asks_for_the_count_and_takes_it_with_separators() {
        let plain = TypedCount::for_scope(&scope(Where::field("City").eq("Oslo")), 3000);
        assert!(!plain.is_required() && plain.is_satisfied());
        assert_eq!(plain.confirmed(3000), Confirmed { count: 3000, unchecked_filter: false });
        let mut raw = TypedCount::for_scope(&scope(Where::Raw(serde_json::json!({"City": {"$like": "O%"}}))), 3000);
        assert!(raw.is_required() && !raw.is_satisfied());
        raw.typed = "300".into();
        assert!(!raw.is_satisfied());
        raw.typed = "3,000".into();
        assert!(raw.is_satisfied());
        assert_eq!(raw.confirmed(3000), Confirmed { count: 3000, unchecked_filter: true });
    }
}
