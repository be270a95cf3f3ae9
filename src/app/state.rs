//! The app's state: the shell (tasks, notifications, the open site), the settings, and the
//! features, each in its own module with its commands, results and fold. Here commands are
//! routed to their feature and finished work back to its feature's `fold`, after the one
//! check that drops results of a site no longer open. What crosses features (a delete lets
//! go of the pane, an undo reloads the grid) is said here, where it can be seen.

use std::sync::Arc;

use super::bulk::{Bulk, BulkResult};
use super::command::Command;
use super::contact::drafts::DraftFolder;
use super::contact::{Editor, EditorCommand, Leaving, NEW};
use super::delete::Deletes;
use super::effects::{FeatureResult, TaskResult};
use super::export::{ExportCommand, Exports};
use super::forget::Forgetting;
use super::grid::Grid;
use super::history::HistoryPanel;
use super::import::{Import, ImportResult};
use super::money::MoneyFormat;
use super::password::Passwords;
use super::profiles::{ProfileFile, Profiles};
use super::related::Related;
use super::settings::Settings;
use super::shell::Shell;
use super::site::SiteEvent;
use super::site_check::SiteChecks;
use super::tasks::TaskRunner;

pub use super::config::AppConfig;

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
    /// File > Import contacts…: the import dialog.
    pub import: Import,
    pub editor: Editor,
    /// The tabs of the contact in the pane.
    pub related: Related,
    /// The change journal, as the History panel shows it.
    pub history: HistoryPanel,
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
            import: Import::default(),
            editor: Editor::default(),
            related: Related::default(),
            history: HistoryPanel::default(),
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
                let editing = self.editor.unsaved_email();
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
            Command::Import(command) => {
                let saved = self.settings.import_mappings.entry(self.shell.site.key()).or_default();
                let fx = &mut self.shell.effects();
                self.import.execute(command, fx, saved, &self.grid.custom_fields, &self.config.file_chooser);
            }
            Command::Related(command) => {
                let open = self.editor.open.as_ref().and_then(|open| open.base.as_ref());
                let label = open.map_or_else(|| "a contact".to_owned(), crate::app::text::contact_name);
                self.related.execute(command, label, fx);
            }
            Command::Open(target) => self.leave(Leaving::ToSite(target)),
            Command::Quit => self.leave(Leaving::Quit),
        }
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
            FeatureResult::Import(result) => {
                let applied = matches!(result, ImportResult::Applied { .. });
                let saved = self.settings.import_mappings.get(&self.shell.site.key()).cloned().unwrap_or_default();
                let fx = &mut self.shell.effects();
                self.import.fold(result, fx, &mut self.grid, &saved);
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
                    self.import.custom_fields_seen(&seen);
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
}
