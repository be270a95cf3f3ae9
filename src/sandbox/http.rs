//! The connection loop around the routes. It sits where a site's gateway would: it applies
//! injected faults (before the request is handled, or by dropping the connection after
//! it), caps the body size, records requests, and turns a panic into a 500.

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
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tracing::Instrument as _;

use super::faults::{Faults, Outcome, Route};
use super::requests::RequestLog;
use super::server::ApiFailure;

/// [assumed] Bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

pub(crate) struct Gateway {
    pub router: Router,
    pub faults: Arc<Faults>,
    pub requests: Arc<RequestLog>,
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

/// Accepts connections until `shutdown`, then lets open ones finish (up to 5 s).
pub(crate) async fn serve(listener: TcpListener, gateway: Arc<Gateway>, shutdown: CancellationToken) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
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
            let service = hyper::service::service_fn(move |request| handle(Arc::clone(&gateway), request));
            let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
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
    let _in_flight = gateway.requests.begin();
    let decision = gateway.faults.decide(route);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    match decision.outcome {
        Outcome::Throttle { retry_after_secs } => {
            let mut response = ApiFailure::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests; wait and try again.")
                .into_response();
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(response);
        }
        Outcome::Error(500) => return Ok(ApiFailure::injected_internal().into_response()),
        Outcome::Error(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            return Ok(
                ApiFailure::new(status, "The site had a temporary problem (injected by the sandbox).").into_response()
            );
        }
        Outcome::Serve | Outcome::Drop => {}
    }

    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            let message = format!("The body is larger than {} KiB.", MAX_BODY_BYTES / 1024);
            return Ok(ApiFailure::new(StatusCode::PAYLOAD_TOO_LARGE, message).into_response());
        }
        Err(_) => return Ok(ApiFailure::new(StatusCode::BAD_REQUEST, "The body could not be read.").into_response()),
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
    if decision.outcome == Outcome::Drop {
        // The request took effect; its answer is lost.
        return Err(DroppedOnPurpose);
    }
    Ok(response)
}
