//! `/openapi.json`: what the sandbox accepts and returns, built from the same field tables
//! that the store, the filters and the validation use, so that it cannot drift from them.

use serde_json::{Map, Value, json};

use super::http::MAX_BODY_BYTES;
use super::schema::{CONTACT_FIELDS, RecordKind, ZONE_FIELDS};
use super::server::MAX_LIMIT;
use super::validate::PASSWORD_CHARS;

pub fn document() -> Value {
    let contact_path = "/api/v2/admin/contacts/{id}";
    let mut paths = Map::new();
    paths.insert("/api/v1/oauth/token".into(), token_path());
    paths.insert(
        "/api/v2/admin/contacts".into(),
        json!({
            "get": list_operation("listContacts", "Contacts matching Where, sorted and paged", "Contact", false),
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
            "get": {"operationId": "getContact", "responses": responses(&[("200", "The contact", Some("Contact")), ("404", "No such contact", None)])},
            "put": {
                "operationId": "updateContact",
                "description": "Fields present in the body replace the stored values; absent fields are left as they are. An Id in the body must match the path.",
                "requestBody": body_of("ContactUpdate"),
                "responses": responses(&[("200", "The updated contact", Some("Contact")), ("400", "Invalid fields", None), ("404", "No such contact", None), ("409", "The email is taken", None)]),
            },
            "delete": {"operationId": "deleteContact", "responses": responses(&[("204", "Deleted, with its records and zone subscriptions", None), ("404", "No such contact", None)])},
        }),
    );
    for (suffix, id, schema) in
        [("bookings", "listBookings", "Booking"), ("cases", "listCases", "Case"), ("orders", "listOrders", "Order")]
    {
        paths.insert(
            format!("{contact_path}/{suffix}"),
            json!({"get": list_operation(id, &format!("The contact's {suffix}"), schema, true)}),
        );
    }
    paths.insert(
        format!("{contact_path}/secure-zones"),
        json!({
            "get": list_operation("listSecureZones", "The contact's secure zone subscriptions", "SecureZone", true),
            "put": {
                "operationId": "setSecureZones",
                "description": "Replaces the contact's whole list of subscriptions. An unknown zone Id is a 400.",
                "parameters": [id_parameter()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "array", "items": reference("SecureZone")}}}},
                "responses": responses(&[("200", "The stored list", Some("SecureZonePage")), ("400", "Unknown zone or bad body", None), ("404", "No such contact", None)]),
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
            "responses": responses(&[("200", "The contact's secure zones", Some("SecureZonePage")), ("400", "Invalid password", None), ("404", "No such contact", None)]),
        }}),
    );

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Treepl Contacts sandbox site",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "A local site that speaks the Treepl CRM contacts API. Errors are JSON with Message and Errors. \
                 Bodies over {} KiB are refused with 413. Unknown JSON fields in bodies are ignored.",
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
        "properties": {"grant_type": {"const": "client_credentials"}, "client_id": {"type": "string"}, "client_secret": {"type": "string"}},
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
        },
    }})
}

fn list_operation(id: &str, summary: &str, item: &str, per_contact: bool) -> Value {
    let mut parameters = vec![
        json!({"name": "Where", "in": "query", "schema": {"type": "string"}, "description": "A JSON filter in the Where dialect; {} matches everything."}),
        json!({"name": "Order_By", "in": "query", "schema": {"type": "string"}, "description": "A field, optionally followed by ASC or DESC (or led by -). Ties are broken by Id."}),
        json!({"name": "Offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}),
        json!({"name": "Limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 100}, "description": format!("Clamped to {MAX_LIMIT}.")}),
    ];
    if per_contact {
        parameters.insert(0, id_parameter());
    }
    let mut codes =
        vec![("200", "A page", Some(format!("{item}Page"))), ("400", "A bad Where, Order_By, Offset or Limit", None)];
    if per_contact {
        codes.push(("404", "No such contact", None));
    }
    let codes: Vec<(&str, &str, Option<&str>)> = codes.iter().map(|(c, d, s)| (*c, *d, s.as_deref())).collect();
    json!({"operationId": id, "summary": summary, "parameters": parameters, "responses": responses(&codes)})
}

fn id_parameter() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}})
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
        let content = if *code == "204" { json!(null) } else { json!({"application/json": {"schema": schema}}) };
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

fn custom_groups_schema() -> Value {
    json!({"type": ["object", "null"], "additionalProperties": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}})
}

fn schemas() -> Value {
    let mut contact = Map::new();
    let mut writable = Map::new();
    for field in CONTACT_FIELDS {
        contact.insert(field.api.to_owned(), field.kind.openapi_type());
        if field.writable {
            writable.insert(field.api.to_owned(), field.kind.openapi_type());
        }
    }
    contact.insert("CustomCrmGroups".to_owned(), custom_groups_schema());
    writable.insert("CustomCrmGroups".to_owned(), custom_groups_schema());
    let mut create = writable.clone();
    for field in CONTACT_FIELDS {
        if let (Some(preset), Some(schema)) = (field.on_create, create.get_mut(field.api)) {
            schema["default"] = preset.value();
        }
    }
    create.insert("Password".to_owned(), password_schema());
    let mut update = writable;
    update.insert("Id".to_owned(), json!({"type": "integer", "description": "Must match the path when present."}));

    let mut schemas = Map::new();
    schemas.insert("Contact".into(), json!({"type": "object", "properties": contact}));
    schemas.insert("ContactCreate".into(), json!({"type": "object", "required": ["Email"], "properties": create}));
    schemas.insert("ContactUpdate".into(), json!({"type": "object", "properties": update}));
    for (name, kind) in [("Booking", RecordKind::Booking), ("Case", RecordKind::Case), ("Order", RecordKind::Order)] {
        let properties: Map<String, Value> =
            kind.fields().iter().map(|(api, kind)| ((*api).to_owned(), kind.openapi_type())).collect();
        schemas.insert(name.into(), json!({"type": "object", "properties": properties}));
    }
    let zone: Map<String, Value> =
        ZONE_FIELDS.iter().map(|(api, _, kind)| ((*api).to_owned(), kind.openapi_type())).collect();
    schemas.insert("SecureZone".into(), json!({"type": "object", "required": ["Id"], "properties": zone}));
    for item in ["Contact", "Booking", "Case", "Order", "SecureZone"] {
        schemas.insert(
            format!("{item}Page"),
            json!({"type": "object", "properties": {"Items": {"type": "array", "items": reference(item)}, "TotalItemsCount": {"type": "integer"}}}),
        );
    }
    schemas.insert(
        "Error".into(),
        json!({"type": "object", "properties": {
            "Message": {"type": "string"},
            "Errors": {"type": "array", "items": {"type": "object", "properties": {"Field": {"type": "string"}, "Message": {"type": "string"}}}},
        }}),
    );
    Value::Object(schemas)
}
