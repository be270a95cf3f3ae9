//! The change journal against the sandbox over real HTTP, in a real SQLite file: each write
//! is recorded with its copies and outcome; an entry left pending (the app stopped between
//! intent and outcome) is settled by reading the site; a zone change is undone only while
//! the site still has what it wrote.

mod common;

use treepl_contacts::api::{ContactInput, ListQuery, SecureZone, Timestamp, Where};
use treepl_contacts::app::journal::undo::{Undone, undo_entry};
use treepl_contacts::app::journal::{Context, Filter, Intent, Operation, Outcome, settle_pending};
use treepl_contacts::sandbox::{Forced, Route};

fn zone(id: i64, name: &str, expiry_day: Option<i64>) -> SecureZone {
    SecureZone {
        id,
        name: name.to_owned(),
        expiry_date_time: expiry_day.and_then(|d| Timestamp::from_millis(1_900_000_000_000 + d * 86_400_000)),
        ..SecureZone::default()
    }
}

#[tokio::test]
async fn a_failed_write_is_recorded_as_failed_with_the_reason() {
    let site = common::site(3).await;
    let writes = site.writes();
    let before = site.client.get_contact(1).await.unwrap();
    let mut edited = before.clone();
    edited.phone = Some("+64 21 000 000".to_owned());
    site.sandbox.faults().force(Route::UpdateContact, Forced::Error(400), 1);
    assert!(writes.update(&before, &edited, Context::default()).await.is_err());
    let journal = writes.journal().unwrap();
    let entry = journal.entries(&Filter::default(), 10).unwrap().remove(0);
    assert_eq!((entry.operation, entry.outcome, entry.contact), (Operation::Save, Outcome::Failed, Some(1)));
    assert!(entry.detail.is_some_and(|d| !d.is_empty()), "the reason is kept");
    assert_eq!(entry.after, None, "nothing came back");
}

#[tokio::test]
async fn a_pending_entry_is_settled_by_what_the_site_holds() {
    let site = common::site(3).await;
    let writes = site.writes();
    let journal = writes.journal().unwrap().clone();
    let before = site.client.get_contact(1).await.unwrap();
    // The app stopped after sending: the save happened on the site, the outcome was never written.
    let mut applied = before.clone();
    applied.address.city = Some("Gisborne".to_owned());
    let sent = Intent {
        before: serde_json::to_value(&before).ok(),
        sent: serde_json::to_value(&applied).ok(),
        ..Intent::new(Operation::Save, Some(1), "one")
    };
    let reached = journal.begin(&sent).unwrap();
    site.client.update_contact(1, &ContactInput::from_contact(&applied)).await.unwrap();
    // And one that stopped before its request left.
    let mut never = before.clone();
    never.address.city = Some("Never Sent".to_owned());
    let lost = Intent { sent: serde_json::to_value(&never).ok(), ..Intent::new(Operation::Save, Some(2), "two") };
    let lost = journal.begin(&lost).unwrap();
    let deleted = journal.begin(&Intent::new(Operation::Delete, Some(3), "three")).unwrap();
    site.client.delete_contact(3).await.unwrap();

    assert_eq!(settle_pending(&writes).await.unwrap(), 3);
    let outcome = |id| journal.entry(id).unwrap().unwrap().outcome;
    assert_eq!(outcome(reached), Outcome::Done);
    assert_eq!(outcome(lost), Outcome::Failed);
    assert_eq!(outcome(deleted), Outcome::Done);
    assert!(journal.pending().unwrap().is_empty());
    let settled = journal.entry(reached).unwrap().unwrap();
    assert_eq!(settled.after.unwrap()["City"], "Gisborne", "the site's copy after");
}

#[tokio::test]
async fn a_zone_change_is_undone_only_while_the_site_still_has_what_it_wrote() {
    let site = common::site(3).await;
    let writes = site.writes();
    let read =
        || async { site.client.list_secure_zones(2, &ListQuery::new(Where::All).page(0, 100)).await.unwrap().items };
    let before = read().await;
    let wanted = vec![zone(1, "Members Area", Some(10)), zone(4, "VIP Lounge", None)];
    writes.set_zones(2, "two", &before, &wanted, Context::default()).await.unwrap();
    let journal = writes.journal().unwrap();
    let entry =
        journal.entries(&Filter { operation: Some(Operation::Zones), ..Filter::default() }, 10).unwrap().remove(0);
    assert_eq!(entry.outcome, Outcome::Done);
    assert_eq!(entry.before, serde_json::to_value(&before).ok());

    // Changed on the site since: left alone.
    let other = vec![zone(2, "Wine Club", None)];
    site.client.set_secure_zones(2, &other).await.unwrap();
    assert!(matches!(undo_entry(&writes, &entry, None).await, Undone::Skipped(_)));
    let key = |zones: Vec<SecureZone>| zones.into_iter().map(|z| (z.id, z.expiry_date_time)).collect::<Vec<_>>();
    assert_eq!(key(read().await), key(other));

    // As the change left it: put back.
    site.client.set_secure_zones(2, &wanted).await.unwrap();
    assert!(matches!(undo_entry(&writes, &entry, None).await, Undone::Done(_)));
    assert_eq!(key(read().await), key(before));
}
