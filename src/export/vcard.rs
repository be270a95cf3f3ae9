//! vCard 4.0 (RFC 6350): one card per contact with its name, email, phone, postal and
//! billing addresses and notes. Lines end in CRLF and fold at 75 octets.

use std::io::{self, Write};

use crate::api::Contact;
use crate::api::model::PostalAddress;

use super::ContactWriter;

/// The longest a line may be, in octets, before it folds (RFC 6350 3.2).
const MAX_LINE_OCTETS: usize = 75;

pub struct VcardWriter<W: Write> {
    out: W,
    line: String,
}

impl<W: Write> VcardWriter<W> {
    pub fn new(out: W) -> Self {
        Self { out, line: String::new() }
    }

    /// Writes `NAME[;PARAMS]:VALUE` with the value already escaped, folded.
    fn property(&mut self, name_and_params: &str, value: &str) -> io::Result<()> {
        self.line.clear();
        self.line.push_str(name_and_params);
        self.line.push(':');
        self.line.push_str(value);
        write_folded(&mut self.out, &self.line)
    }
}

impl<W: Write> ContactWriter for VcardWriter<W> {
    fn write(&mut self, contact: &Contact) -> io::Result<()> {
        let first = contact.first_name.as_deref().unwrap_or_default();
        let last = contact.last_name.as_deref().unwrap_or_default();
        let full_name = match (first.trim(), last.trim()) {
            ("", "") => contact.email.clone(),
            (first, "") => first.to_owned(),
            ("", last) => last.to_owned(),
            (first, last) => format!("{first} {last}"),
        };
        self.property("BEGIN", "VCARD")?;
        self.property("VERSION", "4.0")?;
        self.property("UID", &format!("urn:treepl:contact:{}", contact.id))?;
        self.property("FN", &escape(&full_name))?;
        self.property("N", &format!("{};{};;;", escape(last), escape(first)))?;
        if !contact.email.is_empty() {
            self.property("EMAIL", &escape(&contact.email))?;
        }
        if let Some(phone) = contact.phone.as_deref().filter(|p| !p.is_empty()) {
            self.property("TEL;VALUE=text", &escape(phone))?;
        }
        let postal = &contact.address;
        if let Some(adr) = address_value(postal) {
            self.property("ADR;TYPE=home", &adr)?;
        }
        let billing = PostalAddress {
            address: contact.billing.address.clone(),
            city: contact.billing.city.clone(),
            state: contact.billing.state.clone(),
            zip_code: contact.billing.zip_code.clone(),
            country: contact.billing.country.clone(),
        };
        if let Some(adr) = address_value(&billing) {
            self.property("ADR;TYPE=x-billing", &adr)?;
        }
        if let Some(notes) = contact.notes.as_deref().filter(|n| !n.is_empty()) {
            self.property("NOTE", &escape(notes))?;
        }
        if let Some(created) = contact.created_date {
            self.property("X-TREEPL-CREATED", &created.to_string())?;
        }
        self.property("END", "VCARD")
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

/// `;;street;city;region;code;country`, or `None` when the address is empty.
fn address_value(address: &PostalAddress) -> Option<String> {
    let parts = [&address.address, &address.city, &address.state, &address.zip_code, &address.country];
    if parts.iter().all(|part| part.as_deref().is_none_or(str::is_empty)) {
        return None;
    }
    let escaped: Vec<String> = parts.iter().map(|part| escape(part.as_deref().unwrap_or_default())).collect();
    Some(format!(";;{}", escaped.join(";")))
}

/// Escapes a text value: `\` `,` `;` and line breaks (RFC 6350 3.4).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// Writes `line` + CRLF, folding it into continuation lines (CRLF then a space) so that no
/// line has more than 75 octets, never inside a UTF-8 sequence.
fn write_folded(out: &mut impl Write, line: &str) -> io::Result<()> {
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= limit {
            out.write_all(rest.as_bytes())?;
            return out.write_all(b"\r\n");
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.write_all(&rest.as_bytes()[..cut])?;
        out.write_all(b"\r\n ")?;
        rest = &rest[cut..];
        // A continuation line starts with the space, which counts.
        limit = MAX_LINE_OCTETS - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(escape("a,b;c\\d\r\ne\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    }

    #[test]
    fn long_lines_fold_at_75_octets_on_character_boundaries() {
        let line = format!("NOTE:{}", "Nguyễn ".repeat(30));
        let mut out = Vec::new();
        write_folded(&mut out, &line).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.len() <= MAX_LINE_OCTETS), "{lines:?}");
        let unfolded: String = lines.iter().enumerate().map(|(i, l)| if i == 0 { *l } else { &l[1..] }).collect();
        assert_eq!(unfolded, line);
    }
}
