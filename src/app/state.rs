//! The app's state and the one place where commands become background work and where
//! the results of that work are folded back in.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use crate::api::paging::{self, PagingOptions};
use crate::api::{ApiError, Client, ClientOptions, Contact, ContactId, ListQuery, Page, SiteCredentials, Where};
use crate::sandbox::{Sandbox, SandboxConfig};

use super::command::{Command, ProfileDraft, Target};
use super::credentials::{self, SecretStore, SecretStoreError, SessionStore};
use super::grid::{Grid, PageRequest, Selection};
use super::layout::GridLayout;
use super::notifications::{Level, Notifications};
use super::profiles::{ProfileFile, SiteProfile};
use super::settings::Settings;
use super::tasks::TaskRunner;
use crate::export::{ExportError, ExportSettings, ExportSummary, run_export};
use tokio_util::sync::CancellationToken;

use super::export::{Chosen, ExportDialog, ExportStage, FileChooser, SaveRequest, export_scope, folder_of};
use super::text::thousands;

/// What the app needs from its surroundings; tests give temporary folders and a mock keyring.
#[derive(Clone)]
pub struct AppConfig {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub keyring: Arc<dyn SecretStore>,
    /// Demo contacts put into a new sandbox database.
    pub sandbox_seed: u64,
    pub client_options: ClientOptions,
    /// Where exports go: the native save dialog, or a fixed path in tests.
    pub file_chooser: Arc<dyn FileChooser>,
}

/// What a background task hands back.
pub enum TaskResult {
    ProfilesLoaded(Result<Vec<SiteProfile>, String>),
    SandboxStarted(Result<Sandbox, String>),
    SecretFetched {
        profile: SiteProfile,
        result: Result<Option<SecretString>, SecretStoreError>,
    },
    GridPage {
        connection: u64,
        generation: u64,
        page: u64,
        result: Result<Page<Contact>, ApiError>,
    },
    /// Which of the selected ids still exist after a refresh.
    SelectionChecked {
        connection: u64,
        existing: Result<BTreeSet<ContactId>, ApiError>,
    },
    ContactOpened {
        connection: u64,
        id: ContactId,
        result: Result<Box<Contact>, ApiError>,
    },
    ContactsDeleted {
        connection: u64,
        deleted: u64,
        failure: Option<ApiError>,
    },
    ConnectionTested {
        draft: ProfileDraft,
        result: Result<u64, ApiError>,
    },
    ProfileSaved(Result<SavedProfile, SaveFailure>),
    ProfileRemoved {
        id: String,
        result: Result<(), String>,
    },
    /// The save dialog closed.
    ExportFileChosen(Chosen),
    Exported(Result<ExportSummary, ExportError>),
}

pub struct SavedProfile {
    profile: SiteProfile,
    client: Client,
    session_only: bool,
}

/// Why a profile was not saved; nothing of it was kept.
pub enum SaveFailure {
    Connection(ApiError),
    Keyring(SecretStoreError),
    File(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SiteStatus {
    Connecting,
    Connected,
    Failed(String),
}

/// The site the app works on.
pub struct Site {
    pub target: Target,
    pub name: String,
    pub status: SiteStatus,
    pub client: Option<Client>,
    /// Bumped on every switch, so that late results for the previous site are dropped.
    connection: u64,
}

/// A contact opened from the grid: the fresh copy from the site, once it is in.
pub struct ContactWindow {
    pub id: ContactId,
    pub contact: Option<Contact>,
    pub error: Option<String>,
}

/// The connect dialog's data: the draft and how testing or saving it went.
#[derive(Default)]
pub struct ConnectDialog {
    pub draft: ProfileDraft,
    pub testing: bool,
    pub saving: bool,
    /// The outcome of the last test or save, for the user.
    pub outcome: Option<Result<String, String>>,
    /// Set when the keyring refused: the dialog offers to keep the secret for this session.
    pub keyring_problem: Option<String>,
}

pub struct AppState {
    config: AppConfig,
    pub settings: Settings,
    pub profiles: Vec<SiteProfile>,
    /// Profiles kept for this session only (no keyring): never written to the profiles file.
    session_profiles: HashSet<String>,
    session_secrets: Arc<SessionStore>,
    pub site: Site,
    sandbox: Option<Sandbox>,
    pub grid: Grid,
    pub open_contacts: Vec<ContactWindow>,
    pub tasks: TaskRunner<TaskResult>,
    pub notifications: Notifications,
    pub connect_dialog: Option<ConnectDialog>,
    pub export_dialog: Option<ExportDialog>,
    queue: Vec<Command>,
}

impl AppState {
    /// Starts loading the profiles; the site opens when they are in.
    pub fn new(config: AppConfig, settings: Settings, runtime: tokio::runtime::Handle, ctx: egui::Context) -> Self {
        let mut state = Self {
            config,
            settings,
            profiles: Vec::new(),
            session_profiles: HashSet::new(),
            session_secrets: Arc::new(SessionStore::default()),
            site: Site {
                target: Target::Sandbox,
                name: "Starting…".to_owned(),
                status: SiteStatus::Connecting,
                client: None,
                connection: 0,
            },
            sandbox: None,
            grid: Grid::default(),
            open_contacts: Vec::new(),
            tasks: TaskRunner::new(runtime, ctx),
            notifications: Notifications::default(),
            connect_dialog: None,
            export_dialog: None,
            queue: Vec::new(),
        };
        let file = state.profile_file();
        state.tasks.spawn("Reading site profiles", async move {
            let loaded = tokio::task::spawn_blocking(move || file.load().map_err(|e| e.to_string())).await;
            TaskResult::ProfilesLoaded(loaded.unwrap_or_else(|e| Err(e.to_string())))
        });
        state
    }

    /// Queues a command; it runs at the end of the frame.
    pub fn send(&mut self, command: Command) {
        self.queue.push(command);
    }

    /// Carries out the queued commands, then fetches the grid pages the table needs.
    pub fn run_commands(&mut self) {
        for command in std::mem::take(&mut self.queue) {
            self.execute(command);
        }
        self.fetch_grid_pages();
    }

    /// The grid layout of the site open now.
    pub fn layout(&self) -> GridLayout {
        self.settings.layouts.get(&self.site_key()).cloned().unwrap_or_default()
    }

    pub fn layout_mut(&mut self) -> &mut GridLayout {
        let key = self.site_key();
        self.settings.layouts.entry(key).or_default()
    }

    /// The key of the open site for per-site settings.
    pub fn site_key(&self) -> String {
        match &self.site.target {
            Target::Sandbox => "sandbox".to_owned(),
            Target::Profile(id) => id.clone(),
        }
    }

    /// The sandbox's URL, when it runs (for tests and the banner).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// Where secrets are kept, for the connect dialog.
    pub fn keyring_description(&self) -> &'static str {
        self.config.keyring.describe()
    }

    pub fn is_session_only(&self, profile_id: &str) -> bool {
        self.session_profiles.contains(profile_id)
    }

    fn profile_file(&self) -> ProfileFile {
        ProfileFile::in_folder(&self.config.config_dir)
    }

    fn execute(&mut self, command: Command) {
        match command {
            Command::Open(target) => self.open(target),
            Command::Refresh => self.refresh(),
            Command::SetQuery(query) => self.grid.set_query(query),
            Command::OpenContact(id) => self.open_contact(id),
            Command::DeleteSelected => self.delete_selected(),
            Command::TestConnection(draft) => self.test_connection(draft),
            Command::SaveProfile { draft, session_only } => self.save_profile(draft, session_only),
            Command::RemoveProfile(id) => self.remove_profile(id),
            Command::Cancel(id) => match &self.export_dialog {
                Some(ExportDialog { stage: ExportStage::Running { task, .. }, .. }) if *task == id => {
                    self.cancel_export()
                }
                _ => self.tasks.cancel(id),
            },
            Command::ChooseExportFile => self.choose_export_file(),
            Command::ExportTo(path) => {
                if self.export_dialog.as_ref().is_some_and(ExportDialog::can_start) {
                    self.export_file_chosen(Chosen::Path(path));
                }
            }
            Command::CancelExport => self.cancel_export(),
        }
    }

    fn switch_to(&mut self, target: Target, name: String) {
        self.site.connection += 1;
        self.site.target = target;
        self.site.name = name;
        self.site.status = SiteStatus::Connecting;
        self.site.client = None;
        self.grid = Grid::default();
        self.open_contacts.clear();
    }

    fn open(&mut self, target: Target) {
        match &target {
            Target::Sandbox => {
                self.switch_to(Target::Sandbox, "Sandbox site".to_owned());
                self.settings.last_profile = None;
                if let Some(sandbox) = &self.sandbox {
                    let client = Client::with_options(sandbox.credentials(), self.config.client_options.clone());
                    self.connected(client);
                    return;
                }
                let mut config = SandboxConfig::new(self.config.data_dir.join("sandbox.db"));
                config.seed = self.config.sandbox_seed;
                let folder = self.config.data_dir.clone();
                let demo_contacts = config.seed;
                self.tasks.spawn_with_progress("Preparing the sandbox site", move |progress| async move {
                    let started = async {
                        tokio::fs::create_dir_all(&folder).await.map_err(|e| format!("{}: {e}", folder.display()))?;
                        let seeded = move |done| progress.set(done, Some(demo_contacts));
                        Sandbox::start_with_progress(config, seeded).await.map_err(|e| e.to_string())
                    };
                    TaskResult::SandboxStarted(started.await)
                });
            }
            Target::Profile(id) => {
                let Some(profile) = self.profiles.iter().find(|p| &p.id == id).cloned() else {
                    self.notifications.error("Unknown site", "That site profile no longer exists.");
                    return;
                };
                self.switch_to(target.clone(), profile.name.clone());
                self.settings.last_profile = Some(profile.id.clone());
                let store = self.secret_store_for(&profile.id);
                let key = profile.id.clone();
                self.tasks.spawn(format!("Reading the secret of {}", profile.name), async move {
                    let result = credentials::call_with_timeout(store, move |s| s.get(&key)).await;
                    TaskResult::SecretFetched { profile, result }
                });
            }
        }
    }

    fn secret_store_for(&self, profile_id: &str) -> Arc<dyn SecretStore> {
        if self.session_profiles.contains(profile_id) {
            self.session_secrets.clone()
        } else {
            Arc::clone(&self.config.keyring)
        }
    }

    fn connected(&mut self, client: Result<Client, ApiError>) {
        match client {
            Ok(client) => {
                self.site.client = Some(client);
                self.site.status = SiteStatus::Connected;
                self.grid.reload();
            }
            Err(error) => self.site.status = SiteStatus::Failed(error.to_string()),
        }
    }

    /// Starts loading the pages the grid asks for (after the frame told it what shows).
    fn fetch_grid_pages(&mut self) {
        let Some(client) = self.site.client.clone() else { return };
        let connection = self.site.connection;
        for PageRequest { generation, page, query, cancel } in self.grid.requests() {
            let client = client.clone();
            self.tasks.spawn_unlisted(cancel, async move {
                let result = client.list_contacts(&query).await;
                TaskResult::GridPage { connection, generation, page, result }
            });
        }
    }

    /// Loads what shows again, keeping the scroll position and the selection of the
    /// contacts that still exist.
    fn refresh(&mut self) {
        self.grid.reload();
        let (Some(client), Selection::Ids(ids)) = (self.site.client.clone(), &self.grid.selection) else { return };
        if ids.is_empty() {
            return;
        }
        let ids: Vec<ContactId> = ids.iter().copied().collect();
        let connection = self.site.connection;
        self.tasks.spawn("Checking the selection", async move {
            let existing = async {
                let mut existing = BTreeSet::new();
                for chunk in ids.chunks(crate::sandbox::MAX_LIMIT as usize) {
                    let query =
                        ListQuery::new(Where::field("Id").is_in(chunk.iter().copied())).page(0, chunk.len() as u32);
                    existing.extend(client.list_contacts(&query).await?.items.iter().map(|c| c.id));
                }
                Ok(existing)
            }
            .await;
            TaskResult::SelectionChecked { connection, existing }
        });
    }

    fn open_contact(&mut self, id: ContactId) {
        let Some(client) = self.site.client.clone() else { return };
        if !self.open_contacts.iter().any(|w| w.id == id) {
            let cached = self.grid.loaded_contact(id).cloned();
            self.open_contacts.push(ContactWindow { id, contact: cached, error: None });
        }
        let connection = self.site.connection;
        self.tasks.spawn(format!("Opening contact {id}"), async move {
            let result = client.get_contact(id).await.map(Box::new);
            TaskResult::ContactOpened { connection, id, result }
        });
    }

    /// Deletes the selected contacts one by one (every match, for a Ctrl+A selection), with
    /// progress and Cancel; then reloads the grid.
    /// Opens the export dialog for the grid as it is (selection, columns, last options).
    pub fn open_export_dialog(&mut self) {
        if self.export_dialog.as_ref().is_some_and(ExportDialog::is_busy) {
            return;
        }
        let columns = self.layout().visible().map(|c| c.field.clone()).collect();
        self.export_dialog = Some(ExportDialog::new(&self.grid, columns, &self.settings.export));
    }

    /// Opens the save dialog off the UI thread; the export starts once a file is chosen.
    fn choose_export_file(&mut self) {
        let Some(dialog) = self.export_dialog.as_mut().filter(|d| d.can_start()) else { return };
        dialog.stage = ExportStage::ChoosingFile;
        dialog.error = None;
        let request = SaveRequest {
            folder: self.settings.export.last_folder.clone(),
            file_name: dialog.suggested_file_name(),
            format: dialog.settings.format,
        };
        let chooser = Arc::clone(&self.config.file_chooser);
        self.tasks.spawn_unlisted(CancellationToken::new(), async move {
            let chosen = tokio::task::spawn_blocking(move || chooser.save_path(&request)).await;
            TaskResult::ExportFileChosen(chosen.unwrap_or_default())
        });
    }

    fn export_file_chosen(&mut self, chosen: Chosen) {
        let Some(dialog) = self.export_dialog.as_mut() else { return };
        let path = match chosen {
            Chosen::Path(path) => path,
            Chosen::Cancelled => {
                dialog.stage = ExportStage::Editing;
                return;
            }
            Chosen::NoDialog => {
                dialog.stage = ExportStage::Editing;
                let folder = self
                    .settings
                    .export
                    .last_folder
                    .clone()
                    .or_else(|| directories::UserDirs::new().map(|d| d.home_dir().to_owned()));
                let suggested = folder.unwrap_or_default().join(dialog.suggested_file_name());
                dialog.typed_path.get_or_insert_with(|| suggested.display().to_string());
                return;
            }
        };
        let Some(client) = self.site.client.clone() else {
            dialog.stage = ExportStage::Editing;
            dialog.error = Some("Not connected to a site.".to_owned());
            return;
        };
        let settings = dialog.settings.clone();
        self.settings.export.settings = ExportSettings { columns: Vec::new(), ..settings.clone() };
        self.settings.export.last_folder = folder_of(&path);
        let scope = export_scope(&self.grid, dialog.scope);
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let runtime = self.tasks.runtime().clone();
        let target = path.clone();
        let error_path = path.clone();
        let task = self.tasks.spawn_cancellable(format!("Exporting {name}"), move |cancel, progress| async move {
            // Fetching and writing run together on a blocking thread: the file writes never
            // hold up the runtime's workers, nor the UI.
            let work = tokio::task::spawn_blocking(move || {
                let report = |written, total| progress.set(written, total);
                runtime.block_on(run_export(
                    &client,
                    &scope,
                    &settings,
                    &target,
                    &PagingOptions::default(),
                    &cancel,
                    report,
                ))
            });
            let result = work.await.unwrap_or_else(|stopped| {
                let source = std::io::Error::other(format!("the export stopped unexpectedly ({stopped})"));
                Err(ExportError::File { path: error_path, source })
            });
            TaskResult::Exported(result)
        });
        if let Some(dialog) = self.export_dialog.as_mut() {
            dialog.stage = ExportStage::Running { task, path };
        }
    }

    fn cancel_export(&mut self) {
        let Some(dialog) = self.export_dialog.as_mut() else { return };
        if let ExportStage::Running { task, .. } = dialog.stage {
            self.tasks.cancel(task);
            self.notifications.push(Level::Info, "Export cancelled", "No file was written.");
        }
        self.export_dialog = None;
    }

    fn exported(&mut self, result: Result<ExportSummary, ExportError>) {
        match result {
            Ok(summary) => {
                let message = format!("{} contacts to {}", thousands(summary.contacts), summary.path.display());
                self.notifications.push(Level::Success, "Export finished", message);
                self.export_dialog = None;
            }
            Err(ExportError::Cancelled) => self.export_dialog = None,
            Err(error) => match self.export_dialog.as_mut() {
                Some(dialog) => {
                    dialog.stage = ExportStage::Editing;
                    dialog.error = Some(error.to_string());
                }
                None => self.notifications.error("The export failed", error.to_string()),
            },
        }
    }

    fn delete_selected(&mut self) {
        let Some(client) = self.site.client.clone() else { return };
        let selection = self.grid.selection.clone();
        let filter = self.grid.query.filter();
        let connection = self.site.connection;
        self.tasks.spawn_cancellable("Deleting contacts", move |cancel, progress| async move {
            let ids: Result<Vec<ContactId>, ApiError> = match selection {
                Selection::Ids(ids) => Ok(ids.into_iter().collect()),
                Selection::AllMatching { except } => {
                    // Only the ids are kept: a million contacts would not fit otherwise.
                    let mut ids = Vec::new();
                    let options = PagingOptions::default();
                    paging::for_each_page(&client, ListQuery::new(filter), &options, &cancel, |page, done| {
                        ids.extend(page.into_iter().map(|c| c.id).filter(|id| !except.contains(id)));
                        progress.set(0, done.total);
                    })
                    .await
                    .map(|()| ids)
                }
            };
            let ids = match ids {
                Ok(ids) => ids,
                Err(error) => return TaskResult::ContactsDeleted { connection, deleted: 0, failure: Some(error) },
            };
            let mut deleted = 0;
            for id in &ids {
                match client.delete_contact(*id).await {
                    // Deleted elsewhere meanwhile: gone all the same.
                    Ok(()) | Err(ApiError::NotFound { .. }) => deleted += 1,
                    Err(error) => return TaskResult::ContactsDeleted { connection, deleted, failure: Some(error) },
                }
                progress.set(deleted, Some(ids.len() as u64));
            }
            TaskResult::ContactsDeleted { connection, deleted, failure: None }
        });
    }

    fn test_connection(&mut self, draft: ProfileDraft) {
        let Some(dialog) = self.connect_dialog.as_mut() else { return };
        dialog.testing = true;
        dialog.outcome = None;
        let options = self.config.client_options.clone();
        self.tasks.spawn("Testing the connection", async move {
            let result = async {
                let client = client_for(&draft, options)?;
                client.check_connection().await
            }
            .await;
            TaskResult::ConnectionTested { draft, result }
        });
    }

    fn save_profile(&mut self, draft: ProfileDraft, session_only: bool) {
        let Some(dialog) = self.connect_dialog.as_mut() else { return };
        dialog.saving = true;
        dialog.outcome = None;
        dialog.keyring_problem = None;
        let options = self.config.client_options.clone();
        let store: Arc<dyn SecretStore> =
            if session_only { self.session_secrets.clone() } else { Arc::clone(&self.config.keyring) };
        let file = self.profile_file();
        let mut saved_profiles: Vec<SiteProfile> =
            self.profiles.iter().filter(|p| !self.session_profiles.contains(&p.id)).cloned().collect();
        self.tasks.spawn("Saving the site", async move {
            let result = async {
                let client = client_for(&draft, options).map_err(SaveFailure::Connection)?;
                client.check_connection().await.map_err(SaveFailure::Connection)?;
                let profile = draft.profile();
                let (key, secret) = (profile.id.clone(), SecretString::from(draft.client_secret.clone()));
                credentials::call_with_timeout(Arc::clone(&store), move |s| s.set(&key, &secret))
                    .await
                    .map_err(SaveFailure::Keyring)?;
                if !session_only {
                    saved_profiles.push(profile.clone());
                    let written = tokio::task::spawn_blocking(move || file.save(&saved_profiles)).await;
                    if let Err(message) = written.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string()))
                    {
                        // Nothing half-saved: take the secret back out of the keyring.
                        let key = profile.id.clone();
                        let _ = credentials::call_with_timeout(store, move |s| s.delete(&key)).await;
                        return Err(SaveFailure::File(message));
                    }
                }
                Ok(SavedProfile { profile, client, session_only })
            }
            .await;
            TaskResult::ProfileSaved(result)
        });
    }

    fn remove_profile(&mut self, id: String) {
        let store = self.secret_store_for(&id);
        let file = self.profile_file();
        let remaining: Vec<SiteProfile> =
            self.profiles.iter().filter(|p| p.id != id && !self.session_profiles.contains(&p.id)).cloned().collect();
        let key = id.clone();
        self.tasks.spawn("Removing the site", async move {
            let result = async {
                let written = tokio::task::spawn_blocking(move || file.save(&remaining)).await;
                written.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
                credentials::call_with_timeout(store, move |s| s.delete(&key)).await.map_err(|e| e.to_string())
            }
            .await;
            TaskResult::ProfileRemoved { id, result }
        });
    }

    /// Folds finished background work into the state. Call once per frame.
    pub fn poll(&mut self) {
        for (_, result) in self.tasks.finished() {
            if let Some(result) = result {
                self.fold(result);
            }
        }
    }

    fn fold(&mut self, result: TaskResult) {
        match result {
            TaskResult::ExportFileChosen(path) => self.export_file_chosen(path),
            TaskResult::Exported(result) => self.exported(result),
            TaskResult::ProfilesLoaded(loaded) => {
                match loaded {
                    Ok(profiles) => self.profiles = profiles,
                    Err(message) => self.notifications.error("Could not read the site profiles", message),
                }
                let target = match &self.settings.last_profile {
                    Some(id) if self.profiles.iter().any(|p| &p.id == id) => Target::Profile(id.clone()),
                    _ => Target::Sandbox,
                };
                self.open(target);
            }
            TaskResult::SandboxStarted(started) => match started {
                Ok(sandbox) => {
                    let client = Client::with_options(sandbox.credentials(), self.config.client_options.clone());
                    self.sandbox = Some(sandbox);
                    if self.site.target == Target::Sandbox {
                        self.connected(client);
                    }
                }
                Err(message) => {
                    self.site.status = SiteStatus::Failed(message.clone());
                    self.notifications.error("The sandbox site did not start", message);
                }
            },
            TaskResult::SecretFetched { profile, result } => {
                if self.site.target != Target::Profile(profile.id.clone()) {
                    return;
                }
                match result {
                    Ok(Some(secret)) => {
                        let client = SiteCredentials::new(&profile.site_url, &profile.client_id, secret)
                            .and_then(|c| Client::with_options(c, self.config.client_options.clone()));
                        self.connected(client);
                    }
                    Ok(None) => {
                        let message = format!("No Client Secret is stored for {}. Connect it again.", profile.name);
                        self.site.status = SiteStatus::Failed(message.clone());
                        self.notifications.push(Level::Warning, "Secret missing", message);
                    }
                    Err(error) => {
                        self.site.status = SiteStatus::Failed(error.to_string());
                        self.notifications
                            .error(format!("Could not read the secret of {}", profile.name), error.to_string());
                    }
                }
            }
            TaskResult::GridPage { connection, generation, page, result } => {
                if connection != self.site.connection {
                    return;
                }
                if let Err(error) = &result
                    && !matches!(error, ApiError::Cancelled)
                    && self.grid.error.is_none()
                {
                    self.notifications.error("Could not load the contacts", error.to_string());
                }
                if self.grid.page_loaded(generation, page, result) {
                    let seen = self.grid.custom_fields.clone();
                    self.layout_mut().add_custom_fields(&seen);
                }
            }
            TaskResult::SelectionChecked { connection, existing } => {
                if connection == self.site.connection
                    && let Ok(existing) = existing
                {
                    self.grid.keep_selected(&existing);
                }
            }
            TaskResult::ContactOpened { connection, id, result } => {
                if connection != self.site.connection {
                    return;
                }
                let Some(window) = self.open_contacts.iter_mut().find(|w| w.id == id) else { return };
                match result {
                    Ok(contact) => {
                        window.contact = Some(*contact);
                        window.error = None;
                    }
                    Err(error) => window.error = Some(error.to_string()),
                }
            }
            TaskResult::ContactsDeleted { connection, deleted, failure } => {
                if connection != self.site.connection {
                    return;
                }
                self.grid.selection = Selection::default();
                self.grid.reload();
                match failure {
                    None => self.notifications.push(Level::Success, "Contacts deleted", format!("{deleted} deleted.")),
                    Some(error) => {
                        self.notifications.error(format!("Stopped after deleting {deleted}"), error.to_string())
                    }
                }
            }
            TaskResult::ConnectionTested { draft, result } => {
                let Some(dialog) = self.connect_dialog.as_mut() else { return };
                dialog.testing = false;
                if dialog.draft == draft {
                    dialog.outcome = Some(match result {
                        Ok(count) => Ok(format!("Connected: the site has {count} contacts.")),
                        Err(error) => Err(error.to_string()),
                    });
                }
            }
            TaskResult::ProfileSaved(saved) => self.profile_saved(saved),
            TaskResult::ProfileRemoved { id, result } => match result {
                Ok(()) => {
                    let name = self.profiles.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
                    self.profiles.retain(|p| p.id != id);
                    self.session_profiles.remove(&id);
                    self.notifications.push(
                        Level::Info,
                        "Site removed",
                        format!("{name} and its secret were removed."),
                    );
                    if self.site.target == Target::Profile(id) {
                        self.open(Target::Sandbox);
                    }
                }
                Err(message) => self.notifications.error("Could not remove the site", message),
            },
        }
    }

    fn profile_saved(&mut self, saved: Result<SavedProfile, SaveFailure>) {
        let Some(dialog) = self.connect_dialog.as_mut() else { return };
        dialog.saving = false;
        match saved {
            Ok(SavedProfile { profile, client, session_only }) => {
                self.connect_dialog = None;
                if session_only {
                    self.session_profiles.insert(profile.id.clone());
                }
                let name = profile.name.clone();
                self.profiles.push(profile.clone());
                self.switch_to(Target::Profile(profile.id.clone()), profile.name);
                self.settings.last_profile = (!session_only).then_some(profile.id);
                self.connected(Ok(client));
                self.notifications.push(Level::Success, "Site connected", format!("Now working on {name}."));
            }
            Err(SaveFailure::Connection(error)) => dialog.outcome = Some(Err(error.to_string())),
            Err(SaveFailure::Keyring(error)) if error.offers_session_fallback() => {
                dialog.keyring_problem = Some(error.to_string());
            }
            Err(SaveFailure::Keyring(error)) => dialog.outcome = Some(Err(error.to_string())),
            Err(SaveFailure::File(message)) => dialog.outcome = Some(Err(message)),
        }
    }
}

fn client_for(draft: &ProfileDraft, options: ClientOptions) -> Result<Client, ApiError> {
    let secret = SecretString::from(draft.client_secret.clone());
    let credentials = SiteCredentials::new(&draft.site_url, &draft.client_id, secret)?;
    Client::with_options(credentials, options)
}
