//! XLSX (Office Open XML), streamed: the sheet's XML is compressed into the zip as rows
//! arrive, so a million rows never sit in memory. Text goes in inline-string cells, which
//! a spreadsheet shows as written and never evaluates; numbers and flags keep their type.

use std::fmt::Write as _;
use std::io::{self, Seek, Write};

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::api::Contact;
use crate::api::fields::{FieldValue, field_title, field_value};

use super::{ContactWriter, DateFormat, ExportSettings};

/// Rows in a worksheet, the header included (Excel's limit).
const MAX_ROWS: u32 = 1_048_576;
/// Characters in a cell (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;

pub struct XlsxWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    columns: Vec<String>,
    letters: Vec<String>,
    dates: DateFormat,
    /// The last row written, 1-based (1 is the header).
    row: u32,
    xml: String,
}

impl<W: Write + Seek> XlsxWriter<W> {
    pub fn new(out: W, settings: &ExportSettings) -> io::Result<Self> {
        let mut zip = ZipWriter::new(out);
        // Level 1: the sheet is repetitive XML, and fast compression keeps most of the gain.
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        for (name, content) in STATIC_PARTS {
            zip.start_file(*name, options).map_err(io::Error::other)?;
            zip.write_all(content.as_bytes())?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", options).map_err(io::Error::other)?;
        let letters: Vec<String> = (0..settings.columns.len()).map(column_letters).collect();
        let mut writer =
            Self { zip, columns: settings.columns.clone(), letters, dates: settings.dates, row: 1, xml: String::new() };
        writer.write_sheet_start()?;
        Ok(writer)
    }

    fn write_sheet_start(&mut self) -> io::Result<()> {
        let xml = &mut self.xml;
        xml.push_str(concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            "\n",
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
            r#"<sheetViews><sheetView workbookViewId="0">"#,
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
            r#"</sheetView></sheetViews>"#,
        ));
        if !self.columns.is_empty() {
            let _ =
                write!(xml, r#"<cols><col min="1" max="{}" width="20" customWidth="1"/></cols>"#, self.columns.len());
        }
        xml.push_str(r#"<sheetData><row r="1">"#);
        for (field, letter) in self.columns.iter().zip(&self.letters) {
            let _ = write!(xml, r#"<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">"#);
            escape_into(xml, &field_title(field));
            xml.push_str("</t></is></c>");
        }
        xml.push_str("</row>");
        self.zip.write_all(self.xml.as_bytes())?;
        self.xml.clear();
        Ok(())
    }
}

impl<W: Write + Seek> ContactWriter for XlsxWriter<W> {
    fn write(&mut self, contact: &Contact) -> io::Result<()> {
        if self.row >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "an Excel sheet holds at most {} contacts; export fewer, or use CSV or JSON",
                MAX_ROWS - 1
            )));
        }
        self.row += 1;
        let row = self.row;
        let dates = self.dates;
        let xml = &mut self.xml;
        xml.clear();
        let _ = write!(xml, r#"<row r="{row}">"#);
        for (field, letter) in self.columns.iter().zip(&self.letters) {
            match field_value(contact, field) {
                FieldValue::Empty | FieldValue::Json(serde_json::Value::Null) => {}
                FieldValue::Int(number) => {
                    let _ = write!(xml, r#"<c r="{letter}{row}"><v>{number}</v></c>"#);
                }
                FieldValue::Json(serde_json::Value::Number(number)) => {
                    let _ = write!(xml, r#"<c r="{letter}{row}"><v>{number}</v></c>"#);
                }
                FieldValue::Bool(flag) | FieldValue::Json(&serde_json::Value::Bool(flag)) => {
                    let _ = write!(xml, r#"<c r="{letter}{row}" t="b"><v>{}</v></c>"#, u8::from(flag));
                }
                other => {
                    let text = other.to_text(|instant| dates.write(instant));
                    if text.chars().count() > MAX_CELL_CHARS {
                        return Err(io::Error::other(format!(
                            "contact {} has more than {MAX_CELL_CHARS} characters in \"{}\", more than an Excel \
                             cell holds; use CSV or JSON",
                            contact.id,
                            field_title(field)
                        )));
                    }
                    let _ = write!(xml, r#"<c r="{letter}{row}" t="inlineStr"><is><t xml:space="preserve">"#);
                    escape_into(xml, &text);
                    xml.push_str("</t></is></c>");
                }
            }
        }
        xml.push_str("</row>");
        self.zip.write_all(self.xml.as_bytes())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.zip.write_all(b"</sheetData></worksheet>")?;
        let mut out = self.zip.finish().map_err(io::Error::other)?;
        out.flush()
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for the 0-based column `index`.
fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// Escapes text for an XML element. Characters XML 1.0 cannot hold (control characters, CR)
/// are written as `_xHHHH_`, as Excel does, and an underscore that would read as such an
/// escape is itself escaped.
fn escape_into(xml: &mut String, text: &str) {
    for (at, c) in text.char_indices() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            '\t' | '\n' => xml.push(c),
            // A raw CR would be turned into LF by any XML reader, so it is escaped too.
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(xml, "_x{:04X}_", c as u32);
            }
            '_' if looks_like_escape(&text[at..]) => xml.push_str("_x005F_"),
            _ => xml.push(c),
        }
    }
}

/// Whether `text` starts with `_xHHHH_`.
fn looks_like_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7 && bytes[1] == b'x' && bytes[2..6].iter().all(u8::is_ascii_hexdigit) && bytes[6] == b'_'
}

/// The workbook's fixed parts: content types, relationships, one sheet, a bold header style.
const STATIC_PARTS: &[(&str, &str)] = &[
    (
        "[Content_Types].xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#,
            r#"<Override PartName="/xl/workbook.xml" "#,
            r#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
            r#"<Override PartName="/xl/worksheets/sheet1.xml" "#,
            r#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
            r#"<Override PartName="/xl/styles.xml" "#,
            r#"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
            r#"</Types>"#,
        ),
    ),
    (
        "_rels/.rels",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rId1" "#,
            r#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" "#,
            r#"Target="xl/workbook.xml"/>"#,
            r#"</Relationships>"#,
        ),
    ),
    (
        "xl/workbook.xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
            r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets>"#,
            r#"</workbook>"#,
        ),
    ),
    (
        "xl/_rels/workbook.xml.rels",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<Relationship Id="rId1" "#,
            r#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" "#,
            r#"Target="worksheets/sheet1.xml"/>"#,
            r#"<Relationship Id="rId2" "#,
            r#"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" "#,
            r#"Target="styles.xml"/>"#,
            r#"</Relationships>"#,
        ),
    ),
    (
        "xl/styles.xml",
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
            r#"<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>"#,
            r#"<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>"#,
            r#"<fills count="2"><fill><patternFill patternType="none"/></fill>"#,
            r#"<fill><patternFill patternType="gray125"/></fill></fills>"#,
            r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
            r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
            r#"<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
            r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>"#,
            r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
            r#"</styleSheet>"#,
        ),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_past_z() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        let mut xml = String::new();
        escape_into(&mut xml, "a<b>&c\u{1}d_x0041_e_x_\r\n");
        assert_eq!(xml, "a&lt;b&gt;&amp;c_x0001_d_x005F_x0041_e_x__x000D_\n");
    }
}
