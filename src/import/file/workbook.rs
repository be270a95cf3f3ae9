//! A sheet of an XLSX workbook (read by `calamine`) as text cells, written as our CSV export
//! writes the same values: so that our own XLSX and CSV exports read back alike.

use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader as _, Xlsx, XlsxError};
use tokio_util::sync::CancellationToken;

use super::table::TableBuilder;
use super::{FileError, ReadOptions, Source, Table};

/// Rows between two progress reports and cancel checks.
const ROWS_PER_REPORT: usize = 1000;
/// The widest sheet read. The table is dense, so a sparse sheet with cells in column A and
/// XFD would otherwise cost 16,384 cells a row; a contact list has tens of columns.
const MAX_COLUMNS: usize = 1000;

/// A row of a sheet as it is read: its 0-based number and its non-empty cells by column.
type SparseRow = (u32, Vec<(u32, String)>);

/// Reads the sheet `options` names (the first when none) of the workbook in `bytes`.
pub(super) fn read_xlsx(
    bytes: Vec<u8>,
    options: &ReadOptions,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Table, FileError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(not_readable)?;
    let sheets = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(name) if sheets.contains(name) => name.clone(),
        Some(name) => return Err(FileError::UnknownSheet { sheet: name.clone(), sheets }),
        None => sheets.first().cloned().ok_or(FileError::NoSheets)?,
    };
    let rows = read_rows(&mut workbook, &sheet, cancel, progress)?;
    // The sheet's columns are those in use, which need not start at A.
    let columns = rows.iter().flat_map(|(_, cells)| cells.iter().map(|(column, _)| *column));
    let (first, last) = columns.fold((u32::MAX, 0), |(first, last), c| (first.min(c), last.max(c)));
    let width = last.saturating_sub(first) as usize + 1;
    if width > MAX_COLUMNS {
        return Err(FileError::TooManyColumns { sheet, columns: width, limit: MAX_COLUMNS });
    }
    let mut builder = TableBuilder::default();
    for (row, cells) in rows {
        let mut dense = vec![String::new(); width];
        for (column, text) in cells {
            dense[(column - first) as usize] = text;
        }
        builder.push(u64::from(row) + 1, dense)?;
    }
    builder.finish(Source::Xlsx { sheet: sheet.clone(), sheets }).map_err(|error| match error {
        FileError::Empty => FileError::EmptySheet { sheet },
        other => other,
    })
}

fn not_readable(error: XlsxError) -> FileError {
    FileError::NotWorkbook { detail: error.to_string() }
}

/// The sheet's non-empty cells as text, row by row in row order, streamed from the zip so
/// that progress and cancel work while it is read. Progress counts rows against the rows the
/// sheet declares, or 0 when it declares none (our own export does not).
fn read_rows(
    workbook: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<SparseRow>, FileError> {
    let mut cells = workbook.worksheet_cells_reader(sheet).map_err(not_readable)?;
    // A sheet without a `<dimension>` reads as A1:A1, which no list of contacts fits in.
    let declared_end = cells.dimensions().end.0;
    let total = if declared_end > 0 { u64::from(declared_end) + 1 } else { 0 };
    let mut rows: Vec<SparseRow> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(not_readable)? {
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, column) = cell.get_position();
        match rows.last_mut() {
            Some((last, cells)) if *last == row => cells.push((column, text)),
            _ => {
                if rows.len().is_multiple_of(ROWS_PER_REPORT) {
                    if cancel.is_cancelled() {
                        return Err(FileError::Cancelled);
                    }
                    progress(u64::from(row), total);
                }
                rows.push((row, vec![(column, text)]));
            }
        }
    }
    // Rows come in the sheet's order; a hand-made file may list them otherwise.
    rows.sort_by_key(|(row, _)| *row);
    let done = rows.last().map_or(0, |(row, _)| u64::from(*row) + 1);
    progress(done, total.max(done));
    Ok(rows)
}

/// A cell as the text our CSV export writes for the same value.
fn cell_text(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => text.clone(),
        DataRef::SharedString(text) => (*text).to_owned(),
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) => float_text(*number),
        DataRef::Bool(flag) => (if *flag { "yes" } else { "no" }).to_owned(),
        DataRef::DateTime(instant) if instant.is_duration() => duration_text(instant),
        DataRef::DateTime(instant) => date_text(instant),
        DataRef::Error(error) => error.to_string(),
    }
}

/// `42` for 42.0 (a spreadsheet stores every number as a float), `2.5` for 2.5, never an
/// exponent.
fn float_text(number: f64) -> String {
    // -0 is a float artefact; nobody typed it.
    if number == 0.0 { "0".to_owned() } else { number.to_string() }
}

/// `2024-05-17` for a date, `2024-05-17T18:18:39` with a time, `.175` with milliseconds.
fn date_text(instant: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, milli) = instant.to_ymd_hms_milli();
    let date = format!("{year:04}-{month:02}-{day:02}");
    match (hour, minute, second, milli) {
        (0, 0, 0, 0) => date,
        (_, _, _, 0) => format!("{date}T{hour:02}:{minute:02}:{second:02}"),
        _ => format!("{date}T{hour:02}:{minute:02}:{second:02}.{milli:03}"),
    }
}

/// `27:30:00` for a duration of a day and three and a half hours, as Excel shows `[h]:mm:ss`.
fn duration_text(duration: &ExcelDateTime) -> String {
    let seconds = (duration.as_f64() * 86_400.0).round();
    // Out of range or NaN saturate: a garbled duration still reads as some text.
    let seconds = seconds as i64;
    let sign = if seconds < 0 { "-" } else { "" };
    let seconds = seconds.unsigned_abs();
    format!("{sign}{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

#[cfg(test)]
pub(super) mod tests {
    use std::io::Write as _;

    use super::*;

    /// A workbook with `sheets` (name, rows of raw `<c>` elements, numbered from 1).
    pub fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
        let sheets: Vec<(&str, String)> = sheets
            .iter()
            .map(|(name, rows)| {
                let rows =
                    rows.iter().enumerate().map(|(r, cells)| format!(r#"<row r="{}">{}</row>"#, r + 1, cells.concat()));
                (*name, rows.collect())
            })
            .collect();
        workbook_of(&sheets)
    }

    /// A workbook with `sheets` (name, the `<sheetData>` XML), style 1 a date and style 2 a
    /// duration: what Excel writes, where our export writes only text and numbers.
    pub fn workbook_of(sheets: &[(&str, String)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut part = |name: &str, content: String| {
            zip.start_file(name, options).unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        };
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let overrides: String = (1..=sheets.len())
            .map(|i| {
                format!(
                    r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
                )
            })
            .collect();
        part(
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>"#
            ),
        );
        part(
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        );
        let sheet_list: String = (1..=sheets.len())
            .map(|i| format!(r#"<sheet name="{}" sheetId="{i}" r:id="rId{i}"/>"#, sheets[i - 1].0))
            .collect();
        part(
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{sheet_list}</sheets></workbook>"#
            ),
        );
        let rels: String = (1..=sheets.len())
            .map(|i| format!(r#"<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
            .collect();
        let styles_id = sheets.len() + 1;
        part(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}<Relationship Id="rId{styles_id}" Type="{rel}/styles" Target="styles.xml"/></Relationships>"#
            ),
        );
        part(
            "xl/styles.xml",
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" formatCode="[h]:mm:ss"/></numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>"#
            ),
        );
        for (i, (_, rows)) in sheets.iter().enumerate() {
            part(
                &format!("xl/worksheets/sheet{}.xml", i + 1),
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData></worksheet>"#
                ),
            );
        }
        zip.finish().unwrap().into_inner()
    }

    fn read(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Table, FileError> {
        let options = ReadOptions { sheet: sheet.map(str::to_owned), ..ReadOptions::default() };
        read_xlsx(bytes, &options, &CancellationToken::new(), &mut |_, _| {})
    }

    #[test]
    fn cells_of_every_type_read_as_our_csv_writes_them() {
        let header: &[&str] = &[
            r#"<c r="A1" t="inlineStr"><is><t>Text</t></is></c>"#,
            r#"<c r="B1" t="inlineStr"><is><t>Whole</t></is></c>"#,
            r#"<c r="C1" t="inlineStr"><is><t>Fraction</t></is></c>"#,
            r#"<c r="D1" t="inlineStr"><is><t>Flag</t></is></c>"#,
            r#"<c r="E1" t="inlineStr"><is><t>Date</t></is></c>"#,
            r#"<c r="F1" t="inlineStr"><is><t>Error</t></is></c>"#,
            r#"<c r="G1" t="inlineStr"><is><t>Empty</t></is></c>"#,
            r#"<c r="H1" t="inlineStr"><is><t>Time</t></is></c>"#,
            r#"<c r="I1" t="inlineStr"><is><t>Span</t></is></c>"#,
        ];
        let row: &[&str] = &[
            r#"<c r="A2" t="inlineStr"><is><t>'=SUM(A1)</t></is></c>"#,
            r#"<c r="B2"><v>42</v></c>"#,
            r#"<c r="C2"><v>-2.5</v></c>"#,
            r#"<c r="D2" t="b"><v>1</v></c>"#,
            r#"<c r="E2" s="1"><v>45429</v></c>"#,
            r#"<c r="F2" t="e"><v>#N/A</v></c>"#,
            r#"<c r="H2" s="1"><v>45429.5</v></c>"#,
            r#"<c r="I2" s="2"><v>1.1458333333333333</v></c>"#,
        ];
        let false_row: &[&str] = &[r#"<c r="D3" t="b"><v>0</v></c>"#, r#"<c r="B3"><v>1E3</v></c>"#];
        let table = read(workbook(&[("Contacts", &[header, row, false_row])]), None).unwrap();
        assert_eq!(table.headers, ["Text", "Whole", "Fraction", "Flag", "Date", "Error", "Empty", "Time", "Span"]);
        assert_eq!(
            table.rows[0].cells,
            ["=SUM(A1)", "42", "-2.5", "yes", "2024-05-17", "#N/A", "", "2024-05-17T12:00:00", "27:30:00"]
        );
        assert_eq!(table.rows[1].cells, ["", "1000", "", "no", "", "", "", "", ""]);
        assert_eq!(table.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3]);
    }

    const ONE: &[&str] = &[r#"<c r="A1" t="inlineStr"><is><t>Email</t></is></c>"#];
    const A: &[&str] = &[r#"<c r="A2" t="inlineStr"><is><t>a@x.example</t></is></c>"#];
    const B: &[&str] = &[r#"<c r="A2" t="inlineStr"><is><t>b@x.example</t></is></c>"#];

    #[test]
    fn the_first_sheet_unless_one_is_named() {
        let bytes = workbook(&[("First", &[ONE, A]), ("Second", &[ONE, B])]);
        let first = read(bytes.clone(), None).unwrap();
        assert_eq!(first.rows[0].cells, ["a@x.example"]);
        let sheets = vec!["First".to_owned(), "Second".to_owned()];
        assert_eq!(first.source, Source::Xlsx { sheet: "First".into(), sheets: sheets.clone() });

        let second = read(bytes.clone(), Some("Second")).unwrap();
        assert_eq!(second.rows[0].cells, ["b@x.example"]);
        assert_eq!(second.source, Source::Xlsx { sheet: "Second".into(), sheets });

        let error = read(bytes, Some("Third")).unwrap_err();
        assert_eq!(error.to_string(), "The workbook has no sheet named \"Third\". Its sheets: \"First\", \"Second\".");
    }

    #[test]
    fn a_sheet_not_starting_at_a1_keeps_its_row_numbers() {
        let rows = concat!(
            r#"<row r="3"><c r="C3" t="inlineStr"><is><t>Email</t></is></c></row>"#,
            r#"<row r="5"><c r="C5" t="inlineStr"><is><t>a@x.example</t></is></c></row>"#,
        );
        let table = read(workbook_of(&[("S", rows.to_owned())]), None).unwrap();
        assert_eq!(table.headers, ["Email"]);
        assert_eq!(table.rows, [super::super::TableRow { line: 5, cells: vec!["a@x.example".into()] }]);
    }

    #[test]
    fn a_sheet_wider_than_a_contact_list_is_refused() {
        let rows = concat!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.example</t></is></c>"#,
            r#"<c r="XFD2" t="inlineStr"><is><t>far away</t></is></c></row>"#,
        );
        let error = read(workbook_of(&[("Wide", rows.to_owned())]), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The sheet \"Wide\" spreads over 16384 columns; an import reads at most 1000. Delete the columns that \
             hold no contact data and try again."
        );
    }

    #[test]
    fn progress_counts_rows_and_cancel_stops() {
        let mut rows = String::from(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>"#);
        for r in 2..=2501 {
            rows.push_str(&format!(
                r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>p{r}@x.example</t></is></c></row>"#
            ));
        }
        let bytes = workbook_of(&[("S", rows)]);
        let mut reports = Vec::new();
        let options = ReadOptions::default();
        let table = read_xlsx(bytes.clone(), &options, &CancellationToken::new(), &mut |done, total| {
            reports.push((done, total))
        })
        .unwrap();
        assert_eq!(table.rows.len(), 2500);
        // The sheet declares no dimension: the total is known only at the end.
        assert_eq!(reports, [(0, 0), (1000, 0), (2000, 0), (2501, 2501)]);

        let cancel = CancellationToken::new();
        let result = read_xlsx(bytes, &options, &cancel, &mut |done, _| {
            if done > 0 {
                cancel.cancel();
            }
        });
        assert!(matches!(result, Err(FileError::Cancelled)), "{result:?}");
    }

    #[test]
    fn an_empty_sheet_says_so() {
        let error = read(workbook(&[("Blank", &[])]), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "The sheet \"Blank\" is empty: there is nothing to import. Choose another sheet."
        );
    }

    #[test]
    fn a_zip_that_is_no_workbook_is_refused() {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"hello").unwrap();
        let error = read(zip.finish().unwrap().into_inner(), None).unwrap_err();
        assert!(matches!(error, FileError::NotWorkbook { .. }), "{error:?}");
        assert!(error.to_string().starts_with("This file is not a readable Excel workbook"), "{error}");
    }
}
