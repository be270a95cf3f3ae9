//! UI settings kept between runs through eframe's persistence (window size is eframe's own).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::layout::GridLayout;

/// The key under which [`Settings`] are stored.
pub const STORAGE_KEY: &str = "treepl-contacts-settings";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    FollowSystem,
    Dark,
    Light,
}

impl ThemeChoice {
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::FollowSystem => egui::ThemePreference::System,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
            ThemeChoice::Light => egui::ThemePreference::Light,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub theme: ThemeChoice,
    /// The id of the site profile open when the app last closed; `None` is the sandbox.
    pub last_profile: Option<String>,
    /// The grid's columns and saved views, per site (profile id, or `sandbox`).
    pub layouts: BTreeMap<String, GridLayout>,
    /// The last export's format, options and folder.
    pub export: super::export::ExportPrefs,
    /// Whether the contact pane shows beside the grid (its width is egui's to keep).
    pub pane_shown: bool,
    /// How many days the change journal keeps an entry.
    pub journal_keep_days: u32,
    /// The import mappings kept per site (profile id, or `sandbox`), newest first.
    pub import_mappings: BTreeMap<String, Vec<crate::import::mapping::SavedMapping>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            theme: ThemeChoice::default(),
            last_profile: None,
            layouts: BTreeMap::new(),
            export: Default::default(),
            pane_shown: true,
            journal_keep_days: 90,
            import_mappings: BTreeMap::new(),
        }
    }
}
