//! One export from start to end: the contacts fetched page by page (with the client's
//! paging function) and written as they arrive into a file that appears only when whole.

use std::collections::BTreeSet;
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use crate::api::paging::{self, PageSource, PagingOptions};
use crate::api::{ApiError, Contact, ContactId, ListQuery, Where};

use super::{AtomicFile, ExportSettings};

/// Ids asked for in one `Id $in [...]` filter: few enough for a URL, one page's worth.
const IDS_PER_REQUEST: usize = 200;

/// Which contacts an export writes.
#[derive(Clone, Debug)]
pub enum ExportScope {
    /// Every contact the query matches, but those in `except`, in the query's order.
    Matching { query: ListQuery, except: BTreeSet<ContactId> },
    /// These contacts, if they still match the query's filter. They come in the query's
    /// order within each batch of ids, the batches in the order of `ids`.
    Selected { query: ListQuery, ids: Vec<ContactId> },
}

impl ExportScope {
    /// How many contacts the export will hold at most, when known before it starts.
    pub fn known_count(&self) -> Option<u64> {
        match self {
            ExportScope::Matching { .. } => None,
            ExportScope::Selected { ids, .. } => Some(ids.len() as u64),
        }
    }
}

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
    scope: &ExportScope,
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
    let no_exceptions = BTreeSet::new();
    let except = match scope {
        ExportScope::Matching { except, .. } => except,
        ExportScope::Selected { .. } => &no_exceptions,
    };
    let expected = scope.known_count();
    let mut deliver = |page: Vec<Contact>, total: Option<u64>| {
        if write_failure.is_some() {
            return;
        }
        for contact in page.iter().filter(|c| !except.contains(&c.id)) {
            if let Err(error) = writer.write(contact) {
                write_failure = Some(error);
                stop.cancel();
                return;
            }
            written += 1;
        }
        progress(written, expected.or(total.map(|t| t.saturating_sub(except.len() as u64))));
    };

    let fetched = match scope {
        ExportScope::Matching { query, .. } => {
            paging::for_each_page(source, query.clone(), paging, &stop, |page, done| deliver(page, done.total)).await
        }
        ExportScope::Selected { query, ids } => {
            let mut result = Ok(());
            for batch in ids.chunks(IDS_PER_REQUEST) {
                let filter = query.filter.clone().and(Where::field("Id").is_in(batch.iter().copied()));
                let batch_query = ListQuery { filter, offset: 0, ..query.clone() };
                result = paging::for_each_page(source, batch_query, paging, &stop, |page, _| deliver(page, None)).await;
                if result.is_err() {
                    break;
                }
            }
            result
        }
    };
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
