//! Any bytes as the body of a reply, read as each type the client reads: a value or an
//! error, never a panic; a value read once writes out as JSON that reads back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use treepl_contacts::api::{Booking, Case, Contact, ContactInput, Order, Page, SecureZone};

fn read_back<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let written = serde_json::to_vec(&value).expect("a value read from JSON writes as JSON");
    let again: T = serde_json::from_slice(&written).expect("what the client writes it reads");
    assert_eq!(again, value);
    Some(value)
}

fuzz_target!(|data: &[u8]| {
    if let Some(contact) = read_back::<Contact>(data) {
        let input = ContactInput::from_contact(&contact);
        serde_json::to_vec(&input).expect("an edit of a contact read from the site writes as JSON");
    }
    read_back::<Page<Contact>>(data);
    read_back::<Page<SecureZone>>(data);
    read_back::<Page<Booking>>(data);
    read_back::<Page<Case>>(data);
    read_back::<Page<Order>>(data);
});
