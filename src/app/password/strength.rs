//! How a new password fares: the contract's length rule, the confirmation, and zxcvbn's
//! estimate of how hard it is to guess (a score, never a home-made one).

use secrecy::{ExposeSecret as _, SecretString};

use crate::api::assumed::PASSWORD_CHARS;

/// The length rule, for the characters typed so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    Empty,
    TooShort(usize),
    Fits(usize),
    TooLong(usize),
}

impl Length {
    /// Counted in characters (Unicode scalar values), as the site counts them.
    pub fn of(password: &SecretString) -> Self {
        let count = password.expose_secret().chars().count();
        match count {
            0 => Length::Empty,
            n if n < *PASSWORD_CHARS.start() => Length::TooShort(n),
            n if n > *PASSWORD_CHARS.end() => Length::TooLong(n),
            n => Length::Fits(n),
        }
    }

    pub fn fits(self) -> bool {
        matches!(self, Length::Fits(_))
    }

    /// The rule, and how the password stands against it.
    pub fn describe(self) -> String {
        let (low, high) = (PASSWORD_CHARS.start(), PASSWORD_CHARS.end());
        match self {
            Length::Empty => format!("{low} to {high} characters."),
            Length::TooShort(n) => format!("Too short: {n} of at least {low} characters."),
            Length::Fits(n) => format!("{n} characters ({low} to {high} allowed)."),
            Length::TooLong(n) => format!("Too long: {n} of at most {high} characters."),
        }
    }
}

/// zxcvbn's estimate, without the pieces of the password it matched (they are not kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Strength {
    /// 0 (guessed at once) to 4 (beyond 10^10 guesses).
    pub score: u8,
    /// What weakens it and what would help, when zxcvbn has advice.
    pub advice: Option<String>,
}

impl Strength {
    /// `hints`: what an attacker would try first (the contact's name and email).
    pub fn estimate(password: &SecretString, hints: &[&str]) -> Option<Self> {
        let text = password.expose_secret();
        if text.is_empty() {
            return None;
        }
        let entropy = zxcvbn::zxcvbn(text, hints);
        let advice = entropy.feedback().map(|feedback| {
            let warning = feedback.warning().map(|w| w.to_string());
            let suggestions = feedback.suggestions().iter().map(|s| s.to_string());
            warning.into_iter().chain(suggestions).collect::<Vec<_>>().join(" ")
        });
        Some(Self { score: u8::from(entropy.score()), advice: advice.filter(|a| !a.is_empty()) })
    }

    pub fn words(&self) -> &'static str {
        match self.score {
            0 => "Very weak",
            1 => "Weak",
            2 => "Fair",
            3 => "Strong",
            _ => "Very strong",
        }
    }

    /// zxcvbn calls anything below 3 too weak.
    pub fn is_strong(&self) -> bool {
        self.score >= 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(text: &str) -> Length {
        Length::of(&SecretString::from(text))
    }

    #[test]
    fn the_length_rule_counts_characters_from_6_to_128() {
        assert_eq!(length(""), Length::Empty);
        assert_eq!(length("abcde"), Length::TooShort(5));
        assert_eq!(length("abcdef"), Length::Fits(6));
        assert_eq!(length(&"x".repeat(128)), Length::Fits(128));
        assert_eq!(length(&"x".repeat(129)), Length::TooLong(129));
        // Five characters in ten bytes are still five.
        assert_eq!(length("ééééé"), Length::TooShort(5));
        assert_eq!(length("abc").describe(), "Too short: 3 of at least 6 characters.");
    }

    #[test]
    fn common_passwords_are_weak_and_the_contacts_name_counts_against_it() {
        let weak = Strength::estimate(&SecretString::from("password1"), &[]).unwrap();
        assert!(weak.score <= 1 && weak.advice.is_some(), "{weak:?}");
        let strong = Strength::estimate(&SecretString::from("vX9#qLm2!tRw7zPb"), &[]).unwrap();
        assert!(strong.is_strong(), "{strong:?}");
        let named = Strength::estimate(&SecretString::from("brathenaase"), &["Brathen", "Aase"]).unwrap();
        let unnamed = Strength::estimate(&SecretString::from("brathenaase"), &[]).unwrap();
        assert!(named.score <= unnamed.score);
        assert_eq!(Strength::estimate(&SecretString::from(""), &[]), None);
    }
}
