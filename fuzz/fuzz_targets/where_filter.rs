//! Any text typed as a raw Where filter: a filter or a reason, never a panic; what the parser
//! reads, the builder reads in the dialect and it reads back as the same filter; other JSON is
//! taken as typed with the parser's reason; text that is not JSON changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use treepl_contacts::api::Where;
use treepl_contacts::app::filter::{FilterSpec, RawReading};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = Where::parse_str(text);
    let mut spec = FilterSpec::default();
    let taken = spec.set_raw(text);
    match (parsed, taken) {
        (Ok(filter), Ok(RawReading::Known)) => {
            let again = Where::parse(&filter.to_json()).expect("a parsed filter parses again");
            assert_eq!(again.to_json(), filter.to_json());
        }
        (Err(_), Ok(RawReading::Outside(why))) => {
            assert!(!why.is_empty());
            let typed: serde_json::Value = serde_json::from_str(text).expect("taken as JSON");
            assert_eq!(spec.to_where().to_json(), typed, "sent as typed");
        }
        (Err(_), Err(reason)) => {
            assert!(!reason.is_empty());
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err(), "only text that is not JSON is refused");
            assert_eq!(spec, FilterSpec::default(), "a refused filter changes nothing");
        }
        (parsed, taken) => panic!("the builder and the parser disagree on {text:?}: {parsed:?} / {taken:?}"),
    }
});
