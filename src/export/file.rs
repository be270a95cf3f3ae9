//! A file that appears only when complete: written to a hidden temporary file beside the
//! target and renamed over it at the end. Dropped before [`AtomicFile::commit`] (cancelled,
//! failed, or a panic), the temporary file is removed and the target is left as it was.
//! Killed outright, the process leaves it behind, noted for the next start to remove
//! (`unfinished.rs`).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::unfinished::Note;

pub struct AtomicFile {
    // Dropped in this order: the temporary file goes first, then its note.
    temp: tempfile::NamedTempFile,
    _note: Option<Note>,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the temporary file in the target's folder (a rename across file systems
    /// would not be atomic).
    pub fn create(target: &Path) -> io::Result<Self> {
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let temp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".part").tempfile_in(folder)?;
        // A file replaced keeps who may read it; a new one is private to this user.
        if let Ok(existing) = std::fs::metadata(target) {
            temp.as_file().set_permissions(existing.permissions())?;
        }
        let note = Note::take(temp.path());
        Ok(Self { temp, _note: note, target: target.to_owned() })
    }

    pub fn file_mut(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the data to disk and renames the file over the target.
    pub fn commit(self) -> io::Result<()> {
        self.temp.as_file().sync_all()?;
        self.temp.persist(&self.target).map_err(|error| error.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    #[test]
    fn the_target_changes_only_on_commit() {
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("contacts.csv");
        std::fs::write(&target, "old").unwrap();

        let mut file = AtomicFile::create(&target).unwrap();
        file.file_mut().write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        drop(file);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1, "the temporary file is gone");

        let mut file = AtomicFile::create(&target).unwrap();
        file.file_mut().write_all(b"new").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
    }
}
