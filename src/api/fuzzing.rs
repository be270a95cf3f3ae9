//! Entry points for the cargo-fuzz targets in `fuzz/` (not an API for the app): the client's
//! own reading of a site's reply headers, reachable without a network.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::RetryPolicy;

/// What the client makes of one reply's headers.
#[derive(Debug)]
pub struct ReplyHeaders {
    /// The wait a `Retry-After` asks for, as read (before any cap).
    pub retry_after: Option<Duration>,
    /// The wait before a second try after `elapsed` under `policy`, or `None` for no retry.
    pub next_delay: Option<Duration>,
    /// Where a redirect points, as a message would name it.
    pub redirect_target: String,
}

/// Reads `lines` (name, value) as the headers of a reply to a request for `request_url`, as
/// the client does. Lines that HTTP could not carry (invalid names or values) are skipped,
/// as the HTTP parser would refuse them before the client saw them. `None` for a request
/// address that does not parse.
pub fn read_reply_headers(
    request_url: &str,
    lines: &[(&[u8], &[u8])],
    policy: &RetryPolicy,
    elapsed: Duration,
) -> Option<ReplyHeaders> {
    let request = Url::parse(request_url).ok()?;
    let mut headers = HeaderMap::new();
    for (name, value) in lines {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) {
            headers.append(name, value);
        }
    }
    let retry_after = super::client::retry_after(&headers);
    Some(ReplyHeaders {
        retry_after,
        next_delay: policy.next_delay(1, elapsed, retry_after),
        redirect_target: super::transport::redirect_target(&request, &headers),
    })
}
