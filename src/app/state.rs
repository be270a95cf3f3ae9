//! The app's state: the open site, the grid, and the features (profiles, export, delete),
//! each in its own module with its own commands and results. Here commands are routed to
//! their feature, and finished work back to its feature's `fold`, after the one check that
//! drops results of a site no longer open.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use crate::api::paging::PagingOptions;
use crate::api::selection::existing_ids;
use crate::api::{ApiError, Client, ClientOptions, Contact, ContactId, Page, SiteCredentials};
use crate::sandbox::{FaultSpec, Sandbox, SandboxConfig};

use super::bulk::{Bulk, BulkKind};
use super::command::{Command, Target};
use super::contact::drafts::DraftFolder;
use super::contact::{Editor, Leaving, NEW};
use super::credentials::{self, SecretStore, SecretStoreError};
use super::delete::{DeleteConfirmation, Deletes};
use super::effects::{Effects, FeatureResult, TaskResult};
use super::export::{ExportCommand, Exports, FileChooser};
use super::grid::{Grid, PageRequest};
use super::history::History;
use super::journal::{self, Journal, Writes};
use super::layout::GridLayout;
use super::money::MoneyFormat;
use super::notifications::{Level, Notifications};
use super::password::{PasswordCommand, PasswordTarget, Passwords};
use super::profiles::{ProfileFile, Profiles, ProfilesEvent, SiteProfile, build_client};
use super::related::Related;
use super::settings::Settings;
use super::tasks::TaskRunner;

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
    /// Faults for the built-in sandbox (`TREEPL_SANDBOX_FAULTS`, the sandbox command's
    /// `--faults` syntax): a slow or flaky site to try the app against.
    pub sandbox_faults: Option<String>,
    /// Where Copy puts a password: the system clipboard, or one in memory in tests.
    pub clipboard: Arc<dyn super::clipboard::Clipboard>,
}

/// What the work of opening a site hands back.
pub enum SiteResult {
    SandboxStarted(Result<Sandbox, String>),
    /// A client for the site was built (off the UI thread: it reads the system's certificates).
    ClientBuilt(Result<Writes, ApiError>),
    /// Unfinished changes found in the journal and checked against the site: how many.
    Settled(Result<usize, String>),
    SecretFetched {
        profile: SiteProfile,
        result: Result<Option<SecretString>, SecretStoreError>,
    },
    /// A removed site's journal and drafts were erased, or why not.
    DataErased(Result<(), String>),
}

/// What the grid's work hands back.
pub enum GridResult {
    Page {
        generation: u64,
        page: u64,
        result: Result<Page<Contact>, ApiError>,
    },
    /// Which of the selected ids still exist after a refresh.
    SelectionChecked(Result<BTreeSet<ContactId>, ApiError>),
    ContactOpened {
        id: ContactId,
        result: Result<Box<Contact>, ApiError>,
    },
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
    /// The client with the site's change journal: the path every write takes.
    pub writes: Option<Writes>,
    /// Bumped on every switch, so that late results for the previous site are dropped.
    connection: u64,
}

/// A contact opened from the grid: the fresh copy from the site, once it is in.
pub struct ContactWindow {
    pub id: ContactId,
    pub contact: Option<Contact>,
    pub error: Option<String>,
}

pub struct AppState {
    config: AppConfig,
    pub settings: Settings,
    pub profiles: Profiles,
    pub site: Site,
    sandbox: Option<Sandbox>,
    pub grid: Grid,
    pub open_contacts: Vec<ContactWindow>,
    pub exports: Exports,
    pub deletes: Deletes,
    /// "Forget this contact", asked and carried out.
    pub forgetting: super::forget::Forgetting,
    /// Site > Check this site…: the doctor on the open site.
    pub site_checks: super::site_check::SiteChecks,
    pub passwords: Passwords,
    pub bulk: Bulk,
    pub editor: Editor,
    /// The tabs of the contact in the pane.
    pub related: Related,
    /// The change journal, as the History panel shows it.
    pub history: History,
    /// Amounts as the user's locale writes them (built once: loading a locale's data is not free).
    pub money: MoneyFormat,
    pub tasks: TaskRunner<TaskResult>,
    pub notifications: Notifications,
    queue: Vec<Command>,
    /// When the app must look again without an event (a draft due to be written).
    pub wake_in: Option<std::time::Duration>,
    /// The window may close: nothing unsaved is left, or the user answered.
    pub quit_allowed: bool,
}

/// A feature's effects for the site open now.
/// `client` with the journal of `site_key` (or why it could not be opened).
async fn with_journal(client: Client, data_dir: PathBuf, site_key: String) -> Writes {
    let journal = tokio::task::spawn_blocking(move || Journal::open(&data_dir, &site_key))
        .await
        .unwrap_or_else(|e| Err(e.into()));
    Writes::new(client, journal)
}

fn effects<'a>(
    tasks: &'a mut TaskRunner<TaskResult>,
    notifications: &'a mut Notifications,
    site: &Site,
) -> Effects<'a> {
    Effects {
        tasks,
        client: site.client.clone(),
        writes: site.writes.clone(),
        connection: site.connection,
        notifications,
    }
}

impl AppState {
    /// Starts loading the profiles; the site opens when they are in.
    pub fn new(config: AppConfig, settings: Settings, runtime: tokio::runtime::Handle, ctx: egui::Context) -> Self {
        let file = ProfileFile::in_folder(&config.config_dir);
        let profiles = Profiles::new(file, Arc::clone(&config.keyring), config.client_options.clone());
        let passwords = Passwords::new(Arc::clone(&config.clipboard));
        // Personal data on disk is the user's alone, including what older versions left.
        super::private::restrict_new_files();
        let own_folders = [config.config_dir.clone(), config.data_dir.clone()];
        let (data_dir, keep_days) = (config.data_dir.clone(), settings.journal_keep_days);
        // What a run that was killed mid-write left behind (an export's temporary file).
        let unfinished = crate::export::unfinished_folder(&config.data_dir);
        runtime.spawn_blocking(move || {
            let tightened: usize = own_folders.iter().map(|folder| super::private::tighten(folder)).sum();
            if tightened > 0 {
                tracing::info!(tightened, "made files and folders of an older version private");
            }
            // Every site's journal and drafts, not only the one about to open.
            let retention = super::personal_data::apply_retention(&data_dir, keep_days);
            tracing::info!(entries = retention.entries, drafts = retention.drafts, keep_days, "retention applied");
            let removed = crate::export::remove_leftovers(&unfinished);
            if !removed.is_empty() {
                tracing::info!(
                    files = removed.len(),
                    "removed the temporary files of writes a stopped run left unfinished"
                );
            }
        });
        let mut state = Self {
            config,
            settings,
            profiles,
            site: Site {
                target: Target::Sandbox,
                name: "Starting…".to_owned(),
                status: SiteStatus::Connecting,
                client: None,
                writes: None,
                connection: 0,
            },
            sandbox: None,
            grid: Grid::default(),
            open_contacts: Vec::new(),
            exports: Exports::default(),
            deletes: Deletes::default(),
            forgetting: Default::default(),
            site_checks: Default::default(),
            passwords,
            bulk: Bulk::default(),
            editor: Editor::default(),
            related: Related::default(),
            history: History::default(),
            money: MoneyFormat::system(),
            tasks: TaskRunner::new(runtime, ctx),
            notifications: Notifications::default(),
            queue: Vec::new(),
            wake_in: None,
            quit_allowed: false,
        };
        let Self { tasks, notifications, site, profiles, .. } = &mut state;
        profiles.load(&mut effects(tasks, notifications, site));
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
        // The pane shows the contact under the cursor.
        if let Some(id) = self.grid.take_cursor_contact() {
            self.execute(Command::Editor(super::contact::EditorCommand::Show(id)));
        }
        if std::mem::take(&mut self.related.wrote) {
            self.history.mark_stale();
        }
        let Self { tasks, notifications, site, editor, related, settings, history, .. } = self;
        let fx = &mut effects(tasks, notifications, site);
        self.wake_in = editor.keep_draft(fx, std::time::Instant::now());
        history.fetch(fx);
        // The tabs follow the contact in the pane.
        related.follow(site.connection, editor.open.as_ref().map(|open| open.id).filter(|id| *id != NEW));
        related.fetch(settings.pane_shown, fx);
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
        self.site.target.key()
    }

    /// The sandbox's URL, when it runs (for tests and the banner).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// Whether a dialog or confirmation is open: then no shortcut and no grid key may act
    /// on what is behind it. (The UI adds its own popups, such as the palette.)
    pub fn dialog_open(&self) -> bool {
        self.profiles.dialog.is_some()
            || self.exports.dialog.is_some()
            || self.deletes.confirmation.is_some()
            || self.passwords.dialog.is_some()
            || self.bulk.dialog.is_some()
            || self.editor.leaving_for.is_some()
            || !self.editor.offered.is_empty()
            || self.forgetting.asking.is_some()
            || self.profiles.removing.is_some()
            || self.site_checks.dialog.is_some()
    }

    /// Asks to delete the grid's selection: the confirmation freezes what it shows.
    pub fn confirm_delete(&mut self) {
        self.deletes.ask(&self.grid, &mut self.notifications);
    }

    /// Asks to delete the contact in the pane, through the same confirmation.
    pub fn confirm_delete_open_contact(&mut self) {
        if let Some(contact) = self.editor.open.as_ref().and_then(|open| open.base.as_ref()) {
            self.deletes.confirmation = Some(DeleteConfirmation::for_contact(contact));
        }
    }

    /// Opens the password dialog for the contact in the pane, or else the one under the
    /// grid's cursor (the palette's Reset password…).
    pub fn open_password_dialog(&mut self) {
        let in_pane = self.editor.open.as_ref().and_then(|open| open.base.as_ref());
        let under_cursor = self.grid.cursor.and_then(|row| self.grid.peek(row));
        match in_pane.or(under_cursor).map(PasswordTarget::of) {
            Some(target) => self.send(Command::Password(PasswordCommand::Open(target))),
            None => self.notifications.push(
                Level::Info,
                "No contact chosen",
                "Click a contact first, then reset its password.",
            ),
        }
    }

    /// Opens a bulk dialog on the grid's selection, frozen as it is now.
    pub fn open_bulk_dialog(&mut self, kind: BulkKind) {
        if !self.bulk.open(kind, &self.grid, &self.related.known_zones) {
            self.notifications.push(Level::Info, "Nothing selected", "Select the contacts to change first.");
        }
    }

    /// Opens the export dialog for the grid as it is (selection, columns, last options).
    pub fn open_export_dialog(&mut self) {
        let columns = self.layout().visible().map(|c| c.field.clone()).collect();
        self.exports.open(&self.grid, columns, &self.settings.export);
    }

    fn execute(&mut self, command: Command) {
        let Self {
            tasks,
            notifications,
            site,
            exports,
            deletes,
            passwords,
            bulk,
            editor,
            related,
            history,
            profiles,
            settings,
            config,
            forgetting,
            site_checks,
            ..
        } = self;
        let fx = &mut effects(tasks, notifications, site);
        match command {
            Command::SiteCheck(command) => site_checks.execute(command, fx),
            Command::Forget(command) => {
                let drafts = DraftFolder::new(&config.data_dir, &site.target.key());
                let editing = editor.open.as_ref().filter(|o| o.is_dirty()).and_then(|o| o.draft.as_ref());
                forgetting.execute(command, drafts, editing.map(|d| d.email.as_str()), fx);
            }
            Command::Delete(confirmation) => {
                // The pane lets go of a contact that is being deleted.
                if let (Some(ids), Some(open)) = (confirmation.ids(), &editor.open)
                    && ids.contains(&open.id)
                {
                    editor.close(fx);
                }
                deletes.execute(confirmation, fx);
            }
            Command::Editor(command) => {
                if let Some(leaving) = editor.execute(command, fx) {
                    self.proceed(leaving);
                }
            }
            Command::Export(command) => exports.execute(command, fx, &mut settings.export, &config.file_chooser),
            // The status bar's Cancel on a running export cancels it as its dialog would.
            Command::Cancel(id) if exports.runs(id) => {
                exports.execute(ExportCommand::Cancel, fx, &mut settings.export, &config.file_chooser)
            }
            Command::Cancel(id) => fx.tasks.cancel(id),
            Command::Profiles(command) => profiles.execute(command, fx),
            Command::Password(command) => passwords.execute(command, fx),
            Command::History(command) => {
                if let Some(undo) = history.execute(command, fx)
                    && let Some(leaving) = editor.execute(undo, fx)
                {
                    self.proceed(leaving);
                }
            }
            Command::Bulk(command) => bulk.execute(command, fx, &config.file_chooser),
            Command::Related(command) => {
                let open = editor.open.as_ref().and_then(|open| open.base.as_ref());
                let label = open.map_or_else(|| "a contact".to_owned(), crate::app::text::contact_name);
                related.execute(command, label, fx);
            }
            Command::Open(target) => {
                if self.editor.may_leave(Leaving::ToSite(target.clone())) {
                    self.open(target);
                }
            }
            Command::Quit => {
                if self.editor.may_leave(Leaving::Quit) {
                    self.quit_allowed = true;
                }
            }
            Command::Refresh => self.refresh(),
            Command::SetQuery(query) => self.grid.set_query(query),
            Command::OpenContact(id) => self.open_contact(id),
        }
    }

    /// Goes where the user was going once the editor let go of its unsaved changes.
    fn proceed(&mut self, leaving: Leaving) {
        match leaving {
            Leaving::ToSite(target) => self.open(target),
            Leaving::Quit => self.quit_allowed = true,
            Leaving::ToContact(_) | Leaving::ToNewContact => {}
        }
    }

    fn switch_to(&mut self, target: Target, name: String) {
        self.site.connection += 1;
        self.site.target = target;
        self.site.name = name;
        self.site.status = SiteStatus::Connecting;
        self.site.client = None;
        self.site.writes = None;
        self.grid = Grid::default();
        self.open_contacts.clear();
        self.deletes.confirmation = None;
        self.passwords.dialog = None;
        self.bulk = Bulk::default();
        self.editor = Editor::default();
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
                match self.config.sandbox_faults.as_deref().map(FaultSpec::parse) {
                    Some(Ok(faults)) => config.faults = faults,
                    Some(Err(error)) => self.notifications.error("Sandbox faults ignored", error),
                    None => {}
                }
                let folder = self.config.data_dir.clone();
                let demo_contacts = config.seed;
                self.tasks.spawn_with_progress("Preparing the sandbox site", move |progress| async move {
                    let started = async {
                        tokio::fs::create_dir_all(&folder).await.map_err(|e| format!("{}: {e}", folder.display()))?;
                        let seeded = move |done| progress.set(done, Some(demo_contacts));
                        Sandbox::start_with_progress(config, seeded).await.map_err(|e| e.to_string())
                    };
                    // Kept whatever site is open by then: the sandbox is reused later.
                    TaskResult::for_app(SiteResult::SandboxStarted(started.await))
                });
            }
            Target::Profile(id) => {
                let Some(profile) = self.profiles.find(id).cloned() else {
                    self.notifications.error("Unknown site", "That site profile no longer exists.");
                    return;
                };
                self.switch_to(target.clone(), profile.name.clone());
                self.settings.last_profile = Some(profile.id.clone());
                let store = self.profiles.secret_store_for(&profile.id);
                let key = profile.id.clone();
                let connection = self.site.connection;
                self.tasks.spawn(format!("Reading the secret of {}", profile.name), async move {
                    let result = credentials::call_with_timeout(store, move |s| s.get(&key)).await;
                    TaskResult::for_site(connection, SiteResult::SecretFetched { profile, result })
                });
            }
        }
    }

    /// Builds a client for the open site in the background; the grid loads once it is in.
    /// The site's change journal is opened beside it (off the UI thread: it is a file).
    fn connect(&mut self, credentials: Result<SiteCredentials, ApiError>) {
        let (connection, options) = (self.site.connection, self.config.client_options.clone());
        let (data_dir, site_key) = (self.config.data_dir.clone(), self.site_key());
        // The dialect the doctor learned for a saved site; the default for the sandbox.
        let dialect = match &self.site.target {
            Target::Profile(id) => self.profiles.find(id).map(SiteProfile::dialect).unwrap_or_default(),
            Target::Sandbox => crate::api::Dialect::default(),
        };
        self.tasks.spawn("Connecting to the site", async move {
            let writes = match credentials {
                Ok(credentials) => match build_client(credentials, options).await {
                    Ok(client) => Ok(with_journal(client.with_dialect(dialect), data_dir, site_key).await),
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            };
            TaskResult::for_site(connection, SiteResult::ClientBuilt(writes))
        });
    }

    /// Connects with a client built already (the connect dialog's), once its journal is open.
    fn open_journal(&mut self, client: Client) {
        let connection = self.site.connection;
        let (data_dir, site_key) = (self.config.data_dir.clone(), self.site_key());
        self.tasks.spawn("Opening the change journal", async move {
            let writes = with_journal(client, data_dir, site_key).await;
            TaskResult::for_site(connection, SiteResult::ClientBuilt(Ok(writes)))
        });
    }

    fn connected(&mut self, writes: Result<Writes, ApiError>) {
        match writes {
            Ok(writes) => {
                if writes.journal().is_none() {
                    self.notifications.error(
                        "Changes are off",
                        "The change journal could not be opened, so the app will not send changes to this site.",
                    );
                }
                self.site.client = Some(writes.client().clone());
                self.site.writes = Some(writes.clone());
                let (connection, keep_days) = (self.site.connection, self.settings.journal_keep_days);
                self.tasks.spawn("Checking unfinished changes", async move {
                    TaskResult::for_site(
                        connection,
                        SiteResult::Settled(journal::tidy(&writes, keep_days).await.map_err(|e| e.to_string())),
                    )
                });
                self.site.status = SiteStatus::Connected;
                self.grid.reload();
                self.history.site_opened();
                let folder = DraftFolder::new(&self.config.data_dir, &self.site_key());
                let Self { tasks, notifications, site, editor, .. } = self;
                editor.open_site(folder, &mut effects(tasks, notifications, site));
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
                TaskResult::for_site(connection, GridResult::Page { generation, page, result })
            });
        }
    }

    /// Loads what shows again, keeping the scroll position and the selection of the
    /// contacts that still exist.
    fn refresh(&mut self) {
        self.grid.reload();
        self.related.reload();
        let Some(client) = self.site.client.clone() else { return };
        let ids = self.grid.selection.also.clone();
        if ids.is_empty() {
            return;
        }
        let connection = self.site.connection;
        self.tasks.spawn("Checking the selection", async move {
            let existing =
                existing_ids(&client, ids, &PagingOptions::for_site(client.dialect()), &CancellationToken::new()).await;
            TaskResult::for_site(connection, GridResult::SelectionChecked(existing))
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
            TaskResult::for_site(connection, GridResult::ContactOpened { id, result })
        });
    }

    /// Folds finished background work into the state. Call once per frame.
    pub fn poll(&mut self) {
        self.history.poll();
        for (_, finished) in self.tasks.finished() {
            let Some(TaskResult { connection, result }) = finished else { continue };
            // The one place where results about a site no longer open are dropped.
            if connection.is_some_and(|c| c != self.site.connection) {
                continue;
            }
            // Work that may have written: the History panel reads the journal again.
            if result.may_have_written() {
                self.history.mark_stale();
                self.related.changes.mark_stale();
            }
            self.fold(result);
        }
    }

    fn fold(&mut self, result: FeatureResult) {
        let Self {
            tasks,
            notifications,
            site,
            exports,
            deletes,
            passwords,
            bulk,
            editor,
            profiles,
            settings,
            grid,
            history,
            ..
        } = self;
        let fx = &mut effects(tasks, notifications, site);
        match result {
            FeatureResult::Delete(outcome) => deletes.fold(outcome, grid, fx.notifications),
            FeatureResult::Password(outcome) => passwords.fold(outcome, fx.notifications),
            FeatureResult::Bulk(result) => {
                let applied = matches!(result, super::bulk::BulkResult::Applied { .. });
                bulk.fold(result, fx, grid);
                // The pane shows what the site has now, unless the user is editing it.
                if applied {
                    editor.reload_if_unchanged(fx);
                }
            }
            FeatureResult::Editor(result) => {
                if let Some(leaving) = editor.fold(result, fx, grid) {
                    self.proceed(leaving);
                }
            }
            FeatureResult::Export(result) => exports.fold(result, fx, &mut settings.export),
            FeatureResult::Profiles(result) => {
                if let Some(event) = profiles.fold(result, fx) {
                    self.profiles_event(event);
                }
            }
            FeatureResult::Site(result) => self.site_result(result),
            FeatureResult::Grid(result) => self.grid_result(result),
            FeatureResult::Forget(result) => {
                self.forgetting.fold(result, &mut effects(&mut self.tasks, &mut self.notifications, &self.site));
                self.history.mark_stale();
                self.related.changes.mark_stale();
            }
            FeatureResult::SiteCheck(done) => {
                if let Some(check) = self.site_checks.fold(done) {
                    self.apply_site_check(check);
                }
            }
            FeatureResult::History(result) => {
                history.fold(result, fx);
                // What an undo put back shows in the grid and the pane.
                grid.reload();
                editor.reload_if_unchanged(fx);
            }
        }
    }

    /// Speaks the dialect a site check learned to the open site from now on, saves the check
    /// with the site's profile, and loads the grid again in that dialect.
    fn apply_site_check(&mut self, check: crate::doctor::SiteCheck) {
        let dialect = check.dialect.clone();
        self.site.client = self.site.client.take().map(|client| client.with_dialect(dialect.clone()));
        self.site.writes = self.site.writes.take().map(|writes| writes.with_dialect(dialect));
        if let Target::Profile(id) = &self.site.target {
            let command = super::profiles::ProfilesCommand::SaveCheck { id: id.clone(), check: Box::new(check) };
            self.send(Command::Profiles(command));
        }
        self.send(Command::Refresh);
    }

    fn site_result(&mut self, result: SiteResult) {
        match result {
            SiteResult::DataErased(Ok(())) => tracing::info!("a removed site's journal and drafts were erased"),
            SiteResult::DataErased(Err(error)) => {
                self.notifications.error("The removed site's journal and drafts could not be erased", error);
            }
            SiteResult::SandboxStarted(Ok(sandbox)) => {
                let credentials = sandbox.credentials();
                self.sandbox = Some(sandbox);
                if self.site.target == Target::Sandbox {
                    self.connect(Ok(credentials));
                }
            }
            SiteResult::SandboxStarted(Err(message)) => {
                self.site.status = SiteStatus::Failed(message.clone());
                self.notifications.error("The sandbox site did not start", message);
            }
            SiteResult::ClientBuilt(writes) => self.connected(writes),
            SiteResult::Settled(Ok(0)) => {}
            SiteResult::Settled(Ok(settled)) => self.notifications.push(
                Level::Info,
                "Unfinished changes checked",
                format!(
                    "{} the app was sending when it last stopped {} checked against the site; History shows how each ended.",
                    crate::app::text::plural(settled as u64, "change", "changes"),
                    if settled == 1 { "was" } else { "were" }
                ),
            ),
            SiteResult::Settled(Err(error)) => self.notifications.error("Unfinished changes not checked", error),
            SiteResult::SecretFetched { profile, result } => match result {
                Ok(Some(secret)) => self.connect(SiteCredentials::new(&profile.site_url, &profile.client_id, secret)),
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
            },
        }
    }

    fn grid_result(&mut self, result: GridResult) {
        match result {
            GridResult::Page { generation, page, result } => {
                if let Err(error) = &result
                    && !matches!(error, ApiError::Cancelled)
                    && self.grid.error().is_none()
                {
                    self.notifications.error("Could not load the contacts", error.to_string());
                }
                if self.grid.page_loaded(generation, page, result) {
                    let seen = self.grid.custom_fields.clone();
                    self.layout_mut().add_custom_fields(&seen);
                }
            }
            GridResult::SelectionChecked(existing) => {
                if let Ok(existing) = existing {
                    self.grid.keep_selected(&existing);
                }
            }
            GridResult::ContactOpened { id, result } => {
                let Some(window) = self.open_contacts.iter_mut().find(|w| w.id == id) else { return };
                match result {
                    Ok(contact) => {
                        window.contact = Some(*contact);
                        window.error = None;
                    }
                    Err(error) => window.error = Some(error.to_string()),
                }
            }
        }
    }

    fn profiles_event(&mut self, event: ProfilesEvent) {
        match event {
            ProfilesEvent::Loaded => {
                let target = match &self.settings.last_profile {
                    Some(id) if self.profiles.find(id).is_some() => Target::Profile(id.clone()),
                    _ => Target::Sandbox,
                };
                self.open(target);
            }
            ProfilesEvent::Open { profile, client, session_only } => {
                let name = profile.name.clone();
                self.switch_to(Target::Profile(profile.id.clone()), profile.name);
                self.settings.last_profile = (!session_only).then_some(profile.id);
                self.open_journal(client);
                self.notifications.push(Level::Success, "Site connected", format!("Now working on {name}."));
            }
            ProfilesEvent::Removed { id, erase_data } => {
                if self.site.target == Target::Profile(id.clone()) {
                    self.open(Target::Sandbox);
                }
                if erase_data {
                    self.settings.layouts.remove(&id);
                    let data_dir = self.config.data_dir.clone();
                    self.tasks.spawn("Removing the site's data", async move {
                        let erased =
                            tokio::task::spawn_blocking(move || super::personal_data::erase_site(&data_dir, &id))
                                .await
                                .map_err(|stopped| stopped.to_string())
                                .and_then(|erased| erased.map_err(|e| e.to_string()));
                        TaskResult::for_app(SiteResult::DataErased(erased))
                    });
                }
            }
        }
    }
}
