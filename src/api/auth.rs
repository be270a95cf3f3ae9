//! Access tokens: fetched with the client-credentials grant, cached in memory with their
//! expiry, and dropped when the site says one is no longer valid.

use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::Value;

use super::assumed::DEFAULT_TOKEN_LIFETIME as DEFAULT_LIFETIME;
pub use super::assumed::TOKEN_PATH;

/// A token is renewed this long before it expires, so that no request carries a token
/// that dies in flight.
const RENEW_MARGIN: Duration = Duration::from_secs(30);

/// However long a site says a token lasts, it is renewed at least daily.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Clone)]
pub(crate) struct Token {
    pub value: SecretString,
    expires_at: Instant,
}

impl Token {
    pub fn is_fresh(&self, now: Instant) -> bool {
        now.checked_add(RENEW_MARGIN).is_some_and(|renew_at| renew_at < self.expires_at)
    }

    /// Whether two handles are the same token (to drop only the one that was refused).
    pub fn same_as(&self, other: &Token) -> bool {
        self.expires_at == other.expires_at
    }
}

/// [assumed] Reads a token reply leniently: `access_token`, `AccessToken` or `token`;
/// `expires_in` (seconds, a number or a numeric string) is optional.
pub(crate) fn parse_token_reply(body: &[u8], now: Instant) -> Option<Token> {
    let json: Value = serde_json::from_slice(body).ok()?;
    let field = |names: &[&str]| names.iter().find_map(|name| json.get(*name));
    let access = field(&["access_token", "AccessToken", "accessToken", "token", "Token"])?.as_str()?;
    if access.is_empty() {
        return None;
    }
    let lifetime = field(&["expires_in", "ExpiresIn", "expiresIn"])
        .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME)
        // A site that claims years (or u64::MAX seconds) would overflow the clock.
        .min(MAX_LIFETIME);
    // A clock that cannot reach the end of the lifetime gets a token that is renewed each time.
    let expires_at = now.checked_add(lifetime).unwrap_or(now);
    Some(Token { value: SecretString::from(access.to_owned()), expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn token_replies_are_read_leniently() {
        let now = Instant::now();
        let token =
            parse_token_reply(br#"{"access_token":"abc","token_type":"Bearer","expires_in":3600}"#, now).unwrap();
        assert_eq!(token.value.expose_secret(), "abc");
        assert!(token.is_fresh(now));
        let pascal = parse_token_reply(br#"{"AccessToken":"xyz","ExpiresIn":"10"}"#, now).unwrap();
        assert_eq!(pascal.value.expose_secret(), "xyz");
        assert!(!pascal.is_fresh(now), "expires within the renewal margin");
        assert!(parse_token_reply(br#"{"token":"t"}"#, now).unwrap().is_fresh(now));
        assert!(parse_token_reply(br#"{"access_token":""}"#, now).is_none());
        assert!(parse_token_reply(b"<html>", now).is_none());
    }

    #[test]
    fn a_lifetime_past_the_clock_is_held_to_a_day() {
        let now = Instant::now();
        let reply = format!(r#"{{"access_token":"abc","expires_in":{}}}"#, u64::MAX);
        let token = parse_token_reply(reply.as_bytes(), now).unwrap();
        assert!(token.is_fresh(now + Duration::from_secs(23 * 3600)));
        assert!(!token.is_fresh(now + Duration::from_secs(24 * 3600)));
    }
}
