//! The contacts' passwords as the sandbox knows them, so that a test can check what was set:
//! a salted SHA-256 per contact, in memory only (never the text, never on disk). The salt is
//! drawn once per sandbox, so a hash means nothing outside the process that made it.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::api::model::ContactId;

pub struct PasswordBook {
    salt: [u8; 16],
    hashes: Mutex<HashMap<ContactId, [u8; 32]>>,
}

impl Default for PasswordBook {
    fn default() -> Self {
        let mut salt = [0u8; 16];
        // Without the OS's random source the salt is still unique enough for a local test site.
        if getrandom::fill(&mut salt).is_err() {
            salt = fastrand::u128(..).to_le_bytes();
        }
        Self { salt, hashes: Mutex::default() }
    }
}

impl PasswordBook {
    pub fn set(&self, contact: ContactId, password: &str) {
        let hash = self.hash(password);
        self.lock().insert(contact, hash);
    }

    /// Whether `password` is the one last set for `contact`.
    pub fn is(&self, contact: ContactId, password: &str) -> bool {
        let hash = self.hash(password);
        self.lock().get(&contact).is_some_and(|stored| *stored == hash)
    }

    pub fn forget(&self, contact: ContactId) {
        self.lock().remove(&contact);
    }

    fn hash(&self, password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ContactId, [u8; 32]>> {
        self.hashes.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_book_knows_the_last_password_set_and_nothing_else() {
        let book = PasswordBook::default();
        assert!(!book.is(1, "correct horse"), "nothing set yet");
        book.set(1, "correct horse");
        assert!(book.is(1, "correct horse"));
        assert!(!book.is(1, "correct horse "), "exactly that text");
        assert!(!book.is(2, "correct horse"), "only for that contact");
        book.set(1, "battery staple");
        assert!(!book.is(1, "correct horse") && book.is(1, "battery staple"));
        book.forget(1);
        assert!(!book.is(1, "battery staple"));
    }

    #[test]
    fn two_sandboxes_hash_the_same_password_differently() {
        let (one, two) = (PasswordBook::default(), PasswordBook::default());
        assert_ne!(one.hash("same"), two.hash("same"));
    }
}
