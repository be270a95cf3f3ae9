//! The app's state and the one place where commands become background work and where
//! the results of that work are folded back in.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use crate::api::paging::PagingOptions;
use crate::api::selection::existing_ids;
use crate::api::{ApiError, Client, ClientOptions, Contact, ContactId, Page, SiteCredentials};
use crate::sandbox::{Sandbox, SandboxConfig};

use super::command::{Command, ProfileDraft, Target};
use super::credentials::{self, SecretStore, SecretStoreError, SessionStore};
use super::delete::{DeleteConfirmation, DeleteOutcome, DeleteStop, delete_contacts};
use super::grid::{Grid, PageRequest};
use super::layout::GridLayout;
use super::notifications::{Level, Notifications};
use super::profiles::{LoadedProfiles, ProfileFile, ProfileStore, SiteProfile};
use super::settings::Settings;
use super::tasks::TaskRunner;
use crate::export::{ExportError, ExportSettings, ExportSummary, run_export};
use tokio_util::sync::CancellationToken;

use super::export::{Chosen, ExportDialog, ExportStage, FileChooser, SaveRequest, folder_of};
use super::text::{contacts, thousands};

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
    ProfilesLoaded(LoadedProfiles),
    SandboxStarted(Result<Sandbox, String>),
    /// A client for the site was built (off the UI thread: it reads the system's certificates).
    ClientBuilt {
        connection: u64,
        client: Result<Client, ApiError>,
    },
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
        outcome: DeleteOutcome,
    },
    ConnectionTested {
        draft: ProfileDraft,
        result: Result<u64, ApiError>,
    },
    ProfileSaved {
        save: u64,
        result: Result<SavedProfile, SaveFailure>,
    },
    ProfileRemoved {
        id: String,
        result: Result<(), String>,
    },
    /// The save dialog closed; `home` is the folder offered when the path must be typed.
    ExportFileChosen {
        chosen: Chosen,
        home: Option<PathBuf>,
    },
    Exported(Result<ExportSummary, ExportError>),
}

pub struct SavedProfile {
    profile: SiteProfile,
    client: Client,
    session_only: bool,
}

/// Why a profile was not saved; nothing of it was kept.
pub enum SaveFailure {
    /// Stopped before anything was stored.
    Cancelled,
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
    /// The save this dialog started, if any (a closed dialog's save may still be finishing).
    save: Option<u64>,
    /// The outcome of the last test or save, for the user.
    pub outcome: Option<Result<String, String>>,
    /// Set when the keyring refused: the dialog offers to keep the secret for this session.
    pub keyring_problem: Option<String>,
}

pub struct AppState {
    config: AppConfig,
    pub settings: Settings,
    pub profiles: Vec<SiteProfile>,
    /// The one writer of the profiles file.
    profile_store: ProfileStore,
    /// Stops the save in flight, until it stores anything.
    profile_save: Option<(u64, CancellationToken)>,
    /// Numbers profile saves, so that each result finds the dialog that asked for it.
    saves_started: u64,
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
    /// A delete waiting for the user's answer, with the scope it shows.
    pub delete_confirmation: Option<DeleteConfirmation>,
    queue: Vec<Command>,
}

impl AppState {
    /// Starts loading the profiles; the site opens when they are in.
    pub fn new(config: AppConfig, settings: Settings, runtime: tokio::runtime::Handle, ctx: egui::Context) -> Self {
        let profile_store = ProfileStore::new(ProfileFile::in_folder(&config.config_dir));
        let mut state = Self {
            config,
            settings,
            profiles: Vec::new(),
            profile_store,
            profile_save: None,
            saves_started: 0,
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
            delete_confirmation: None,
            queue: Vec::new(),
        };
        let store = state.profile_store.clone();
        state.tasks.spawn("Reading site profiles", async move { TaskResult::ProfilesLoaded(store.load().await) });
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

    /// Whether a dialog or confirmation is open: then no shortcut and no grid key may act
    /// on what is behind it. (The UI adds its own popups, such as the palette.)
    pub fn dialog_open(&self) -> bool {
        self.connect_dialog.is_some() || self.export_dialog.is_some() || self.delete_confirmation.is_some()
    }

    /// Asks to delete the grid's selection: the confirmation freezes what it shows.
    pub fn confirm_delete(&mut self) {
        self.delete_confirmation = DeleteConfirmation::for_selection(&self.grid);
        if self.delete_confirmation.is_none() {
            self.notifications.push(Level::Info, "Nothing to delete", "Select the contacts to delete first.");
        }
    }

    fn execute(&mut self, command: Command) {
        match command {
            Command::Open(target) => self.open(target),
            Command::Refresh => self.refresh(),
            Command::SetQuery(query) => self.grid.set_query(query),
            Command::OpenContact(id) => self.open_contact(id),
            Command::Delete(confirmation) => self.delete(confirmation),
            Command::TestConnection(draft) => self.test_connection(draft),
            Command::SaveProfile { draft, session_only } => self.save_profile(draft, session_only),
            Command::CancelProfileSave => {
                if let Some((_, cancel)) = &self.profile_save {
                    cancel.cancel();
                }
                self.connect_dialog = None;
            }
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
                    self.export_file_chosen(Chosen::Path(path), None);
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
        self.delete_confirmation = None;
    }

    fn open(&mut self, target: Target) {
        match &target {
            Target::Sandbox => {
                self.switch_to(Target::Sandbox, "Sandbox site".to_owned());
                self.settings.last_profile = None;
                if let Some(sandbox) = &self.sandbox {
                    let credentials = sandbox.credentials();
                    self.connect(Ok(credentials));
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

    /// Builds a client for the open site in the background; the grid loads once it is in.
    fn connect(&mut self, credentials: Result<SiteCredentials, ApiError>) {
        let (connection, options) = (self.site.connection, self.config.client_options.clone());
        self.tasks.spawn("Connecting to the site", async move {
            let client = match credentials {
                Ok(credentials) => build_client(credentials, options).await,
                Err(error) => Err(error),
            };
            TaskResult::ClientBuilt { connection, client }
        });
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
        let Some(client) = self.site.client.clone() else { return };
        let ids = self.grid.selection.also.clone();
        if ids.is_empty() {
            return;
        }
        let connection = self.site.connection;
        self.tasks.spawn("Checking the selection", async move {
            let existing = existing_ids(&client, ids, &PagingOptions::default(), &CancellationToken::new()).await;
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
            let asked = tokio::task::spawn_blocking(move || {
                let chosen = chooser.save_path(&request);
                // Without a dialog the user types a path: start from their home folder.
                let home = (chosen == Chosen::NoDialog)
                    .then(|| directories::UserDirs::new().map(|d| d.home_dir().to_owned()))
                    .flatten();
                (chosen, home)
            });
            let (chosen, home) = asked.await.unwrap_or_default();
            TaskResult::ExportFileChosen { chosen, home }
        });
    }

    fn export_file_chosen(&mut self, chosen: Chosen, home: Option<PathBuf>) {
        let Some(dialog) = self.export_dialog.as_mut() else { return };
        let path = match chosen {
            Chosen::Path(path) => path,
            Chosen::Cancelled => {
                dialog.stage = ExportStage::Editing;
                return;
            }
            Chosen::NoDialog => {
                dialog.stage = ExportStage::Editing;
                let folder = self.settings.export.last_folder.clone().or(home);
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
        let scope = dialog.scope().clone();
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

    /// Deletes exactly what the confirmation showed, with progress and Cancel; a cancelled
    /// delete still reports how many went.
    fn delete(&mut self, confirmation: DeleteConfirmation) {
        let Some(client) = self.site.client.clone() else { return };
        let connection = self.site.connection;
        let label = format!("Deleting {}", contacts(confirmation.count));
        self.tasks.spawn_stoppable(label, move |cancel, progress| async move {
            let DeleteConfirmation { scope, count, .. } = confirmation;
            let outcome = delete_contacts(&client, &scope, count, &cancel, &progress).await;
            TaskResult::ContactsDeleted { connection, outcome }
        });
    }

    fn contacts_deleted(&mut self, outcome: DeleteOutcome) {
        self.grid.selection = Default::default();
        self.grid.reload();
        let DeleteOutcome { confirmed, deleted, stop } = outcome;
        let notifications = &mut self.notifications;
        match stop {
            DeleteStop::Finished => {
                notifications.push(Level::Success, "Contacts deleted", format!("{} deleted.", contacts(deleted)))
            }
            DeleteStop::Cancelled => notifications.push(
                Level::Info,
                "Delete cancelled",
                format!("{} of {} deleted before it stopped.", thousands(deleted), thousands(confirmed)),
            ),
            DeleteStop::Failed(error) => notifications.error(
                format!("Stopped after deleting {} of {}", thousands(deleted), thousands(confirmed)),
                error.to_string(),
            ),
            DeleteStop::Grew { found } => notifications.push(
                Level::Warning,
                "Nothing was deleted",
                format!(
                    "{} match now, more than the {} you confirmed. Check the list and delete again.",
                    thousands(found),
                    thousands(confirmed)
                ),
            ),
        }
    }

    fn test_connection(&mut self, draft: ProfileDraft) {
        let Some(dialog) = self.connect_dialog.as_mut() else { return };
        dialog.testing = true;
        dialog.outcome = None;
        let options = self.config.client_options.clone();
        self.tasks.spawn("Testing the connection", async move {
            let result = async { client_for(&draft, options).await?.check_connection().await }.await;
            TaskResult::ConnectionTested { draft, result }
        });
    }

    /// Tests the draft, then stores the secret and the profile. Until the secret is stored a
    /// cancel stops it with nothing kept; from then on it finishes whole (secret, file and the
    /// app's list agree), and a failed file write takes the secret back out.
    fn save_profile(&mut self, draft: ProfileDraft, session_only: bool) {
        let Some(dialog) = self.connect_dialog.as_mut() else { return };
        dialog.saving = true;
        dialog.outcome = None;
        dialog.keyring_problem = None;
        let options = self.config.client_options.clone();
        let secrets: Arc<dyn SecretStore> =
            if session_only { self.session_secrets.clone() } else { Arc::clone(&self.config.keyring) };
        let profiles = self.profile_store.clone();
        let cancel = CancellationToken::new();
        self.saves_started += 1;
        let save = self.saves_started;
        dialog.save = Some(save);
        self.profile_save = Some((save, cancel.clone()));
        self.tasks.spawn("Saving the site", async move {
            let result = async {
                let checked = async {
                    let client = client_for(&draft, options).await?;
                    client.check_connection().await?;
                    Ok(client)
                };
                let client = tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Err(SaveFailure::Cancelled),
                    checked = checked => checked.map_err(SaveFailure::Connection)?,
                };
                let profile = draft.profile();
                let (key, secret) = (profile.id.clone(), draft.client_secret.secret().clone());
                credentials::call_with_timeout(Arc::clone(&secrets), move |s| s.set(&key, &secret))
                    .await
                    .map_err(SaveFailure::Keyring)?;
                if !session_only {
                    let added = profile.clone();
                    if let Err(message) = profiles.change(move |list| list.push(added)).await {
                        // Nothing half-saved: take the secret back out of the keyring.
                        let key = profile.id.clone();
                        let _ = credentials::call_with_timeout(secrets, move |s| s.delete(&key)).await;
                        return Err(SaveFailure::File(message));
                    }
                }
                Ok(SavedProfile { profile, client, session_only })
            }
            .await;
            TaskResult::ProfileSaved { save, result }
        });
    }

    fn remove_profile(&mut self, id: String) {
        let secrets = self.secret_store_for(&id);
        let profiles = self.profile_store.clone();
        let session_only = self.session_profiles.contains(&id);
        let key = id.clone();
        self.tasks.spawn("Removing the site", async move {
            let result = async {
                if !session_only {
                    let removed = key.clone();
                    profiles.change(move |list| list.retain(|p| p.id != removed)).await?;
                }
                credentials::call_with_timeout(secrets, move |s| s.delete(&key)).await.map_err(|e| e.to_string())
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
            TaskResult::ExportFileChosen { chosen, home } => self.export_file_chosen(chosen, home),
            TaskResult::Exported(result) => self.exported(result),
            TaskResult::ProfilesLoaded(LoadedProfiles { profiles, problem }) => {
                self.profiles = profiles;
                if let Some(message) = problem {
                    self.notifications.error("Could not read the site profiles", message);
                }
                let target = match &self.settings.last_profile {
                    Some(id) if self.profiles.iter().any(|p| &p.id == id) => Target::Profile(id.clone()),
                    _ => Target::Sandbox,
                };
                self.open(target);
            }
            TaskResult::SandboxStarted(started) => match started {
                Ok(sandbox) => {
                    let credentials = sandbox.credentials();
                    self.sandbox = Some(sandbox);
                    if self.site.target == Target::Sandbox {
                        self.connect(Ok(credentials));
                    }
                }
                Err(message) => {
                    self.site.status = SiteStatus::Failed(message.clone());
                    self.notifications.error("The sandbox site did not start", message);
                }
            },
            TaskResult::ClientBuilt { connection, client } => {
                if connection == self.site.connection {
                    self.connected(client);
                }
            }
            TaskResult::SecretFetched { profile, result } => {
                if self.site.target != Target::Profile(profile.id.clone()) {
                    return;
                }
                match result {
                    Ok(Some(secret)) => {
                        self.connect(SiteCredentials::new(&profile.site_url, &profile.client_id, secret));
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
            TaskResult::ContactsDeleted { connection, outcome } => {
                if connection == self.site.connection {
                    self.contacts_deleted(outcome);
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
            TaskResult::ProfileSaved { save, result } => self.profile_saved(save, result),
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

    /// A save that stored the profile is taken in whole, even when its dialog was closed
    /// meanwhile: then the site is kept but not opened.
    fn profile_saved(&mut self, save: u64, saved: Result<SavedProfile, SaveFailure>) {
        if self.profile_save.as_ref().is_some_and(|(current, _)| *current == save) {
            self.profile_save = None;
        }
        let Some(dialog) = self.connect_dialog.as_mut().filter(|d| d.save == Some(save)) else {
            match saved {
                Ok(SavedProfile { profile, session_only, .. }) => {
                    let message =
                        format!("{} was saved before the cancel reached it; open it from the Site menu.", profile.name);
                    self.keep_profile(profile, session_only);
                    self.notifications.push(Level::Info, "Site saved", message);
                }
                Err(SaveFailure::Cancelled) => {}
                Err(failure) => self.notifications.error("The site was not saved", failure.message()),
            }
            return;
        };
        dialog.saving = false;
        match saved {
            Ok(SavedProfile { profile, client, session_only }) => {
                self.connect_dialog = None;
                let name = profile.name.clone();
                self.keep_profile(profile.clone(), session_only);
                self.switch_to(Target::Profile(profile.id.clone()), profile.name);
                self.settings.last_profile = (!session_only).then_some(profile.id);
                self.connected(Ok(client));
                self.notifications.push(Level::Success, "Site connected", format!("Now working on {name}."));
            }
            Err(SaveFailure::Cancelled) => {}
            Err(SaveFailure::Keyring(error)) if error.offers_session_fallback() => {
                dialog.keyring_problem = Some(error.to_string());
            }
            Err(failure) => dialog.outcome = Some(Err(failure.message())),
        }
    }

    fn keep_profile(&mut self, profile: SiteProfile, session_only: bool) {
        if session_only {
            self.session_profiles.insert(profile.id.clone());
        }
        self.profiles.push(profile);
    }
}

impl SaveFailure {
    fn message(&self) -> String {
        match self {
            SaveFailure::Cancelled => "The save was cancelled; nothing was kept.".to_owned(),
            SaveFailure::Connection(error) => error.to_string(),
            SaveFailure::Keyring(error) => error.to_string(),
            SaveFailure::File(message) => message.clone(),
        }
    }
}

async fn client_for(draft: &ProfileDraft, options: ClientOptions) -> Result<Client, ApiError> {
    let secret = draft.client_secret.secret().clone();
    let credentials = SiteCredentials::new(&draft.site_url, &draft.client_id, secret)?;
    build_client(credentials, options).await
}

/// A client, built on the blocking pool (it reads the system's certificates).
async fn build_client(credentials: SiteCredentials, options: ClientOptions) -> Result<Client, ApiError> {
    let built = tokio::task::spawn_blocking(move || Client::with_options(credentials, options)).await;
    built.unwrap_or_else(|stopped| {
        Err(ApiError::Cancelled).inspect_err(|_| tracing::warn!(%stopped, "building a client stopped"))
    })
}
