//! The connection loop around the routes. It sits where a site's gateway would: it applies
//! injected faults (before the request is handled, or by dropping the connection after
//! it), caps the body size, records requests, and turns a panic into a 500.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use futures::FutureExt;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::Instrument as _;

use super::faults::{FaultOutcome, Faults, Route};
use super::requests::RequestLog;
use super::server::ApiFailure;

/// [assumed] Bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) struct Gateway {
    pub router: Router,
    pub faults: Arc<Faults>,
    pub requests: Arc<RequestLog>,
    pub hosts: AllowedHosts,
    /// For a request's headers (hyper's header read timeout) and for its body.
    pub read_timeout: Duration,
}

/// The address a request came from, for the routes that limit per client (the token endpoint).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerAddr(pub SocketAddr);

/// The names a request's `Host` may give: loopback and the listening address on the
/// listening port, and the names the user allowed. A Host of any other name is what a web
/// page gets when it rebinds its own name to 127.0.0.1 (DNS rebinding): refused.
pub(crate) struct AllowedHosts {
    port: u16,
    /// Host names (lowercase, IPv6 without brackets) allowed on the listening port only.
    on_port: Vec<String>,
    /// Names the user allowed, with the port they named (`None`: any port).
    extra: Vec<(String, Option<u16>)>,
}

impl AllowedHosts {
    pub fn new(listening: SocketAddr, allowed: &[String]) -> Self {
        let mut on_port = vec!["127.0.0.1".to_owned(), "localhost".to_owned(), "::1".to_owned()];
        if !listening.ip().is_unspecified() {
            on_port.push(listening.ip().to_string());
        }
        let extra = allowed.iter().filter_map(|name| split_host(name)).collect();
        Self { port: listening.port(), on_port, extra }
    }

    /// Whether a `Host` value (`name`, `name:port`, `[v6]:port`) is one this sandbox answers to.
    pub fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else { return false };
        // No port in Host means the scheme's default (80 for plain HTTP).
        let port_matches = port.unwrap_or(80) == self.port;
        (port_matches && self.on_port.contains(&name))
            || self.extra.iter().any(|(allowed, at)| *allowed == name && at.is_none_or(|at| Some(at) == port))
    }

    /// The names it answers to, for the message of a refusal.
    fn describe(&self) -> String {
        let port = self.port;
        let mut names: Vec<String> = self
            .on_port
            .iter()
            .map(|name| if name.contains(':') { format!("[{name}]:{port}") } else { format!("{name}:{port}") })
            .collect();
        names.extend(self.extra.iter().map(|(name, at)| match at {
            Some(at) => format!("{name}:{at}"),
            None => name.clone(),
        }));
        names.join(", ")
    }
}

/// `name[:port]` or `[v6][:port]` as (lowercase name without brackets or a trailing dot, port).
fn split_host(text: &str) -> Option<(String, Option<u16>)> {
    let text = text.trim();
    let (name, port) = if let Some(rest) = text.strip_prefix('[') {
        let (name, after) = rest.split_once(']')?;
        match after {
            "" => (name, None),
            _ => (name, Some(after.strip_prefix(':')?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') => (name, Some(port)),
            Some(_) => return None,
            None => (text, None),
        }
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    (!name.is_empty()).then_some((name, port))
}

/// The error that makes hyper close a connection without answering.
#[derive(Debug)]
struct DroppedOnPurpose;

impl std::fmt::Display for DroppedOnPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedOnPurpose {}

/// Accepts connections until `shutdown`, then lets open ones finish (up to 5 s). At most
/// `max_connections` are served at once: past that, new ones wait in the listen queue.
pub(crate) async fn serve(
    listener: TcpListener,
    gateway: Arc<Gateway>,
    max_connections: usize,
    shutdown: CancellationToken,
) {
    let mut connections = tokio::task::JoinSet::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    loop {
        let slot = tokio::select! {
            () = shutdown.cancelled() => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // E.g. out of file descriptors: wait a little rather than spin.
                    tracing::warn!(%error, "sandbox could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let gateway = Arc::clone(&gateway);
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let _slot = slot;
            let read_timeout = gateway.read_timeout;
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(PeerAddr(peer));
                handle(Arc::clone(&gateway), request)
            });
            // A connection that sends no request (or not all of its headers) within the read
            // timeout is closed; so is one left idle that long between requests.
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                () = shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(Duration::from_secs(5), connection).await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    let _ =
        tokio::time::timeout(Duration::from_secs(5), async { while connections.join_next().await.is_some() {} }).await;
}

/// A 421 when the request names a host this sandbox does not answer to (in `Host`, or in an
/// absolute request target); `None` when it may be served.
fn wrong_host(hosts: &AllowedHosts, request: &Request<Incoming>) -> Option<Response<Body>> {
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok());
    let target = request.uri().authority().map(|a| a.as_str());
    let allowed = host.is_some_and(|h| hosts.allows(h)) && target.is_none_or(|t| hosts.allows(t));
    if allowed {
        return None;
    }
    tracing::debug!("refused a request for another host");
    let message = format!(
        "This sandbox answers only to the Host {}; start it with --allow-host NAME to add a name.",
        hosts.describe()
    );
    Some(ApiFailure::new(StatusCode::MISDIRECTED_REQUEST, message).into_response())
}

/// Handles one request inside a span naming its route, method and request id (from
/// `X-Request-Id`, when the client sent one), so that whatever is logged while it is handled
/// (every 500, with its cause and id) can be traced to it.
async fn handle(gateway: Arc<Gateway>, request: Request<Incoming>) -> Result<Response<Body>, DroppedOnPurpose> {
    let route = Route::classify(request.method(), request.uri().path());
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(loggable_id);
    let span = tracing::error_span!(
        "request",
        route = route.name(),
        method = %request.method(),
        request_id = request_id.as_deref().unwrap_or("-"),
    );
    handle_in_span(gateway, route, request).instrument(span).await
}

/// A client's request id as it may go into the log: at most 64 of its letters, digits, `-`,
/// `_` and `.` (nothing that could forge a log line).
fn loggable_id(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).take(64).collect()
}

async fn handle_in_span(
    gateway: Arc<Gateway>,
    route: Route,
    request: Request<Incoming>,
) -> Result<Response<Body>, DroppedOnPurpose> {
    if let Some(refusal) = wrong_host(&gateway.hosts, &request) {
        return Ok(refusal);
    }
    let _in_flight = gateway.requests.begin();
    let decision = gateway.faults.decide(route);
    if !decision.delay.is_zero() || decision.outcome != FaultOutcome::Serve {
        // What a seed reproduces; a test that must act while a request is held waits for it.
        tracing::debug!(delay = ?decision.delay, outcome = ?decision.outcome, "injecting a fault");
    }
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.outcome {
        FaultOutcome::Throttle { retry_after_secs } => {
            let mut response = ApiFailure::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests; wait and try again.")
                .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(response);
        }
        FaultOutcome::Error(500) => return Ok(ApiFailure::injected_internal().into_response()),
        FaultOutcome::Error(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Ok(
                ApiFailure::new(status, "The site had a temporary problem (injected by the sandbox).").into_response()
            );
        }
        FaultOutcome::Serve | FaultOutcome::Drop => {}
    }

    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(gateway.read_timeout, Limited::new(body, MAX_BODY_BYTES).collect()).await;
    let bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            let message = format!("The body is larger than {} KiB.", MAX_BODY_BYTES / 1024);
            return Ok(ApiFailure::new(StatusCode::PAYLOAD_TOO_LARGE, message).into_response());
        }
        Ok(Err(_)) => {
            return Ok(ApiFailure::new(StatusCode::BAD_REQUEST, "The body could not be read.").into_response());
        }
        Err(_) => {
            let message = format!("The body did not arrive within {} s.", gateway.read_timeout.as_secs_f64());
            let mut response = ApiFailure::new(StatusCode::REQUEST_TIMEOUT, message).into_response();
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return Ok(response);
        }
    };
    gateway.requests.record(route, parts.method.as_str(), parts.uri.path(), parts.uri.query(), &bytes);

    let request = Request::from_parts(parts, Body::from(bytes));
    let handled = AssertUnwindSafe(gateway.router.clone().oneshot(request)).catch_unwind().await;
    let response = match handled {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(panic) => {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            ApiFailure::internal(format_args!("the handler panicked: {text}")).into_response()
        }
    };
    if decision.outcome == FaultOutcome::Drop {
        // The request took effect; its answer is lost.
        return Err(DroppedOnPurpose);
    }
    Ok(response)
}
