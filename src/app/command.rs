//! What the user can ask for. One list of [`UiCommand`]s, each with its label, tooltip and
//! shortcut, feeds the menus, the keyboard shortcuts and the command palette alike, so every
//! shortcut is discoverable. The UI turns them (and dialog buttons) into [`Command`]s, which
//! the app state carries out.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::history::HistoryCommand;
use super::profiles::SiteProfile;
use super::related::RelatedCommand;

/// A user action that appears in menus and in the command palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiCommand {
    Undo,
    Refresh,
    SelectAll,
    Delete,
    BulkEdit,
    BulkZones,
    NewContact,
    SaveContact,
    RevertField,
    ResetPassword,
    TogglePane,
    Export,
    Import,
    ConnectSite,
    UseSandbox,
    CheckSite,
    CommandPalette,
    ToggleNotifications,
    History,
    KeyboardShortcuts,
    About,
    ThemeFollowSystem,
    ThemeDark,
    ThemeLight,
    Quit,
}

impl UiCommand {
    pub const ALL: [UiCommand; 25] = [
        UiCommand::Undo,
        UiCommand::Refresh,
        UiCommand::SelectAll,
        UiCommand::Delete,
        UiCommand::BulkEdit,
        UiCommand::BulkZones,
        UiCommand::NewContact,
        UiCommand::SaveContact,
        UiCommand::RevertField,
        UiCommand::ResetPassword,
        UiCommand::TogglePane,
        UiCommand::Export,
        UiCommand::Import,
        UiCommand::ConnectSite,
        UiCommand::UseSandbox,
        UiCommand::CheckSite,
        UiCommand::CommandPalette,
        UiCommand::ToggleNotifications,
        UiCommand::History,
        UiCommand::KeyboardShortcuts,
        UiCommand::About,
        UiCommand::ThemeFollowSystem,
        UiCommand::ThemeDark,
        UiCommand::ThemeLight,
        UiCommand::Quit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            UiCommand::Undo => "Undo the last change",
            UiCommand::Refresh => "Refresh",
            UiCommand::SelectAll => "Select all matching contacts",
            UiCommand::Delete => "Delete selected contacts…",
            UiCommand::BulkEdit => "Bulk edit selected contacts…",
            UiCommand::BulkZones => "Secure zones of selected contacts…",
            UiCommand::NewContact => "New contact",
            UiCommand::SaveContact => "Save changes",
            UiCommand::RevertField => "Revert this field",
            UiCommand::ResetPassword => "Reset password…",
            UiCommand::TogglePane => "Contact pane",
            UiCommand::Export => "Export contacts…",
            UiCommand::Import => "Import contacts…",
            UiCommand::ConnectSite => "Connect a site…",
            UiCommand::UseSandbox => "Use the sandbox site",
            UiCommand::CheckSite => "Check this site…",
            UiCommand::CommandPalette => "Command palette…",
            UiCommand::ToggleNotifications => "Notifications",
            UiCommand::History => "History of changes…",
            UiCommand::KeyboardShortcuts => "Keyboard shortcuts",
            UiCommand::About => "About Treepl Contacts…",
            UiCommand::ThemeFollowSystem => "Theme: follow the system",
            UiCommand::ThemeDark => "Theme: dark",
            UiCommand::ThemeLight => "Theme: light",
            UiCommand::Quit => "Quit",
        }
    }

    pub fn tooltip(self) -> &'static str {
        match self {
            UiCommand::Undo => "Undo the newest change this app made to the site, as History's Undo does",
            UiCommand::Refresh => "Load the contacts again from the site, keeping the place and the selection",
            UiCommand::SelectAll => "Select every contact the filter matches, loaded or not",
            UiCommand::Delete => "Delete the selected contacts from the site, after you confirm",
            UiCommand::BulkEdit => "Set or clear fields of every selected contact, with a preview first",
            UiCommand::BulkZones => "Grant or revoke a secure zone for every selected contact",
            UiCommand::NewContact => "Create a contact on the site, in the contact pane",
            UiCommand::SaveContact => "Save the changes to the contact in the pane",
            UiCommand::RevertField => "Put the field being edited back as it was loaded",
            UiCommand::ResetPassword => "Set a new password for the contact in the pane, after you type it twice",
            UiCommand::TogglePane => "Show or hide the contact pane beside the grid",
            UiCommand::Export => "Save the selected or all matching contacts as CSV, Excel, JSON or vCard",
            UiCommand::Import => "Create or update contacts from a CSV or Excel file, with a dry run first",
            UiCommand::ConnectSite => "Add a Treepl site with its API application's Client ID and Secret",
            UiCommand::UseSandbox => "Switch to the built-in sandbox site with demo data",
            UiCommand::CheckSite => {
                "Find out how this site reads filters, paging and sorting, and speak its dialect from then on"
            }
            UiCommand::CommandPalette => "Find and run any command by name",
            UiCommand::ToggleNotifications => "Show or hide the history of messages",
            UiCommand::History => "Every change this app made to the site, what it changed, and Undo",
            UiCommand::KeyboardShortcuts => "Every keyboard shortcut of the app",
            UiCommand::About => "The version, the commit it was built from, and the licences of the crates built in",
            UiCommand::ThemeFollowSystem => "Use the light or dark theme of the system",
            UiCommand::ThemeDark => "Always use the dark theme",
            UiCommand::ThemeLight => "Always use the light theme",
            UiCommand::Quit => "Close Treepl Contacts",
        }
    }

    /// Every command, those whose shortcut holds more modifiers first: egui matches Ctrl+N
    /// on Ctrl+Shift+N too, so Ctrl+Shift+N must be tried before Ctrl+N.
    pub fn by_modifiers() -> [UiCommand; Self::ALL.len()] {
        let mut all = Self::ALL;
        let held = |c: &UiCommand| c.shortcut().map_or(0, |s| s.modifiers.shift as u8 + s.modifiers.alt as u8);
        all.sort_by_key(|c| std::cmp::Reverse(held(c)));
        all
    }

    /// Whether the shortcut means something else while typing (Ctrl+A selects the text,
    /// Delete deletes a character).
    pub fn is_text_editing_key(self) -> bool {
        matches!(self, UiCommand::SelectAll | UiCommand::Delete | UiCommand::Undo)
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let ctrl = |key| Some(KeyboardShortcut::new(Modifiers::COMMAND, key));
        match self {
            UiCommand::Undo => ctrl(Key::Z),
            UiCommand::Refresh => Some(KeyboardShortcut::new(Modifiers::NONE, Key::F5)),
            UiCommand::KeyboardShortcuts => Some(KeyboardShortcut::new(Modifiers::NONE, Key::F1)),
            UiCommand::ConnectSite => ctrl(Key::O),
            UiCommand::NewContact => ctrl(Key::N),
            UiCommand::SelectAll => ctrl(Key::A),
            UiCommand::Delete => Some(KeyboardShortcut::new(Modifiers::NONE, Key::Delete)),
            UiCommand::SaveContact => ctrl(Key::S),
            UiCommand::RevertField => ctrl(Key::R),
            UiCommand::TogglePane => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::P)),
            UiCommand::Export => ctrl(Key::E),
            UiCommand::CommandPalette => ctrl(Key::K),
            UiCommand::ToggleNotifications => {
                Some(KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::N))
            }
            UiCommand::Quit => ctrl(Key::Q),
            UiCommand::History => ctrl(Key::H),
            UiCommand::UseSandbox
            | UiCommand::CheckSite
            | UiCommand::BulkEdit
            | UiCommand::BulkZones
            | UiCommand::Import
            | UiCommand::ResetPassword
            | UiCommand::About
            | UiCommand::ThemeFollowSystem
            | UiCommand::ThemeDark
            | UiCommand::ThemeLight => None,
        }
    }
}

/// Keys that act in one place rather than as commands, for Help > Keyboard shortcuts.
pub const PLACE_KEYS: &[(&str, &str, &str)] = &[
    ("The grid", "Arrows, Page Up/Down, Home/End", "Move the cursor (with Shift: extend the selection)"),
    ("The grid", "Click, Ctrl+click, Shift+click", "Select a row, one more, or a range"),
    ("The grid", "Enter", "Edit the contact in the pane"),
    ("The contact pane", "Tab, Shift+Tab", "Next or previous field"),
    ("Dialogs", "Escape", "Close the dialog or window"),
    ("Dialogs", "Enter", "The dialog's main button"),
];

/// Where the app is connected: the embedded sandbox or a saved profile (by id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Sandbox,
    Profile(String),
}

impl Target {
    /// The key its settings and files are kept under: `sandbox`, or the profile's id.
    pub fn key(&self) -> String {
        match self {
            Target::Sandbox => "sandbox".to_owned(),
            Target::Profile(id) => id.clone(),
        }
    }
}

/// A site profile being added: what the connect dialog holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileDraft {
    pub name: String,
    pub site_url: String,
    pub client_id: String,
    /// Held only while the dialog is open; goes to the keyring on save.
    pub client_secret: super::secret_text::SecretText,
}

impl ProfileDraft {
    pub fn profile(&self) -> SiteProfile {
        let name = if self.name.trim().is_empty() { self.site_url.trim() } else { self.name.trim() };
        SiteProfile::new(name, &self.site_url, &self.client_id)
    }
}

/// An effect for the app state to carry out (in the background): the app's own, or one
/// for a feature, which the state routes to it.
#[derive(Debug)]
pub enum Command {
    Open(Target),
    /// Asks the tabs of the contact in the pane.
    Related(RelatedCommand),
    History(HistoryCommand),
    Grid(super::grid::GridCommand),
    /// Deletes what the user confirmed (the scope frozen in the confirmation).
    Delete(super::delete::DeleteConfirmation),
    Editor(super::contact::EditorCommand),
    Export(super::export::ExportCommand),
    Profiles(super::profiles::ProfilesCommand),
    Password(super::password::PasswordCommand),
    Bulk(super::bulk::BulkCommand),
    Import(super::import::ImportCommand),
    Forget(super::forget::ForgetCommand),
    SiteCheck(super::site_check::SiteCheckCommand),
    Cancel(super::tasks::TaskId),
    /// The window is asked to close: it may, unless unsaved changes want an answer first.
    Quit,
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_shortcut_with_shift_is_tried_before_the_same_without() {
        let order = super::UiCommand::by_modifiers();
        let at = |c| order.iter().position(|o| *o == c).unwrap();
        assert!(at(super::UiCommand::ToggleNotifications) < at(super::UiCommand::NewContact));
    }

    use super::*;

    #[test]
    fn a_command_carrying_a_draft_never_shows_its_secret() {
        let draft = ProfileDraft { client_secret: "s3cr3t-value".into(), ..ProfileDraft::default() };
        let command = Command::Profiles(super::super::profiles::ProfilesCommand::Save { draft, session_only: false });
        assert!(!format!("{command:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn every_command_has_a_label_a_tooltip_and_distinct_shortcuts() {
        let mut shortcuts = Vec::new();
        for command in UiCommand::ALL {
            assert!(!command.label().is_empty() && !command.tooltip().is_empty());
            if let Some(shortcut) = command.shortcut() {
                assert!(!shortcuts.contains(&shortcut), "{command:?} reuses a shortcut");
                shortcuts.push(shortcut);
            }
        }
    }
}
