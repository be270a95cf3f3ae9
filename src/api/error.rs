//! What can go wrong talking to a site: one variant per thing the user must act on
//! differently, each with a message that says what happened and what to do.
//! Messages never carry a secret, a token, a password or raw HTML.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

/// A message the site attached to one field of a rejected request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// 400 and other refusals of what was sent: fix the input.
    #[error("The site did not accept this: {}", describe_rejection(message, fields))]
    Validation { message: String, fields: Vec<FieldError> },

    /// 401 twice (with a fresh token): the application or its secret is no longer valid.
    #[error(
        "The site refused these credentials. Check the Client ID and Client Secret under Settings > API \
         Applications on the site: the application may be disabled or deleted, or its secret refreshed."
    )]
    CredentialsRefused,

    /// 403: the credentials work but may not touch contacts.
    #[error(
        "This API application lacks the CRM Contacts scope. Grant it under Settings > API Applications on the site."
    )]
    MissingScope,

    /// 404: gone, most likely deleted elsewhere.
    #[error("{subject} was not found on the site; it may have been deleted elsewhere. Reload to see the current data.")]
    NotFound { subject: String },

    /// 409: e.g. the email belongs to another contact (with the field it concerns).
    #[error("The site reported a conflict: {}", describe_rejection(message, fields))]
    Conflict { message: String, fields: Vec<FieldError> },

    /// 429 past the retry budget, or asking for a longer wait than the client makes.
    #[error("{}", rate_limited_text(*retry_after))]
    RateLimited { retry_after: Option<Duration> },

    /// 5xx past the retry budget (or for a read).
    #[error("The site had a problem (HTTP {status}: {message}). Try again in a moment.")]
    Server { status: u16, message: String },

    /// The site could not be reached or did not answer in time.
    #[error("Could not reach the site ({message}). Check the network connection and the site URL.")]
    Network { message: String, timed_out: bool },

    /// A write that is not safe to repeat failed after it may have reached the site.
    #[error(
        "The connection failed while {action}, so it is not known whether the site applied it ({detail}). \
         Reload to check before trying again."
    )]
    OutcomeUnknown { action: String, detail: String },

    /// The site's TLS certificate did not verify: nothing was sent, the secret included.
    #[error(
        "The site's security certificate could not be verified ({reason}), so the app did not connect and sent \
         nothing. Check the site address; if it is right, the site's HTTPS set-up needs fixing (or someone is \
         intercepting the connection)."
    )]
    UntrustedSite { reason: String },

    /// The site answered with a redirect that the client does not follow (any redirect of the
    /// token request or of a write; a read's redirect to another origin or to plain http).
    /// `target` is a scheme, host and port only.
    #[error(
        "The site answered with a redirect to {target}, which the app does not follow for this request, so \
         nothing was sent there. Check the site address in the connection settings (https://, with or without \
         www.)."
    )]
    Redirected { target: String },

    /// The reply was longer than the client reads ([`crate::api::ClientOptions::max_reply_bytes`]).
    #[error(
        "The site's reply was larger than {}, more than the app reads at once, so it stopped reading it. Try a \
         narrower filter; if that does not help, the site may be misbehaving.",
        size_text(*limit)
    )]
    TooLarge { limit: usize },

    /// The reply was not the JSON the contract describes.
    #[error("The site sent a reply this app cannot read ({message}).")]
    Undecodable { message: String },

    /// The site URL or the credentials cannot be used as given.
    #[error("{0}")]
    InvalidSite(String),

    /// The user (or the app) stopped the work.
    #[error("Cancelled.")]
    Cancelled,

    /// The site's answer to a walk did not hold together (rows outside the filter, paging that
    /// did not advance, a count that changed), so nothing was acted on.
    #[error("{}.", capitalized(&.0.to_string()))]
    Untrusted(super::guard::Distrust),

    /// The change could not be recorded in the local change journal, so it was not sent.
    #[error("Nothing was sent: {message}.")]
    Journal { message: String },

    /// A request this site's dialect cannot express (e.g. a descending sort on a site that
    /// sorts ascending only); nothing was sent.
    #[error("{0}")]
    NotOnThisSite(String),
}

impl ApiError {
    /// Maps a non-success reply to the error the user must act on.
    /// `subject` names the thing asked for ("Contact 42") for a 404.
    pub(crate) fn from_status(status: StatusCode, body: &[u8], subject: &str) -> Self {
        let message = human_message(body).unwrap_or_else(|| reason(status));
        match status.as_u16() {
            401 => Self::CredentialsRefused,
            403 => Self::MissingScope,
            404 | 410 => Self::NotFound { subject: subject.to_owned() },
            409 => Self::Conflict { message, fields: field_errors(body) },
            429 => Self::RateLimited { retry_after: None },
            500..=599 => Self::Server { status: status.as_u16(), message },
            _ => Self::Validation { message, fields: field_errors(body) },
        }
    }

    /// Messages per field, for an editor to show beside its inputs.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Validation { fields, .. } | Self::Conflict { fields, .. } => fields,
            _ => &[],
        }
    }
}

fn describe_rejection(message: &str, fields: &[FieldError]) -> String {
    if fields.is_empty() {
        return message.to_owned();
    }
    let details: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
    format!("{message} ({})", details.join("; "))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

fn rate_limited_text(retry_after: Option<Duration>) -> String {
    const LIMITING: &str = "The site is limiting how fast it accepts requests";
    match retry_after.map(|wait| wait.as_secs()) {
        Some(seconds) if seconds > super::retry::MAX_RETRY_AFTER.as_secs() => format!(
            "{LIMITING}, and the site asked to wait {seconds} s, longer than the app waits ({} s). Try again later.",
            super::retry::MAX_RETRY_AFTER.as_secs()
        ),
        Some(seconds) if seconds >= 1 => {
            format!("{LIMITING}: the site asked to wait {seconds} s. Wait {seconds} s and try again.")
        }
        _ => format!("{LIMITING}. Wait a moment and try again."),
    }
}

/// A size in the unit a person reads it in: 64 MiB, 512 KiB, 100 bytes.
fn size_text(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

fn reason(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("no reason given").to_owned()
}

/// [assumed] A human message from any error body: JSON (`Message`, `message`, `error`,
/// `error_description`, `title`, `errors`) or plain text. HTML is never shown.
pub(crate) fn human_message(body: &[u8]) -> Option<String> {
    const LIMIT: usize = 300;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() || text.starts_with('<') {
        return None;
    }
    let Ok(json) = serde_json::from_str::<Value>(text) else {
        return Some(clip(text, LIMIT));
    };
    message_in_json(&json).map(|message| clip(&message, LIMIT))
}

fn message_in_json(json: &Value) -> Option<String> {
    match json {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Object(map) => {
            const KEYS: [&str; 7] = ["Message", "message", "error_description", "error", "title", "detail", "errors"];
            KEYS.iter().filter_map(|key| map.get(*key)).find_map(message_in_json)
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(message_in_json).collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        _ => None,
    }
}

/// [assumed] `{"Errors": [{"Field": "Email", "Message": "..."}]}`, also in lower case,
/// or `{"errors": {"Email": ["..."]}}` as ASP.NET writes it.
fn field_errors(body: &[u8]) -> Vec<FieldError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let Some(errors) = map.get("Errors").or_else(|| map.get("errors")) else {
        return Vec::new();
    };
    let text = |value: Option<&Value>| value.and_then(message_in_json).unwrap_or_default();
    match errors {
        Value::Array(items) => items
            .iter()
            .filter_map(|item| {
                let field = item.get("Field").or_else(|| item.get("field"))?.as_str()?.to_owned();
                let message = text(item.get("Message").or_else(|| item.get("message")));
                Some(FieldError { field, message })
            })
            .collect(),
        Value::Object(by_field) => by_field
            .iter()
            .map(|(field, messages)| FieldError { field: field.clone(), message: text(Some(messages)) })
            .collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn clip(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_come_from_any_json_shape_and_never_from_html() {
        assert_eq!(human_message(br#"{"Message":"Email is taken"}"#).as_deref(), Some("Email is taken"));
        assert_eq!(human_message(br#"{"error":"invalid_client"}"#).as_deref(), Some("invalid_client"));
        assert_eq!(human_message(br#"{"title":"Bad","status":400}"#).as_deref(), Some("Bad"));
        assert_eq!(human_message(b"plain words").as_deref(), Some("plain words"));
        assert_eq!(human_message(b"<html><body>Oops</body></html>"), None);
        assert_eq!(human_message(b""), None);
        let long = "x".repeat(1000);
        assert!(human_message(long.as_bytes()).unwrap().chars().count() <= 301);
    }

    #[test]
    fn statuses_map_to_what_the_user_must_do() {
        let body = br#"{"Message":"Invalid","Errors":[{"Field":"Email","Message":"Email is not valid"}]}"#;
        let error = ApiError::from_status(StatusCode::BAD_REQUEST, body, "Contact 1");
        assert_eq!(error.field_errors(), [FieldError { field: "Email".into(), message: "Email is not valid".into() }]);
        assert!(error.to_string().contains("Email: Email is not valid"));
        let html = b"<!DOCTYPE html><html>Server Error</html>";
        let error = ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR, html, "x");
        assert_eq!(error, ApiError::Server { status: 500, message: "Internal Server Error".into() });
        assert!(!error.to_string().contains('<'));
        assert_eq!(ApiError::from_status(StatusCode::FORBIDDEN, b"", "x"), ApiError::MissingScope);
        let gone = ApiError::from_status(StatusCode::NOT_FOUND, b"", "Contact 9");
        assert!(gone.to_string().starts_with("Contact 9 was not found"));
    }

    #[test]
    fn asp_net_style_field_errors_are_read() {
        let body = br#"{"title":"One or more validation errors occurred.","errors":{"Email":["Required"]}}"#;
        let error = ApiError::from_status(StatusCode::BAD_REQUEST, body, "x");
        assert_eq!(error.field_errors(), [FieldError { field: "Email".into(), message: "Required".into() }]);
    }
}
