//! CSV (and its semicolon, tab and pipe cousins): the encoding and the delimiter sniffed
//! unless chosen, then RFC 4180 records by `csv_core`, whose field-at-a-time reading lets an
//! oversized cell be refused before it sits whole in memory.

use csv_core::{ReadFieldResult, Reader, ReaderBuilder};
use tokio_util::sync::CancellationToken;

use super::encoding;
use super::table::TableBuilder;
use super::{FileError, MAX_CELL_BYTES, ReadOptions, Source, Table};

/// The delimiters sniffed, comma first: it wins a tie.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// How much of the file the sniffers look at.
const SAMPLE_BYTES: usize = 64 * 1024;
/// Records the delimiter sniffer compares.
const SAMPLE_RECORDS: usize = 20;
/// Records between two progress reports and cancel checks.
const RECORDS_PER_REPORT: u64 = 1000;

/// Reads CSV `bytes` (all of a file) into a table.
pub fn read_csv_bytes(
    bytes: &[u8],
    options: &ReadOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(u64, u64),
) -> Result<Table, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    let encoding = options.encoding.unwrap_or_else(|| encoding::sniff(bytes));
    let text = encoding::decode(bytes, encoding);
    if looks_binary(&text) {
        return Err(FileError::NotText);
    }
    let text = text.as_bytes();
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(text));
    let mut builder = TableBuilder::default();
    read_records(text, delimiter, &mut builder, cancel, &mut progress)?;
    builder.finish(Source::Csv { encoding, delimiter })
}

/// Whether decoded text is no text at all: it holds NUL (binary, or UTF-16 read as
/// something else), or more than a tenth of its start is control characters.
fn looks_binary(text: &str) -> bool {
    if text.contains('\0') {
        return true;
    }
    let sample = &text[..text.floor_char_boundary(SAMPLE_BYTES)];
    let (mut controls, mut all) = (0usize, 0usize);
    for c in sample.chars() {
        all += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            controls += 1;
        }
    }
    controls * 10 > all
}

/// The delimiter that splits the first records of `text`, quotes respected, into the same
/// number of fields, more than one; the most fields wins, comma on a tie, and comma when
/// none does.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let whole = text.len() <= SAMPLE_BYTES;
    let sample = &text[..text.len().min(SAMPLE_BYTES)];
    let mut best: Option<(usize, u8)> = None;
    for delimiter in DELIMITERS {
        if let Some(fields) = steady_field_count(sample, whole, delimiter)
            && fields > 1
            && best.is_none_or(|(most, _)| fields > most)
        {
            best = Some((fields, delimiter));
        }
    }
    best.map_or(b',', |(_, delimiter)| delimiter)
}

/// The number of fields every complete record of `sample` has with `delimiter`, if they
/// agree. A record cut by the end of a sample that is not the `whole` text is left out.
fn steady_field_count(sample: &[u8], whole: bool, delimiter: u8) -> Option<usize> {
    let mut reader = reader(delimiter);
    let mut scratch = [0u8; 4096];
    let (mut at, mut fields, mut count, mut records) = (0, 0, None, 0);
    loop {
        let input = &sample[at..];
        // An empty input tells the reader the text has ended, which a cut sample has not.
        if input.is_empty() && !whole {
            break;
        }
        let (result, read, _) = reader.read_field(input, &mut scratch);
        at += read;
        match result {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            ReadFieldResult::Field { record_end } => {
                fields += 1;
                if record_end {
                    if count.is_some_and(|n| n != fields) {
                        return None;
                    }
                    count = Some(fields);
                    fields = 0;
                    records += 1;
                    if records == SAMPLE_RECORDS {
                        break;
                    }
                }
            }
            ReadFieldResult::End => break,
        }
    }
    count
}

fn reader(delimiter: u8) -> Reader {
    // Any of CR, LF and CRLF ends a record; `""` in a quoted field is a quote.
    ReaderBuilder::new().delimiter(delimiter).build()
}

/// Reads every record of `text` into `builder`, each with the line it starts on.
fn read_records(
    text: &[u8],
    delimiter: u8,
    builder: &mut TableBuilder,
    cancel: &CancellationToken,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(), FileError> {
    let total = text.len() as u64;
    let mut reader = reader(delimiter);
    let mut lines = LineCounter::default();
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut at, mut records) = (0usize, 0u64);
    let mut field: Vec<u8> = Vec::new();
    let mut cells: Vec<String> = Vec::new();
    let mut record_line = None;
    // Where the field being read starts (with the line ends skipped before a record's first).
    let mut field_start = 0usize;
    loop {
        let line = *record_line.get_or_insert_with(|| {
            // The reader skips line ends before a record: it starts after them.
            let start = at + text[at..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            lines.line_at(text, start)
        });
        let (result, read, written) = reader.read_field(&text[at..], &mut buffer);
        at += read;
        field.extend_from_slice(&buffer[..written]);
        if field.len() > MAX_CELL_BYTES {
            let size = field.len() + rest_of_field(&mut reader, &text[at..], &mut buffer, &result);
            return Err(builder.cell_too_large(line, cells.len(), size));
        }
        match result {
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
            ReadFieldResult::Field { record_end } => {
                // csv_core reads an unclosed quote as a cell running to the end of the file.
                if at == text.len()
                    && let Some(quote) = unclosed_quote(&text[field_start..])
                {
                    return Err(FileError::UnclosedQuote { line: lines.line_at(text, field_start + quote) });
                }
                field_start = at;
                // csv_core splits only at ASCII bytes, so a field of UTF-8 text is UTF-8.
                let bytes = std::mem::take(&mut field);
                cells.push(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into()));
                if record_end {
                    builder.push(line, std::mem::take(&mut cells))?;
                    record_line = None;
                    records += 1;
                    if records.is_multiple_of(RECORDS_PER_REPORT) {
                        if cancel.is_cancelled() {
                            return Err(FileError::Cancelled);
                        }
                        progress(at as u64, total);
                    }
                }
            }
            ReadFieldResult::End => break,
        }
    }
    progress(total, total);
    Ok(())
}

/// Where, in the raw bytes of a field (from its start to the end of the file), a quote opens
/// that nothing closes: a quote is closed by one that is not doubled (`""` is a quote in the text).
fn unclosed_quote(raw: &[u8]) -> Option<usize> {
    let opening = raw.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
    let mut rest = raw[opening..].strip_prefix(b"\"")?;
    while let Some(quote) = rest.iter().position(|b| *b == b'"') {
        if rest.get(quote + 1) != Some(&b'"') {
            return None;
        }
        rest = &rest[quote + 2..];
    }
    Some(opening)
}

/// The bytes left in a field after `last` (the result that filled the buffer), counted
/// without keeping them, so that an oversized cell's size can be told.
fn rest_of_field(reader: &mut Reader, mut input: &[u8], buffer: &mut [u8], last: &ReadFieldResult) -> usize {
    if matches!(last, ReadFieldResult::Field { .. } | ReadFieldResult::End) {
        return 0;
    }
    let mut size = 0;
    loop {
        let (result, read, written) = reader.read_field(input, buffer);
        input = &input[read..];
        size += written;
        if !matches!(result, ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull) {
            return size;
        }
    }
}

/// Line numbers of byte offsets, counted once as the offsets grow.
#[derive(Default)]
struct LineCounter {
    counted_to: usize,
    line_ends: u64,
}

impl LineCounter {
    /// The 1-based line of `offset` (never less than the last offset asked). A line ends at
    /// LF, or at a CR not followed by LF.
    fn line_at(&mut self, text: &[u8], offset: usize) -> u64 {
        let offset = offset.min(text.len());
        for at in self.counted_to..offset {
            let ends_line = match text[at] {
                b'\n' => true,
                b'\r' => text.get(at + 1) != Some(&b'\n'),
                _ => false,
            };
            self.line_ends += u64::from(ends_line);
        }
        self.counted_to = self.counted_to.max(offset);
        self.line_ends + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::file::Encoding;

    fn read(text: &[u8]) -> Result<Table, FileError> {
        read_csv_bytes(text, &ReadOptions::default(), &CancellationToken::new(), |_, _| {})
    }

    fn rows(table: &Table) -> Vec<(u64, Vec<&str>)> {
        table.rows.iter().map(|r| (r.line, r.cells.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn each_delimiter_is_sniffed() {
        for delimiter in DELIMITERS {
            let d = char::from(delimiter);
            let text = format!("Email{d}Name{d}City\na@x.example{d}Ann{d}Oslo\nb@x.example{d}Bo{d}\n");
            let table = read(text.as_bytes()).unwrap();
            assert_eq!(table.source, Source::Csv { encoding: Encoding::Utf8, delimiter }, "{d:?}");
            assert_eq!(table.headers, ["Email", "Name", "City"]);
            assert_eq!(rows(&table), [(2, vec!["a@x.example", "Ann", "Oslo"]), (3, vec!["b@x.example", "Bo", ""])]);
        }
    }

    #[test]
    fn a_delimiter_inside_quotes_does_not_count() {
        // Every line has two commas inside quotes and one semicolon outside: counted naively,
        // commas would win, 3 fields to 2.
        let text = "\"Last, First, Middle\";Email\n\"Smith, Ann, B\";a@x.example\n";
        assert_eq!(sniff_delimiter(text.as_bytes()), b';');
    }

    #[test]
    fn a_tie_goes_to_comma_and_no_split_means_comma() {
        assert_eq!(sniff_delimiter(b"a,b;c\n1,2;3\n"), b',');
        assert_eq!(sniff_delimiter(b"Email\na@x.example\n"), b',');
        // Semicolons agree, commas do not: semicolon.
        assert_eq!(sniff_delimiter(b"a;b\n1,5;2\n3;4\n"), b';');
    }

    #[test]
    fn a_sample_cut_mid_record_ignores_the_cut_record() {
        let mut text = b"a;b\n".to_vec();
        while text.len() < SAMPLE_BYTES {
            text.extend_from_slice(b"1;2\n");
        }
        // Past the sample: a long record, cut at the sample's end.
        text.truncate(SAMPLE_BYTES - 2);
        text.extend_from_slice(b"x;y;z;w\n");
        assert_eq!(sniff_delimiter(&text), b';');
    }

    #[test]
    fn quoted_line_breaks_and_doubled_quotes_and_the_lines_records_start_on() {
        let text = "Name,Notes\r\n\"O'Brien, \"\"Jr\"\"\",\"one\r\ntwo\nthree\"\r\n\r\nZoë,plain\r\n";
        let table = read(text.as_bytes()).unwrap();
        assert_eq!(rows(&table), [(2, vec!["O'Brien, \"Jr\"", "one\r\ntwo\nthree"]), (6, vec!["Zoë", "plain"])]);
    }

    #[test]
    fn old_mac_line_ends_count_as_lines() {
        let table = read(b"a,b\r1,2\r\r3,4").unwrap();
        assert_eq!(rows(&table), [(2, vec!["1", "2"]), (4, vec!["3", "4"])]);
    }

    #[test]
    fn cells_are_kept_as_written_but_for_the_formula_guard() {
        let text = "'=Head,b,c,d,e\n'=SUM(A1), padded ,'-5,'plain,'@x\n";
        let table = read(text.as_bytes()).unwrap();
        assert_eq!(table.headers, ["=Head", "b", "c", "d", "e"]);
        assert_eq!(rows(&table), [(2, vec!["=SUM(A1)", " padded ", "-5", "'plain", "@x"])]);
    }

    #[test]
    fn a_quote_never_closed_is_refused_with_the_line_it_opens_on() {
        let error = read(b"Email,Notes\na@x.example,fine\nb@x.example,\"never closed\nc@x.example,x\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "A quote opens a cell on line 3 and is never closed, so the rest of the file would be that one cell. \
             Close the quote, or double a quote that is part of the text (\"\")."
        );
        // Closed at the very end, with doubled quotes inside, or quoted line breaks: read.
        let closed = read(b"Email,Notes\na@x.example,\"say \"\"hi\"\"\nthere\"").unwrap();
        assert_eq!(rows(&closed), [(2, vec!["a@x.example", "say \"hi\"\nthere"])]);
        let doubled_at_end = read(b"Email,Notes\r\na@x.example,\"\"\"\"\r\n").unwrap();
        assert_eq!(rows(&doubled_at_end), [(2, vec!["a@x.example", "\""])]);
        // A quote inside an unquoted cell is text.
        let inner = read(b"Email,Notes\na@x.example,5\" tall").unwrap();
        assert_eq!(rows(&inner), [(2, vec!["a@x.example", "5\" tall"])]);
    }

    #[test]
    fn an_oversized_cell_is_measured_and_refused() {
        let mut text = b"Email,Notes\na@x.example,\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', 3 * MAX_CELL_BYTES + 5));
        text.extend_from_slice(b"\"\n");
        let error = read(&text).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Line 2, column 2 (\"Notes\") holds 3.0 MB; a cell may hold at most 1 MB. This is not a contact list, \
             or a quote is not closed."
        );
        // A cell of exactly the limit is fine.
        let mut text = b"Email,Notes\na@x.example,".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_CELL_BYTES));
        assert_eq!(read(&text).unwrap().rows[0].cells[1].len(), MAX_CELL_BYTES);
    }

    #[test]
    fn progress_reaches_the_total_and_cancel_stops() {
        let mut text = String::from("Email,Name\n");
        for i in 0..5000 {
            text.push_str(&format!("p{i}@x.example,Person {i}\n"));
        }
        let mut reports = Vec::new();
        let table =
            read_csv_bytes(text.as_bytes(), &ReadOptions::default(), &CancellationToken::new(), |done, total| {
                reports.push((done, total))
            })
            .unwrap();
        assert_eq!(table.rows.len(), 5000);
        let total = text.len() as u64;
        assert!(reports.len() > 1, "{reports:?}");
        assert!(reports.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(reports.last(), Some(&(total, total)));

        let cancel = CancellationToken::new();
        cancel.cancel();
        let result = read_csv_bytes(text.as_bytes(), &ReadOptions::default(), &cancel, |_, _| {});
        assert!(matches!(result, Err(FileError::Cancelled)), "{result:?}");
    }

    #[test]
    fn binary_is_not_text() {
        assert!(looks_binary("PNG\0\0\0IHDR"));
        let controls: String = (0..200u8).map(|i| char::from(i % 32)).collect();
        assert!(looks_binary(&controls.replace('\0', "\u{1}")));
        assert!(!looks_binary("Email,Notes\na@x.example,\"tab\there\"\r\n"));
    }
}
