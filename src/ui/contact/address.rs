//! The Address and Billing address panels: one drawing for both, and the billing address
//! taken from the postal one when they are the same.

use crate::api::Contact;

use super::field::Rows;

/// The five fields of an address, as the editor shows them.
struct AddressFields<'a> {
    address: &'a mut Option<String>,
    city: &'a mut Option<String>,
    state: &'a mut Option<String>,
    zip_code: &'a mut Option<String>,
    country: &'a mut Option<String>,
}

/// `prefix`: "" for the postal address, "Billing" for the billing one (the field names).
fn fields_ui(ui: &mut egui::Ui, prefix: &str, fields: AddressFields, rows: &mut Rows) {
    let title =
        |name: &str| if prefix.is_empty() { name.to_owned() } else { format!("{prefix} {}", name.to_lowercase()) };
    rows.text(ui, &format!("{prefix}Address"), &title("Address"), fields.address, true);
    rows.text(ui, &format!("{prefix}City"), &title("City"), fields.city, false);
    rows.text(ui, &format!("{prefix}State"), &title("State"), fields.state, false);
    rows.text(ui, &format!("{prefix}ZipCode"), &title("Zip code"), fields.zip_code, false);
    rows.text(ui, &format!("{prefix}Country"), &title("Country"), fields.country, false);
}

pub fn address_ui(ui: &mut egui::Ui, contact: &mut Contact, rows: &mut Rows) {
    let a = &mut contact.address;
    let fields = AddressFields {
        address: &mut a.address,
        city: &mut a.city,
        state: &mut a.state,
        zip_code: &mut a.zip_code,
        country: &mut a.country,
    };
    fields_ui(ui, "", fields, rows);
}

/// `same`: the billing address follows the postal one while it is set (kept by the pane).
pub fn billing_ui(ui: &mut egui::Ui, contact: &mut Contact, same: &mut bool, rows: &mut Rows) {
    ui.horizontal(|ui| {
        ui.checkbox(same, "Same as address").on_hover_text("The billing address follows the address");
        if ui
            .add_enabled(!*same, egui::Button::new("Copy from address"))
            .on_hover_text("Fill the billing address with the address, once")
            .clicked()
        {
            copy_address(contact);
        }
    });
    if *same {
        copy_address(contact);
    }
    let b = &mut contact.billing;
    ui.add_enabled_ui(!*same, |ui| {
        let fields = AddressFields {
            address: &mut b.address,
            city: &mut b.city,
            state: &mut b.state,
            zip_code: &mut b.zip_code,
            country: &mut b.country,
        };
        fields_ui(ui, "Billing", fields, rows);
    });
}

fn copy_address(contact: &mut Contact) {
    let a = contact.address.clone();
    let b = &mut contact.billing;
    (b.address, b.city, b.state, b.zip_code, b.country) = (a.address, a.city, a.state, a.zip_code, a.country);
}
