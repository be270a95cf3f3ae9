//! The contact pane of the real app (egui_kittest, against its sandbox): edits in each panel
//! saved with Ctrl+S read back over the API exactly; a change on the site meanwhile opens the
//! three-way view; a failed save keeps the edit; leaving unsaved changes asks.

mod common;

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
    let field = app.harness.get_by_role_and_label(Role::TextInput, label);
    field.focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::TextInput, label).type_text(text);
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
