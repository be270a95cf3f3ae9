//! The editor's save path against the sandbox over HTTP: a save re-reads the contact and
//! writes only if nobody changed it meanwhile; after a conflict each choice of the
//! three-way view gives the expected record on the site.

use crate::common;

use std::collections::BTreeSet;

use serde_json::json;
use treepl_contacts::api::Contact;
use treepl_contacts::app::contact::save::{SaveOutcome, conflicts, merge, save_contact};
use treepl_contacts::sandbox::Route;

/// Changes a contact as another user would, through the sandbox's own store.
fn change_on_the_site(site: &common::Site, id: i64, field: &str, value: serde_json::Value) {
    let mut fields = serde_json::Map::new();
    fields.insert(field.to_owned(), value);
    site.sandbox.store().update_contact(id, &fields).unwrap();
}

async fn loaded(site: &common::Site, id: i64) -> Contact {
    site.client.get_contact(id).await.unwrap()
}

#[tokio::test]
async fn a_save_with_no_change_on_the_site_writes_the_whole_edit() {
    let site = common::site(5).await;
    let base = loaded(&site, 2).await;
    let mut edited = base.clone();
    edited.address.city = Some("Tromsø".into());
    edited.billing.country = Some("NO".into());
    edited.extra.insert("FromANewerSite".into(), json!({"kept": true}));
    let SaveOutcome::Saved(saved) = save_contact(&site.writes(), &base, &edited, Default::default()).await else {
        panic!("not saved")
    };
    assert_eq!(saved.address.city.as_deref(), Some("Tromsø"));
    let stored = site.sandbox.store().get_contact(2).unwrap().unwrap();
    assert_eq!(stored.address.city.as_deref(), Some("Tromsø"));
    assert_eq!(stored.billing.country.as_deref(), Some("NO"));
    let put = site.sandbox.requests().to(Route::UpdateContact).pop().unwrap().body.unwrap();
    assert_eq!(put["FromANewerSite"], json!({"kept": true}), "a field the app does not know goes back");
    assert_eq!(site.sandbox.requests().to(Route::GetContact).len(), 2, "loaded, then read again before the write");
}

#[tokio::test]
async fn a_change_made_on_the_site_meanwhile_is_a_conflict_and_nothing_is_written() {
    let site = common::site(5).await;
    let base = loaded(&site, 3).await;
    change_on_the_site(&site, 3, "City", json!("Bergen"));
    let mut edited = base.clone();
    edited.address.city = Some("Stavanger".into());
    edited.phone = Some("+47 555 0199".into());
    let SaveOutcome::Conflict { theirs } = save_contact(&site.writes(), &base, &edited, Default::default()).await
    else {
        panic!("not a conflict")
    };
    assert!(site.sandbox.requests().to(Route::UpdateContact).is_empty(), "nothing was written");
    let found = conflicts(&base, &theirs, &edited);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].field.as_str(), found[0].theirs.clone(), found[0].yours.clone()),
        ("City", json!("Bergen"), json!("Stavanger"))
    );
}

#[tokio::test]
async fn each_choice_of_the_three_way_view_gives_the_expected_record() {
    for (keep_theirs, expected_city) in [(true, "Bergen"), (false, "Stavanger")] {
        let site = common::site(5).await;
        let base = loaded(&site, 4).await;
        change_on_the_site(&site, 4, "City", json!("Bergen"));
        let mut edited = base.clone();
        edited.address.city = Some("Stavanger".into());
        edited.phone = Some("+47 555 0142".into());
        let SaveOutcome::Conflict { theirs } = save_contact(&site.writes(), &base, &edited, Default::default()).await
        else {
            panic!()
        };
        let keep: BTreeSet<String> = if keep_theirs { ["City".to_owned()].into() } else { BTreeSet::new() };
        let merged = merge(&base, &theirs, &edited, &keep);
        // Saved against their copy now: it is what the site has.
        let SaveOutcome::Saved(_) = save_contact(&site.writes(), &theirs, &merged, Default::default()).await else {
            panic!("not saved")
        };
        let stored = site.sandbox.store().get_contact(4).unwrap().unwrap();
        assert_eq!(stored.address.city.as_deref(), Some(expected_city), "keep theirs: {keep_theirs}");
        assert_eq!(stored.phone.as_deref(), Some("+47 555 0142"), "the user's other edit applies either way");
    }
}

#[tokio::test]
async fn under_faults_every_save_ends_saved_once_or_failed_with_a_reason_and_no_create_is_sent_twice() {
    use treepl_contacts::app::contact::save::create_contact;
    use treepl_contacts::sandbox::FaultSpec;
    let site = common::site(50).await;
    site.sandbox.faults().set(FaultSpec::parse("latency=1..20ms,error=0.3,drop=0.1,seed=3").unwrap());
    let (mut saved, mut failed) = (0, 0);
    for id in 1..=50_i64 {
        let Ok(base) = site.client.get_contact(id).await else {
            failed += 1;
            continue;
        };
        let mut edited = base.clone();
        edited.phone = Some(format!("+47 555 {id:04}"));
        let stored = || site.sandbox.store().get_contact(id).unwrap().unwrap();
        match save_contact(&site.writes(), &base, &edited, Default::default()).await {
            SaveOutcome::Saved(copy) => {
                saved += 1;
                assert_eq!(copy.phone, edited.phone);
                assert_eq!(stored().phone, edited.phone, "contact {id}: saved means on the site");
            }
            SaveOutcome::Failed(error) => {
                failed += 1;
                assert!(!error.to_string().is_empty());
                // Either it did not land, or it landed whole (a dropped reply): never half.
                let phone = stored().phone;
                assert!(phone == base.phone || phone == edited.phone, "contact {id}: {phone:?}");
            }
            SaveOutcome::Conflict { .. } => panic!("nobody else changed contact {id}"),
        }
    }
    assert!(saved > 25, "most saves get through the retries: {saved} saved, {failed} failed");

    for n in 0..50 {
        let email = format!("soak{n}@example.com");
        let draft = Contact { email: email.clone(), first_name: Some(format!("Soak {n}")), ..Contact::default() };
        let outcome = create_contact(&site.writes(), &draft, None).await;
        let sent = site
            .sandbox
            .requests()
            .to(Route::CreateContact)
            .iter()
            .filter(|r| r.body.as_ref().is_some_and(|b| b["Email"] == json!(email)))
            .count();
        assert!(sent <= 1, "{email} was sent {sent} times");
        let made = site
            .sandbox
            .store()
            .list_contacts(
                &treepl_contacts::sandbox::SiteListRequest::from_pairs([(
                    "Where",
                    json!({"Email": email}).to_string(),
                )])
                .unwrap(),
            )
            .unwrap()
            .total_items_count
            .unwrap_or(0);
        match outcome {
            SaveOutcome::Saved(created) => {
                assert_eq!(made, 1, "{email}");
                assert_eq!(created.email, email);
            }
            SaveOutcome::Failed(error) => {
                assert!(made <= 1, "{email}: {error}");
                assert!(!error.to_string().is_empty());
            }
            SaveOutcome::Conflict { .. } => unreachable!("a create has no conflict"),
        }
    }
}
