//! CSV (RFC 4180 quoting, by the `csv` crate), with an optional UTF-8 BOM for Excel and a
//! guard against spreadsheet formula injection.

use std::borrow::Cow;
use std::io::{self, Write};

use crate::api::Contact;
use crate::api::fields::{FieldValue, field_title, field_value};

use super::{ContactWriter, DateFormat, ExportSettings};

const UTF8_BOM: &[u8] = "\u{feff}".as_bytes();

pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    columns: Vec<String>,
    dates: DateFormat,
    formula_guard: bool,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(mut out: W, settings: &ExportSettings) -> io::Result<Self> {
        if settings.utf8_bom {
            out.write_all(UTF8_BOM)?;
        }
        let mut out = csv::WriterBuilder::new().delimiter(settings.delimiter.byte()).from_writer(out);
        // Custom fields are titled by the site (their group and alias): a title can be a
        // formula as much as a cell can.
        let title = |field: &String| {
            let title = field_title(field);
            if settings.formula_guard { neutralise_formula(title).into_owned() } else { title.into_owned() }
        };
        out.write_record(settings.columns.iter().map(title))?;
        Ok(Self {
            out,
            columns: settings.columns.clone(),
            dates: settings.dates,
            formula_guard: settings.formula_guard,
        })
    }
}

impl<W: Write> ContactWriter for CsvWriter<W> {
    fn write(&mut self, contact: &Contact) -> io::Result<()> {
        for field in &self.columns {
            let value = field_value(contact, field);
            let text = value.to_text(|instant| self.dates.write(instant));
            // Only text can be a formula: numbers, flags and dates are written by us.
            let is_text = matches!(value, FieldValue::Text(_) | FieldValue::Json(serde_json::Value::String(_)));
            let cell = if self.formula_guard && is_text { neutralise_formula(text) } else { text };
            self.out.write_field(cell.as_bytes())?;
        }
        self.out.write_record(None::<&[u8]>)?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

/// `'=SUM(A1)` for `=SUM(A1)`: a cell a spreadsheet would evaluate (it starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) gets a leading apostrophe, which shows it as text.
pub fn neutralise_formula(text: Cow<'_, str>) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_a_site_made_into_a_formula_is_guarded_too() {
        let settings = ExportSettings {
            columns: vec!["CustomCrmGroups.=HYPERLINK(1).Level".to_owned(), "Email".to_owned()],
            ..ExportSettings::default()
        };
        let mut out = Vec::new();
        drop(CsvWriter::new(&mut out, &settings).unwrap());
        let header = String::from_utf8(out).unwrap();
        assert!(header.starts_with("'=HYPERLINK(1): Level,"), "{header}");
    }

    #[test]
    fn formula_like_text_gets_an_apostrophe() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(Cow::Borrowed(risky)), format!("'{risky}"));
        }
        for plain in ["", "Anna", "1-2", "a=b", " =x"] {
            assert_eq!(neutralise_formula(Cow::Borrowed(plain)), plain);
        }
    }
}
