//! What the client accepts of the connection itself: which addresses may go without TLS, and
//! how a failed connection is told to the user (a certificate that does not verify is not a
//! network hiccup to retry, it is a reason to stop).

use std::error::Error as _;
use std::net::IpAddr;

use url::{Host, Url};

use super::ApiError;

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
