//! Any bytes as a request body to the sandbox: accepted or refused with a reason, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use treepl_contacts::sandbox::validate::{Mode, contact_body, password_body, zones_body};

fuzz_target!(|data: &[u8]| {
    for mode in [Mode::Create, Mode::Update { id: 7 }] {
        if let Err(invalid) = contact_body(data, mode) {
            assert!(!invalid.message.is_empty() || !invalid.fields.is_empty(), "a refusal says why");
        }
    }
    if let Err(invalid) = password_body(data) {
        assert!(!invalid.message.is_empty() || !invalid.fields.is_empty());
    }
    if let Err(invalid) = zones_body(data) {
        assert!(!invalid.message.is_empty() || !invalid.fields.is_empty());
    }
});
