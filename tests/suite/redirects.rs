//! Redirects, over real TLS: the token request and every write follow none (following would
//! send the secret, a password or a change again to wherever a site pointed); a read follows
//! one only within the site's own origin, and never to plain http. A second listener stands
//! where the redirects point and must receive nothing, not even a connection.

use crate::scripted;

use secrecy::SecretString;
use treepl_contacts::api::{ApiError, Contact, ContactInput};

use scripted::{Reply, SECRET, Site, TOKEN, Tls, contact_reply, redirect, token_reply};

/// A listener (same certificate, so a followed redirect would get through) that answers
/// anything with a token and a contact: if the client went there, it would succeed.
async fn elsewhere(tls: &Tls) -> Site {
    Site::start(Some(tls), |request| Reply::Now(if request.is_token() { token_reply() } else { contact_reply(7) }))
        .await
}

fn assert_names_target_and_no_secret(error: &ApiError, target: &str) {
    let message = error.to_string();
    assert!(message.contains(target), "names {target}: {message}");
    for secret in [SECRET, TOKEN, "Password", "?"] {
        assert!(!message.contains(secret), "{secret} in {message}");
    }
}

#[tokio::test]
async fn a_token_request_redirected_to_another_origin_is_not_followed_and_the_secret_goes_nowhere() {
    let tls = Tls::new();
    let other = elsewhere(&tls).await;
    let location = format!("{}/api/v1/oauth/token?stolen=1", other.origin());
    let site = Site::start(Some(&tls), move |_| Reply::Now(redirect(307, &location))).await;

    let error = site.client().check_connection().await.unwrap_err();

    assert!(matches!(&error, ApiError::Redirected { .. }), "{error:?}");
    assert_names_target_and_no_secret(&error, &other.origin());
    assert_eq!(other.connection_count(), 0, "nothing reached the redirect's target");
    assert_eq!(site.requests().len(), 1, "a redirect is not retried");
}

#[tokio::test]
async fn writes_redirected_with_307_or_308_are_not_followed_and_their_bodies_go_nowhere() {
    let tls = Tls::new();
    let other = elsewhere(&tls).await;
    let target = other.origin();
    let site = Site::start(Some(&tls), move |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        let status = if request.method == "PUT" { 308 } else { 307 };
        Reply::Now(redirect(status, &format!("{target}{}", request.target)))
    })
    .await;
    let client = site.client();
    let contact = Contact { id: 7, email: "ada@example.com".into(), ..Contact::default() };
    let input = ContactInput::from_contact(&contact);
    let password = SecretString::from("a-new-password-9f2");

    // Writes that may be repeated: refused, naming the target.
    let update = client.update_contact(7, &input).await.unwrap_err();
    assert!(matches!(&update, ApiError::Redirected { .. }), "{update:?}");
    assert_names_target_and_no_secret(&update, &other.origin());
    let delete = client.delete_contact(7).await.unwrap_err();
    assert!(matches!(&delete, ApiError::Redirected { .. }), "{delete:?}");
    let zones = client.set_secure_zones(7, &[]).await.unwrap_err();
    assert!(matches!(&zones, ApiError::Redirected { .. }), "{zones:?}");
    // Writes that must not repeat: the site may have acted before redirecting, so the
    // outcome is unknown (the app then looks before trying again), and the target is named.
    let create = client.create_contact(&input, Some(&password)).await.unwrap_err();
    assert!(matches!(&create, ApiError::OutcomeUnknown { .. }), "{create:?}");
    assert_names_target_and_no_secret(&create, &other.origin());
    let set_password = client.set_password(7, &password).await.unwrap_err();
    assert!(matches!(&set_password, ApiError::OutcomeUnknown { .. }), "{set_password:?}");
    assert!(!set_password.to_string().contains("a-new-password-9f2"), "{set_password}");

    assert_eq!(other.connection_count(), 0, "no body (password included) reached the redirect's target");
    let writes: Vec<String> = site.requests().iter().filter(|r| !r.is_token()).map(|r| r.method.clone()).collect();
    assert_eq!(writes, ["PUT", "DELETE", "PUT", "POST", "PUT"], "each write sent once, none repeated");
}

#[tokio::test]
async fn a_write_redirected_within_the_site_is_not_followed_either() {
    let tls = Tls::new();
    let site = Site::start(Some(&tls), |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        if request.target.contains("moved") {
            return Reply::Now(contact_reply(7));
        }
        Reply::Now(redirect(308, "/api/v2/admin/contacts/7?moved=1"))
    })
    .await;
    let contact = Contact { id: 7, email: "ada@example.com".into(), ..Contact::default() };
    let error = site.client().update_contact(7, &ContactInput::from_contact(&contact)).await.unwrap_err();
    assert!(matches!(&error, ApiError::Redirected { .. }), "{error:?}");
    assert_names_target_and_no_secret(&error, &site.origin());
    assert!(site.requests().iter().all(|r| !r.target.contains("moved")), "the PUT went only where it was sent");
}

#[tokio::test]
async fn a_read_redirected_to_another_origin_or_to_plain_http_is_not_followed() {
    let tls = Tls::new();
    let other = elsewhere(&tls).await;
    // The same host and port over plain http: another origin, and clear text.
    let plain = Site::start(None, |_| Reply::Now(contact_reply(7))).await;
    let (to_other, to_plain) = (other.origin(), plain.origin());
    let site = Site::start(Some(&tls), move |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        let target = if request.target.contains("/7") { &to_other } else { &to_plain };
        Reply::Now(redirect(302, &format!("{target}{}", request.target)))
    })
    .await;
    let client = site.client();

    let error = client.get_contact(7).await.unwrap_err();
    assert!(matches!(&error, ApiError::Redirected { .. }), "{error:?}");
    assert_names_target_and_no_secret(&error, &other.origin());
    let error = client.get_contact(8).await.unwrap_err();
    assert!(matches!(&error, ApiError::Redirected { .. }), "{error:?}");
    assert_names_target_and_no_secret(&error, &plain.origin());

    assert_eq!(other.connection_count(), 0, "the token went nowhere else");
    assert_eq!(plain.connection_count(), 0, "nothing went in clear text");
}

#[tokio::test]
async fn a_read_redirected_within_the_site_is_followed_with_its_token() {
    let tls = Tls::new();
    let site = Site::start(Some(&tls), |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        if request.target.contains("moved=1") {
            let signed = request.header("authorization") == Some(&format!("Bearer {TOKEN}"));
            return Reply::Now(if signed { contact_reply(7) } else { scripted::reply(401, "", "{}") });
        }
        Reply::Now(redirect(301, "/api/v2/admin/contacts/7?moved=1"))
    })
    .await;

    let contact = site.client().get_contact(7).await.unwrap();

    assert_eq!(contact.id, 7);
    let reads: Vec<String> = site.requests().iter().filter(|r| !r.is_token()).map(|r| r.target.clone()).collect();
    assert_eq!(reads, ["/api/v2/admin/contacts/7", "/api/v2/admin/contacts/7?moved=1"]);
}

#[tokio::test]
async fn a_read_redirected_in_a_loop_within_the_site_stops() {
    let tls = Tls::new();
    let site = Site::start(Some(&tls), |request| {
        if request.is_token() {
            return Reply::Now(token_reply());
        }
        let next =
            if request.target.ends_with("/7") { "/api/v2/admin/contacts/7?again" } else { "/api/v2/admin/contacts/7" };
        Reply::Now(redirect(302, next))
    })
    .await;

    let error = site.client().get_contact(7).await.unwrap_err();

    assert!(matches!(&error, ApiError::Redirected { .. }), "{error:?}");
    let reads = site.requests().iter().filter(|r| !r.is_token()).count();
    assert!(reads <= 6, "{reads} requests for one read");
}
