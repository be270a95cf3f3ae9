//! The status bar: what is running (a spinner, or progress with Cancel for long work),
//! and the way to the notifications.

use crate::app::AppState;
use crate::app::command::{Command, UiCommand};

use super::Intents;

pub fn bar_ui(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    egui::Panel::bottom("status_bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let mut any = false;
            for (id, task) in state.shell.tasks.running() {
                any = true;
                match &task.progress {
                    Some(progress) => {
                        let (done, total) = progress.get();
                        let fraction = total.map_or(0.0, |t| done as f32 / t.max(1) as f32);
                        let text = match total {
                            Some(total) => format!("{}: {done} of {total}", task.label),
                            None => format!("{}…", task.label),
                        };
                        ui.add(egui::ProgressBar::new(fraction).desired_width(220.0).text(text));
                    }
                    None => {
                        ui.spinner();
                        ui.label(format!("{}…", task.label));
                    }
                }
                if task.cancel.is_some() && ui.button("Cancel").on_hover_text(format!("Stop: {}", task.label)).clicked()
                {
                    intents.commands.push(Command::Cancel(id));
                }
                ui.separator();
            }
            if !any {
                ui.label("Ready");
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let unread = state.shell.notifications.unread;
                let label = if unread > 0 { format!("Notifications ({unread})") } else { "Notifications".to_owned() };
                let command = UiCommand::ToggleNotifications;
                let button = egui::Button::selectable(state.shell.notifications.panel_open, label);
                if ui.add(button).on_hover_text(command.tooltip()).clicked() {
                    intents.ui_commands.push(command);
                }
            });
        });
    });
}
