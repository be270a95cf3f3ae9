//! The central view: the query bar and the grid, or what stands in their way (no site yet,
//! or the site refused).

use crate::app::command::UiCommand;
use crate::app::{AppState, SiteStatus};

use super::Intents;
use super::grid::{self, GridEvents};
use super::query_bar::QueryBar;

pub fn ui(ui: &mut egui::Ui, state: &mut AppState, bar: &mut QueryBar, intents: &mut Intents) -> GridEvents {
    match &state.site.status {
        SiteStatus::Failed(message) => {
            ui.heading("Contacts");
            ui.colored_label(ui.visuals().error_fg_color, "Not connected to the site.");
            ui.label(message);
            let command = UiCommand::ConnectSite;
            if ui.button(command.label()).on_hover_text(command.tooltip()).clicked() {
                intents.ui_commands.push(command);
            }
            return GridEvents::default();
        }
        SiteStatus::Connecting => {
            ui.heading("Contacts");
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Connecting to the site…");
            });
            return GridEvents::default();
        }
        SiteStatus::Connected => {}
    }
    let key = state.site_key();
    let layout = state.settings.layouts.entry(key.clone()).or_default();
    bar.ui(ui, &state.grid, layout, intents);
    ui.add_space(4.0);
    if state.grid.total == Some(0) && state.grid.error.is_none() {
        ui.label(if state.grid.query.filter().is_all() {
            "This site has no contacts yet."
        } else {
            "No contact matches."
        });
        return GridEvents::default();
    }
    let mut columns: Vec<_> = layout.columns.iter_mut().filter(|c| c.visible).collect();
    if columns.is_empty() {
        ui.label("Every column is hidden: choose some under Columns.");
        return GridEvents::default();
    }
    grid::table_ui(ui, &mut state.grid, &mut columns, &key, intents)
}
