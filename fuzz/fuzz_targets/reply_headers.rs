//! Any bytes as a reply's header lines (`name: value`, one a line), read as the client reads
//! them: `Retry-After` and `Location`. Never a panic nor an overflow, whatever the numbers and
//! dates; a retry never waits past the cap; a redirect's target, as a message names it, never
//! carries the address's path, query or user name.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use treepl_contacts::api::fuzzing::read_reply_headers;
use treepl_contacts::api::{MAX_RETRY_AFTER, RetryPolicy};

fuzz_target!(|data: &[u8]| {
    // The first eight bytes: how long the request took (any u64 of milliseconds); then lines.
    let (elapsed, text) = match data.split_first_chunk::<8>() {
        Some((head, rest)) => (Duration::from_millis(u64::from_le_bytes(*head)), rest),
        None => (Duration::ZERO, data),
    };
    let lines: Vec<(&[u8], &[u8])> = text
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            Some((&line[..colon], value.strip_suffix(b"\r").unwrap_or(value)))
        })
        .collect();
    let patient = RetryPolicy { max_attempts: 3, max_total: Duration::MAX, ..RetryPolicy::default() };
    for site in ["https://shop.example.com/api/v2/admin/contacts?Where=%7B%7D", "http://127.0.0.1:8080/"] {
        let Some(read) = read_reply_headers(site, &lines, &patient, elapsed) else {
            panic!("a good request address was refused");
        };
        if let Some(delay) = read.next_delay {
            assert!(delay <= MAX_RETRY_AFTER.max(patient.max_delay), "waits {delay:?}");
            assert!(read.retry_after.is_none_or(|asked| asked <= MAX_RETRY_AFTER && asked <= delay));
        }
        if read.retry_after.is_some_and(|asked| asked > MAX_RETRY_AFTER) {
            assert!(read.next_delay.is_none(), "a wait past the cap is not made");
        }
        let target = &read.redirect_target;
        assert!(!target.contains('?') && !target.contains('@'), "{target}");
        assert!(target.chars().count() <= 121, "{target}");
    }
});
