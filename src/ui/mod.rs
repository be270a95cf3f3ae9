//! Drawing. Every function here reads the app state and emits commands; none of them
//! touches the network or the disk.

mod banner;
mod connect;
mod contacts;
mod menu;
mod notifications;
mod palette;
mod status;

use std::time::Instant;

use crate::app::command::{Command, Target, UiCommand};
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
    applied_theme: Option<ThemeChoice>,
    first_frame_reported: bool,
}

impl TreeplApp {
    pub fn new(cc: &eframe::CreationContext<'_>, config: AppConfig, runtime: tokio::runtime::Handle) -> Self {
        install_fallback_font(&cc.egui_ctx);
        let settings = cc.storage.and_then(|storage| eframe::get_value(storage, STORAGE_KEY)).unwrap_or_default();
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

    fn run(&mut self, command: UiCommand, ctx: &egui::Context) {
        let state = &mut self.state;
        match command {
            UiCommand::Refresh => state.send(Command::LoadContacts),
            UiCommand::ConnectSite => state.connect_dialog = Some(ConnectDialog::default()),
            UiCommand::UseSandbox => state.send(Command::Open(Target::Sandbox)),
            UiCommand::CommandPalette => self.view.palette = Some(palette::Palette::default()),
            UiCommand::ToggleNotifications => state.notifications.toggle_panel(),
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

/// What a frame's widgets asked for, carried out once the frame is drawn.
#[derive(Default)]
struct Intents {
    ui_commands: Vec<UiCommand>,
    commands: Vec<Command>,
}

impl eframe::App for TreeplApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if !self.view.first_frame_reported {
            self.view.first_frame_reported = true;
            tracing::info!(after_ms = crate::startup_elapsed().as_millis() as u64, "first frame");
        }
        self.state.poll();
        if self.view.applied_theme != Some(self.state.settings.theme) {
            ctx.set_theme(self.state.settings.theme.preference());
            self.view.applied_theme = Some(self.state.settings.theme);
        }

        let mut intents = Intents::default();
        for command in UiCommand::ALL {
            if let Some(shortcut) = command.shortcut()
                && ctx.input_mut(|input| input.consume_shortcut(&shortcut))
            {
                intents.ui_commands.push(command);
            }
        }

        menu::bar_ui(ui, &self.state, &mut intents);
        banner::ui(ui, &self.state, &mut intents);
        status::bar_ui(ui, &self.state, &mut intents);
        if self.state.notifications.panel_open {
            notifications::panel_ui(ui, &mut self.state.notifications, &mut intents);
        }
        egui::CentralPanel::default().show(ui, |ui| contacts::ui(ui, &self.state, &mut intents));

        let keyring = self.state.keyring_description();
        if let Some(dialog) = self.state.connect_dialog.as_mut()
            && connect::dialog_ui(&ctx, dialog, keyring, &mut intents)
        {
            self.state.connect_dialog = None;
        }
        if let Some(palette) = self.view.palette.as_mut()
            && palette.ui(&ctx, &self.state, &mut intents)
        {
            self.view.palette = None;
        }
        notifications::toasts_ui(&ctx, &mut self.state.notifications);

        for command in intents.ui_commands {
            self.run(command, &ctx);
        }
        for command in intents.commands {
            self.state.send(command);
        }
        self.state.run_commands();
        // Toasts disappear on their own: wake up for that, and not before.
        if let Some(wait) = self.state.notifications.next_expiry(Instant::now()) {
            ctx.request_repaint_after(wait);
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state.settings);
    }
}
