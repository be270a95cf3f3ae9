//! `/openapi.json`: what the sandbox accepts and returns, built from the same field tables
//! that the store, the filters and the validation use, so that it cannot drift from them.

use serde_json::{Map, Value, json};

use super::http::MAX_BODY_BYTES;
use super::openapi_where::{Listed, limits_extension, limits_text, order_by_schema, where_schema};
use super::schema::{
    CONTACT_FIELDS, ContactField, FieldKind, MAX_TEXT_CHARS, Prop, RecordKind, Shape, Shaped, ZONE_FIELDS,
};
use super::seed::ZONES;
use super::server::MAX_LIMIT;
use super::validate::{ALIAS_PATTERN, EMAIL_PATTERN, MAX_ALIAS_CHARS, MAX_EMAIL_CHARS, PASSWORD_CHARS};

pub fn document() -> Value {
    let contact_path = "/api/v2/admin/contacts/{id}";
    let mut paths = Map::new();
    paths.insert("/api/v1/oauth/token".into(), token_path());
    paths.insert(
        "/api/v2/admin/contacts".into(),
        json!({
            "get": list_operation("listContacts", "Contacts matching Where, sorted and paged", Listed::Contacts, false),
            "post": {
                "operationId": "createContact",
                "requestBody": body_of("ContactCreate"),
                "responses": responses(&[("200", "The created contact", Some("Contact")), ("400", "Invalid fields", None), ("409", "The email is taken", None)]),
            },
        }),
    );
    paths.insert(
        contact_path.into(),
        json!({
            "parameters": [id_parameter()],
            "get": {"operationId": "getContact", "responses": responses(&[("200", "The contact", Some("Contact")), ("400", NOT_AN_ID, None), ("404", "No such contact", None)])},
            "put": {
                "operationId": "updateContact",
                "description": "Fields present in the body replace the stored values; absent fields are left as they are. An Id in the body must match the path.",
                "requestBody": body_of("ContactUpdate"),
                "responses": responses(&[("200", "The updated contact", Some("Contact")), ("400", "Invalid fields or a bad Id", None), ("404", "No such contact", None), ("409", "The email is taken", None)]),
            },
            "delete": {"operationId": "deleteContact", "responses": responses(&[("204", "Deleted, with its records and zone subscriptions", None), ("400", NOT_AN_ID, None), ("404", "No such contact", None)])},
        }),
    );
    for (suffix, id, kind) in [
        ("bookings", "listBookings", RecordKind::Booking),
        ("cases", "listCases", RecordKind::Case),
        ("orders", "listOrders", RecordKind::Order),
    ] {
        paths.insert(
            format!("{contact_path}/{suffix}"),
            json!({"get": list_operation(id, &format!("The contact's {suffix}"), Listed::Records(kind), true)}),
        );
    }
    paths.insert(
        format!("{contact_path}/secure-zones"),
        json!({
            "get": list_operation("listSecureZones", "The contact's secure zone subscriptions", Listed::Zones, true),
            "put": {
                "operationId": "setSecureZones",
                "description": "Replaces the contact's whole list of subscriptions. An unknown zone Id is a 400; a zone listed twice counts once, with the expiry listed last.",
                "parameters": [id_parameter()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "array", "items": reference("SecureZoneChoice")}}}},
                "responses": responses(&[("200", "The stored list", Some("SecureZonePage")), ("400", "An unknown zone, a bad body or a bad Id", None), ("404", "No such contact", None)]),
            },
        }),
    );
    paths.insert(
        format!("{contact_path}/set-password"),
        json!({"put": {
            "operationId": "setPassword",
            "parameters": [id_parameter()],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {
                "type": "object", "required": ["Password"],
                "properties": {"Password": password_schema()},
            }}}},
            "responses": responses(&[("200", "The contact's secure zones", Some("SecureZonePage")), ("400", "Invalid password or a bad Id", None), ("404", "No such contact", None)]),
        }}),
    );

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Treepl Contacts sandbox site",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "A local site that speaks the Treepl CRM contacts API. Errors are JSON with Message and Errors. \
                 Bodies over {} KiB are refused with 413. Unknown JSON fields in bodies are ignored. \
                 A request whose Host is not one the sandbox answers to (loopback or its listening address \
                 on its port, or a name given with --allow-host) is refused with 421. A 500 says only \
                 \"internal error\" with an id that the sandbox's log has with the cause.",
                MAX_BODY_BYTES / 1024
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
        "security": [{"bearer": []}],
    })
}

fn token_path() -> Value {
    let fields = json!({
        "type": "object", "required": ["grant_type", "client_id", "client_secret"],
        "properties": {"grant_type": {"const": "client_credentials"}, "client_id": {"type": "string", "minLength": 1}, "client_secret": {"type": "string", "minLength": 1}},
    });
    json!({"post": {
        "operationId": "issueToken",
        "security": [],
        "requestBody": {"required": true, "content": {"application/x-www-form-urlencoded": {"schema": fields}, "application/json": {"schema": fields}}},
        "responses": {
            "200": {"description": "A bearer token", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}},
            }}}},
            "400": {
                "description": "A malformed body, a missing field or an unsupported grant type (Errors names the field; error is the OAuth 2.0 code)",
                "content": {"application/json": {"schema": reference("Error")}},
            },
            "401": {
                "description": "Wrong client id or secret (error: invalid_client)",
                "content": {"application/json": {"schema": reference("Error")}},
            },
            "429": {
                "description": "Too many wrong client ids or secrets from this address: wait for Retry-After (seconds)",
                "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
                "content": {"application/json": {"schema": reference("Error")}},
            },
        },
    }})
}

/// A path Id that is not a 64-bit whole number.
const NOT_AN_ID: &str = "The Id is not a whole number";

fn list_operation(id: &str, summary: &str, listed: Listed, per_contact: bool) -> Value {
    let item = listed.item();
    let mut parameters = vec![
        json!({"name": "Where", "in": "query", "content": {"application/json": {"schema": reference(&listed.where_name())}}, "description": format!("A JSON filter in the Where dialect; {{}} matches everything. {}", limits_text()), "x-limits": limits_extension()}),
        json!({"name": "Order_By", "in": "query", "schema": order_by_schema(listed), "description": "A field, optionally followed by ASC or DESC (or led by -). Ties are broken by Id."}),
        json!({"name": "Offset", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 0, "maximum": i64::MAX, "default": 0}}),
        json!({"name": "Limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 100}, "description": format!("Clamped to {MAX_LIMIT}, however large.")}),
    ];
    if per_contact {
        parameters.insert(0, id_parameter());
    }
    let mut codes = vec![
        ("200", "A page", Some(format!("{item}Page"))),
        ("400", "A bad Where (or one past its limits), Order_By, Offset, Limit or Id", None),
    ];
    if per_contact {
        codes.push(("404", "No such contact", None));
    }
    // The HTTP server's own answer to a query string longer than it reads (an empty body).
    codes.push(("414", "The URL is too long (a Where that large is past its limits anyway)", None));
    let codes: Vec<(&str, &str, Option<&str>)> = codes.iter().map(|(c, d, s)| (*c, *d, s.as_deref())).collect();
    json!({"operationId": id, "summary": summary, "parameters": parameters, "responses": responses(&codes)})
}

fn id_parameter() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn body_of(schema: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": reference(schema)}}})
}

fn responses(codes: &[(&str, &str, Option<&str>)]) -> Value {
    let mut map = Map::new();
    for (code, description, schema) in codes {
        let schema = schema.map(reference).unwrap_or_else(|| reference("Error"));
        let bodiless = matches!(*code, "204" | "414");
        let content = if bodiless { json!(null) } else { json!({"application/json": {"schema": schema}}) };
        let mut response = json!({"description": description});
        if !content.is_null() {
            response["content"] = content;
        }
        map.insert((*code).to_owned(), response);
    }
    map.insert("401".to_owned(), json!({"description": "No valid access token", "content": {"application/json": {"schema": reference("Error")}}}));
    Value::Object(map)
}

fn password_schema() -> Value {
    json!({"type": "string", "minLength": PASSWORD_CHARS.start(), "maxLength": PASSWORD_CHARS.end(), "writeOnly": true})
}

/// `type`, or `[type, "null"]` (OpenAPI 3.1 writes nullability as JSON Schema does).
fn typed(name: &str, nullable: bool) -> Value {
    if nullable { json!([name, "null"]) } else { json!(name) }
}

/// The schema of a value of `kind` (not `Nested`).
fn scalar(kind: FieldKind, nullable: bool) -> Value {
    match kind {
        FieldKind::Text => json!({"type": typed("string", nullable)}),
        FieldKind::Int => {
            json!({"type": typed("integer", nullable), "format": "int64", "minimum": i64::MIN, "maximum": i64::MAX})
        }
        FieldKind::Decimal => json!({"type": typed("number", nullable)}),
        FieldKind::Bool => json!({"type": typed("boolean", nullable)}),
        FieldKind::Date => json!({"type": typed("string", nullable), "format": "date-time"}),
        FieldKind::Nested => json!({"type": typed("object", nullable)}),
    }
}

/// A contact field: its type, text held to the sandbox's limit.
fn contact_field_schema(field: &ContactField) -> Value {
    let mut schema = scalar(field.kind, field.nullable);
    if field.kind == FieldKind::Text {
        schema["maxLength"] = json!(MAX_TEXT_CHARS);
    }
    schema
}

/// `{alias: text | number | bool}` (null where a body cleared a value).
fn custom_values_schema() -> Value {
    json!({"type": "object", "propertyNames": alias_schema(), "additionalProperties": {"anyOf": [
        {"type": "string", "maxLength": MAX_TEXT_CHARS}, {"type": ["number", "boolean", "null"]},
    ]}})
}

fn custom_groups_schema() -> Value {
    json!({"type": "object", "propertyNames": alias_schema(), "additionalProperties": custom_values_schema()})
}

/// A group's or a field's alias.
fn alias_schema() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": MAX_ALIAS_CHARS, "pattern": ALIAS_PATTERN})
}

/// The schema of a record's field; the objects it names are added to `objects`.
fn prop_schema(prop: &Prop, objects: &mut Map<String, Value>) -> Value {
    match prop.shape {
        Shape::Scalar(kind) => scalar(kind, prop.nullable),
        Shape::Object(shaped) => {
            let target = object_ref(shaped, objects);
            if prop.nullable { json!({"anyOf": [target, {"type": "null"}]}) } else { target }
        }
        Shape::List(shaped) => json!({"type": typed("array", prop.nullable), "items": object_ref(shaped, objects)}),
        Shape::TextList => json!({"type": typed("array", prop.nullable), "items": {"type": "string"}}),
        Shape::Values => custom_values_schema(),
        Shape::CustomGroups => custom_groups_schema(),
    }
}

/// A `$ref` to the component of `shaped`, added (with what it names) on first sight.
fn object_ref(shaped: &Shaped, objects: &mut Map<String, Value>) -> Value {
    if !objects.contains_key(shaped.name) {
        // Taken before the fields, so that a shape naming itself would not recurse forever.
        objects.insert(shaped.name.to_owned(), Value::Null);
        let properties: Map<String, Value> =
            shaped.fields.iter().map(|prop| (prop.api.to_owned(), prop_schema(prop, objects))).collect();
        let required: Vec<&str> = shaped.fields.iter().map(|prop| prop.api).collect();
        objects
            .insert(shaped.name.to_owned(), json!({"type": "object", "required": required, "properties": properties}));
    }
    reference(shaped.name)
}

fn schemas() -> Value {
    // The sandbox sends every field of a record, null where there is no value; fields a
    // newer site adds would be extra properties, which the schemas allow.
    let mut contact = Map::new();
    let mut writable = Map::new();
    for field in CONTACT_FIELDS {
        contact.insert(field.api.to_owned(), contact_field_schema(field));
        if field.writable {
            writable.insert(field.api.to_owned(), scalar_input(field));
        }
    }
    contact.insert("CustomCrmGroups".to_owned(), custom_groups_schema());
    let groups_input = json!({"type": ["object", "null"], "propertyNames": alias_schema(), "additionalProperties": custom_values_schema()});
    writable.insert("CustomCrmGroups".to_owned(), groups_input);
    let mut create = writable.clone();
    for field in CONTACT_FIELDS {
        if let (Some(preset), Some(schema)) = (field.on_create, create.get_mut(field.api)) {
            schema["default"] = preset.value();
        }
    }
    // A create's password may be null: no password.
    let mut first_password = password_schema();
    first_password["type"] = json!(["string", "null"]);
    create.insert("Password".to_owned(), first_password);
    let mut update = writable;
    update["CustomCrmGroups"]["description"] =
        json!("When present, replaces all of the contact's custom values (null or {} removes them all).");
    update.insert(
        "Id".to_owned(),
        // Read-only: a client sends the Id it read, and it must match the path.
        json!({"type": "integer", "format": "int64", "readOnly": true, "description": "Must match the path when present."}),
    );
    let contact_required: Vec<&str> =
        CONTACT_FIELDS.iter().map(|f| f.api).chain(std::iter::once("CustomCrmGroups")).collect();

    let mut schemas = Map::new();
    schemas.insert("Contact".into(), json!({"type": "object", "required": contact_required, "properties": contact}));
    schemas.insert("ContactCreate".into(), json!({"type": "object", "required": ["Email"], "properties": create}));
    schemas.insert("ContactUpdate".into(), json!({"type": "object", "properties": update}));
    let mut objects = Map::new();
    for kind in RecordKind::ALL {
        object_ref(kind.shape(), &mut objects);
    }
    schemas.extend(objects);
    let zone: Map<String, Value> = ZONE_FIELDS.iter().map(|f| (f.api.to_owned(), scalar(f.kind, f.nullable))).collect();
    let zone_required: Vec<&str> = ZONE_FIELDS.iter().map(|f| f.api).collect();
    schemas
        .insert("SecureZone".into(), json!({"type": "object", "required": zone_required, "properties": zone.clone()}));
    let mut choice = zone;
    choice["Name"] = json!({"description": "Ignored: the site names its zones."});
    choice["ExpiryDateTime"] = json!({"anyOf": [
        {"type": "string", "format": "date-time"}, {"const": ""}, {"type": "null"},
    ], "description": "No expiry when null or empty."});
    choice["Id"] = json!({"type": "integer", "enum": ZONES.iter().map(|(id, _)| *id).collect::<Vec<_>>(), "description": "One of the site's zones."});
    schemas.insert(
        "SecureZoneChoice".into(),
        json!({"type": "object", "required": ["Id"], "properties": choice, "description": "Name is ignored; no ExpiryDateTime (or null) is no expiry."}),
    );
    for listed in [
        Listed::Contacts,
        Listed::Records(RecordKind::Booking),
        Listed::Records(RecordKind::Case),
        Listed::Records(RecordKind::Order),
        Listed::Zones,
    ] {
        schemas.insert(listed.where_name(), where_schema(listed));
    }
    for item in ["Contact", "Booking", "Case", "Order", "SecureZone"] {
        schemas.insert(
            format!("{item}Page"),
            json!({
                "type": "object",
                "required": ["Items", "TotalItemsCount"],
                "properties": {"Items": {"type": "array", "items": reference(item)}, "TotalItemsCount": {"type": "integer", "minimum": 0}},
            }),
        );
    }
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "required": ["Message", "Errors"], "properties": {
            "Message": {"type": "string"},
            "Errors": {"type": "array", "items": {"type": "object", "required": ["Field", "Message"], "properties": {"Field": {"type": "string"}, "Message": {"type": "string"}}}},
        }}),
    );
    Value::Object(schemas)
}

/// A writable contact field in a create or an update body: null clears it (but for `Email`).
fn scalar_input(field: &ContactField) -> Value {
    if field.api == "Email" {
        return json!({"type": "string", "maxLength": MAX_EMAIL_CHARS, "pattern": EMAIL_PATTERN,
                      "description": "One @, something before it, a dotted domain after it, no spaces inside."});
    }
    let mut schema = scalar(field.kind, true);
    if field.kind == FieldKind::Text {
        schema["maxLength"] = json!(MAX_TEXT_CHARS);
    }
    schema
}
