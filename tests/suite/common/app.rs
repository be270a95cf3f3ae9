//! The real app in an egui_kittest harness, on its own in-process sandbox site.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use secrecy::SecretString;
use treepl_contacts::app::AppConfig;
use treepl_contacts::app::clipboard::MemoryClipboard;
use treepl_contacts::app::credentials::{KeyringStore, SecretStore, SecretStoreError};
use treepl_contacts::app::export::{Chosen, FileChooser, SaveRequest};
use treepl_contacts::ui::TreeplApp;

/// Demo contacts in the app's sandbox unless a test asks for more.
pub const DEMO_CONTACTS: u64 = 40;

/// The mock keyring, recording what was stored; or a keyring that is not there at all.
/// Its calls can be made slow, or never to answer (a stuck unlock prompt).
pub struct TestKeyring {
    inner: Option<KeyringStore>,
    pub stored: Mutex<Vec<String>>,
    /// How long each call takes; `Duration::MAX`: it never answers.
    pub delay: Mutex<Duration>,
    /// Calls begun so far.
    pub calls: std::sync::atomic::AtomicUsize,
}

impl TestKeyring {
    /// The system's Secret Service (in CI, gnome-keyring on a private session bus).
    pub fn system() -> Arc<Self> {
        let inner = KeyringStore::system().expect("a Secret Service on the session bus");
        Arc::new(Self { inner: Some(inner), ..Self::default_parts() })
    }

    pub fn mock() -> Arc<Self> {
        Arc::new(Self { inner: Some(KeyringStore::mock()), ..Self::default_parts() })
    }

    pub fn missing() -> Arc<Self> {
        Arc::new(Self { inner: None, ..Self::default_parts() })
    }

    fn default_parts() -> Self {
        Self { inner: None, stored: Mutex::default(), delay: Mutex::default(), calls: Default::default() }
    }

    fn inner(&self) -> Result<&KeyringStore, SecretStoreError> {
        self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        if delay == Duration::MAX {
            loop {
                std::thread::park();
            }
        }
        std::thread::sleep(delay);
        self.inner.as_ref().ok_or_else(|| SecretStoreError::Unavailable("no Secret Service on the session bus".into()))
    }

    /// Whether the keyring holds a secret for `key` (asked without the delay).
    pub fn holds(&self, key: &str) -> bool {
        self.inner.as_ref().is_some_and(|k| k.get(key).unwrap().is_some())
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

/// The save dialog in tests: answers what `answer` holds (cancelled at first) and keeps
/// what it was asked.
#[derive(Default)]
pub struct TestChooser {
    pub answer: Mutex<Chosen>,
    pub asked: Mutex<Vec<SaveRequest>>,
}

impl TestChooser {
    pub fn answer(&self, path: PathBuf) {
        *self.answer.lock().unwrap() = Chosen::Path(path);
    }
}

impl FileChooser for TestChooser {
    fn save_path(&self, request: &SaveRequest) -> Chosen {
        self.asked.lock().unwrap().push(request.clone());
        self.answer.lock().unwrap().clone()
    }
}

pub struct AppUnderTest {
    pub harness: Harness<'static, TreeplApp>,
    pub keyring: Arc<TestKeyring>,
    pub config_dir: PathBuf,
    /// The save dialog's stand-in.
    pub chooser: Arc<TestChooser>,
    /// The clipboard's stand-in.
    pub clipboard: Arc<MemoryClipboard>,
    /// An empty folder for exported files.
    pub exports: PathBuf,
    folders: Folders,
    _runtime: tokio::runtime::Runtime,
}

/// Where the app under test keeps its files.
#[derive(Clone, Debug)]
pub struct Folders {
    pub config: PathBuf,
    pub data: PathBuf,
    pub exports: PathBuf,
    /// The built-in sandbox's faults (its `--faults` syntax).
    pub sandbox_faults: Option<String>,
    /// Removed with the app, when the folders are a temporary one's.
    owner: Option<Arc<tempfile::TempDir>>,
}

impl Folders {
    /// The folders the real binary uses under `home` (as `directories` names them on Linux),
    /// so that a test's app and the binary find each other's files.
    pub fn of_home(home: &std::path::Path) -> Self {
        Self {
            config: home.join(".config/treepl-contacts"),
            data: home.join(".local/share/treepl-contacts"),
            exports: home.join("exports"),
            sandbox_faults: None,
            owner: None,
        }
    }

    fn temporary() -> Self {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().to_owned();
        Self {
            config: root.join("config"),
            data: root.join("data"),
            exports: root.join("exports"),
            sandbox_faults: None,
            owner: Some(Arc::new(folder)),
        }
    }
}

impl AppUnderTest {
    pub fn start(keyring: Arc<TestKeyring>) -> Self {
        Self::start_with(keyring, DEMO_CONTACTS)
    }

    /// The app on a sandbox of `contacts` demo contacts, its first rows on screen.
    pub fn start_with(keyring: Arc<TestKeyring>, contacts: u64) -> Self {
        Self::start_prepared(keyring, contacts, |_| {})
    }

    /// As [`AppUnderTest::start_with`], after `prepare` has put files in the config folder.
    pub fn start_prepared(keyring: Arc<TestKeyring>, contacts: u64, prepare: impl FnOnce(&std::path::Path)) -> Self {
        let folders = Folders::temporary();
        std::fs::create_dir_all(&folders.config).unwrap();
        prepare(&folders.config);
        Self::start_in(keyring, contacts, folders)
    }

    /// Closes this app and starts it again on the same config and data folders (its
    /// sandbox database, its drafts), as a restart after a crash would find them.
    pub fn restart(self) -> Self {
        let Self { harness, keyring, folders, _runtime: runtime, .. } = self;
        drop(harness);
        treepl_contacts::app::shut_down(runtime);
        Self::start_in(keyring, 0, folders)
    }

    /// Where the app keeps its data (the sandbox database, drafts).
    pub fn data_dir(&self) -> PathBuf {
        self.folders.data.clone()
    }

    /// The app on `folders` (kept when the app closes), its first rows on screen.
    pub fn start_in(keyring: Arc<TestKeyring>, contacts: u64, folders: Folders) -> Self {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let exports = folders.exports.clone();
        std::fs::create_dir_all(&exports).unwrap();
        let contacts = if contacts == 0 { DEMO_CONTACTS } else { contacts };
        let chooser = Arc::new(TestChooser::default());
        let clipboard = Arc::new(MemoryClipboard::default());
        let config = AppConfig {
            config_dir: folders.config.clone(),
            data_dir: folders.data.clone(),
            keyring: keyring.clone(),
            sandbox_seed: contacts,
            client_options: super::quick_options(),
            file_chooser: chooser.clone(),
            sandbox_faults: folders.sandbox_faults.clone(),
            clipboard: clipboard.clone(),
        };
        let handle = runtime.handle().clone();
        let harness =
            Harness::builder().with_size([1200.0, 800.0]).build_eframe(move |cc| TreeplApp::new(cc, config, handle));
        let config_dir = folders.config.clone();
        let mut app = Self { harness, keyring, config_dir, chooser, clipboard, exports, folders, _runtime: runtime };
        app.wait_until("the sandbox contacts show", |app| app.rows_loaded());
        app
    }

    pub fn state(&self) -> &treepl_contacts::app::AppState {
        self.harness.state().state()
    }

    /// The runtime the app's tasks (and its sandbox) run on.
    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self._runtime
    }

    /// Every contact on the app's sandbox, in Id order, read page by page over its HTTP API
    /// with a plain loop (not through the app, nor its paging code).
    pub fn contacts_on_site(&self) -> Vec<treepl_contacts::api::Contact> {
        let sandbox = self.state().shell.site.sandbox().unwrap();
        contacts_on(sandbox, &self._runtime)
    }

    pub fn state_mut(&mut self) -> &mut treepl_contacts::app::AppState {
        self.harness.state_mut().state_mut()
    }

    /// Closes the app as its window would, then stops its runtime as `main` does; returns
    /// how long that took (or `None` when it was still stuck after 10 s).
    pub fn quit(self) -> Option<Duration> {
        let Self { mut harness, _runtime: runtime, folders, .. } = self;
        let (done, finished) = std::sync::mpsc::channel();
        let started = Instant::now();
        harness.state_mut().close();
        drop(harness);
        std::thread::spawn(move || {
            treepl_contacts::app::shut_down(runtime);
            let _ = done.send(started.elapsed());
        });
        let took = finished.recv_timeout(Duration::from_secs(10)).ok();
        drop(folders);
        took
    }

    /// Whether the grid knows its total and shows its first row.
    pub fn rows_loaded(&self) -> bool {
        let grid = &self.state().grid;
        grid.total().is_some() && (grid.total() == Some(0) || grid.peek(0).is_some())
    }

    /// Steps frames until `done` holds (background work finishes on its own time).
    pub fn wait_until(&mut self, what: &str, done: impl Fn(&Self) -> bool) {
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
    pub fn settle(&mut self) {
        self.harness.run_steps(3);
    }

    pub fn fill(&mut self, role: Role, label: &str, text: &str) {
        let field = self.harness.get_by_role_and_label(role, label);
        field.focus();
        field.type_text(text);
        self.settle();
    }

    pub fn fill_connect_dialog(&mut self, secret: &str) {
        let url = self.state().shell.site.sandbox().unwrap().url().to_string();
        self.harness.get_by_label("Connect a real site…").click();
        self.settle();
        self.fill_connect_fields("Shop", &url, secret);
    }

    /// Fills the open connect dialog.
    pub fn fill_connect_fields(&mut self, name: &str, url: &str, secret: &str) {
        self.fill(Role::TextInput, "Name", name);
        self.fill(Role::TextInput, "Site URL", url);
        self.fill(Role::TextInput, "Client ID", "sandbox");
        self.fill(Role::PasswordInput, "Client Secret", secret);
    }
}

/// Every contact on `sandbox` in Id order, read over HTTP with a plain loop.
pub fn contacts_on(
    sandbox: &treepl_contacts::sandbox::Sandbox,
    runtime: &tokio::runtime::Runtime,
) -> Vec<treepl_contacts::api::Contact> {
    use treepl_contacts::api::{Client, ListQuery, OrderBy};
    let client = Client::with_options(sandbox.credentials(), super::quick_options()).unwrap();
    runtime.block_on(async {
        let mut all = Vec::new();
        loop {
            let query = ListQuery::default().order_by(OrderBy::asc("Id")).page(all.len() as u64, 500);
            let page = client.list_contacts(&query).await.unwrap();
            if page.items.is_empty() {
                return all;
            }
            all.extend(page.items);
        }
    })
}
