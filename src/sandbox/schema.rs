//! The sandbox's tables and the one list of contact fields that the store, the filter
//! translator, the input validation and `/openapi.json` all read.

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

impl FieldKind {
    pub fn openapi_type(self) -> serde_json::Value {
        use serde_json::json;
        match self {
            FieldKind::Text => json!({"type": ["string", "null"], "maxLength": MAX_TEXT_CHARS}),
            FieldKind::Int => json!({"type": ["integer", "null"], "format": "int64"}),
            FieldKind::Decimal => json!({"type": ["number", "null"]}),
            FieldKind::Bool => json!({"type": "boolean"}),
            FieldKind::Date => json!({"type": ["string", "null"], "format": "date-time"}),
            FieldKind::Nested => json!({"type": ["object", "array", "null"]}),
        }
    }
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

const fn field(api: &'static str, column: &'static str, kind: FieldKind) -> ContactField {
    // Booleans are stored NOT NULL (false when not given).
    let nullable = !matches!(kind, FieldKind::Bool);
    ContactField { api, column, kind, folded: None, writable: true, nullable, on_create: None }
}

const fn folded(api: &'static str, column: &'static str, twin: &'static str) -> ContactField {
    ContactField { folded: Some(twin), ..field(api, column, FieldKind::Text) }
}

const fn owned(api: &'static str, column: &'static str, kind: FieldKind) -> ContactField {
    ContactField { writable: false, ..field(api, column, kind) }
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
    owned("Id", "id", FieldKind::Int).required(),
    folded("Email", "email", "email_lc").required(),
    folded("FirstName", "first_name", "first_name_lc"),
    folded("LastName", "last_name", "last_name_lc"),
    field("CrmType", "crm_type", FieldKind::Text).preset(Preset::Text("Contact")),
    owned("EmailConfirmed", "email_confirmed", FieldKind::Bool),
    field("Role", "role", FieldKind::Text).preset(Preset::Text("General")),
    owned("CreatedDate", "created_date", FieldKind::Date),
    field("Address", "address", FieldKind::Text),
    folded("City", "city", "city_lc"),
    field("State", "state", FieldKind::Text),
    field("ZipCode", "zip_code", FieldKind::Text),
    folded("Country", "country", "country_lc"),
    field("BillingAddress", "billing_address", FieldKind::Text),
    field("BillingCity", "billing_city", FieldKind::Text),
    field("BillingState", "billing_state", FieldKind::Text),
    field("BillingZipCode", "billing_zip_code", FieldKind::Text),
    field("BillingCountry", "billing_country", FieldKind::Text),
    field("Site", "site", FieldKind::Text),
    field("Phone", "phone", FieldKind::Text),
    folded("Status", "status", "status_lc"),
    field("Notes", "notes", FieldKind::Text),
    field("Type", "contact_type", FieldKind::Int).preset(Preset::Int(0)),
    owned("CustomerTypeName", "customer_type_name", FieldKind::Text),
    field("IsDataUsingAllowed", "is_data_using_allowed", FieldKind::Bool),
];

pub fn contact_field(name: &str) -> Option<&'static ContactField> {
    CONTACT_FIELDS
        .iter()
        .find(|f| f.api == name)
        .or_else(|| CONTACT_FIELDS.iter().find(|f| f.api.eq_ignore_ascii_case(name)))
}

/// The kinds of per-contact records kept as JSON documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Booking = 1,
    Case = 2,
    Order = 3,
}

impl RecordKind {
    /// The top-level fields of the record and their kinds (`Id` and `MemberId` are columns).
    pub fn fields(self) -> &'static [(&'static str, FieldKind)] {
        use FieldKind::*;
        match self {
            RecordKind::Booking => &[
                ("Id", Int),
                ("EventId", Int),
                ("OrderId", Int),
                ("FormId", Int),
                ("MemberId", Int),
                ("Allocation", Int),
                ("CreatedDateTime", Date),
                ("CustomCrmGroups", Nested),
                ("Member", Nested),
                ("Form", Nested),
                ("Event", Nested),
                ("EventBookingFields", Nested),
            ],
            RecordKind::Case => &[
                ("Id", Int),
                ("OrderId", Int),
                ("FormId", Int),
                ("MemberId", Int),
                ("CreatedDateTime", Date),
                ("CustomCrmGroups", Nested),
                ("Member", Nested),
                ("Form", Nested),
                ("CaseFields", Nested),
            ],
            RecordKind::Order => &[
                ("Id", Int),
                ("AWBNumber", Text),
                ("CurrencyCountry", Text),
                ("Currency", Text),
                ("Country", Text),
                ("InvoiceDate", Date),
                ("InvoiceNumber", Int),
                ("IsDeleted", Bool),
                ("IsRecurring", Bool),
                ("MainOrderId", Int),
                ("MemberId", Int),
                ("OrderName", Text),
                ("PaymentState", Text),
                ("StatusId", Int),
                ("TotalCost", Decimal),
                ("CreatedDateTime", Date),
                ("HasSubscriptions", Bool),
                ("HasPaidSubscription", Bool),
                ("TrackingURL", Text),
                ("TransactionId", Text),
                ("AmountPaid", Decimal),
                ("AmountPending", Decimal),
                ("OrderCaseType", Text),
                ("StatusShort", Nested),
                ("Discount", Nested),
                ("GiftVoucher", Nested),
                ("Tax", Nested),
                ("ShippingInfo", Nested),
                ("Member", Nested),
                ("OrderLines", Nested),
                ("Payments", Nested),
                ("CustomCrmGroups", Nested),
            ],
        }
    }

    pub fn field(self, name: &str) -> Option<(&'static str, FieldKind)> {
        let fields = self.fields();
        fields
            .iter()
            .find(|(api, _)| *api == name)
            .or_else(|| fields.iter().find(|(api, _)| api.eq_ignore_ascii_case(name)))
            .copied()
    }
}

/// The fields of a secure-zone subscription: (name, SQL expression, kind).
pub const ZONE_FIELDS: &[(&str, &str, FieldKind)] = &[
    ("Id", "z.id", FieldKind::Int),
    ("Name", "z.name", FieldKind::Text),
    ("ExpiryDateTime", "s.expiry", FieldKind::Date),
];

/// Tables and the indexes that are cheap to keep while seeding.
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
    use super::*;

    #[test]
    fn the_sandbox_stores_every_contact_field_of_the_contract() {
        let stored: Vec<&str> = CONTACT_FIELDS.iter().map(|f| f.api).collect();
        let contract: Vec<&str> = crate::api::model::CONTACT_FIELDS.iter().map(|(name, _)| *name).collect();
        assert_eq!(stored, contract);
    }
}
