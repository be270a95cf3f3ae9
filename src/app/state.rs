//! The app's state: the shell (tasks, notifications, the open site), the settings, and the
//! features, each in its own module with its commands, results and fold. Here commands are
//! routed to their feature and finished work back to its feature's `fold`, after the one
//! check that drops results of a site no longer open. What crosses features (a delete lets
//! go of the pane, an undo reloads the grid) is said here, where it can be seen.

use std::path::PathBuf;
use std::sync::Arc;

use crate::api::ClientOptions;

use super::bulk::{Bulk, BulkResult};
use super::command::{Command, Target};
use super::contact::drafts::DraftFolder;
use super::contact::{Editor, EditorCommand, Leaving, NEW};
use super::credentials::SecretStore;
use super::delete::Deletes;
use super::effects::{Feature, FeatureResult, TaskResult};
use super::export::{ExportCommand, Exports, FileChooser};
use super::forget::Forgetting;
use super::grid::Grid;
use super::history::History;
use super::layout::GridLayout;
use super::money::MoneyFormat;
use super::password::Passwords;
use super::profiles::{ProfileFile, Profiles, ProfilesEvent};
use super::related::Related;
use super::settings::Settings;
use super::shell::Shell;
use super::site::SiteEvent;
use super::site_check::SiteChecks;
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

pub struct AppState {
    pub(super) config: AppConfig,
    pub settings: Settings,
    /// Tasks, notifications and the open site.
    pub shell: Shell,
    pub profiles: Profiles,
    pub grid: Grid,
    pub exports: Exports,
    pub deletes: Deletes,
    /// "Forget this contact", asked and carried out.
    pub forgetting: Forgetting,
    /// Site > Check this site…: the doctor on the open site.
    pub site_checks: SiteChecks,
    pub passwords: Passwords,
    pub bulk: Bulk,
    pub editor: Editor,
    /// The tabs of the contact in the pane.
    pub related: Related,
    /// The change journal, as the History panel shows it.
    pub history: History,
    /// Amounts as the user's locale writes them (built once: loading a locale's data is not free).
    pub money: MoneyFormat,
    queue: Vec<Command>,
    /// When the app must look again without an event (a draft due to be written).
    pub wake_in: Option<std::time::Duration>,
    /// The window may close: nothing unsaved is left, or the user answered.
    pub quit_allowed: bool,
}

impl AppState {
    /// Starts loading the profiles; the site opens when they are in.
    pub fn new(config: AppConfig, settings: Settings, runtime: tokio::runtime::Handle, ctx: egui::Context) -> Self {
        super::startup::tidy_in_background(&config, settings.journal_keep_days, &runtime);
        let file = ProfileFile::in_folder(&config.config_dir);
        let profiles = Profiles::new(file, Arc::clone(&config.keyring), config.client_options.clone());
        let passwords = Passwords::new(Arc::clone(&config.clipboard));
        let mut state = Self {
            config,
            settings,
            shell: Shell::new(TaskRunner::new(runtime, ctx)),
            profiles,
            grid: Grid::default(),
            exports: Exports::default(),
            deletes: Deletes::default(),
            forgetting: Forgetting::default(),
            site_checks: SiteChecks::default(),
            passwords,
            bulk: Bulk::default(),
            editor: Editor::default(),
            related: Related::default(),
            history: History::default(),
            money: MoneyFormat::system(),
            queue: Vec::new(),
            wake_in: None,
            quit_allowed: false,
        };
        state.profiles.load(&mut state.shell.effects());
        state
    }

    /// Queues a command; it runs at the end of the frame.
    pub fn send(&mut self, command: Command) {
        self.queue.push(command);
    }

    /// Carries out the queued commands, then starts what the features need for what shows.
    pub fn run_commands(&mut self) {
        for command in std::mem::take(&mut self.queue) {
            self.execute(command);
        }
        // The pane shows the contact under the cursor.
        if let Some(id) = self.grid.take_cursor_contact() {
            self.execute(Command::Editor(EditorCommand::Show(id)));
        }
        let fx = &mut self.shell.effects();
        self.wake_in = self.editor.keep_draft(fx, std::time::Instant::now());
        self.history.fetch(fx);
        // The tabs follow the contact in the pane.
        let in_pane = self.editor.open.as_ref().map(|open| open.id).filter(|id| *id != NEW);
        self.related.follow(fx.connection, in_pane);
        self.related.fetch(self.settings.pane_shown, fx);
        self.grid.fetch_pages(fx);
    }

    /// The grid layout of the site open now.
    pub fn layout(&self) -> GridLayout {
        self.settings.layouts.get(&self.shell.site.key()).cloned().unwrap_or_default()
    }

    pub fn layout_mut(&mut self) -> &mut GridLayout {
        self.settings.layouts.entry(self.shell.site.key()).or_default()
    }

    fn execute(&mut self, command: Command) {
        let fx = &mut self.shell.effects();
        match command {
            Command::Grid(command) => {
                let refresh = matches!(command, super::grid::GridCommand::Refresh);
                self.grid.execute(command, fx);
                if refresh {
                    self.related.reload();
                }
            }
            Command::SiteCheck(command) => self.site_checks.execute(command, fx),
            Command::Forget(command) => {
                let drafts = DraftFolder::new(&self.config.data_dir, &self.shell.site.key());
                let open = self.editor.open.as_ref().filter(|open| open.is_dirty());
                let editing = open.and_then(|open| open.draft.as_ref()).map(|draft| draft.email.as_str());
                self.forgetting.execute(command, drafts, editing, &mut self.shell.effects());
            }
            Command::Delete(confirmation) => {
                // The pane lets go of a contact that is being deleted.
                if let (Some(ids), Some(open)) = (confirmation.ids(), &self.editor.open)
                    && ids.contains(&open.id)
                {
                    self.editor.close(fx);
                }
                self.deletes.execute(confirmation, fx);
            }
            Command::Editor(command) => {
                if let Some(leaving) = self.editor.execute(command, fx) {
                    self.proceed(leaving);
                }
            }
            Command::Export(command) => {
                self.exports.execute(command, fx, &mut self.settings.export, &self.config.file_chooser)
            }
            // The status bar's Cancel on a running export cancels it as its dialog would.
            Command::Cancel(id) if self.exports.runs(id) => {
                let chooser = &self.config.file_chooser;
                self.exports.execute(ExportCommand::Cancel, fx, &mut self.settings.export, chooser)
            }
            Command::Cancel(id) => fx.tasks.cancel(id),
            Command::Profiles(command) => self.profiles.execute(command, fx),
            Command::Password(command) => self.passwords.execute(command, fx),
            Command::History(command) => {
                if let Some(undo) = self.history.execute(command, fx)
                    && let Some(leaving) = self.editor.execute(undo, fx)
                {
                    self.proceed(leaving);
                }
            }
            Command::Bulk(command) => self.bulk.execute(command, fx, &self.config.file_chooser),
            Command::Related(command) => {
                let open = self.editor.open.as_ref().and_then(|open| open.base.as_ref());
                let label = open.map_or_else(|| "a contact".to_owned(), crate::app::text::contact_name);
                self.related.execute(command, label, fx);
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

    fn open(&mut self, target: Target) {
        self.site_closed();
        self.shell.open_site(target, &self.config, &self.profiles, &mut self.settings);
    }

    /// The one place where every feature lets go of the site that closes.
    fn site_closed(&mut self) {
        let features: [&mut dyn Feature; 9] = [
            &mut self.grid,
            &mut self.related,
            &mut self.editor,
            &mut self.history,
            &mut self.deletes,
            &mut self.bulk,
            &mut self.passwords,
            &mut self.forgetting,
            &mut self.site_checks,
        ];
        for feature in features {
            feature.on_site_closed();
        }
    }

    /// The new site is connected: the features load what they show of it.
    fn site_opened(&mut self) {
        self.grid.reload();
        self.history.site_opened();
        let folder = DraftFolder::new(&self.config.data_dir, &self.shell.site.key());
        self.editor.open_site(folder, &mut self.shell.effects());
    }

    /// Folds finished background work into the state. Call once per frame.
    pub fn poll(&mut self) {
        self.history.poll();
        if let Some(open) = self.editor.open.as_mut() {
            open.poll();
        }
        for (_, finished) in self.shell.tasks.finished() {
            let Some(TaskResult { connection, result }) = finished else { continue };
            // The one place where results about a site no longer open are dropped.
            if connection.is_some_and(|c| c != self.shell.site.connection) {
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
        let fx = &mut self.shell.effects();
        match result {
            FeatureResult::Delete(outcome) => self.deletes.fold(outcome, &mut self.grid, fx.notifications),
            FeatureResult::Password(outcome) => self.passwords.fold(outcome, fx.notifications),
            FeatureResult::Bulk(result) => {
                let applied = matches!(result, BulkResult::Applied { .. });
                self.bulk.fold(result, fx, &mut self.grid);
                // The pane shows what the site has now, unless the user is editing it.
                if applied {
                    self.editor.reload_if_unchanged(fx);
                }
            }
            FeatureResult::Editor(result) => {
                if let Some(leaving) = self.editor.fold(result, fx, &mut self.grid) {
                    self.proceed(leaving);
                }
            }
            FeatureResult::Export(result) => self.exports.fold(result, fx, &mut self.settings.export),
            FeatureResult::Profiles(result) => {
                if let Some(event) = self.profiles.fold(result, fx) {
                    self.profiles_event(event);
                }
            }
            FeatureResult::Site(result) => {
                let site = self.shell.fold_site(result, &self.config, &self.profiles, &self.settings);
                if let Some(SiteEvent::Opened) = site {
                    self.site_opened();
                }
            }
            FeatureResult::Grid(result) => {
                if self.grid.fold(result, fx) {
                    let seen = self.grid.custom_fields.clone();
                    self.layout_mut().add_custom_fields(&seen);
                }
            }
            FeatureResult::Related(result) => self.related.fold(result),
            FeatureResult::Forget(result) => self.forgetting.fold(result, fx),
            FeatureResult::SiteCheck(done) => {
                if let Some(check) = self.site_checks.fold(done) {
                    self.apply_site_check(check);
                }
            }
            FeatureResult::History(result) => {
                self.history.fold(result, fx);
                // What an undo put back shows in the grid and the pane.
                self.grid.reload();
                self.editor.reload_if_unchanged(fx);
            }
        }
    }

    /// Speaks the dialect a site check learned to the open site from now on, saves the check
    /// with the site's profile, and loads the grid again in that dialect.
    fn apply_site_check(&mut self, check: crate::doctor::SiteCheck) {
        let site = &mut self.shell.site;
        site.client = site.client.take().map(|client| client.with_dialect(check.dialect.clone()));
        site.writes = site.writes.take().map(|writes| writes.with_dialect(check.dialect.clone()));
        if let Target::Profile(id) = &site.target {
            let command = super::profiles::ProfilesCommand::SaveCheck { id: id.clone(), check: Box::new(check) };
            self.send(Command::Profiles(command));
        }
        self.send(Command::Grid(super::grid::GridCommand::Refresh));
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
                self.site_closed();
                self.shell.open_checked_site(&profile, client, &self.config);
                self.settings.last_profile = (!session_only).then_some(profile.id);
            }
            ProfilesEvent::Removed { id, erase_data } => {
                if self.shell.site.target == Target::Profile(id.clone()) {
                    self.open(Target::Sandbox);
                }
                if erase_data {
                    self.settings.layouts.remove(&id);
                    self.shell.erase_site_data(id, &self.config);
                }
            }
        }
    }
}
