//! The one table of a contact's fields: for each, its name on the wire, its title for
//! people, its kind, where the model keeps it and how it is read, written and checked.
//! The model's field list, the grid's columns, the export's headings, the filter builder,
//! the editor's checks, the History panel and the sandbox's columns all come from here.
//! Custom fields (`CustomCrmGroups.<group>.<field>`) are data, not rows: see
//! [`super::query::FieldPath`].

use serde::ser::SerializeMap;
use serde_json::Value;

use super::fields::FieldValue;
use super::model::{Contact, FieldType};
use super::wire::{Timestamp, lenient};

/// A field of the contract's contact, in the contract's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Email,
    FirstName,
    LastName,
    CrmType,
    EmailConfirmed,
    Role,
    CreatedDate,
    Address,
    City,
    State,
    ZipCode,
    Country,
    BillingAddress,
    BillingCity,
    BillingState,
    BillingZipCode,
    BillingCountry,
    Site,
    Phone,
    Status,
    Notes,
    Type,
    CustomerTypeName,
    IsDataUsingAllowed,
}

impl Field {
    /// This field's row of [`FIELDS`].
    pub const fn spec(self) -> &'static FieldSpec {
        &FIELDS[self as usize]
    }

    /// The name on the wire (`FirstName`).
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// The title for people (`First name`).
    pub const fn title(self) -> &'static str {
        self.spec().title
    }

    /// The contact's value of this field, to edit in place, when the field holds text.
    pub fn text_mut(self, contact: &mut Contact) -> Option<&mut Option<String>> {
        match self.spec().slot {
            Slot::Text(place) => Some((place.get_mut)(contact)),
            _ => None,
        }
    }
}

/// What a field holds, as the API sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The contact's id: a whole number, always there.
    Id,
    /// Text that must be an email address, always there.
    Email,
    Text,
    /// Yes, no or not set (`null` is not `false`).
    Bool,
    Date,
    WholeNumber,
}

impl Kind {
    /// How filters compare it.
    pub const fn field_type(self) -> FieldType {
        match self {
            Kind::Id | Kind::WholeNumber => FieldType::Number,
            Kind::Email | Kind::Text => FieldType::Text,
            Kind::Bool => FieldType::Bool,
            Kind::Date => FieldType::Date,
        }
    }
}

/// Where the model keeps a field: the wire is flat, the model nests the two addresses
/// ([`Contact::address`], [`Contact::billing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nest {
    Contact,
    Address,
    Billing,
}

/// A field's place in a [`Contact`], typed by its kind.
#[derive(Clone, Copy)]
enum Slot {
    Id(Place<i64>),
    Email(Place<String>),
    Text(Place<Option<String>>),
    Bool(Place<Option<bool>>),
    Date(Place<Option<Timestamp>>),
    WholeNumber(Place<Option<i64>>),
}

/// Reads and writes one member of a contact.
struct Place<T: 'static> {
    get: fn(&Contact) -> &T,
    get_mut: fn(&mut Contact) -> &mut T,
}

impl<T> Clone for Place<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Place<T> {}

/// One row of the table.
pub struct FieldSpec {
    pub field: Field,
    /// The name on the wire and in filters.
    pub name: &'static str,
    pub title: &'static str,
    pub nest: Nest,
    /// Set by the site, never by the app (`Id`, `EmailConfirmed`, `CreatedDate`, ...).
    pub site_owned: bool,
    slot: Slot,
}

impl std::fmt::Debug for FieldSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldSpec").field("name", &self.name).field("kind", &self.kind()).finish_non_exhaustive()
    }
}

/// The longest text a field may hold (the contract's rule, checked as the user types).
pub const MAX_TEXT: usize = 4000;

impl FieldSpec {
    pub const fn kind(&self) -> Kind {
        match self.slot {
            Slot::Id(_) => Kind::Id,
            Slot::Email(_) => Kind::Email,
            Slot::Text(_) => Kind::Text,
            Slot::Bool(_) => Kind::Bool,
            Slot::Date(_) => Kind::Date,
            Slot::WholeNumber(_) => Kind::WholeNumber,
        }
    }

    /// How filters compare it.
    pub const fn field_type(&self) -> FieldType {
        self.kind().field_type()
    }

    /// The contact's typed value ([`FieldValue::Empty`] when it has none).
    pub fn value<'a>(&self, contact: &'a Contact) -> FieldValue<'a> {
        match self.slot {
            Slot::Id(place) => FieldValue::Int(*(place.get)(contact)),
            Slot::Email(place) => FieldValue::Text((place.get)(contact)),
            Slot::Text(place) => (place.get)(contact).as_deref().map_or(FieldValue::Empty, FieldValue::Text),
            Slot::Bool(place) => (place.get)(contact).map_or(FieldValue::Empty, FieldValue::Bool),
            Slot::Date(place) => (place.get)(contact).map_or(FieldValue::Empty, FieldValue::Date),
            Slot::WholeNumber(place) => (place.get)(contact).map_or(FieldValue::Empty, FieldValue::Int),
        }
    }

    /// Sets the contact's value from the JSON the site sent, read leniently (a number as
    /// text, `"true"`, ...). A value that does not read as the field's kind leaves the
    /// default and returns `false`.
    pub fn read(&self, contact: &mut Contact, value: &Value) -> bool {
        fn set<T: Default>(slot: &mut T, read: Result<T, serde_json::Error>) -> bool {
            let reads = read.is_ok();
            *slot = read.unwrap_or_default();
            reads
        }
        match self.slot {
            Slot::Id(place) => set((place.get_mut)(contact), lenient::int(value)),
            Slot::Email(place) => set((place.get_mut)(contact), lenient::string(value)),
            Slot::Text(place) => set((place.get_mut)(contact), lenient::opt_string(value)),
            Slot::Bool(place) => set((place.get_mut)(contact), lenient::opt_bool(value)),
            Slot::Date(place) => set((place.get_mut)(contact), lenient::opt_timestamp(value)),
            Slot::WholeNumber(place) => set((place.get_mut)(contact), lenient::opt_int(value)),
        }
    }

    /// Whether `value` reads as this field's kind.
    pub fn reads(&self, value: &Value) -> bool {
        match self.kind() {
            Kind::Id | Kind::WholeNumber => lenient::opt_int(value).is_ok(),
            Kind::Email | Kind::Text => lenient::opt_string(value).is_ok(),
            Kind::Bool => lenient::opt_bool(value).is_ok(),
            Kind::Date => lenient::opt_timestamp(value).is_ok(),
        }
    }

    /// Writes `"<name>": <value>` of the contact into `map` (`null` when it has none).
    pub fn serialize_entry<M: SerializeMap>(&self, map: &mut M, contact: &Contact) -> Result<(), M::Error> {
        match self.slot {
            Slot::Id(place) => map.serialize_entry(self.name, (place.get)(contact)),
            Slot::Email(place) => map.serialize_entry(self.name, (place.get)(contact)),
            Slot::Text(place) => map.serialize_entry(self.name, (place.get)(contact)),
            Slot::Bool(place) => map.serialize_entry(self.name, (place.get)(contact)),
            Slot::Date(place) => map.serialize_entry(self.name, (place.get)(contact)),
            Slot::WholeNumber(place) => map.serialize_entry(self.name, (place.get)(contact)),
        }
    }

    /// What is wrong with the contact's value, for the editor: an email must be there and
    /// be one; text is at most [`MAX_TEXT`] characters.
    pub fn problem(&self, contact: &Contact) -> Option<String> {
        let text = match self.slot {
            Slot::Email(place) => Some((place.get)(contact).as_str()),
            Slot::Text(place) => (place.get)(contact).as_deref(),
            _ => None,
        }?;
        let length = text.chars().count();
        if length > MAX_TEXT {
            return Some(format!("At most {MAX_TEXT} characters ({length} now)."));
        }
        if self.kind() == Kind::Email { email_problem(text) } else { None }
    }

    /// The row of the field named `name` on the wire (exactly).
    pub fn named(name: &str) -> Option<&'static FieldSpec> {
        FIELDS.iter().find(|spec| spec.name == name)
    }
}

/// Why `email` cannot be a contact's email, if it cannot.
pub fn email_problem(email: &str) -> Option<String> {
    let email = email.trim();
    if email.is_empty() {
        return Some("An email address is required.".to_owned());
    }
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(char::is_whitespace)
    });
    (!valid).then(|| format!("“{email}” is not an email address (name@example.com)."))
}

/// A row; the `place` closures say where the model keeps the field.
const fn row(field: Field, name: &'static str, title: &'static str, nest: Nest, slot: Slot) -> FieldSpec {
    FieldSpec { field, name, title, nest, site_owned: false, slot }
}

const fn owned(spec: FieldSpec) -> FieldSpec {
    FieldSpec { site_owned: true, ..spec }
}

macro_rules! place {
    ($($member:ident).+) => {
        Place { get: |contact| &contact.$($member).+, get_mut: |contact| &mut contact.$($member).+ }
    };
}

/// Every field of the contract's contact but `CustomCrmGroups`, in the contract's order
/// (the order of [`Field`]).
pub static FIELDS: [FieldSpec; 25] = {
    use Field as F;
    use Nest::{Address, Billing, Contact as Top};
    [
        owned(row(F::Id, "Id", "Id", Top, Slot::Id(place!(id)))),
        row(F::Email, "Email", "Email", Top, Slot::Email(place!(email))),
        row(F::FirstName, "FirstName", "First name", Top, Slot::Text(place!(first_name))),
        row(F::LastName, "LastName", "Last name", Top, Slot::Text(place!(last_name))),
        row(F::CrmType, "CrmType", "CRM type", Top, Slot::Text(place!(crm_type))),
        owned(row(F::EmailConfirmed, "EmailConfirmed", "Email confirmed", Top, Slot::Bool(place!(email_confirmed)))),
        row(F::Role, "Role", "Role", Top, Slot::Text(place!(role))),
        owned(row(F::CreatedDate, "CreatedDate", "Created", Top, Slot::Date(place!(created_date)))),
        row(F::Address, "Address", "Address", Address, Slot::Text(place!(address.address))),
        row(F::City, "City", "City", Address, Slot::Text(place!(address.city))),
        row(F::State, "State", "State", Address, Slot::Text(place!(address.state))),
        row(F::ZipCode, "ZipCode", "Zip code", Address, Slot::Text(place!(address.zip_code))),
        row(F::Country, "Country", "Country", Address, Slot::Text(place!(address.country))),
        row(F::BillingAddress, "BillingAddress", "Billing address", Billing, Slot::Text(place!(billing.address))),
        row(F::BillingCity, "BillingCity", "Billing city", Billing, Slot::Text(place!(billing.city))),
        row(F::BillingState, "BillingState", "Billing state", Billing, Slot::Text(place!(billing.state))),
        row(F::BillingZipCode, "BillingZipCode", "Billing zip code", Billing, Slot::Text(place!(billing.zip_code))),
        row(F::BillingCountry, "BillingCountry", "Billing country", Billing, Slot::Text(place!(billing.country))),
        row(F::Site, "Site", "Site", Top, Slot::Text(place!(site))),
        row(F::Phone, "Phone", "Phone", Top, Slot::Text(place!(phone))),
        row(F::Status, "Status", "Status", Top, Slot::Text(place!(status))),
        row(F::Notes, "Notes", "Notes", Top, Slot::Text(place!(notes))),
        row(F::Type, "Type", "Type", Top, Slot::WholeNumber(place!(contact_type))),
        owned(row(
            F::CustomerTypeName,
            "CustomerTypeName",
            "Customer type",
            Top,
            Slot::Text(place!(customer_type_name)),
        )),
        row(
            F::IsDataUsingAllowed,
            "IsDataUsingAllowed",
            "Data use allowed",
            Top,
            Slot::Bool(place!(is_data_using_allowed)),
        ),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_sits_at_its_fields_place() {
        for (i, spec) in FIELDS.iter().enumerate() {
            assert_eq!(spec.field as usize, i, "{}", spec.name);
            assert_eq!(spec.field.name(), spec.name);
        }
    }

    #[test]
    fn emails_are_checked_as_the_user_types() {
        assert_eq!(email_problem("ase.braten@example.no"), None);
        assert!(email_problem("").unwrap().contains("required"));
        for bad in ["ase", "ase@", "@example.no", "ase@example", "a b@example.no", "a@b@example.no", "a@.no"] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn a_field_reads_leniently_and_says_when_it_cannot() {
        let mut contact = Contact::default();
        assert!(Field::Type.spec().read(&mut contact, &serde_json::json!("2")));
        assert_eq!(contact.contact_type, Some(2));
        assert!(!Field::CreatedDate.spec().read(&mut contact, &serde_json::json!("17/05/2024")));
        assert_eq!(contact.created_date, None);
        assert!(Field::BillingCity.spec().read(&mut contact, &serde_json::json!(12)));
        assert_eq!(contact.billing.city.as_deref(), Some("12"));
        assert_eq!(Field::BillingCity.spec().value(&contact), FieldValue::Text("12"));
    }
}
