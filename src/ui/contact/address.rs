//! The Address and Billing address panels: one drawing for both, and the billing address
//! taken from the postal one when they are the same.

use crate::api::Contact;
use crate::api::contact_fields::Field;

use super::field::Rows;

/// The fields of the postal address and, in the same order, of the billing address.
const POSTAL: [Field; 5] = [Field::Address, Field::City, Field::State, Field::ZipCode, Field::Country];
const BILLING: [Field; 5] =
    [Field::BillingAddress, Field::BillingCity, Field::BillingState, Field::BillingZipCode, Field::BillingCountry];

/// The rows of one address; its first field (the street) takes three lines.
fn fields_ui(ui: &mut egui::Ui, fields: [Field; 5], contact: &mut Contact, rows: &mut Rows) {
    for (i, field) in fields.into_iter().enumerate() {
        rows.text(ui, field, contact, i == 0);
    }
}

pub fn address_ui(ui: &mut egui::Ui, contact: &mut Contact, rows: &mut Rows) {
    fields_ui(ui, POSTAL, contact, rows);
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
    ui.add_enabled_ui(!*same, |ui| fields_ui(ui, BILLING, contact, rows));
}

fn copy_address(contact: &mut Contact) {
    for (postal, billing) in POSTAL.into_iter().zip(BILLING) {
        let value = postal.text_mut(contact).map(|value| value.clone());
        if let (Some(value), Some(slot)) = (value, billing.text_mut(contact)) {
            *slot = value;
        }
    }
}
