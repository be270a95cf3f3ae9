//! Why a file could not be read, said so that a user knows what to fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("Could not read {}: {source}.", path.display())]
    Open { path: PathBuf, source: std::io::Error },
    #[error("The file is empty: there is nothing to import.")]
    Empty,
    #[error("The sheet \"{sheet}\" is empty: there is nothing to import. Choose another sheet.")]
    EmptySheet { sheet: String },
    #[error("The file has a header but no rows: there is nothing to import.")]
    OnlyHeader,
    #[error("The header (line {line}) is blank: the first line must name the columns.")]
    BlankHeader { line: u64 },
    #[error(
        "Line {line} has {found} cells where the header has {expected}. Check the delimiter, or a quote \
         that is not closed on or before that line."
    )]
    Ragged { line: u64, expected: usize, found: usize },
    #[error(
        "Line {line}, column {column}{} holds {megabytes:.1} MB; a cell may hold at most 1 MB. This is not a \
         contact list, or a quote is not closed.",
        named(.header)
    )]
    CellTooLarge { line: u64, column: usize, header: String, megabytes: f64 },
    #[error(
        "A quote opens a cell on line {line} and is never closed, so the rest of the file would be that one \
         cell. Close the quote, or double a quote that is part of the text (\"\")."
    )]
    UnclosedQuote { line: u64 },
    #[error(
        "This is not a text file, so it cannot be read as CSV. Choose a CSV file or an Excel workbook (.xlsx), \
         or, for UTF-16 text without a byte-order mark, choose the encoding."
    )]
    NotText,
    #[error(
        "This is an Excel 97-2003 workbook (.xls), which cannot be read. Open it in Excel and save it as an \
         Excel workbook (.xlsx) or as CSV."
    )]
    OldExcel,
    #[error(
        "This file is not a readable Excel workbook ({detail}). Open it in Excel and save it again, or save it \
         as CSV."
    )]
    NotWorkbook { detail: String },
    #[error("The workbook has no sheet named \"{sheet}\". Its sheets: {}.", list(.sheets))]
    UnknownSheet { sheet: String, sheets: Vec<String> },
    #[error(
        "The sheet \"{sheet}\" spreads over {columns} columns; an import reads at most {limit}. Delete the \
         columns that hold no contact data and try again."
    )]
    TooManyColumns { sheet: String, columns: usize, limit: usize },
    #[error("The workbook has no sheets: there is nothing to import.")]
    NoSheets,
    #[error("Reading the file was cancelled.")]
    Cancelled,
}

/// ` ("Notes")` after a column number, when the column has a header.
fn named(header: &str) -> String {
    if header.is_empty() { String::new() } else { format!(" (\"{header}\")") }
}

/// `"A", "B"`.
fn list(sheets: &[String]) -> String {
    sheets.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
}
