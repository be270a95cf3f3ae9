//! The export dialog's data, where the file goes (the native save dialog behind a trait),
//! and the export remembered between uses. The effects live in the app state.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::ContactScope;
use crate::api::fields::all_fields;
use crate::export::{ExportSettings, Format};

use crate::app::grid::Grid;
use crate::app::tasks::TaskId;

/// Asks the user where to save a file. Blocking (a native dialog): the app calls it on the
/// blocking pool, never on the UI thread.
pub trait FileChooser: Send + Sync {
    fn save_path(&self, request: &SaveRequest) -> Chosen;

    /// The file to import; without an open dialog the user types its path.
    fn open_path(&self) -> Chosen {
        Chosen::NoDialog
    }
}

/// How the save dialog ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Chosen {
    Path(PathBuf),
    #[default]
    Cancelled,
    /// There is no save dialog on this desktop: the user types the path instead.
    NoDialog,
}

/// What the save dialog opens with.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveRequest {
    pub folder: Option<PathBuf>,
    pub file_name: String,
    pub format: Format,
}

/// The platform's save dialog (the XDG desktop portal on Linux).
#[derive(Default)]
pub struct NativeFileChooser;

impl FileChooser for NativeFileChooser {
    fn save_path(&self, request: &SaveRequest) -> Chosen {
        let mut dialog = rfd::FileDialog::new()
            .set_title("Export contacts")
            .set_file_name(&request.file_name)
            .add_filter(request.format.label(), &[request.format.extension()]);
        if let Some(folder) = request.folder.as_deref().filter(|f| f.is_dir()) {
            dialog = dialog.set_directory(folder);
        }
        let opened = std::time::Instant::now();
        match dialog.save_file() {
            Some(path) => Chosen::Path(path),
            // rfd cannot tell "cancelled" from "no portal to ask" (a desktop without
            // xdg-desktop-portal): nobody cancels a dialog within a quarter of a second.
            None if opened.elapsed() < NO_DIALOG_WITHIN => Chosen::NoDialog,
            None => Chosen::Cancelled,
        }
    }

    fn open_path(&self) -> Chosen {
        let dialog = rfd::FileDialog::new()
            .set_title("Import contacts")
            .add_filter("Contacts (CSV, Excel)", &["csv", "txt", "xlsx"]);
        let opened = std::time::Instant::now();
        match dialog.pick_file() {
            Some(path) => Chosen::Path(path),
            None if opened.elapsed() < NO_DIALOG_WITHIN => Chosen::NoDialog,
            None => Chosen::Cancelled,
        }
    }
}

/// An answer faster than this means no dialog was shown.
const NO_DIALOG_WITHIN: std::time::Duration = std::time::Duration::from_millis(250);

/// What the app remembers of the last export.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportPrefs {
    /// Format and options (the columns follow the grid each time instead).
    pub settings: ExportSettings,
    pub last_folder: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeChoice {
    Selection,
    AllMatching,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportStage {
    /// The user is choosing what to export.
    Editing,
    /// The save dialog is open.
    ChoosingFile,
    Running {
        task: TaskId,
        path: PathBuf,
    },
}

/// The export dialog while it is open.
pub struct ExportDialog {
    pub scope: ScopeChoice,
    pub settings: ExportSettings,
    /// Every field that can be a column: the contract's, then the custom fields seen.
    pub available_fields: Vec<String>,
    /// The grid's visible columns, the default.
    pub grid_columns: Vec<String>,
    pub selected_count: u64,
    pub matching_count: u64,
    /// What each choice exports, frozen when the dialog opened: the grid may change behind
    /// it (a new search, another selection) without changing what this export writes.
    selection_scope: ContactScope,
    matching_scope: ContactScope,
    pub stage: ExportStage,
    /// Why the last attempt failed, shown in the dialog.
    pub error: Option<String>,
    /// The path typed in when the desktop has no save dialog.
    pub typed_path: Option<String>,
}

impl ExportDialog {
    /// A dialog for the grid as it is: the selection if there is one, the grid's columns, the
    /// format and options used last time.
    pub fn new(grid: &Grid, grid_columns: Vec<String>, prefs: &ExportPrefs) -> Self {
        let matching_count = grid.total().unwrap_or(0);
        let selected_count = grid.selection.count(matching_count);
        let settings = ExportSettings { columns: grid_columns.clone(), ..prefs.settings.clone() };
        Self {
            scope: if selected_count > 0 { ScopeChoice::Selection } else { ScopeChoice::AllMatching },
            settings,
            available_fields: all_fields(&grid.custom_fields),
            grid_columns,
            selected_count,
            matching_count,
            selection_scope: grid.selection_scope(),
            matching_scope: grid.matching_scope(),
            stage: ExportStage::Editing,
            error: None,
            typed_path: None,
        }
    }

    pub fn count(&self) -> u64 {
        match self.scope {
            ScopeChoice::Selection => self.selected_count,
            ScopeChoice::AllMatching => self.matching_count,
        }
    }

    /// The contacts the chosen scope exports, as they were when the dialog opened.
    pub fn scope(&self) -> &ContactScope {
        match self.scope {
            ScopeChoice::Selection => &self.selection_scope,
            ScopeChoice::AllMatching => &self.matching_scope,
        }
    }

    /// Why Export cannot start yet, for the button's tooltip.
    pub fn blocker(&self) -> Option<&'static str> {
        if self.count() == 0 {
            Some("No contacts to export")
        } else if self.settings.format.has_columns() && self.settings.columns.is_empty() {
            Some("Choose at least one column")
        } else {
            None
        }
    }

    pub fn is_busy(&self) -> bool {
        self.stage != ExportStage::Editing
    }

    /// Whether an export can start now.
    pub fn can_start(&self) -> bool {
        !self.is_busy() && self.blocker().is_none()
    }

    /// Shows or hides a column (a new one goes last).
    pub fn set_column(&mut self, field: &str, shown: bool) {
        let columns = &mut self.settings.columns;
        match (shown, columns.iter().position(|c| c == field)) {
            (true, None) => columns.push(field.to_owned()),
            (false, Some(at)) => {
                columns.remove(at);
            }
            _ => {}
        }
    }

    /// The file name offered: `contacts.csv`, `contacts-selection.xlsx`, ...
    pub fn suggested_file_name(&self) -> String {
        let stem = match self.scope {
            ScopeChoice::Selection => "contacts-selection",
            ScopeChoice::AllMatching => "contacts",
        };
        format!("{stem}.{}", self.settings.format.extension())
    }
}

/// The folder of `path`, remembered for the next export.
pub fn folder_of(path: &Path) -> Option<PathBuf> {
    path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_toggle_in_order_and_export_needs_one() {
        let grid = Grid::default();
        let mut dialog = ExportDialog::new(&grid, vec!["FirstName".into()], &ExportPrefs::default());
        assert_eq!(dialog.scope, ScopeChoice::AllMatching, "nothing selected");
        assert_eq!(dialog.blocker(), Some("No contacts to export"));
        dialog.matching_count = 10;
        dialog.set_column("Email", true);
        dialog.set_column("Email", true);
        assert_eq!(dialog.settings.columns, ["FirstName", "Email"]);
        dialog.set_column("FirstName", false);
        dialog.set_column("Email", false);
        assert_eq!(dialog.blocker(), Some("Choose at least one column"));
        dialog.settings.format = Format::Vcard;
        assert_eq!(dialog.blocker(), None, "a vCard has no columns to choose");
        assert_eq!(dialog.suggested_file_name(), "contacts.vcf");
    }
}
