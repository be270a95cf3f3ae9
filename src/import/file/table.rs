//! What CSV and XLSX rows have in common once they are text: the first row is the header,
//! blank rows go, every other row is as long as the header, and our export's formula guard
//! comes off.

use super::{FileError, MAX_CELL_BYTES, Source, Table, TableRow};

#[derive(Default)]
pub(super) struct TableBuilder {
    headers: Option<Vec<String>>,
    rows: Vec<TableRow>,
}

impl TableBuilder {
    /// Adds the row found at `line`: the header if it is the first.
    pub fn push(&mut self, line: u64, mut cells: Vec<String>) -> Result<(), FileError> {
        if let Some(column) = cells.iter().position(|cell| cell.len() > MAX_CELL_BYTES) {
            return Err(self.cell_too_large(line, column, cells[column].len()));
        }
        let Some(headers) = &self.headers else {
            if cells.iter().all(|cell| cell.trim().is_empty()) {
                return Err(FileError::BlankHeader { line });
            }
            self.headers = Some(cells.into_iter().map(without_formula_guard).collect());
            return Ok(());
        };
        // A row of empty cells (a blank line, or `,,,` from a spreadsheet) carries nothing.
        if cells.iter().all(String::is_empty) {
            return Ok(());
        }
        if cells.len() != headers.len() {
            return Err(FileError::Ragged { line, expected: headers.len(), found: cells.len() });
        }
        for cell in &mut cells {
            *cell = without_formula_guard(std::mem::take(cell));
        }
        self.rows.push(TableRow { line, cells });
        Ok(())
    }

    pub fn finish(self, source: Source) -> Result<Table, FileError> {
        let headers = self.headers.ok_or(FileError::Empty)?;
        if self.rows.is_empty() {
            return Err(FileError::OnlyHeader);
        }
        Ok(Table { headers, rows: self.rows, source })
    }

    /// The error for `bytes` in the 0-based `column` of the row at `line`.
    pub fn cell_too_large(&self, line: u64, column: usize, bytes: usize) -> FileError {
        let header = self.headers.as_ref().and_then(|h| h.get(column)).cloned().unwrap_or_default();
        FileError::CellTooLarge { line, column: column + 1, header, megabytes: megabytes(bytes) }
    }
}

fn megabytes(bytes: usize) -> f64 {
    // Exact for any size a file can have on disk that matters here.
    bytes as f64 / (1024.0 * 1024.0)
}

/// Undoes `export::neutralise_formula`: `'=SUM(A1)` reads as `=SUM(A1)`. An apostrophe before
/// anything else is the cell's own text and stays.
pub(super) fn without_formula_guard(cell: String) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_owned(),
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::export::neutralise_formula;

    #[test]
    fn the_exports_formula_guard_comes_off_and_nothing_else() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            let guarded = neutralise_formula(Cow::Borrowed(risky)).into_owned();
            assert_ne!(guarded, risky, "the export guards {risky:?}");
            assert_eq!(without_formula_guard(guarded), risky);
        }
        for plain in ["", "'", "'Tis", "O'Brien", "''=x", " '=x", "=x"] {
            assert_eq!(without_formula_guard(plain.to_owned()), plain);
        }
    }

    fn cells(texts: &[&str]) -> Vec<String> {
        texts.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn blank_rows_go_and_blank_header_cells_stay() {
        let mut builder = TableBuilder::default();
        builder.push(1, cells(&["Email", "", " "])).unwrap();
        builder.push(2, cells(&["", "", ""])).unwrap();
        builder.push(3, cells(&["a@x.example", "", "1"])).unwrap();
        let table = builder.finish(Source::Xlsx { sheet: "S".into(), sheets: vec!["S".into()] }).unwrap();
        assert_eq!(table.headers, ["Email", "", " "]);
        assert_eq!(table.rows, [TableRow { line: 3, cells: cells(&["a@x.example", "", "1"]) }]);
    }

    #[test]
    fn an_oversized_cell_names_its_column_header() {
        let mut builder = TableBuilder::default();
        builder.push(1, cells(&["Email", "Notes"])).unwrap();
        let big = "x".repeat(MAX_CELL_BYTES + 1);
        let error = builder.push(7, vec![String::new(), big]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Line 7, column 2 (\"Notes\") holds 1.0 MB; a cell may hold at most 1 MB. This is not a contact list, \
             or a quote is not closed."
        );
    }
}
