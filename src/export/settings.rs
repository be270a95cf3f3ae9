//! What an export writes: the format, the columns, and the format's options.

use serde::{Deserialize, Serialize};

use crate::api::Timestamp;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    #[default]
    Csv,
    Xlsx,
    Json,
    Vcard,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Csv, Format::Xlsx, Format::Json, Format::Vcard];

    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "Excel workbook (XLSX)",
            Format::Json => "JSON",
            Format::Vcard => "vCard 4.0",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
            Format::Vcard => "vcf",
        }
    }

    /// Whether the format has columns to choose (a vCard has its own set of properties).
    pub fn has_columns(self) -> bool {
        self != Format::Vcard
    }

    /// `csv`, `xlsx`, `json`, `vcf` (or `vcard`), as the command line takes them.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "json" => Ok(Format::Json),
            "vcf" | "vcard" => Ok(Format::Vcard),
            other => Err(format!("`{other}` is not a format; use csv, xlsx, json or vcf")),
        }
    }
}

/// The field separator of a CSV file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delimiter {
    #[default]
    Comma,
    /// What Excel expects where the decimal separator is a comma.
    Semicolon,
    Tab,
}

impl Delimiter {
    pub const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delimiter::Comma => "Comma",
            Delimiter::Semicolon => "Semicolon",
            Delimiter::Tab => "Tab",
        }
    }
}

/// How dates are written in CSV and XLSX cells (JSON and vCard always use ISO 8601).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFormat {
    /// `2024-05-17T18:18:39.175Z`: exact, and sorts as text.
    #[default]
    Iso8601,
    /// `2024-05-17 20:18` in this computer's time zone.
    LocalDateTime,
    /// `2024-05-17` in this computer's time zone.
    LocalDate,
}

impl DateFormat {
    pub const ALL: [DateFormat; 3] = [DateFormat::Iso8601, DateFormat::LocalDateTime, DateFormat::LocalDate];

    pub fn label(self) -> &'static str {
        match self {
            DateFormat::Iso8601 => "ISO 8601, UTC (2024-05-17T18:18:39Z)",
            DateFormat::LocalDateTime => "Local date and time (2024-05-17 20:18)",
            DateFormat::LocalDate => "Local date (2024-05-17)",
        }
    }

    pub fn write(self, instant: &Timestamp) -> String {
        use chrono::{Datelike as _, Timelike as _};
        match self {
            DateFormat::Iso8601 => instant.to_string(),
            DateFormat::LocalDateTime | DateFormat::LocalDate => {
                let local = instant.0.with_timezone(&chrono::Local);
                let date = format!("{:04}-{:02}-{:02}", local.year(), local.month(), local.day());
                match self {
                    DateFormat::LocalDateTime => format!("{date} {:02}:{:02}", local.hour(), local.minute()),
                    _ => date,
                }
            }
        }
    }
}

/// Everything about an export but where its contacts come from and where the file goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportSettings {
    pub format: Format,
    /// Field names (`LastName`, `CustomCrmGroups.<group>.<field>`), in order. vCard ignores them.
    pub columns: Vec<String>,
    pub delimiter: Delimiter,
    /// A byte-order mark first, so that Excel reads the CSV as UTF-8.
    pub utf8_bom: bool,
    /// A leading `'` on CSV text cells that a spreadsheet would run as a formula.
    pub formula_guard: bool,
    pub dates: DateFormat,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            format: Format::Csv,
            columns: Vec::new(),
            delimiter: Delimiter::Comma,
            utf8_bom: false,
            formula_guard: true,
            dates: DateFormat::Iso8601,
        }
    }
}
