//! The change journal against the sandbox over real HTTP, in a real SQLite file: each write
//! is recorded with its copies and outcome; an entry left pending (the app stopped between
//! intent and outcome) is settled by reading the site; a zone change is undone only while
//! the site still has what it wrote.

use crate::common;

use treepl_contacts::api::{ApiError, Contact, ContactInput, ListQuery, SecureZone, Timestamp, Where};
use treepl_contacts::app::journal::undo::{Undone, undo_entry};
use treepl_contacts::app::journal::{
    Context, Filter, Intent, Journal, JournalOutcome, Operation, Writes, settle_pending,
};
use treepl_contacts::sandbox::{Forced, Route, SandboxConfig, SiteDialect};

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
    assert_eq!((entry.operation, entry.outcome, entry.contact), (Operation::Save, JournalOutcome::Failed, Some(1)));
    assert!(entry.detail.is_some_and(|d| !d.is_empty()), "the reason is kept");
    assert_eq!(entry.after, None, "nothing came back");
}

#[tokio::test]
async fn a_journal_that_did_not_open_refuses_writes_with_its_reason_and_nothing_is_sent() {
    let site = common::site(3).await;
    let folder = tempfile::tempdir().unwrap();
    let not_a_folder = folder.path().join("data");
    std::fs::write(&not_a_folder, "a file where the data folder should be").unwrap();
    let writes = Writes::new(site.client.clone(), Journal::open(&not_a_folder, "site"));
    assert!(writes.journal().is_none());
    let before = site.sandbox.store().get_contact(1).unwrap().unwrap();
    let mut edited = before.clone();
    edited.phone = Some("+64 21 000 000".to_owned());
    let error = writes.update(&before, &edited, Context::default()).await.unwrap_err();
    // The reason in the user's words: the folder the file system would not make.
    let io = std::fs::create_dir_all(not_a_folder.join("journal")).unwrap_err();
    assert_eq!(error, ApiError::Journal { message: format!("the change journal: {io}") });
    assert_eq!(site.sandbox.store().get_contact(1).unwrap().unwrap(), before, "nothing was sent");
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
    assert_eq!(outcome(reached), JournalOutcome::Done);
    assert_eq!(outcome(lost), JournalOutcome::Failed);
    assert_eq!(outcome(deleted), JournalOutcome::Done);
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
    assert_eq!(entry.outcome, JournalOutcome::Done);
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

#[tokio::test]
async fn a_delete_of_several_contacts_is_one_operation_undone_as_one_step() {
    use tokio_util::sync::CancellationToken;
    use treepl_contacts::api::ContactScope;
    use treepl_contacts::app::delete::delete_contacts;
    use treepl_contacts::app::journal::undo::undo_batch;
    use treepl_contacts::app::tasks::Progress;

    let site = common::site(6).await;
    let writes = site.writes();
    let gone: Vec<_> = futures::future::join_all([2, 3, 4].map(|id| site.client.get_contact(id))).await;
    let gone: Vec<_> = gone.into_iter().map(Result::unwrap).collect();
    let scope = ContactScope::ids(ListQuery::new(Where::All), [2, 3, 4]);
    let (cancel, progress) = (CancellationToken::new(), Progress::default());
    let outcome = delete_contacts(&writes, &scope, 3, &cancel, &progress).await;
    assert_eq!(outcome.deleted, 3);
    let journal = writes.journal().unwrap();
    let deletes = journal.entries(&Filter { operation: Some(Operation::Delete), ..Filter::default() }, 10).unwrap();
    let batch = deletes[0].batch.expect("one bulk operation");
    assert!(deletes.iter().all(|e| e.batch == Some(batch) && e.outcome == JournalOutcome::Done), "{deletes:?}");

    let report = undo_batch(&writes, batch, &cancel, &progress).await;
    assert_eq!(report.count(|u| matches!(u, Undone::Done(_))), 3, "{report:?}");
    for contact in gone {
        let query = ListQuery::new(Where::field("Email").eq(contact.email.as_str()));
        let back = site.client.list_contacts(&query).await.unwrap().items;
        assert_eq!(back.len(), 1, "{} is back, once", contact.email);
        assert_eq!(
            (&back[0].first_name, &back[0].custom_crm_groups),
            (&contact.first_name, &contact.custom_crm_groups)
        );
    }
    // The undo is one operation too, its entries marked as undoing the deletes.
    let creates = journal.entries(&Filter { operation: Some(Operation::Create), ..Filter::default() }, 10).unwrap();
    assert_eq!(creates.len(), 3);
    assert!(creates.iter().all(|e| e.batch.is_some() && e.batch != Some(batch) && e.undo_of.is_some()));
}

#[tokio::test]
async fn the_journal_exports_as_json_lines_and_drops_what_is_older_than_it_keeps() {
    let site = common::site(3).await;
    let writes = site.writes();
    let before = site.client.get_contact(1).await.unwrap();
    let mut edited = before.clone();
    edited.notes = Some("exported".to_owned());
    writes.update(&before, &edited, Context::default()).await.unwrap();
    writes.delete(3, Context::default()).await.unwrap();
    let journal = writes.journal().unwrap();
    let mut out = Vec::new();
    assert_eq!(journal.export_json_lines(&mut out).unwrap(), 2);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((lines[0]["operation"].as_str(), lines[1]["operation"].as_str()), (Some("save"), Some("delete")));
    assert_eq!(lines[0]["after"]["Notes"], "exported");
    // Kept 90 days: nothing goes today, nor 89 days from now; 91 days from now, both do.
    let now = chrono::Utc::now();
    assert_eq!(journal.prune(90).unwrap(), 0);
    assert_eq!(journal.prune_as_of(90, now + chrono::Duration::days(89)).unwrap(), 0);
    assert_eq!(journal.prune_as_of(90, now + chrono::Duration::days(91)).unwrap(), 2);
    assert!(journal.entries(&Filter::default(), 10).unwrap().is_empty());
}

/// A site that ignores `Where` and pages one contact at a time answers the lookup after a lost
/// create with another contact. Neither the create nor, after a restart, the settling of a
/// pending create may take that contact for the one created: the journal would name it, and
/// undoing the create would delete it.
#[tokio::test]
async fn a_lost_create_is_not_pinned_on_another_contact_by_a_site_that_ignores_the_filter() {
    let dialect = SiteDialect { where_ignored: true, ..SiteDialect::default() };
    let site = common::site_with(SandboxConfig { dialect, max_limit: 1, ..SandboxConfig::new("") }, 3).await;
    let writes = site.writes();
    let journal = writes.journal().unwrap().clone();
    site.sandbox.faults().force(Route::CreateContact, Forced::Drop, 1);
    let draft = Contact { email: "new.one@example.no".to_owned(), ..Contact::default() };

    let created = writes.create(&draft, None, Context::default()).await;

    let Err(ApiError::OutcomeUnknown { detail, .. }) = &created else { panic!("{created:?}") };
    assert!(detail.contains("ignored the filter"), "{detail}");
    let entry = journal.entries(&Filter::default(), 10).unwrap().remove(0);
    assert_eq!((entry.operation, entry.outcome, entry.contact), (Operation::Create, JournalOutcome::Unknown, None));

    // A create that a crash left pending: the site's answer settles nothing, and the entry
    // stays pending rather than naming contact 1.
    let intent = Intent { sent: serde_json::to_value(&draft).ok(), ..Intent::new(Operation::Create, None, "new") };
    let pending = journal.begin(&intent).unwrap();
    assert_eq!(settle_pending(&writes).await.unwrap(), 0);
    let entry = journal.entry(pending).unwrap().unwrap();
    assert_eq!((entry.outcome, entry.contact), (JournalOutcome::Pending, None));
}
