//! Exporting contacts to a file: CSV, XLSX, JSON and vCard 4.0.
//!
//! The writers are plain functions of contacts and an `io::Write` (no dialog, no network):
//! [`writer`] opens one for a format, [`write_contacts`] writes a whole slice. [`run_export`]
//! streams a query's contacts from the site into a file page by page, and [`AtomicFile`]
//! makes sure a file appears only when complete. The app's dialog and the `export` command
//! line are both thin layers over these.

mod csv;
mod file;
mod job;
mod json;
mod settings;
mod unfinished;
mod vcard;
mod xlsx;

use std::io::{self, Seek, Write};

pub use csv::neutralise_formula;
pub use file::AtomicFile;
pub use job::{ExportError, ExportSummary, run_export};
pub use settings::{DateFormat, Delimiter, ExportSettings, Format};
pub use unfinished::{note_unfinished_files_in, remove_leftovers, unfinished_folder};

use crate::api::Contact;

/// Writes contacts one after another in one format.
pub trait ContactWriter {
    fn write(&mut self, contact: &Contact) -> io::Result<()>;

    /// Writes what closes the file (a JSON array's `]`, the XLSX directory) and flushes.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// A writer of `settings.format` into `out` (the header, if the format has one, is written
/// here). XLSX is a zip, hence `Seek`: a file or an `io::Cursor`.
pub fn writer<'w, W: Write + Seek + 'w>(out: W, settings: &ExportSettings) -> io::Result<Box<dyn ContactWriter + 'w>> {
    Ok(match settings.format {
        Format::Csv => Box::new(csv::CsvWriter::new(out, settings)?),
        Format::Xlsx => Box::new(xlsx::XlsxWriter::new(out, settings)?),
        Format::Json => Box::new(json::JsonWriter::new(out, settings)?),
        Format::Vcard => Box::new(vcard::VcardWriter::new(out)),
    })
}

/// Writes `contacts` to `out` as one whole file.
pub fn write_contacts<'c, W: Write + Seek>(
    contacts: impl IntoIterator<Item = &'c Contact>,
    settings: &ExportSettings,
    out: W,
) -> io::Result<()> {
    let mut writer = writer(out, settings)?;
    for contact in contacts {
        writer.write(contact)?;
    }
    writer.finish()
}
