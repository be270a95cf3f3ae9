//! What a site's reply cannot make the client do: wait for ever (or overflow a clock) on a huge
//! `Retry-After`, or read an endless body into memory. Over real HTTPS on loopback.

use crate::scripted;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use treepl_contacts::api::{ApiError, ClientOptions, ListQuery};

use scripted::{Reply, SECRET, Site, Tls, reply, token_reply};

/// A site that signs in and then answers every call with a 429 carrying `retry_after`, a
/// little over a second after the request (so that the retry's clock has passed a second).
async fn throttling(tls: &Tls, retry_after: &'static str) -> Site {
    Site::start(Some(tls), move |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        Reply::After(Duration::from_millis(1100), reply(429, &format!("retry-after: {retry_after}\r\n"), "{}"))
    })
    .await
}

#[tokio::test]
async fn a_retry_after_of_u64_max_seconds_is_an_error_saying_the_site_asked_to_wait() {
    let tls = Tls::new();
    let site = throttling(&tls, "18446744073709551615").await;
    let started = Instant::now();

    let error = site.client().get_contact(7).await.unwrap_err();

    assert!(matches!(&error, ApiError::RateLimited { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("the site asked to wait 18446744073709551615 s"), "{message}");
    assert!(!message.contains(SECRET), "{message}");
    assert_eq!(site.requests().iter().filter(|r| !r.is_token()).count(), 1, "no retry: the wait is too long");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_retry_after_date_far_ahead_is_an_error_saying_the_site_asked_to_wait() {
    let tls = Tls::new();
    let site = throttling(&tls, "Fri, 31 Dec 9999 23:59:59 GMT").await;
    let started = Instant::now();

    let error = site.client().list_contacts(&ListQuery::default()).await.unwrap_err();

    let message = error.to_string();
    assert!(message.contains("the site asked to wait "), "{message}");
    assert!(message.contains("longer than the app waits (120 s)"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_sign_in_answered_with_a_huge_retry_after_is_the_same_error() {
    let tls = Tls::new();
    let site = Site::start(Some(&tls), |_| {
        Reply::After(Duration::from_millis(1100), reply(429, "retry-after: 99999999999999999999999\r\n", "{}"))
    })
    .await;

    let error = site.client().check_connection().await.unwrap_err();

    let message = error.to_string();
    assert!(message.contains("the site asked to wait 18446744073709551615 s"), "{message}");
}

#[tokio::test]
async fn a_short_retry_after_is_waited_and_the_call_then_works() {
    let tls = Tls::new();
    let first = Instant::now();
    let site = Site::start(Some(&tls), move |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        if first.elapsed() < Duration::from_millis(900) {
            return Reply::Now(reply(429, "retry-after: 1\r\n", "{}"));
        }
        Reply::Now(scripted::contact_reply(7))
    })
    .await;

    let contact = site.client().get_contact(7).await.unwrap();

    assert_eq!(contact.id, 7);
    assert!(first.elapsed() >= Duration::from_secs(1), "waited as asked");
}

#[tokio::test]
async fn an_endless_reply_stops_at_the_configured_cap_with_a_clear_error() {
    let tls = Tls::new();
    let site =
        Site::start(Some(&tls), |request| if request.is_token() { Reply::Now(token_reply()) } else { Reply::Endless })
            .await;
    let options = ClientOptions { max_reply_bytes: 256 * 1024, ..ClientOptions::default() };
    let started = Instant::now();

    let error = site.client_with(options).list_contacts(&ListQuery::default()).await.unwrap_err();

    assert!(matches!(&error, ApiError::TooLarge { limit: 262_144 }), "{error:?}");
    let message = error.to_string();
    assert!(message.starts_with("The site's reply was larger than 256 KiB"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5), "stopped at once, took {:?}", started.elapsed());
    // Reading stopped: the site could not push much past the cap (socket buffers) before
    // its writes failed. Without the cap the client reads on until its timeout.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = site.bytes_sent.load(Ordering::SeqCst);
    assert!(sent < 32 * 1024 * 1024, "the site wrote {sent} bytes");
    assert_eq!(site.requests().iter().filter(|r| !r.is_token()).count(), 1, "a reply too large is not retried");
}

#[tokio::test]
async fn a_reply_announcing_a_huge_length_is_refused_before_its_body_is_read() {
    let tls = Tls::new();
    let site = Site::start(Some(&tls), |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        // Announces 1 TiB, sends a few bytes, then keeps the connection open.
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1099511627776\r\n\r\n{\"Id\":";
        Reply::After(Duration::ZERO, head.as_bytes().to_vec())
    })
    .await;
    let started = Instant::now();

    let error = site.client().get_contact(7).await.unwrap_err();

    assert!(matches!(&error, ApiError::TooLarge { limit } if *limit == 64 * 1024 * 1024), "{error:?}");
    assert!(error.to_string().starts_with("The site's reply was larger than 64 MiB"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_create_whose_reply_is_too_large_is_outcome_unknown_not_a_failure() {
    let tls = Tls::new();
    let site =
        Site::start(Some(&tls), |request| if request.is_token() { Reply::Now(token_reply()) } else { Reply::Endless })
            .await;
    let options = ClientOptions { max_reply_bytes: 64 * 1024, ..ClientOptions::default() };
    let contact = treepl_contacts::api::Contact { email: "ada@example.com".into(), ..Default::default() };
    let input = treepl_contacts::api::ContactInput::from_contact(&contact);

    let started = Instant::now();
    let error = site.client_with(options).create_contact(&input, None).await.unwrap_err();

    // The site answered 200: the contact was probably made, so the app must look, not resend.
    assert!(matches!(&error, ApiError::OutcomeUnknown { .. }), "{error:?}");
    assert!(error.to_string().contains("too large"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "stopped at the cap, took {:?}", started.elapsed());
    assert_eq!(site.requests().iter().filter(|r| r.method == "POST" && !r.is_token()).count(), 1);
}
