//! The temporary files of writes still under way, noted in a folder of the app's, so that a
//! start after a crash (or a `kill -9`) can remove what the killed process left behind.
//!
//! Each [`crate::export::AtomicFile`] notes its temporary file in a small note file that it
//! keeps locked while it writes. The kernel drops the lock when the process ends, however it
//! ends, so a note nobody holds is a leftover; a note that is locked belongs to a write still
//! going on (in this app, another window, or the command line) and is left alone.

use std::ffi::OsString;
use std::fs::{File, TryLockError};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Where this process notes its unfinished files: set once, at start, by the app and the
/// command line. Unset (as in tests that write files of their own), nothing is noted.
static NOTES_FOLDER: OnceLock<PathBuf> = OnceLock::new();

/// A note file that has not got its path yet may be one being written this instant.
const FRESH_NOTE: Duration = Duration::from_secs(60);

/// The folder of notes in the app's data folder: the app cleans it up at each start.
pub fn unfinished_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("unfinished")
}

pub fn note_unfinished_files_in(folder: PathBuf) {
    let _ = NOTES_FOLDER.set(folder);
}

/// The note of one temporary file, held while it is written and removed with it.
pub(crate) struct Note {
    path: PathBuf,
    // Held open: the lock lasts as long as the file handle.
    _locked: File,
}

impl Note {
    /// Notes `temporary`; `None` when no folder is set or the note cannot be written (the
    /// write goes on: a note only helps to clean up after a crash).
    pub(crate) fn take(temporary: &Path) -> Option<Self> {
        Self::take_in(NOTES_FOLDER.get()?, temporary)
    }

    fn take_in(folder: &Path, temporary: &Path) -> Option<Self> {
        let written = (|| -> std::io::Result<Self> {
            std::fs::create_dir_all(folder)?;
            let (mut file, path) =
                tempfile::Builder::new().prefix("write-").suffix(".note").tempfile_in(folder)?.keep()?;
            file.lock()?;
            file.write_all(temporary.as_os_str().as_encoded_bytes())?;
            file.sync_data()?;
            Ok(Self { path, _locked: file })
        })();
        written.map_err(|error| tracing::warn!(%error, "could not note an unfinished file")).ok()
    }
}

impl Drop for Note {
    fn drop(&mut self) {
        // Removed before the handle closes, so no clean-up ever sees it unlocked.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the temporary files that processes which ended mid-write left, and their notes.
/// Returns the files removed. Blocking: run it off the UI thread.
pub fn remove_leftovers(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut removed = Vec::new();
    for note in entries.filter_map(Result::ok).map(|e| e.path()) {
        if note.extension().is_none_or(|e| e != "note") {
            continue;
        }
        let Ok(mut file) = File::options().read(true).write(true).open(&note) else { continue };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => continue, // a write still under way
            Err(TryLockError::Error(error)) => {
                tracing::warn!(%error, note = %note.display(), "could not check a note of an unfinished file");
                continue;
            }
        }
        let mut bytes = Vec::new();
        if file.read_to_end(&mut bytes).is_err() {
            continue;
        }
        if bytes.is_empty() && !is_older_than(&file, FRESH_NOTE) {
            continue;
        }
        // Only ever a file named as AtomicFile names them, whatever the note says.
        let temporary = PathBuf::from(os_string_from(bytes));
        if is_temporary_name(&temporary) && std::fs::remove_file(&temporary).is_ok() {
            removed.push(temporary);
        }
        let _ = std::fs::remove_file(&note);
    }
    removed
}

fn is_older_than(file: &File, age: Duration) -> bool {
    file.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok()).is_some_and(|e| e > age)
}

/// The names [`crate::export::AtomicFile`] gives its temporary files: `.<name>.<random>.part`.
fn is_temporary_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') && n.ends_with(".part"))
}

#[cfg(unix)]
fn os_string_from(bytes: Vec<u8>) -> OsString {
    std::os::unix::ffi::OsStringExt::from_vec(bytes)
}

#[cfg(not(unix))]
fn os_string_from(bytes: Vec<u8>) -> OsString {
    OsString::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporary_in(folder: &Path) -> PathBuf {
        let path = folder.join(".contacts.csv.x1y2.part");
        std::fs::write(&path, "half").unwrap();
        path
    }

    #[test]
    fn a_note_nobody_holds_is_cleaned_up_with_its_file_and_a_held_one_is_left() {
        let notes = tempfile::tempdir().unwrap();
        let exports = tempfile::tempdir().unwrap();
        let live = temporary_in(exports.path());
        let held = Note::take_in(notes.path(), &live).unwrap();
        assert!(remove_leftovers(notes.path()).is_empty(), "a write under way is left alone");
        assert!(live.exists());

        // What a killed process leaves: the note (its lock gone with the process) and the file.
        let left = exports.path().join(".other.json.a1b2.part");
        std::fs::write(&left, "half").unwrap();
        std::fs::write(notes.path().join("write-dead.note"), left.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(remove_leftovers(notes.path()), vec![left.clone()]);
        assert!(!left.exists() && live.exists());
        assert!(!notes.path().join("write-dead.note").exists());

        drop(held);
        assert_eq!(std::fs::read_dir(notes.path()).unwrap().count(), 0, "a finished write takes its note along");
    }

    #[test]
    fn a_note_never_removes_a_file_that_is_not_a_temporary_one() {
        let notes = tempfile::tempdir().unwrap();
        let exports = tempfile::tempdir().unwrap();
        let precious = exports.path().join("contacts.csv");
        std::fs::write(&precious, "the user's file").unwrap();
        std::fs::write(notes.path().join("write-odd.note"), precious.as_os_str().as_encoded_bytes()).unwrap();
        assert!(remove_leftovers(notes.path()).is_empty());
        assert!(precious.exists());
    }
}
