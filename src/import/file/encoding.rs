//! A CSV file's text encoding: sniffed from its byte-order mark or its bytes, and decoded to
//! UTF-8 with std alone (Windows-1252 is Latin-1 but for 32 bytes).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// What Excel on Windows writes a CSV in for Western European languages.
    Windows1252,
}

impl Encoding {
    pub const ALL: [Encoding; 4] = [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be, Encoding::Windows1252];

    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// The byte-order mark this encoding's files may start with.
    fn bom(self) -> &'static [u8] {
        match self {
            Encoding::Utf8 => b"\xEF\xBB\xBF",
            Encoding::Utf16Le => b"\xFF\xFE",
            Encoding::Utf16Be => b"\xFE\xFF",
            Encoding::Windows1252 => b"",
        }
    }
}

/// The encoding of `bytes`: the one its byte-order mark names, else UTF-8 when the bytes are
/// valid UTF-8, else Windows-1252 (every byte is a character there).
pub fn sniff(bytes: &[u8]) -> Encoding {
    // UTF-8's mark first: it cannot be mistaken for UTF-16's.
    let marked = [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be];
    if let Some(encoding) = marked.into_iter().find(|e| bytes.starts_with(e.bom())) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() { Encoding::Utf8 } else { Encoding::Windows1252 }
}

/// `bytes` as text in `encoding`, without its byte-order mark. Bytes the encoding cannot
/// read become U+FFFD: the user chose the encoding and sees the result.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(encoding.bom()).unwrap_or(bytes);
    match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(bytes),
        Encoding::Utf16Le => Cow::Owned(decode_utf16(bytes, u16::from_le_bytes)),
        Encoding::Utf16Be => Cow::Owned(decode_utf16(bytes, u16::from_be_bytes)),
        Encoding::Windows1252 => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let chunks = bytes.chunks_exact(2);
    let odd_byte = !chunks.remainder().is_empty();
    let units = chunks.map(|pair| unit([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
    if odd_byte {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// Windows-1252's characters for 0x80..=0x9F; the five bytes it leaves undefined map to the
/// C1 control of the same number, as WHATWG's decoder does. Every other byte is Latin-1.
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', // 0x80
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', // 0x88
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', // 0x90
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}', // 0x98
];

fn windows_1252(byte: u8) -> char {
    match byte {
        0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_decides_and_is_dropped() {
        let utf8 = b"\xEF\xBB\xBFM\xC3\xBCller";
        assert_eq!(sniff(utf8), Encoding::Utf8);
        assert_eq!(decode(utf8, Encoding::Utf8), "Müller");

        let le = b"\xFF\xFEM\x00\xFC\x00";
        assert_eq!(sniff(le), Encoding::Utf16Le);
        assert_eq!(decode(le, Encoding::Utf16Le), "Mü");

        let be = b"\xFE\xFF\x00M\x00\xFC";
        assert_eq!(sniff(be), Encoding::Utf16Be);
        assert_eq!(decode(be, Encoding::Utf16Be), "Mü");
    }

    #[test]
    fn without_a_mark_utf8_is_preferred_and_windows_1252_is_the_fallback() {
        assert_eq!(sniff("Müller".as_bytes()), Encoding::Utf8);
        assert_eq!(sniff(b"M\xFCller"), Encoding::Windows1252);
        assert_eq!(sniff(b""), Encoding::Utf8);
    }

    #[test]
    fn windows_1252_reads_its_own_characters_between_0x80_and_0x9f() {
        let bytes = b"\x80 \x8A\x9A \x93quoted\x94 \x96 \x99 \xC9\xE9\xFF \x81";
        assert_eq!(decode(bytes, Encoding::Windows1252), "€ Šš “quoted” – ™ Ééÿ \u{81}");
    }

    #[test]
    fn utf16_with_a_surrogate_pair_and_broken_input() {
        // U+1F33F (🌿) is D83C DF3F.
        assert_eq!(decode(b"\xFF\xFE\x3C\xD8\x3F\xDF", Encoding::Utf16Le), "🌿");
        // A lone surrogate and an odd last byte become replacement characters, not a panic.
        assert_eq!(decode(b"\x3C\xD8a\x00b", Encoding::Utf16Le), "\u{FFFD}a\u{FFFD}");
    }

    #[test]
    fn a_mark_of_another_encoding_is_kept_as_text() {
        assert_eq!(decode(b"\xEF\xBB\xBFa", Encoding::Windows1252), "ï»¿a");
    }
}
