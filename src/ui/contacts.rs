//! The central view: the query bar and the grid, or what stands in their way (no site yet,
//! or the site refused).

use crate::app::command::{Command, UiCommand};
use crate::app::filter::FilterSpec;
use crate::app::grid::GridCommand;
use crate::app::grid::GridQuery;
use crate::app::{AppState, SiteStatus};

use super::Intents;
use super::grid;
use super::query_bar::QueryBar;

/// `keys`: whether the grid may take keys (not while a dialog is open).
pub fn ui(ui: &mut egui::Ui, state: &mut AppState, bar: &mut QueryBar, keys: bool, intents: &mut Intents) {
    match &state.shell.site.status {
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
    let key = state.shell.site.key();
    let dialect = state.shell.site.client.as_ref().map(|client| client.dialect().clone()).unwrap_or_default();
    let layout = state.settings.layouts.entry(key.clone()).or_default();
    bar.ui(ui, &state.grid, layout, &dialect, intents);
    ui.add_space(4.0);
    if state.grid.total() == Some(0) && state.grid.error().is_none() {
        nothing_matches_ui(ui, &state.grid.query, bar, intents);
        return;
    }
    if let Some(warning) = state.grid.filter_warning() {
        ui.colored_label(ui.visuals().warn_fg_color, warning);
        ui.add_space(4.0);
    }
    if layout.visible().next().is_none() {
        ui.label("Every column is hidden: choose some under Columns.");
        return;
    }
    grid::table_ui(ui, &mut state.grid, layout, &key, keys, dialect.sorts_descending(), intents);
}

/// What the grid shows when the query has no rows: an empty site, or a search or filter that
/// matched nothing, with the one click that gets the contacts back.
fn nothing_matches_ui(ui: &mut egui::Ui, query: &GridQuery, bar: &mut QueryBar, intents: &mut Intents) {
    if query.filter().is_all() {
        ui.label("This site has no contacts yet.");
        return;
    }
    let search = query.search.trim();
    if search.is_empty() {
        ui.label("No contact matches the filter.");
    } else if query.filter.is_empty() {
        ui.label(format!("No contact matches '{search}'."));
    } else {
        ui.label(format!("No contact matches '{search}' with the filter."));
    }
    ui.horizontal_wrapped(|ui| {
        if !search.is_empty() && ui.button("Clear the search").clicked() {
            bar.clear_search();
            intents
                .commands
                .push(Command::Grid(GridCommand::SetQuery(GridQuery { search: String::new(), ..query.clone() })));
        }
        if !query.filter.is_empty() && ui.button("Clear the filter").clicked() {
            bar.forget_filter_draft();
            intents.commands.push(Command::Grid(GridCommand::SetQuery(GridQuery {
                filter: FilterSpec::default(),
                ..query.clone()
            })));
        }
        // The quick search looks at names and email only; offer the rest in one click.
        if !search.is_empty() && query.filter.is_empty() {
            let everywhere = FilterSpec::search_everywhere(search);
            let label = format!("Search all fields: City, Phone… contains '{search}'");
            if ui.button(label).on_hover_text("Every text field of the contact, address and notes too").clicked() {
                bar.clear_search();
                bar.forget_filter_draft();
                intents.commands.push(Command::Grid(GridCommand::SetQuery(GridQuery {
                    search: String::new(),
                    filter: everywhere,
                    ..query.clone()
                })));
            }
        }
    });
}
