//! The write calls: create, update and delete a contact, replace its secure zones, set its
//! password. They live on [`Client`], apart from the reads ([`ReadClient`], which it derefs
//! to), so that code given only a `ReadClient` cannot write. In the app only the change
//! journal (`app::journal::Writes`) holds a `Client`: every write is journaled by
//! construction.

use std::ops::Deref;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::{
    ApiRequest, ClientOptions, EmailHolders, ReadClient, contact_path, decode, decode_list, is_empty, is_id, subject,
    to_json,
};
use crate::api::assumed::CONTACTS_PATH;
use crate::api::model::{Contact, ContactId, ContactInput, SecureZone, UpdateBody};
use crate::api::retry::Safety;
use crate::api::site::SiteCredentials;
use crate::api::{ApiError, Dialect};

/// A connection to one site that reads and writes. Cheap to clone; clones share the token
/// and the HTTP pool.
#[derive(Clone, Debug)]
pub struct Client {
    reads: ReadClient,
}

impl Deref for Client {
    type Target = ReadClient;

    fn deref(&self) -> &ReadClient {
        &self.reads
    }
}

impl Client {
    pub fn new(credentials: SiteCredentials) -> Result<Self, ApiError> {
        Self::with_options(credentials, ClientOptions::default())
    }

    pub fn with_options(credentials: SiteCredentials, options: ClientOptions) -> Result<Self, ApiError> {
        Ok(Self { reads: ReadClient::open(credentials, options)? })
    }

    /// This client, speaking `dialect` (learned by the doctor) from now on.
    pub fn with_dialect(&self, dialect: Dialect) -> Self {
        Self { reads: self.reads.with_dialect(dialect) }
    }

    /// Creates a contact. Not retried once it may have reached the site: a failure then is
    /// [`ApiError::OutcomeUnknown`], so that a contact is never created twice. A success
    /// whose body does not hold the new contact (a 201 with no body) is still a success:
    /// the contact is then found by its email.
    pub async fn create_contact(
        &self,
        input: &ContactInput,
        password: Option<&SecretString>,
    ) -> Result<Contact, ApiError> {
        let mut body = to_json(input)?;
        if let Value::Object(fields) = &mut body {
            fields.remove("Id");
            if let Some(password) = password {
                fields.insert("Password".to_owned(), Value::String(password.expose_secret().to_owned()));
            }
        }
        let request = ApiRequest::write(
            Method::POST,
            CONTACTS_PATH.to_owned(),
            Some(body),
            Safety::OnceOnly,
            "creating the contact",
        );
        let reply = self.call(request.about("The contacts API")).await?;
        match decode::<Contact>(&reply) {
            Ok(contact) if contact.id != 0 => Ok(contact),
            _ => self.find_created(&input.email).await,
        }
    }

    /// The contact a create made, when its reply did not say: the one with its email.
    async fn find_created(&self, email: &str) -> Result<Contact, ApiError> {
        let unknown = |detail: String| ApiError::OutcomeUnknown { action: "creating the contact".to_owned(), detail };
        let unsaid = "the site accepted it without saying which contact it made";
        match self.holders_of_email(email).await {
            Ok(EmailHolders::One(contact)) => Ok(*contact),
            Ok(EmailHolders::None) => Err(unknown(format!("{unsaid}, and no contact has its email"))),
            Ok(EmailHolders::Several(count)) => Err(unknown(format!("{unsaid}, and {count} contacts have its email"))),
            Err(error) => Err(unknown(format!("the site accepted it, but looking it up failed: {error}"))),
        }
    }

    /// Replaces the stored fields that `input` carries: a [`ContactInput`], or a loaded
    /// [`Contact`] with the user's changes, which goes back as the site sent it with only the
    /// changed fields re-encoded. A success with an empty body (a 200 or 204, as some sites
    /// answer) is a success: the contact is then read again.
    pub async fn update_contact(&self, id: ContactId, input: &(impl UpdateBody + ?Sized)) -> Result<Contact, ApiError> {
        let mut body = input
            .update_body()
            .map_err(|e| ApiError::Undecodable { message: format!("could not encode the request: {e}") })?;
        if let Value::Object(fields) = &mut body {
            // The Id as the site wrote it stays; one missing or naming another contact is set.
            let same = fields.get("Id").is_some_and(|sent| is_id(sent, id));
            if !same {
                fields.insert("Id".to_owned(), json!(id));
            }
        }
        let request =
            ApiRequest::write(Method::PUT, contact_path(id), Some(body), Safety::Idempotent, "saving the contact");
        let reply = self.call(request.about(subject(id))).await?;
        if is_empty(&reply) {
            return self.get_contact(id).await;
        }
        decode(&reply)
    }

    pub async fn delete_contact(&self, id: ContactId) -> Result<(), ApiError> {
        let request =
            ApiRequest::write(Method::DELETE, contact_path(id), None, Safety::Idempotent, "deleting the contact");
        self.call(request.about(subject(id))).await.map(drop)
    }

    /// [assumed] Replaces the contact's whole list of zone subscriptions with `zones`
    /// (build it from a fresh [`ReadClient::all_secure_zones`]); returns the list as stored.
    pub async fn set_secure_zones(&self, id: ContactId, zones: &[SecureZone]) -> Result<Vec<SecureZone>, ApiError> {
        let body = to_json(&zones)?;
        let path = format!("{}/secure-zones", contact_path(id));
        let request = ApiRequest::write(Method::PUT, path, Some(body), Safety::Idempotent, "saving the secure zones");
        let reply = self.call(request.about(subject(id))).await?;
        if is_empty(&reply) {
            return self.all_secure_zones(id).await;
        }
        decode_list(&reply).map(|page| page.items)
    }

    /// Sets the contact's password. Not retried once it may have reached the site.
    /// Returns the contact's secure zones (as the vendor documents; read again when the
    /// success came with an empty body).
    pub async fn set_password(&self, id: ContactId, password: &SecretString) -> Result<Vec<SecureZone>, ApiError> {
        let body = json!({ "Password": password.expose_secret() });
        let path = format!("{}/set-password", contact_path(id));
        let request = ApiRequest::write(Method::PUT, path, Some(body), Safety::OnceOnly, "setting the password");
        let reply = self.call(request.about(subject(id))).await?;
        if is_empty(&reply) {
            return self.all_secure_zones(id).await;
        }
        decode_list(&reply).map(|page| page.items)
    }
}
