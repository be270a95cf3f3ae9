//! A record of the requests the sandbox served, for tests to check what a client sent
//! ("was the create sent twice?", "which Where did the grid send?"). Kept in memory only,
//! bounded, and with passwords blanked; token requests are counted but their bodies (the
//! client secret) are never kept.

use std::collections::VecDeque;
use std::sync::Mutex;

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
}

impl RequestLog {
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

    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
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
