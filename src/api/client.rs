//! The typed client: one method per call of the contract, with authentication, retries
//! and error mapping done once, in [`ReadClient::call`]. Reads are on [`ReadClient`]; the
//! write calls are on [`Client`] (in `writes`), which derefs to its reads.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::auth::{self, Token};
use super::dialect::Dialect;
use super::error::ApiError;
use super::model::{Booking, Case, Contact, ContactId, Order, Page, SecureZone};
use super::paging::{FnSource, PagingOptions, fetch_all};
use super::query::{ListQuery, OrderBy, Where};
use super::retry::{RetryPolicy, Safety};
use super::site::SiteCredentials;
use super::transport;

use super::assumed::CONTACTS_PATH;

mod by_email;
mod writes;

pub use by_email::EmailHolders;
pub use writes::Client;

/// The most the client reads of one reply by default: room for a page of 500 contacts with
/// large custom fields many times over, far below what would strain a desktop's memory.
pub const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    /// The longest one request may take, connection included.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// The most the client reads of one reply's body; past it the call fails with
    /// [`ApiError::TooLarge`] and reading stops.
    pub max_reply_bytes: usize,
    /// Certificates (DER) to trust besides the system's, e.g. a company's own authority;
    /// the tests' self-signed sites.
    pub extra_root_certificates: Vec<Vec<u8>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_reply_bytes: MAX_REPLY_BYTES,
            extra_root_certificates: Vec::new(),
        }
    }
}

/// A connection to one site that can only read: what features get to load what they show.
/// The write calls are on [`Client`], which only the change journal holds in the app.
/// Cheap to clone; clones share the token and the HTTP pool.
#[derive(Clone)]
pub struct ReadClient {
    inner: Arc<Inner>,
    /// How list requests are encoded for this site; clones made with another dialect
    /// ([`ReadClient::with_dialect`]) share the token and the connection pool.
    dialect: Arc<Dialect>,
}

struct Inner {
    http: transport::Http,
    credentials: SiteCredentials,
    options: ClientOptions,
    token: tokio::sync::Mutex<Option<Token>>,
    throttle_events: AtomicU64,
}

impl fmt::Debug for ReadClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadClient").field("credentials", &self.inner.credentials).finish_non_exhaustive()
    }
}

/// A reply that will not be retried: success or an error status for the caller to map.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

impl ReadClient {
    /// Builds the connection that [`Client`] and its read-only view share.
    fn open(credentials: SiteCredentials, options: ClientOptions) -> Result<Self, ApiError> {
        // `SiteCredentials` may be built by hand, so the check of `parse_site_url` is made again.
        transport::require_safe_transport(&credentials.site_url, credentials.site_url.as_str())?;
        let http = transport::Http::new(&credentials.site_url, &options)?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                credentials,
                options,
                token: tokio::sync::Mutex::new(None),
                throttle_events: AtomicU64::new(0),
            }),
            dialect: Arc::new(Dialect::default()),
        })
    }

    /// This client, speaking `dialect` (learned by the doctor) from now on.
    pub fn with_dialect(&self, dialect: Dialect) -> Self {
        Self { inner: Arc::clone(&self.inner), dialect: Arc::new(dialect) }
    }

    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    pub fn site_url(&self) -> &Url {
        &self.inner.credentials.site_url
    }

    pub fn client_id(&self) -> &str {
        &self.inner.credentials.client_id
    }

    /// How many 429 replies this client has seen; pagers slow down when it grows.
    pub fn throttle_events(&self) -> u64 {
        self.inner.throttle_events.load(Ordering::Relaxed)
    }

    /// Signs in and reads one contact: proves the URL, the credentials and the scope.
    /// Returns how many contacts the site has.
    pub async fn check_connection(&self) -> Result<u64, ApiError> {
        let page = self.list_contacts(&ListQuery::default().page(0, 1)).await?;
        Ok(page.total_items_count.unwrap_or(page.items.len() as u64))
    }

    pub async fn list_contacts(&self, query: &ListQuery) -> Result<Page<Contact>, ApiError> {
        let request = self.list_request(CONTACTS_PATH.to_owned(), query)?;
        let body = self.call(request.about("The contacts API")).await?;
        // A full page is a few milliseconds of parsing: keep it off the async threads.
        tokio::task::spawn_blocking(move || decode_list(&body)).await.map_err(|e| ApiError::Undecodable {
            message: super::error::clip(&format!("decoding stopped: {e}"), 200),
        })?
    }

    pub async fn get_contact(&self, id: ContactId) -> Result<Contact, ApiError> {
        let body = self.call(ApiRequest::read(contact_path(id), Vec::new()).about(subject(id))).await?;
        decode(&body)
    }

    pub async fn list_bookings(&self, id: ContactId, query: &ListQuery) -> Result<Page<Booking>, ApiError> {
        self.related(id, "bookings", query).await
    }

    pub async fn list_cases(&self, id: ContactId, query: &ListQuery) -> Result<Page<Case>, ApiError> {
        self.related(id, "cases", query).await
    }

    pub async fn list_orders(&self, id: ContactId, query: &ListQuery) -> Result<Page<Order>, ApiError> {
        self.related(id, "orders", query).await
    }

    pub async fn list_secure_zones(&self, id: ContactId, query: &ListQuery) -> Result<Page<SecureZone>, ApiError> {
        self.related(id, "secure-zones", query).await
    }

    /// Every secure zone of the contact, however the site pages them (with the paging
    /// guards: a page that repeats or does not advance stops the read).
    pub async fn all_secure_zones(&self, id: ContactId) -> Result<Vec<SecureZone>, ApiError> {
        let source = FnSource(|query: ListQuery| async move { self.list_secure_zones(id, &query).await });
        let query = ListQuery::new(Where::All).order_by(OrderBy::asc("Id"));
        fetch_all(&source, query, &PagingOptions::default(), &CancellationToken::new(), |_| {}).await
    }

    async fn related<T: DeserializeOwned>(
        &self,
        id: ContactId,
        what: &str,
        query: &ListQuery,
    ) -> Result<Page<T>, ApiError> {
        let request = self.list_request(format!("{}/{what}", contact_path(id)), query)?;
        let body = self.call(request.about(subject(id))).await?;
        decode_list(&body)
    }

    /// A list read of `path`, encoded in this site's dialect.
    fn list_request(&self, path: String, query: &ListQuery) -> Result<ApiRequest, ApiError> {
        let encoded = self.dialect.list_request(query).map_err(|e| ApiError::NotOnThisSite(e.to_string()))?;
        let mut request = ApiRequest::read(path, encoded.query);
        request.body = encoded.body;
        Ok(request)
    }

    /// Sends one API call: signs in as needed, retries what may be retried, fetches a
    /// new token once on a 401, and maps any failure to the error the user acts on.
    async fn call(&self, request: ApiRequest) -> Result<Vec<u8>, ApiError> {
        let ApiRequest { method, path, query, body, safety, action, subject } = request;
        let url = self.endpoint(&path)?;
        let mut token_renewed = false;
        loop {
            let token = self.token().await?;
            let reply = self
                .send_with_retries(safety, action, || {
                    let mut request = self
                        .inner
                        .http
                        .for_method(&method)
                        .request(method.clone(), url.clone())
                        .bearer_auth(token.value.expose_secret());
                    if !query.is_empty() {
                        request = request.query(&query);
                    }
                    if let Some(body) = &body {
                        request = request.json(body);
                    }
                    request
                })
                .await?;
            tracing::debug!(%method, path, status = reply.status.as_u16(), "api call");
            // A 401 means the request was refused, not processed: safe to send again.
            if reply.status == StatusCode::UNAUTHORIZED && !token_renewed {
                self.forget_token(&token).await;
                token_renewed = true;
                continue;
            }
            if reply.status.is_success() {
                return Ok(reply.body);
            }
            return Err(ApiError::from_status(reply.status, &reply.body, &subject));
        }
    }

    /// Sends a request until it gets a reply worth returning or the retry budget is spent.
    async fn send_with_retries(
        &self,
        safety: Safety,
        action: &str,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Reply, ApiError> {
        let policy = &self.inner.options.retry;
        let limit = self.inner.options.max_reply_bytes;
        let started = Instant::now();
        let mut attempts: u32 = 0;
        loop {
            attempts = attempts.saturating_add(1);
            let outcome = match build().send().await {
                // Only a read follows a redirect, and only within the site (`transport::Http`):
                // any redirect that comes back here was not followed, and is not retried.
                Ok(response) if response.status().is_redirection() => {
                    let target = transport::redirect_target(response.url(), response.headers());
                    return Err(not_followed(safety, action, target));
                }
                Ok(response) => {
                    let status = response.status();
                    let retry_after = retry_after(response.headers());
                    match read_body(response, limit).await {
                        Ok(body) => Ok((status, retry_after, body)),
                        Err(BodyError::TooLarge) if safety == Safety::OnceOnly => {
                            return Err(ApiError::OutcomeUnknown {
                                action: action.to_owned(),
                                detail: format!("HTTP {status}, with a reply too large to read"),
                            });
                        }
                        Err(BodyError::TooLarge) => return Err(ApiError::TooLarge { limit }),
                        Err(BodyError::Transport(error)) => Err(error),
                    }
                }
                Err(error) => Err(error),
            };
            // What a retry would wait for at least, and what to return when there is none.
            let (retry_after, give_up) = match outcome {
                Ok((status, retry_after, _)) if status == StatusCode::TOO_MANY_REQUESTS => {
                    // A 429 says the request was not processed: any request may go again.
                    self.inner.throttle_events.fetch_add(1, Ordering::Relaxed);
                    (retry_after, Err(ApiError::RateLimited { retry_after }))
                }
                Ok((status, _, _)) if status.is_server_error() && safety == Safety::OnceOnly => {
                    return Err(ApiError::OutcomeUnknown {
                        action: action.to_owned(),
                        detail: format!("HTTP {status}"),
                    });
                }
                Ok((status, _, body)) if status.is_server_error() => (None, Ok(Reply { status, body })),
                Ok((status, _, body)) => return Ok(Reply { status, body }),
                Err(error) if let Some(refused) = transport::refused_connection(&error) => return Err(refused),
                Err(error) if let Some(target) = transport::refused_redirect(&error) => {
                    return Err(not_followed(safety, action, target));
                }
                // A refused connection never carried the request; anything later may have.
                Err(error) if safety == Safety::OnceOnly && !error.is_connect() => {
                    return Err(ApiError::OutcomeUnknown {
                        action: action.to_owned(),
                        detail: transport::transport_text(&error),
                    });
                }
                Err(error) => (
                    None,
                    Err(ApiError::Network {
                        message: transport::transport_text(&error),
                        timed_out: error.is_timeout(),
                    }),
                ),
            };
            let Some(delay) = policy.next_delay(attempts, started.elapsed(), retry_after) else {
                return give_up;
            };
            tracing::debug!(attempt = attempts, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// A fresh token: the cached one, or a new one (one sign-in at a time).
    async fn token(&self) -> Result<Token, ApiError> {
        let mut slot = self.inner.token.lock().await;
        if let Some(token) = slot.as_ref().filter(|token| token.is_fresh(Instant::now())) {
            return Ok(token.clone());
        }
        let token = self.fetch_token().await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    async fn forget_token(&self, refused: &Token) {
        let mut slot = self.inner.token.lock().await;
        if slot.as_ref().is_some_and(|cached| cached.same_as(refused)) {
            *slot = None;
        }
    }

    /// [assumed] `POST /api/v1/oauth/token` with the client-credentials grant, form-encoded.
    async fn fetch_token(&self) -> Result<Token, ApiError> {
        let credentials = &self.inner.credentials;
        let url = self.endpoint(auth::TOKEN_PATH)?;
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            ("client_secret", credentials.client_secret.expose_secret()),
        ];
        let reply = self
            .send_with_retries(Safety::Idempotent, "signing in", || {
                self.inner.http.for_method(&Method::POST).post(url.clone()).form(&form)
            })
            .await?;
        match reply.status.as_u16() {
            200..=299 => auth::parse_token_reply(&reply.body, Instant::now())
                .ok_or_else(|| ApiError::Undecodable { message: "the sign-in reply holds no access token".to_owned() }),
            400 | 401 | 403 => Err(ApiError::CredentialsRefused),
            404 => Err(ApiError::InvalidSite(format!(
                "{} does not answer like a Treepl site (no sign-in endpoint). Check the site URL.",
                credentials.site_url
            ))),
            _ => Err(ApiError::from_status(reply.status, &reply.body, "The sign-in endpoint")),
        }
    }

    fn endpoint(&self, path: &str) -> Result<Url, ApiError> {
        self.inner
            .credentials
            .site_url
            .join(path)
            .map_err(|e| ApiError::InvalidSite(format!("Cannot build the address of {path} ({e}).")))
    }
}

/// One request of the contract, with what the messages about it need.
struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    safety: Safety,
    /// What the request does, for "the connection failed while ...".
    action: &'static str,
    /// What a 404 says is gone.
    subject: String,
}

impl ApiRequest {
    fn read(path: String, query: Vec<(&'static str, String)>) -> Self {
        Self {
            method: Method::GET,
            path,
            query,
            body: None,
            safety: Safety::Idempotent,
            action: "reading",
            subject: String::new(),
        }
    }

    fn write(method: Method, path: String, body: Option<Value>, safety: Safety, action: &'static str) -> Self {
        Self { method, path, query: Vec::new(), body, safety, action, subject: String::new() }
    }

    fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = subject.into();
        self
    }
}

fn contact_path(id: ContactId) -> String {
    format!("{CONTACTS_PATH}/{id}")
}

fn subject(id: ContactId) -> String {
    format!("Contact {id}")
}

/// A reply with no body (or only white space): a success that says nothing.
fn is_empty(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// Whether `sent` (a number, or a number as text) is the Id `id`.
fn is_id(sent: &Value, id: ContactId) -> bool {
    match sent {
        Value::Number(number) => number.as_i64() == Some(id),
        Value::String(text) => text.trim().parse::<ContactId>().ok() == Some(id),
        _ => false,
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    // Serialising our own models cannot fail short of a bug; say so rather than panic.
    serde_json::to_value(value)
        .map_err(|e| ApiError::Undecodable { message: format!("could not encode the request: {e}") })
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde quotes the offending value, which may be a whole page of text: keep it short.
    serde_json::from_slice(body).map_err(|e| ApiError::Undecodable { message: super::error::clip(&e.to_string(), 200) })
}

/// Reads the list envelope, or (leniently) a bare array.
fn decode_list<T: DeserializeOwned>(body: &[u8]) -> Result<Page<T>, ApiError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        let items: Vec<T> = decode(body)?;
        let count = items.len() as u64;
        return Ok(Page::new(items, count));
    }
    decode(body)
}

/// `Retry-After` in seconds or as an HTTP date (see [`super::retry::parse_retry_after`]).
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    super::retry::parse_retry_after(text, chrono::Utc::now())
}

/// The error for a redirect the client did not follow. A write that must not repeat may have
/// been applied before the site redirected (a 303 after a POST says it was), so it is
/// "outcome unknown"; anything else was refused and can be said so.
fn not_followed(safety: Safety, action: &str, target: String) -> ApiError {
    match safety {
        Safety::OnceOnly => ApiError::OutcomeUnknown {
            action: action.to_owned(),
            detail: format!("the site answered with a redirect to {target}, which was not followed"),
        },
        Safety::Idempotent => ApiError::Redirected { target },
    }
}

enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

/// A reply's body, read a piece at a time and abandoned once it passes `limit` bytes (the
/// site's `Content-Length` is believed only to refuse early, never to reserve memory).
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|announced| announced > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    const FIRST_RESERVE: usize = 64 * 1024;
    let mut body = Vec::with_capacity(limit.min(FIRST_RESERVE));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if chunk.len() > limit.saturating_sub(body.len()) {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
