//! The real app against a site whose contacts hold odd values (`sandbox --dialect
//! odd-values`): the editor shows a value it cannot read as "unreadable: <raw>" and an unset
//! yes/no as "not set", and a save through the pane (Ctrl+S) sends the contact back exactly as
//! the site sent it, but for the field typed.

use crate::common;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use serde_json::{Value, json};
use treepl_contacts::sandbox::{Route, Sandbox, SandboxConfig};

use common::app::{AppUnderTest, TestKeyring};

/// The site's reply to `GET path`, signed in with its default credentials: no model in the way.
async fn raw_get(site: &Sandbox, path: &str) -> Value {
    let base = site.url().as_str().trim_end_matches('/').to_owned();
    let http = reqwest::Client::new();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", treepl_contacts::sandbox::DEFAULT_CLIENT_ID),
        ("client_secret", treepl_contacts::sandbox::DEFAULT_CLIENT_SECRET),
    ];
    let token: Value =
        http.post(format!("{base}/api/v1/oauth/token")).form(&form).send().await.unwrap().json().await.unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap().json().await.unwrap()
}

fn open_in_pane(app: &mut AppUnderTest, email: &str, id: i64) {
    app.harness.get_by_label_contains(email).click();
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.draft.is_some())
    });
}

#[test]
fn the_editor_shows_odd_values_as_sent_and_saves_them_back_unchanged() {
    let mut app = AppUnderTest::start_with(TestKeyring::mock(), 20);
    let folder = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig::new(folder.path().join("odd.db"));
    config.seed = 10;
    config.dialect = "odd-values".parse().unwrap();
    let site = app.runtime().block_on(Sandbox::start(config)).expect("the odd site starts");
    let loaded = app.runtime().block_on(raw_get(&site, "/api/v2/admin/contacts/2"));
    let first = app.runtime().block_on(raw_get(&site, "/api/v2/admin/contacts/1"));
    let email = loaded["Email"].as_str().unwrap().to_owned();

    app.harness.get_by_label("Connect a real site…").click();
    app.settle();
    app.fill_connect_fields("Odd site", site.url().as_str(), "sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the odd site's contacts show", |app| {
        app.state().profiles.dialog.is_none()
            && (0..12).any(|i| app.state().grid.peek(i).is_some_and(|c| c.email == email))
    });

    open_in_pane(&mut app, first["Email"].as_str().unwrap(), 1);
    app.harness.get_by_label("Not set"); // Email confirmed: null
    app.harness.get_by_role_and_label(Role::CheckBox, "Data use").scroll_to_me();
    app.settle();
    app.harness.get_by_label("not set"); // Data use: null, not unchecked

    open_in_pane(&mut app, &email, 2);
    app.harness.get_by_label(r#"unreadable: "17/05/2024 18:18""#);
    app.harness.get_by_label(r#"unreadable: "maybe""#);
    app.harness.get_by_role_and_label(Role::MultilineTextInput, "Notes").scroll_to_me();
    app.settle();
    app.harness.get_by_role_and_label(Role::MultilineTextInput, "Notes").focus();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    app.harness.get_by_role_and_label(Role::MultilineTextInput, "Notes").type_text("Seen by the app");
    app.settle();
    app.harness.key_press(Key::Escape);
    app.settle();
    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::S);
    app.wait_until("the save lands", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == 2 && !open.saving && !open.is_dirty())
    });

    let put = site.requests().to(Route::UpdateContact).pop().and_then(|r| r.body).expect("a PUT");
    let mut expected = loaded;
    expected["Notes"] = json!("Seen by the app");
    assert_eq!(put, expected, "the contact as the site sent it, but for Notes");
    assert_eq!(app.runtime().block_on(raw_get(&site, "/api/v2/admin/contacts/2")), expected);
}
