//! The list parameters of a request (`Where`, `Order_By`, `Offset`, `Limit`), read from the
//! query string or a JSON body on the GET (the reference's "Data" object), as this site's
//! dialect says. Like [`super::where_reader`], written from the contract, not the client.

use std::collections::HashMap;

use serde_json::Value;

use super::dialect::SiteDialect;
use super::filter;
use super::where_reader::{SiteFilter, SitePath, read_where_text};

/// [assumed] `Limit` when a request gives none (the reference's example).
pub const DEFAULT_LIMIT: u32 = 100;

/// One list request as the site understood it.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteListRequest {
    pub filter: SiteFilter,
    /// `None`: by `Id`.
    pub order: Option<SiteOrder>,
    pub offset: u64,
    /// At least 1 and at most [`super::MAX_LIMIT`] when read from a request.
    pub limit: u32,
}

impl Default for SiteListRequest {
    fn default() -> Self {
        Self { filter: SiteFilter::Everything, order: None, offset: 0, limit: DEFAULT_LIMIT }
    }
}

/// A sort: a field and a direction (ties are always broken by `Id` ascending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteOrder {
    pub path: SitePath,
    pub descending: bool,
}

impl SiteOrder {
    /// Reads `Field`, `Field ASC`, `Field DESC` (any case) or `-Field`.
    pub fn read(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (name, descending) = match text.strip_prefix('-') {
            Some(name) if name.split_whitespace().count() > 1 => {
                return Err(format!("Order_By `{text}` has both a leading - and a direction"));
            }
            Some(name) => (name.trim(), true),
            None => {
                let words: Vec<&str> = text.split_whitespace().collect();
                match words[..] {
                    [] => return Err("Order_By names no field".to_owned()),
                    [name] => (name, false),
                    [name, direction] if direction.eq_ignore_ascii_case("asc") => (name, false),
                    [name, direction] if direction.eq_ignore_ascii_case("desc") => (name, true),
                    [_, direction] => return Err(format!("Order_By direction `{direction}` is neither ASC nor DESC")),
                    _ => return Err(format!("Order_By `{text}` has more than a field and a direction")),
                }
            }
        };
        if name.is_empty() {
            return Err("Order_By names no field".to_owned());
        }
        Ok(Self { path: SitePath::read(name)?, descending })
    }
}

/// The four parameters' names, as this site spells them.
const KEYS: [&str; 4] = ["where", "order_by", "offset", "limit"];

impl SiteListRequest {
    /// Reads a request's list parameters as a site of `dialect` does. `query` is the raw
    /// query string; `body` the GET's body (empty when none). `Err` names what is wrong.
    ///
    /// The default site reads both (the query string wins) with keys in any case, and also
    /// takes `OrderBy`; `body-params` reads the body only; `lowercase-keys` honours only
    /// `where`, `order_by`, `offset` and `limit` spelled so; `where-ignored` and
    /// `offset-ignored` do not read those two at all; `order-asc-only` drops the direction.
    pub fn read(query: Option<&str>, body: &[u8], dialect: &SiteDialect) -> Result<Self, String> {
        let mut given: Vec<(String, String)> = Vec::new();
        if !body.iter().all(u8::is_ascii_whitespace) {
            let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
                return Err("The body of a list request must be a JSON object (Where, Order_By, Offset, Limit).".into());
            };
            for (key, value) in fields {
                // `Where` may come as an object or as JSON text; the others as text or numbers.
                let text = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                given.push((key, text));
            }
        }
        if !dialect.body_params {
            let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes());
            given.extend(pairs.map(|(key, value)| (key.into_owned(), value.into_owned())));
        }
        let mut params: HashMap<&'static str, String> = HashMap::new();
        for (key, value) in given {
            if let Some(name) = param_name(&key, dialect.lowercase_keys) {
                params.insert(name, value);
            }
        }
        // A site that ignores a parameter does not read it, so it cannot refuse it either.
        if dialect.where_ignored {
            params.remove("where");
        }
        if dialect.offset_ignored {
            params.remove("offset");
        }
        let mut request = Self::from_params(&params)?;
        if dialect.order_asc_only
            && let Some(order) = &mut request.order
        {
            order.descending = false;
        }
        Ok(request)
    }

    /// Reads parameters given as pairs, as the default site reads a query string; for tests
    /// and benchmarks that query the store directly with a client's wire encoding.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, String> {
        let params = pairs
            .into_iter()
            .filter_map(|(key, value)| Some((param_name(key.as_ref(), false)?, value.as_ref().to_owned())))
            .collect();
        Self::from_params(&params)
    }

    fn from_params(params: &HashMap<&'static str, String>) -> Result<Self, String> {
        let given = |name: &str| params.get(name).map(|value| value.trim()).filter(|value| !value.is_empty());
        let filter = match given("where") {
            None => SiteFilter::Everything,
            Some(text) => {
                // The published limits first, so that no filter too large for the database reaches it.
                if let Ok(value) = serde_json::from_str::<Value>(text) {
                    filter::check_limits(&value)?;
                }
                read_where_text(text).map_err(|message| format!("Invalid filter: {message}"))?
            }
        };
        let order = given("order_by").map(SiteOrder::read).transpose()?;
        let offset = match given("offset") {
            None => 0,
            Some(text) if is_negative_whole(text) => return Err("Offset cannot be negative.".to_owned()),
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|offset| i64::try_from(*offset).is_ok())
                .ok_or_else(|| format!("Offset `{text}` is not a whole number from 0 to {}.", i64::MAX))?,
        };
        let limit = match given("limit") {
            None => DEFAULT_LIMIT,
            Some(text) if text.chars().all(|c| c.is_ascii_digit()) => match text.parse::<u64>() {
                Ok(0) => return Err("Limit must be at least 1.".to_owned()),
                // Clamped, however large: a huge Limit is not an error.
                Ok(limit) => limit.min(u64::from(super::MAX_LIMIT)) as u32,
                Err(_) => super::MAX_LIMIT,
            },
            Some(text) if is_negative_whole(text) => return Err("Limit must be at least 1.".to_owned()),
            Some(text) => return Err(format!("Limit `{text}` is not a whole number.")),
        };
        Ok(Self { filter, order, offset, limit })
    }
}

/// Which parameter `key` names: any casing (and `OrderBy`) on the default site, only the
/// lowercase spelling when `lowercase_only`.
fn param_name(key: &str, lowercase_only: bool) -> Option<&'static str> {
    if lowercase_only {
        return KEYS.into_iter().find(|name| *name == key);
    }
    let key = key.to_ascii_lowercase();
    if key == "orderby" {
        return Some("order_by");
    }
    KEYS.into_iter().find(|name| *name == key)
}

fn is_negative_whole(text: &str) -> bool {
    text.strip_prefix('-').is_some_and(|digits| digits.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::where_reader::{Scalar, Test};

    fn city_is_oslo() -> SiteFilter {
        SiteFilter::Test { path: SitePath::Field("City".into()), test: Test::Eq(Some(Scalar::Text("Oslo".into()))) }
    }

    #[test]
    fn list_parameters_are_read_leniently_and_checked() {
        let default = SiteDialect::default();
        let query = "where=%7B%22City%22%3A%22Oslo%22%7D&ORDER_BY=LastName+DESC&offset=5&Limit=10";
        let read = SiteListRequest::read(Some(query), b"", &default).unwrap();
        assert_eq!(read.filter, city_is_oslo());
        assert_eq!(read.order, Some(SiteOrder { path: SitePath::Field("LastName".into()), descending: true }));
        assert_eq!((read.offset, read.limit), (5, 10));
        let from_body = SiteListRequest::read(None, br#"{"Where": {"City": "Oslo"}, "Limit": 2}"#, &default).unwrap();
        assert_eq!((from_body.filter, from_body.limit), (city_is_oslo(), 2));
        let huge = SiteListRequest::read(Some("Limit=99999999999999999999999"), b"", &default).unwrap();
        assert_eq!(huge.limit, super::super::MAX_LIMIT);
        for bad in ["Limit=0", "Limit=-3", "Limit=ten", "Offset=-1", "Offset=x", "Where=%7B", "Order_By=A+B+C"] {
            assert!(SiteListRequest::read(Some(bad), b"", &default).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_dialect_says_where_and_how_keys_are_read() {
        let body_only = SiteDialect { body_params: true, ..SiteDialect::default() };
        let read = SiteListRequest::read(Some("Limit=3"), br#"{"Limit": 7}"#, &body_only).unwrap();
        assert_eq!(read.limit, 7, "the query string is ignored");
        let lowercase = SiteDialect { lowercase_keys: true, ..SiteDialect::default() };
        let read = SiteListRequest::read(Some("Limit=3&offset=4&OrderBy=Email"), b"", &lowercase).unwrap();
        assert_eq!((read.limit, read.offset, read.order), (DEFAULT_LIMIT, 4, None));
    }

    #[test]
    fn order_by_reads_every_spelling() {
        let order = |name: &str, descending| Ok(SiteOrder { path: SitePath::Field(name.into()), descending });
        assert_eq!(SiteOrder::read("LastName DESC"), order("LastName", true));
        assert_eq!(SiteOrder::read(" -LastName"), order("LastName", true));
        assert_eq!(SiteOrder::read("Email asc"), order("Email", false));
        assert!(SiteOrder::read("Email sideways").unwrap_err().contains("neither ASC nor DESC"));
        assert!(SiteOrder::read("  ").is_err());
        assert!(SiteOrder::read("-").is_err());
        assert!(SiteOrder::read("-Email DESC").is_err());
    }
}
