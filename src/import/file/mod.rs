//! STUB until the helper's branch (`file`) is merged: the API only.
use std::path::Path;

use tokio_util::sync::CancellationToken;

pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    pub source: Source,
}

pub struct TableRow {
    pub line: u64,
    pub cells: Vec<String>,
}

pub enum Source {
    Csv { encoding: Encoding, delimiter: u8 },
    Xlsx { sheet: String, sheets: Vec<String> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
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
}

#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Cancelled.")]
    Cancelled,
    #[error("stub")]
    Stub,
}

pub fn read_table(
    _path: &Path,
    _options: &ReadOptions,
    _cancel: &CancellationToken,
    _progress: impl FnMut(u64, u64),
) -> Result<Table, FileError> {
    Err(FileError::Stub)
}
