//! Fuzzing the client: a raw TCP "site" answers every call with generated replies (arbitrary
//! bytes, broken HTTP framing, wrong content types, HTML error pages, invalid UTF-8, deep
//! nesting, huge numbers, the right keys with the wrong types, truncated bodies). Every call
//! ends, in time, with a value or a typed error whose message is short and names no secret;
//! nothing panics. The same for the raw Where parser and the filter builder.
//!
//! Bounded for CI (`PROPTEST_CASES` raises it for a longer local run).

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use secrecy::SecretString;
use serde_json::{Value, json};
use treepl_contacts::api::model::FieldType;
use treepl_contacts::api::query::Where;
use treepl_contacts::api::{
    ApiError, Client, ClientOptions, Contact, ContactInput, ListQuery, RetryPolicy, SecureZone, SiteCredentials,
};
use treepl_contacts::app::filter::{Condition, FilterSpec, RawReading, ops_for, parse_value};

/// The secret and the token of the fuzz site: no error message may ever hold them.
const SECRET: &str = "fuzz-client-secret-5d1c";
const TOKEN: &str = "fuzz-access-token-a9e2";
const PASSWORD: &str = "fuzz-password-77c3";

/// The longest error message a person should have to read.
const MAX_MESSAGE_CHARS: usize = 600;

/// What the fuzz site sends: a good token (unless `token` is set) and `reply` to every other
/// request, then it closes the connection.
#[derive(Default)]
struct Replies {
    token: Option<Vec<u8>>,
    reply: Vec<u8>,
}

struct RawSite {
    port: u16,
    replies: Arc<Mutex<Replies>>,
}

impl RawSite {
    fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let replies = Arc::new(Mutex::new(Replies::default()));
        let shared = Arc::clone(&replies);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || answer(stream, &shared));
            }
        });
        Self { port, replies }
    }

    fn client(&self) -> Client {
        let credentials = SiteCredentials::new(
            &format!("http://127.0.0.1:{}/", self.port),
            "fuzz-client",
            SecretString::from(SECRET),
        )
        .unwrap();
        let options = ClientOptions {
            retry: RetryPolicy::none(),
            request_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(3),
            ..ClientOptions::default()
        };
        Client::with_options(credentials, options).unwrap()
    }

    fn serve(&self, token: Option<Vec<u8>>, reply: Vec<u8>) {
        *self.replies.lock().unwrap() = Replies { token, reply };
    }
}

fn answer(mut stream: TcpStream, replies: &Mutex<Replies>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let Some(head) = read_request(&mut stream) else { return };
    let reply = {
        let replies = replies.lock().unwrap();
        if head.contains("oauth/token") {
            replies.token.clone().unwrap_or_else(|| {
                http(200, "application/json", format!(r#"{{"access_token":"{TOKEN}","expires_in":3600}}"#).as_bytes())
            })
        } else {
            replies.reply.clone()
        }
    };
    let _ = stream.write_all(&reply);
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// The request head (the body is read and dropped).
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..n]);
        if let Some(at) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        let n = stream.read(&mut buffer).ok()?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buffer[..n]);
    }
    Some(head)
}

fn http(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    framed(status, content_type, body, Framing::Exact)
}

#[derive(Clone, Copy, Debug)]
enum Framing {
    Exact,
    /// The length says more than comes: the body is cut off.
    Truncated,
    /// No length: the body ends when the connection closes.
    UntilClose,
    /// Chunked, with a chunk size that lies.
    BadChunks,
}

fn framed(status: u16, content_type: &str, body: &[u8], framing: Framing) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Fuzz\r\nConnection: close\r\n").into_bytes();
    if !content_type.is_empty() {
        out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
    }
    if status == 429 {
        out.extend_from_slice(b"Retry-After: 0\r\n");
    }
    match framing {
        Framing::Exact => out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()),
        Framing::Truncated => {
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len() * 2 + 10).as_bytes())
        }
        Framing::UntilClose => out.extend_from_slice(b"\r\n"),
        Framing::BadChunks => {
            out.extend_from_slice(format!("Transfer-Encoding: chunked\r\n\r\n{:x}\r\n", body.len() + 7).as_bytes())
        }
    }
    out.extend_from_slice(body);
    out
}

/// Keys a site really sends, so that generated objects reach deep into the decoders.
const KEYS: &[&str] = &[
    "Id",
    "Email",
    "FirstName",
    "LastName",
    "Items",
    "TotalItemsCount",
    "CustomCrmGroups",
    "Address",
    "City",
    "CreatedDate",
    "EmailConfirmed",
    "Type",
    "ExpiryDateTime",
    "Name",
    "Message",
    "Errors",
    "Field",
    "access_token",
    "expires_in",
    "Status",
    "TotalPrice",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::from),
        Just(json!("2024-02-30T25:61:00Z")),
        Just(json!("x".repeat(5_000))),
    ]
}

/// JSON of any shape, with the site's keys more often than not.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![3 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => ".{0,8}"];
    leaf().prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A well-formed contact, to be cut short or to have one field's type changed.
fn a_contact() -> Value {
    json!({"Id": 7, "Email": "fuzz@example.com", "FirstName": "Ada", "CreatedDate": "2024-05-17T10:00:00Z",
           "EmailConfirmed": true, "CustomCrmGroups": {"Membership": {"Level": "Gold"}}})
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        json_value().prop_map(|v| json!({"Items": [v], "TotalItemsCount": 1}).to_string().into_bytes()),
        (proptest::sample::select(KEYS), leaf()).prop_map(|(key, value)| {
            let mut contact = a_contact();
            contact[key] = value;
            contact.to_string().into_bytes()
        }),
        (0.0..1.0_f64).prop_map(|cut| {
            let text = json!({"Items": [a_contact(), a_contact()], "TotalItemsCount": 2}).to_string();
            text.as_bytes()[..(text.len() as f64 * cut) as usize].to_vec()
        }),
        (1_usize..20_000).prop_map(|depth| "[".repeat(depth).into_bytes()),
        (1_usize..2_000).prop_map(|depth| format!("{}1{}", r#"{"Items":"#.repeat(depth), "}".repeat(depth)).into_bytes()),
        proptest::sample::select(vec![
            "1e400",
            "-1e400",
            "123456789012345678901234567890",
            r#"{"Id": 18446744073709551616, "Email": "a@b.co"}"#,
            r#"{"Id": -9223372036854775809}"#,
            r#"{"Items": [], "TotalItemsCount": -1}"#,
            r#"{"Items": [], "TotalItemsCount": 1e30}"#,
        ])
        .prop_map(|t| t.as_bytes().to_vec()),
        Just(b"{\"Email\": \"\xff\xfe\xfd\", \"Id\": 1}".to_vec()),
        Just(b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>".to_vec()),
    ]
}

fn reply() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![
        3 => proptest::sample::select(vec![200_u16, 201, 204, 301, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503]),
        1 => 100_u16..600,
    ];
    let content_type = proptest::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "text/html; charset=iso-8859-1",
        "text/plain",
        "application/xml",
        "",
    ]);
    let framing =
        proptest::sample::select(vec![Framing::Exact, Framing::Truncated, Framing::UntilClose, Framing::BadChunks]);
    prop_oneof![
        // Not HTTP at all.
        1 => proptest::collection::vec(any::<u8>(), 0..200),
        6 => (status, content_type, body(), framing).prop_map(|(s, t, b, f)| framed(s, t, &b, f)),
    ]
}

/// Every call of the client, each as a person's action would make it.
async fn every_call(client: &Client) -> Vec<(&'static str, Result<(), ApiError>)> {
    let contact = Contact { id: 7, email: "fuzz@example.com".into(), ..Contact::default() };
    let input = ContactInput::from_contact(&contact);
    let zones = [SecureZone { id: 1, ..SecureZone::default() }];
    let query = ListQuery::default();
    let password = SecretString::from(PASSWORD);
    vec![
        ("check_connection", client.check_connection().await.map(drop)),
        ("list_contacts", client.list_contacts(&query).await.map(drop)),
        ("get_contact", client.get_contact(7).await.map(drop)),
        ("create_contact", client.create_contact(&input, Some(&password)).await.map(drop)),
        ("update_contact", client.update_contact(7, &input).await.map(drop)),
        ("delete_contact", client.delete_contact(7).await),
        ("list_bookings", client.list_bookings(7, &query).await.map(drop)),
        ("list_cases", client.list_cases(7, &query).await.map(drop)),
        ("list_orders", client.list_orders(7, &query).await.map(drop)),
        ("list_secure_zones", client.list_secure_zones(7, &query).await.map(drop)),
        ("set_secure_zones", client.set_secure_zones(7, &zones).await.map(drop)),
        ("set_password", client.set_password(7, &password).await.map(drop)),
    ]
}

fn check_error(call: &str, error: &ApiError) -> Result<(), TestCaseError> {
    let message = error.to_string();
    prop_assert!(!message.trim().is_empty(), "{call}: an empty message for {error:?}");
    prop_assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "{call}: a message of {} chars",
        message.chars().count()
    );
    for secret in [SECRET, TOKEN, PASSWORD] {
        prop_assert!(!message.contains(secret) && !format!("{error:?}").contains(secret), "{call}: {message}");
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn every_call_ends_in_time_with_a_value_or_a_typed_error(reply in reply()) {
        let site = RawSite::start();
        site.serve(None, reply);
        let client = site.client();
        let results = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(60), every_call(&client)).await });
        let results = results.map_err(|_| TestCaseError::fail("a call did not end"))?;
        for (call, result) in results {
            if let Err(error) = result {
                check_error(call, &error)?;
            }
        }
    }

    #[test]
    fn a_broken_sign_in_reply_is_a_typed_error_that_never_shows_the_token(
        reply in reply(),
        body in json_value(),
    ) {
        let site = RawSite::start();
        // Half the time the token is there, in a reply that is wrong in some other way.
        let token_reply = match body {
            Value::Object(mut fields) => {
                fields.insert("access_token".into(), json!(TOKEN));
                http(200, "application/json", Value::Object(fields).to_string().as_bytes())
            }
            _ => reply,
        };
        site.serve(Some(token_reply), http(200, "application/json", b"{\"Items\":[],\"TotalItemsCount\":0}"));
        let client = site.client();
        let result = runtime().block_on(async {
            tokio::time::timeout(Duration::from_secs(20), client.check_connection()).await
        });
        match result.map_err(|_| TestCaseError::fail("sign-in did not end"))? {
            Ok(_) => {}
            Err(error) => check_error("sign in", &error)?,
        }
    }

    #[test]
    fn any_text_in_the_raw_filter_is_a_filter_or_a_reason(text in prop_oneof![
        ".{0,60}",
        json_value().prop_map(|v| v.to_string()),
        where_json().prop_map(|v| v.to_string()),
        (1_usize..5_000).prop_map(|n| format!("{}{}", r#"{"$not":"#.repeat(n), "}".repeat(n))),
    ]) {
        let mut spec = FilterSpec::default();
        match spec.set_raw(&text) {
            Ok(RawReading::Known) => {
                // What was read in the dialect reads back as the same filter.
                let parsed = Where::parse_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let again = Where::parse(&parsed.to_json()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(again.to_json(), parsed.to_json());
            }
            Ok(RawReading::Outside(why)) => {
                // Valid JSON outside the dialect: kept as typed, with the parser's reason.
                prop_assert!(Where::parse_str(&text).is_err());
                prop_assert!(!why.is_empty() && why.chars().count() <= MAX_MESSAGE_CHARS, "{}", why);
                let typed: serde_json::Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(spec.to_where().to_json(), typed);
            }
            Err(reason) => {
                let reason = reason.to_string();
                prop_assert!(!reason.is_empty());
                prop_assert!(reason.chars().count() <= MAX_MESSAGE_CHARS, "{}", reason);
                prop_assert_eq!(&spec, &FilterSpec::default(), "a refused filter changes nothing");
            }
        }
    }

    #[test]
    fn any_value_typed_into_the_builder_is_a_value_the_api_takes_or_a_reason(
        kind in proptest::sample::select(vec![FieldType::Text, FieldType::Number, FieldType::Bool, FieldType::Date]),
        op_index in 0_usize..16,
        text in prop_oneof![".{0,30}", proptest::sample::select(vec![
            "NaN", "inf", "-inf", "1e400", "1,2,,3", " , ", "9223372036854775808", "2024-13-45", "yes,no",
        ]).prop_map(str::to_owned)],
    ) {
        // The operators the builder offers for the field's type.
        let ops = ops_for(kind);
        let op = ops[op_index % ops.len()];
        match parse_value(kind, op, &text) {
            Ok(value) => {
                // No number the site cannot read (NaN, infinity) slips through as null.
                prop_assert!(!value.is_null(), "`{}` became null", text);
                let numbers = match &value { Value::Array(items) => items.clone(), one => vec![one.clone()] };
                for number in numbers.iter().filter(|v| v.is_number()) {
                    prop_assert!(number.as_f64().is_some_and(f64::is_finite), "`{}` gave {}", text, number);
                }
                let spec = FilterSpec { conditions: vec![Condition::new("Points", op, value)], ..FilterSpec::default() };
                let json = spec.to_where().to_json();
                prop_assert!(Where::parse(&json).is_ok(), "{}", json);
            }
            Err(reason) => prop_assert!(!reason.to_string().is_empty()),
        }
    }
}

/// A listener standing where generated redirects point: it counts every connection made to it.
struct Elsewhere {
    port: u16,
    reached: Arc<Mutex<usize>>,
}

impl Elsewhere {
    fn start() -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let reached = Arc::new(Mutex::new(0));
        let counted = Arc::clone(&reached);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                *counted.lock().unwrap() += 1;
                drop(stream);
            }
        });
        Self { port, reached }
    }

    fn reached(&self) -> usize {
        *self.reached.lock().unwrap()
    }
}

/// `Retry-After` values a site may send: any number (to u64::MAX and past it), negative,
/// fractional, dates near and far, and garbage.
fn retry_after_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        Just(u64::MAX.to_string()),
        Just("99999999999999999999999999999".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("1.5".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        Just("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()),
        Just("Mon, 32 Foo 2026 25:61:61 GMT".to_owned()),
        Just("Tue, 01 Jan -9999 00:00:00 +9999".to_owned()),
        "[ -~]{0,40}",
    ]
}

/// `Location` values: another origin (the `Elsewhere` listener, written `{other}`), plain
/// http, the site itself under another name, relative and scheme-relative paths, garbage.
fn location_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("http://127.0.0.1:{other}/api/v1/oauth/token?stolen=1".to_owned()),
        Just("https://127.0.0.1:{other}/api/v2/admin/contacts?stolen=1".to_owned()),
        Just("http://localhost:{other}/x?stolen=1".to_owned()),
        Just("http://[::ffff:127.0.0.1]:{other}/?stolen=1".to_owned()),
        Just("//127.0.0.1:{other}/api/v2/admin/contacts/7?stolen=1".to_owned()),
        Just("http://user:pw@127.0.0.1:{other}/?stolen=1".to_owned()),
        Just("/api/v2/admin/contacts/7?moved=1".to_owned()),
        Just("?page=2".to_owned()),
        Just("".to_owned()),
        Just("http://".to_owned()),
        Just("javascript:alert(1)".to_owned()),
        Just("ftp://127.0.0.1:{other}/".to_owned()),
        "[ -~]{0,40}",
    ]
}

/// A reply with a redirect or throttling status and the headers that go with them (or not).
fn headed_reply() -> impl Strategy<Value = (u16, Option<String>, Option<String>, Vec<u8>)> {
    let status = proptest::sample::select(vec![200_u16, 300, 301, 302, 303, 304, 305, 307, 308, 399, 429, 503]);
    (status, proptest::option::of(retry_after_value()), proptest::option::of(location_value()), body())
}

fn with_headers(status: u16, retry_after: Option<&str>, location: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 {status} Fuzz\r\nConnection: close\r\nContent-Type: application/json\r\n").into_bytes();
    for (name, value) in [("Retry-After", retry_after), ("Location", location)] {
        if let Some(value) = value {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

proptest! {
    #![proptest_config(cases(48))]

    /// Whatever redirect or `Retry-After` a site sends, to sign-in or to any call: no panic, no
    /// overflow, every call ends, and nothing is ever sent where a redirect points (not even a
    /// connection), nor does a message show the target's path or query.
    #[test]
    fn redirects_and_retry_after_never_panic_nor_reach_the_target(
        (status, retry_after, location, body) in headed_reply(),
        to_sign_in in any::<bool>(),
    ) {
        let elsewhere = Elsewhere::start();
        let location = location.map(|l| l.replace("{other}", &elsewhere.port.to_string()));
        let reply = with_headers(status, retry_after.as_deref(), location.as_deref(), &body);
        let site = RawSite::start();
        if to_sign_in {
            site.serve(Some(reply), http(200, "application/json", b"{}"));
        } else {
            site.serve(None, reply);
        }
        let credentials = SiteCredentials::new(
            &format!("http://127.0.0.1:{}/", site.port),
            "fuzz-client",
            SecretString::from(SECRET),
        )
        .unwrap();
        // Retries on, so that Retry-After reaches the retry clock; a short budget keeps cases quick.
        let options = ClientOptions {
            retry: RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
                max_total: Duration::from_millis(300),
            },
            request_timeout: Duration::from_secs(3),
            connect_timeout: Duration::from_secs(3),
            ..ClientOptions::default()
        };
        let client = Client::with_options(credentials, options).unwrap();
        let results = runtime()
            .block_on(async { tokio::time::timeout(Duration::from_secs(60), every_call(&client)).await });
        let results = results.map_err(|_| TestCaseError::fail("a call did not end"))?;
        for (call, result) in results {
            if let Err(error) = result {
                check_error(call, &error)?;
                prop_assert!(!error.to_string().contains("stolen"), "{call}: {error}");
            }
        }
        prop_assert_eq!(elsewhere.reached(), 0, "a redirect to {:?} was followed", location);
    }
}

/// JSON in the Where dialect's own shape: operators, fields and values mixed, often wrong.
fn where_json() -> impl Strategy<Value = Value> {
    let field = proptest::sample::select(vec!["City", "Email", "Id", "CustomCrmGroups.G.F", "", "$weird", "a.b.c.d"]);
    let op = proptest::sample::select(vec![
        "$eq",
        "$neq",
        "$gt",
        "$lt",
        "$in",
        "$nin",
        "$contains",
        "$startsWith",
        "$isNull",
        "$bogus",
    ]);
    let comparison = (field, op, leaf()).prop_map(|(f, o, v)| json!({ f: { o: v } }));
    comparison.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|parts| json!({"$and": parts})),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|parts| json!({"$or": parts})),
            inner.clone().prop_map(|part| json!({"$not": part})),
            (inner, leaf()).prop_map(|(part, junk)| json!({"$and": part, "$or": junk})),
        ]
    })
}
