//! The contact pane of the real app (egui_kittest, against its sandbox): edits in each panel
//! saved with Ctrl+S read back over the API exactly; a change on the site meanwhile opens the
//! three-way view; a failed save keeps the edit; leaving unsaved changes asks.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use serde_json::json;
use treepl_contacts::api::Contact;

use common::app::{AppUnderTest, TestKeyring};

/// A drawn row whose contact has a text, a boolean and a whole-number custom value.
fn contact_with_custom_values(app: &AppUnderTest) -> (u64, Contact) {
    (0..15)
        .filter_map(|i| app.state().grid.peek(i).map(|c| (i, c.clone())))
        .find(|(_, c)| {
            let groups = &c.custom_crm_groups;
            groups.get("Membership").is_some_and(|m| m.get("Level").is_some() && m.get("Points").is_some())
                && groups.get("Preferences").is_some_and(|p| p.get("Newsletter").is_some())
        })
        .expect("a seeded contact with Level, Points and Newsletter")
}

fn open_in_pane(app: &mut AppUnderTest, contact: &Contact) {
    app.harness.get_by_label_contains(&contact.email).click();
    let id = contact.id;
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.draft.is_some())
    });
}

/// Replaces the text of the input labelled `label`.
fn retype(app: &mut AppUnderTest, label: &str, text: &str) {
    retype_as(app, Role::TextInput, label, text);
}

fn retype_as(app: &mut AppUnderTest, role: Role, label: &str, text: &str) {
    app.harness.get_by_role_and_label(role, label).focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(role, label).type_text(text);
    app.settle();
}

#[test]
fn an_edit_in_each_panel_saved_with_ctrl_s_reads_back_exactly() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (_, contact) = contact_with_custom_values(&app);
    open_in_pane(&mut app, &contact);
    retype(&mut app, "First name", "Åsa");
    retype(&mut app, "City", "Tromsø");
    retype(&mut app, "Billing city", "Bodø");
    retype(&mut app, "Level", "Diamond");
    app.harness.get_by_role_and_label(Role::CheckBox, "Newsletter").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::CheckBox, "Newsletter").click();
    app.settle();
    app.harness.get_by_label("Points").scroll_to_me();
    app.settle();
    app.harness.get_by_label("Points").click();
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_label("Points").type_text("4321");
    app.harness.key_press(Key::Enter);
    app.settle();
    let changed = app.state().editor.open.as_ref().unwrap().changed();
    assert_eq!(changed.len(), 6, "{changed:?}");
    app.harness.get_by_label_contains("6 unsaved changes");
    // Click on the pane's heading so that no input has the keyboard, then Ctrl+S.
    app.harness.key_press(Key::Escape);
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    let id = contact.id;
    app.wait_until("the save lands", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && !open.saving && !open.is_dirty())
    });
    let stored = app.contacts_on_site().into_iter().find(|c| c.id == id).unwrap();
    assert_eq!(stored.first_name.as_deref(), Some("Åsa"));
    assert_eq!(stored.address.city.as_deref(), Some("Tromsø"));
    assert_eq!(stored.billing.city.as_deref(), Some("Bodø"));
    let groups = &stored.custom_crm_groups;
    assert_eq!(groups["Membership"]["Level"], json!("Diamond"));
    assert_eq!(groups["Membership"]["Points"], json!(4321));
    assert_eq!(
        groups["Preferences"]["Newsletter"],
        json!(!contact.custom_crm_groups["Preferences"]["Newsletter"].as_bool().unwrap())
    );
    assert_eq!(stored.last_name, contact.last_name, "what was not edited is as it was");
    // The grid's row shows the saved copy.
    assert_eq!(app.state().grid.loaded_contact(id).unwrap().first_name.as_deref(), Some("Åsa"));
}

/// Changes a contact as another user would, through the sandbox's own store.
fn change_on_the_site(app: &AppUnderTest, id: i64, field: &str, value: serde_json::Value) {
    let mut fields = serde_json::Map::new();
    fields.insert(field.to_owned(), value);
    app.state().shell.site.sandbox().unwrap().store().update_contact(id, &fields).unwrap();
}

fn save_and_wait(app: &mut AppUnderTest, id: i64) {
    app.harness.get_by_label_contains("Save changes").click();
    app.wait_until("the save ends", |app| app.state().editor.open.as_ref().is_some_and(|o| o.id == id && !o.saving));
}

fn stored(app: &AppUnderTest, id: i64) -> Contact {
    app.state().shell.site.sandbox().unwrap().store().get_contact(id).unwrap().unwrap()
}

#[test]
fn a_change_made_on_the_site_opens_the_three_way_view_and_each_choice_gives_the_expected_record() {
    for choice in ["keep theirs", "keep mine", "take theirs"] {
        let mut app = AppUnderTest::start(TestKeyring::mock());
        let contact = app.state().grid.peek(2).unwrap().clone();
        open_in_pane(&mut app, &contact);
        retype(&mut app, "City", "Stavanger");
        retype(&mut app, "Phone", "+47 555 0142");
        change_on_the_site(&app, contact.id, "City", json!("Bergen"));
        save_and_wait(&mut app, contact.id);
        app.harness.get_by_label("Someone changed this contact on the site since you opened it.");
        assert_eq!(stored(&app, contact.id).address.city.as_deref(), Some("Bergen"), "nothing was written");
        match choice {
            "take theirs" => app.harness.get_by_label("Take theirs").click(),
            "keep theirs" => {
                app.harness.get_by_label("City: keep the site's value").click();
                app.settle();
                app.harness.get_by_label("Save with these choices").click();
            }
            _ => {
                app.harness.get_by_label("City: keep your value").click();
                app.settle();
                app.harness.get_by_label("Save with these choices").click();
            }
        }
        let id = contact.id;
        app.wait_until("the choice is carried out", |app| {
            app.state().editor.open.as_ref().is_some_and(|o| o.conflict.is_none() && !o.saving)
        });
        let site = stored(&app, id);
        let (city, phone) = match choice {
            "take theirs" => ("Bergen", contact.phone.clone()),
            "keep theirs" => ("Bergen", Some("+47 555 0142".to_owned())),
            _ => ("Stavanger", Some("+47 555 0142".to_owned())),
        };
        assert_eq!(site.address.city.as_deref(), Some(city), "{choice}");
        assert_eq!(site.phone, phone, "{choice}");
    }
}

#[test]
fn the_sites_400_and_409_show_at_their_field_and_the_edit_is_kept() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (contact, other) = (app.state().grid.peek(1).unwrap().clone(), app.state().grid.peek(4).unwrap().clone());
    open_in_pane(&mut app, &contact);
    // Syntax the app lets through but the site refuses (400).
    retype(&mut app, "Email", "ase@example..no");
    save_and_wait(&mut app, contact.id);
    let shown = app.harness.query_all_by_label_contains("is not a valid email address").count();
    assert_eq!(shown, 1, "at the field only; the banner points at it");
    app.harness.get_by_label_contains("Not saved: the site refused the marked field");
    assert!(app.state().editor.open.as_ref().unwrap().problems()["Email"].contains("not a valid email"));
    assert_eq!(app.state().editor.open.as_ref().unwrap().draft.as_ref().unwrap().email, "ase@example..no", "kept");
    // Another contact's email (409), shown at the Email field.
    retype(&mut app, "Email", &other.email);
    save_and_wait(&mut app, contact.id);
    let open = app.state().editor.open.as_ref().unwrap();
    assert!(open.problems()["Email"].contains("already uses"), "{:?}", open.problems());
    assert!(open.save_error.is_some());
    assert!(app.harness.query_by_label("Retry").is_none(), "retrying data the site refused cannot help");
    assert_eq!(stored(&app, contact.id).email, contact.email, "nothing was written");
    // Revert puts it back; the field's error goes with the value it was about.
    app.harness.get_by_label("Revert Email").click();
    app.settle();
    let open = app.state().editor.open.as_ref().unwrap();
    assert_eq!(open.draft.as_ref().unwrap().email, contact.email);
    assert!(!open.problems().contains_key("Email"));
}

#[test]
fn leaving_a_contact_with_unsaved_changes_asks_save_discard_or_cancel() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (first, second) = (app.state().grid.peek(0).unwrap().clone(), app.state().grid.peek(3).unwrap().clone());
    open_in_pane(&mut app, &first);
    retype(&mut app, "City", "Narvik");
    app.harness.get_by_label_contains(&second.email).click();
    app.settle();
    let question =
        format!("Save the changes to {} {}?", first.first_name.clone().unwrap(), first.last_name.clone().unwrap());
    app.harness.get_by_label(&question);
    // Keys behind the question do nothing.
    app.harness.key_press(Key::ArrowDown);
    app.settle();
    app.harness.get_by_label("Cancel").click();
    app.settle();
    assert_eq!(app.state().editor.open.as_ref().unwrap().id, first.id, "still on the first contact");
    assert!(app.state().editor.is_dirty(), "the edit is kept");
    app.harness.get_by_label_contains(&second.email).click();
    app.settle();
    app.harness.get_by_label("Save").click();
    let id = second.id;
    app.wait_until("the second contact shows", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == id && o.draft.is_some())
    });
    assert_eq!(stored(&app, first.id).address.city.as_deref(), Some("Narvik"), "saved on the way");
}

#[test]
fn every_control_of_the_pane_has_an_accessible_name() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (_, contact) = contact_with_custom_values(&app);
    open_in_pane(&mut app, &contact);
    retype(&mut app, "City", "Bodø");
    app.harness.key_press(Key::Escape);
    // `run` settles the frames and fails on any visible input without a name: the top of
    // the pane, then its custom groups and notes, with changed fields (Revert buttons) shown.
    app.harness.run();
    app.harness.get_by_label("Points").scroll_to_me();
    app.harness.run();
    app.harness.get_by_role_and_label(Role::CheckBox, "Data use").scroll_to_me();
    app.harness.run();
    app.harness.get_by_label("Revert City");
}

fn draft_file(app: &AppUnderTest, id: i64) -> std::path::PathBuf {
    app.data_dir().join("drafts").join("sandbox").join(format!("{id}.json"))
}

#[test]
fn an_unsaved_edit_is_kept_on_disk_and_offered_back_after_a_restart() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = app.state().grid.peek(5).unwrap().clone();
    open_in_pane(&mut app, &contact);
    retype(&mut app, "City", "Hammerfest");
    let file = draft_file(&app, contact.id);
    app.wait_until("the draft is on disk", |_| file.exists());
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains("Hammerfest"), "{kept}");

    // As after a crash: the app goes without saving, and starts again on the same folders.
    let mut app = app.restart();
    app.wait_until("the draft is offered", |app| !app.state().editor.offered.is_empty());
    app.settle();
    app.harness.get_by_label("Unsaved changes from last time");
    let name = format!("{} {}", contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    app.harness.get_by_label(&format!("Open the changes to {name}")).click();
    app.settle();
    let open = app.state().editor.open.as_ref().unwrap();
    assert_eq!(open.id, contact.id);
    assert_eq!(open.draft.as_ref().unwrap().address.city.as_deref(), Some("Hammerfest"));
    assert!(open.is_dirty());
    app.harness.get_by_label_contains("Save changes").click();
    app.wait_until("the save lands and the draft is removed", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()) && !file.exists()
    });
    assert_eq!(stored(&app, contact.id).address.city.as_deref(), Some("Hammerfest"));
}

#[test]
fn a_draft_discarded_at_the_next_start_is_gone() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = app.state().grid.peek(6).unwrap().clone();
    open_in_pane(&mut app, &contact);
    retype(&mut app, "Phone", "+47 999 00 000");
    let file = draft_file(&app, contact.id);
    app.wait_until("the draft is on disk", |_| file.exists());
    let mut app = app.restart();
    app.wait_until("the draft is offered", |app| !app.state().editor.offered.is_empty());
    app.settle();
    let name = format!("{} {}", contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    app.harness.get_by_label(&format!("Discard the changes to {name}")).click();
    app.wait_until("the draft file is removed", |_| !file.exists());
    assert!(app.state().editor.offered.is_empty());
    assert_eq!(stored(&app, contact.id).phone, contact.phone, "nothing was saved");
}

#[test]
fn switching_site_or_quitting_with_unsaved_changes_asks_first() {
    use treepl_contacts::app::command::{Command, Target};
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = app.state().grid.peek(7).unwrap().clone();
    open_in_pane(&mut app, &contact);
    retype(&mut app, "City", "Alta");
    app.harness.key_press(Key::Escape);
    app.state_mut().send(Command::Open(Target::Sandbox));
    app.settle();
    let question =
        format!("Save the changes to {} {}?", contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    app.harness.get_by_label(&question);
    app.harness.get_by_label("Cancel").click();
    app.settle();
    assert!(app.state().editor.is_dirty(), "still here, edit kept");

    // Quitting: Save, and the window may close once it is written.
    app.state_mut().send(Command::Quit);
    app.settle();
    app.harness.get_by_label(&question);
    assert!(!app.state().quit_allowed);
    app.harness.get_by_label("Save").click();
    app.wait_until("the save lets the app quit", |app| app.state().quit_allowed);
    assert_eq!(stored(&app, contact.id).address.city.as_deref(), Some("Alta"));
}

#[test]
fn delete_from_the_pane_goes_through_the_same_confirmation_and_the_pane_lets_go() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = app.state().grid.peek(8).unwrap().clone();
    open_in_pane(&mut app, &contact);
    app.harness.get_by_label("Delete contact…").click();
    app.settle();
    let name = format!("{} {}", contact.first_name.clone().unwrap(), contact.last_name.clone().unwrap());
    app.harness.get_by_label(&format!("Delete 1 contact ({name})?"));
    app.harness.get_by_label("Delete").click();
    let id = contact.id;
    app.wait_until("the contact is gone", |app| {
        app.state().shell.site.sandbox().unwrap().store().get_contact(id).unwrap().is_none()
    });
    assert!(app.state().editor.open.is_none(), "the pane no longer shows it");
    assert_eq!(app.contacts_on_site().len() as u64, common::app::DEMO_CONTACTS - 1, "only that one went");
}

#[test]
fn ctrl_n_creates_a_contact_that_the_grid_then_selects_and_a_lost_reply_is_not_sent_twice() {
    use treepl_contacts::sandbox::{FaultRule, Route};
    for lost_reply in [false, true] {
        let mut app = AppUnderTest::start(TestKeyring::mock());
        if lost_reply {
            // The site creates the contact, then the connection drops before the reply.
            let drop = FaultRule { drop: 1.0, ..FaultRule::default() };
            app.state().shell.site.sandbox().unwrap().faults().set_route(Route::CreateContact, drop);
        }
        app.harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
        app.settle();
        app.harness.get_by_label("New contact");
        let email = format!("new.person.{lost_reply}@example.no");
        retype(&mut app, "Email", &email);
        retype(&mut app, "First name", "Ny");
        retype(&mut app, "City", "Bodø");
        retype_as(&mut app, Role::PasswordInput, "First password", "123");
        assert!(app.state().editor.open.as_ref().unwrap().problems().contains_key("Password"), "too short");
        retype_as(&mut app, Role::PasswordInput, "First password", "a-good-first-password");
        app.harness.key_press(Key::Escape);
        app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
        app.wait_until("the contact is created", |app| {
            app.state().editor.open.as_ref().is_some_and(|o| !o.is_new() && !o.saving)
        });
        let sandbox = app.state().shell.site.sandbox().unwrap();
        let creates = sandbox.requests().to(Route::CreateContact);
        assert_eq!(creates.len(), 1, "sent once (lost reply: {lost_reply})");
        assert_eq!(creates[0].body.as_ref().unwrap()["Password"], json!("<hidden>"), "the password went with it");
        let made: Vec<Contact> = app.contacts_on_site().into_iter().filter(|c| c.email == email).collect();
        assert_eq!(made.len(), 1);
        assert_eq!(made[0].address.city.as_deref(), Some("Bodø"));
        let id = made[0].id;
        assert_eq!(app.state().editor.open.as_ref().unwrap().id, id);
        assert!(app.state().grid.selection.contains(u64::MAX, id), "the grid selects it");
    }
}

#[test]
fn a_custom_field_seen_on_other_contacts_can_be_added_and_saved() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let lacking = (0..15)
        .filter_map(|i| app.state().grid.peek(i).cloned())
        .find(|c| c.custom_crm_groups.get("Membership").is_none_or(|m| !m.contains_key("Points")))
        .expect("a seeded contact without Membership.Points");
    open_in_pane(&mut app, &lacking);
    app.harness.get_by_label("Add a custom field").scroll_to_me();
    app.settle();
    app.harness.get_by_label("Add a custom field").click();
    app.settle();
    app.harness.get_by_label("Membership: Points").click();
    app.settle();
    let open = app.state().editor.open.as_ref().unwrap();
    assert!(open.changed().contains("CustomCrmGroups.Membership.Points"), "{:?}", open.changed());
    app.harness.get_by_label("Points");
    app.harness.get_by_label_contains("Save changes").click();
    let id = lacking.id;
    app.wait_until("saved", |app| app.state().editor.open.as_ref().is_some_and(|o| !o.saving && !o.is_dirty()));
    assert_eq!(stored(&app, id).custom_crm_groups["Membership"]["Points"], json!(0), "a number, as on the others");
}

#[test]
fn a_new_contact_being_typed_is_kept_too_and_created_once_restored() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::N);
    app.settle();
    retype(&mut app, "Email", "kept.new@example.no");
    retype(&mut app, "First name", "Kept");
    retype_as(&mut app, Role::PasswordInput, "First password", "never-on-disk-4711");
    let file = draft_file(&app, 0);
    app.wait_until("the new contact's draft is on disk", |_| file.exists());
    let kept = std::fs::read_to_string(&file).unwrap();
    assert!(kept.contains("kept.new@example.no") && !kept.contains("never-on-disk-4711"), "{kept}");
    let mut app = app.restart();
    app.wait_until("the draft is offered", |app| !app.state().editor.offered.is_empty());
    app.settle();
    app.harness.get_by_label("Open the changes to Kept").click();
    app.settle();
    assert!(app.state().editor.open.as_ref().unwrap().is_new());
    app.harness.get_by_label_contains("Save changes").click();
    app.wait_until("created, and the draft removed", |app| {
        app.state().editor.open.as_ref().is_some_and(|o| !o.is_new() && !o.saving) && !file.exists()
    });
    let made = app.contacts_on_site().into_iter().filter(|c| c.email == "kept.new@example.no").count();
    assert_eq!(made, 1);
}
