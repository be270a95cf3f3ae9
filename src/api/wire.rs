//! Lenient wire types shared by every model: timestamps, exact decimals, and field
//! deserializers that accept what a Treepl site (old or new) may send.
//!
//! The server is the source of truth and its payloads have changed over versions, so a
//! missing or `null` value becomes the field's default instead of failing the whole reply.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// How a date the app writes carries its zone. A site's dialect picks it for the dates the
/// app creates (a date read from the site keeps the form it came in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DateForm {
    /// UTC with milliseconds and `Z`: `2024-05-17T18:18:39.175Z` (the reference's form).
    #[default]
    WithZone,
    /// The UTC wall time with no zone: `2024-05-17T18:18:39`.
    WithoutZone,
}

/// The zone part of a date's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Zone {
    Utc,
    /// Seconds east of UTC, written `+HH:MM`.
    Offset(i32),
    None,
}

/// The layout of a date's text, remembered when it is read so that an unchanged date goes
/// back to the site as the same text (a date without a zone is never given one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Layout {
    zone: Zone,
    /// `T` or a space between date and time.
    separator: char,
    seconds: bool,
    /// Digits after the seconds' dot; 0 writes no dot.
    fraction: u8,
    date_only: bool,
}

impl Layout {
    fn of(form: DateForm, instant: &DateTime<Utc>) -> Self {
        match form {
            DateForm::WithZone => {
                Self { zone: Zone::Utc, separator: 'T', seconds: true, fraction: 3, date_only: false }
            }
            DateForm::WithoutZone => {
                let fraction = if instant.timestamp_subsec_millis() == 0 { 0 } else { 3 };
                Self { zone: Zone::None, separator: 'T', seconds: true, fraction, date_only: false }
            }
        }
    }

    /// The layout of `text` (a date that parsed), with the zone its parser found.
    fn read(text: &str, zone: Zone) -> Self {
        let date_only = text.len() <= 10;
        let separator = if text.as_bytes().get(10) == Some(&b' ') { ' ' } else { 'T' };
        let time = text.get(11..).unwrap_or_default();
        let time = time.split(['Z', 'z', '+']).next().unwrap_or_default();
        // A `-` in the time part starts an offset.
        let time = time.split('-').next().unwrap_or_default();
        let seconds = time.matches(':').count() >= 2;
        let fraction = time.split_once('.').map_or(0, |(_, digits)| digits.len().min(9) as u8);
        Self { zone, separator, seconds, fraction, date_only }
    }

    fn write(&self, instant: &DateTime<Utc>) -> String {
        let local = match self.zone {
            Zone::Offset(seconds) => chrono::FixedOffset::east_opt(seconds)
                .map_or_else(|| instant.naive_utc(), |offset| instant.with_timezone(&offset).naive_local()),
            Zone::Utc | Zone::None => instant.naive_utc(),
        };
        let mut out = local.format("%Y-%m-%d").to_string();
        if self.date_only {
            return out;
        }
        out.push(self.separator);
        out.push_str(&local.format("%H:%M").to_string());
        if self.seconds {
            out.push_str(&local.format(":%S").to_string());
            if self.fraction > 0 {
                let nanos = format!("{:09}", local.and_utc().timestamp_subsec_nanos() % 1_000_000_000);
                out.push('.');
                out.push_str(&nanos[..usize::from(self.fraction.min(9))]);
            }
        }
        match self.zone {
            Zone::Utc => out.push('Z'),
            Zone::Offset(seconds) => {
                let sign = if seconds < 0 { '-' } else { '+' };
                let minutes = seconds.unsigned_abs() / 60;
                out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
            }
            Zone::None => {}
        }
        out
    }
}

/// An instant from the API. A date read from the site is written back as the same text (its
/// zone or lack of one, its digits); one the app makes takes a [`DateForm`], by default
/// ISO-8601 UTC with milliseconds (`2024-05-17T18:18:39.175Z`). Compared as instants.
#[derive(Clone, Copy, Debug)]
pub struct Timestamp(pub DateTime<Utc>, Layout);

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl From<DateTime<Utc>> for Timestamp {
    /// An instant the app makes, in the default form ([`DateForm::WithZone`]).
    fn from(instant: DateTime<Utc>) -> Self {
        Self::with_form(instant, DateForm::WithZone)
    }
}

impl Timestamp {
    /// An instant the app makes, written in `form`.
    pub fn with_form(instant: DateTime<Utc>, form: DateForm) -> Self {
        Self(instant, Layout::of(form, &instant))
    }

    /// The same instant, written in `form` from now on.
    pub fn in_form(self, form: DateForm) -> Self {
        Self::with_form(self.0, form)
    }

    /// Whether the text carries a zone (`Z` or an offset).
    pub fn form(&self) -> DateForm {
        if self.1.zone == Zone::None { DateForm::WithoutZone } else { DateForm::WithZone }
    }

    /// Parses both forms the site sends: with a zone (`Z` or an offset) and, in older
    /// payloads, without one. [assumed] A date without a zone is UTC. The text's layout is
    /// kept: [`Timestamp::to_wire`] writes it back the same.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
            let zone =
                if text.ends_with(['Z', 'z']) { Zone::Utc } else { Zone::Offset(with_zone.offset().local_minus_utc()) };
            return Some(Self(with_zone.with_timezone(&Utc), Layout::read(text, zone)));
        }
        const NAIVE_FORMATS: [&str; 3] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"];
        for format in NAIVE_FORMATS {
            if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
                return Some(Self(naive.and_utc(), Layout::read(text, Zone::None)));
            }
        }
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|date| date.and_hms_opt(0, 0, 0))
            .map(|naive| Self(naive.and_utc(), Layout::read(text, Zone::None)))
    }

    pub fn from_millis(millis: i64) -> Option<Self> {
        DateTime::from_timestamp_millis(millis).map(Self::from)
    }

    pub fn millis(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The text for the site: as it was read, or in the form the app chose.
    pub fn to_wire(&self) -> String {
        self.1.write(&self.0)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Timestamp::parse(&text).ok_or_else(|| de::Error::custom(format!("`{text}` is not an ISO-8601 date")))
    }
}

/// An exact decimal from the wire: money or a rate. Never `f32`/`f64` arithmetic.
/// Read from a JSON number or a numeric string; written as a JSON number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub rust_decimal::Decimal);

impl Amount {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        rust_decimal::Decimal::from_str(text).or_else(|_| rust_decimal::Decimal::from_scientific(text)).ok().map(Self)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // JSON has one number type; serde_json prints the shortest form that reads back
        // to the same double, so 12.34 goes out as 12.34.
        use rust_decimal::prelude::ToPrimitive;
        match self.0.to_i64().filter(|_| self.0.fract().is_zero()) {
            Some(whole) => serializer.serialize_i64(whole),
            None => serializer.serialize_f64(self.0.to_f64().unwrap_or(0.0)),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                // `{}` prints the shortest decimal that reads back as this double: the
                // digits the server wrote.
                Amount::parse(&v.to_string()).ok_or_else(|| E::custom(format!("{v} is out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v).ok_or_else(|| E::custom(format!("`{v}` is not a number")))
            }
        }
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// A whole number the site may send as a number or as text with leading zeros
/// (`InvoiceNumber "000456"`): read as either, shown and written back as it came.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WholeNumber {
    text: String,
    quoted: bool,
}

impl WholeNumber {
    /// The number, when the text is one.
    pub fn as_i64(&self) -> Option<i64> {
        self.text.trim().parse().ok()
    }
}

impl From<i64> for WholeNumber {
    fn from(number: i64) -> Self {
        Self { text: number.to_string(), quoted: false }
    }
}

impl fmt::Display for WholeNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for WholeNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.quoted {
            if let Some(number) = self.as_i64() {
                return serializer.serialize_i64(number);
            }
            if let Ok(number) = self.text.parse::<f64>() {
                return serializer.serialize_f64(number);
            }
        }
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Scalar(|value| match value {
            Seen::Int(n) => Ok(Self::from(n)),
            Seen::Float(n) => Ok(Self { text: n.to_string(), quoted: false }),
            Seen::Text(text) => Ok(Self { text, quoted: true }),
            other => Err(format!("expected a whole number, got {other:?}")),
        }))
    }
}

/// What kind of JSON value this is, for messages ("got a number").
pub fn describe_json(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON scalar as the lenient readers see it.
#[derive(Debug)]
enum Seen {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

/// Reads one scalar without building a `serde_json::Value`, then converts it with `F`.
struct Scalar<F>(F);

impl<'de, T, F: FnOnce(Seen) -> Result<T, String>> Visitor<'de> for Scalar<F> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("text, a number, true/false or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        (self.0)(Seen::Null).map_err(E::custom)
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        self.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        (self.0)(Seen::Bool(v)).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        (self.0)(Seen::Int(v)).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => (self.0)(Seen::Float(v as f64)).map_err(E::custom),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        (self.0)(Seen::Float(v)).map_err(E::custom)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(Seen::Text(v.to_owned())).map_err(E::custom)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<T, E> {
        (self.0)(Seen::Text(v)).map_err(E::custom)
    }
}

/// How a field of a model is read from what a site sends, chosen by the field's type: each
/// accepts `null` (giving the default) and the obvious alternative spellings of its type
/// (see [`lenient`]); a nested model or a typed value is read as it is. [`lenient_model!`]
/// reads every field of a model this way.
pub trait Lenient: Sized {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// A struct of the API read leniently: its fields and `extra` (flattened) declared as usual;
/// the macro gives every model the same derives and `PascalCase` names with defaults, and reads
/// each field by its type's [`Lenient`] reading. Also makes it a [`Model`],
/// so that a list or an optional one of it in another model reads too.
macro_rules! lenient_model {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_attr:meta])*
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$attr])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "PascalCase", default)]
        pub struct $name {
            $(
                $(#[$field_attr])*
                #[serde(deserialize_with = "crate::api::wire::Lenient::read")]
                pub $field: $ty,
            )*
        }

        impl crate::api::wire::Model for $name {}
    };
}
pub(crate) use lenient_model;

/// A struct of the API declared with [`lenient_model!`].
pub trait Model {}

impl<T: Model + DeserializeOwned> Lenient for Option<T> {
    /// As it comes: a nested object that cannot be read fails its record, as it always has.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer)
    }
}

impl<T: Model + DeserializeOwned> Lenient for Vec<T> {
    /// `null` is no items.
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        lenient::or_default(deserializer)
    }
}

/// Types read leniently by one of the [`lenient`] functions.
macro_rules! read_with {
    ($($ty:ty => $read:path),* $(,)?) => {$(
        impl Lenient for $ty {
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $read(deserializer)
            }
        }
    )*};
}

read_with! {
    String => lenient::string,
    Option<String> => lenient::opt_string,
    i64 => lenient::int,
    Option<i64> => lenient::opt_int,
    bool => lenient::bool,
    Option<bool> => lenient::opt_bool,
    Option<Timestamp> => lenient::opt_timestamp,
    Vec<String> => lenient::texts,
    crate::api::model::CustomCrmGroups => lenient::groups,
    BTreeMap<String, serde_json::Value> => lenient::or_default,
}

/// Types read as they come: they have lenient readings of their own ([`Amount`],
/// [`WholeNumber`]), or they are what a create sends ([`crate::api::Change`]), or they hold
/// the fields a model does not know.
macro_rules! read_as_they_come {
    ($($ty:ty),* $(,)?) => {$(
        impl Lenient for $ty {
            fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$ty>::deserialize(deserializer)
            }
        }
    )*};
}

read_as_they_come! {
    Option<Amount>,
    Option<WholeNumber>,
    serde_json::Map<String, serde_json::Value>,
    crate::api::model::PostalAddressInput,
    crate::api::model::BillingAddressInput,
}

impl<T: DeserializeOwned> Lenient for crate::api::model::Change<T> {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::deserialize(deserializer)
    }
}

/// The lenient readings of [`Lenient`], one per type; also read by the table of contact
/// fields ([`crate::api::contact_fields`]).
pub mod lenient {
    use super::*;
    use crate::api::model::CustomCrmGroups;

    /// A string; numbers and booleans are turned into their text.
    pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
        Ok(opt_string(deserializer)?.unwrap_or_default())
    }

    pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_any(Scalar(|value| match value {
            Seen::Text(text) => Ok(Some(text)),
            Seen::Int(n) => Ok(Some(n.to_string())),
            Seen::Float(n) => Ok(Some(n.to_string())),
            Seen::Bool(flag) => Ok(Some(flag.to_string())),
            Seen::Null => Ok(None),
        }))
    }

    /// A boolean; also `"true"`/`"false"` and `0`/`1`.
    pub fn bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(Scalar(|value| match value {
            Seen::Bool(flag) => Ok(flag),
            Seen::Null => Ok(false),
            Seen::Int(n) => Ok(n != 0),
            Seen::Float(n) => Ok(n != 0.0),
            Seen::Text(text) if text.eq_ignore_ascii_case("true") || text == "1" => Ok(true),
            Seen::Text(text) if text.eq_ignore_ascii_case("false") || text == "0" || text.is_empty() => Ok(false),
            Seen::Text(text) => Err(format!("expected true or false, got `{text}`")),
        }))
    }

    /// A whole number; also a numeric string.
    pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        Ok(opt_int(deserializer)?.unwrap_or_default())
    }

    pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
        deserializer.deserialize_any(Scalar(|value| match value {
            Seen::Int(n) => Ok(Some(n)),
            Seen::Null => Ok(None),
            Seen::Float(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(Some(n as i64)),
            Seen::Text(text) if text.trim().is_empty() => Ok(None),
            Seen::Text(text) => {
                text.trim().parse().map(Some).map_err(|_| format!("expected a whole number, got `{text}`"))
            }
            other => Err(format!("expected a whole number, got {other:?}")),
        }))
    }

    /// A boolean that may be unset: `null` stays `None` (it is not `false`); also
    /// `"true"`/`"false"` and `0`/`1`.
    pub fn opt_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        deserializer.deserialize_any(Scalar(|value| match value {
            Seen::Null => Ok(None),
            Seen::Bool(flag) => Ok(Some(flag)),
            Seen::Int(n) => Ok(Some(n != 0)),
            Seen::Float(n) => Ok(Some(n != 0.0)),
            Seen::Text(text) if text.eq_ignore_ascii_case("true") || text == "1" => Ok(Some(true)),
            Seen::Text(text) if text.eq_ignore_ascii_case("false") || text == "0" => Ok(Some(false)),
            Seen::Text(text) if text.is_empty() => Ok(None),
            Seen::Text(text) => Err(format!("expected true or false, got `{text}`")),
        }))
    }

    /// Texts (`OptionsIds`): a number is read as its text, any other value as its JSON.
    pub fn texts<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
        let values = Option::<Vec<serde_json::Value>>::deserialize(deserializer)?.unwrap_or_default();
        Ok(values
            .into_iter()
            .map(|value| match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            })
            .collect())
    }

    /// Custom CRM groups: a group that is not an object (`"G": null`) is left out of the
    /// typed view (the contact's received JSON keeps it, and sends it back).
    pub fn groups<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CustomCrmGroups, D::Error> {
        let groups = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)?;
        Ok(groups
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(name, group)| match group {
                serde_json::Value::Object(fields) => Some((name, fields.into_iter().collect())),
                _ => None,
            })
            .collect())
    }

    /// A date; `null` and `""` are "no date".
    pub fn opt_timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(text) if text.trim().is_empty() => Ok(None),
            Some(text) => Timestamp::parse(&text)
                .map(Some)
                .ok_or_else(|| de::Error::custom(format!("`{text}` is not an ISO-8601 date"))),
        }
    }

    /// Any value that deserializes with `Default` for `null`.
    pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_with_zone_without_zone_and_with_offset() {
        let with_z = Timestamp::parse("2024-05-17T18:18:39.175Z").unwrap();
        let naive = Timestamp::parse("2024-05-17T18:18:39.175").unwrap();
        assert_eq!(with_z, naive, "a date without a zone is UTC");
        let offset = Timestamp::parse("2024-05-18T01:00:00+14:00").unwrap();
        let noon = Timestamp::parse("2024-05-17T12:00:00Z").unwrap();
        assert!(offset < noon, "compared as instants whatever the offset");
        assert_eq!(with_z.to_wire(), "2024-05-17T18:18:39.175Z");
        assert!(Timestamp::parse("yesterday").is_none());
    }

    #[test]
    fn a_date_read_is_written_back_as_the_same_text() {
        for text in [
            "2024-05-17T18:18:39.175Z",
            "2024-05-17T18:18:39",
            "2024-05-17 18:18:39.1234567",
            "2024-05-18T01:00:00+14:00",
            "2024-05-17T06:30:00.5-05:30",
            "2024-05-17T18:18",
            "2024-05-17",
        ] {
            let parsed = Timestamp::parse(text).unwrap();
            assert_eq!(parsed.to_wire(), text);
            let json = serde_json::to_value(parsed).unwrap();
            assert_eq!(json, serde_json::json!(text));
        }
        let naive = Timestamp::parse("2024-05-17T18:18:39").unwrap();
        assert_eq!(naive.form(), DateForm::WithoutZone);
        assert_eq!(naive.in_form(DateForm::WithZone).to_wire(), "2024-05-17T18:18:39.000Z", "read as UTC");
    }

    #[test]
    fn a_date_the_app_makes_takes_the_form_asked_for() {
        let instant = DateTime::parse_from_rfc3339("2027-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        assert_eq!(Timestamp::from(instant).to_wire(), "2027-01-02T03:04:05.000Z", "today's default");
        assert_eq!(Timestamp::with_form(instant, DateForm::WithoutZone).to_wire(), "2027-01-02T03:04:05");
        assert_eq!(Timestamp::with_form(instant, DateForm::WithoutZone).form(), DateForm::WithoutZone);
    }

    #[test]
    fn whole_numbers_go_back_as_they_came() {
        for text in ["\"000456\"", "123", "\"INV-1\""] {
            let number: WholeNumber = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&number).unwrap(), text);
        }
    }

    #[test]
    fn amounts_keep_the_digits_the_server_wrote() {
        let parsed: Amount = serde_json::from_str("12.34").unwrap();
        assert_eq!(parsed.to_string(), "12.34");
        let sum = parsed.0 + serde_json::from_str::<Amount>("0.1").unwrap().0;
        assert_eq!(sum.to_string(), "12.44");
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "12.34");
        assert_eq!(serde_json::to_string(&Amount::parse("20").unwrap()).unwrap(), "20");
        assert_eq!(serde_json::from_str::<Amount>("\"7.50\"").unwrap().to_string(), "7.50");
        assert!(serde_json::from_str::<Amount>("\"seven\"").is_err());
    }
}
