//! The sandbox's tables, the one list of contact fields and the shapes of the records
//! (every nested object included, with the contract's types) that the store, the filter
//! translator, the input validation and `/openapi.json` all read.

use crate::api::contact_fields::Field;

/// How a field's values are stored and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Compared and sorted by its Unicode lowercase form.
    Text,
    /// A whole number.
    Int,
    /// A decimal number (money, rates).
    Decimal,
    /// `0`/`1` in SQL.
    Bool,
    /// An instant, stored as epoch milliseconds, written as ISO-8601 UTC.
    Date,
    /// An object or array: returned, but not filtered or sorted on.
    Nested,
}

/// [assumed] What a create stores for a field that its body leaves out (or sends as null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Text(&'static str),
    Int(i64),
}

impl Preset {
    pub fn value(self) -> serde_json::Value {
        match self {
            Preset::Text(text) => serde_json::Value::from(text),
            Preset::Int(number) => serde_json::Value::from(number),
        }
    }
}

/// A field of a contact and its column.
#[derive(Debug)]
pub struct ContactField {
    /// The name in JSON and in filters.
    pub api: &'static str,
    pub column: &'static str,
    pub kind: FieldKind,
    /// A lowercase twin column kept for indexed filtering and sorting; others fold on the fly.
    pub folded: Option<&'static str>,
    /// Whether a create or an update may set it (the site owns the rest).
    pub writable: bool,
    /// Whether the site may return `null` for it.
    pub nullable: bool,
    /// What a create stores when the body has no value for it.
    pub on_create: Option<Preset>,
}

/// A field of the app's table ([`Field`]: its name on the wire) stored in `column`.
const fn field(field: Field, column: &'static str, kind: FieldKind) -> ContactField {
    // Booleans are stored NOT NULL (false when not given).
    let nullable = !matches!(kind, FieldKind::Bool);
    ContactField { api: field.name(), column, kind, folded: None, writable: true, nullable, on_create: None }
}

const fn folded(f: Field, column: &'static str, twin: &'static str) -> ContactField {
    ContactField { folded: Some(twin), ..field(f, column, FieldKind::Text) }
}

const fn owned(f: Field, column: &'static str, kind: FieldKind) -> ContactField {
    ContactField { writable: false, ..field(f, column, kind) }
}

impl ContactField {
    /// Never null: the site always has a value.
    const fn required(self) -> Self {
        ContactField { nullable: false, ..self }
    }

    const fn preset(self, preset: Preset) -> Self {
        ContactField { on_create: Some(preset), ..self }
    }
}

/// [assumed] Strings longer than this are refused.
pub const MAX_TEXT_CHARS: usize = 4000;

/// Every top-level contact field except `CustomCrmGroups` (stored apart, see `custom_values`).
pub const CONTACT_FIELDS: &[ContactField] = &[
    owned(Field::Id, "id", FieldKind::Int).required(),
    folded(Field::Email, "email", "email_lc").required(),
    folded(Field::FirstName, "first_name", "first_name_lc"),
    folded(Field::LastName, "last_name", "last_name_lc"),
    field(Field::CrmType, "crm_type", FieldKind::Text).preset(Preset::Text("Contact")),
    owned(Field::EmailConfirmed, "email_confirmed", FieldKind::Bool),
    field(Field::Role, "role", FieldKind::Text).preset(Preset::Text("General")),
    owned(Field::CreatedDate, "created_date", FieldKind::Date),
    field(Field::Address, "address", FieldKind::Text),
    folded(Field::City, "city", "city_lc"),
    field(Field::State, "state", FieldKind::Text),
    field(Field::ZipCode, "zip_code", FieldKind::Text),
    folded(Field::Country, "country", "country_lc"),
    field(Field::BillingAddress, "billing_address", FieldKind::Text),
    field(Field::BillingCity, "billing_city", FieldKind::Text),
    field(Field::BillingState, "billing_state", FieldKind::Text),
    field(Field::BillingZipCode, "billing_zip_code", FieldKind::Text),
    field(Field::BillingCountry, "billing_country", FieldKind::Text),
    field(Field::Site, "site", FieldKind::Text),
    field(Field::Phone, "phone", FieldKind::Text),
    folded(Field::Status, "status", "status_lc"),
    field(Field::Notes, "notes", FieldKind::Text),
    field(Field::Type, "contact_type", FieldKind::Int).preset(Preset::Int(0)),
    owned(Field::CustomerTypeName, "customer_type_name", FieldKind::Text),
    field(Field::IsDataUsingAllowed, "is_data_using_allowed", FieldKind::Bool),
];

pub fn contact_field(name: &str) -> Option<&'static ContactField> {
    CONTACT_FIELDS
        .iter()
        .find(|f| f.api == name)
        .or_else(|| CONTACT_FIELDS.iter().find(|f| f.api.eq_ignore_ascii_case(name)))
}

/// The JSON shape of a field of a record (the contract's "Types").
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// A value of this kind (not `Nested`).
    Scalar(FieldKind),
    Object(&'static Shaped),
    /// A list of objects (empty when there are none; never null).
    List(&'static Shaped),
    /// A list of strings.
    TextList,
    /// `{alias: text | number | bool}`: a form's or an event's fields.
    Values,
    /// `{group: {alias: text | number | bool}}`.
    CustomGroups,
}

/// An object of the API: its name in `/openapi.json` and its fields.
#[derive(Debug)]
pub struct Shaped {
    pub name: &'static str,
    pub fields: &'static [Prop],
}

/// A field of a record or of an object nested in one.
#[derive(Debug)]
pub struct Prop {
    pub api: &'static str,
    pub shape: Shape,
    /// Whether the site may send `null` for it.
    pub nullable: bool,
}

impl Prop {
    /// How the filters see it: objects and lists are `Nested`.
    pub fn kind(&self) -> FieldKind {
        match self.shape {
            Shape::Scalar(kind) => kind,
            _ => FieldKind::Nested,
        }
    }
}

/// A value that may be null.
const fn opt(api: &'static str, kind: FieldKind) -> Prop {
    Prop { api, shape: Shape::Scalar(kind), nullable: true }
}

/// A value that is always there (ids, booleans).
const fn req(api: &'static str, kind: FieldKind) -> Prop {
    Prop { api, shape: Shape::Scalar(kind), nullable: false }
}

const fn object(api: &'static str, shaped: &'static Shaped) -> Prop {
    Prop { api, shape: Shape::Object(shaped), nullable: true }
}

/// A shape that is never null (lists, maps, the record's own `Member`).
const fn always(api: &'static str, shape: Shape) -> Prop {
    Prop { api, shape, nullable: false }
}

use FieldKind::{Bool, Date, Decimal, Int, Text};

pub static MEMBER: Shaped = Shaped {
    name: "Member",
    fields: &[req("Id", Int), req("Email", Text), opt("FirstName", Text), opt("LastName", Text)],
};
pub static FORM: Shaped = Shaped { name: "FormRef", fields: &[req("Id", Int), opt("Alias", Text), opt("Name", Text)] };
pub static EVENT: Shaped = Shaped { name: "EventRef", fields: &[req("Id", Int), opt("Name", Text)] };
pub static STATUS_SHORT: Shaped = Shaped { name: "StatusShort", fields: &[req("Id", Int), opt("Name", Text)] };
pub static DISCOUNT: Shaped = Shaped { name: "Discount", fields: &[opt("Code", Text), opt("Cost", Decimal)] };
pub static GIFT_VOUCHER: Shaped = Shaped { name: "GiftVoucher", fields: &[opt("Name", Text), opt("Cost", Decimal)] };
pub static TAX: Shaped = Shaped { name: "Tax", fields: &[opt("Code", Text), opt("Rate", Decimal)] };
pub static SHIPPING_INFO: Shaped = Shaped {
    name: "ShippingInfo",
    fields: &[
        opt("Name", Text),
        opt("Cost", Decimal),
        opt("Address", Text),
        opt("City", Text),
        opt("State", Text),
        opt("Zipcode", Text),
        opt("Country", Text),
    ],
};
pub static LINE_ATTRIBUTE: Shaped =
    Shaped { name: "OrderLineAttribute", fields: &[opt("AttributeId", Int), always("OptionsIds", Shape::TextList)] };
pub static ORDER_LINE: Shaped = Shaped {
    name: "OrderLine",
    fields: &[
        req("Id", Int),
        opt("EntityType", Text),
        opt("ProductId", Int),
        opt("ModuleId", Int),
        opt("ProductName", Text),
        opt("Quantity", Int),
        opt("TaxRate", Decimal),
        opt("UnitPrice", Decimal),
        opt("TotalPrice", Decimal),
        opt("FileName", Text),
        req("IsDownload", Bool),
        always("Attributes", Shape::List(&LINE_ATTRIBUTE)),
    ],
};
pub static PAYMENT: Shaped = Shaped {
    name: "Payment",
    fields: &[
        req("Id", Int),
        opt("Amount", Decimal),
        opt("AmountCaptured", Decimal),
        opt("GatewayReason", Text),
        // A gateway's reference, not a number (the reference writes "string").
        opt("TransactionId", Text),
        opt("Status", Text),
        opt("PaymentType", Text),
        opt("PaymentGatewayType", Text),
        opt("Notes", Text),
        opt("CreatedDateTime", Date),
    ],
};

pub static BOOKING: Shaped = Shaped {
    name: "Booking",
    fields: &[
        req("Id", Int),
        opt("EventId", Int),
        opt("OrderId", Int),
        opt("FormId", Int),
        req("MemberId", Int),
        opt("Allocation", Int),
        opt("CreatedDateTime", Date),
        always("CustomCrmGroups", Shape::CustomGroups),
        always("Member", Shape::Object(&MEMBER)),
        object("Form", &FORM),
        object("Event", &EVENT),
        always("EventBookingFields", Shape::Values),
    ],
};
pub static CASE: Shaped = Shaped {
    name: "Case",
    fields: &[
        req("Id", Int),
        opt("OrderId", Int),
        opt("FormId", Int),
        req("MemberId", Int),
        opt("CreatedDateTime", Date),
        always("CustomCrmGroups", Shape::CustomGroups),
        always("Member", Shape::Object(&MEMBER)),
        object("Form", &FORM),
        always("CaseFields", Shape::Values),
    ],
};
pub static ORDER: Shaped = Shaped {
    name: "Order",
    fields: &[
        req("Id", Int),
        opt("AWBNumber", Text),
        opt("CurrencyCountry", Text),
        opt("Currency", Text),
        opt("Country", Text),
        opt("InvoiceDate", Date),
        opt("InvoiceNumber", Int),
        req("IsDeleted", Bool),
        req("IsRecurring", Bool),
        opt("MainOrderId", Int),
        req("MemberId", Int),
        opt("OrderName", Text),
        opt("PaymentState", Text),
        opt("StatusId", Int),
        opt("TotalCost", Decimal),
        opt("CreatedDateTime", Date),
        req("HasSubscriptions", Bool),
        req("HasPaidSubscription", Bool),
        opt("TrackingURL", Text),
        // A gateway's reference, not a number (the reference writes "string").
        opt("TransactionId", Text),
        opt("AmountPaid", Decimal),
        opt("AmountPending", Decimal),
        opt("OrderCaseType", Text),
        object("StatusShort", &STATUS_SHORT),
        object("Discount", &DISCOUNT),
        object("GiftVoucher", &GIFT_VOUCHER),
        object("Tax", &TAX),
        object("ShippingInfo", &SHIPPING_INFO),
        always("Member", Shape::Object(&MEMBER)),
        always("OrderLines", Shape::List(&ORDER_LINE)),
        always("Payments", Shape::List(&PAYMENT)),
        always("CustomCrmGroups", Shape::CustomGroups),
    ],
};

/// The kinds of per-contact records kept as JSON documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Booking = 1,
    Case = 2,
    Order = 3,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [RecordKind::Booking, RecordKind::Case, RecordKind::Order];

    /// The record's shape: its name and every field with its type (`Id` and `MemberId` are
    /// columns, the rest lives in the JSON document).
    pub fn shape(self) -> &'static Shaped {
        match self {
            RecordKind::Booking => &BOOKING,
            RecordKind::Case => &CASE,
            RecordKind::Order => &ORDER,
        }
    }

    /// The top-level field `name` (any case) and how filters see it.
    pub fn field(self, name: &str) -> Option<(&'static str, FieldKind)> {
        let fields = self.shape().fields;
        fields
            .iter()
            .find(|f| f.api == name)
            .or_else(|| fields.iter().find(|f| f.api.eq_ignore_ascii_case(name)))
            .map(|f| (f.api, f.kind()))
    }
}

/// A field of a secure-zone subscription.
#[derive(Debug)]
pub struct ZoneField {
    pub api: &'static str,
    /// Its SQL expression over `zone_subscriptions s JOIN zones z`.
    pub expr: &'static str,
    pub kind: FieldKind,
    pub nullable: bool,
}

/// The fields of a secure-zone subscription. No expiry is null.
pub const ZONE_FIELDS: &[ZoneField] = &[
    ZoneField { api: "Id", expr: "z.id", kind: FieldKind::Int, nullable: false },
    ZoneField { api: "Name", expr: "z.name", kind: FieldKind::Text, nullable: false },
    ZoneField { api: "ExpiryDateTime", expr: "s.expiry", kind: FieldKind::Date, nullable: true },
];

/// Tables and the indexes that are cheap to keep while seeding.
/// The meaning of the stored data, kept as the database's `user_version`: bumped when stored
/// values change meaning, so that an older demo database is set aside rather than misread.
/// 2: invoice numbers and quantities are whole numbers, custom values stored once, the
/// reference's casing in the seed.
pub const DATA_VERSION: i64 = 2;

pub const CREATE_TABLES: &str = "
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL, email_lc TEXT NOT NULL,
    first_name TEXT, first_name_lc TEXT,
    last_name TEXT, last_name_lc TEXT,
    crm_type TEXT,
    email_confirmed INTEGER NOT NULL DEFAULT 0,
    role TEXT,
    created_date INTEGER,
    address TEXT, city TEXT, city_lc TEXT, state TEXT, zip_code TEXT, country TEXT, country_lc TEXT,
    billing_address TEXT, billing_city TEXT, billing_state TEXT, billing_zip_code TEXT, billing_country TEXT,
    site TEXT, phone TEXT, status TEXT, status_lc TEXT, notes TEXT,
    contact_type INTEGER,
    customer_type_name TEXT,
    is_data_using_allowed INTEGER NOT NULL DEFAULT 0,
    custom_json TEXT NOT NULL DEFAULT '{}',
    password_set_at INTEGER
);
CREATE TABLE IF NOT EXISTS custom_fields (
    id INTEGER PRIMARY KEY,
    grp TEXT NOT NULL,
    field TEXT NOT NULL,
    UNIQUE (grp, field)
);
-- One row per scalar custom value, for filtering; `contacts.custom_json` holds the groups
-- as sent. Both are written together, only by `rows::Inserter`. `text_lc` is set for text, `num` for numbers and booleans (0/1).
CREATE TABLE IF NOT EXISTS custom_values (
    contact_id INTEGER NOT NULL,
    field_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,  -- 0 text, 1 number, 2 bool
    text_lc TEXT,
    num REAL,
    PRIMARY KEY (contact_id, field_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zones (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zone_subscriptions (
    contact_id INTEGER NOT NULL,
    zone_id INTEGER NOT NULL,
    expiry INTEGER,
    PRIMARY KEY (contact_id, zone_id)
) WITHOUT ROWID;
";

/// Indexes for the fields people filter and sort on; built after a bulk seed (faster than
/// keeping them up to date row by row). Sort indexes end in `id`: the tie-break.
pub const CREATE_INDEXES: &str = "
CREATE UNIQUE INDEX IF NOT EXISTS contacts_email ON contacts (email_lc);
-- Narrower than the table: walking past a large Offset in Id order reads far fewer pages.
CREATE INDEX IF NOT EXISTS contacts_id ON contacts (id);
CREATE INDEX IF NOT EXISTS contacts_first_name ON contacts (first_name_lc, id);
CREATE INDEX IF NOT EXISTS contacts_last_name ON contacts (last_name_lc, id);
CREATE INDEX IF NOT EXISTS contacts_city ON contacts (city_lc, id);
CREATE INDEX IF NOT EXISTS contacts_country ON contacts (country_lc, id);
CREATE INDEX IF NOT EXISTS contacts_status ON contacts (status_lc, id);
CREATE INDEX IF NOT EXISTS contacts_created ON contacts (created_date, id);
CREATE INDEX IF NOT EXISTS custom_text ON custom_values (field_id, text_lc) WHERE text_lc IS NOT NULL;
CREATE INDEX IF NOT EXISTS custom_number ON custom_values (field_id, kind, num) WHERE num IS NOT NULL;
CREATE INDEX IF NOT EXISTS records_owner ON records (contact_id, kind, id);
";

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;
    use crate::api::model::{Booking, Case, Order, OrderLine};

    /// Every field of `shaped`, nested ones as `Parent.Field` (list items as `Parent[].Field`).
    fn table_paths(shaped: &Shaped, prefix: &str, out: &mut BTreeSet<String>) {
        for prop in shaped.fields {
            let path = format!("{prefix}{}", prop.api);
            match prop.shape {
                Shape::Object(inner) => table_paths(inner, &format!("{path}."), out),
                Shape::List(inner) => table_paths(inner, &format!("{path}[]."), out),
                _ => {}
            }
            out.insert(path);
        }
    }

    /// Every key of `value` in the same notation.
    fn json_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        let Value::Object(fields) = value else { return };
        for (key, inner) in fields {
            let path = format!("{prefix}{key}");
            match inner {
                Value::Object(_) => json_paths(inner, &format!("{path}."), out),
                Value::Array(items) => items.iter().for_each(|item| json_paths(item, &format!("{path}[]."), out)),
                _ => {}
            }
            out.insert(path);
        }
    }

    #[test]
    fn the_record_tables_hold_exactly_the_fields_of_the_client_models() {
        // Every nested object present once, so that its fields show. The maps
        // (CustomCrmGroups, EventBookingFields, CaseFields) are left empty: their keys are data.
        let order = Order {
            status_short: Some(Default::default()),
            discount: Some(Default::default()),
            gift_voucher: Some(Default::default()),
            tax: Some(Default::default()),
            shipping_info: Some(Default::default()),
            member: Some(Default::default()),
            order_lines: vec![OrderLine { attributes: vec![Default::default()], ..Default::default() }],
            payments: vec![Default::default()],
            ..Default::default()
        };
        let booking = Booking {
            member: Some(Default::default()),
            form: Some(Default::default()),
            event: Some(Default::default()),
            ..Default::default()
        };
        let case = Case { member: Some(Default::default()), form: Some(Default::default()), ..Default::default() };
        let models = [
            (RecordKind::Booking, serde_json::to_value(booking).unwrap()),
            (RecordKind::Case, serde_json::to_value(case).unwrap()),
            (RecordKind::Order, serde_json::to_value(order).unwrap()),
        ];
        for (kind, model) in models {
            let (mut table, mut json) = (BTreeSet::new(), BTreeSet::new());
            table_paths(kind.shape(), "", &mut table);
            json_paths(&model, "", &mut json);
            assert_eq!(table, json, "{kind:?}");
        }
    }

    #[test]
    fn the_sandbox_stores_every_contact_field_once_in_a_column_of_its_own() {
        let stored: Vec<&str> = CONTACT_FIELDS.iter().map(|f| f.api).collect();
        let table: Vec<&str> = crate::api::contact_fields::FIELDS.iter().map(|spec| spec.name).collect();
        assert_eq!(stored, table);
        let columns: BTreeSet<&str> = CONTACT_FIELDS.iter().map(|f| f.column).collect();
        assert_eq!(columns.len(), CONTACT_FIELDS.len());
    }
}
