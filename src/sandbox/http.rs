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

async fn handle(gateway: Arc<Gateway>, request: Request<Incoming>) -> Result<Response<Body>, DroppedOnPurpose> {
    let route = Route::classify(request.method(), request.uri().path());
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
        Outcome::Error(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
        Err(_) => {
            tracing::error!(route = route.name(), "sandbox handler panicked");
            ApiFailure::new(StatusCode::INTERNAL_SERVER_ERROR, "The sandbox hit a bug handling this request.")
                .into_response()
        }
    };
    if decision.outcome == Outcome::Drop {
        // The request took effect; its answer is lost.
        return Err(DroppedOnPurpose);
    }
    Ok(response)
}
