//! The real Secret Service store (gnome-keyring on a private D-Bus session bus).
//! Ignored by `cargo test` so that it never writes into a developer's own keyring;
//! `.ci/run` starts a private bus with an unlocked keyring and runs it with `--include-ignored`.

use secrecy::{ExposeSecret, SecretString};
use treepl_contacts::app::credentials::{KeyringStore, SecretStore, SystemKeyring};

#[test]
#[ignore = "needs a Secret Service: .ci/run provides one on a private session bus"]
fn secrets_round_trip_through_the_real_secret_service() {
    let store = KeyringStore::system().expect("a Secret Service on the session bus");
    let key = format!("test-profile-{:016x}", fastrand::u64(..));
    store.set(&key, &SecretString::from("real-secret-value")).unwrap();
    // A second connection reads it back: it is in the service, not in this process.
    let other = SystemKeyring::default();
    assert_eq!(other.get(&key).unwrap().unwrap().expose_secret(), "real-secret-value");
    store.set(&key, &SecretString::from("refreshed-secret")).unwrap();
    assert_eq!(other.get(&key).unwrap().unwrap().expose_secret(), "refreshed-secret", "replaced, not duplicated");
    other.delete(&key).unwrap();
    assert!(store.get(&key).unwrap().is_none(), "removed with the profile");
}
