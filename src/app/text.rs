//! Numbers and names written for people.

use crate::api::{Contact, Order, Timestamp};

/// "Åse Bråten", or the email when the contact has no name.
pub fn contact_name(contact: &Contact) -> String {
    let name = [contact.first_name.as_deref(), contact.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() { contact.email.clone() } else { name }
}

pub use crate::api::fields::readable;

/// An order's payment state as people read it ("None" is an order not paid yet).
pub fn payment_state(state: &str) -> String {
    match state.trim() {
        "" => "—".to_owned(),
        "None" => "Not paid".to_owned(),
        other => readable(other),
    }
}

/// "Invoice 1042", or the order's id when it has no invoice number.
pub fn invoice(order: &Order) -> String {
    order.invoice_number.as_ref().map_or_else(|| format!("Order {}", order.id), |n| format!("Invoice {n}"))
}

/// "1 change", "3 changes".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{} {many}", thousands(n)) }
}

/// "1 contact", "5,000 contacts".
pub fn contacts(n: u64) -> String {
    plural(n, "contact", "contacts")
}

/// `12345` as `12,345`.
pub fn thousands(n: u64) -> String {
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

/// "2026-03-04", in the user's time zone.
pub fn date(at: &Timestamp) -> String {
    at.0.with_timezone(&chrono::Local).format("%Y-%m-%d").to_string()
}

/// "2026-03-04 14:05", in the user's time zone.
pub fn date_time(at: &Timestamp) -> String {
    at.0.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string()
}

/// A date or a dash, for a field that may have none.
pub fn maybe_date(at: Option<&Timestamp>) -> String {
    at.map_or_else(|| "—".to_owned(), date)
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}

#[cfg(test)]
mod readable_tests {
    use super::*;

    #[test]
    fn identifiers_read_as_words() {
        assert_eq!(readable("PartiallyPaid"), "Partially paid");
        assert_eq!(readable("CreditCard"), "Credit card");
        assert_eq!(readable("PreferredChannel"), "Preferred channel");
        assert_eq!(readable("FormCase"), "Form case");
        assert_eq!(readable("stripe"), "Stripe");
        assert_eq!(readable("VIP"), "VIP");
        assert_eq!(readable("Walk-in"), "Walk in");
        assert_eq!(readable("Already spaced Words"), "Already spaced Words");
        assert_eq!(payment_state("None"), "Not paid");
        assert_eq!(payment_state("Paid"), "Paid");
    }
}
