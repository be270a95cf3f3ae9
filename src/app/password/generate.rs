//! Generated passwords: drawn from the operating system's secure random source, in an
//! alphabet without look-alikes (no 0/O, 1/l/I), so they can be read out or typed by hand.

use secrecy::SecretString;
use zeroize::Zeroize as _;

/// Letters and digits that cannot be mistaken for one another: 56 of them.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// 20 characters of 56: about 116 bits.
pub const GENERATED_CHARS: usize = 20;

#[derive(Debug, thiserror::Error)]
#[error("The system's secure random source failed ({0}). Type a password instead.")]
pub struct RandomUnavailable(String);

pub fn generate() -> Result<SecretString, RandomUnavailable> {
    let mut text = String::with_capacity(GENERATED_CHARS);
    let mut bytes = [0u8; 64];
    // Bytes at or past the largest multiple of the alphabet's size are dropped, so that
    // every character is equally likely (no modulo bias).
    let fair = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    while text.len() < GENERATED_CHARS {
        if let Err(error) = getrandom::fill(&mut bytes) {
            text.zeroize();
            return Err(RandomUnavailable(error.to_string()));
        }
        for byte in bytes.iter().filter(|b| **b < fair).take(GENERATED_CHARS - text.len()) {
            text.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
        }
    }
    bytes.zeroize();
    Ok(SecretString::from(text))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::super::strength::{Length, Strength};
    use super::*;

    #[test]
    fn generated_passwords_fit_the_rule_are_strong_and_differ() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..50 {
            let password = generate().unwrap();
            let text = password.expose_secret();
            assert_eq!(text.chars().count(), GENERATED_CHARS);
            assert!(text.bytes().all(|b| ALPHABET.contains(&b)), "only the clear alphabet");
            assert!(Length::of(&password).fits());
            let strength = Strength::estimate(&password, &[]).unwrap();
            assert_eq!(strength.score, 4, "zxcvbn calls it very strong");
            seen.insert(text.to_owned());
        }
        assert_eq!(seen.len(), 50, "no two alike");
    }

    #[test]
    fn every_character_of_the_alphabet_comes_up() {
        let drawn: std::collections::BTreeSet<u8> =
            (0..200).flat_map(|_| generate().unwrap().expose_secret().bytes().collect::<Vec<_>>()).collect();
        assert_eq!(drawn.len(), ALPHABET.len());
    }
}
