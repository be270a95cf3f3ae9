//! A record of the requests the sandbox served, for tests to check what a client sent
//! ("was the create sent twice?", "which Where did the grid send?"). Kept in memory only,
//! bounded, and with passwords blanked; token requests are counted but their bodies (the
//! client secret) are never kept.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use super::faults::Route;

const KEPT: usize = 2000;

#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    pub route: Route,
    pub method: String,
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The JSON body, with any `Password` blanked; `None` for no body or a token request.
    pub body: Option<Value>,
}

impl RecordedRequest {
    /// A query parameter, URL-decoded (keys compared ignoring case).
    pub fn query_param(&self, key: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.into_owned())
    }
}

#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<RecordedRequest>>,
    /// Every request recorded, by method and route: unlike `entries`, never cut short.
    counts: Mutex<HashMap<(String, Route), u64>>,
    /// Requests being handled now, and the most at once since the last reset (what a client
    /// had in flight: a benchmark checks its concurrency bound with it).
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// Counts one request as in flight until dropped.
pub(crate) struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RequestLog {
    pub(crate) fn begin(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        InFlight(&self.in_flight)
    }

    /// The most requests handled at once since the last [`RequestLog::reset_peak`].
    pub fn peak_in_flight(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub fn reset_peak(&self) {
        self.peak.store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    pub(crate) fn record(&self, route: Route, method: &str, path: &str, query: Option<&str>, body: &[u8]) {
        let body =
            if route == Route::Token { None } else { serde_json::from_slice::<Value>(body).ok().map(blank_passwords) };
        let entry = RecordedRequest {
            route,
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            body,
        };
        *self.counts.lock().unwrap_or_else(|p| p.into_inner()).entry((method.to_owned(), route)).or_default() += 1;
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() == KEPT {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The requests kept so far, oldest first.
    pub fn all(&self) -> Vec<RecordedRequest> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }

    /// The kept requests to one route.
    pub fn to(&self, route: Route) -> Vec<RecordedRequest> {
        self.all().into_iter().filter(|r| r.route == route).collect()
    }

    /// How many `method` requests to `route` were recorded since the last [`RequestLog::clear`],
    /// however many that is (the kept entries stop at a bound).
    pub fn count(&self, method: &str, route: Route) -> u64 {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(&(method.to_ascii_uppercase(), route)).copied().unwrap_or(0)
    }

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.counts.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

fn blank_passwords(mut value: Value) -> Value {
    if let Value::Object(fields) = &mut value {
        for (key, field) in fields.iter_mut() {
            if key.eq_ignore_ascii_case("password") {
                *field = Value::String("<hidden>".to_owned());
            }
        }
    }
    value
}
