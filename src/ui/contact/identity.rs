//! The Identity panel: who the contact is, and what the site keeps of it read-only.

use crate::api::Contact;
use crate::app::secret_text::SecretText;

use crate::app::grid::Grid;

use super::field::{Rows, choice_ui};

/// `first_password`: a new contact's (optional); `None` for a contact on the site.
/// `grid`: the values its loaded contacts have fill the drop-downs.
pub fn ui(
    ui: &mut egui::Ui,
    contact: &mut Contact,
    first_password: Option<&mut SecretText>,
    grid: &Grid,
    rows: &mut Rows,
) {
    rows.row(ui, "Email", "Email", |ui, width| {
        ui.add(egui::TextEdit::singleline(&mut contact.email).desired_width(width))
    });
    rows.text(ui, "FirstName", "First name", &mut contact.first_name, false);
    rows.text(ui, "LastName", "Last name", &mut contact.last_name, false);
    rows.text(ui, "Phone", "Phone", &mut contact.phone, false);
    for (field, title, value) in [
        ("Status", "Status", &mut contact.status),
        ("CrmType", "CRM type", &mut contact.crm_type),
        ("Role", "Role", &mut contact.role),
    ] {
        let choices = grid.field_choices(field);
        rows.row(ui, field, title, |ui, width| choice_ui(ui, field, value, &choices, width));
    }
    rows.row(ui, "Type", "Type", |ui, width| {
        let choices = grid.field_choices("Type");
        let mut text = contact.contact_type.map(|t| t.to_string());
        let response = choice_ui(ui, "Type", &mut text, &choices, width);
        // Type is a whole number: a typed value that is not one is not taken.
        match text.map(|t| t.parse::<i64>()) {
            None => contact.contact_type = None,
            Some(Ok(number)) => contact.contact_type = Some(number),
            Some(Err(_)) => {}
        }
        response
    });
    rows.text(ui, "Site", "Site", &mut contact.site, false);
    ui.add_space(4.0);
    if let Some(password) = first_password {
        rows.row(ui, "Password", "First password", |ui, width| {
            let edit = egui::TextEdit::singleline(password).password(true).hint_text("optional").desired_width(width);
            let response = ui.add(edit);
            crate::ui::forget_typing_history(ui.ctx(), response.id);
            response
        });
        ui.weak("The contact can sign in to the site's secure zones with it; it is sent once and kept nowhere here.");
        return;
    }
    rows.read_only(ui, "Id", &contact.id.to_string());
    let created = match (&contact.created_date, contact.unreadable("CreatedDate")) {
        (Some(date), _) => crate::app::layout::local_date(date),
        (None, Some(raw)) => crate::api::fields::unreadable_text(raw),
        (None, None) => String::new(),
    };
    rows.read_only(ui, "Created", &created);
    let confirmed = match (contact.email_confirmed, contact.unreadable("EmailConfirmed")) {
        (Some(true), _) => "Yes".to_owned(),
        (Some(false), _) => "No".to_owned(),
        (None, Some(raw)) => crate::api::fields::unreadable_text(raw),
        (None, None) => "Not set".to_owned(),
    };
    rows.read_only(ui, "Email confirmed", &confirmed);
    rows.read_only(ui, "Customer type", contact.customer_type_name.as_deref().unwrap_or("—"));
}
