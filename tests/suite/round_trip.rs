//! Replies that vary (issue 23, part 2): contacts whose fields hold odd shapes load, show their
//! odd values as "unreadable", and go back to the site exactly as they came but for the field
//! the user changed; writes answered with an empty 204 are done and read again; zone dates a
//! site sends without a zone go back without one. Each against the sandbox in the dialect that
//! does it; expected values come from the site's raw replies and its database.

use crate::common;
use crate::scripted;

use secrecy::SecretString;
use serde_json::{Value, json};
use treepl_contacts::api::fields::field_value;
use treepl_contacts::api::{ListQuery, SecureZone, Timestamp};
use treepl_contacts::app::contact::save::{SaveOutcome, save_contact};
use treepl_contacts::app::related::zones::ZoneEditor;
use treepl_contacts::sandbox::store::{BIG_ID, ODD_INVOICE};
use treepl_contacts::sandbox::{Route, SandboxConfig, SiteListRequest};

async fn site_in(dialect: &str, seed: u64) -> common::Site {
    let mut config = SandboxConfig::new("");
    config.dialect = dialect.parse().expect("a dialect");
    common::site_with(config, seed).await
}

fn contact_path(id: i64) -> String {
    format!("/api/v2/admin/contacts/{id}")
}

/// The last contact PUT's body, as the site received it.
fn last_put(site: &common::Site) -> Value {
    site.sandbox.requests().to(Route::UpdateContact).pop().and_then(|r| r.body).expect("a PUT with a body")
}

#[tokio::test]
async fn odd_values_load_and_a_save_sends_them_back_as_they_came() {
    let site = site_in("odd-values", 10).await;
    let page = site.client.list_contacts(&ListQuery::default().page(0, 50)).await.expect("the page reads");
    assert_eq!(page.items.len(), 11, "every contact, the odd ones and the one with a large Id included");
    let writes = site.writes();

    for id in [1, 2, BIG_ID] {
        let loaded = common::raw_get(&site, &contact_path(id)).await;
        let base = site.client.get_contact(id).await.expect("an odd contact reads");
        assert_eq!(base.id, id, "the Id exactly");
        let mut edited = base.clone();
        edited.notes = Some(format!("Changed {id}"));
        let outcome = save_contact(&writes, &base, &edited, Default::default()).await;
        assert!(matches!(outcome, SaveOutcome::Saved(_)), "{id}: {outcome:?}");

        let mut expected = loaded.clone();
        expected["Notes"] = json!(format!("Changed {id}"));
        assert_eq!(last_put(&site), expected, "contact {id}: the loaded JSON but for Notes");
        assert_eq!(common::raw_get(&site, &contact_path(id)).await, expected, "contact {id} on the site");
    }
}

#[tokio::test]
async fn the_odd_shapes_read_as_sent_and_show_as_unreadable_when_they_cannot() {
    let site = site_in("odd-values", 10).await;
    let first = common::raw_get(&site, &contact_path(1)).await;
    assert_eq!(first["CustomCrmGroups"]["Odd"], Value::Null, "the dialect's null group");
    let first = site.client.get_contact(1).await.unwrap();
    assert_eq!(first.email_confirmed, None, "null is not false");
    assert_eq!(first.is_data_using_allowed, None);
    assert_eq!(first.contact_type, Some(2), "a number as text reads");
    assert_eq!(first.created_date.map(|d| d.to_wire()).as_deref(), Some("2024-05-17T18:18:39"));

    let second = site.client.get_contact(2).await.unwrap();
    let text = |field: &str| field_value(&second, field).to_text(|d| d.to_wire()).into_owned();
    assert_eq!(text("CreatedDate"), r#"unreadable: "17/05/2024 18:18""#);
    assert_eq!(text("IsDataUsingAllowed"), r#"unreadable: "maybe""#);
    assert_eq!(text("EmailConfirmed"), "yes", "\"true\" as text reads as true");
    assert_eq!(text("Phone"), "6421555123");

    // The order the dialect made odd: found on the site, then read through the client.
    let mut found = None;
    for id in 1..=10 {
        let orders = common::raw_get(&site, &format!("{}/orders?Limit=500", contact_path(id))).await;
        if orders["Items"].as_array().unwrap().iter().any(|o| o["InvoiceNumber"] == json!(ODD_INVOICE)) {
            found = Some(id);
            break;
        }
    }
    let owner = found.expect("a contact with the odd order");
    let orders = site.client.list_orders(owner, &ListQuery::default().page(0, 500)).await.expect("the orders read");
    let order = orders
        .items
        .iter()
        .find(|o| o.invoice_number.as_ref().map(ToString::to_string).as_deref() == Some(ODD_INVOICE));
    let order = order.expect("the invoice number kept as text");
    assert_eq!(treepl_contacts::app::text::invoice(order), format!("Invoice {ODD_INVOICE}"));
    assert_eq!(order.order_lines[0].attributes[0].options_ids, ["7", "b"]);
    assert_eq!(serde_json::to_value(order).unwrap()["InvoiceNumber"], json!(ODD_INVOICE));
}

#[tokio::test]
async fn writes_answered_with_an_empty_204_are_done_and_read_again() {
    let site = site_in("put-empty-204", 3).await;
    let store = site.sandbox.store();
    let writes = site.writes();

    // The site answers so.
    let token = common::raw_token(&site).await;
    let reply = reqwest::Client::new()
        .put(format!("{}{}", site.sandbox.url().as_str().trim_end_matches('/'), contact_path(3)))
        .bearer_auth(token)
        .json(&json!({"Notes": "raw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    assert!(reply.bytes().await.unwrap().is_empty());

    let base = site.client.get_contact(2).await.unwrap();
    let mut edited = base.clone();
    edited.notes = Some("After an empty reply".into());
    let SaveOutcome::Saved(saved) = save_contact(&writes, &base, &edited, Default::default()).await else {
        panic!("an empty success is a success")
    };
    assert_eq!(saved.notes.as_deref(), Some("After an empty reply"));
    let stored = store.get_contact(2).unwrap().unwrap();
    assert_eq!(stored.notes.as_deref(), Some("After an empty reply"));
    assert_eq!(site.sandbox.requests().to(Route::GetContact).len(), 3, "loaded, checked, and read again after");

    let zones_on_site = |id| store.list_zones(id, &SiteListRequest::default()).unwrap().unwrap().items;
    let (zone, _) = store.zone_catalog().unwrap().remove(0);
    store.set_zones(2, &[(zone, None)]).unwrap();
    let password = SecretString::from("a-new-password-1");
    let zones = writes.set_password(2, "Contact 2", &password).await.expect("set");
    assert!(site.sandbox.password_is(2, "a-new-password-1"));
    assert_eq!(zones, zones_on_site(2), "the zones, read again");

    assert_eq!(zones.iter().map(|z| z.id).collect::<Vec<_>>(), [zone]);

    let before = zones_on_site(2);
    let (other, other_name) = store.zone_catalog().unwrap().remove(1);
    let wanted = vec![SecureZone { id: other, name: other_name, ..SecureZone::default() }];
    let stored = writes.set_zones(2, "Contact 2", &before, &wanted, Default::default()).await.expect("saved");
    assert_eq!(stored, zones_on_site(2), "the zones, read again");
    assert_eq!(stored.iter().map(|z| z.id).collect::<Vec<_>>(), [other]);
}

#[tokio::test]
async fn zone_dates_without_a_zone_go_back_as_they_came() {
    let site = site_in("dates-without-zone", 3).await;
    let store = site.sandbox.store();
    let catalog = store.zone_catalog().unwrap();
    let (kept, changed) = (catalog[0].0, catalog[1].0);
    let (kept_at, changed_at) =
        (Timestamp::parse("2027-03-04T05:06:07.175Z"), Timestamp::parse("2027-08-09T10:11:12Z"));
    store.set_zones(1, &[(kept, kept_at), (changed, changed_at)]).unwrap();

    let raw = common::raw_get(&site, &format!("{}/secure-zones", contact_path(1))).await;
    let text_of = |zones: &Value, id: i64| {
        zones.as_array().unwrap().iter().find(|z| z["Id"] == json!(id)).map(|z| z["ExpiryDateTime"].clone()).unwrap()
    };
    assert_eq!(text_of(&raw["Items"], kept), json!("2027-03-04T05:06:07.175"), "the site writes no zone");

    let writes = site.writes();
    let before = site.client.list_secure_zones(1, &ListQuery::default()).await.unwrap().items;
    let mut editor = ZoneEditor::default();
    editor.draft = before.clone();
    let picked = Timestamp::parse("2028-01-02T03:04:05Z").unwrap();
    editor.set_expiry(changed, Some(picked));
    writes.set_zones(1, "Contact 1", &before, &editor.draft, Default::default()).await.expect("saved");

    let put = site.sandbox.requests().to(Route::SetSecureZones).pop().and_then(|r| r.body).unwrap();
    assert_eq!(text_of(&put, kept), text_of(&raw["Items"], kept), "unchanged: the same text");
    assert_eq!(text_of(&put, changed), json!("2028-01-02T03:04:05"), "a new date in the site's form");
    let stored = store.list_zones(1, &SiteListRequest::default()).unwrap().unwrap().items;
    let millis = |id: i64| stored.iter().find(|z| z.id == id).and_then(|z| z.expiry_date_time).map(|t| t.millis());
    assert_eq!(millis(kept), kept_at.map(|t| t.millis()), "not shifted");
    assert_eq!(millis(changed), Some(picked.millis()));
}

#[tokio::test]
async fn a_bulk_edit_and_its_undo_send_odd_contacts_back_as_they_came() {
    use tokio_util::sync::CancellationToken;
    use treepl_contacts::api::ContactScope;
    use treepl_contacts::app::bulk::edit::{Edits, FieldEdit};
    use treepl_contacts::app::bulk::run::{BulkAction, Targets, run_bulk};
    use treepl_contacts::app::journal::undo::undo_batch;
    use treepl_contacts::app::tasks::Progress;

    let site = site_in("odd-values", 10).await;
    let loaded = [common::raw_get(&site, &contact_path(1)).await, common::raw_get(&site, &contact_path(2)).await];
    let writes = site.writes();
    let action = BulkAction::Edit(Edits(vec![FieldEdit { field: "City".into(), value: Some(json!("Narvik")) }]));
    let scope = ContactScope::ids(ListQuery::default(), [1, 2]);
    let cancel = CancellationToken::new();
    let (batch, report) =
        run_bulk(&writes, &Targets::Scope(scope), 2, &action, &cancel, &Progress::default()).await.unwrap();
    assert_eq!(report.tally().done, 2, "{report:?}");
    let puts = |site: &common::Site| -> Vec<Value> {
        let mut bodies: Vec<Value> =
            site.sandbox.requests().to(Route::UpdateContact).into_iter().filter_map(|r| r.body).collect();
        bodies.sort_by_key(|b| b["Id"].as_i64());
        bodies
    };
    let edited: Vec<Value> = loaded
        .iter()
        .map(|l| {
            let mut e = l.clone();
            e["City"] = json!("Narvik");
            e
        })
        .collect();
    assert_eq!(puts(&site), edited, "the loaded JSON but for City");

    let report = undo_batch(&writes, batch.expect("a batch"), &cancel, &Progress::default()).await;
    assert_eq!(report.count(|u| matches!(u, treepl_contacts::app::journal::undo::Undone::Done(_))), 2, "{report:?}");
    let all = puts(&site);
    let undone: Vec<&Value> = all.iter().filter(|b| b["City"] != json!("Narvik")).collect();
    assert_eq!(undone, loaded.iter().collect::<Vec<_>>(), "the undo sends back what was loaded");
    for (id, before) in [1, 2].into_iter().zip(&loaded) {
        assert_eq!(&common::raw_get(&site, &contact_path(id)).await, before, "contact {id} as it was");
    }
}

#[tokio::test]
async fn an_empty_200_to_a_write_is_done_and_what_it_wrote_is_read_again() {
    use scripted::{Reply, Site, contact_reply, reply, token_reply};
    const ZONES: &str =
        r#"{"Items":[{"Id":4,"Name":"Gold","ExpiryDateTime":"2027-01-02T03:04:05"}],"TotalItemsCount":1}"#;
    let site = Site::start(None, |request| {
        Reply::Now(match (request.method.as_str(), request.target.as_str()) {
            _ if request.is_token() => token_reply(),
            ("GET", "/api/v2/admin/contacts/7") => contact_reply(7),
            ("GET", target) if target.starts_with("/api/v2/admin/contacts/7/secure-zones") => reply(200, "", ZONES),
            ("PUT", _) => reply(200, "", " "),
            _ => reply(404, "", ""),
        })
    })
    .await;
    let client = site.client();
    let loaded: treepl_contacts::api::Contact =
        serde_json::from_str(r#"{"Id":7,"Email":"ada@example.com","FirstName":"Ada"}"#).unwrap();
    let saved = client.update_contact(7, &loaded).await.expect("an empty 200 is a success");
    assert_eq!((saved.id, saved.first_name.as_deref()), (7, Some("Ada")), "the contact as read again");
    let zones = client.set_password(7, &SecretString::from("a-new-password-1")).await.expect("done");
    let expected: Vec<SecureZone> = serde_json::from_str::<Value>(ZONES)
        .map(|page| serde_json::from_value(page["Items"].clone()).unwrap())
        .unwrap();
    assert_eq!(zones, expected, "the zones, read again");
    let stored = client.set_secure_zones(7, &expected).await.expect("done");
    assert_eq!(stored, expected);
    let asked: Vec<(String, String)> =
        site.requests().into_iter().filter(|r| !r.is_token()).map(|r| (r.method, r.target)).collect();
    let methods: Vec<&str> = asked.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(methods, ["PUT", "GET", "PUT", "GET", "PUT", "GET"], "{asked:?}");
}
