//! Opening the dialogs that start from what the grid or the pane shows (the menus', the
//! palette's and the shortcuts' way in), and whether one is open.

use super::bulk::BulkKind;
use super::command::Command;
use super::delete::DeleteConfirmation;
use super::notifications::Level;
use super::password::{PasswordCommand, PasswordTarget};
use super::state::AppState;

impl AppState {
    /// Whether a dialog or confirmation is open: then no shortcut and no grid key may act
    /// on what is behind it. (The UI adds its own popups, such as the palette.)
    pub fn dialog_open(&self) -> bool {
        self.profiles.dialog.is_some()
            || self.exports.dialog.is_some()
            || self.deletes.confirmation.is_some()
            || self.passwords.dialog.is_some()
            || self.bulk.dialog.is_some()
            || self.import.dialog.is_some()
            || self.editor.leaving_for.is_some()
            || !self.editor.offered.is_empty()
            || self.forgetting.asking.is_some()
            || self.profiles.removing.is_some()
            || self.site_checks.dialog.is_some()
    }

    /// Asks to delete the grid's selection: the confirmation freezes what it shows.
    pub fn confirm_delete(&mut self) {
        self.deletes.ask(&self.grid, &mut self.shell.notifications);
    }

    /// Asks to delete the contact in the pane, through the same confirmation.
    pub fn confirm_delete_open_contact(&mut self) {
        if let Some(contact) = self.editor.open.as_ref().and_then(|open| open.base.as_ref()) {
            self.deletes.confirmation = Some(DeleteConfirmation::for_contact(contact));
        }
    }

    /// Opens the password dialog for the contact in the pane, or else the one under the
    /// grid's cursor (the palette's Reset password…).
    pub fn open_password_dialog(&mut self) {
        let in_pane = self.editor.open.as_ref().and_then(|open| open.base.as_ref());
        let under_cursor = self.grid.cursor.and_then(|row| self.grid.peek(row));
        match in_pane.or(under_cursor).map(PasswordTarget::of) {
            Some(target) => self.send(Command::Password(PasswordCommand::Open(target))),
            None => self.shell.notifications.push(
                Level::Info,
                "No contact chosen",
                "Click a contact first, then reset its password.",
            ),
        }
    }

    /// Opens a bulk dialog on the grid's selection, frozen as it is now.
    pub fn open_bulk_dialog(&mut self, kind: BulkKind) {
        if !self.bulk.open(kind, &self.grid, &self.related.known_zones) {
            self.shell.notifications.push(Level::Info, "Nothing selected", "Select the contacts to change first.");
        }
    }

    /// Opens the export dialog for the grid as it is (selection, columns, last options).
    pub fn open_export_dialog(&mut self) {
        let columns = self.layout().visible().map(|c| c.field.clone()).collect();
        self.exports.open(&self.grid, columns, &self.settings.export);
    }
}
