//! The JSON shapes of the Treepl admin API (`../shared/treepl-api.md`).
//!
//! Every model is lenient: a missing or `null` field takes its default, and fields this
//! version does not know are kept in `extra` and written back unchanged, so a round trip
//! through the app never drops what a newer site sent. A contact also keeps the JSON object
//! the site sent ([`Received`]): what goes back is that object with only the fields the user
//! changed re-encoded, so an odd value, a date's text or a `null` returns as it came.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::received::{Received, UpdateBody};
use super::wire::lenient_model;
pub use super::wire::{Amount, DateForm, Timestamp, WholeNumber};

pub type ContactId = i64;

/// Fields the server sent that this version of the app does not model.
pub type ExtraFields = serde_json::Map<String, Value>;

/// `{ "<GroupAlias>": { "<FieldAlias>": <string | bool | number> } }`. The API gives no
/// schema, so values stay JSON; [`CustomFieldKind::of`] infers a field's type.
pub type CustomCrmGroups = BTreeMap<String, BTreeMap<String, Value>>;

/// The type of a custom CRM field, inferred from its JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomFieldKind {
    Text,
    Number,
    Bool,
}

impl CustomFieldKind {
    pub fn of(value: &Value) -> Option<Self> {
        match value {
            Value::String(_) => Some(Self::Text),
            Value::Number(_) => Some(Self::Number),
            Value::Bool(_) => Some(Self::Bool),
            _ => None,
        }
    }
}

/// The type of a contact field's values, as the API sends them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldType {
    Text,
    Number,
    Bool,
    Date,
}

/// The values of the contact's enum-like fields that the contract names. Real sites have
/// others: they are shown as they come, never refused.
pub const KNOWN_VALUES: &[(&str, &[&str])] =
    &[("CrmType", &["Contact"]), ("Role", &["General"]), ("Status", &[]), ("Type", &["0"])];

/// The list envelope: `{"Items": [...], "TotalItemsCount": n}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` when a site leaves it out; pagers then stop at the first empty page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_items_count: Option<u64>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Page<T> {
    /// `Items` missing or `null` is no items.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", bound(deserialize = "T: Deserialize<'de>"))]
        struct Envelope<T> {
            items: Option<Vec<T>>,
            total_items_count: Option<u64>,
        }
        let Envelope { items, total_items_count } = Envelope::deserialize(deserializer)?;
        Ok(Self { items: items.unwrap_or_default(), total_items_count })
    }
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total_items_count: u64) -> Self {
        Self { items, total_items_count: Some(total_items_count) }
    }
}

/// A CRM contact as the site returns it. Read leniently: a field whose value cannot be read
/// takes its default and is kept, as sent, in [`Contact::received`] (see
/// [`Contact::unreadable`]); one odd value never fails a contact. Serialised as the received
/// object with the fields whose typed value changed re-encoded (see [`Received`]). Its
/// fields' names on the wire, kinds and places are in the one table of contact fields
/// ([`crate::api::contact_fields::FIELDS`]), which reads and writes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub crm_type: Option<String>,
    /// `None`: the site sent `null` (or nothing), which is not `false`.
    pub email_confirmed: Option<bool>,
    pub role: Option<String>,
    pub created_date: Option<Timestamp>,
    pub address: PostalAddress,
    pub billing: BillingAddress,
    pub site: Option<String>,
    pub phone: Option<String>,
    pub status: Option<String>,
    pub notes: Option<String>,
    pub contact_type: Option<i64>,
    pub customer_type_name: Option<String>,
    /// `None`: not set (`null`), which is not `false`.
    pub is_data_using_allowed: Option<bool>,
    pub custom_crm_groups: CustomCrmGroups,
    /// The fields the site sent that are not in the table, as sent.
    pub extra: ExtraFields,
    /// The object as the site sent it; empty for a contact made here.
    pub received: Received,
}

/// `Address, City, State, ZipCode, Country` of a contact.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostalAddress {
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country: Option<String>,
}

/// `BillingAddress, BillingCity, ...` (fields added in v7.10.7: older sites leave them out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillingAddress {
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country: Option<String>,
}

/// What a create or an update does to one field: leave it as the site has it (the field is
/// left out of the body), clear it (`null`), or set it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Change<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Change<T> {
    pub fn is_keep(&self) -> bool {
        matches!(self, Change::Keep)
    }

    /// The field of a loaded copy, sent back as it is: set, or cleared when it has none.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Change::Clear, Change::Set)
    }

    pub fn set(value: impl Into<T>) -> Self {
        Change::Set(value.into())
    }
}

impl<T: Serialize> Serialize for Change<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Left out by `skip_serializing_if`; written as null if a container insists.
            Change::Keep | Change::Clear => serializer.serialize_none(),
            Change::Set(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Change<T> {
    /// A field that is there is set or cleared; one that is not stays `Keep` (the default).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Change::from_option(Option::<T>::deserialize(deserializer)?))
    }
}

/// `Address, City, State, ZipCode, Country` in a create or an update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PostalAddressInput {
    #[serde(skip_serializing_if = "Change::is_keep")]
    pub address: Change<String>,
    #[serde(skip_serializing_if = "Change::is_keep")]
    pub city: Change<String>,
    #[serde(skip_serializing_if = "Change::is_keep")]
    pub state: Change<String>,
    #[serde(skip_serializing_if = "Change::is_keep")]
    pub zip_code: Change<String>,
    #[serde(skip_serializing_if = "Change::is_keep")]
    pub country: Change<String>,
}

impl PostalAddressInput {
    fn from_address(address: PostalAddress) -> Self {
        let PostalAddress { address, city, state, zip_code, country } = address;
        Self {
            address: Change::from_option(address),
            city: Change::from_option(city),
            state: Change::from_option(state),
            zip_code: Change::from_option(zip_code),
            country: Change::from_option(country),
        }
    }
}

/// `BillingAddress, BillingCity, ...` in a create or an update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BillingAddressInput {
    #[serde(rename = "BillingAddress", skip_serializing_if = "Change::is_keep")]
    pub address: Change<String>,
    #[serde(rename = "BillingCity", skip_serializing_if = "Change::is_keep")]
    pub city: Change<String>,
    #[serde(rename = "BillingState", skip_serializing_if = "Change::is_keep")]
    pub state: Change<String>,
    #[serde(rename = "BillingZipCode", skip_serializing_if = "Change::is_keep")]
    pub zip_code: Change<String>,
    #[serde(rename = "BillingCountry", skip_serializing_if = "Change::is_keep")]
    pub country: Change<String>,
}

impl BillingAddressInput {
    fn from_address(address: BillingAddress) -> Self {
        let BillingAddress { address, city, state, zip_code, country } = address;
        Self {
            address: Change::from_option(address),
            city: Change::from_option(city),
            state: Change::from_option(state),
            zip_code: Change::from_option(zip_code),
            country: Change::from_option(country),
        }
    }
}

lenient_model! {
    /// The body of a create or an update: a contact minus the fields the site owns
    /// (`EmailConfirmed, CreatedDate, CustomerTypeName`). Each field says what it does:
    /// [`Change::Keep`] leaves it out of the body, [`Change::Clear`] sends `null`,
    /// [`Change::Set`] sends the value. The app updates a loaded contact by sending the
    /// [`Contact`] itself (see [`UpdateBody`]): the site's object with only the changed fields
    /// re-encoded. [`ContactInput::from_contact`] builds a typed body from a contact made here.
    /// The password of a create is passed to [`crate::api::Client::create_contact`] separately
    /// so that it never sits in a model.
    pub struct ContactInput {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub id: Option<ContactId>,
        pub email: String,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub first_name: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub last_name: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub crm_type: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub role: Change<String>,
        #[serde(flatten)]
        pub address: PostalAddressInput,
        #[serde(flatten)]
        pub billing: BillingAddressInput,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub site: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub phone: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub status: Change<String>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub notes: Change<String>,
        #[serde(rename = "Type", skip_serializing_if = "Change::is_keep")]
        pub contact_type: Change<i64>,
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub is_data_using_allowed: Change<bool>,
        /// Replaces all of the contact's custom values when set.
        #[serde(skip_serializing_if = "Change::is_keep")]
        pub custom_crm_groups: Change<CustomCrmGroups>,
        /// Unknown fields of the contact this input was made from, sent back unchanged.
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

impl ContactInput {
    /// A create body with just an email; everything else is left to the site's defaults.
    pub fn new(email: impl Into<String>) -> Self {
        Self { email: email.into(), ..Self::default() }
    }

    /// The create body for a new contact as typed: what it has is set, the rest is left to
    /// the site's defaults.
    pub fn for_create(contact: &Contact) -> Self {
        let set = |value: &Option<String>| value.clone().map_or(Change::Keep, Change::Set);
        let (a, b) = (&contact.address, &contact.billing);
        Self {
            id: None,
            email: contact.email.trim().to_owned(),
            first_name: set(&contact.first_name),
            last_name: set(&contact.last_name),
            crm_type: set(&contact.crm_type),
            role: set(&contact.role),
            address: PostalAddressInput {
                address: set(&a.address),
                city: set(&a.city),
                state: set(&a.state),
                zip_code: set(&a.zip_code),
                country: set(&a.country),
            },
            billing: BillingAddressInput {
                address: set(&b.address),
                city: set(&b.city),
                state: set(&b.state),
                zip_code: set(&b.zip_code),
                country: set(&b.country),
            },
            site: set(&contact.site),
            phone: set(&contact.phone),
            status: set(&contact.status),
            notes: set(&contact.notes),
            contact_type: contact.contact_type.map_or(Change::Keep, Change::Set),
            is_data_using_allowed: contact.is_data_using_allowed.map_or(Change::Keep, Change::Set),
            custom_crm_groups: if contact.custom_crm_groups.is_empty() {
                Change::Keep
            } else {
                Change::Set(contact.custom_crm_groups.clone())
            },
            extra: contact.extra.clone(),
        }
    }

    /// The update body for `contact` (the loaded copy with the user's changes): every field
    /// it has, set or cleared, unknown ones included.
    pub fn from_contact(contact: &Contact) -> Self {
        let Contact {
            id,
            email,
            first_name,
            last_name,
            crm_type,
            email_confirmed: _,
            role,
            created_date: _,
            address,
            billing,
            site,
            phone,
            status,
            notes,
            contact_type,
            customer_type_name: _,
            is_data_using_allowed,
            custom_crm_groups,
            extra,
            received: _,
        } = contact.clone();
        Self {
            id: Some(id),
            email,
            first_name: Change::from_option(first_name),
            last_name: Change::from_option(last_name),
            crm_type: Change::from_option(crm_type),
            role: Change::from_option(role),
            address: PostalAddressInput::from_address(address),
            billing: BillingAddressInput::from_address(billing),
            site: Change::from_option(site),
            phone: Change::from_option(phone),
            status: Change::from_option(status),
            notes: Change::from_option(notes),
            contact_type: Change::from_option(contact_type),
            is_data_using_allowed: Change::from_option(is_data_using_allowed),
            custom_crm_groups: Change::Set(custom_crm_groups),
            extra,
        }
    }
}

lenient_model! {
    /// `Member{Id,Email,FirstName,LastName}` on bookings, cases and orders.
    pub struct MemberRef {
        pub id: ContactId,
        pub email: String,
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `Form{Id,Alias,Name}`.
    pub struct FormRef {
        pub id: i64,
        pub alias: Option<String>,
        pub name: Option<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `Event{Id,Name}`.
    pub struct EventRef {
        pub id: i64,
        pub name: Option<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    pub struct Booking {
        pub id: i64,
        pub event_id: Option<i64>,
        pub order_id: Option<i64>,
        pub form_id: Option<i64>,
        pub member_id: Option<ContactId>,
        pub allocation: Option<i64>,
        pub created_date_time: Option<Timestamp>,
        pub custom_crm_groups: CustomCrmGroups,
        pub member: Option<MemberRef>,
        pub form: Option<FormRef>,
        pub event: Option<EventRef>,
        pub event_booking_fields: BTreeMap<String, Value>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    pub struct Case {
        pub id: i64,
        pub order_id: Option<i64>,
        pub form_id: Option<i64>,
        pub member_id: Option<ContactId>,
        pub created_date_time: Option<Timestamp>,
        pub custom_crm_groups: CustomCrmGroups,
        pub member: Option<MemberRef>,
        pub form: Option<FormRef>,
        pub case_fields: BTreeMap<String, Value>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `StatusShort{Id,Name}` of an order.
    pub struct StatusShort {
        pub id: i64,
        pub name: Option<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `Discount{Code,Cost}`.
    pub struct Discount {
        pub code: Option<String>,
        pub cost: Option<Amount>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `GiftVoucher{Name,Cost}`.
    pub struct GiftVoucher {
        pub name: Option<String>,
        pub cost: Option<Amount>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `Tax{Code,Rate}`.
    pub struct Tax {
        pub code: Option<String>,
        pub rate: Option<Amount>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `ShippingInfo{Name,Cost,Address,City,State,Zipcode,Country}`.
    pub struct ShippingInfo {
        pub name: Option<String>,
        pub cost: Option<Amount>,
        pub address: Option<String>,
        pub city: Option<String>,
        pub state: Option<String>,
        pub zipcode: Option<String>,
        pub country: Option<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// `Attributes[{AttributeId, OptionsIds[string]}]` of an order line.
    pub struct LineAttribute {
        pub attribute_id: Option<i64>,
        /// Read leniently: a number comes as its text.
        pub options_ids: Vec<String>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    pub struct OrderLine {
        pub id: i64,
        pub entity_type: Option<String>,
        pub product_id: Option<i64>,
        pub module_id: Option<i64>,
        pub product_name: Option<String>,
        pub quantity: Option<i64>,
        pub tax_rate: Option<Amount>,
        pub unit_price: Option<Amount>,
        pub total_price: Option<Amount>,
        pub file_name: Option<String>,
        pub is_download: bool,
        pub attributes: Vec<LineAttribute>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    pub struct Payment {
        pub id: i64,
        pub amount: Option<Amount>,
        pub amount_captured: Option<Amount>,
        pub gateway_reason: Option<String>,
        pub transaction_id: Option<String>,
        pub status: Option<String>,
        pub payment_type: Option<String>,
        pub payment_gateway_type: Option<String>,
        pub notes: Option<String>,
        pub created_date_time: Option<Timestamp>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    pub struct Order {
        pub id: i64,
        #[serde(rename = "AWBNumber")]
        pub awb_number: Option<String>,
        pub currency_country: Option<String>,
        pub currency: Option<String>,
        pub country: Option<String>,
        pub invoice_date: Option<Timestamp>,
        /// A number in the vendor's reference; text ("000456") is kept as text.
        pub invoice_number: Option<WholeNumber>,
        pub is_deleted: bool,
        pub is_recurring: bool,
        pub main_order_id: Option<i64>,
        pub member_id: Option<ContactId>,
        pub order_name: Option<String>,
        pub payment_state: Option<String>,
        pub status_id: Option<i64>,
        pub total_cost: Option<Amount>,
        pub created_date_time: Option<Timestamp>,
        pub has_subscriptions: bool,
        pub has_paid_subscription: bool,
        #[serde(rename = "TrackingURL")]
        pub tracking_url: Option<String>,
        pub transaction_id: Option<String>,
        pub amount_paid: Option<Amount>,
        pub amount_pending: Option<Amount>,
        pub order_case_type: Option<String>,
        pub status_short: Option<StatusShort>,
        pub discount: Option<Discount>,
        pub gift_voucher: Option<GiftVoucher>,
        pub tax: Option<Tax>,
        pub shipping_info: Option<ShippingInfo>,
        pub member: Option<MemberRef>,
        pub order_lines: Vec<OrderLine>,
        pub payments: Vec<Payment>,
        pub custom_crm_groups: CustomCrmGroups,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

lenient_model! {
    /// A contact's subscription to a members-only area; no expiry when `expiry_date_time` is `None`.
    pub struct SecureZone {
        pub id: i64,
        pub name: String,
        pub expiry_date_time: Option<Timestamp>,
        #[serde(flatten)]
        pub extra: ExtraFields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_field_list_names_every_field_a_contact_serialises() {
        let json = serde_json::to_value(Contact::default()).unwrap();
        let mut serialised: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        serialised.retain(|k| *k != "CustomCrmGroups");
        serialised.sort_unstable();
        let mut listed: Vec<&str> = crate::api::contact_fields::FIELDS.iter().map(|spec| spec.name).collect();
        listed.sort_unstable();
        assert_eq!(serialised, listed);
    }

    #[test]
    fn contact_keeps_unknown_fields_through_an_update_body() {
        let sent = json!({
            "Id": 7, "Email": "a@b.example", "FirstName": "Ann", "CreatedDate": "2024-05-17T18:18:39",
            "BillingCity": "Oslo", "LoyaltyTier": {"Level": 3, "Since": "2020"}, "Tags": ["x", "y"]
        });
        let contact: Contact = serde_json::from_value(sent).unwrap();
        assert_eq!(contact.billing.city.as_deref(), Some("Oslo"));
        assert_eq!(contact.extra.len(), 2);
        let body = serde_json::to_value(ContactInput::from_contact(&contact)).unwrap();
        assert_eq!(body["LoyaltyTier"], json!({"Level": 3, "Since": "2020"}));
        assert_eq!(body["Tags"], json!(["x", "y"]));
        assert_eq!(body["Id"], json!(7));
        assert!(body.get("CreatedDate").is_none(), "the site owns CreatedDate");
    }

    #[test]
    fn an_input_leaves_out_what_it_keeps_sends_null_for_what_it_clears_and_the_value_it_sets() {
        let mut input = ContactInput::new("a@b.example");
        input.first_name = Change::set("Ann");
        input.billing.city = Change::Clear;
        input.is_data_using_allowed = Change::Set(false);
        let body = serde_json::to_value(&input).unwrap();
        assert_eq!(
            body,
            json!({"Email": "a@b.example", "FirstName": "Ann", "BillingCity": null, "IsDataUsingAllowed": false})
        );
        let back: ContactInput = serde_json::from_value(body).unwrap();
        assert_eq!(back, input, "absent reads as Keep, null as Clear");
        let whole = serde_json::to_value(ContactInput::from_contact(&Contact::default())).unwrap();
        for field in ["City", "BillingCountry", "Notes", "Type", "CustomCrmGroups", "IsDataUsingAllowed"] {
            assert!(whole.get(field).is_some(), "an update from a loaded copy sends {field}");
        }
    }

    #[test]
    fn contact_round_trips_unchanged() {
        let sent = json!({
            "Id": 1, "Email": "e@x.example", "FirstName": null, "LastName": "Ö", "CrmType": "Customer",
            "EmailConfirmed": true, "Role": null, "CreatedDate": "2024-05-17T18:18:39.175Z", "Address": null,
            "City": null, "State": null, "ZipCode": null, "Country": "NZ", "BillingAddress": null,
            "BillingCity": null, "BillingState": null, "BillingZipCode": null, "BillingCountry": null,
            "Site": null, "Phone": null, "Status": null, "Notes": null, "Type": 2, "CustomerTypeName": null,
            "IsDataUsingAllowed": false, "CustomCrmGroups": {"Prefs": {"News": true, "Score": 4.5}},
            "FutureField": [1, 2]
        });
        let contact: Contact = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(serde_json::to_value(&contact).unwrap(), sent);
    }

    #[test]
    fn missing_and_null_fields_take_defaults() {
        let contact: Contact =
            serde_json::from_value(json!({"Id": "12", "EmailConfirmed": null, "CustomCrmGroups": null})).unwrap();
        assert_eq!(contact.id, 12);
        assert_eq!(contact.email_confirmed, None, "null is not false");
        assert!(contact.custom_crm_groups.is_empty());
        let page: Page<Contact> = serde_json::from_value(json!({"Items": null})).unwrap();
        assert!(page.items.is_empty());
        assert_eq!(page.total_items_count, None);
    }

    #[test]
    fn numbers_of_the_reference_read_as_numbers_and_text_stays_text() {
        let order: Order =
            serde_json::from_value(json!({"Id": 1, "InvoiceNumber": 123, "OrderLines": [{"Id": 1, "Quantity": "2"}]}))
                .unwrap();
        assert_eq!(order.invoice_number.as_ref().and_then(WholeNumber::as_i64), Some(123));
        assert_eq!(serde_json::to_value(&order).unwrap()["InvoiceNumber"], json!(123));
        assert_eq!(order.order_lines[0].quantity, Some(2));
        let order: Order = serde_json::from_value(json!({"Id": 1, "InvoiceNumber": "000456"})).unwrap();
        assert_eq!(order.invoice_number.as_ref().map(ToString::to_string).as_deref(), Some("000456"));
        assert_eq!(serde_json::to_value(&order).unwrap()["InvoiceNumber"], json!("000456"), "kept as text");
    }

    #[test]
    fn odd_values_never_fail_a_record_and_are_kept() {
        let order: Order = serde_json::from_value(json!({
            "Id": 1, "CustomCrmGroups": {"G": null, "H": {"F": null}},
            "OrderLines": [{"Id": 1, "Attributes": [{"AttributeId": 2, "OptionsIds": [7, "b"]}]}]
        }))
        .unwrap();
        assert_eq!(order.order_lines[0].attributes[0].options_ids, ["7", "b"]);
        assert_eq!(order.custom_crm_groups.get("H").and_then(|h| h.get("F")), Some(&Value::Null));

        let sent = json!({
            "Id": 9007199254740993_i64, "Email": "odd@example.com", "EmailConfirmed": "maybe",
            "IsDataUsingAllowed": null, "CreatedDate": "17/05/2024 18:18", "Type": "2",
            "CustomCrmGroups": {"G": null, "Prefs": {"News": true, "Gone": null}}
        });
        let contact: Contact = serde_json::from_value(sent.clone()).unwrap();
        assert_eq!(contact.id, 9_007_199_254_740_993, "an Id above 2^53, exact");
        assert_eq!(contact.email, "odd@example.com", "the readable fields are read");
        assert_eq!(contact.contact_type, Some(2));
        assert_eq!((contact.email_confirmed, contact.is_data_using_allowed), (None, None));
        assert_eq!(contact.unreadable("EmailConfirmed"), Some(&json!("maybe")));
        assert_eq!(contact.unreadable("CreatedDate"), Some(&json!("17/05/2024 18:18")));
        assert_eq!(contact.unreadable("IsDataUsingAllowed"), None, "null is not set, not unreadable");
        assert_eq!(contact.unreadable("Type"), None, "a number as text reads");
        assert_eq!(contact.update_body().unwrap(), sent, "unchanged: sent back as it came");
    }

    #[test]
    fn an_update_re_encodes_only_what_changed() {
        let sent = json!({
            "Id": 5, "Email": "a@example.com", "FirstName": "Ann", "EmailConfirmed": "true",
            "IsDataUsingAllowed": null, "CreatedDate": "2024-05-17T18:18:39", "Type": "2", "Phone": 6421555123_i64,
            "CustomCrmGroups": {"G": null, "Prefs": {"News": true, "Gone": null}}, "Future": {"x": 1}
        });
        let loaded: Contact = serde_json::from_value(sent.clone()).unwrap();
        let mut edited = loaded.clone();
        edited.first_name = Some("Anna".to_owned());
        let mut expected = sent.clone();
        expected["FirstName"] = json!("Anna");
        assert_eq!(edited.update_body().unwrap(), expected);

        let mut edited = loaded.clone();
        edited.custom_crm_groups.get_mut("Prefs").unwrap().insert("News".to_owned(), json!(false));
        edited.is_data_using_allowed = Some(false);
        let mut expected = sent.clone();
        expected["CustomCrmGroups"]["Prefs"]["News"] = json!(false);
        expected["IsDataUsingAllowed"] = json!(false);
        assert_eq!(edited.update_body().unwrap(), expected, "the null group and the null field stay");

        let mut edited = loaded;
        edited.address.city = Some("Oslo".to_owned());
        edited.custom_crm_groups.remove("Prefs");
        let mut expected = sent;
        expected["City"] = json!("Oslo");
        expected["CustomCrmGroups"] = json!({"G": null});
        assert_eq!(edited.update_body().unwrap(), expected, "a field the site left out goes only when set");
    }

    #[test]
    fn order_money_is_exact_and_unknown_fields_survive() {
        let sent = json!({
            "Id": 3, "AWBNumber": "AWB1", "TotalCost": 10.1, "AmountPaid": 0.2, "TrackingURL": "https://t.example",
            "OrderLines": [{"Id": 1, "UnitPrice": 3.35, "Quantity": 3, "Attributes": [{"AttributeId": 2, "OptionsIds": ["a"]}]}],
            "Payments": [{"Id": 9, "Amount": 0.2, "Surcharge": 1}], "NewThing": true
        });
        let order: Order = serde_json::from_value(sent).unwrap();
        let total = order.total_cost.unwrap().0 + order.amount_paid.unwrap().0;
        assert_eq!(total.to_string(), "10.3");
        let line = &order.order_lines[0];
        let quantity = rust_decimal::Decimal::from(line.quantity.unwrap());
        assert_eq!((line.unit_price.unwrap().0 * quantity).to_string(), "10.05");
        assert_eq!(order.payments[0].extra["Surcharge"], json!(1));
        let back = serde_json::to_value(&order).unwrap();
        assert_eq!(back["AWBNumber"], json!("AWB1"));
        assert_eq!(back["NewThing"], json!(true));
    }
}
