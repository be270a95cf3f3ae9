//! The files the app writes hold personal data (contacts in the journal, drafts, exports,
//! saved searches): they are the user's alone, 0600 in 0700 folders. New files get that from
//! the process's umask (which also covers what SQLite and eframe create themselves: the
//! journal's WAL and SHM files, the settings file); folders and files an older version left
//! readable to others are tightened at start.

use std::path::Path;

/// From now on, files this process creates are readable by the user only.
pub fn restrict_new_files() {
    #[cfg(unix)]
    // SAFETY: umask only sets the process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Makes `folder` and everything under it the user's alone (0700 folders, 0600 files);
/// returns how many were changed. Links are left alone. Blocking: call it off the UI thread.
pub fn tighten(folder: &Path) -> usize {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut changed = 0;
        let mut folders = vec![folder.to_owned()];
        while let Some(folder) = folders.pop() {
            let Ok(meta) = std::fs::symlink_metadata(&folder) else { continue };
            if !meta.is_dir() {
                continue;
            }
            if meta.permissions().mode() & 0o077 != 0
                && std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700)).is_ok()
            {
                changed += 1;
            }
            let Ok(entries) = std::fs::read_dir(&folder) else { continue };
            for entry in entries.flatten() {
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() {
                    folders.push(entry.path());
                } else if meta.is_file()
                    && meta.permissions().mode() & 0o077 != 0
                    && std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600)).is_ok()
                {
                    changed += 1;
                }
            }
        }
        changed
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        0
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn an_older_folder_readable_to_others_is_made_private() {
        let root = tempfile::tempdir().unwrap();
        let journal = root.path().join("journal");
        std::fs::create_dir_all(&journal).unwrap();
        std::fs::write(journal.join("sandbox.sqlite"), b"x").unwrap();
        std::fs::set_permissions(&journal, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(journal.join("sandbox.sqlite"), std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(tighten(root.path()) >= 2);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&journal), 0o700);
        assert_eq!(mode(&journal.join("sandbox.sqlite")), 0o600);
    }
}
