//! The routes of the sandbox site: the token endpoint and the 11 contact calls of the
//! contract, with its JSON shapes and status codes. Every failure is a JSON error body
//! (`{"Message": ..., "Errors": [...]}`) with a 4xx status; a 500 only for a real fault.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::api::FieldError;
use crate::api::model::ContactId;

use super::http::PeerAddr;
use super::list_request::SiteListRequest;
use super::openapi;
use super::schema::RecordKind;
use super::store::{Store, StoreError};
use super::validate::{self, Invalid, Mode};

mod replies;

/// [assumed] The sandbox's cap on `Limit`: larger values are clamped, not refused.
pub const MAX_LIMIT: u32 = 500;

#[derive(Clone)]
pub(crate) struct ServerState {
    pub store: Arc<Store>,
    pub tokens: Arc<TokenIssuer>,
    /// Wrong credentials per client address: past its allowance, token requests get 429.
    pub token_guard: Arc<TokenGuard>,
    /// The passwords set, as salted hashes in memory (for tests to check).
    pub passwords: Arc<super::passwords::PasswordBook>,
    /// The cap on `Limit` this site applies (`MAX_LIMIT`, or lower to act as a stricter site).
    pub max_limit: u32,
    /// How this site differs from the default one (`--dialect`).
    pub dialect: super::SiteDialect,
}

impl ServerState {
    /// The list request as this site's dialect reads it, its `Limit` held to this site's cap.
    fn list_query(&self, raw: Option<&str>, body: &[u8]) -> Result<SiteListRequest, ApiFailure> {
        let mut query = SiteListRequest::read(raw, body, &self.dialect).map_err(ApiFailure::bad_request)?;
        query.limit = query.limit.min(self.max_limit.max(1));
        Ok(query)
    }
}

pub(crate) fn router(state: ServerState) -> Router {
    let contacts = Router::new()
        .route("/contacts", get(list_contacts).post(create_contact))
        .route("/contacts/{id}", get(get_contact).put(update_contact).delete(delete_contact))
        .route("/contacts/{id}/bookings", get(list_bookings))
        .route("/contacts/{id}/cases", get(list_cases))
        .route("/contacts/{id}/orders", get(list_orders))
        .route("/contacts/{id}/secure-zones", get(list_zones).put(set_zones))
        .route("/contacts/{id}/set-password", put(set_password))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/api/v1/oauth/token", post(issue_token))
        .route("/openapi.json", get(|| async { axum::Json(openapi::document()) }))
        .nest("/api/v2/admin", contacts)
        .fallback(|| async { ApiFailure::new(StatusCode::NOT_FOUND, "There is no such endpoint on this site.") })
        .method_not_allowed_fallback(|| async {
            ApiFailure::new(StatusCode::METHOD_NOT_ALLOWED, "This endpoint does not accept that method.")
        })
        .with_state(state)
}

/// An error reply in the contract's shape.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    status: StatusCode,
    message: String,
    fields: Vec<FieldError>,
    /// The token endpoint's OAuth 2.0 error code (RFC 6749 5.2), sent as `error` beside the
    /// contract's fields for clients that look for it.
    oauth_error: Option<&'static str>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), fields: Vec::new(), oauth_error: None }
    }

    fn with_fields(status: StatusCode, message: impl Into<String>, fields: Vec<FieldError>) -> Self {
        Self { fields, ..Self::new(status, message) }
    }

    fn oauth(mut self, code: &'static str) -> Self {
        self.oauth_error = Some(code);
        self
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_found(id: ContactId) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("There is no contact with Id {id}."))
    }

    /// A 500 that tells the client nothing of its cause (no database text, no SQL), only an
    /// id; the cause is logged (to stderr) with that id, inside the request's span (route,
    /// method, request id).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let id = error_id();
        tracing::error!(error_id = %id, cause = %cause, "internal error (500)");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, internal_message(&id))
    }

    /// A 500 injected on purpose (`--faults`, or a test): logged as a warning with its id.
    pub fn injected_internal() -> Self {
        let id = error_id();
        tracing::warn!(error_id = %id, cause = "injected fault", "internal error (500)");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, internal_message(&id))
    }
}

/// The whole text of every 500's `Message`.
fn internal_message(id: &str) -> String {
    format!("internal error (id {id}): the sandbox's log has the cause under this id.")
}

/// A short id to find a 500 in the log: 12 hex digits, random (a counter if the OS's random
/// source fails, so that an id is still unique within this process).
fn error_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = getrandom::u64().unwrap_or_else(|_| COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    format!("{:012x}", n & 0xffff_ffff_ffff)
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        let errors: Vec<Value> = self.fields.iter().map(|f| json!({"Field": f.field, "Message": f.message})).collect();
        let mut body = json!({"Message": self.message, "Errors": errors});
        if let Some(code) = self.oauth_error {
            body["error"] = json!(code);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiFailure {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadRequest(message) => Self::bad_request(message),
            StoreError::Conflict(message) => Self::with_fields(
                StatusCode::CONFLICT,
                message.clone(),
                vec![FieldError { field: "Email".to_owned(), message }],
            ),
            // The Debug form has SQLite's extended result code (e.g. 517 for a stale snapshot).
            other => Self::internal(format_args!("store: {other} ({other:?})")),
        }
    }
}

impl From<Invalid> for ApiFailure {
    fn from(invalid: Invalid) -> Self {
        Self::with_fields(StatusCode::BAD_REQUEST, invalid.message, invalid.fields)
    }
}

type Reply<T> = Result<axum::Json<T>, ApiFailure>;

/// Runs store work off the async threads.
async fn blocking<T: Send + 'static>(
    store: &Arc<Store>,
    work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiFailure> {
    let store = Arc::clone(store);
    match tokio::task::spawn_blocking(move || work(&store)).await {
        Ok(result) => result.map_err(ApiFailure::from),
        Err(join) => Err(ApiFailure::internal(format_args!("store task: {join}"))),
    }
}

fn contact_id(text: &str) -> Result<ContactId, ApiFailure> {
    text.trim().parse().map_err(|_| ApiFailure::bad_request(format!("`{text}` is not a contact Id (a whole number).")))
}

async fn list_contacts(
    State(state): State<ServerState>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let query = state.list_query(raw.as_deref(), &body)?;
    let page = blocking(&state.store, move |store| store.list_contacts_json(&query)).await?;
    state.contacts_reply(page).await
}

async fn get_contact(State(state): State<ServerState>, Path(id): Path<String>) -> Result<Response, ApiFailure> {
    let id = contact_id(&id)?;
    let contact = blocking(&state.store, move |store| store.get_contact_json(id)).await?;
    state.contacts_reply(contact.ok_or(ApiFailure::not_found(id))?).await
}

/// A reply whose JSON the store wrote already.
fn json_text(json: String) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response()
}

async fn create_contact(State(state): State<ServerState>, body: Bytes) -> Reply<Value> {
    // The password is checked, then kept only as a salted hash in memory: never on disk.
    let checked = validate::contact_body(&body, Mode::Create)?;
    let fields = checked.fields;
    let contact = blocking(&state.store, move |store| store.create_contact(&fields)).await?;
    if let Some(password) = &checked.password {
        state.passwords.set(contact.id, password);
    }
    Ok(axum::Json(state.reshape_contacts(to_json(&contact)?).await?))
}

async fn update_contact(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let id = contact_id(&id)?;
    let body = match state.dialect.odd_values {
        // The odd values sent back unchanged are kept as they are, not checked as new ones.
        true => settle_odd_values(&state, id, &body).await?,
        false => body,
    };
    let checked = validate::contact_body(&body, Mode::Update { id })?;
    let contact = blocking(&state.store, move |store| store.update_contact(id, &checked.fields))
        .await?
        .ok_or(ApiFailure::not_found(id))?;
    let reply = state.reshape_contacts(to_json(&contact)?).await?;
    Ok(state.written(reply))
}

async fn settle_odd_values(state: &ServerState, id: ContactId, body: &Bytes) -> Result<Bytes, ApiFailure> {
    let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(body) else { return Ok(body.clone()) };
    let fields = blocking(&state.store, move |store| store.settle_odd_values(id, &mut fields).map(|()| fields)).await?;
    Ok(Bytes::from(Value::Object(fields).to_string()))
}

async fn delete_contact(State(state): State<ServerState>, Path(id): Path<String>) -> Result<StatusCode, ApiFailure> {
    let id = contact_id(&id)?;
    match blocking(&state.store, move |store| store.delete_contact(id)).await? {
        true => {
            state.passwords.forget(id);
            Ok(StatusCode::NO_CONTENT)
        }
        false => Err(ApiFailure::not_found(id)),
    }
}

async fn list_records(
    state: ServerState,
    id: String,
    raw: Option<String>,
    body: Bytes,
    kind: RecordKind,
) -> Reply<Value> {
    let id = contact_id(&id)?;
    let query = state.list_query(raw.as_deref(), &body)?;
    let page = blocking(&state.store, move |store| store.list_records(id, kind, &query))
        .await?
        .ok_or(ApiFailure::not_found(id))?;
    Ok(axum::Json(state.dates(to_json(&page)?)))
}

async fn list_bookings(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Reply<Value> {
    list_records(s, id, q, body, RecordKind::Booking).await
}

async fn list_cases(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Reply<Value> {
    list_records(s, id, q, body, RecordKind::Case).await
}

async fn list_orders(
    State(s): State<ServerState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Reply<Value> {
    list_records(s, id, q, body, RecordKind::Order).await
}

async fn list_zones(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Reply<Value> {
    let id = contact_id(&id)?;
    let query = state.list_query(raw.as_deref(), &body)?;
    let page =
        blocking(&state.store, move |store| store.list_zones(id, &query)).await?.ok_or(ApiFailure::not_found(id))?;
    Ok(axum::Json(state.dates(to_json(&page)?)))
}

async fn set_zones(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let id = contact_id(&id)?;
    let zones = validate::zones_body(&body)?;
    let merge = state.dialect.zones_merge;
    let put = move |store: &Store| if merge { store.merge_zones(id, &zones) } else { store.set_zones(id, &zones) };
    let stored = blocking(&state.store, put).await?.ok_or(ApiFailure::not_found(id))?;
    let count = stored.len() as u64;
    Ok(state.written(to_json(&crate::api::Page::new(stored, count))?))
}

async fn set_password(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiFailure> {
    let id = contact_id(&id)?;
    let password = validate::password_body(&body)?;
    let zones = blocking(&state.store, move |store| store.set_password(id)).await?.ok_or(ApiFailure::not_found(id))?;
    state.passwords.set(id, &password);
    let count = zones.len() as u64;
    Ok(state.written(to_json(&crate::api::Page::new(zones, count))?))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ApiFailure> {
    serde_json::to_value(value).map_err(|e| ApiFailure::internal(format_args!("encoding the reply: {e}")))
}

/// Issues and checks bearer tokens for one API application (client id and secret).
pub struct TokenIssuer {
    client_id: String,
    client_secret: SecretString,
    lifetime: Duration,
    live: Mutex<HashMap<String, Instant>>,
}

impl TokenIssuer {
    pub fn new(client_id: String, client_secret: SecretString, lifetime: Duration) -> Self {
        Self { client_id, client_secret, lifetime, live: Mutex::new(HashMap::new()) }
    }

    /// A new token: 256 bits from the OS's random source, as hex. Fails only when that
    /// source does (then no token is made from anything weaker).
    fn issue(&self) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, expires| *expires > now);
        live.insert(token.clone(), now + self.lifetime);
        Ok(token)
    }

    fn is_valid(&self, token: &str) -> bool {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.get(token).is_some_and(|expires| *expires > Instant::now())
    }

    /// The tokens that are still valid, for a test that checks none of them leaked.
    pub fn live_tokens(&self) -> Vec<SecretString> {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.keys().map(|token| SecretString::from(token.as_str())).collect()
    }

    /// Invalidates every token issued so far, as a site does when an application's secret
    /// is refreshed; clients must sign in again.
    pub fn revoke_all(&self) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn accepts(&self, client_id: &str, client_secret: &str) -> bool {
        // Both sides are hashed first, so that what is compared always has the same length
        // (a comparison of the texts themselves ends at once when the lengths differ, which
        // tells a guesser the secret's length); `subtle` then compares the digests in constant
        // time (no early exit the optimiser could add back), and both checks always run.
        use sha2::{Digest as _, Sha256};
        use subtle::ConstantTimeEq as _;
        let digest = |text: &str| -> [u8; 32] { Sha256::digest(text.as_bytes()).into() };
        let same_secret = digest(self.client_secret.expose_secret()).ct_eq(&digest(client_secret));
        let same_id = digest(&self.client_id).ct_eq(&digest(client_id));
        (same_secret & same_id).into()
    }
}

/// Wrong credentials per client address, as a token bucket: each refused sign-in takes one;
/// while a bucket is empty, every token request from that address gets 429 with
/// `Retry-After` (the right secret too, so that a guessing loop cannot slip one through).
pub(crate) struct TokenGuard {
    limit: super::RateLimit,
    buckets: Mutex<HashMap<std::net::IpAddr, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    left: f64,
    at: Instant,
}

impl TokenGuard {
    const MAX_ADDRESSES: usize = 4096;

    pub fn new(limit: super::RateLimit) -> Self {
        Self { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` while `address` has no guesses left.
    fn check(&self, address: std::net::IpAddr) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let Some(bucket) = buckets.get_mut(&address) else { return Ok(()) };
        self.refill(bucket);
        if bucket.left >= 1.0 {
            return Ok(());
        }
        let rate = self.limit.per_second.max(f64::MIN_POSITIVE);
        Err(Duration::from_secs_f64(((1.0 - bucket.left) / rate).min(86_400.0)))
    }

    /// Takes one guess from `address`'s allowance.
    fn refused(&self, address: std::net::IpAddr) {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= Self::MAX_ADDRESSES && !buckets.contains_key(&address) {
            // Forget the addresses whose allowance is whole again.
            let now = Instant::now();
            let (burst, rate) = (f64::from(self.limit.burst), self.limit.per_second);
            buckets.retain(|_, b| b.left + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let full = Bucket { left: f64::from(self.limit.burst), at: Instant::now() };
        let bucket = buckets.entry(address).or_insert(full);
        self.refill(bucket);
        bucket.left = (bucket.left - 1.0).max(0.0);
    }

    fn refill(&self, bucket: &mut Bucket) {
        let now = Instant::now();
        let earned = now.duration_since(bucket.at).as_secs_f64() * self.limit.per_second;
        bucket.left = (bucket.left + earned).min(f64::from(self.limit.burst));
        bucket.at = now;
    }
}

/// `POST /api/v1/oauth/token`: client credentials, form-encoded or JSON. Errors are in the
/// contract's shape (`Message`, `Errors` naming the fields at fault) with the OAuth code as `error`.
/// Past a client address's allowance of wrong credentials, 429 with `Retry-After`.
async fn issue_token(
    State(state): State<ServerState>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let address = peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |Extension(PeerAddr(addr))| addr.ip());
    if let Err(wait) = state.token_guard.check(address) {
        tracing::warn!(%address, "token requests refused for a while: too many wrong credentials");
        let mut response = ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong client ids or secrets from this address; wait and try again.",
        )
        .oauth("slow_down")
        .into_response();
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        return response;
    }
    if let Err(failure) = token_request(&state.tokens, headers.get(header::CONTENT_TYPE), &body) {
        if failure.status == StatusCode::UNAUTHORIZED {
            state.token_guard.refused(address);
        }
        return failure.into_response();
    }
    let token = match state.tokens.issue() {
        Ok(token) => token,
        Err(error) => {
            return ApiFailure::internal(format_args!("the OS's random source failed: {error}")).into_response();
        }
    };
    let body = json!({"access_token": token, "token_type": "Bearer", "expires_in": state.tokens.lifetime.as_secs()});
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Checks a token request: its body, its grant type, then the credentials.
fn token_request(tokens: &TokenIssuer, content_type: Option<&HeaderValue>, body: &[u8]) -> Result<(), ApiFailure> {
    const FIELDS: [&str; 3] = ["grant_type", "client_id", "client_secret"];
    let malformed = |message: String| ApiFailure::bad_request(message).oauth("invalid_request");
    let says_json = content_type.and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let looks_json = matches!(body.trim_ascii_start().first(), Some(b'{' | b'['));
    let fields: HashMap<String, String> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k.to_ascii_lowercase(), s.to_owned()))).collect()
        }
        Ok(_) if says_json || looks_json => {
            return Err(malformed(format!("The body must be a JSON object or a form with {}.", FIELDS.join(", "))));
        }
        Err(e) if says_json || looks_json => return Err(malformed(format!("The body is not valid JSON: {e}."))),
        _ => url::form_urlencoded::parse(body).map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned())).collect(),
    };
    let missing: Vec<FieldError> = FIELDS
        .iter()
        .filter(|name| fields.get(**name).is_none_or(|v| v.is_empty()))
        .map(|name| FieldError { field: (*name).to_owned(), message: format!("{name} is required.") })
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|f| f.field.as_str()).collect();
        let message = format!("The token request lacks {}.", names.join(", "));
        return Err(ApiFailure::with_fields(StatusCode::BAD_REQUEST, message, missing).oauth("invalid_request"));
    }
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        let message = "Only grant_type=client_credentials is supported.";
        let at = vec![FieldError { field: "grant_type".to_owned(), message: message.to_owned() }];
        return Err(ApiFailure::with_fields(StatusCode::BAD_REQUEST, message, at).oauth("unsupported_grant_type"));
    }
    if !tokens.accepts(field("client_id"), field("client_secret")) {
        // Which of the two is wrong is not said.
        let failure = ApiFailure::new(StatusCode::UNAUTHORIZED, "The client id or secret is not valid.");
        return Err(failure.oauth("invalid_client"));
    }
    Ok(())
}

async fn require_token(State(state): State<ServerState>, request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    match token {
        Some(token) if state.tokens.is_valid(token) => next.run(request).await,
        _ => {
            let mut response = ApiFailure::new(
                StatusCode::UNAUTHORIZED,
                "A valid access token is required (Authorization: Bearer ...).",
            )
            .into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_id_and_secret_are_accepted() {
        let tokens = TokenIssuer::new("app".into(), SecretString::from("s3cret-value"), Duration::from_secs(60));
        assert!(tokens.accepts("app", "s3cret-value"));
        for wrong in ["", "s3cret-valu", "s3cret-value!", "S3cret-value", "s3cret-valuf", "x3cret-value"] {
            assert!(!tokens.accepts("app", wrong), "{wrong:?}");
        }
        assert!(!tokens.accepts("other", "s3cret-value"));
    }
}
