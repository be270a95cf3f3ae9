//! Toasts (bottom right, stay while hovered) and the notifications panel (the history).

use std::time::Instant;

use crate::app::command::UiCommand;
use crate::app::notifications::{Level, Notification, Notifications};

use super::Intents;
use super::history::{escape_closes, top_window};

pub fn toasts_ui(ctx: &egui::Context, notifications: &mut Notifications) {
    let now = Instant::now();
    let toasts: Vec<Notification> = notifications.toasts(now).cloned().collect();
    if toasts.is_empty() {
        return;
    }
    let mut held = Vec::new();
    let mut dismissed = Vec::new();
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-12.0, -36.0))
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            ui.set_max_width(380.0);
            for toast in toasts.iter().rev().take(4) {
                let frame = egui::Frame::popup(ui.style()).stroke(egui::Stroke::new(1.5, color(ui, toast.level)));
                let response = frame
                    .show(ui, |ui| {
                        ui.horizontal(|ui| {
                            ui.colored_label(color(ui, toast.level), egui::RichText::new(&toast.title).strong());
                            ui.with_layout(egui::Layout::right_to_left(egui::Align::TOP), |ui| {
                                if ui.small_button("Dismiss").on_hover_text("Hide this message").clicked() {
                                    dismissed.push(toast.id);
                                }
                            });
                        });
                        ui.label(&toast.detail);
                    })
                    .response;
                if response.contains_pointer() {
                    held.push(toast.id);
                }
                ui.add_space(6.0);
            }
        });
    for id in held {
        notifications.hold(id, now);
    }
    for id in dismissed {
        notifications.dismiss(id);
    }
}

pub fn panel_ui(ui: &mut egui::Ui, notifications: &mut Notifications, intents: &mut Intents) {
    // Escape closes the panel once no window is over the app (a window closes first).
    let ctx = ui.ctx().clone();
    if escape_closes(&ctx, egui::Id::unique("notifications_panel"), top_window(&ctx).is_none()) {
        intents.ui_commands.push(UiCommand::ToggleNotifications);
    }
    egui::Panel::right("notifications").resizable(true).default_size(340.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.heading("Notifications");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close").on_hover_text(UiCommand::ToggleNotifications.tooltip()).clicked() {
                    intents.ui_commands.push(UiCommand::ToggleNotifications);
                }
                if ui.button("Clear").on_hover_text("Forget all messages").clicked() {
                    notifications.clear_history();
                }
            });
        });
        ui.separator();
        if notifications.history().is_empty() {
            ui.label("Nothing to report.");
            return;
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for note in notifications.history().iter().rev() {
                ui.horizontal(|ui| {
                    ui.colored_label(color(ui, note.level), egui::RichText::new(&note.title).strong());
                    ui.weak(note.at.format("%H:%M:%S").to_string());
                });
                ui.label(&note.detail);
                ui.separator();
            }
        });
    });
}

fn color(ui: &egui::Ui, level: Level) -> egui::Color32 {
    match level {
        Level::Error => ui.visuals().error_fg_color,
        Level::Warning => ui.visuals().warn_fg_color,
        Level::Success => egui::Color32::from_rgb(0x3c, 0xa5, 0x5c),
        Level::Info => ui.visuals().text_color(),
    }
}
