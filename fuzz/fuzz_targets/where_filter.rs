//! Any text typed as a raw Where filter: a filter or a reason, never a panic; what is
//! accepted reads back as the same filter, and the builder takes exactly what the parser takes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use treepl_contacts::api::Where;
use treepl_contacts::app::filter::FilterSpec;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = Where::parse_str(text);
    let mut spec = FilterSpec::default();
    let taken = spec.set_raw(text);
    assert_eq!(parsed.is_ok(), taken.is_ok(), "the builder and the parser disagree on {text:?}");
    match (parsed, taken) {
        (Ok(filter), _) => {
            let again = Where::parse(&filter.to_json()).expect("a parsed filter parses again");
            assert_eq!(again.to_json(), filter.to_json());
        }
        (Err(_), Err(reason)) => {
            assert!(!reason.is_empty());
            assert_eq!(spec, FilterSpec::default(), "a refused filter changes nothing");
        }
        (Err(_), Ok(())) => unreachable!("checked above"),
    }
});
