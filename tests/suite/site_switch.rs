//! Switching site while work for the old one is in flight (egui_kittest, the real app): what
//! belonged to the old site is let go at the switch, by every feature, so nothing of it is
//! left running or listed on the new one.

use crate::common;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use treepl_contacts::api::{Client, ListQuery, Where};
use treepl_contacts::app::SiteStatus;
use treepl_contacts::app::command::{Command, Target};
use treepl_contacts::app::history::HistoryCommand;
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};

use common::app::{AppUnderTest, TestKeyring};

/// A saved site whose secret is not in the keyring: switching to it fails to connect, so the
/// app stays between sites, where the bug showed.
fn profile_without_secret() -> SiteProfile {
    SiteProfile::new("Shop without a secret", "https://shop.example.com", "client-id")
}

fn sandbox_client(app: &AppUnderTest) -> Client {
    Client::with_options(app.state().shell.site.sandbox().unwrap().credentials(), common::quick_options()).unwrap()
}

#[test]
fn an_undo_in_flight_when_the_site_switches_is_let_go_with_the_old_sites_history() {
    let shop = profile_without_secret();
    let saved = shop.clone();
    let mut app = AppUnderTest::start_prepared(TestKeyring::mock(), 20, move |config| {
        ProfileFile::in_folder(config).save(&[saved]).unwrap();
    });

    // A delete on the sandbox, listed in History.
    let contact = app.state().grid.peek(3).cloned().unwrap();
    app.harness.get_by_label_contains(&contact.email).click();
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == contact.id && open.draft.is_some())
    });
    app.harness.get_by_label("Delete contact…").click();
    app.settle();
    app.harness.get_by_label("Delete").click();
    let client = sandbox_client(&app);
    let gone = |app: &AppUnderTest| app.runtime().block_on(client.get_contact(contact.id)).is_err();
    app.wait_until("the contact is deleted", gone);
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::H);
    let listed =
        format!("Deleted · {} {}, done", contact.first_name.as_deref().unwrap(), contact.last_name.as_deref().unwrap());
    app.wait_until("History lists the delete", |app| app.harness.query_by_label_contains(&listed).is_some());

    // Undo, and switch site in the same frame: the undo is surely still running.
    app.state_mut().send(Command::History(HistoryCommand::UndoLast));
    app.state_mut().send(Command::Open(Target::Profile(shop.id.clone())));
    app.wait_until("the shop failed to connect and the undo's task ended", |app| {
        matches!(app.state().shell.site.status, SiteStatus::Failed(_))
            && !app.state().shell.tasks.running().any(|(_, task)| task.label.starts_with("Undoing"))
    });
    app.settle();

    // Nothing of the sandbox's journal is listed for the shop, and no undo is running.
    assert!(
        app.harness.query_by_label_contains(&listed).is_none(),
        "the sandbox's delete is still listed while the shop is open"
    );
    assert!(!app.state().history.undoing, "an undo of the old site still counts as running");

    // Back on the sandbox: the undo that was sent did reach it (the contact is back, found by
    // its email), and Undo works again.
    app.state_mut().send(Command::Open(Target::Sandbox));
    app.wait_until("the sandbox is open again", |app| {
        app.state().shell.site.status == SiteStatus::Connected && app.rows_loaded()
    });
    let by_email = ListQuery::new(Where::field("Email").eq(contact.email.as_str()));
    let back = app.runtime().block_on(client.list_contacts(&by_email)).unwrap().items;
    assert_eq!(back.len(), 1, "the undo sent before the switch re-created the contact once");
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    app.settle();
    assert!(
        app.harness.query_by_label_contains("Wait for the undo in progress").is_none(),
        "Undo still says an undo is running"
    );
}
