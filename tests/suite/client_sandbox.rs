//! The typed client against the sandbox site over real HTTP: every call of the contract,
//! then the failures a user meets (faults, refused credentials, ambiguous writes).

use crate::common;

use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use treepl_contacts::api::paging::{self, PagingOptions};
use treepl_contacts::api::{
    ApiError, Change, Client, ClientOptions, ContactInput, ListQuery, OrderBy, SecureZone, SiteCredentials, Timestamp,
    Where,
};
use treepl_contacts::sandbox::{FaultRule, Forced, Route, SandboxConfig};

fn new_contact(email: &str, first: &str, last: &str) -> ContactInput {
    let mut input =
        ContactInput { first_name: Change::set(first), last_name: Change::set(last), ..ContactInput::new(email) };
    input.address.city = Change::set("Wellington");
    let mut groups = treepl_contacts::api::model::CustomCrmGroups::new();
    groups.entry("Preferences".into()).or_default().insert("Newsletter".into(), json!(true));
    input.custom_crm_groups = Change::Set(groups);
    input
}

#[tokio::test]
async fn every_call_of_the_contract_works_end_to_end() {
    let site = common::site(30).await;
    let client = &site.client;

    // Create, then get.
    let password = SecretString::from("first-pass-123");
    let created =
        client.create_contact(&new_contact("ana.lopez@example.org", "Ana", "López"), Some(&password)).await.unwrap();
    assert!(created.id > 0);
    assert_eq!(created.last_name.as_deref(), Some("López"));
    assert!(created.created_date.is_some(), "the site stamps CreatedDate");
    let fetched = client.get_contact(created.id).await.unwrap();
    assert_eq!(fetched, created);
    let sent = site.sandbox.requests().to(Route::CreateContact);
    assert_eq!(sent[0].body.as_ref().unwrap()["Password"], json!("<hidden>"), "the password went out and is not kept");

    // List with a filter and a sort.
    client.create_contact(&new_contact("b.lopez@example.org", "Bea", "lópez"), None).await.unwrap();
    let query = ListQuery::new(Where::field("LastName").eq("LÓPEZ")).order_by(OrderBy::desc("FirstName"));
    let page = client.list_contacts(&query).await.unwrap();
    let firsts: Vec<_> = page.items.iter().filter_map(|c| c.first_name.as_deref()).collect();
    assert_eq!(firsts, ["Bea", "Ana"]);
    assert_eq!(page.total_items_count, Some(2));

    // Update: a field this version does not know is sent back unchanged.
    let mut contact = fetched.clone();
    contact.extra.insert("LoyaltyTier".into(), json!({"Level": "Gold", "Since": 2021}));
    contact.address.city = Some("Auckland".into());
    let updated = client.update_contact(contact.id, &ContactInput::from_contact(&contact)).await.unwrap();
    assert_eq!(updated.address.city.as_deref(), Some("Auckland"));
    assert_eq!(updated.first_name.as_deref(), Some("Ana"), "fields not changed are kept");
    let put = site.sandbox.requests().to(Route::UpdateContact).pop().unwrap();
    assert_eq!(put.body.unwrap()["LoyaltyTier"], json!({"Level": "Gold", "Since": 2021}));

    // Secure zones: set, read back.
    let expiry = Timestamp::parse("2027-01-31T00:00:00Z");
    let wanted = vec![
        SecureZone { id: 1, expiry_date_time: expiry, ..SecureZone::default() },
        SecureZone { id: 3, ..SecureZone::default() },
    ];
    let stored = client.set_secure_zones(created.id, &wanted).await.unwrap();
    assert_eq!(stored.iter().map(|z| (z.id, z.expiry_date_time)).collect::<Vec<_>>(), [(1, expiry), (3, None)]);
    assert!(stored.iter().all(|z| !z.name.is_empty()), "the site names its zones");
    let listed = client.list_secure_zones(created.id, &ListQuery::default()).await.unwrap();
    assert_eq!(listed.items, stored);
    let filtered = client
        .list_secure_zones(created.id, &ListQuery::new(Where::field("ExpiryDateTime").is_null(false)))
        .await
        .unwrap();
    assert_eq!(filtered.items.iter().map(|z| z.id).collect::<Vec<_>>(), [1]);

    // Set the password: the reply is the contact's zones.
    let zones = client.set_password(created.id, &SecretString::from("second-pass-456")).await.unwrap();
    assert_eq!(zones, stored);

    // Related records of a seeded contact (contact 1 is one of the heavy customers).
    let bookings = client.list_bookings(1, &ListQuery::default().page(0, 5)).await.unwrap();
    assert_eq!(bookings.items.len(), 5);
    assert!(bookings.total_items_count.unwrap() > 5);
    assert!(bookings.items.iter().all(|b| b.member_id == Some(1) && b.member.as_ref().is_some_and(|m| m.id == 1)));
    let cases = client.list_cases(1, &ListQuery::default()).await.unwrap();
    assert!(!cases.items.is_empty());
    let orders = client.list_orders(1, &ListQuery::default().order_by(OrderBy::desc("TotalCost"))).await.unwrap();
    let totals: Vec<_> = orders.items.iter().filter_map(|o| o.total_cost).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "sorted by TotalCost descending");
    let lines_total: rust_decimal::Decimal =
        orders.items[0].order_lines.iter().filter_map(|l| l.total_price).map(|a| a.0).sum();
    assert!(lines_total > rust_decimal::Decimal::ZERO);

    // Delete: gone, with a 404 after.
    client.delete_contact(created.id).await.unwrap();
    assert_eq!(
        client.get_contact(created.id).await,
        Err(ApiError::NotFound { subject: format!("Contact {}", created.id) })
    );
    assert!(matches!(
        client.list_secure_zones(created.id, &ListQuery::default()).await,
        Err(ApiError::NotFound { .. })
    ));
    assert!(matches!(client.delete_contact(created.id).await, Err(ApiError::NotFound { .. })));
}

#[tokio::test]
async fn validation_and_conflicts_come_back_per_field() {
    let site = common::site(0).await;
    let client = &site.client;
    let refused = client.create_contact(&ContactInput::new("not-an-email"), None).await.unwrap_err();
    assert_eq!(refused.field_errors()[0].field, "Email");
    let short = client
        .create_contact(&new_contact("a@example.com", "A", "B"), Some(&SecretString::from("123")))
        .await
        .unwrap_err();
    assert_eq!(short.field_errors()[0].field, "Password");
    client.create_contact(&new_contact("taken@example.com", "A", "B"), None).await.unwrap();
    let taken = client.create_contact(&new_contact("TAKEN@example.com", "C", "D"), None).await.unwrap_err();
    assert!(matches!(taken, ApiError::Conflict { .. }), "{taken:?}");
    assert!(taken.to_string().contains("TAKEN@example.com"));
    let fields: Vec<&str> = taken.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["Email"], "the editor can show the conflict at the Email field");
}

#[tokio::test]
async fn every_list_call_sends_an_order_even_when_none_was_chosen() {
    let site = common::site(3).await;
    let client = &site.client;
    client.list_contacts(&ListQuery::default()).await.unwrap();
    client.list_orders(1, &ListQuery::default()).await.unwrap();
    client.list_bookings(1, &ListQuery::default()).await.unwrap();
    client.list_cases(1, &ListQuery::default()).await.unwrap();
    client.list_secure_zones(1, &ListQuery::default()).await.unwrap();
    paging::fetch_all(client, ListQuery::default(), &PagingOptions::default(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    client.list_contacts(&ListQuery::default().order_by(OrderBy::desc("LastName"))).await.unwrap();
    let list_routes = [Route::ListContacts, Route::Orders, Route::Bookings, Route::Cases, Route::SecureZones];
    let lists: Vec<_> = site.sandbox.requests().all().into_iter().filter(|r| list_routes.contains(&r.route)).collect();
    assert!(lists.len() >= 7, "{lists:?}");
    let orders: Vec<Option<String>> = lists.iter().map(|r| r.query_param("Order_By")).collect();
    let (last, rest) = orders.split_last().unwrap();
    assert_eq!(last.as_deref(), Some("LastName DESC"));
    assert!(rest.iter().all(|o| o.as_deref() == Some("Id")), "{orders:?}");
}

#[tokio::test]
async fn an_update_leaves_what_it_keeps_clears_what_it_clears_and_sets_what_it_sets() {
    let site = common::site(0).await;
    let client = &site.client;
    let mut input = new_contact("three@example.com", "Tess", "Three");
    input.billing.city = Change::set("Bergen");
    input.phone = Change::set("+47 555 0101");
    input.is_data_using_allowed = Change::Set(true);
    let created = client.create_contact(&input, None).await.unwrap();

    let mut change = ContactInput { id: Some(created.id), ..ContactInput::new(created.email.clone()) };
    change.first_name = Change::set("Tessa");
    change.phone = Change::Clear;
    client.update_contact(created.id, &change).await.unwrap();
    let body = site.sandbox.requests().to(Route::UpdateContact).pop().unwrap().body.unwrap();
    let sent: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(sent, ["Email", "FirstName", "Id", "Phone"], "only what it sets or clears");

    let stored = client.get_contact(created.id).await.unwrap();
    assert_eq!(stored.first_name.as_deref(), Some("Tessa"), "set");
    assert_eq!(stored.phone, None, "cleared");
    assert_eq!(stored.last_name.as_deref(), Some("Three"), "kept");
    assert_eq!(stored.billing.city.as_deref(), Some("Bergen"), "kept: not sent as null");
    assert_eq!(stored.address.city.as_deref(), Some("Wellington"), "kept");
    assert_eq!(stored.is_data_using_allowed, Some(true), "kept: not sent as false");
    assert_eq!(stored.custom_crm_groups["Preferences"]["Newsletter"], json!(true), "kept: not sent as {{}}");
}

/// A site whose create answers 201 with an empty body (and lists the contact it made).
async fn site_with_empty_creates() -> (url::Url, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::routing::{get, post};
    let creates = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = creates.clone();
    let contact = json!({"Id": 77, "Email": "new@example.com", "FirstName": "Nova"});
    let app = axum::Router::new()
        .route("/api/v1/oauth/token", post(|| async { axum::Json(json!({"access_token": "t", "expires_in": 3600})) }))
        .route(
            "/api/v2/admin/contacts",
            post(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async { axum::http::StatusCode::CREATED }
            })
            .get(move || async move { axum::Json(json!({"Items": [contact], "TotalItemsCount": 1})) }),
        )
        .route("/health", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, creates)
}

#[tokio::test]
async fn a_create_answered_201_with_an_empty_body_is_created_and_found_by_its_email() {
    let (url, creates) = site_with_empty_creates().await;
    let credentials = SiteCredentials::new(url.as_str(), "id", SecretString::from("secret")).unwrap();
    let client = Client::with_options(credentials, common::quick_options()).unwrap();
    let created = client.create_contact(&ContactInput::new("new@example.com"), None).await.unwrap();
    assert_eq!(created.id, 77);
    assert_eq!(created.first_name.as_deref(), Some("Nova"));
    assert_eq!(creates.load(std::sync::atomic::Ordering::SeqCst), 1, "sent once, never repeated");
}

#[tokio::test]
async fn reads_succeed_through_bursts_of_429_and_5xx() {
    let site = common::site(5).await;
    let faults = site.sandbox.faults();
    faults.force(Route::ListContacts, Forced::Error(503), 2);
    faults.force(Route::ListContacts, Forced::Throttle, 1);
    faults.force(Route::ListContacts, Forced::Error(500), 1);
    let page = site.client.list_contacts(&ListQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 5);
    assert_eq!(site.sandbox.requests().to(Route::ListContacts).len(), 1, "the faults answered before the handler");
    assert_eq!(site.client.throttle_events(), 1);

    faults.force(Route::GetContact, Forced::Drop, 2);
    assert_eq!(site.client.get_contact(2).await.unwrap().id, 2, "dropped connections are retried for reads");
    assert_eq!(site.sandbox.requests().to(Route::GetContact).len(), 3);
}

#[tokio::test]
async fn reads_give_up_with_a_clear_error_when_faults_outlast_the_budget() {
    let site = common::site(1).await;
    site.sandbox.faults().set_route(Route::GetContact, FaultRule { error: 1.0, ..FaultRule::default() });
    let error = site.client.get_contact(1).await.unwrap_err();
    assert!(matches!(error, ApiError::Server { .. }), "{error:?}");
    assert!(error.to_string().contains("Try again"));
    assert_eq!(site.sandbox.requests().to(Route::GetContact).len(), 0, "no request reached the handler");
}

#[tokio::test]
async fn a_create_whose_reply_was_lost_is_not_sent_twice() {
    let site = common::site(0).await;
    site.sandbox.faults().force(Route::CreateContact, Forced::Drop, 1);
    let error = site.client.create_contact(&new_contact("once@example.com", "Only", "Once"), None).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }), "{error:?}");
    assert!(error.to_string().contains("not known whether"), "{error}");
    assert_eq!(site.sandbox.requests().to(Route::CreateContact).len(), 1, "sent once, never again");
    let found = site.client.list_contacts(&ListQuery::new(Where::field("Email").eq("once@example.com"))).await.unwrap();
    assert_eq!(found.items.len(), 1, "the contact exists exactly once");
}

#[tokio::test]
async fn a_create_that_met_a_5xx_or_a_password_that_met_a_drop_is_not_repeated() {
    let site = common::site(1).await;
    site.sandbox.faults().force(Route::CreateContact, Forced::Error(500), 1);
    let error = site.client.create_contact(&new_contact("x@example.com", "X", "Y"), None).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }));
    site.sandbox.faults().force(Route::SetPassword, Forced::Drop, 1);
    let error = site.client.set_password(1, &SecretString::from("new-password")).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }));
    assert_eq!(site.sandbox.requests().to(Route::SetPassword).len(), 1);
}

#[tokio::test]
async fn a_create_refused_with_429_is_safe_to_send_again() {
    let site = common::site(0).await;
    site.sandbox.faults().force(Route::CreateContact, Forced::Throttle, 1);
    let created = site.client.create_contact(&new_contact("later@example.com", "L", "T"), None).await.unwrap();
    assert!(created.id > 0);
    assert_eq!(site.sandbox.requests().to(Route::CreateContact).len(), 1, "the 429 came before the handler");
}

#[tokio::test]
async fn a_wrong_secret_gives_the_credentials_error() {
    let site = common::site(1).await;
    let mut credentials = site.sandbox.credentials();
    credentials.client_secret = SecretString::from("not-the-secret");
    let client = Client::with_options(credentials, common::quick_options()).unwrap();
    let error = client.list_contacts(&ListQuery::default()).await.unwrap_err();
    assert_eq!(error, ApiError::CredentialsRefused);
    assert!(error.to_string().contains("Settings > API Applications"));
    assert!(!error.to_string().contains("not-the-secret"));
    assert!(!format!("{client:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_and_the_call_repeated() {
    let site = common::site(2).await;
    site.client.get_contact(1).await.unwrap();
    site.sandbox.revoke_tokens();
    assert_eq!(site.client.get_contact(2).await.unwrap().id, 2);
    assert_eq!(site.sandbox.requests().to(Route::Token).len(), 2, "signed in again once");
}

#[tokio::test]
async fn a_token_is_reused_while_it_lives_beyond_the_renewal_margin() {
    // An hour's token is far outside the 30 s margin: however slow this machine, every call
    // reuses it.
    let mut config = SandboxConfig::new("");
    config.token_lifetime = Duration::from_secs(3600);
    let site = common::site_with(config, 2).await;
    for id in [1, 2, 1, 2] {
        site.client.get_contact(id).await.unwrap();
    }
    assert_eq!(site.sandbox.requests().to(Route::Token).len(), 1, "signed in once for four calls");
}

#[tokio::test]
async fn a_token_that_expires_within_the_renewal_margin_is_renewed_before_each_use() {
    // A 30 s token is inside the 30 s margin the moment it arrives, so no call may reuse it,
    // whatever the clock does. (The sandbox itself accepts it for 30 s, so each call succeeds.)
    let mut config = SandboxConfig::new("");
    config.token_lifetime = Duration::from_secs(30);
    let site = common::site_with(config, 2).await;
    for (done, id) in [1, 2, 1].into_iter().enumerate() {
        site.client.get_contact(id).await.unwrap();
        assert_eq!(site.sandbox.requests().to(Route::Token).len(), done + 1, "a new token for call {}", done + 1);
    }
}

#[tokio::test]
async fn a_token_is_renewed_once_it_comes_within_the_renewal_margin() {
    // A 31 s token is fresh for about a second, then inside the margin. Poll, against a
    // generous deadline, until a call signs in again: each call signs in at most once.
    let mut config = SandboxConfig::new("");
    config.token_lifetime = Duration::from_secs(31);
    let site = common::site_with(config, 2).await;
    let tokens = || site.sandbox.requests().to(Route::Token).len();
    site.client.get_contact(1).await.unwrap();
    assert_eq!(tokens(), 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        site.client.get_contact(2).await.unwrap();
        match tokens() {
            1 => assert!(std::time::Instant::now() < deadline, "the token was never renewed"),
            2 => break,
            more => panic!("{more} sign-ins: one call signed in more than once"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn slow_replies_time_out_as_network_errors_and_writes_as_unknown() {
    let site = common::site(1).await;
    site.sandbox
        .faults()
        .set(treepl_contacts::sandbox::FaultSpec::parse("get:latency=800ms;create:latency=800ms").unwrap());
    let options = ClientOptions {
        request_timeout: Duration::from_millis(200),
        retry: treepl_contacts::api::RetryPolicy::none(),
        ..ClientOptions::default()
    };
    let client = Client::with_options(site.sandbox.credentials(), options).unwrap();
    let error = client.get_contact(1).await.unwrap_err();
    assert!(matches!(error, ApiError::Network { timed_out: true, .. }), "{error:?}");
    let error = client.create_contact(&new_contact("slow@example.com", "S", "W"), None).await.unwrap_err();
    assert!(matches!(error, ApiError::OutcomeUnknown { .. }), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_site_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let credentials = SiteCredentials::new(&format!("http://127.0.0.1:{port}"), "id", SecretString::from("s")).unwrap();
    let client = Client::with_options(credentials, common::quick_options()).unwrap();
    let error = client.get_contact(1).await.unwrap_err();
    assert!(matches!(error, ApiError::Network { .. }), "{error:?}");
    assert!(error.to_string().contains("Could not reach the site"));
}

#[tokio::test]
async fn paging_fetches_every_contact_in_order_through_throttling() {
    let site = common::site(1234).await;
    // Some throttling for sure (the first two requests), and more at random while pages fly.
    site.sandbox
        .faults()
        .set(treepl_contacts::sandbox::FaultSpec::parse("list:throttle=0.2,retry-after=0;seed=4").unwrap());
    site.sandbox.faults().force(Route::ListContacts, Forced::Throttle, 2);
    let options = PagingOptions { max_in_flight: 4, page_size: 100, keyset: false, whole_lists_by_id: false };
    let query = ListQuery::default().order_by(OrderBy::asc("Email"));
    let mut last = None;
    let all = paging::fetch_all(&site.client, query.clone(), &options, &CancellationToken::new(), |p| last = Some(p))
        .await
        .unwrap();
    assert_eq!(all.len(), 1234);
    let emails: Vec<String> = all.iter().map(|c| c.email.to_lowercase()).collect();
    assert!(emails.windows(2).all(|w| w[0] < w[1]), "in order, none twice");
    assert_eq!(last.unwrap().fetched, 1234);
    assert!(site.client.throttle_events() >= 2, "the site did throttle");
}

#[tokio::test]
async fn paging_follows_a_server_cap_below_the_asked_limit() {
    let site = common::site(1100).await;
    let options = PagingOptions { max_in_flight: 3, page_size: 2000, keyset: false, whole_lists_by_id: false };
    let all = paging::fetch_all(&site.client, ListQuery::default(), &options, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(all.iter().map(|c| c.id).collect::<Vec<_>>(), (1..=1100).collect::<Vec<_>>());
    let offsets: Vec<String> =
        site.sandbox.requests().to(Route::ListContacts).iter().filter_map(|r| r.query_param("Offset")).collect();
    assert_eq!(offsets, ["0", "500", "1000"], "advanced by the 500 received, not the 2000 asked");
}

#[tokio::test]
async fn paging_can_be_cancelled() {
    let site = common::site(2000).await;
    site.sandbox.faults().set(treepl_contacts::sandbox::FaultSpec::parse("latency=30ms").unwrap());
    let cancel = CancellationToken::new();
    let options = PagingOptions { max_in_flight: 2, page_size: 100, keyset: false, whole_lists_by_id: false };
    let stopper = cancel.clone();
    let result = paging::fetch_all(&site.client, ListQuery::default(), &options, &cancel, move |p| {
        if p.fetched >= 300 {
            stopper.cancel();
        }
    })
    .await;
    assert_eq!(result.unwrap_err(), ApiError::Cancelled);
    assert!(site.sandbox.requests().to(Route::ListContacts).len() < 10);
}

#[tokio::test]
async fn paging_stays_stable_for_every_sort_field() {
    let site = common::site(240).await;
    let fields = [
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
        "CustomCrmGroups.Membership.Level",
        "CustomCrmGroups.Marketing.Score",
    ];
    let everyone = site.client.list_contacts(&ListQuery::default().page(0, 500)).await.unwrap().items;
    for field in fields {
        for descending in [false, true] {
            let order = OrderBy { field: field.to_owned(), descending };
            let options = PagingOptions { max_in_flight: 4, page_size: 7, keyset: false, whole_lists_by_id: false };
            let paged = paging::fetch_all(
                &site.client,
                ListQuery::default().order_by(order.clone()),
                &options,
                &CancellationToken::new(),
                |_| {},
            )
            .await
            .unwrap();
            let mut expected = everyone.clone();
            common::reference::sort(&mut expected, Some(&order));
            let got: Vec<i64> = paged.iter().map(|c| c.id).collect();
            let want: Vec<i64> = expected.iter().map(|c| c.id).collect();
            assert_eq!(got, want, "{order}");
        }
    }
}
