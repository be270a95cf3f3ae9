//! A site's dialect: how this client encodes list requests for one site, and what it may
//! ask of it. The default is the project's reading of the vendor's reference (the choices of
//! [`super::assumed`]); `treepl-contacts doctor` learns a site's own and stores it with the
//! site's profile. Every list request is encoded here, from the dialect, and nowhere else.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::query::{ListQuery, Op, OrderBy};
use super::wire::DateForm;

/// Where a list request's parameters go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamPlacement {
    /// `?Where=<JSON>&Order_By=..&Offset=..&Limit=..`
    #[default]
    Query,
    /// A JSON body on the GET, as the reference writes its "Data" object.
    Body,
}

/// The casing of the parameter names the site honours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyCase {
    /// `Where`, `Order_By`, `Offset`, `Limit`, as the reference writes them.
    #[default]
    Reference,
    /// `where`, `order_by`, `offset`, `limit`.
    Lower,
}

/// How the site reads a descending `Order_By`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderForm {
    /// `"LastName DESC"`.
    #[default]
    Suffix,
    /// `"-LastName"`.
    Prefix,
    /// Ascending only: a descending order is refused before it is sent.
    AscendingOnly,
}

/// What the secure-zones PUT does with the list it is sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZonesPut {
    /// The list sent becomes the contact's list.
    #[default]
    Replaces,
    /// The zones sent are added to the contact's; none can be removed through the API.
    Merges,
}

/// One site's dialect. `Dialect::default()` is today's behaviour, kept for a site the doctor
/// has not checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dialect {
    pub params: ParamPlacement,
    pub keys: KeyCase,
    /// The operators the site is known not to honour (by wire name, so that a newer app's
    /// operators read in an older one). Empty: all are offered.
    pub unhonoured_operators: Vec<String>,
    pub order: OrderForm,
    /// The largest page the site returns; `Limit` is never asked above it.
    pub max_page: Option<u32>,
    /// Whether `Offset` moves through the list. When it does not, walks page by the last Id.
    pub offset_honoured: bool,
    /// Whether `Id $gt n` with `Order_By=Id` pages reliably: walks then page by the last Id
    /// seen, so that no row is skipped or repeated while others write to the site.
    pub keyset_paging: bool,
    pub zones_put: ZonesPut,
    /// The form of the dates the app writes (a date read from the site keeps its own).
    pub dates: DateForm,
}

impl Default for Dialect {
    fn default() -> Self {
        Self {
            params: ParamPlacement::default(),
            keys: KeyCase::default(),
            unhonoured_operators: Vec::new(),
            order: OrderForm::default(),
            max_page: None,
            offset_honoured: true,
            keyset_paging: false,
            zones_put: ZonesPut::default(),
            dates: DateForm::default(),
        }
    }
}

/// A list request as it goes out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListRequest {
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

/// A request this site cannot be asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unsupported {
    #[error("This site sorts in ascending order only; sort {field} ascending instead.")]
    Descending { field: String },
}

impl Dialect {
    /// Whether the site honours `op` (as far as the doctor found).
    pub fn honours(&self, op: Op) -> bool {
        !self.unhonoured_operators.iter().any(|name| name == op.wire_name())
    }

    /// The operators to offer in a filter builder.
    pub fn operators(&self) -> Vec<Op> {
        Op::ALL.into_iter().filter(|op| self.honours(*op)).collect()
    }

    /// Whether the site can sort by a field in descending order.
    pub fn sorts_descending(&self) -> bool {
        self.order != OrderForm::AscendingOnly
    }

    /// The page size to ask for when `wanted` would do: never above the site's cap.
    pub fn limit(&self, wanted: u32) -> u32 {
        self.max_page.map_or(wanted, |cap| wanted.min(cap.max(1)))
    }

    /// The one encoding of a list request for this site.
    pub fn list_request(&self, query: &ListQuery) -> Result<ListRequest, Unsupported> {
        let order = query.order_by.clone().unwrap_or_else(|| OrderBy::asc(super::assumed::DEFAULT_ORDER_FIELD));
        let order_text = self.order_text(&order)?;
        let names = match self.keys {
            KeyCase::Reference => ["Where", "Order_By", "Offset", "Limit"],
            KeyCase::Lower => ["where", "order_by", "offset", "limit"],
        };
        let filter = query.filter.to_json();
        let limit = self.limit(query.limit);
        Ok(match self.params {
            ParamPlacement::Query => ListRequest {
                query: vec![
                    (names[0], filter.to_string()),
                    (names[1], order_text),
                    (names[2], query.offset.to_string()),
                    (names[3], limit.to_string()),
                ],
                body: None,
            },
            ParamPlacement::Body => ListRequest {
                query: Vec::new(),
                body: Some(json!({
                    names[0]: filter,
                    names[1]: order_text,
                    names[2]: query.offset,
                    names[3]: limit,
                })),
            },
        })
    }

    fn order_text(&self, order: &OrderBy) -> Result<String, Unsupported> {
        if !order.descending {
            return Ok(order.field.clone());
        }
        match self.order {
            OrderForm::Suffix => Ok(format!("{} DESC", order.field)),
            OrderForm::Prefix => Ok(format!("-{}", order.field)),
            OrderForm::AscendingOnly => Err(Unsupported::Descending { field: order.field.clone() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Where;

    #[test]
    fn the_default_is_the_reference_query_string() {
        let query = ListQuery::new(Where::field("City").eq("Oslo")).order_by(OrderBy::desc("Id")).page(200, 50);
        let request = Dialect::default().list_request(&query).unwrap();
        assert_eq!(
            request.query,
            vec![
                ("Where", r#"{"City":{"$eq":"Oslo"}}"#.to_owned()),
                ("Order_By", "Id DESC".to_owned()),
                ("Offset", "200".to_owned()),
                ("Limit", "50".to_owned()),
            ]
        );
        assert_eq!(request.body, None);
    }

    #[test]
    fn a_body_dialect_in_lower_case_with_a_prefix_order_and_a_cap() {
        let dialect = Dialect {
            params: ParamPlacement::Body,
            keys: KeyCase::Lower,
            order: OrderForm::Prefix,
            max_page: Some(20),
            ..Dialect::default()
        };
        let query = ListQuery::new(Where::field("Id").gt(5)).order_by(OrderBy::desc("LastName")).page(40, 100);
        let request = dialect.list_request(&query).unwrap();
        assert!(request.query.is_empty());
        assert_eq!(
            request.body,
            Some(json!({"where": {"Id": {"$gt": 5}}, "order_by": "-LastName", "offset": 40, "limit": 20}))
        );
    }

    #[test]
    fn an_ascending_only_site_is_never_asked_to_sort_descending() {
        let dialect = Dialect { order: OrderForm::AscendingOnly, ..Dialect::default() };
        let descending = ListQuery::default().order_by(OrderBy::desc("Email"));
        assert!(matches!(dialect.list_request(&descending), Err(Unsupported::Descending { .. })));
        let ascending = ListQuery::default().order_by(OrderBy::asc("Email"));
        assert_eq!(dialect.list_request(&ascending).unwrap().query[1], ("Order_By", "Email".to_owned()));
    }

    #[test]
    fn operators_the_site_ignores_are_not_offered() {
        let dialect = Dialect { unhonoured_operators: vec!["$endsWith".to_owned()], ..Dialect::default() };
        assert!(!dialect.operators().contains(&Op::EndsWith));
        assert_eq!(dialect.operators().len(), Op::ALL.len() - 1);
    }

    #[test]
    fn a_stored_dialect_from_an_older_app_reads_with_defaults() {
        let dialect: Dialect = serde_json::from_value(json!({"keys": "Lower"})).unwrap();
        assert_eq!(dialect, Dialect { keys: KeyCase::Lower, ..Dialect::default() });
    }
}
