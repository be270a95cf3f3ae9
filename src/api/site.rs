//! Where a site is and how to sign in to it.

use std::fmt;

use secrecy::SecretString;
use url::Url;

use super::error::ApiError;

/// A site URL with its credentials. `Debug` never shows the secret.
#[derive(Clone)]
pub struct SiteCredentials {
    pub site_url: Url,
    pub client_id: String,
    pub client_secret: SecretString,
}

impl SiteCredentials {
    /// Checks the URL (see [`parse_site_url`]) and bundles the credentials.
    pub fn new(site_url: &str, client_id: impl Into<String>, client_secret: SecretString) -> Result<Self, ApiError> {
        let client_id = client_id.into().trim().to_owned();
        if client_id.is_empty() {
            return Err(ApiError::InvalidSite("Enter the Client ID of the site's API application.".to_owned()));
        }
        Ok(Self { site_url: parse_site_url(site_url)?, client_id, client_secret })
    }
}

impl fmt::Debug for SiteCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteCredentials")
            .field("site_url", &self.site_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .finish()
    }
}

/// Reads a site URL as a user types it (`example.com`, `https://example.com/admin`) into
/// the site's origin. Treepl sites refuse plain HTTP, so `http://` is accepted only for a
/// loopback host (`localhost`, 127.0.0.0/8, `::1`): the sandbox.
pub fn parse_site_url(text: &str) -> Result<Url, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::InvalidSite("Enter the site's address, e.g. https://www.example.com.".to_owned()));
    }
    let with_scheme = if text.contains("://") { text.to_owned() } else { format!("https://{text}") };
    let url =
        Url::parse(&with_scheme).map_err(|e| ApiError::InvalidSite(format!("`{text}` is not a web address ({e}).")))?;
    super::transport::require_safe_transport(&url, text)?;
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    // Credentials in the URL would end up in logs and messages.
    let _ = origin.set_username("");
    let _ = origin.set_password(None);
    Ok(origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_bare_hosts_are_accepted() {
        assert_eq!(parse_site_url("example.com").unwrap().as_str(), "https://example.com/");
        assert_eq!(
            parse_site_url(" https://www.example.com/admin?x=1#y ").unwrap().as_str(),
            "https://www.example.com/"
        );
    }

    #[test]
    fn plain_http_is_refused_unless_loopback() {
        let refused = parse_site_url("http://example.com").unwrap_err().to_string();
        assert!(refused.contains("plain http://"), "{refused}");
        for loopback in ["http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000", "http://127.9.9.9"] {
            assert!(parse_site_url(loopback).is_ok(), "{loopback}");
        }
        assert!(parse_site_url("ftp://example.com").is_err());
        assert!(parse_site_url("").is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let creds = SiteCredentials::new("example.com", "id", SecretString::from("s3cr3t-value")).unwrap();
        assert!(!format!("{creds:?}").contains("s3cr3t-value"));
    }
}
