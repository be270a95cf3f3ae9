//! The Identity panel: who the contact is, and what the site keeps of it read-only.

use crate::api::Contact;
use crate::app::secret_text::SecretText;

use super::field::Rows;

/// `first_password`: a new contact's (optional); `None` for a contact on the site.
pub fn ui(ui: &mut egui::Ui, contact: &mut Contact, first_password: Option<&mut SecretText>, rows: &mut Rows) {
    rows.row(ui, "Email", "Email", |ui, width| {
        ui.add(egui::TextEdit::singleline(&mut contact.email).desired_width(width))
    });
    rows.text(ui, "FirstName", "First name", &mut contact.first_name, false);
    rows.text(ui, "LastName", "Last name", &mut contact.last_name, false);
    rows.text(ui, "Phone", "Phone", &mut contact.phone, false);
    rows.text(ui, "Status", "Status", &mut contact.status, false);
    rows.text(ui, "CrmType", "CRM type", &mut contact.crm_type, false);
    rows.text(ui, "Role", "Role", &mut contact.role, false);
    rows.row(ui, "Type", "Type", |ui, _| {
        let mut value = contact.contact_type.unwrap_or_default();
        let response = ui.add(egui::DragValue::new(&mut value).range(0..=i64::from(i32::MAX)));
        if response.changed() {
            contact.contact_type = Some(value);
        }
        response
    });
    rows.text(ui, "Site", "Site", &mut contact.site, false);
    ui.add_space(4.0);
    if let Some(password) = first_password {
        rows.row(ui, "Password", "First password", |ui, width| {
            ui.add(egui::TextEdit::singleline(password).password(true).hint_text("optional").desired_width(width))
        });
        ui.weak("The contact can sign in to the site's secure zones with it; it is sent once and kept nowhere here.");
        return;
    }
    rows.read_only(ui, "Id", &contact.id.to_string());
    let created = contact.created_date.as_ref().map(crate::app::layout::local_date).unwrap_or_default();
    rows.read_only(ui, "Created", &created);
    rows.read_only(ui, "Email confirmed", if contact.email_confirmed { "Yes" } else { "No" });
    rows.read_only(ui, "Customer type", contact.customer_type_name.as_deref().unwrap_or("—"));
}
