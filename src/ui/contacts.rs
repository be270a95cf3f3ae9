//! The central view: the query bar and the grid, or what stands in their way (no site yet,
//! or the site refused).

use crate::app::command::UiCommand;
use crate::app::{AppState, SiteStatus};

use super::Intents;
use super::grid;
use super::query_bar::QueryBar;

/// `keys`: whether the grid may take keys (not while a dialog is open).
pub fn ui(ui: &mut egui::Ui, state: &mut AppState, bar: &mut QueryBar, keys: bool, intents: &mut Intents) {
    match &state.site.status {
        SiteStatus::Failed(message) => {
            ui.heading("Contacts");
            ui.colored_label(ui.visuals().error_fg_color, "Not connected to the site.");
            ui.label(message);
            let command = UiCommand::ConnectSite;
            if ui.button(command.label()).on_hover_text(command.tooltip()).clicked() {
                intents.ui_commands.push(command);
            }
            return;
        }
        SiteStatus::Connecting => {
            ui.heading("Contacts");
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Connecting to the site…");
            });
            return;
        }
        SiteStatus::Connected => {}
    }
    let key = state.site_key();
    let layout = state.settings.layouts.entry(key.clone()).or_default();
    bar.ui(ui, &state.grid, layout, intents);
    ui.add_space(4.0);
    if state.grid.total() == Some(0) && state.grid.error().is_none() {
        ui.label(if state.grid.query.filter().is_all() {
            "This site has no contacts yet."
        } else {
            "No contact matches."
        });
        return;
    }
    let mut columns: Vec<_> = layout.columns.iter_mut().filter(|c| c.visible).collect();
    if columns.is_empty() {
        ui.label("Every column is hidden: choose some under Columns.");
        return;
    }
    grid::table_ui(ui, &mut state.grid, &mut columns, &key, keys, intents);
}
