//! Site profiles: a name, a site URL and a Client ID, kept in `profiles.json` in the
//! platform config directory. The Client Secret is never here: it lives in the keyring
//! under the profile's `id` (see `credentials`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteProfile {
    /// Stable key for the keyring entry and the "last profile" setting.
    pub id: String,
    pub name: String,
    pub site_url: String,
    pub client_id: String,
}

impl SiteProfile {
    /// A new profile with a fresh id.
    pub fn new(name: &str, site_url: &str, client_id: &str) -> Self {
        let id = format!("site-{:016x}", fastrand::u64(..));
        Self {
            id,
            name: name.trim().to_owned(),
            site_url: site_url.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
        }
    }
}

#[derive(Default, Serialize, Deserialize)]
struct ProfilesFile {
    #[serde(default)]
    profiles: Vec<SiteProfile>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileFileError {
    #[error("Could not read the site profiles in {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("The site profiles in {path} are damaged ({message}); fix or remove the file.")]
    Damaged { path: PathBuf, message: String },
    #[error("Could not save the site profiles to {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// `profiles.json` in a config folder. Blocking: call it from a background task.
#[derive(Clone, Debug)]
pub struct ProfileFile {
    path: PathBuf,
}

impl ProfileFile {
    pub fn in_folder(folder: &Path) -> Self {
        Self { path: folder.join("profiles.json") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved profiles; none when the file does not exist yet.
    pub fn load(&self) -> Result<Vec<SiteProfile>, ProfileFileError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(ProfileFileError::Read { path: self.path.clone(), source }),
        };
        let file: ProfilesFile = serde_json::from_str(&text)
            .map_err(|e| ProfileFileError::Damaged { path: self.path.clone(), message: e.to_string() })?;
        Ok(file.profiles)
    }

    /// Writes all profiles: to a temporary file beside the target, then renamed over it,
    /// so that a crash never leaves half a file.
    pub fn save(&self, profiles: &[SiteProfile]) -> Result<(), ProfileFileError> {
        let write_error = |source| ProfileFileError::Write { path: self.path.clone(), source };
        let folder = self.path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(folder).map_err(write_error)?;
        let text = serde_json::to_string_pretty(&ProfilesFile { profiles: profiles.to_vec() })
            .map_err(|e| write_error(std::io::Error::other(e)))?;
        let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(write_error)?;
        temporary.write_all(text.as_bytes()).map_err(write_error)?;
        temporary.as_file().sync_all().map_err(write_error)?;
        temporary.persist(&self.path).map_err(|e| write_error(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_saved_and_read_back_without_secrets() {
        let folder = tempfile::tempdir().unwrap();
        let file = ProfileFile::in_folder(&folder.path().join("nested"));
        assert_eq!(file.load().unwrap(), Vec::new(), "no file yet is no profiles");
        let profile = SiteProfile::new(" Shop ", "https://shop.example.com", "client-1");
        file.save(std::slice::from_ref(&profile)).unwrap();
        assert_eq!(file.load().unwrap(), vec![profile]);
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(!text.to_lowercase().contains("secret"));
    }

    #[test]
    fn a_damaged_file_is_reported_not_overwritten() {
        let folder = tempfile::tempdir().unwrap();
        let file = ProfileFile::in_folder(folder.path());
        std::fs::write(file.path(), "{ not json").unwrap();
        let error = file.load().unwrap_err().to_string();
        assert!(error.contains("damaged"), "{error}");
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), "{ not json");
    }
}
