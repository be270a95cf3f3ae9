//! The Identity panel: who the contact is, and what the site keeps of it read-only.

use crate::api::Contact;
use crate::api::contact_fields::Field;
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
    rows.row(ui, Field::Email.name(), Field::Email.title(), |ui, width| {
        ui.add(egui::TextEdit::singleline(&mut contact.email).desired_width(width))
    });
    for field in [Field::FirstName, Field::LastName, Field::Phone] {
        rows.text(ui, field, contact, false);
    }
    // Free text, offered the values the loaded contacts have.
    for field in [Field::Status, Field::CrmType, Field::Role] {
        let choices = grid.field_choices(field.name());
        let Some(value) = field.text_mut(contact) else { continue };
        rows.row(ui, field.name(), field.title(), |ui, width| choice_ui(ui, field.name(), value, &choices, width));
    }
    let kind = Field::Type.name();
    rows.row(ui, kind, Field::Type.title(), |ui, width| {
        let choices = grid.field_choices(kind);
        let mut text = contact.contact_type.map(|t| t.to_string());
        let response = choice_ui(ui, kind, &mut text, &choices, width);
        // Type is a whole number: a typed value that is not one is not taken.
        match text.map(|t| t.parse::<i64>()) {
            None => contact.contact_type = None,
            Some(Ok(number)) => contact.contact_type = Some(number),
            Some(Err(_)) => {}
        }
        response
    });
    rows.text(ui, Field::Site, contact, false);
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
    rows.read_only(ui, Field::Id.title(), &contact.id.to_string());
    let created = match (&contact.created_date, contact.unreadable(Field::CreatedDate.name())) {
        (Some(date), _) => crate::app::layout::local_date(date),
        (None, Some(raw)) => crate::api::fields::unreadable_text(raw),
        (None, None) => String::new(),
    };
    rows.read_only(ui, Field::CreatedDate.title(), &created);
    let confirmed = match (contact.email_confirmed, contact.unreadable(Field::EmailConfirmed.name())) {
        (Some(true), _) => "Yes".to_owned(),
        (Some(false), _) => "No".to_owned(),
        (None, Some(raw)) => crate::api::fields::unreadable_text(raw),
        (None, None) => "Not set".to_owned(),
    };
    rows.read_only(ui, Field::EmailConfirmed.title(), &confirmed);
    rows.read_only(ui, Field::CustomerTypeName.title(), contact.customer_type_name.as_deref().unwrap_or("—"));
}
