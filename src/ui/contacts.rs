//! The contacts of the site: the shell's first page, in a table with virtual rows.

use egui_extras::{Column, TableBuilder};

use crate::api::Contact;
use crate::app::command::{Command, UiCommand};
use crate::app::{AppState, SiteStatus};

use super::Intents;

pub fn ui(ui: &mut egui::Ui, state: &AppState, intents: &mut Intents) {
    let contacts = &state.contacts;
    ui.horizontal(|ui| {
        ui.heading("Contacts");
        if let Some(page) = &contacts.page {
            let total = page.total_items_count.unwrap_or(page.items.len() as u64);
            ui.label(format!("showing {} of {}", page.items.len(), thousands(total)));
        }
        if contacts.loading {
            ui.spinner();
        }
    });
    ui.add_space(4.0);

    if let SiteStatus::Failed(message) = &state.site.status {
        problem_ui(ui, "Not connected to the site.", message, intents, UiCommand::ConnectSite);
        return;
    }
    if let (Some(error), None) = (&contacts.error, &contacts.page) {
        problem_ui(ui, "The contacts could not be loaded.", error, intents, UiCommand::Refresh);
        return;
    }
    let Some(page) = &contacts.page else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading contacts…");
        });
        return;
    };
    if page.items.is_empty() {
        ui.label("This site has no contacts yet.");
        return;
    }
    table_ui(ui, &page.items);
}

fn problem_ui(ui: &mut egui::Ui, what: &str, detail: &str, intents: &mut Intents, remedy: UiCommand) {
    ui.colored_label(ui.visuals().error_fg_color, what);
    ui.label(detail);
    if ui.button(remedy.label()).on_hover_text(remedy.tooltip()).clicked() {
        match remedy {
            UiCommand::Refresh => intents.commands.push(Command::LoadContacts),
            other => intents.ui_commands.push(other),
        }
    }
}

fn table_ui(ui: &mut egui::Ui, contacts: &[Contact]) {
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(190.0).at_least(80.0).clip(true))
        .column(Column::initial(260.0).at_least(80.0).clip(true))
        .column(Column::initial(140.0).at_least(60.0).clip(true))
        .column(Column::initial(70.0).at_least(50.0))
        .column(Column::initial(90.0).at_least(60.0))
        .column(Column::remainder().at_least(90.0))
        .header(row_height + 2.0, |mut header| {
            for title in ["Name", "Email", "City", "Country", "Status", "Created"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, contacts.len(), |mut row| {
                let contact = &contacts[row.index()];
                let cells = [
                    full_name(contact),
                    contact.email.clone(),
                    contact.address.city.clone().unwrap_or_default(),
                    contact.address.country.clone().unwrap_or_default(),
                    contact.status.clone().unwrap_or_default(),
                    contact
                        .created_date
                        .map(|d| d.0.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string())
                        .unwrap_or_default(),
                ];
                for text in cells {
                    row.col(|ui| {
                        ui.add(egui::Label::new(text).truncate());
                    });
                }
            });
        });
}

pub fn full_name(contact: &Contact) -> String {
    let parts = [contact.first_name.as_deref(), contact.last_name.as_deref()];
    let name: Vec<&str> = parts.into_iter().flatten().filter(|p| !p.trim().is_empty()).collect();
    if name.is_empty() { "(no name)".to_owned() } else { name.join(" ") }
}

/// `12345` as `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
