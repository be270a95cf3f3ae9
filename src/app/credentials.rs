//! Where client secrets live: the OS keyring (through keyring-core), or, when there is
//! none, memory for this session only. Never a file.
//!
//! Keyring calls can block (a D-Bus round trip, an unlock prompt), so the app makes them
//! off the UI thread, with a timeout: see [`call_with_timeout`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};
use secrecy::{ExposeSecret, SecretString};

/// The keyring "service" under which every profile's secret is filed.
pub const KEYRING_SERVICE: &str = "treepl-contacts";

/// How long a keyring call may take before the app gives up on it.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretStoreError {
    /// There is no usable keyring (no Secret Service running, or it is locked).
    #[error("No keyring is available on this computer ({0}).")]
    Unavailable(String),
    #[error("The keyring did not answer within {} seconds.", KEYRING_TIMEOUT.as_secs())]
    TimedOut,
    #[error("The keyring failed: {0}")]
    Failed(String),
}

impl SecretStoreError {
    /// Whether the user should be offered to keep the secret for this session instead.
    pub fn offers_session_fallback(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::TimedOut)
    }
}

/// A place for secrets, one per site profile (keyed by the profile's id).
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError>;
    fn set(&self, key: &str, secret: &SecretString) -> Result<(), SecretStoreError>;
    /// Removing what is not there is not an error.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
    /// For the user: where secrets go ("the system keyring", "memory, for this session").
    fn describe(&self) -> &'static str;
}

/// A keyring-core credential store: the system's in the app, the in-memory mock in tests.
pub struct KeyringStore {
    store: Arc<CredentialStore>,
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore").field("vendor", &self.store.vendor()).finish()
    }
}

impl KeyringStore {
    pub fn new(store: Arc<CredentialStore>) -> Self {
        Self { store }
    }

    /// The platform's keyring (the Secret Service on Linux). Failing here means there is
    /// none to talk to; a keyring that exists but is locked fails on first use instead.
    pub fn system() -> Result<Self, SecretStoreError> {
        #[cfg(target_os = "linux")]
        {
            let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| unavailable(&e))?;
            Ok(Self::new(store))
        }
        #[cfg(not(target_os = "linux"))]
        {
            Err(SecretStoreError::Unavailable("no keyring support is built for this platform".to_owned()))
        }
    }

    /// An in-memory keyring-core store, for tests.
    pub fn mock() -> Self {
        // Creating the mock store only builds an empty map.
        let store = keyring_core::mock::Store::new().map_err(|e| unavailable(&e));
        match store {
            Ok(store) => Self::new(store),
            Err(error) => unreachable!("the mock keyring store cannot fail to build: {error}"),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, SecretStoreError> {
        Entry::new_in_store(&self.store, KEYRING_SERVICE, key).map_err(|e| failure(&e))
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(error) => Err(failure(&error)),
        }
    }

    fn set(&self, key: &str, secret: &SecretString) -> Result<(), SecretStoreError> {
        self.entry(key)?.set_password(secret.expose_secret()).map_err(|e| failure(&e))
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(error) => Err(failure(&error)),
        }
    }

    fn describe(&self) -> &'static str {
        "the system keyring"
    }
}

/// The system keyring, reached on first use (on the blocking pool, never at start-up).
/// When there is none, every call says so, and the user is offered the session store.
#[derive(Default)]
pub struct SystemKeyring {
    store: std::sync::OnceLock<Result<KeyringStore, SecretStoreError>>,
}

impl SystemKeyring {
    fn store(&self) -> Result<&KeyringStore, SecretStoreError> {
        self.store.get_or_init(KeyringStore::system).as_ref().map_err(Clone::clone)
    }
}

impl SecretStore for SystemKeyring {
    fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        self.store()?.get(key)
    }

    fn set(&self, key: &str, secret: &SecretString) -> Result<(), SecretStoreError> {
        self.store()?.set(key, secret)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.store()?.delete(key)
    }

    fn describe(&self) -> &'static str {
        "the system keyring"
    }
}

/// Secrets kept in memory only, gone when the app quits: the choice offered when there
/// is no keyring, instead of ever writing a secret to a file.
#[derive(Default)]
pub struct SessionStore {
    secrets: Mutex<HashMap<String, SecretString>>,
}

impl SecretStore for SessionStore {
    fn get(&self, key: &str) -> Result<Option<SecretString>, SecretStoreError> {
        Ok(self.secrets.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }

    fn set(&self, key: &str, secret: &SecretString) -> Result<(), SecretStoreError> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), secret.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        self.secrets.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
        Ok(())
    }

    fn describe(&self) -> &'static str {
        "memory, for this session only"
    }
}

/// Runs a blocking secret-store call on the blocking pool, giving up after
/// [`KEYRING_TIMEOUT`] (the call itself cannot be stopped; its result is then ignored).
pub async fn call_with_timeout<T: Send + 'static>(
    store: Arc<dyn SecretStore>,
    call: impl FnOnce(&dyn SecretStore) -> Result<T, SecretStoreError> + Send + 'static,
) -> Result<T, SecretStoreError> {
    let work = tokio::task::spawn_blocking(move || call(store.as_ref()));
    match tokio::time::timeout(KEYRING_TIMEOUT, work).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(SecretStoreError::Failed(format!("the keyring call stopped ({join})"))),
        Err(_) => Err(SecretStoreError::TimedOut),
    }
}

/// keyring-core errors carry platform messages, never the secret itself.
fn failure(error: &keyring_core::Error) -> SecretStoreError {
    match error {
        keyring_core::Error::NoStorageAccess(_) | keyring_core::Error::PlatformFailure(_) => unavailable(error),
        other => SecretStoreError::Failed(other.to_string()),
    }
}

fn unavailable(error: &keyring_core::Error) -> SecretStoreError {
    SecretStoreError::Unavailable(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_in_the_mock_keyring_and_in_session_memory() {
        let stores: [Box<dyn SecretStore>; 2] = [Box::new(KeyringStore::mock()), Box::new(SessionStore::default())];
        for store in stores {
            assert_eq!(store.get("p1").unwrap().map(|s| s.expose_secret().to_owned()), None);
            store.set("p1", &SecretString::from("s3cret")).unwrap();
            assert_eq!(store.get("p1").unwrap().unwrap().expose_secret(), "s3cret");
            store.delete("p1").unwrap();
            store.delete("p1").unwrap();
            assert!(store.get("p1").unwrap().is_none(), "{}", store.describe());
        }
    }

    #[test]
    fn no_keyring_offers_the_session_fallback() {
        assert!(SecretStoreError::Unavailable("no bus".into()).offers_session_fallback());
        assert!(SecretStoreError::TimedOut.offers_session_fallback());
        assert!(!SecretStoreError::Failed("odd".into()).offers_session_fallback());
    }
}
