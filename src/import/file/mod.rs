//! Reading an import file into a [`Table`] of text cells: CSV in any of the usual encodings
//! and delimiters (sniffed, or as the user chose), or a sheet of an XLSX workbook. It knows
//! nothing of contacts: the mapping of columns to fields happens elsewhere.

mod delimited;
mod encoding;
mod error;
mod table;
mod workbook;

use std::path::Path;

use tokio_util::sync::CancellationToken;

pub use delimited::read_csv_bytes;
pub use encoding::Encoding;
pub use error::FileError;

/// The most a cell may hold, in bytes of UTF-8. A contact's longest text (notes) is far
/// shorter; a bigger cell is a wrong file or an unclosed quote.
pub const MAX_CELL_BYTES: usize = 1024 * 1024;

/// A file's rows as text: the header and the rows under it, each as long as the header.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    /// Where a user finds the row: the CSV line the record starts on (1-based, the header is
    /// line 1 when it is the first line) or the sheet's row number.
    pub line: u64,
    pub cells: Vec<String>,
}

/// What the file was read as, to show and to let the user change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Csv {
        encoding: Encoding,
        delimiter: u8,
    },
    /// `sheet` is the one read; `sheets` all the workbook has, in order.
    Xlsx {
        sheet: String,
        sheets: Vec<String>,
    },
}

/// The user's choices; `None` means sniff the file (or take the first sheet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub encoding: Option<Encoding>,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
}

/// A zip's first bytes: an XLSX workbook is a zip.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// An OLE compound file's first bytes: an Excel 97-2003 workbook (.xls).
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads the file at `path` as XLSX when it is a zip, as CSV otherwise (whatever its name
/// says). `progress` hears (done, total) now and then: bytes of text for CSV; rows for XLSX,
/// where the total is 0 (unknown) until the end when the sheet does not declare its size.
/// `cancel` is checked as often.
pub fn read_table(
    path: &Path,
    options: &ReadOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(u64, u64),
) -> Result<Table, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Open { path: path.to_owned(), source })?;
    if cancel.is_cancelled() {
        return Err(FileError::Cancelled);
    }
    if bytes.starts_with(ZIP_MAGIC) {
        workbook::read_xlsx(bytes, options, cancel, &mut progress)
    } else if bytes.starts_with(OLE_MAGIC) {
        Err(FileError::OldExcel)
    } else {
        read_csv_bytes(&bytes, options, cancel, progress)
    }
}
