//! What the client accepts of the connection itself: which addresses may go without TLS, and
//! how a failed connection is told to the user (a certificate that does not verify is not a
//! network hiccup to retry, it is a reason to stop).

use std::error::Error as _;
use std::net::IpAddr;

use reqwest::Method;
use reqwest::redirect::{Action, Attempt, Policy};
use url::{Host, Url};

use super::{ApiError, ClientOptions};

/// Refuses an address that would send the secret in clear text over a network: plain
/// `http://` is for this computer only (the sandbox); every other site needs `https://`.
pub(crate) fn require_safe_transport(url: &Url, as_typed: &str) -> Result<(), ApiError> {
    let Some(host) = url.host() else {
        return Err(ApiError::InvalidSite(format!("`{as_typed}` has no host name.")));
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&host) => Ok(()),
        "http" => Err(ApiError::InvalidSite(format!(
            "`{as_typed}` uses plain http://, which Treepl sites refuse. Use https:// (plain http is only \
             allowed for this computer, where the sandbox site runs)."
        ))),
        other => {
            Err(ApiError::InvalidSite(format!("`{as_typed}` uses `{other}://`; a site address starts with https://.")))
        }
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// How many redirects a read follows, each within the site's own origin.
const MAX_READ_REDIRECTS: usize = 5;

/// The two HTTP clients of one site, set up alike but for redirects: reads (GET) follow a
/// redirect only within the site's own origin (same scheme, host and port, over https or on
/// this computer), so the `Authorization` header never leaves it; the token request and every
/// write follow none, since following would send the secret, a password or a change again to
/// wherever the site pointed. A redirect not followed is [`ApiError::Redirected`] (or, for a
/// write that must not repeat, [`ApiError::OutcomeUnknown`]); see `Client::send_with_retries`.
pub(crate) struct Http {
    reads: reqwest::Client,
    others: reqwest::Client,
}

impl Http {
    pub(crate) fn new(site: &Url, options: &ClientOptions) -> Result<Self, ApiError> {
        let reads = builder(site, options)?.redirect(Policy::custom(read_redirect)).build().map_err(setup_error)?;
        let others = builder(site, options)?.redirect(Policy::none()).build().map_err(setup_error)?;
        Ok(Self { reads, others })
    }

    /// The client for a request of `method`: only a GET may follow a redirect.
    pub(crate) fn for_method(&self, method: &Method) -> &reqwest::Client {
        if method == Method::GET { &self.reads } else { &self.others }
    }
}

fn setup_error(error: reqwest::Error) -> ApiError {
    ApiError::InvalidSite(format!("Could not set up HTTPS ({error})."))
}

fn builder(site: &Url, options: &ClientOptions) -> Result<reqwest::ClientBuilder, ApiError> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("treepl-contacts/", env!("CARGO_PKG_VERSION")))
        .timeout(options.request_timeout)
        .connect_timeout(options.connect_timeout)
        // A list's address holds the filter's values: no Referer carries it anywhere.
        .referer(false);
    // The sandbox on this computer is never reached through a proxy (HTTP_PROXY and the like
    // would otherwise send its requests, and its secret, to the proxy).
    if site.host().is_some_and(|host| is_loopback(&host)) {
        builder = builder.no_proxy();
    }
    if !options.extra_root_certificates.is_empty() {
        let roots = options
            .extra_root_certificates
            .iter()
            .map(|der| reqwest::Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::InvalidSite(format!("A certificate to trust could not be read ({e}).")))?;
        builder = builder.tls_certs_merge(roots);
    }
    Ok(builder)
}

/// The redirect rule of reads: the next address must be of the first request's origin and
/// safe to send a token to; a few hops at most.
fn read_redirect(attempt: Attempt<'_>) -> Action {
    let next = attempt.url();
    let within_site = attempt.previous().first().is_some_and(|first| first.origin() == next.origin());
    let safe = next.scheme() == "https" || (next.scheme() == "http" && next.host().is_some_and(|h| is_loopback(&h)));
    if within_site && safe && attempt.previous().len() <= MAX_READ_REDIRECTS {
        attempt.follow()
    } else {
        let target = describe_target(next);
        attempt.error(RedirectRefused { target })
    }
}

/// A redirect the client did not follow, carried through reqwest's error.
#[derive(Debug)]
struct RedirectRefused {
    target: String,
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a redirect to {} was not followed", self.target)
    }
}

impl std::error::Error for RedirectRefused {}

/// The target of a redirect that a read's policy refused, if that is what failed.
pub(crate) fn refused_redirect(error: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<RedirectRefused>() {
            return Some(refused.target.clone());
        }
        cause = current.source();
    }
    None
}

/// Where a redirect reply (one not followed) pointed, for the message: its `Location`
/// read against the request's address.
pub(crate) fn redirect_target(request: &Url, headers: &reqwest::header::HeaderMap) -> String {
    let Some(location) = headers.get(reqwest::header::LOCATION) else {
        return "an address it did not give".to_owned();
    };
    match location.to_str().ok().and_then(|text| request.join(text.trim()).ok()) {
        Some(next) => describe_target(&next),
        None => "an address the app could not read".to_owned(),
    }
}

/// An address as a message may show it: its scheme, host and port, never its path or query
/// (they may hold a token or a filter's values) nor any user name or password.
fn describe_target(url: &Url) -> String {
    let described = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
        (Some(host), None) => format!("{}://{host}", url.scheme()),
        (None, _) => format!("an address starting {}:", url.scheme()),
    };
    super::error::clip(&described, 120)
}

/// The error for a failed request that never got a reply, when it is one the user must act
/// on rather than wait out: a certificate that does not verify.
pub(crate) fn refused_connection(error: &reqwest::Error) -> Option<ApiError> {
    let reason = certificate_problem(error)?;
    Some(ApiError::UntrustedSite { reason })
}

/// Why the site's TLS certificate was not accepted, if that is what failed.
fn certificate_problem(error: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = cause {
        // An io::Error's `source()` skips the error it wraps (often another io::Error), so
        // look inside each layer too.
        let mut layer = current;
        loop {
            if let Some(rustls::Error::InvalidCertificate(problem)) = layer.downcast_ref::<rustls::Error>() {
                return Some(describe_certificate(problem));
            }
            match layer.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
                Some(wrapped) => layer = wrapped,
                None => break,
            }
        }
        cause = current.source();
    }
    None
}

fn describe_certificate(problem: &rustls::CertificateError) -> String {
    use rustls::CertificateError as Problem;
    match problem {
        Problem::UnknownIssuer => {
            "it is not signed by an authority this computer trusts, e.g. it is self-signed".into()
        }
        Problem::Expired | Problem::ExpiredContext { .. } => "it has expired".into(),
        Problem::NotValidYet | Problem::NotValidYetContext { .. } => "it is not valid yet".into(),
        Problem::NotValidForName | Problem::NotValidForNameContext { .. } => {
            "it was issued for a different address".into()
        }
        Problem::Revoked => "it has been revoked".into(),
        other => format!("it did not verify ({other:?})"),
    }
}

/// A short account of a transport failure: no URL (it may hold a filter's values), no secret.
pub(crate) fn transport_text(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the site did not answer in time".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else if error.is_body() || error.is_decode() {
        "the reply was cut off".to_owned()
    } else {
        "the connection was interrupted".to_owned()
    }
}
