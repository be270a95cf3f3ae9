//! Decoding contacts: a page of the site's JSON into `Page<Contact>`, the work an export
//! does for every contact, for well-formed contacts and for contacts with odd values (a
//! number as text, a date the app cannot read) that take the lenient path.
//!
//! `cargo bench --bench decode` (no site needed; a few seconds).

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use treepl_contacts::api::{Contact, Page};

const CONTACTS: usize = 20_000;
const ROUNDS: usize = 7;

fn contact(i: usize, odd: bool) -> Value {
    let mut contact = json!({
        "Id": i, "Email": format!("person{i}@example.com"), "FirstName": "Åse", "LastName": format!("Bråten {i}"),
        "CrmType": "Contact", "EmailConfirmed": i.is_multiple_of(2), "Role": "General",
        "CreatedDate": "2024-05-17T18:18:39.175Z", "Address": "Storgata 1", "City": "Tromsø", "State": null,
        "ZipCode": "9008", "Country": "NO", "BillingAddress": null, "BillingCity": null, "BillingState": null,
        "BillingZipCode": null, "BillingCountry": null, "Site": null, "Phone": "+47 77 00 00 00",
        "Status": "Active", "Notes": null, "Type": 0, "CustomerTypeName": null, "IsDataUsingAllowed": true,
        "CustomCrmGroups": {"Membership": {"Level": "Gold", "Points": i, "Active": true}}
    });
    if odd {
        contact["Type"] = json!(i.to_string());
        contact["CreatedDate"] = json!("17/05/2024 18:18");
        contact["EmailConfirmed"] = json!("maybe");
    }
    contact
}

fn page(odd: bool) -> Vec<u8> {
    let items: Vec<Value> = (0..CONTACTS).map(|i| contact(i, odd)).collect();
    serde_json::to_vec(&json!({"Items": items, "TotalItemsCount": CONTACTS})).expect("JSON")
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    println!("| contacts | values | median of {ROUNDS} | per contact |");
    println!("|---|---|---|---|");
    for (label, odd) in [("well-formed", false), ("3 odd values each", true)] {
        let bytes = page(odd);
        let times = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                let page: Page<Contact> = serde_json::from_slice(&bytes).expect("a page");
                assert_eq!(page.items.len(), CONTACTS);
                start.elapsed()
            })
            .collect();
        let time = median(times);
        let each = time.as_secs_f64() * 1e6 / CONTACTS as f64;
        println!("| {CONTACTS} | {label} | {:.1} ms | {each:.2} µs |", time.as_secs_f64() * 1e3);
    }
}
