//! The Changes tab: what this app changed of the contact, from the site's change journal,
//! newest first; the picked entry shows as in the History panel, with its Undo.

use crate::app::related::{Related, Tab};

use super::list::{row_ui, rows_ui};
use super::{Intents, ListSplit, empty_ui, error_ui, loading_ui};

/// `undoing`: an undo is running (one at a time).
pub fn ui(ui: &mut egui::Ui, related: &mut Related, undoing: bool, intents: &mut Intents) {
    let changes = &mut related.changes;
    let entries = match (&changes.entries, &changes.error) {
        (None, Some(error)) => return error_ui(ui, error, Tab::Changes, intents),
        (None, None) => return loading_ui(ui, "Reading the change journal…"),
        (Some(entries), _) if entries.is_empty() => {
            return empty_ui(ui, "This app has not changed this contact yet.");
        }
        (Some(entries), _) => entries,
    };
    let split = ListSplit::new(ui, changes.selected.is_some());
    let height = split.list_height;
    let mut picked = None;
    rows_ui(ui, "contact_changes", entries.len() as u64, height, &mut None, &mut None, |ui, index, row_height| {
        let Some(entry) = entries.get(index as usize) else { return };
        let selected = changes.selected == Some(entry.id);
        if row_ui(ui, &crate::ui::history::row(entry), selected, row_height).clicked() {
            picked = Some(entry.id);
        }
    });
    if picked.is_some() {
        changes.selected = picked;
    }
    if let Some(entry) = changes.selected_entry() {
        split.line_ui(ui);
        crate::ui::history::entry_ui(ui, entry, undoing, intents);
    }
}
