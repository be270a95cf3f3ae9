//! Site > Check this site…: the doctor's table as it fills in, its verdict, and what the app
//! now does with the site. Escape or Close shuts it (stopping a run).

use crate::app::command::Command;
use crate::app::site_check::{CheckDialog, SiteCheckCommand};
use crate::doctor::{Probe, Verdict};

use super::Intents;

/// Draws the open dialog; `site` names the open site, `kept`: the check is saved with it.
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut CheckDialog, site: &str, kept: bool, intents: &mut Intents) {
    let mut command = |c| intents.commands.push(Command::SiteCheck(c));
    let modal = egui::Modal::new(egui::Id::unique("site_check_dialog")).show(ctx, |ui| {
        ui.set_width(760.0);
        ui.heading("Check this site");
        ui.weak(site);
        ui.label(
            "Asks the site a few list questions whose answers are known in advance: whether a filter narrows the \
             list, whether Offset moves, whether DESC reverses, how large a page may be, and which filter \
             operators it honours. The app then speaks the site's dialect, and offers only what it honours.",
        );
        ui.add_space(4.0);
        ui.add_enabled_ui(!dialog.is_running(), |ui| {
            ui.checkbox(&mut dialog.write_probes, "Also check what saving does").on_hover_text(
                "Creates one contact with an address no one receives, saves a change to it, subscribes it to \
                     two secure zones in turn, and deletes it again. Every step is in History.",
            );
        });
        ui.add_space(6.0);
        probes_ui(ui, &dialog.probes());
        ui.add_space(6.0);
        match (&dialog.outcome, dialog.is_running()) {
            (_, true) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Checking…");
                });
            }
            (Some(Ok(check)), false) => {
                let colour = match check.exit_status() {
                    crate::doctor::EXIT_WORKS => ui.visuals().text_color(),
                    _ => ui.visuals().warn_fg_color,
                };
                ui.colored_label(colour, check.summary());
                ui.weak(if kept {
                    "The app speaks this dialect to the site from now on, and keeps the check with the site."
                } else {
                    "The app speaks this dialect to the site until it closes."
                });
            }
            (Some(Err(error)), false) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("The check did not finish: {error}"));
            }
            (None, false) => {}
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Close").on_hover_text("Close this window (Escape)").clicked() {
                command(SiteCheckCommand::Close);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if dialog.is_running() {
                    if ui.button("Stop").on_hover_text("Stop checking; nothing is changed").clicked() {
                        command(SiteCheckCommand::Cancel);
                    }
                } else {
                    let label = if dialog.outcome.is_some() { "Check again" } else { "Check" };
                    if ui.button(label).on_hover_text("Run the checks now").clicked() {
                        command(SiteCheckCommand::Run);
                    }
                }
            });
        });
    });
    if modal.should_close() {
        command(SiteCheckCommand::Close);
    }
}

fn probes_ui(ui: &mut egui::Ui, probes: &[Probe]) {
    if probes.is_empty() {
        ui.weak("No checks run yet.");
        return;
    }
    egui::ScrollArea::vertical().max_height(360.0).auto_shrink([false, true]).show(ui, |ui| {
        egui::Grid::new("site_check_table").striped(true).num_columns(4).spacing([12.0, 4.0]).show(ui, |ui| {
            for heading in ["Choice", "Sent", "Came back", "Verdict"] {
                ui.strong(heading);
            }
            ui.end_row();
            for probe in probes {
                cell_ui(ui, 190.0, egui::RichText::new(&probe.choice), &probe.choice);
                cell_ui(ui, 230.0, egui::RichText::new(&probe.sent).monospace(), &probe.sent);
                cell_ui(ui, 190.0, egui::RichText::new(&probe.came_back), &probe.came_back);
                let colour = match probe.verdict {
                    Verdict::Honoured => ui.visuals().text_color(),
                    Verdict::Differs => ui.visuals().hyperlink_color,
                    Verdict::Refused => ui.visuals().error_fg_color,
                    Verdict::Undecided => ui.visuals().warn_fg_color,
                };
                ui.colored_label(colour, probe.verdict.label());
                ui.end_row();
            }
        });
    });
}

/// A table cell of a fixed width: long text ends in "…" and shows whole on hover.
fn cell_ui(ui: &mut egui::Ui, width: f32, text: egui::RichText, whole: &str) {
    let size = egui::vec2(width, ui.spacing().interact_size.y);
    ui.allocate_ui_with_layout(size, egui::Layout::left_to_right(egui::Align::Center), |ui| {
        ui.set_width(width);
        ui.add(egui::Label::new(text).truncate()).on_hover_text(whole);
    });
}
