//! `sandbox --dialect`: switches that make the sandbox read requests and write replies as a
//! real site may, where the vendor's reference allows it. Each one is a difference the
//! client must notice (the doctor names it) and survive (adapt, or refuse to act).
//!
//! The list switches act where the site reads a list request ([`super::list_request`]), so
//! that every list endpoint (contacts, bookings, cases, orders, secure zones) has them.
//! `/openapi.json` describes the default site whatever the switches.

use std::fmt;
use std::str::FromStr;

/// The differences from the default sandbox, any number at once. All off is the default site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SiteDialect {
    /// Lists ignore `Where`: every contact comes back, whatever the filter.
    pub where_ignored: bool,
    /// Lists ignore `Offset`: every page is the first one.
    pub offset_ignored: bool,
    /// List parameters are read only from a JSON body on the GET (the reference's "Data":
    /// `{"Where": {..} or JSON text, "Order_By": "..", "Offset": n, "Limit": n}`); the query
    /// string's are ignored, so a client that sends them there gets an unfiltered first page
    /// of the default size.
    pub body_params: bool,
    /// Only the keys `where`, `order_by`, `offset` and `limit` are honoured (query string or
    /// body); any other casing is ignored. The default site reads any casing.
    pub lowercase_keys: bool,
    /// `Order_By` sorts ascending only: a direction (`X DESC`, `-X`) is ignored.
    pub order_asc_only: bool,
    /// The secure zones PUT adds the listed zones (and updates their expiry) and keeps the
    /// contact's other zones, instead of replacing the list. The reply is the stored list.
    pub zones_merge: bool,
    /// A contact PUT, set-password and the zones PUT answer 204 with an empty body.
    pub put_empty_204: bool,
    /// Dates go out without a zone (`2024-05-17T18:18:39`, the UTC wall time); dates without
    /// a zone that come in are read as UTC.
    pub dates_without_zone: bool,
    /// Seeded contacts hold odd shapes: numbers as text, null groups and booleans, other date
    /// forms, an Id above 2^53, an order's invoice number as text (`store::odd`).
    pub odd_values: bool,
}

/// Where one switch lives in [`SiteDialect`].
type Switch = fn(&mut SiteDialect) -> &mut bool;

/// Every switch: its name on the command line, and its field.
pub const SWITCHES: &[(&str, Switch)] = &[
    ("where-ignored", |d| &mut d.where_ignored),
    ("offset-ignored", |d| &mut d.offset_ignored),
    ("body-params", |d| &mut d.body_params),
    ("lowercase-keys", |d| &mut d.lowercase_keys),
    ("order-asc-only", |d| &mut d.order_asc_only),
    ("zones-merge", |d| &mut d.zones_merge),
    ("put-empty-204", |d| &mut d.put_empty_204),
    ("dates-without-zone", |d| &mut d.dates_without_zone),
    ("odd-values", |d| &mut d.odd_values),
];

/// The switches for `sandbox --help`, one a line.
pub const HELP: &str = "\
Read requests and write replies as a real site may; any of, comma-separated:
  where-ignored       lists ignore Where: every record comes back, whatever the filter
  offset-ignored      lists ignore Offset: every page is the first one
  body-params         list parameters are read only from a JSON body on the GET
                      ({\"Where\": .., \"Order_By\": .., \"Offset\": n, \"Limit\": n}); the query string's are ignored
  lowercase-keys      only where, order_by, offset and limit are honoured; other casings are ignored
  order-asc-only      Order_By sorts ascending only: DESC and a leading - are ignored
  zones-merge         the secure-zones PUT adds the listed zones and keeps the others
  put-empty-204       a contact PUT and set-password answer 204 with an empty body
  dates-without-zone  dates go out without a zone (2024-05-17T18:18:39)
  odd-values          seeded contacts hold odd shapes (numbers as text, null groups, other date forms)";

impl SiteDialect {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl FromStr for SiteDialect {
    type Err = String;

    /// `where-ignored,offset-ignored` (commas or spaces); empty is the default site.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut dialect = Self::default();
        for name in text.split([',', ' ']).map(str::trim).filter(|n| !n.is_empty()) {
            let Some((_, switch)) = SWITCHES.iter().find(|(known, _)| *known == name) else {
                let known: Vec<&str> = SWITCHES.iter().map(|(known, _)| *known).collect();
                return Err(format!("`{name}` is not a dialect switch; known: {}", known.join(", ")));
            };
            *switch(&mut dialect) = true;
        }
        Ok(dialect)
    }
}

impl fmt::Display for SiteDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut copy = *self;
        let on: Vec<&str> = SWITCHES.iter().filter(|(_, switch)| *switch(&mut copy)).map(|(name, _)| *name).collect();
        f.write_str(&on.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_switch_reads_back_from_its_name() {
        for (name, switch) in SWITCHES {
            let mut expected = SiteDialect::default();
            *switch(&mut expected) = true;
            assert_eq!(name.parse::<SiteDialect>(), Ok(expected));
            assert_eq!(expected.to_string(), *name);
        }
        assert_eq!("".parse::<SiteDialect>(), Ok(SiteDialect::default()));
        assert!("where-ignored,sideways".parse::<SiteDialect>().unwrap_err().contains("sideways"));
    }

    #[test]
    fn the_help_describes_every_switch() {
        for (name, _) in SWITCHES {
            assert!(HELP.lines().any(|line| line.trim_start().starts_with(&format!("{name} "))), "{name}");
        }
    }
}
