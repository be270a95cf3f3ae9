//! `sandbox --dialect`: each switch over real HTTP, against the sandbox's own database, and
//! the default sandbox on the same request, which does not behave so.

use crate::common;

use reqwest::StatusCode;
use serde_json::{Value, json};
use treepl_contacts::api::Contact;
use treepl_contacts::sandbox::{SandboxConfig, SiteDialect, SiteListRequest};

const CONTACTS: u64 = 150;

async fn site(dialect: &str) -> common::Site {
    let dialect: SiteDialect = dialect.parse().expect("a known switch");
    common::site_with(SandboxConfig { dialect, ..SandboxConfig::new("") }, CONTACTS).await
}

/// A signed-in HTTP client for one site, with no typed client in the way.
struct Http {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Http {
    async fn new(site: &common::Site) -> Self {
        let base = site.sandbox.url().as_str().trim_end_matches('/').to_owned();
        Self { http: reqwest::Client::new(), base, token: common::raw_token(site).await }
    }

    /// `GET /contacts?{query}` with `body` as JSON when given; the page, which must be a 200.
    async fn contacts(&self, query: &str, body: Option<Value>) -> Value {
        let mut request =
            self.http.get(format!("{}/api/v2/admin/contacts?{query}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("the site answers");
        assert_eq!(response.status(), StatusCode::OK, "GET ?{query}");
        response.json().await.expect("a JSON page")
    }

    /// The status of `GET /contacts?{query}`.
    async fn status(&self, query: &str) -> StatusCode {
        let url = format!("{}/api/v2/admin/contacts?{query}", self.base);
        self.http.get(url).bearer_auth(&self.token).send().await.expect("the site answers").status()
    }

    async fn put_zones(&self, contact: i64, zones: Value) -> Value {
        let url = format!("{}/api/v2/admin/contacts/{contact}/secure-zones", self.base);
        let response = self.http.put(url).bearer_auth(&self.token).json(&zones).send().await.expect("the site answers");
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("the stored zones")
    }
}

fn ids(page: &Value) -> Vec<i64> {
    page["Items"].as_array().expect("Items").iter().map(|item| item["Id"].as_i64().expect("an Id")).collect()
}

fn total(page: &Value) -> u64 {
    page["TotalItemsCount"].as_u64().expect("TotalItemsCount")
}

/// Every contact in the site's database, by Id.
fn stored_contacts(site: &common::Site) -> Vec<Contact> {
    let everyone = SiteListRequest { limit: 500, ..SiteListRequest::default() };
    let mut all = site.sandbox.store().list_contacts(&everyone).expect("the store lists").items;
    assert_eq!(all.len() as u64, CONTACTS);
    all.sort_by_key(|c| c.id);
    all
}

/// The ids of the stored contacts whose Id is at most `most`.
fn stored_ids_up_to(site: &common::Site, most: i64) -> Vec<i64> {
    stored_contacts(site).iter().map(|c| c.id).filter(|id| *id <= most).collect()
}

/// A city some but not all stored contacts live in, and the ids of those who do.
fn a_city_and_its_people(site: &common::Site) -> (String, Vec<i64>) {
    let all = stored_contacts(site);
    let city = all.iter().find_map(|c| c.address.city.clone()).expect("someone has a city");
    let people: Vec<i64> = all
        .iter()
        .filter(|c| c.address.city.as_deref().is_some_and(|other| other.to_lowercase() == city.to_lowercase()))
        .map(|c| c.id)
        .collect();
    assert!(people.len() < all.len(), "{city} is not everyone's city");
    (city, people)
}

fn where_param(filter: &Value) -> String {
    format!("Where={}", common::url_encoded(&filter.to_string()))
}

#[tokio::test]
async fn where_ignored_answers_every_contact_whatever_the_filter() {
    for (dialect, ignores) in [("", false), ("where-ignored", true)] {
        let site = site(dialect).await;
        let (city, people) = a_city_and_its_people(&site);
        let page = Http::new(&site).await.contacts(&where_param(&json!({"City": city})), None).await;
        if ignores {
            assert_eq!(total(&page), CONTACTS, "every contact is counted");
            assert!(ids(&page).iter().any(|id| !people.contains(id)), "rows outside the filter come back");
        } else {
            assert_eq!(total(&page), people.len() as u64);
            assert_eq!(ids(&page), people);
        }
        // A filter the site does not read cannot be refused either.
        let unknown = format!("{}&Limit=1", where_param(&json!({"City": {"$like": "x"}})));
        let status = Http::new(&site).await.status(&unknown).await;
        assert_eq!(status, if ignores { StatusCode::OK } else { StatusCode::BAD_REQUEST });
    }
}

#[tokio::test]
async fn offset_ignored_answers_the_first_page_at_every_offset() {
    for (dialect, ignores) in [("", false), ("offset-ignored", true)] {
        let site = site(dialect).await;
        let all: Vec<i64> = stored_contacts(&site).iter().map(|c| c.id).collect();
        let page = Http::new(&site).await.contacts("Offset=10&Limit=5&Order_By=Id", None).await;
        let expected = if ignores { &all[..5] } else { &all[10..15] };
        assert_eq!(ids(&page), expected, "dialect `{dialect}`");
        let status = Http::new(&site).await.status("Offset=-1").await;
        assert_eq!(status, if ignores { StatusCode::OK } else { StatusCode::BAD_REQUEST });
    }
}

#[tokio::test]
async fn body_params_reads_the_list_parameters_from_the_body_only() {
    for (dialect, body_only) in [("", false), ("body-params", true)] {
        let site = site(dialect).await;
        let http = Http::new(&site).await;
        let first_ten = stored_ids_up_to(&site, 10);

        // In the query string: honoured by the default site, ignored by a body-only one.
        let in_query = http.contacts(&format!("{}&Limit=3", where_param(&json!({"Id": {"$lte": 10}}))), None).await;
        if body_only {
            assert_eq!(total(&in_query), CONTACTS, "the filter in the query string is ignored");
            assert_eq!(ids(&in_query).len(), 100, "so is the Limit: a first page of the default size");
        } else {
            assert_eq!((total(&in_query), ids(&in_query)), (10, first_ten[..3].to_vec()));
        }

        // In a body, the reference's "Data" object (Where as an object or as JSON text): read by both.
        for filter in [json!({"Id": {"$lte": 10}}), json!(r#"{"Id": {"$lte": 10}}"#)] {
            let data = json!({"Where": filter, "Order_By": "Id DESC", "Offset": 1, "Limit": 3});
            let in_body = http.contacts("", Some(data)).await;
            let expected: Vec<i64> = first_ten.iter().rev().skip(1).take(3).copied().collect();
            assert_eq!((total(&in_body), ids(&in_body)), (10, expected), "dialect `{dialect}`, Where {filter}");
        }

        // Both at once: the default site lets the query string win; a body-only site reads the body.
        let both = http.contacts("Limit=2", Some(json!({"Limit": 4}))).await;
        assert_eq!(ids(&both).len(), if body_only { 4 } else { 2 });
    }
}

#[tokio::test]
async fn lowercase_keys_honours_only_the_lowercase_spelling() {
    for (dialect, lowercase_only) in [("", false), ("lowercase-keys", true)] {
        let site = site(dialect).await;
        let http = Http::new(&site).await;
        let first_ten = stored_ids_up_to(&site, 10);
        let filter = common::url_encoded(&json!({"Id": {"$lte": 10}}).to_string());

        let lowercase = http.contacts(&format!("where={filter}&order_by=Id%20DESC&offset=1&limit=3"), None).await;
        let expected: Vec<i64> = first_ten.iter().rev().skip(1).take(3).copied().collect();
        assert_eq!((total(&lowercase), ids(&lowercase)), (10, expected.clone()), "dialect `{dialect}`");

        let capitalised = http.contacts(&format!("Where={filter}&Order_By=Id%20DESC&Offset=1&Limit=3"), None).await;
        let in_body = http
            .contacts("", Some(json!({"WHERE": {"Id": {"$lte": 10}}, "Order_By": "Id DESC", "OFFSET": 1, "Limit": 3})))
            .await;
        for page in [capitalised, in_body] {
            if lowercase_only {
                let all: Vec<i64> = stored_contacts(&site).iter().map(|c| c.id).take(100).collect();
                assert_eq!((total(&page), ids(&page)), (CONTACTS, all), "every other casing is ignored");
            } else {
                assert_eq!((total(&page), ids(&page)), (10, expected.clone()), "any casing is read");
            }
        }
    }
}

#[tokio::test]
async fn order_asc_only_ignores_the_direction() {
    for (dialect, ascending_only) in [("", false), ("order-asc-only", true)] {
        let site = site(dialect).await;
        let http = Http::new(&site).await;
        let all: Vec<i64> = stored_contacts(&site).iter().map(|c| c.id).collect();
        let lowest: Vec<i64> = all[..5].to_vec();
        let highest: Vec<i64> = all.iter().rev().take(5).copied().collect();
        for order in ["Id%20DESC", "-Id", "Id%20desc"] {
            let page = http.contacts(&format!("Order_By={order}&Limit=5"), None).await;
            let expected = if ascending_only { &lowest } else { &highest };
            assert_eq!(&ids(&page), expected, "dialect `{dialect}`, Order_By={order}");
        }
        let ascending = http.contacts("Order_By=Id%20ASC&Limit=5", None).await;
        assert_eq!(ids(&ascending), lowest);
    }
}

#[tokio::test]
async fn zones_merge_adds_zones_and_keeps_the_others() {
    for (dialect, merges) in [("", false), ("zones-merge", true)] {
        let site = site(dialect).await;
        let store = site.sandbox.store();
        let catalog: Vec<i64> = store.zone_catalog().expect("the zones").into_iter().map(|(id, _)| id).collect();
        let [a, b, c, ..] = catalog[..] else { panic!("the seed has at least three zones: {catalog:?}") };
        let contact = stored_contacts(&site)[0].id;
        store.set_zones(contact, &[(a, None), (b, None)]).expect("the zones are set");
        let stored = |contact| {
            let page = store.list_zones(contact, &SiteListRequest::default()).expect("the store lists");
            let zones = page.expect("the contact exists").items;
            zones.into_iter().map(|z| (z.id, z.expiry_date_time.map(|t| t.millis()))).collect::<Vec<_>>()
        };

        let reply = Http::new(&site)
            .await
            .put_zones(contact, json!([{"Id": c}, {"Id": a, "ExpiryDateTime": "2031-01-02T00:00:00Z"}]))
            .await;
        let expiry = treepl_contacts::api::Timestamp::parse("2031-01-02T00:00:00Z").map(|t| t.millis());
        let now = stored(contact);
        if merges {
            assert_eq!(now, [(a, expiry), (b, None), (c, None)], "b is kept, a's expiry is updated");
        } else {
            assert_eq!(now, [(a, expiry), (c, None)], "the list is replaced");
        }
        let replied: Vec<i64> = ids(&reply);
        assert_eq!(replied, now.iter().map(|(id, _)| *id).collect::<Vec<_>>(), "the reply is the stored list");
    }
}

#[test]
fn sandbox_help_describes_every_switch() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
        .args(["sandbox", "--help"])
        .output()
        .expect("the binary runs");
    let help = String::from_utf8_lossy(&output.stdout);
    for line in treepl_contacts::sandbox::DIALECT_HELP.lines() {
        assert!(help.contains(line.trim()), "`{}` is missing from:\n{help}", line.trim());
    }
}
