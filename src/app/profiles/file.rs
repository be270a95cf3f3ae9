//! Site profiles: a name, a site URL and a Client ID, kept in `profiles.json` in the
//! platform config directory. The Client Secret is never here: it lives in the keyring
//! under the profile's `id` (see `credentials`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::api::Dialect;
use crate::doctor::SiteCheck;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteProfile {
    /// Stable key for the keyring entry and the "last profile" setting.
    pub id: String,
    pub name: String,
    pub site_url: String,
    pub client_id: String,
    /// What the doctor last found about the site, and the dialect the app speaks to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_check: Option<SiteCheck>,
}

impl SiteProfile {
    /// How the app encodes requests for this site: what the doctor learned, or the default.
    pub fn dialect(&self) -> Dialect {
        self.site_check.as_ref().map(|check| check.dialect.clone()).unwrap_or_default()
    }

    /// A new profile with a fresh id.
    pub fn new(name: &str, site_url: &str, client_id: &str) -> Self {
        let id = format!("site-{:016x}", fastrand::u64(..));
        Self {
            id,
            name: name.trim().to_owned(),
            site_url: site_url.trim().to_owned(),
            client_id: client_id.trim().to_owned(),
            site_check: None,
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

/// Why the profiles file may not be written over: it could not be read, nor moved aside.
#[derive(Debug, thiserror::Error)]
pub enum Unwritable {
    #[error("{read} It could not be moved aside ({moving}), so no site can be saved until it is fixed or removed.")]
    NotMovedAside {
        #[source]
        read: ProfileFileError,
        moving: std::io::Error,
    },
    #[error("Reading the site profiles stopped ({0}).")]
    ReadStopped(#[source] tokio::task::JoinError),
}

/// Why a change to the profiles was not written (the list is as it was).
#[derive(Debug, thiserror::Error)]
pub enum ProfileStoreError {
    #[error(transparent)]
    Unwritable(Arc<Unwritable>),
    #[error(transparent)]
    File(#[from] ProfileFileError),
    /// The blocking task that wrote the file stopped.
    #[error(transparent)]
    Stopped(#[from] tokio::task::JoinError),
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

    /// Moves a file that could not be read out of the way, under a name with the time
    /// (`profiles.json.damaged-20261202-054500`), so that no later save overwrites it.
    pub fn set_aside(&self) -> std::io::Result<PathBuf> {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let mut aside = self.path.with_extension(format!("json.damaged-{stamp}"));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = self.path.with_extension(format!("json.damaged-{stamp}-{n}"));
        }
        std::fs::rename(&self.path, &aside)?;
        Ok(aside)
    }

    /// Writes all profiles: to a temporary file beside the target, then renamed over it,
    /// so that a crash never leaves half a file.
    pub fn save(&self, profiles: &[SiteProfile]) -> Result<(), ProfileFileError> {
        let write_error = |source| ProfileFileError::Write { path: self.path.clone(), source };
        let folder = self.path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(folder).map_err(write_error)?;
        let text = serde_json::to_string_pretty(&ProfilesFile { profiles: profiles.to_vec() })
            .map_err(|e| write_error(std::io::Error::other(e)))?;
        let mut file = crate::export::AtomicFile::create(&self.path).map_err(write_error)?;
        file.file_mut().write_all(text.as_bytes()).map_err(write_error)?;
        file.commit().map_err(write_error)
    }
}

/// What reading the profiles at start found.
#[derive(Debug, Default)]
pub struct LoadedProfiles {
    pub profiles: Vec<SiteProfile>,
    /// The file could not be read: why, and where it was kept instead, for the user.
    pub problem: Option<String>,
}

/// The one writer of the profiles file. Every change is applied, in the order asked, to the
/// list as last written, so that two saves in flight both land. A file that could not be
/// read is moved aside first and never overwritten; if it cannot be moved, nothing is
/// written over it.
#[derive(Clone)]
pub struct ProfileStore {
    file: ProfileFile,
    /// The profiles as written; `Err` while the file may not be written over.
    written: Arc<tokio::sync::Mutex<Result<Vec<SiteProfile>, Arc<Unwritable>>>>,
}

impl ProfileStore {
    pub fn new(file: ProfileFile) -> Self {
        Self { file, written: Arc::new(tokio::sync::Mutex::new(Ok(Vec::new()))) }
    }

    /// Reads the file (on the blocking pool). A damaged or unreadable file is moved aside.
    pub async fn load(&self) -> LoadedProfiles {
        let mut written = self.written.lock().await;
        let file = self.file.clone();
        let read = tokio::task::spawn_blocking(move || match file.load() {
            Ok(profiles) => (Ok(profiles), None),
            Err(error) => match file.set_aside() {
                Ok(aside) => (
                    Ok(Vec::new()),
                    Some(format!("{error} It was kept as {} and the app starts with no sites.", aside.display())),
                ),
                Err(moving) => {
                    let stuck = Arc::new(Unwritable::NotMovedAside { read: error, moving });
                    let why = stuck.to_string();
                    (Err(stuck), Some(why))
                }
            },
        })
        .await;
        let (state, problem) = read.unwrap_or_else(|stopped| {
            let stuck = Arc::new(Unwritable::ReadStopped(stopped));
            let why = stuck.to_string();
            (Err(stuck), Some(why))
        });
        let profiles = state.clone().unwrap_or_default();
        *written = state;
        LoadedProfiles { profiles, problem }
    }

    /// Applies `change` to the profiles as written and writes the file; the list is
    /// changed only if the file was written.
    pub async fn change(&self, change: impl FnOnce(&mut Vec<SiteProfile>)) -> Result<(), ProfileStoreError> {
        let mut written = self.written.lock().await;
        let mut profiles = written.as_ref().map_err(|stuck| ProfileStoreError::Unwritable(Arc::clone(stuck)))?.clone();
        change(&mut profiles);
        let (file, to_write) = (self.file.clone(), profiles.clone());
        tokio::task::spawn_blocking(move || file.save(&to_write)).await??;
        *written = Ok(profiles);
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

    #[tokio::test]
    async fn a_damaged_file_is_kept_aside_reported_and_survives_later_saves() {
        let folder = tempfile::tempdir().unwrap();
        let file = ProfileFile::in_folder(folder.path());
        std::fs::write(file.path(), "{ not json").unwrap();
        let store = ProfileStore::new(file.clone());
        let loaded = store.load().await;
        assert!(loaded.profiles.is_empty());
        let problem = loaded.problem.unwrap();
        assert!(problem.contains("damaged") && problem.contains("kept as"), "{problem}");
        let profile = SiteProfile::new("Shop", "https://shop.example.com", "c");
        store.change(|profiles| profiles.push(profile.clone())).await.unwrap();
        assert_eq!(file.load().unwrap(), vec![profile]);
        let kept: Vec<_> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("damaged"))
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), "{ not json", "the damaged copy is intact");
    }

    #[tokio::test]
    async fn changes_in_flight_all_land_in_order() {
        let folder = tempfile::tempdir().unwrap();
        let file = ProfileFile::in_folder(folder.path());
        let store = ProfileStore::new(file.clone());
        store.load().await;
        let saves: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let profile = SiteProfile::new(&format!("Site {i}"), "https://example.com", "c");
                    store.change(|profiles| profiles.push(profile)).await
                })
            })
            .collect();
        for save in saves {
            save.await.unwrap().unwrap();
        }
        let mut names: Vec<String> = file.load().unwrap().into_iter().map(|p| p.name).collect();
        names.sort();
        assert_eq!(names, (0..8).map(|i| format!("Site {i}")).collect::<Vec<_>>());
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
