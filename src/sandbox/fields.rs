//! How the fields of each listed record type look to SQL: contacts (columns and the
//! custom-value side table), bookings / cases / orders (JSON documents) and secure zones.

use super::filter::{Field, Schema, Sql, ValueKind};
use super::schema::{FieldKind, RecordKind, ZONE_FIELDS, contact_field};
use super::where_reader::{CUSTOM_GROUPS, SitePath};

/// Contacts, listed from `contacts c`.
pub struct Contacts;

impl Schema for Contacts {
    fn field(&self, path: &SitePath) -> Result<Field, String> {
        let name = match path {
            SitePath::Custom { group, field } => return Ok(custom_value_of_contact(group, field)),
            SitePath::Field(name) if name.eq_ignore_ascii_case(CUSTOM_GROUPS) => return Ok(Field::Nested),
            SitePath::Field(name) => name,
        };
        let field = contact_field(name).ok_or_else(|| format!("`{name}` is not a field of a contact"))?;
        let column = format!("c.{}", field.column);
        let comparable = match (field.kind, field.folded) {
            (FieldKind::Text, Some(twin)) => format!("c.{twin}"),
            (FieldKind::Text, None) => format!("ulower({column})"),
            _ => column.clone(),
        };
        Ok(plain(field.kind, comparable, column))
    }

    fn id_column(&self) -> &'static str {
        "c.id"
    }
}

/// Bookings, cases or orders of one contact, listed from `records r`.
pub struct Records(pub RecordKind);

impl Schema for Records {
    fn field(&self, path: &SitePath) -> Result<Field, String> {
        let name = match path {
            SitePath::Custom { group, field } => return Ok(custom_value_in_document(group, field)),
            SitePath::Field(name) => name,
        };
        let (api, kind) =
            self.0.field(name).ok_or_else(|| format!("`{name}` is not a field of {}", self.describe()))?;
        let raw = match api {
            "Id" => "r.id".to_owned(),
            "MemberId" => "r.contact_id".to_owned(),
            // `api` comes from our own field table, so it is safe to write into SQL.
            _ => format!("(r.doc ->> '$.{api}')"),
        };
        let comparable = match kind {
            FieldKind::Text => format!("ulower({raw})"),
            FieldKind::Date => format!("ts_millis({raw})"),
            _ => raw.clone(),
        };
        Ok(plain(kind, comparable, raw))
    }

    fn id_column(&self) -> &'static str {
        "r.id"
    }
}

impl Records {
    fn describe(&self) -> &'static str {
        match self.0 {
            RecordKind::Booking => "a booking",
            RecordKind::Case => "a case",
            RecordKind::Order => "an order",
        }
    }
}

/// A contact's secure-zone subscriptions, listed from `zone_subscriptions s JOIN zones z`.
pub struct Zones;

impl Schema for Zones {
    fn field(&self, path: &SitePath) -> Result<Field, String> {
        let SitePath::Field(name) = path else {
            return Err(format!("`{path}`: secure zones have no custom fields"));
        };
        let field = ZONE_FIELDS
            .iter()
            .find(|f| f.api.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("`{name}` is not a field of a secure zone"))?;
        let expr = field.expr;
        let comparable = if field.kind == FieldKind::Text { format!("ulower({expr})") } else { expr.to_owned() };
        Ok(plain(field.kind, comparable, expr.to_owned()))
    }

    fn id_column(&self) -> &'static str {
        "z.id"
    }
}

/// A field of a single kind: `comparable` is what filters and sorts compare, `raw` what is null.
fn plain(kind: FieldKind, comparable: String, raw: String) -> Field {
    let value_kind = match kind {
        FieldKind::Text => ValueKind::Text,
        FieldKind::Int | FieldKind::Decimal => ValueKind::Number,
        FieldKind::Bool => ValueKind::Bool,
        FieldKind::Date => ValueKind::Date,
        FieldKind::Nested => return Field::Nested,
    };
    Field::Direct {
        values: vec![(value_kind, Sql::raw(comparable.clone()))],
        presence: Sql::raw(raw),
        sort: vec![Sql::raw(comparable)],
    }
}

/// Custom values of contacts live in `custom_values` (kind 0 text, 1 number, 2 bool),
/// keyed by the id of their (group, field) in `custom_fields`.
/// Sorting puts null first, then true/false, numbers, text.
fn custom_value_of_contact(group: &str, field: &str) -> Field {
    let field_id = || {
        let mut sql = Sql::raw("(SELECT id FROM custom_fields WHERE grp = ");
        sql.param(group.to_owned()).push(" AND field = ").param(field.to_owned()).push(")");
        sql
    };
    let keyed = |select: &str| {
        let mut sql = Sql::raw(format!("(SELECT {select} FROM custom_values WHERE contact_id = c.id AND field_id = "));
        sql.append(&field_id()).push(")");
        sql
    };
    let mut lookup = Sql::raw("SELECT contact_id FROM custom_values WHERE field_id = ");
    lookup.append(&field_id());
    Field::Side {
        owner: "c.id",
        lookup,
        values: vec![
            // Only text values have `text_lc`: the text index alone answers.
            (ValueKind::Text, "text_lc IS NOT NULL", "text_lc"),
            (ValueKind::Number, "kind = 1", "num"),
            (ValueKind::Bool, "kind = 2", "num"),
        ],
        sort: vec![
            keyed("CASE kind WHEN 2 THEN 1 WHEN 1 THEN 2 ELSE 3 END"),
            keyed("CASE WHEN kind IN (1, 2) THEN num END"),
            keyed("text_lc"),
        ],
    }
}

/// Custom values inside a record's JSON document; the aliases travel as parameters.
fn custom_value_in_document(group: &str, field: &str) -> Field {
    let expr = |template| custom_in_document_expr(group, field, template);
    let text = expr("CASE WHEN json_type({v}) = 'text' THEN ulower({v} ->> '$') END");
    let number = expr("CASE WHEN json_type({v}) IN ('integer', 'real') THEN {v} ->> '$' END");
    let flag = expr("CASE json_type({v}) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END");
    // Null (or missing) first, then true/false, numbers, text: as for contacts.
    let rank = expr(
        "CASE json_type({v}) WHEN 'true' THEN 1 WHEN 'false' THEN 1 WHEN 'integer' THEN 2 WHEN 'real' THEN 2 WHEN 'text' THEN 3 END",
    );
    let sort_number = expr(
        "CASE json_type({v}) WHEN 'integer' THEN {v} ->> '$' WHEN 'real' THEN {v} ->> '$' WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
    );
    Field::Direct {
        values: vec![(ValueKind::Text, text.clone()), (ValueKind::Number, number), (ValueKind::Bool, flag)],
        presence: rank.clone(),
        sort: vec![rank, sort_number, text],
    }
}

/// `template` with every `{v}` replaced by the JSON of the custom value (two parameters each).
fn custom_in_document_expr(group: &str, field: &str, template: &str) -> Sql {
    let mut sql = Sql::default();
    let mut pieces = template.split("{v}").peekable();
    while let Some(piece) = pieces.next() {
        sql.push(piece);
        if pieces.peek().is_some() {
            sql.push("(r.doc -> 'CustomCrmGroups' -> ")
                .param(group.to_owned())
                .push(" -> ")
                .param(field.to_owned())
                .push(")");
        }
    }
    sql.text = format!("({})", sql.text);
    sql
}
