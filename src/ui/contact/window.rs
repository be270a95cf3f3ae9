//! A contact opened from the grid: its details as the site has them now. The editor will
//! grow from this window.

use crate::api::contact_fields::Field;
use crate::api::{Contact, FieldPath};
use crate::app::ContactWindow;
use crate::app::layout::cell_text;
use crate::app::text::contact_name;

use super::super::history::{escape_closes, top_window};

/// Draws the open contacts; returns the ids whose window was closed.
pub fn windows_ui(ctx: &egui::Context, windows: &[ContactWindow]) -> Vec<crate::api::ContactId> {
    let mut closed = Vec::new();
    for (i, window) in windows.iter().enumerate() {
        let title = window.contact.as_ref().map_or_else(|| format!("Contact {}", window.id), contact_name);
        let mut open = true;
        let id = egui::Id::unique(("contact_window", window.id));
        // Escape closes the window on top (the others stay for the next Escape).
        let on_top = top_window(ctx) == Some(egui::LayerId::new(egui::Order::Middle, id));
        if escape_closes(ctx, id, on_top) {
            open = false;
        }
        egui::Window::new(title)
            .id(id)
            .open(&mut open)
            .default_pos(egui::pos2(220.0 + 24.0 * i as f32, 120.0 + 24.0 * i as f32))
            .default_width(420.0)
            .collapsible(false)
            .show(ctx, |ui| match (&window.contact, &window.error) {
                (_, Some(error)) => {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                (Some(contact), None) => details_ui(ui, contact),
                (None, None) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Loading the contact…");
                    });
                }
            });
        if !open {
            closed.push(window.id);
        }
    }
    closed
}

fn details_ui(ui: &mut egui::Ui, contact: &Contact) {
    use Field::*;
    let sections: [(&str, &[Field]); 4] = [
        (
            "Identity",
            &[Email, FirstName, LastName, Phone, Status, CrmType, Type, CustomerTypeName, Role, Id, CreatedDate],
        ),
        ("Address", &[Address, City, State, ZipCode, Country]),
        ("Billing address", &[BillingAddress, BillingCity, BillingState, BillingZipCode, BillingCountry]),
        ("Consent", &[EmailConfirmed, IsDataUsingAllowed]),
    ];
    egui::ScrollArea::vertical().max_height(520.0).show(ui, |ui| {
        for (heading, fields) in sections {
            ui.strong(heading);
            egui::Grid::new(("contact_section", contact.id, heading)).num_columns(2).spacing([16.0, 4.0]).show(
                ui,
                |ui| {
                    for field in fields {
                        ui.weak(field.title());
                        ui.label(cell_text(contact, field.name()));
                        ui.end_row();
                    }
                },
            );
            ui.add_space(8.0);
        }
        for (group, fields) in &contact.custom_crm_groups {
            ui.strong(group);
            egui::Grid::new(("contact_group", contact.id, group)).num_columns(2).spacing([16.0, 4.0]).show(ui, |ui| {
                for field in fields.keys() {
                    ui.weak(field);
                    ui.label(cell_text(contact, &FieldPath::custom(group, field).to_string()));
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
        }
        if let Some(notes) = contact.notes.as_deref().filter(|n| !n.trim().is_empty()) {
            ui.strong("Notes");
            ui.label(notes);
        }
    });
}
