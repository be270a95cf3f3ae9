//! Drawing. Every function here reads the app state and emits commands; none of them
//! touches the network or the disk.

mod about;
mod banner;
mod bulk;
mod connect;
mod contact;
mod contacts;
mod export;
mod grid;
mod history;
mod import;
mod menu;
mod notifications;
mod palette;
mod password;
mod query_bar;
mod related;
mod shortcuts;
mod site_check;
mod status;
mod typed_count;

use std::time::Instant;

use crate::app::command::{Command, Target, UiCommand};
use crate::app::delete::DeleteConfirmation;
use crate::app::export::ExportStage;
use crate::app::grid::GridCommand;
use crate::app::history::HistoryCommand;
use crate::app::import::ImportCommand;
use crate::app::settings::{STORAGE_KEY, ThemeChoice};
use crate::app::{AppConfig, AppState, ConnectDialog};

pub const APP_TITLE: &str = "Treepl Contacts";

/// The desktop id: the window's app id and the name of the files in `dist/`.
pub const APP_ID: &str = "org.treeplcontacts.TreeplContacts";

/// The eframe app: the state plus what only the UI needs.
pub struct TreeplApp {
    state: AppState,
    view: ViewState,
}

/// UI-only state: open popups and what has been applied.
#[derive(Default)]
struct ViewState {
    palette: Option<palette::Palette>,
    query_bar: query_bar::QueryBar,
    pane: contact::PaneView,
    history: history::HistoryView,
    applied_theme: Option<ThemeChoice>,
    first_frame_reported: bool,
    /// The window was told to close (once the user let go of unsaved changes).
    closing: bool,
    /// Help > Keyboard shortcuts is open.
    shortcuts_open: bool,
    /// Help > About is open.
    about: Option<about::AboutView>,
    /// The frame that first drew loaded contacts, until the next frame reports it on screen.
    contacts_drawn_in: Option<u64>,
    contacts_shown_reported: bool,
}

impl TreeplApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig, runtime: tokio::runtime::Handle) -> Self {
        let settings = cc.storage.and_then(|storage| eframe::get_value(storage, STORAGE_KEY)).unwrap_or_default();
        Self::with_settings(cc, config, runtime, settings)
    }

    /// As [`TreeplApp::new`], with settings given rather than read from eframe's storage
    /// (tests and benchmarks open a chosen site this way).
    pub fn with_settings(
        cc: &eframe::CreationContext<'_>,
        config: AppConfig,
        runtime: tokio::runtime::Handle,
        settings: crate::app::settings::Settings,
    ) -> Self {
        install_fallback_font(&cc.egui_ctx);
        let state = AppState::new(config, settings, runtime, cc.egui_ctx.clone());
        Self { state, view: ViewState::default() }
    }

    /// The app state, for tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// Opens the import dialog on `path` (the command line's `--import`).
    pub fn open_import(&mut self, path: std::path::PathBuf) {
        self.state.send(Command::Import(ImportCommand::Open(path)));
    }

    /// The window is closing: stop what can be stopped (an export must not leave half a file),
    /// and take a copied password off the clipboard (waiting for that half a second at most).
    /// Nothing else here waits; see [`crate::app::shut_down`] for the runtime.
    pub fn close(&mut self) {
        self.state.shell.tasks.cancel_all();
        self.state.passwords.take_off_clipboard();
    }

    /// Whether any dialog, confirmation or popup of the app is open, or any egui modal was
    /// shown last frame (so that a dialog added later is covered without being listed).
    fn dialog_open(&self, ctx: &egui::Context) -> bool {
        self.state.dialog_open()
            || self.view.palette.is_some()
            || self.view.about.is_some()
            || ctx.memory(|memory| memory.top_modal_layer().is_some())
    }

    fn run(&mut self, command: UiCommand, ctx: &egui::Context) {
        let state = &mut self.state;
        match command {
            UiCommand::Undo => state.send(Command::History(HistoryCommand::UndoLast)),
            UiCommand::KeyboardShortcuts => self.view.shortcuts_open = true,
            UiCommand::About => self.view.about = Some(about::AboutView::default()),
            UiCommand::Refresh => state.send(Command::Grid(GridCommand::Refresh)),
            UiCommand::SelectAll => state.grid.select_all(),
            UiCommand::Delete => state.confirm_delete(),
            UiCommand::BulkEdit => state.open_bulk_dialog(crate::app::bulk::BulkKind::Edit),
            UiCommand::BulkZones => state.open_bulk_dialog(crate::app::bulk::BulkKind::Zones),
            UiCommand::SaveContact => {
                // A save that cannot go yet shows every reason at its field.
                self.view.pane.reveal_problems = true;
                state.send(Command::Editor(crate::app::contact::EditorCommand::Save));
            }
            UiCommand::RevertField => {
                if let Some(field) = self.view.pane.focused_field.clone() {
                    state.send(Command::Editor(crate::app::contact::EditorCommand::Revert(field)));
                }
            }
            UiCommand::ResetPassword => state.open_password_dialog(),
            UiCommand::NewContact => {
                state.send(Command::Editor(crate::app::contact::EditorCommand::New));
                state.settings.pane_shown = true;
                self.view.pane.focus_first_field = true;
            }
            UiCommand::TogglePane => state.settings.pane_shown = !state.settings.pane_shown,
            UiCommand::Export => state.open_export_dialog(),
            UiCommand::Import => state.send(Command::Import(ImportCommand::ChooseFile)),
            UiCommand::ConnectSite => state.profiles.dialog = Some(ConnectDialog::default()),
            UiCommand::UseSandbox => state.send(Command::Open(Target::Sandbox)),
            UiCommand::CheckSite => state.send(Command::SiteCheck(crate::app::site_check::SiteCheckCommand::Open)),
            UiCommand::CommandPalette => self.view.palette = Some(palette::Palette::default()),
            UiCommand::ToggleNotifications => state.shell.notifications.toggle_panel(),
            UiCommand::History => state.send(Command::History(HistoryCommand::Show(None))),
            UiCommand::ThemeFollowSystem => state.settings.theme = ThemeChoice::FollowSystem,
            UiCommand::ThemeDark => state.settings.theme = ThemeChoice::Dark,
            UiCommand::ThemeLight => state.settings.theme = ThemeChoice::Light,
            UiCommand::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
        }
    }
}

/// Noto Sans behind egui's own fonts: contact names in Vietnamese, Greek, Cyrillic and all
/// of extended Latin draw as letters, not boxes.
fn install_fallback_font(ctx: &egui::Context) {
    use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
    let data = egui::FontData::from_static(include_bytes!("../../assets/fonts/NotoSans-Regular.ttf"));
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .map(|family| InsertFontFamily { family, priority: FontPriority::Lowest })
        .to_vec();
    ctx.add_font(FontInsert::new("NotoSans-Regular", data, families));
}

/// Asks before deleting what `confirmation` froze; `Some(true)` to go ahead.
fn confirm_delete_ui(ctx: &egui::Context, confirmation: &mut DeleteConfirmation) -> Option<bool> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_delete")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(confirmation.question());
        let (it, its, them) =
            if confirmation.count == 1 { ("It is", "its", "it") } else { ("They are", "their", "them") };
        ui.label(format!(
            "{it} removed from the site with {its} bookings, cases, orders and secure-zone access. Undo in History \
             creates {them} again from the last copy with {its} custom values and zones, but with a new Id and \
             without {its} bookings, cases, orders or password."
        ));
        typed_count::typed_count_ui(ui, &mut confirmation.typed_count, confirmation.count);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Cancel").on_hover_text("Delete nothing").clicked() {
                answer = Some(false);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let delete = egui::Button::new(egui::RichText::new("Delete").color(ui.visuals().error_fg_color));
                let what = crate::app::text::contacts(confirmation.count);
                let delete = ui.add_enabled(confirmation.may_delete(), delete);
                if delete.on_hover_text(format!("Delete {what} from the site")).clicked() {
                    answer = Some(true);
                }
            });
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}

/// Asks before removing a site, and whether its data on this computer goes with it.
fn remove_site_ui(
    ctx: &egui::Context,
    removing: &mut crate::app::profiles::RemoveSite,
) -> Option<crate::app::profiles::ProfilesCommand> {
    use crate::app::profiles::ProfilesCommand;
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_remove_site")).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading(format!("Remove {}?", removing.name));
        ui.label("The site is forgotten here and its Client Secret is deleted from the keyring.");
        ui.checkbox(
            &mut removing.erase_data,
            "Also remove its change journal, unsaved drafts and saved views from this computer",
        );
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Cancel").on_hover_text("Keep the site").clicked() {
                answer = Some(ProfilesCommand::KeepSite);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Remove").on_hover_text("Remove the site").clicked() {
                    let (id, erase_data) = (removing.id.clone(), removing.erase_data);
                    answer = Some(ProfilesCommand::Remove { id, erase_data });
                }
            });
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(ProfilesCommand::KeepSite);
    }
    answer
}

/// Asks before forgetting a person; `Some(true)` to go ahead.
fn confirm_forget_ui(ctx: &egui::Context, person: &crate::app::forget::Person) -> Option<bool> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique("confirm_forget")).show(ctx, |ui| {
        ui.set_width(440.0);
        ui.heading(format!("Forget {}?", person.name));
        ui.label(format!(
            "Every change this app recorded of {} ({}) and any unsaved draft of them are removed from this \
             computer, for this site, and overwritten in the journal's files. The contact on the site stays as it \
             is. Those changes can no longer be undone from History.",
            person.name, person.email
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Cancel").on_hover_text("Forget nothing").clicked() {
                answer = Some(false);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let forget = egui::Button::new(egui::RichText::new("Forget").color(ui.visuals().error_fg_color));
                if ui.add(forget).on_hover_text("Remove this person from this computer").clicked() {
                    answer = Some(true);
                }
            });
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}

pub(crate) use crate::app::text::thousands;

/// A field holding a secret (a password, the Client Secret) keeps no undo history: egui's
/// would hold plain copies of what was typed until the app quits.
pub(crate) fn forget_typing_history(ctx: &egui::Context, field: egui::Id) {
    if let Some(mut state) = egui::text_edit::TextEditState::load(ctx, field) {
        state.clear_undoer();
        state.store(ctx, field);
    }
}

/// What a frame's widgets asked for, carried out once the frame is drawn.
#[derive(Default)]
struct Intents {
    ui_commands: Vec<UiCommand>,
    commands: Vec<Command>,
    /// Enter or a double-click on a row: the keyboard goes to the contact pane.
    focus_pane: bool,
    /// The pane's Delete: the confirmation for its contact.
    delete_open_contact: bool,
}

impl eframe::App for TreeplApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.view.first_frame_reported {
            self.view.first_frame_reported = true;
            tracing::info!(after_ms = crate::startup_elapsed().as_millis() as u64, "first ui call");
        }
        // eframe paints and swaps a frame before it starts the next one: the frame after the
        // first one that drew loaded rows is when the contacts are on screen.
        if !self.view.contacts_shown_reported
            && self.view.contacts_drawn_in.is_some_and(|frame| frame < ctx.cumulative_frame_nr())
        {
            self.view.contacts_shown_reported = true;
            tracing::info!(after_ms = crate::startup_elapsed().as_millis() as u64, "contacts on screen");
        }
        self.state.poll();
        // Closing the window with unsaved changes asks first (Save, Discard, Cancel).
        if ctx.input(|input| input.viewport().close_requested())
            && !self.state.quit_allowed
            && self.state.editor.is_dirty()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.state.send(Command::Quit);
        }
        if self.state.quit_allowed && !self.view.closing {
            self.view.closing = true;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if self.view.applied_theme != Some(self.state.settings.theme) {
            ctx.set_theme(self.state.settings.theme.preference());
            self.view.applied_theme = Some(self.state.settings.theme);
        }

        let mut intents = Intents::default();
        // The one rule for keys behind a dialog: none of them act on what is behind it.
        let behind_dialog = self.dialog_open(&ctx);
        let typing = ctx.egui_wants_keyboard_input();
        for command in UiCommand::by_modifiers() {
            if let Some(shortcut) = command.shortcut()
                && !behind_dialog
                && !(typing && command.is_text_editing_key())
                && ctx.input_mut(|input| input.consume_shortcut(&shortcut))
            {
                intents.ui_commands.push(command);
            }
        }

        menu::bar_ui(ui, &self.state, &mut intents);
        banner::ui(ui, &self.state, &mut intents);
        status::bar_ui(ui, &self.state, &mut intents);
        if self.state.shell.notifications.panel_open {
            notifications::panel_ui(ui, &mut self.state.shell.notifications, &mut intents);
        }
        contact::pane_ui(ui, &mut self.state, &mut self.view.pane, &mut intents);
        history::ui(&ctx, &mut self.state, &mut self.view.history, &mut intents);
        contact::leave_ui(&ctx, &self.state, &mut intents);
        contact::drafts_ui(&ctx, &self.state, &mut intents);
        let bar = &mut self.view.query_bar;
        let keys = !behind_dialog;
        egui::CentralPanel::default().show(ui, |ui| contacts::ui(ui, &mut self.state, bar, keys, &mut intents));
        let grid = &self.state.grid;
        if self.view.contacts_drawn_in.is_none() && grid.visible.is_some_and(|(first, _)| grid.peek(first).is_some()) {
            self.view.contacts_drawn_in = Some(ctx.cumulative_frame_nr());
            ctx.request_repaint();
        }
        if let Some(removing) = self.state.profiles.removing.as_mut()
            && let Some(command) = remove_site_ui(&ctx, removing)
        {
            intents.commands.push(Command::Profiles(command));
        }
        if let Some(person) = &self.state.forgetting.asking
            && let Some(confirmed) = confirm_forget_ui(&ctx, person)
        {
            let person = person.clone();
            intents.commands.push(Command::Forget(if confirmed {
                crate::app::forget::ForgetCommand::Confirm(person)
            } else {
                crate::app::forget::ForgetCommand::Cancel
            }));
        }
        if let Some(confirmation) = &mut self.state.deletes.confirmation
            && let Some(confirmed) = confirm_delete_ui(&ctx, confirmation)
        {
            if confirmed {
                intents.commands.push(Command::Delete(confirmation.clone()));
            }
            self.state.deletes.confirmation = None;
        }
        for id in contact::windows_ui(&ctx, &self.state.grid.windows) {
            intents.commands.push(Command::Grid(GridCommand::CloseContact(id)));
        }

        let keyring = self.state.profiles.keyring_description();
        if let Some(dialog) = self.state.profiles.dialog.as_mut()
            && connect::dialog_ui(&ctx, dialog, keyring, &mut intents)
        {
            self.state.profiles.dialog = None;
        }
        if let Some(dialog) = self.state.exports.dialog.as_mut() {
            let progress = match dialog.stage {
                ExportStage::Running { task, .. } => self
                    .state
                    .shell
                    .tasks
                    .running()
                    .find(|(id, _)| *id == task)
                    .and_then(|(_, running)| running.progress.as_ref().map(|p| p.get())),
                _ => None,
            };
            if export::dialog_ui(&ctx, dialog, progress, &mut intents) {
                self.state.exports.dialog = None;
            }
        }
        if let Some(dialog) = self.state.bulk.dialog.as_mut() {
            let task = match dialog.stage {
                crate::app::bulk::BulkStage::Previewing(task) | crate::app::bulk::BulkStage::Applying(task) => {
                    Some(task)
                }
                _ => None,
            };
            let progress = task
                .and_then(|task| self.state.shell.tasks.running().find(|(id, _)| *id == task))
                .and_then(|(_, running)| running.progress.as_ref().map(|p| p.get()));
            if bulk::dialog_ui(&ctx, dialog, progress, &mut intents) {
                self.state.bulk.dialog = None;
            }
        }
        if let Some(dialog) = self.state.import.dialog.as_mut() {
            let progress = dialog
                .task()
                .and_then(|task| self.state.shell.tasks.running().find(|(id, _)| *id == task))
                .and_then(|(_, running)| running.progress.as_ref().map(|p| p.get()));
            if import::dialog_ui(&ctx, dialog, progress, &mut intents) {
                // A file being read or a dry run stops with the dialog (an apply keeps it open).
                if let Some(task) = dialog.task() {
                    intents.commands.push(Command::Cancel(task));
                }
                self.state.import.dialog = None;
            }
        }
        // A file dropped on the window opens in the import dialog (not behind another one).
        if (!behind_dialog || self.state.import.dialog.is_some())
            && let Some(path) = ctx.input(|input| input.raw.dropped_files.first().map(|file| file.path().to_owned()))
        {
            intents.commands.push(Command::Import(ImportCommand::Open(path)));
        }
        if let Some(dialog) = self.state.site_checks.dialog.as_mut() {
            let kept = matches!(self.state.shell.site.target, Target::Profile(_));
            site_check::dialog_ui(&ctx, dialog, &self.state.shell.site.name, kept, &mut intents);
        }
        match self.state.passwords.dialog.as_mut() {
            Some(dialog) => {
                if password::dialog_ui(&ctx, dialog, &mut intents) {
                    self.state.passwords.dialog = None;
                }
            }
            None => password::closed(&ctx),
        }
        if let Some(palette) = self.view.palette.as_mut()
            && palette.ui(&ctx, &self.state, &mut intents)
        {
            self.view.palette = None;
        }
        if self.view.shortcuts_open {
            self.view.shortcuts_open = shortcuts::window_ui(&ctx);
        }
        if let Some(about) = self.view.about.as_mut()
            && about.ui(&ctx)
        {
            self.view.about = None;
        }
        notifications::toasts_ui(&ctx, &mut self.state.shell.notifications);

        if intents.delete_open_contact {
            self.state.confirm_delete_open_contact();
        }
        if intents.focus_pane {
            self.state.settings.pane_shown = true;
            self.view.pane.focus_first_field = true;
        }
        for command in intents.ui_commands {
            self.run(command, &ctx);
        }
        for command in intents.commands {
            self.state.send(command);
        }
        self.state.run_commands();
        // Toasts disappear on their own, drafts are written after a pause: wake up for
        // that, and not before.
        if let Some(wait) = self.state.shell.notifications.next_expiry(Instant::now()) {
            ctx.request_repaint_after(wait);
        }
        if let Some(wait) = self.state.wake_in {
            ctx.request_repaint_after(wait);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state.settings);
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.close();
    }
}
