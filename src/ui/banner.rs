//! The strip under the menu: which site this is; for the sandbox, that it holds demo data; for
//! a saved site the doctor has not checked, that it has not been.

use crate::app::command::{Target, UiCommand};
use crate::app::{AppState, SiteStatus};

use super::Intents;

pub fn ui(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    let sandbox = state.shell.site.target == Target::Sandbox;
    let visuals = ui.visuals();
    let fill = if sandbox { visuals.warn_fg_color.gamma_multiply(0.18) } else { visuals.faint_bg_color };
    let frame = egui::Frame::new().fill(fill).inner_margin(egui::Margin::symmetric(12, 8));
    egui::Panel::top("site_banner").frame(frame).show(ui, |ui| {
        ui.horizontal(|ui| {
            if sandbox {
                ui.label(egui::RichText::new("Sandbox site: demo data").strong());
                ui.label("Changes stay on this computer.");
                if ui.button("Connect a real site…").on_hover_text(UiCommand::ConnectSite.tooltip()).clicked() {
                    intents.ui_commands.push(UiCommand::ConnectSite);
                }
            } else {
                ui.label(egui::RichText::new(&state.shell.site.name).strong());
                if let Some(client) = &state.shell.site.client {
                    ui.label(client.site_url().as_str());
                }
                // A site the doctor has not met is spoken to in the app's own reading of the
                // reference: say so, with the check one click away.
                let unchecked = match &state.shell.site.target {
                    Target::Profile(id) => state.profiles.find(id).is_some_and(|p| p.site_check.is_none()),
                    Target::Sandbox => false,
                };
                if unchecked {
                    ui.separator();
                    ui.colored_label(ui.visuals().warn_fg_color, "Not checked yet");
                    let command = UiCommand::CheckSite;
                    if ui.button(command.label()).on_hover_text(command.tooltip()).clicked() {
                        intents.ui_commands.push(command);
                    }
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| match &state.shell.site.status {
                SiteStatus::Connecting => {
                    ui.label("Connecting…");
                    ui.spinner();
                }
                SiteStatus::Connected => {
                    ui.label("Connected");
                }
                SiteStatus::Failed(message) => {
                    ui.colored_label(ui.visuals().error_fg_color, "Not connected").on_hover_text(message);
                }
            });
        });
    });
}
