//! What the app needs from its surroundings: its folders, the keyring, the client's options,
//! the save dialog and the clipboard. Tests give temporary folders and stand-ins.

use std::path::PathBuf;
use std::sync::Arc;

use crate::api::ClientOptions;

use super::clipboard::Clipboard;
use super::credentials::SecretStore;
use super::export::FileChooser;

/// What the app needs from its surroundings; tests give temporary folders and a mock keyring.
#[derive(Clone)]
pub struct AppConfig {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub keyring: Arc<dyn SecretStore>,
    /// Demo contacts put into a new sandbox database.
    pub sandbox_seed: u64,
    pub client_options: ClientOptions,
    /// Where exports go: the native save dialog, or a fixed path in tests.
    pub file_chooser: Arc<dyn FileChooser>,
    /// Faults for the built-in sandbox (`TREEPL_SANDBOX_FAULTS`, the sandbox command's
    /// `--faults` syntax): a slow or flaky site to try the app against.
    pub sandbox_faults: Option<String>,
    /// Where Copy puts a password: the system clipboard, or one in memory in tests.
    pub clipboard: Arc<dyn Clipboard>,
}
