//! What the user asked the grid to show: filter, quick search and sort, as the site is asked.

use crate::api::{ListQuery, OrderBy, Where};

use super::super::filter::FilterSpec;

/// What the user asked to see: filter, quick search and sort.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct GridQuery {
    pub filter: FilterSpec,
    pub search: String,
    pub order_by: Option<OrderBy>,
}

impl GridQuery {
    /// The server-side filter: the filter spec, and the search over names and email.
    pub fn filter(&self) -> Where {
        let words: Vec<&str> = self.search.split_whitespace().collect();
        let search = words.into_iter().fold(Where::All, |all, word| {
            let any_field = Where::field("FirstName")
                .contains(word)
                .or(Where::field("LastName").contains(word))
                .or(Where::field("Email").contains(word));
            all.and(any_field)
        });
        self.filter.to_where().and(search)
    }

    /// The filter and order, from the first row.
    pub fn list_query(&self) -> ListQuery {
        let query = ListQuery::new(self.filter());
        match &self.order_by {
            Some(order_by) => query.order_by(order_by.clone()),
            None => query,
        }
    }
}
