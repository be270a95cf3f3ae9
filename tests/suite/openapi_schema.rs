//! `/openapi.json` against the contract and against the data: the document declares every
//! field of every record with the contract's type (treepl-api.md, "Endpoints" and "Types"),
//! and every record a seeded sandbox serves validates against the document's schemas, by a
//! JSON Schema validator (the `jsonschema` crate), not by a hand check.

use crate::common;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// The fields of each record as the contract lists them (treepl-api.md, "Endpoints"), with
/// the nested objects' fields.
const CONTACT: &[&str] = &[
    "Id",
    "Email",
    "FirstName",
    "LastName",
    "CrmType",
    "EmailConfirmed",
    "Role",
    "CreatedDate",
    "Address",
    "City",
    "State",
    "ZipCode",
    "Country",
    "BillingAddress",
    "BillingCity",
    "BillingState",
    "BillingZipCode",
    "BillingCountry",
    "Site",
    "Phone",
    "Status",
    "Notes",
    "Type",
    "CustomerTypeName",
    "IsDataUsingAllowed",
    "CustomCrmGroups",
];
const BOOKING: &[&str] = &[
    "Id",
    "EventId",
    "OrderId",
    "FormId",
    "MemberId",
    "Allocation",
    "CreatedDateTime",
    "CustomCrmGroups",
    "Member",
    "Form",
    "Event",
    "EventBookingFields",
];
const CASE: &[&str] =
    &["Id", "OrderId", "FormId", "MemberId", "CreatedDateTime", "CustomCrmGroups", "Member", "Form", "CaseFields"];
const ORDER: &[&str] = &[
    "Id",
    "AWBNumber",
    "CurrencyCountry",
    "Currency",
    "Country",
    "InvoiceDate",
    "InvoiceNumber",
    "IsDeleted",
    "IsRecurring",
    "MainOrderId",
    "MemberId",
    "OrderName",
    "PaymentState",
    "StatusId",
    "TotalCost",
    "CreatedDateTime",
    "HasSubscriptions",
    "HasPaidSubscription",
    "TrackingURL",
    "TransactionId",
    "AmountPaid",
    "AmountPending",
    "OrderCaseType",
    "StatusShort",
    "Discount",
    "GiftVoucher",
    "Tax",
    "ShippingInfo",
    "Member",
    "OrderLines",
    "Payments",
    "CustomCrmGroups",
];
const SECURE_ZONE: &[&str] = &["Id", "Name", "ExpiryDateTime"];

/// The fields of a nested object (or of the items of a nested list), by the field's name.
fn nested_fields(field: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "Member" => &["Id", "Email", "FirstName", "LastName"],
        "Form" => &["Id", "Alias", "Name"],
        "Event" | "StatusShort" => &["Id", "Name"],
        "Discount" => &["Code", "Cost"],
        "GiftVoucher" => &["Name", "Cost"],
        "Tax" => &["Code", "Rate"],
        "ShippingInfo" => &["Name", "Cost", "Address", "City", "State", "Zipcode", "Country"],
        "OrderLines" => &[
            "Id",
            "EntityType",
            "ProductId",
            "ModuleId",
            "ProductName",
            "Quantity",
            "TaxRate",
            "UnitPrice",
            "TotalPrice",
            "FileName",
            "IsDownload",
            "Attributes",
        ],
        "Attributes" => &["AttributeId", "OptionsIds"],
        "Payments" => &[
            "Id",
            "Amount",
            "AmountCaptured",
            "GatewayReason",
            "TransactionId",
            "Status",
            "PaymentType",
            "PaymentGatewayType",
            "Notes",
            "CreatedDateTime",
        ],
        _ => return None,
    })
}

/// The JSON type the contract's "Types" paragraph gives a field (besides null).
fn contract_type(field: &str) -> &'static str {
    const INTEGERS: &[&str] = &["Type", "Allocation", "StatusId", "MainOrderId", "InvoiceNumber", "Quantity"];
    const DECIMALS: &[&str] = &[
        "TotalCost",
        "AmountPaid",
        "AmountPending",
        "Cost",
        "Rate",
        "TaxRate",
        "UnitPrice",
        "TotalPrice",
        "Amount",
        "AmountCaptured",
    ];
    const BOOLEANS: &[&str] = &[
        "EmailConfirmed",
        "IsDataUsingAllowed",
        "IsDeleted",
        "IsRecurring",
        "HasSubscriptions",
        "HasPaidSubscription",
        "IsDownload",
    ];
    const LISTS: &[&str] = &["OrderLines", "Payments", "Attributes", "OptionsIds"];
    const OBJECTS: &[&str] = &[
        "CustomCrmGroups",
        "EventBookingFields",
        "CaseFields",
        "Member",
        "Form",
        "Event",
        "StatusShort",
        "Discount",
        "GiftVoucher",
        "Tax",
        "ShippingInfo",
    ];
    // "every `Id`, `*Id`" are integers; a transaction id is a payment gateway's reference
    // (the reference's examples write `"TransactionId": "string"`, a live site
    // "4X232065C5059574H").
    if INTEGERS.contains(&field) || (field.ends_with("Id") && field != "TransactionId") {
        "integer"
    } else if DECIMALS.contains(&field) {
        "number"
    } else if BOOLEANS.contains(&field) {
        "boolean"
    } else if LISTS.contains(&field) {
        "array"
    } else if OBJECTS.contains(&field) {
        "object"
    } else {
        // Text, and the dates (checked for their format below).
        "string"
    }
}

const DATES: &[&str] = &["CreatedDate", "CreatedDateTime", "InvoiceDate", "ExpiryDateTime"];

/// The schema `schema` stands for, `$ref`s followed.
fn resolve<'d>(document: &'d Value, schema: &'d Value) -> &'d Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference} is not local"));
            let target = document.pointer(pointer).unwrap_or_else(|| panic!("{reference} does not resolve"));
            resolve(document, target)
        }
        None => schema,
    }
}

/// The branches of a schema: itself, or each of its `anyOf` / `oneOf`, resolved.
fn branches<'d>(document: &'d Value, schema: &'d Value) -> Vec<&'d Value> {
    let schema = resolve(document, schema);
    match schema.get("anyOf").or_else(|| schema.get("oneOf")).and_then(Value::as_array) {
        Some(options) => options.iter().flat_map(|option| branches(document, option)).collect(),
        None => vec![schema],
    }
}

/// Every JSON type a schema admits.
fn types_of(document: &Value, schema: &Value) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for branch in branches(document, schema) {
        match branch.get("type") {
            Some(Value::String(name)) => {
                types.insert(name.clone());
            }
            Some(Value::Array(names)) => types.extend(names.iter().filter_map(Value::as_str).map(str::to_owned)),
            _ => panic!("a schema without a type: {branch}"),
        }
    }
    types
}

/// The branch of a schema that admits `kind` (e.g. the object of a nullable object).
fn branch_of<'d>(document: &'d Value, schema: &'d Value, kind: &str) -> &'d Value {
    branches(document, schema)
        .into_iter()
        .find(|branch| match branch.get("type") {
            Some(Value::String(name)) => name == kind,
            Some(Value::Array(names)) => names.iter().any(|n| n == kind),
            _ => false,
        })
        .unwrap_or_else(|| panic!("no {kind} in {schema}"))
}

/// Checks that `object` (an object schema) declares exactly `fields`, each with the contract's
/// type, and recurses into the nested objects and lists.
fn check_fields(document: &Value, at: &str, object: &Value, fields: &[&str], problems: &mut Vec<String>) {
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        problems.push(format!("{at}: no properties"));
        return;
    };
    let declared: BTreeSet<&str> = properties.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = fields.iter().copied().collect();
    if declared != expected {
        problems.push(format!(
            "{at}: missing {:?}, not in the contract {:?}",
            expected.difference(&declared).collect::<Vec<_>>(),
            declared.difference(&expected).collect::<Vec<_>>()
        ));
    }
    for field in fields {
        let Some(schema) = properties.get(*field) else { continue };
        let path = format!("{at}.{field}");
        let mut types = types_of(document, schema);
        types.remove("null");
        let expected = contract_type(field);
        if types != BTreeSet::from([expected.to_owned()]) {
            problems.push(format!("{path}: declared {types:?}, the contract says {expected}"));
            continue;
        }
        if DATES.contains(field) && branch_of(document, schema, "string").get("format") != Some(&json!("date-time")) {
            problems.push(format!("{path}: a date without format date-time"));
        }
        match expected {
            "object" => {
                let object = branch_of(document, schema, "object");
                match nested_fields(field) {
                    Some(fields) => check_fields(document, &path, object, fields, problems),
                    None => check_custom_values(document, &path, object, *field == "CustomCrmGroups", problems),
                }
            }
            "array" => {
                let Some(items) = branch_of(document, schema, "array").get("items") else {
                    problems.push(format!("{path}: a list without items"));
                    continue;
                };
                match nested_fields(field) {
                    Some(fields) => {
                        check_fields(document, &path, branch_of(document, items, "object"), fields, problems)
                    }
                    None if types_of(document, items) == BTreeSet::from(["string".to_owned()]) => {}
                    None => problems.push(format!("{path}: items are not strings")),
                }
            }
            _ => {}
        }
    }
}

/// `{alias: text | number | bool}`, or for `CustomCrmGroups` `{group: {alias: ...}}`.
fn check_custom_values(document: &Value, at: &str, map: &Value, grouped: bool, problems: &mut Vec<String>) {
    let Some(values) = map.get("additionalProperties").filter(|v| v.is_object()) else {
        problems.push(format!("{at}: the values are not described"));
        return;
    };
    if grouped {
        check_custom_values(document, &format!("{at}.<Group>"), branch_of(document, values, "object"), false, problems);
        return;
    }
    let mut types = types_of(document, values);
    types.remove("null");
    let expected: BTreeSet<String> = ["string", "number", "boolean"].map(str::to_owned).into();
    if types != expected {
        problems.push(format!("{at}: custom values declared {types:?}, the contract says text, boolean or number"));
    }
}

async fn openapi(site: &common::Site) -> Value {
    let response = reqwest::get(format!("{}openapi.json", site.sandbox.url())).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

#[tokio::test]
async fn openapi_declares_the_contracts_fields_and_types() {
    let site = common::site(0).await;
    let document = openapi(&site).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "3.1: its schemas are JSON Schema 2020-12");
    let schemas = &document["components"]["schemas"];
    let mut problems = Vec::new();
    for (name, fields) in
        [("Contact", CONTACT), ("Booking", BOOKING), ("Case", CASE), ("Order", ORDER), ("SecureZone", SECURE_ZONE)]
    {
        check_fields(&document, name, resolve(&document, &schemas[name]), fields, &mut problems);
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// A schema for `component` that a JSON Schema validator reads: the document's components
/// embedded, so that `#/components/schemas/...` resolves. Objects with declared properties
/// are closed, so that a field the sandbox sends but the document does not declare fails too.
fn schema_for(document: &Value, component: &str) -> Value {
    fn close(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".to_owned(), json!(false));
                }
                map.values_mut().for_each(close);
            }
            Value::Array(items) => items.iter_mut().for_each(close),
            _ => {}
        }
    }
    let mut components = document["components"].clone();
    close(&mut components);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{component}"),
        "components": components,
    })
}

fn validator(document: &Value, component: &str) -> jsonschema::Validator {
    let schema = schema_for(document, component);
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the {component} schema does not compile: {e}"))
}

/// Every item of a per-contact list, page by page (advancing by what came, up to the total).
async fn all_items(site: &common::Site, path: &str, validator: &jsonschema::Validator) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let page = common::raw_get(site, &format!("{path}?Order_By=Id&Offset={}&Limit=100", items.len())).await;
        let errors = validator.iter_errors(&page).into_errors();
        assert!(errors.is_empty(), "{path}: the page does not match its schema:\n{errors}");
        let got = page["Items"].as_array().unwrap().clone();
        let total = page["TotalItemsCount"].as_u64().unwrap() as usize;
        let done = got.is_empty();
        items.extend(got);
        if done || items.len() >= total {
            return items;
        }
    }
}

#[tokio::test]
async fn every_seeded_record_matches_the_openapi_schemas() {
    const CONTACTS: u64 = 60;
    let site = common::site(CONTACTS).await;
    let document = openapi(&site).await;
    let items = |component: &str| validator(&document, component);
    let (contact, booking, case, order, zone) =
        (items("Contact"), items("Booking"), items("Case"), items("Order"), items("SecureZone"));
    let pages: Vec<(&str, jsonschema::Validator)> = ["Contact", "Booking", "Case", "Order", "SecureZone"]
        .into_iter()
        .map(|name| (name, validator(&document, &format!("{name}Page"))))
        .collect();
    let page = |name: &str| &pages.iter().find(|(n, _)| *n == name).unwrap().1;

    let contacts = all_items(&site, "/api/v2/admin/contacts", page("Contact")).await;
    assert_eq!(contacts.len() as u64, CONTACTS);
    let mut counts = [0_usize; 5];
    for record in &contacts {
        let id = record["Id"].as_i64().unwrap();
        let errors = contact.iter_errors(record).into_errors();
        assert!(errors.is_empty(), "contact {id}:\n{errors}\n{record:#}");
        counts[0] += 1;
        let related = [
            ("bookings", "Booking", &booking, 1),
            ("cases", "Case", &case, 2),
            ("orders", "Order", &order, 3),
            ("secure-zones", "SecureZone", &zone, 4),
        ];
        for (suffix, name, validator, slot) in related {
            let path = format!("/api/v2/admin/contacts/{id}/{suffix}");
            for item in all_items(&site, &path, page(name)).await {
                let errors = validator.iter_errors(&item).into_errors();
                assert!(errors.is_empty(), "{name} {} of contact {id}:\n{errors}\n{item:#}", item["Id"]);
                counts[slot] += 1;
            }
        }
    }
    // The seed's first contacts are big customers: every kind was seen, many times.
    assert!(counts.iter().all(|n| *n >= 30), "records checked (contacts, bookings, cases, orders, zones): {counts:?}");
}

#[tokio::test]
async fn the_schemas_refuse_a_record_of_the_wrong_shape() {
    // The validation above means something only if the schemas refuse what the contract
    // does not allow.
    let site = common::site(1).await;
    let document = openapi(&site).await;
    let orders = common::raw_get(&site, "/api/v2/admin/contacts/1/orders?Order_By=Id&Limit=1").await;
    let order = &orders["Items"][0];
    let validator = validator(&document, "Order");
    assert!(validator.is_valid(order), "{order:#}");
    let mut wrong: Vec<(&str, Value)> = Vec::new();
    let mut tamper = |what: &'static str, change: &dyn Fn(&mut Map<String, Value>)| {
        let mut copy = order.clone();
        change(copy.as_object_mut().unwrap());
        wrong.push((what, copy));
    };
    tamper("a text InvoiceNumber", &|o| drop(o.insert("InvoiceNumber".into(), json!("INV-100001"))));
    tamper("a text TotalCost", &|o| drop(o.insert("TotalCost".into(), json!("12.50"))));
    tamper("a null IsDeleted", &|o| drop(o.insert("IsDeleted".into(), Value::Null)));
    tamper("a date that is not one", &|o| drop(o.insert("CreatedDateTime".into(), json!("yesterday"))));
    tamper("a fractional line Quantity", &|o| {
        o["OrderLines"][0]["Quantity"] = json!(1.5);
    });
    tamper("a numeric option id", &|o| {
        o["OrderLines"][0]["Attributes"] = json!([{"AttributeId": 11, "OptionsIds": [7]}]);
    });
    tamper("a text payment Amount", &|o| {
        o["Payments"] = json!([{"Id": 1, "Amount": "5", "AmountCaptured": 5, "GatewayReason": null, "TransactionId": null,
            "Status": null, "PaymentType": null, "PaymentGatewayType": null, "Notes": null, "CreatedDateTime": null}]);
    });
    tamper("a list as a custom value", &|o| drop(o.insert("CustomCrmGroups".into(), json!({"G": {"F": [1]}}))));
    tamper("an undeclared field", &|o| drop(o.insert("Surprise".into(), json!(1))));
    tamper("a missing field", &|o| drop(o.remove("StatusId")));
    for (what, record) in wrong {
        assert!(!validator.is_valid(&record), "{what} was accepted");
    }
}
