//! The real app, driven through egui_kittest against its own in-process sandbox site:
//! clicks by label, keys, and text read back.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use secrecy::{ExposeSecret, SecretString};
use treepl_contacts::app::AppConfig;
use treepl_contacts::app::command::Target;
use treepl_contacts::app::credentials::{KeyringStore, SecretStore, SecretStoreError};
use treepl_contacts::app::settings::ThemeChoice;
use treepl_contacts::sandbox::{FaultRule, Route, seed};
use treepl_contacts::ui::TreeplApp;

const DEMO_CONTACTS: u64 = 40;

/// The mock keyring, recording what was stored; or a keyring that is not there at all.
struct TestKeyring {
    inner: Option<KeyringStore>,
    stored: Mutex<Vec<String>>,
}

impl TestKeyring {
    fn mock() -> Arc<Self> {
        Arc::new(Self { inner: Some(KeyringStore::mock()), stored: Mutex::new(Vec::new()) })
    }

    fn missing() -> Arc<Self> {
        Arc::new(Self { inner: None, stored: Mutex::new(Vec::new()) })
    }

    fn inner(&self) -> Result<&KeyringStore, SecretStoreError> {
        self.inner.as_ref().ok_or_else(|| SecretStoreError::Unavailable("no Secret Service on the session bus".into()))
    }
}

impl SecretStore for TestKeyring {
    fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        self.inner()?.get(key)
    }
    fn set(&self, key: &str, secret: &SecretString) -> Result<(), SecretStoreError> {
        self.inner()?.set(key, secret)?;
        self.stored.lock().unwrap().push(key.to_owned());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.inner()?.delete(key)
    }
    fn describe(&self) -> &'static str {
        "the test keyring"
    }
}

struct AppUnderTest {
    harness: Harness<'static, TreeplApp>,
    keyring: Arc<TestKeyring>,
    config_dir: PathBuf,
    _folder: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

impl AppUnderTest {
    fn start(keyring: Arc<TestKeyring>) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let folder = tempfile::tempdir().unwrap();
        let config = AppConfig {
            config_dir: folder.path().join("config"),
            data_dir: folder.path().join("data"),
            keyring: keyring.clone(),
            sandbox_seed: DEMO_CONTACTS,
            client_options: common::quick_options(),
        };
        let handle = runtime.handle().clone();
        let harness =
            Harness::builder().with_size([1200.0, 800.0]).build_eframe(move |cc| TreeplApp::new(cc, config, handle));
        let config_dir = folder.path().join("config");
        let mut app = Self { harness, keyring, config_dir, _folder: folder, _runtime: runtime };
        app.wait_until("the sandbox contacts show", |app| app.rows_loaded());
        app
    }

    fn state(&self) -> &treepl_contacts::app::AppState {
        self.harness.state().state()
    }

    /// Whether the grid knows its total and shows its first row.
    fn rows_loaded(&self) -> bool {
        let grid = &self.state().grid;
        grid.total.is_some() && (grid.total == Some(0) || grid.peek(0).is_some())
    }

    /// Steps frames until `done` holds (background work finishes on its own time).
    fn wait_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.harness.step();
            if done(self) {
                self.harness.step();
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A few frames: enough for a click to open a dialog and the dialog to draw.
    fn settle(&mut self) {
        self.harness.run_steps(3);
    }

    fn fill(&mut self, role: Role, label: &str, text: &str) {
        let field = self.harness.get_by_role_and_label(role, label);
        field.focus();
        field.type_text(text);
        self.settle();
    }

    fn fill_connect_dialog(&mut self, secret: &str) {
        let url = self.state().sandbox().unwrap().url().to_string();
        self.harness.get_by_label("Connect a real site…").click();
        self.settle();
        self.fill(Role::TextInput, "Name", "Shop");
        self.fill(Role::TextInput, "Site URL", &url);
        self.fill(Role::TextInput, "Client ID", "sandbox");
        self.fill(Role::PasswordInput, "Client Secret", secret);
    }
}

#[test]
fn the_first_start_shows_the_sandbox_banner_and_contacts() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Sandbox site: demo data");
    app.harness.get_by_label(&format!("{DEMO_CONTACTS} contacts"));
    let first = seed::demo_contact(0).contact;
    app.harness.get_by_label(&first.email);
    app.harness.get_by_label("Connected");
    // Settled: nothing animates, and every input has an accessible name.
    app.harness.run();
}

#[test]
fn a_profile_with_a_wrong_secret_shows_the_credentials_error_and_saves_nothing() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill_connect_dialog("not-the-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the save fails", |app| {
        app.state().connect_dialog.as_ref().is_some_and(|d| !d.saving && d.outcome.is_some())
    });
    app.harness.get_by_label_contains("The site refused these credentials");
    assert!(app.state().profiles.is_empty());
    assert!(app.keyring.stored.lock().unwrap().is_empty(), "nothing went to the keyring");
    assert!(!app.config_dir.join("profiles.json").exists(), "nothing went to the profiles file");
    assert_eq!(app.state().site.target, Target::Sandbox, "still on the sandbox");
}

#[test]
fn a_good_profile_keeps_its_secret_in_the_keyring_and_not_in_the_config_file() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Test connection").click();
    app.wait_until("the test passes", |app| app.state().connect_dialog.as_ref().is_some_and(|d| d.outcome.is_some()));
    app.harness.get_by_label(&format!("Connected: the site has {DEMO_CONTACTS} contacts."));
    assert!(app.keyring.stored.lock().unwrap().is_empty(), "a test saves nothing");

    app.harness.get_by_label("Save").click();
    app.wait_until("the site is saved and open", |app| {
        app.state().connect_dialog.is_none() && app.rows_loaded()
    });
    let profile = app.state().profiles[0].clone();
    assert_eq!(app.state().site.target, Target::Profile(profile.id.clone()));
    assert_eq!(*app.keyring.stored.lock().unwrap(), vec![profile.id.clone()]);
    let secret = app.keyring.get(&profile.id).unwrap().unwrap();
    assert_eq!(secret.expose_secret(), "sandbox-secret");
    let file = std::fs::read_to_string(app.config_dir.join("profiles.json")).unwrap();
    assert!(file.contains(&profile.id) && file.contains("Shop"));
    assert!(!file.contains("sandbox-secret"), "the secret is not in the config file");
    app.harness.get_by_label("Shop");
}

#[test]
fn with_no_keyring_the_secret_can_be_kept_for_this_session_only() {
    let mut app = AppUnderTest::start(TestKeyring::missing());
    app.fill_connect_dialog("sandbox-secret");
    app.harness.get_by_label("Save").click();
    app.wait_until("the keyring problem shows", |app| {
        app.state().connect_dialog.as_ref().is_some_and(|d| d.keyring_problem.is_some())
    });
    app.harness.get_by_label_contains("No keyring is available");
    app.harness.get_by_label("Keep for this session only").click();
    app.wait_until("the site is open", |app| {
        app.state().connect_dialog.is_none() && app.rows_loaded()
    });
    assert_eq!(app.state().profiles.len(), 1);
    assert!(!app.config_dir.join("profiles.json").exists(), "a session-only site is not written anywhere");
}

#[test]
fn the_command_palette_runs_a_command() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    app.settle();
    app.harness.get_by_label("Run a command");
    app.fill(Role::TextInput, "Run a command", "dark");
    app.harness.get_by_label("Theme: dark");
    assert!(app.harness.query_by_label("Theme: light").is_none(), "filtered out");
    app.harness.key_press(egui::Key::Enter);
    app.settle();
    assert_eq!(app.state().settings.theme, ThemeChoice::Dark);
    assert!(app.harness.query_by_label("Run a command").is_none(), "the palette closed");
}

#[test]
fn a_failed_task_shows_a_toast_and_keeps_it_in_the_notifications() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let sandbox = app.state().sandbox().unwrap();
    sandbox.faults().set_route(Route::ListContacts, FaultRule { error: 1.0, ..FaultRule::default() });
    app.harness.key_press(egui::Key::F5);
    app.wait_until("the refresh fails", |app| app.state().grid.error.is_some());
    app.harness.get_by_label("Could not load the contacts");
    app.harness.get_by_label("Notifications (1)").click();
    app.settle();
    assert!(app.state().notifications.panel_open);
    assert_eq!(app.harness.query_all_by_label("Could not load the contacts").count(), 2, "the toast and the history");
    app.harness.get_by_label("Dismiss").click();
    app.settle();
    assert_eq!(app.harness.query_all_by_label("Could not load the contacts").count(), 1, "the history keeps it");
}
