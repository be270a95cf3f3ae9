//! The menu bar: every [`UiCommand`] with its shortcut, and the site profiles.

use crate::app::AppState;
use crate::app::command::{Command, Target, UiCommand};
use crate::app::profiles::ProfilesCommand;
use crate::app::settings::ThemeChoice;

use super::Intents;

pub fn bar_ui(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    egui::Panel::top("menu_bar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("Site", |ui| site_menu_ui(ui, state, intents));
            ui.menu_button("Edit", |ui| {
                undo_button(ui, state, intents);
                ui.separator();
                command_button(ui, UiCommand::NewContact, intents);
                ui.separator();
                command_button(ui, UiCommand::SelectAll, intents);
                command_button(ui, UiCommand::Export, intents);
                ui.separator();
                command_button(ui, UiCommand::BulkEdit, intents);
                command_button(ui, UiCommand::BulkZones, intents);
                ui.separator();
                command_button(ui, UiCommand::Delete, intents);
            });
            ui.menu_button("View", |ui| {
                command_button(ui, UiCommand::Refresh, intents);
                command_button(ui, UiCommand::TogglePane, intents);
                command_button(ui, UiCommand::ToggleNotifications, intents);
                command_button(ui, UiCommand::History, intents);
                ui.separator();
                for (choice, command) in [
                    (ThemeChoice::FollowSystem, UiCommand::ThemeFollowSystem),
                    (ThemeChoice::Dark, UiCommand::ThemeDark),
                    (ThemeChoice::Light, UiCommand::ThemeLight),
                ] {
                    let selected = state.settings.theme == choice;
                    if ui
                        .add(egui::Button::selectable(selected, command.label()))
                        .on_hover_text(command.tooltip())
                        .clicked()
                    {
                        intents.ui_commands.push(command);
                        ui.close();
                    }
                }
            });
            ui.menu_button("Help", |ui| {
                command_button(ui, UiCommand::KeyboardShortcuts, intents);
                command_button(ui, UiCommand::CommandPalette, intents);
                ui.separator();
                command_button(ui, UiCommand::About, intents);
            });
        });
    });
}

fn site_menu_ui(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    let on_sandbox = state.shell.site.target == Target::Sandbox;
    if ui
        .add(egui::Button::selectable(on_sandbox, "Sandbox site (demo data)"))
        .on_hover_text(UiCommand::UseSandbox.tooltip())
        .clicked()
    {
        intents.ui_commands.push(UiCommand::UseSandbox);
        ui.close();
    }
    for profile in &state.profiles.list {
        let selected = state.shell.site.target == Target::Profile(profile.id.clone());
        let label = if state.profiles.is_session_only(&profile.id) {
            format!("{} (this session)", profile.name)
        } else {
            profile.name.clone()
        };
        if ui.add(egui::Button::selectable(selected, label)).on_hover_text(&profile.site_url).clicked() {
            intents.commands.push(Command::Open(Target::Profile(profile.id.clone())));
            ui.close();
        }
    }
    ui.separator();
    command_button(ui, UiCommand::Import, intents);
    ui.separator();
    command_button(ui, UiCommand::CheckSite, intents);
    command_button(ui, UiCommand::ConnectSite, intents);
    if !state.profiles.list.is_empty() {
        ui.menu_button("Remove a site", |ui| {
            for profile in &state.profiles.list {
                let response = ui
                    .button(format!("Remove {}", profile.name))
                    .on_hover_text("Forget this site and delete its secret from the keyring");
                if response.clicked() {
                    intents.commands.push(Command::Profiles(ProfilesCommand::AskRemove(profile.id.clone())));
                    ui.close();
                }
            }
        });
    }
    ui.separator();
    command_button(ui, UiCommand::Quit, intents);
}

/// A menu entry for a command, with its shortcut shown.
fn command_button(ui: &mut egui::Ui, command: UiCommand, intents: &mut Intents) {
    let mut button = egui::Button::new(command.label());
    if let Some(shortcut) = command.shortcut() {
        button = button.shortcut_text(ui.ctx().format_shortcut(&shortcut));
    }
    if ui.add(button).on_hover_text(command.tooltip()).clicked() {
        intents.ui_commands.push(command);
        ui.close();
    }
}

/// Edit > Undo, named for the change it undoes ("Undo save of Isla Ngata").
fn undo_button(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    let command = UiCommand::Undo;
    let last = state.history.last_change.as_ref().filter(|change| change.can_undo());
    let label = last.map_or_else(|| "Undo".to_owned(), |change| format!("Undo {}", change.undo_name()));
    let mut button = egui::Button::new(label);
    if let Some(shortcut) = command.shortcut() {
        button = button.shortcut_text(ui.ctx().format_shortcut(&shortcut));
    }
    let busy = state.history.undoing;
    let response = ui
        .add_enabled(last.is_some() && !busy, button)
        .on_hover_text(command.tooltip())
        .on_disabled_hover_text(if busy { "An undo is running" } else { "Nothing to undo" });
    if response.clicked() {
        intents.ui_commands.push(command);
        ui.close();
    }
}
