//! One export from start to end: the contacts fetched page by page (with the client's
//! paging function) and written as they arrive into a file that appears only when whole.

use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use crate::api::paging::{PageSource, PagingOptions};
use crate::api::selection::for_each_contact;
use crate::api::{ApiError, Contact, ContactScope};

use super::{AtomicFile, ExportSettings};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    pub contacts: u64,
    pub path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Site(ApiError),
    #[error("Could not write {}: {source}", path.display())]
    File { path: PathBuf, source: io::Error },
    #[error("The export was cancelled; no file was written.")]
    Cancelled,
}

/// Writes the contacts of `scope` to `target` in `settings.format`. `progress` hears
/// (contacts written, contacts expected). Cancelled or failed, it leaves no file behind
/// and an existing `target` untouched.
pub async fn run_export<S: PageSource<Contact>>(
    source: &S,
    scope: &ContactScope,
    settings: &ExportSettings,
    target: &Path,
    paging: &PagingOptions,
    cancel: &CancellationToken,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<ExportSummary, ExportError> {
    let file_error = |source| ExportError::File { path: target.to_owned(), source };
    let mut file = AtomicFile::create(target).map_err(file_error)?;
    let mut out = BufWriter::with_capacity(1 << 18, file.file_mut());
    let mut writer = super::writer(&mut out, settings).map_err(file_error)?;

    // A write that fails stops the fetching through this token.
    let stop = cancel.child_token();
    let mut write_failure: Option<io::Error> = None;
    let mut written = 0_u64;
    let fetched = for_each_contact(source, scope, paging, &stop, |page, expected| {
        if write_failure.is_some() {
            return;
        }
        for contact in &page {
            if let Err(error) = writer.write(contact) {
                write_failure = Some(error);
                stop.cancel();
                return;
            }
            written += 1;
        }
        progress(written, expected);
    })
    .await;
    if let Some(error) = write_failure {
        return Err(file_error(error));
    }
    match fetched {
        Err(_) if cancel.is_cancelled() => return Err(ExportError::Cancelled),
        Err(error) => return Err(ExportError::Site(error)),
        Ok(()) => {}
    }
    writer.finish().map_err(file_error)?;
    out.flush().map_err(file_error)?;
    drop(out);
    file.commit().map_err(file_error)?;
    Ok(ExportSummary { contacts: written, path: target.to_owned() })
}
