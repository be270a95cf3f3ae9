//! A secret that the user types (a Client Secret, later a password): a `SecretString` that an
//! egui `TextEdit` can edit. Each edit builds the new text in a buffer of its exact size and
//! drops the old one, which `secrecy` wipes; `Debug` never shows it.

use std::fmt;
use std::ops::Range;

use egui::text::CharIndex;
use secrecy::{ExposeSecret as _, SecretString};

#[derive(Clone, Default)]
pub struct SecretText(SecretString);

impl SecretText {
    pub fn secret(&self) -> &SecretString {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.expose_secret().is_empty()
    }

    /// The text with `insert` put in place of bytes `remove` (exactly sized, so that turning
    /// it into a `SecretString` does not reallocate and leave a copy behind).
    fn rebuilt(&self, remove: Range<usize>, insert: &str) -> SecretString {
        let old = self.0.expose_secret();
        let mut text = String::with_capacity(old.len() - remove.len() + insert.len());
        text.push_str(&old[..remove.start]);
        text.push_str(insert);
        text.push_str(&old[remove.end..]);
        SecretString::from(text)
    }

    fn byte_at(&self, index: CharIndex) -> usize {
        let text = self.0.expose_secret();
        text.char_indices().nth(index.0).map_or(text.len(), |(at, _)| at)
    }
}

impl From<&str> for SecretText {
    fn from(text: &str) -> Self {
        Self(SecretString::from(text))
    }
}

impl PartialEq for SecretText {
    fn eq(&self, other: &Self) -> bool {
        self.0.expose_secret() == other.0.expose_secret()
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretText([REDACTED])")
    }
}

impl egui::TextBuffer for SecretText {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        self.0.expose_secret()
    }

    fn insert_text(&mut self, text: &str, char_index: CharIndex) -> usize {
        let at = self.byte_at(char_index);
        self.0 = self.rebuilt(at..at, text);
        text.chars().count()
    }

    fn delete_char_range(&mut self, char_range: Range<CharIndex>) {
        let (start, end) = (self.byte_at(char_range.start), self.byte_at(char_range.end));
        self.0 = self.rebuilt(start..end.max(start), "");
    }

    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::TextBuffer as _;

    #[test]
    fn edits_apply_by_character_and_debug_hides_the_text() {
        let mut secret = SecretText::default();
        assert_eq!(secret.insert_text("hé!", CharIndex(0)), 3);
        secret.insert_text("llo", CharIndex(2));
        assert_eq!(secret.as_str(), "héllo!");
        secret.delete_char_range(CharIndex(1)..CharIndex(2));
        assert_eq!(secret.as_str(), "hllo!");
        secret.insert_text("?", CharIndex(99));
        assert_eq!(secret.as_str(), "hllo!?");
        assert!(!format!("{secret:?}").contains("hllo"));
    }
}
