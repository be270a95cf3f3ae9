//! The sandbox site: a local server that speaks the Treepl contacts API over a real SQLite
//! database, seeded with demo data. It is the app's default site (demo and training), the
//! peer of every integration test and the target of every benchmark.
//!
//! Start one in-process with [`Sandbox::start`], or from the command line with
//! `treepl-contacts sandbox`.

mod dialect;
mod faults;
mod fields;
pub mod filter;
mod http;
pub mod list_request;
mod openapi;
mod openapi_where;
mod passwords;
mod requests;
mod rows;
pub mod schema;
pub mod seed;
mod server;
pub mod store;
pub mod validate;
pub mod where_reader;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::api::SiteCredentials;

pub use dialect::{HELP as DIALECT_HELP, SiteDialect};
pub use faults::{FaultRule, FaultSpec, Faults, Forced, Route};
pub use http::MAX_BODY_BYTES;
pub use list_request::{SiteListRequest, SiteOrder};
pub use requests::{RecordedRequest, RequestLog};
pub use server::MAX_LIMIT;
pub use store::{Store, StoreError};

/// The credentials the sandbox accepts unless told otherwise. They guard nothing secret:
/// the sandbox listens on this computer only and holds demo data.
pub const DEFAULT_CLIENT_ID: &str = "sandbox";
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-secret";

#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    pub db_path: PathBuf,
    /// Demo contacts to put into an empty database.
    pub seed: u64,
    pub client_id: String,
    pub client_secret: SecretString,
    pub faults: FaultSpec,
    pub token_lifetime: Duration,
    /// The cap on `Limit` (at most `MAX_LIMIT`): a lower one acts as a site that pages in
    /// smaller pages than clients ask for.
    pub max_limit: u32,
    /// Listen on an address other computers can reach. The sandbox has no real security
    /// (plain HTTP), so this must be asked for by name, and the public demo secret is then refused.
    pub unsafe_beyond_loopback: bool,
    /// Host names (`name` for any port, or `name:port`) that requests may name in their `Host`
    /// header besides 127.0.0.1, localhost and [::1] on the listening port and the listening
    /// address itself. Any other Host is refused with 421 (a web page that rebinds its own
    /// name to 127.0.0.1 cannot reach the sandbox).
    pub allowed_hosts: Vec<String>,
    /// Wrong client ids or secrets one client address may send before its token requests are
    /// answered 429, and how fast that allowance comes back.
    pub token_rate_limit: RateLimit,
    /// How long a connection may take to send a request's headers (or its body) before it is
    /// closed; an idle kept-alive connection is closed after as long.
    pub read_timeout: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How this sandbox differs from the default site (`--dialect`).
    pub dialect: SiteDialect,
}

/// A token bucket: `burst` at once, refilled at `per_second`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

impl Default for RateLimit {
    /// 10 wrong guesses at once, then one a second: a client with the right secret never
    /// meets it, a guessing loop gets 3,600 guesses an hour.
    fn default() -> Self {
        Self { burst: 10, per_second: 1.0 }
    }
}

/// [assumed] How long a connection may take to send its request before it is closed.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// [assumed] Connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

impl SandboxConfig {
    /// Loopback, a free port, the default credentials, no seed, no faults.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db_path: db_path.into(),
            seed: 0,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: SecretString::from(DEFAULT_CLIENT_SECRET),
            faults: FaultSpec::default(),
            token_lifetime: Duration::from_secs(3600),
            max_limit: MAX_LIMIT,
            unsafe_beyond_loopback: false,
            allowed_hosts: Vec::new(),
            token_rate_limit: RateLimit::default(),
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            dialect: SiteDialect::default(),
        }
    }

    pub fn seed(mut self, contacts: u64) -> Self {
        self.seed = contacts;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("The sandbox database {path} could not be opened: {source}")]
    Database { path: PathBuf, source: StoreError },
    #[error("The sandbox could not listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error(
        "The sandbox will not listen on {addr}: other computers could reach it, and it has no real security \
         (plain HTTP, a demo secret). Use a loopback address such as 127.0.0.1, or pass \
         --unsafe-listen-beyond-loopback if that is really meant."
    )]
    BeyondLoopback { addr: SocketAddr },
    #[error(
        "The sandbox will not listen on {addr} with the public demo secret: anyone who can reach it \
         could sign in. Give it a secret of your own (TREEPL_SANDBOX_CLIENT_SECRET or --client-secret-file)."
    )]
    DemoSecretBeyondLoopback { addr: SocketAddr },
    #[error("The sandbox failed while starting: {0}")]
    Start(String),
}

/// A running sandbox site. Dropping it stops the server.
pub struct Sandbox {
    url: Url,
    credentials: SiteCredentials,
    store: Arc<Store>,
    faults: Arc<Faults>,
    requests: Arc<RequestLog>,
    tokens: Arc<server::TokenIssuer>,
    passwords: Arc<passwords::PasswordBook>,
    shutdown: CancellationToken,
    server: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Opens (and, when empty, seeds) the database, then serves it. Needs a tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        Self::start_with_progress(config, |_| {}).await
    }

    /// As [`Sandbox::start`], reporting how many demo contacts are in while seeding.
    pub async fn start_with_progress(
        config: SandboxConfig,
        seeded: impl Fn(u64) + Send + 'static,
    ) -> Result<Self, SandboxError> {
        let SandboxConfig {
            addr,
            db_path,
            seed,
            client_id,
            client_secret,
            faults,
            token_lifetime,
            max_limit,
            unsafe_beyond_loopback,
            allowed_hosts,
            token_rate_limit,
            read_timeout,
            max_connections,
            dialect,
        } = config;
        if !addr.ip().is_loopback() {
            if !unsafe_beyond_loopback {
                return Err(SandboxError::BeyondLoopback { addr });
            }
            if client_secret.expose_secret() == DEFAULT_CLIENT_SECRET {
                return Err(SandboxError::DemoSecretBeyondLoopback { addr });
            }
        }
        let path = db_path.clone();
        let store = tokio::task::spawn_blocking(move || -> Result<Store, StoreError> {
            let store = Store::open(&path)?;
            let started = std::time::Instant::now();
            let added = store.seed(seed, seeded)?;
            if added > 0 {
                tracing::info!(contacts = added, seconds = started.elapsed().as_secs_f64(), "seeded the sandbox");
            }
            if dialect.odd_values {
                store.plant_odd_values()?;
            }
            Ok(store)
        })
        .await
        .map_err(|e| SandboxError::Start(e.to_string()))?
        .map_err(|source| SandboxError::Database { path: db_path.clone(), source })?;
        let store = Arc::new(store);

        let listener = TcpListener::bind(addr).await.map_err(|source| SandboxError::Listen { addr, source })?;
        let local = listener.local_addr().map_err(|source| SandboxError::Listen { addr, source })?;
        // Bound to every interface, it is reached on this computer through loopback.
        let reachable =
            if local.ip().is_unspecified() { SocketAddr::from(([127, 0, 0, 1], local.port())) } else { local };
        let url = Url::parse(&format!("http://{reachable}/")).map_err(|e| SandboxError::Start(e.to_string()))?;
        // Built as is: a client refuses plain HTTP to an address beyond loopback, as it should.
        let credentials = SiteCredentials {
            site_url: url.clone(),
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
        };

        let tokens = Arc::new(server::TokenIssuer::new(client_id, client_secret, token_lifetime));
        let token_guard = Arc::new(server::TokenGuard::new(token_rate_limit));
        let faults = Arc::new(Faults::new(faults));
        let requests = Arc::new(RequestLog::default());
        let passwords = Arc::new(passwords::PasswordBook::default());
        let state = server::ServerState {
            store: Arc::clone(&store),
            tokens: Arc::clone(&tokens),
            token_guard,
            passwords: Arc::clone(&passwords),
            max_limit: max_limit.min(MAX_LIMIT),
            dialect,
        };
        let gateway = Arc::new(http::Gateway {
            router: server::router(state),
            faults: Arc::clone(&faults),
            requests: Arc::clone(&requests),
            hosts: http::AllowedHosts::new(local, &allowed_hosts),
            read_timeout,
        });
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(http::serve(listener, gateway, max_connections.max(1), shutdown.clone()));
        Ok(Self { url, credentials, store, faults, requests, tokens, passwords, shutdown, server: Some(server) })
    }

    /// `http://127.0.0.1:PORT/`
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The site URL with the client id and secret it accepts.
    pub fn credentials(&self) -> SiteCredentials {
        self.credentials.clone()
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The live fault settings.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    /// What the sandbox was sent.
    pub fn requests(&self) -> &Arc<RequestLog> {
        &self.requests
    }

    /// Whether `password` is the one last set for `contact` through this sandbox's API (by
    /// set-password or a create); it keeps salted hashes in memory only, for tests to check.
    pub fn password_is(&self, contact: crate::api::ContactId, password: &str) -> bool {
        self.passwords.is(contact, password)
    }

    /// Invalidates every token issued so far (as refreshing a secret does on a site).
    /// The access tokens issued and not yet expired (a test looks for them where they must
    /// not be).
    pub fn live_tokens(&self) -> Vec<SecretString> {
        self.tokens.live_tokens()
    }

    pub fn revoke_tokens(&self) {
        self.tokens.revoke_all();
    }

    /// Stops accepting, lets open requests finish, and waits for the server to end.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
