//! The sandbox site over raw HTTP: every endpoint and status code of the contract, the
//! token endpoint, bad input of every kind (always a 4xx with a message, never a 500),
//! fault injection, and `/openapi.json`.

use crate::common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use treepl_contacts::api::Contact;
use treepl_contacts::sandbox::{FaultSpec, Forced, Route};

/// Raw HTTP with a token, no typed client in the way.
struct Raw {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Raw {
    async fn new(site: &common::Site) -> Self {
        let http = reqwest::Client::new();
        let base = site.sandbox.url().as_str().trim_end_matches('/').to_owned();
        let reply: Value = http
            .post(format!("{base}/api/v1/oauth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox"),
                ("client_secret", "sandbox-secret"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = reply["access_token"].as_str().unwrap().to_owned();
        Self { http, base, token }
    }

    async fn call(&self, method: Method, path: &str, body: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        (status, json)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
}

fn encoded(filter: &Value) -> String {
    url::form_urlencoded::byte_serialize(filter.to_string().as_bytes()).collect()
}

#[tokio::test]
async fn the_token_endpoint_takes_form_or_json_and_refuses_wrong_credentials() {
    let site = common::site(0).await;
    let http = reqwest::Client::new();
    let url = format!("{}api/v1/oauth/token", site.sandbox.url());
    let json_body =
        json!({"grant_type": "client_credentials", "client_id": "sandbox", "client_secret": "sandbox-secret"});
    let ok = http.post(&url).json(&json_body).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let reply: Value = ok.json().await.unwrap();
    assert_eq!(reply["token_type"], "Bearer");
    assert!(reply["expires_in"].as_u64().unwrap() > 0);

    let wrong = http
        .post(&url)
        .form(&[("grant_type", "client_credentials"), ("client_id", "sandbox"), ("client_secret", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let grant = http.post(&url).form(&[("grant_type", "password")]).send().await.unwrap();
    assert_eq!(grant.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_contact_endpoint_wants_a_valid_token() {
    let site = common::site(1).await;
    let http = reqwest::Client::new();
    let base = site.sandbox.url().as_str().trim_end_matches('/');
    let endpoints = [
        (Method::GET, "/api/v2/admin/contacts"),
        (Method::POST, "/api/v2/admin/contacts"),
        (Method::GET, "/api/v2/admin/contacts/1"),
        (Method::PUT, "/api/v2/admin/contacts/1"),
        (Method::DELETE, "/api/v2/admin/contacts/1"),
        (Method::GET, "/api/v2/admin/contacts/1/bookings"),
        (Method::GET, "/api/v2/admin/contacts/1/cases"),
        (Method::GET, "/api/v2/admin/contacts/1/orders"),
        (Method::GET, "/api/v2/admin/contacts/1/secure-zones"),
        (Method::PUT, "/api/v2/admin/contacts/1/secure-zones"),
        (Method::PUT, "/api/v2/admin/contacts/1/set-password"),
    ];
    for (method, path) in endpoints {
        for token in [None, Some("forged-token")] {
            let mut request = http.request(method.clone(), format!("{base}{path}"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: Value = response.json().await.unwrap();
            assert!(body["Message"].as_str().unwrap().contains("access token"));
        }
    }
    assert!(site.sandbox.store().get_contact(1).unwrap().is_some(), "nothing was deleted");
}

#[tokio::test]
async fn lists_page_filter_sort_and_clamp() {
    let site = common::site(620).await;
    let raw = Raw::new(&site).await;
    let (status, page) = raw.get("/api/v2/admin/contacts?Limit=100000").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["Items"].as_array().unwrap().len(), 500, "a huge Limit is clamped");
    assert_eq!(page["TotalItemsCount"], 620);

    let (_, page) = raw.get("/api/v2/admin/contacts?offset=615&limit=10&order_by=-Id").await;
    let ids: Vec<i64> = page["Items"].as_array().unwrap().iter().map(|c| c["Id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [5, 4, 3, 2, 1], "lowercase keys, descending, the last page short");

    let filter = json!({"$or": [{"Id": {"$in": [3, 7]}}, {"Id": 11}]});
    let (_, page) = raw.get(&format!("/api/v2/admin/contacts?Where={}&Order_By=Id%20DESC", encoded(&filter))).await;
    let ids: Vec<i64> = page["Items"].as_array().unwrap().iter().map(|c| c["Id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [11, 7, 3]);

    let (status, page) =
        raw.call(Method::GET, "/api/v2/admin/contacts", Some(r#"{"Where": {"Id": {"$lte": 2}}, "Limit": 1}"#)).await;
    assert_eq!(status, StatusCode::OK, "a JSON body on GET");
    assert_eq!((page["Items"].as_array().unwrap().len(), page["TotalItemsCount"].as_u64()), (1, Some(2)));
}

#[tokio::test]
async fn bad_list_input_is_a_400_that_names_the_problem() {
    let site = common::site(3).await;
    let raw = Raw::new(&site).await;
    let cases = [
        ("Limit=0".to_owned(), "Limit"),
        ("Limit=-5".to_owned(), "Limit"),
        ("Limit=lots".to_owned(), "Limit"),
        ("Offset=-1".to_owned(), "Offset"),
        ("Offset=1.5".to_owned(), "Offset"),
        ("Where=%7Bbroken".to_owned(), "not JSON"),
        (format!("Where={}", encoded(&json!({"Shoe": "x"}))), "`Shoe` is not a field of a contact"),
        (format!("Where={}", encoded(&json!({"City": {"$like": "x"}}))), "`$like`"),
        (format!("Where={}", encoded(&json!({"Id": {"$in": 4}}))), "needs an array"),
        (format!("Where={}", encoded(&json!({"FirstName": {"$gt": 5}}))), "holds text"),
        (format!("Where={}", encoded(&json!({"CreatedDate": {"$gt": "soon"}}))), "not an ISO-8601 date"),
        (format!("Where={}", encoded(&json!({"CustomCrmGroups": {"$isNull": true}}))), "object or a list"),
        (format!("Where={}", encoded(&json!([1, 2]))), "JSON object"),
        ("Order_By=Shoe".to_owned(), "`Shoe` is not a field"),
        ("Order_By=Id%20SIDEWAYS".to_owned(), "neither ASC nor DESC"),
    ];
    for (query, expected) in cases {
        let (status, body) = raw.get(&format!("/api/v2/admin/contacts?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        let message = body["Message"].as_str().unwrap();
        assert!(message.contains(expected), "{query}: {message}");
    }
}

#[tokio::test]
async fn contacts_are_created_read_updated_and_deleted_with_the_right_codes() {
    let site = common::site(2).await;
    let raw = Raw::new(&site).await;
    let (status, created) = raw
        .call(
            Method::POST,
            "/api/v2/admin/contacts",
            Some(r#"{"Email": "new@example.com", "FirstName": "New", "Password": "secret-1", "Mystery": 1}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = created["Id"].as_i64().unwrap();
    assert!(created.get("Mystery").is_none(), "unknown fields are ignored");
    assert!(created.get("Password").is_none());
    let contact: Contact = serde_json::from_value(created.clone()).unwrap();
    assert_eq!(contact.first_name.as_deref(), Some("New"));

    let (status, got) = raw.get(&format!("/api/v2/admin/contacts/{id}")).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));

    let (status, updated) = raw
        .call(
            Method::PUT,
            &format!("/api/v2/admin/contacts/{id}"),
            Some(&format!(r#"{{"Id": {id}, "LastName": "Person"}}"#)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (updated["FirstName"].as_str(), updated["LastName"].as_str()),
        (Some("New"), Some("Person")),
        "absent fields are kept"
    );

    let taken = site.sandbox.store().get_contact(1).unwrap().unwrap().email;
    let (status, body) = raw
        .call(
            Method::PUT,
            &format!("/api/v2/admin/contacts/{id}"),
            Some(&json!({"Email": taken.to_uppercase()}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["Errors"][0]["Field"], "Email");

    let (status, _) = raw.call(Method::PUT, &format!("/api/v2/admin/contacts/{id}"), Some(r#"{"Id": 999}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an Id that differs from the path");

    let (status, body) = raw.call(Method::DELETE, &format!("/api/v2/admin/contacts/{id}"), None).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    for path in [format!("/api/v2/admin/contacts/{id}"), format!("/api/v2/admin/contacts/{id}/orders")] {
        let (status, body) = raw.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body["Message"].as_str().unwrap().contains(&id.to_string()));
    }
    let (status, _) = raw.call(Method::PUT, "/api/v2/admin/contacts/99999", Some(r#"{"City": "X"}"#)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_contact_takes_its_records_and_zones_with_it() {
    let site = common::site(3).await;
    let raw = Raw::new(&site).await;
    let store = site.sandbox.store();
    let query = treepl_contacts::sandbox::SiteListRequest::default();
    let records_before =
        store.list_records(1, treepl_contacts::sandbox::schema::RecordKind::Order, &query).unwrap().unwrap();
    assert!(records_before.total_items_count.unwrap() > 0, "contact 1 has orders");
    raw.call(Method::PUT, "/api/v2/admin/contacts/1/secure-zones", Some(r#"[{"Id": 2}]"#)).await;
    let (status, _) = raw.call(Method::DELETE, "/api/v2/admin/contacts/1", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let conn = rusqlite::Connection::open(store.path()).unwrap();
    for table in ["records", "zone_subscriptions", "custom_values"] {
        let left: i64 =
            conn.query_row(&format!("SELECT COUNT(*) FROM {table} WHERE contact_id = 1"), [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0, "{table}");
    }
}

#[tokio::test]
async fn bad_bodies_and_ids_are_4xx_never_500() {
    let site = common::site(1).await;
    let raw = Raw::new(&site).await;
    let huge = format!(r#"{{"Email": "a@b.co", "Notes": "{}"}}"#, "x".repeat(1_100_000));
    let cases: Vec<(Method, &str, Option<&str>, StatusCode, &str)> = vec![
        (Method::POST, "/api/v2/admin/contacts", Some("{not json"), StatusCode::BAD_REQUEST, "not valid JSON"),
        (Method::POST, "/api/v2/admin/contacts", Some("[]"), StatusCode::BAD_REQUEST, "JSON object"),
        (Method::POST, "/api/v2/admin/contacts", Some(""), StatusCode::BAD_REQUEST, "no body"),
        (
            Method::POST,
            "/api/v2/admin/contacts",
            Some(r#"{"FirstName": "No email"}"#),
            StatusCode::BAD_REQUEST,
            "not valid",
        ),
        (
            Method::POST,
            "/api/v2/admin/contacts",
            Some(r#"{"Email": "a@b.co", "Type": "x"}"#),
            StatusCode::BAD_REQUEST,
            "not valid",
        ),
        (Method::POST, "/api/v2/admin/contacts", Some(huge.as_str()), StatusCode::PAYLOAD_TOO_LARGE, "larger than"),
        (Method::GET, "/api/v2/admin/contacts/abc", None, StatusCode::BAD_REQUEST, "not a contact Id"),
        (Method::GET, "/api/v2/admin/contacts/99999999999999999999", None, StatusCode::BAD_REQUEST, "not a contact Id"),
        (Method::GET, "/api/v2/admin/contacts/-4", None, StatusCode::NOT_FOUND, "no contact"),
        (
            Method::PUT,
            "/api/v2/admin/contacts/1/set-password",
            Some(r#"{"Password": "123"}"#),
            StatusCode::BAD_REQUEST,
            "not valid",
        ),
        (
            Method::PUT,
            "/api/v2/admin/contacts/1/secure-zones",
            Some(r#"[{"Id": 999}]"#),
            StatusCode::BAD_REQUEST,
            "no secure zone",
        ),
        (Method::PUT, "/api/v2/admin/contacts/1/secure-zones", Some(r#"{"Id": 1}"#), StatusCode::BAD_REQUEST, "array"),
        (
            Method::GET,
            "/api/v2/admin/contacts/1/orders?Where=%7B%22Member%22%3A1%7D",
            None,
            StatusCode::BAD_REQUEST,
            "object or a list",
        ),
        (
            Method::GET,
            "/api/v2/admin/contacts/1/bookings?Where=%7B%22Nope%22%3A1%7D",
            None,
            StatusCode::BAD_REQUEST,
            "not a field of a booking",
        ),
        (Method::GET, "/api/v2/admin/nothing-here", None, StatusCode::NOT_FOUND, "no such endpoint"),
        (Method::PATCH, "/api/v2/admin/contacts/1", None, StatusCode::METHOD_NOT_ALLOWED, "method"),
    ];
    for (method, path, body, expected, words) in cases {
        let (status, reply) = raw.call(method.clone(), path, body).await;
        assert_eq!(status, expected, "{method} {path}");
        let message = reply["Message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{method} {path}: {message}");
    }
}

#[tokio::test]
async fn related_lists_filter_and_sort_on_their_own_fields() {
    let site = common::site(5).await;
    let raw = Raw::new(&site).await;
    let filter = json!({"PaymentState": "paid", "TotalCost": {"$gt": 10}});
    let (status, page) = raw
        .get(&format!("/api/v2/admin/contacts/1/orders?Where={}&Order_By=CreatedDateTime%20DESC", encoded(&filter)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let orders = page["Items"].as_array().unwrap();
    assert!(!orders.is_empty());
    assert!(orders.iter().all(|o| o["PaymentState"] == "Paid" && o["TotalCost"].as_f64().unwrap() > 10.0));
    let dates: Vec<&str> = orders.iter().map(|o| o["CreatedDateTime"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]));
    let (_, page) = raw.get("/api/v2/admin/contacts/1/bookings?Limit=3").await;
    assert_eq!(page["Items"].as_array().unwrap().len(), 3);
    assert_eq!(page["Items"][0]["Member"]["Id"], 1);
}

#[tokio::test]
async fn secure_zones_are_replaced_whole() {
    let site = common::site(1).await;
    let raw = Raw::new(&site).await;
    let (status, set) = raw
        .call(
            Method::PUT,
            "/api/v2/admin/contacts/1/secure-zones",
            Some(r#"[{"Id": 2, "ExpiryDateTime": "2027-05-01T10:00:00+02:00"}, {"Id": 1}]"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set["Items"][0]["Id"], 1);
    assert_eq!(set["Items"][1]["ExpiryDateTime"], "2027-05-01T08:00:00.000Z");
    let (_, cleared) = raw.call(Method::PUT, "/api/v2/admin/contacts/1/secure-zones", Some("[]")).await;
    assert_eq!(cleared, json!({"Items": [], "TotalItemsCount": 0}));
    let (status, zones) =
        raw.call(Method::PUT, "/api/v2/admin/contacts/1/set-password", Some(r#"{"Password": "long-enough"}"#)).await;
    assert_eq!((status, zones["TotalItemsCount"].as_u64()), (StatusCode::OK, Some(0)));
}

#[tokio::test]
async fn injected_faults_answer_as_configured() {
    let site = common::site(1).await;
    let raw = Raw::new(&site).await;
    site.sandbox.faults().set(FaultSpec::parse("get:throttle=1,retry-after=7").unwrap());
    let response =
        raw.http.get(format!("{}/api/v2/admin/contacts/1", raw.base)).bearer_auth(&raw.token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "7");

    site.sandbox.faults().set(FaultSpec::parse("get:error=1").unwrap());
    let (status, _) = raw.get("/api/v2/admin/contacts/1").await;
    assert!(status.is_server_error());

    site.sandbox.faults().clear();
    site.sandbox.faults().force(Route::GetContact, Forced::Drop, 1);
    let dropped = raw.http.get(format!("{}/api/v2/admin/contacts/1", raw.base)).bearer_auth(&raw.token).send().await;
    assert!(dropped.is_err(), "the connection closed without a reply");
    let (status, _) = raw.get("/api/v2/admin/contacts/1").await;
    assert_eq!(status, StatusCode::OK, "and the next request is served");

    site.sandbox.faults().set(FaultSpec::parse("latency=150ms").unwrap());
    let started = std::time::Instant::now();
    raw.get("/api/v2/admin/contacts/1").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn openapi_describes_every_route_and_the_contact_shape() {
    let site = common::site(1).await;
    let raw = Raw::new(&site).await;
    let (status, spec) = raw.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths: Vec<&str> = spec["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for path in [
        "/api/v1/oauth/token",
        "/api/v2/admin/contacts",
        "/api/v2/admin/contacts/{id}",
        "/api/v2/admin/contacts/{id}/bookings",
        "/api/v2/admin/contacts/{id}/cases",
        "/api/v2/admin/contacts/{id}/orders",
        "/api/v2/admin/contacts/{id}/secure-zones",
        "/api/v2/admin/contacts/{id}/set-password",
    ] {
        assert!(paths.contains(&path), "{path}");
    }
    let (_, contact) = raw.get("/api/v2/admin/contacts/1").await;
    let mut returned: Vec<&String> = contact.as_object().unwrap().keys().collect();
    let mut described: Vec<&String> =
        spec["components"]["schemas"]["Contact"]["properties"].as_object().unwrap().keys().collect();
    returned.sort();
    described.sort();
    assert_eq!(returned, described, "the description matches what is returned");
}

/// The Ids of a page of contacts.
fn ids_of(page: &Value) -> Vec<i64> {
    page["Items"].as_array().unwrap().iter().map(|c| c["Id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_put_replaces_custom_values_everywhere_they_are_read() {
    let site = common::site(3).await;
    let raw = Raw::new(&site).await;
    let before = json!({
        "Membership": {"Level": "Bronze", "Points": 10},
        "Preferences": {"Newsletter": true},
    });
    let (status, created) = raw
        .call(
            Method::POST,
            "/api/v2/admin/contacts",
            Some(&json!({"Email": "custom@example.com", "CustomCrmGroups": before}).to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(created["CustomCrmGroups"], before);
    let id = created["Id"].as_i64().unwrap();
    let path = format!("/api/v2/admin/contacts/{id}");
    let list = |filter: Value| format!("/api/v2/admin/contacts?Where={}&Order_By=Id", encoded(&filter));

    // Changed (Level), added (Renewal, the Marketing group) and removed (Points, Preferences).
    let after = json!({
        "Membership": {"Level": "Silver", "Renewal": "2026-03-01"},
        "Marketing": {"Score": 4.5, "Consent": false},
    });
    let (status, updated) =
        raw.call(Method::PUT, &path, Some(&json!({"Id": id, "CustomCrmGroups": after}).to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["CustomCrmGroups"], after, "the reply");
    let (_, got) = raw.get(&path).await;
    assert_eq!(got["CustomCrmGroups"], after, "a later GET");
    let (_, page) = raw.get(&list(json!({"Id": id}))).await;
    assert_eq!(page["Items"][0]["CustomCrmGroups"], after, "the list");

    let finds = |filter: Value| {
        let raw = &raw;
        async move { ids_of(&raw.get(&list(filter)).await.1).contains(&id) }
    };
    assert!(finds(json!({"CustomCrmGroups.Membership.Level": {"$eq": "Silver"}})).await);
    assert!(!finds(json!({"CustomCrmGroups.Membership.Level": "Bronze"})).await);
    assert!(finds(json!({"CustomCrmGroups.Membership.Points": {"$isNull": true}})).await, "a removed field");
    assert!(finds(json!({"CustomCrmGroups.Preferences.Newsletter": {"$isNull": true}})).await, "a removed group");
    assert!(finds(json!({"CustomCrmGroups.Marketing.Score": {"$gt": 4}})).await, "an added group");
    assert!(finds(json!({"CustomCrmGroups.Membership.Renewal": "2026-03-01"})).await, "an added field");

    // Absent: left as they are.
    let (_, kept) = raw.call(Method::PUT, &path, Some(r#"{"City": "Oslo"}"#)).await;
    assert_eq!((kept["City"].as_str(), &kept["CustomCrmGroups"]), (Some("Oslo"), &after));
    let (_, got) = raw.get(&path).await;
    assert_eq!(got["CustomCrmGroups"], after);

    // Present and empty: none left, in the JSON and in the filters alike.
    for empty in [json!({}), Value::Null] {
        raw.call(Method::PUT, &path, Some(&json!({"CustomCrmGroups": after}).to_string())).await;
        let (status, cleared) =
            raw.call(Method::PUT, &path, Some(&json!({"CustomCrmGroups": empty}).to_string())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(cleared["CustomCrmGroups"], json!({}), "{empty}");
        let (_, got) = raw.get(&path).await;
        assert_eq!(got["CustomCrmGroups"], json!({}), "{empty}");
        assert!(!finds(json!({"CustomCrmGroups.Membership.Level": "Silver"})).await, "{empty}");
        assert!(finds(json!({"CustomCrmGroups.Marketing.Consent": {"$isNull": true}})).await, "{empty}");
    }
}

#[tokio::test]
async fn a_new_contact_gets_the_contracts_defaults() {
    let site = common::site(0).await;
    let raw = Raw::new(&site).await;
    // The contract: "A contact created without CrmType, Role or Type gets "Contact", "General" and 0."
    let (status, created) =
        raw.call(Method::POST, "/api/v2/admin/contacts", Some(r#"{"Email": "plain@example.com"}"#)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, got) = raw.get(&format!("/api/v2/admin/contacts/{}", created["Id"])).await;
    for contact in [&created, &got] {
        assert_eq!(
            (&contact["CrmType"], &contact["Role"], &contact["Type"]),
            (&json!("Contact"), &json!("General"), &json!(0))
        );
    }
    let (_, nulls) = raw
        .call(
            Method::POST,
            "/api/v2/admin/contacts",
            Some(r#"{"Email": "nulls@example.com", "CrmType": null, "Role": null, "Type": null}"#),
        )
        .await;
    assert_eq!((&nulls["CrmType"], &nulls["Role"], &nulls["Type"]), (&json!("Contact"), &json!("General"), &json!(0)));

    // Values that are given are kept, and an update never puts the defaults back.
    let (_, given) = raw
        .call(
            Method::POST,
            "/api/v2/admin/contacts",
            Some(r#"{"Email": "given@example.com", "CrmType": "Customer", "Role": "Editor", "Type": 2}"#),
        )
        .await;
    assert_eq!((&given["CrmType"], &given["Role"], &given["Type"]), (&json!("Customer"), &json!("Editor"), &json!(2)));
    let path = format!("/api/v2/admin/contacts/{}", given["Id"]);
    let (_, cleared) = raw.call(Method::PUT, &path, Some(r#"{"Role": null}"#)).await;
    assert_eq!(cleared["Role"], Value::Null, "a null in an update clears the field");
}

#[tokio::test]
async fn seeded_enum_like_values_follow_the_references_casing() {
    let site = common::site(40).await;
    let raw = Raw::new(&site).await;
    // The reference's examples (treepl-api.md, "Enum-like strings").
    let reference = [
        ("CrmType", "Contact"),
        ("Role", "General"),
        ("PaymentState", "None"),
        ("OrderCaseType", "FormCase"),
        ("EntityType", "Form"),
        ("PaymentType", "CreditCard"),
        ("PaymentGatewayType", "stripe"),
    ];
    let mut seen: Vec<(String, String)> = Vec::new();
    let (_, contacts) = raw.get("/api/v2/admin/contacts?Limit=500").await;
    for contact in contacts["Items"].as_array().unwrap() {
        for field in ["CrmType", "Role", "Type"] {
            assert!(
                !contact[field].is_null(),
                "contact {}: {field} is null (a site gives it a default)",
                contact["Id"]
            );
        }
        for field in ["CrmType", "Role"] {
            seen.push((field.to_owned(), contact[field].as_str().unwrap_or_default().to_owned()));
        }
        let (_, orders) = raw.get(&format!("/api/v2/admin/contacts/{}/orders?Limit=500", contact["Id"])).await;
        for order in orders["Items"].as_array().unwrap() {
            for field in ["PaymentState", "OrderCaseType"] {
                seen.push((field.to_owned(), order[field].as_str().unwrap_or_default().to_owned()));
            }
            for line in order["OrderLines"].as_array().unwrap() {
                seen.push(("EntityType".to_owned(), line["EntityType"].as_str().unwrap_or_default().to_owned()));
            }
            for payment in order["Payments"].as_array().unwrap() {
                for field in ["PaymentType", "PaymentGatewayType"] {
                    seen.push((field.to_owned(), payment[field].as_str().unwrap_or_default().to_owned()));
                }
            }
        }
    }
    for (field, value) in &seen {
        let (_, expected) = reference.iter().find(|(name, _)| name == field).unwrap();
        assert!(
            !value.eq_ignore_ascii_case(expected) || value == expected,
            "{field} {value:?}: the reference writes {expected:?}"
        );
    }
    for (field, value) in [("PaymentGatewayType", "stripe"), ("PaymentType", "CreditCard"), ("Role", "General")] {
        assert!(seen.iter().any(|(f, v)| f == field && v == value), "no {field} {value:?} in the seed");
    }
}

#[tokio::test]
async fn orders_filter_and_sort_by_invoice_number_as_a_number() {
    // Contact 2: a customer of 30 to 120 orders, all on one page of 500 (contact 1 has 2,000).
    let site = common::site(2).await;
    let raw = Raw::new(&site).await;
    let (_, all) = raw.get("/api/v2/admin/contacts/2/orders?Limit=500").await;
    let mut numbers: Vec<i64> =
        all["Items"].as_array().unwrap().iter().map(|o| o["InvoiceNumber"].as_i64().expect("a number")).collect();
    numbers.sort_unstable();
    assert!(numbers.len() >= 30, "contact 2 has a few dozen orders");
    let middle = numbers[numbers.len() / 2];
    let orders = |filter: Value, order: &str| {
        let raw = &raw;
        let path = format!("/api/v2/admin/contacts/2/orders?Where={}&Order_By={order}&Limit=500", encoded(&filter));
        async move {
            let (status, page) = raw.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            page["Items"].as_array().unwrap().iter().map(|o| o["InvoiceNumber"].as_i64().unwrap()).collect::<Vec<_>>()
        }
    };
    let above: Vec<i64> = numbers.iter().copied().filter(|n| *n > middle).collect();
    assert_eq!(orders(json!({"InvoiceNumber": {"$gt": middle}}), "InvoiceNumber").await, above);
    assert_eq!(orders(json!({"InvoiceNumber": middle}), "Id").await, [middle]);
    assert_eq!(
        orders(json!({"InvoiceNumber": {"$in": [middle, numbers[0]]}}), "InvoiceNumber").await,
        [numbers[0], middle]
    );
    let mut descending = numbers.clone();
    descending.reverse();
    assert_eq!(orders(json!({}), "InvoiceNumber%20DESC").await, descending, "sorted as numbers");
    let (status, body) = raw
        .get(&format!("/api/v2/admin/contacts/2/orders?Where={}", encoded(&json!({"InvoiceNumber": {"$gt": "INV"}}))))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "text against a number: {body}");
}

#[tokio::test]
async fn token_errors_have_the_contracts_error_shape() {
    let site = common::site(0).await;
    let http = reqwest::Client::new();
    let url = format!("{}api/v1/oauth/token", site.sandbox.url());
    let form = |fields: &[(&str, &str)]| {
        fields.iter().map(|(k, v)| format!("{k}={}", common::url_encoded(v))).collect::<Vec<_>>().join("&")
    };
    let cases: Vec<(&str, String, StatusCode, Option<&str>)> = vec![
        (
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials"), ("client_id", "sandbox"), ("client_secret", "nope")]),
            StatusCode::UNAUTHORIZED,
            None,
        ),
        (
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "password"), ("client_id", "sandbox"), ("client_secret", "sandbox-secret")]),
            StatusCode::BAD_REQUEST,
            Some("grant_type"),
        ),
        (
            "application/x-www-form-urlencoded",
            form(&[("grant_type", "client_credentials"), ("client_secret", "sandbox-secret")]),
            StatusCode::BAD_REQUEST,
            Some("client_id"),
        ),
        (
            "application/json",
            r#"{"grant_type": "client_credentials", "client_id": "#.to_owned(),
            StatusCode::BAD_REQUEST,
            None,
        ),
        ("application/json", "[1, 2]".to_owned(), StatusCode::BAD_REQUEST, None),
        ("application/x-www-form-urlencoded", String::new(), StatusCode::BAD_REQUEST, Some("grant_type")),
    ];
    for (content_type, body, expected, field) in cases {
        let response = http.post(&url).header("content-type", content_type).body(body.clone()).send().await.unwrap();
        assert_eq!(response.status(), expected, "{body}");
        let reply: Value = response.json().await.unwrap_or_else(|e| panic!("{body}: not JSON: {e}"));
        let message = reply["Message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{body}: no Message in {reply}");
        let errors = reply["Errors"].as_array().unwrap_or_else(|| panic!("{body}: no Errors list in {reply}"));
        for error in errors {
            assert!(error["Field"].is_string() && error["Message"].is_string(), "{body}: {error}");
        }
        if let Some(field) = field {
            assert!(errors.iter().any(|e| e["Field"] == field), "{body}: {field} is not named in {reply}");
        }
        assert!(!reply.to_string().contains("sandbox-secret"), "a reply never repeats the secret");
    }
}

#[tokio::test]
async fn conflicts_and_bad_fields_name_their_field() {
    let site = common::site(2).await;
    let raw = Raw::new(&site).await;
    let taken = site.sandbox.store().get_contact(1).unwrap().unwrap().email;
    let conflicts = [
        (Method::POST, "/api/v2/admin/contacts".to_owned(), json!({"Email": taken.to_uppercase()})),
        (Method::PUT, "/api/v2/admin/contacts/2".to_owned(), json!({"Email": format!(" {taken} ")})),
    ];
    for (method, path, body) in conflicts {
        let (status, reply) = raw.call(method.clone(), &path, Some(&body.to_string())).await;
        assert_eq!(status, StatusCode::CONFLICT, "{method} {path}");
        assert!(reply["Message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
        let errors = reply["Errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{reply}");
        assert_eq!(errors[0]["Field"], "Email");
        let message = errors[0]["Message"].as_str().unwrap_or_default().to_lowercase();
        assert!(message.contains(&taken.to_lowercase()), "the message names the email: {reply}");
    }

    let bad = [
        (Method::POST, "/api/v2/admin/contacts", json!({"Email": "not-an-address"}), vec!["Email"]),
        (Method::POST, "/api/v2/admin/contacts", json!({"FirstName": "No email"}), vec!["Email"]),
        (
            Method::POST,
            "/api/v2/admin/contacts",
            json!({"Email": "a@b.co", "firstname": 5, "Type": "two", "IsDataUsingAllowed": "yes", "Password": "123"}),
            vec!["FirstName", "Type", "IsDataUsingAllowed", "Password"],
        ),
        (Method::PUT, "/api/v2/admin/contacts/1", json!({"Notes": "x".repeat(4001)}), vec!["Notes"]),
        (
            Method::PUT,
            "/api/v2/admin/contacts/1",
            json!({"CustomCrmGroups": {"G": {"F": [1]}}}),
            vec!["CustomCrmGroups"],
        ),
        (Method::PUT, "/api/v2/admin/contacts/1", json!({"Id": 2}), vec!["Id"]),
        (Method::PUT, "/api/v2/admin/contacts/1", json!({"Email": null}), vec!["Email"]),
        (Method::PUT, "/api/v2/admin/contacts/1/set-password", json!({"Password": "123"}), vec!["Password"]),
    ];
    for (method, path, body, fields) in bad {
        let (status, reply) = raw.call(method.clone(), path, Some(&body.to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {path} {body}");
        assert!(reply["Message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
        let mut named: Vec<&str> =
            reply["Errors"].as_array().unwrap().iter().map(|e| e["Field"].as_str().unwrap()).collect();
        named.sort_unstable();
        let mut expected = fields.clone();
        expected.sort_unstable();
        assert_eq!(named, expected, "{method} {path} {body}: {reply}");
        for error in reply["Errors"].as_array().unwrap() {
            assert!(error["Message"].as_str().is_some_and(|m| !m.is_empty()), "{reply}");
        }
    }
    let (_, unchanged) = raw.get("/api/v2/admin/contacts/2").await;
    assert_ne!(unchanged["Email"].as_str().map(str::to_lowercase), Some(taken.to_lowercase()));
}
