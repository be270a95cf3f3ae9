//! The History panel: the change journal newest first, narrowed by name, operation or the
//! contact in the pane; the picked entry's field-by-field changes, its Undo, and the export
//! of the whole journal as JSON lines.

use crate::api::fields::field_title;
use crate::app::AppState;
use crate::app::command::Command;
use crate::app::history::{HistoryCommand, HistoryPanel, OpenBatch, Picked};
use crate::app::journal::diff::changes;
use crate::app::journal::{BatchSummary, Entry, HistoryItem, JournalOutcome, Operation};
use crate::app::text::{contact_name, date_time};

use super::related::list::{Row, row_ui, rows_ui};
use super::{Intents, thousands};

/// What only the panel's drawing keeps.
#[derive(Default)]
pub struct HistoryView {
    /// Where Export writes.
    pub export_path: String,
}

pub fn ui(ctx: &egui::Context, state: &mut AppState, view: &mut HistoryView, intents: &mut Intents) {
    let AppState { history, editor, .. } = state;
    if !history.open {
        return;
    }
    let pane_contact = editor.open.as_ref().and_then(|o| o.base.as_ref()).map(|c| (c.id, contact_name(c)));
    let mut open = true;
    let middle = ctx.content_rect().center();
    let on_top = top_window(ctx) == Some(egui::LayerId::new(egui::Order::Middle, history_window_id()));
    let escape = escape_closes(ctx, history_window_id(), on_top);
    let window = egui::Window::new("History")
        .id(history_window_id())
        .open(&mut open)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(middle)
        .default_size([820.0, 520.0])
        .min_width(560.0)
        .collapsible(false);
    window.show(ctx, |ui| {
        filters_ui(ui, history, pane_contact, intents);
        ui.separator();
        if let Some(error) = &history.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        // Panels first (the export along the bottom, the entries down the left), then the
        // picked entry in what is left.
        egui::Panel::bottom("history_export").show(ui, |ui| export_ui(ui, view, intents));
        if history.items.is_empty() {
            let what = if history.is_loading() { "Reading the journal…" } else { "No changes recorded yet." };
            ui.weak(what);
        } else {
            egui::Panel::left("history_entries").resizable(true).default_size(300.0).show(ui, |ui| {
                entries_ui(ui, history, intents);
            });
            picked_ui(ui, history, intents);
        }
    });
    if !open || escape {
        intents.commands.push(Command::History(HistoryCommand::Hide));
    }
}

fn history_window_id() -> egui::Id {
    egui::Id::unique("history_window")
}

/// The window on top of the others (as drawn last frame), if any window is shown.
pub(crate) fn top_window(ctx: &egui::Context) -> Option<egui::LayerId> {
    ctx.memory(|memory| {
        memory.layer_ids().filter(|layer| layer.order == egui::Order::Middle && memory.areas().is_visible(layer)).last()
    })
}

/// Whether Escape closes the window or panel `id` this frame; the key is then taken, so
/// nothing behind acts on it too. Only when it is `on_top` of the other windows, no modal
/// dialog or popup is open (they close first), and no widget had the keyboard a frame ago
/// (that Escape only leaves the field, as egui does; the next one closes).
pub(crate) fn escape_closes(ctx: &egui::Context, id: egui::Id, on_top: bool) -> bool {
    let key = id.with("had_keyboard");
    let had_keyboard = ctx.data(|data| data.get_temp::<bool>(key)).unwrap_or(false);
    let has_keyboard = ctx.memory(|memory| memory.focused().is_some());
    ctx.data_mut(|data| data.insert_temp(key, has_keyboard));
    let covered = ctx.memory(|memory| memory.top_modal_layer().is_some()) || egui::Popup::is_any_open(ctx);
    on_top
        && !covered
        && !had_keyboard
        && ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
}

fn filters_ui(ui: &mut egui::Ui, history: &mut HistoryPanel, pane: Option<(i64, String)>, intents: &mut Intents) {
    let before = history.filter.clone();
    ui.horizontal(|ui| {
        let search =
            egui::TextEdit::singleline(&mut history.filter.text).hint_text("Name or email").desired_width(180.0);
        ui.add(search).widget_info(|| egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search the history"));
        let shown = history.filter.operation.map_or("Every change", Operation::title);
        let kinds = egui::ComboBox::from_id_salt("history_operation").selected_text(shown).show_ui(ui, |ui| {
            ui.selectable_value(&mut history.filter.operation, None, "Every change");
            for operation in Operation::ALL {
                ui.selectable_value(&mut history.filter.operation, Some(operation), operation.title());
            }
        });
        let kind = format!("Kind of change: {shown}");
        kinds.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &kind));
        match (pane, history.filter.contact) {
            (_, Some(contact)) => {
                let name = history.items.iter().find_map(|item| match item {
                    HistoryItem::Entry(e) if e.contact == Some(contact) => Some(e.label.clone()),
                    _ => None,
                });
                let name = name.unwrap_or_else(|| format!("contact {contact}"));
                if ui.button(format!("Only {name} ✕")).on_hover_text("Show every contact's changes").clicked() {
                    history.filter.contact = None;
                }
            }
            (Some((id, name)), None) => {
                if ui
                    .button(format!("Only {name}"))
                    .on_hover_text("Show the changes of the contact in the pane")
                    .clicked()
                {
                    history.filter.contact = Some(id);
                }
            }
            (None, None) => {}
        }
        if history.is_loading() {
            ui.spinner();
        }
    });
    if history.filter != before {
        intents.commands.push(Command::History(HistoryCommand::Reload));
    }
}

fn outcome_text(outcome: JournalOutcome) -> &'static str {
    match outcome {
        JournalOutcome::Pending => "pending",
        JournalOutcome::Done => "done",
        JournalOutcome::Failed => "failed",
        JournalOutcome::Unknown => "outcome unknown",
    }
}

pub(super) fn row(entry: &Entry) -> Row {
    let when = entry.at.as_ref().map_or_else(String::new, date_time);
    let mut detail = vec![when];
    if entry.batch.is_some() {
        detail.push("bulk".to_owned());
    }
    if entry.undo_of.is_some() {
        detail.push("an undo".to_owned());
    }
    let aside = if entry.undone_by.is_some() { "done, undone" } else { outcome_text(entry.outcome) };
    Row {
        title: format!("{} · {}", entry.operation.title(), entry.label),
        aside: aside.to_owned(),
        detail: detail.join(" · "),
    }
}

fn batch_row(batch: &BatchSummary) -> Row {
    let when = batch.at.as_ref().map_or_else(String::new, date_time);
    Row { title: batch.title.clone(), aside: batch_outcome(batch), detail: format!("{when} · bulk") }
}

/// How a bulk operation ended, in a few words: "6 done", "4 done, 2 failed", "done, undone".
fn batch_outcome(batch: &BatchSummary) -> String {
    if batch.undone > 0 && batch.undone >= batch.done {
        return "done, undone".to_owned();
    }
    let mut parts = vec![format!("{} done", thousands(batch.done))];
    if batch.failed > 0 {
        parts.push(format!("{} failed", thousands(batch.failed)));
    }
    let other = batch.writes.saturating_sub(batch.done + batch.failed);
    if other > 0 {
        parts.push(format!("{} not known", thousands(other)));
    }
    if batch.undone > 0 {
        parts.push(format!("{} undone", thousands(batch.undone)));
    }
    parts.join(", ")
}

fn entries_ui(ui: &mut egui::Ui, history: &HistoryPanel, intents: &mut Intents) {
    let total = history.items.len() as u64;
    let height = ui.available_height();
    rows_ui(ui, "history_rows", total, height, &mut None, &mut None, |ui, index, row_height| {
        let Some(item) = history.items.get(index as usize) else { return };
        let (line, picked) = match item {
            HistoryItem::Entry(entry) => (row(entry), Picked::Entry(entry.id)),
            HistoryItem::Batch(batch) => (batch_row(batch), Picked::Batch(batch.id)),
        };
        if row_ui(ui, &line, history.picked == Some(picked), row_height).clicked() {
            intents.commands.push(Command::History(HistoryCommand::Pick(picked)));
        }
    });
}

fn picked_ui(ui: &mut egui::Ui, history: &HistoryPanel, intents: &mut Intents) {
    let busy = history.undoing || history.is_loading();
    if let Some(entry) = history.selected_entry() {
        return entry_ui(ui, entry, busy, intents);
    }
    match (history.selected_batch(), &history.batch) {
        (Some(batch), Some(open)) => batch_ui(ui, batch, open, busy, intents),
        _ => {
            ui.weak("Pick a change to see what it did.");
        }
    }
}

/// A bulk operation: what it was, its Undo as one step, and its contacts, each opening to
/// its own changes.
fn batch_ui(ui: &mut egui::Ui, batch: &BatchSummary, open: &OpenBatch, busy: bool, intents: &mut Intents) {
    ui.strong(&batch.title);
    let when = batch.at.as_ref().map_or_else(String::new, date_time);
    ui.weak(format!("{when} · {}", batch_outcome(batch)));
    let why = if busy {
        "An undo is running"
    } else if batch.undos > 0 {
        "This is an undo; undo its contacts one by one if needed"
    } else {
        "Every contact of it is undone already, or none was done"
    };
    let can = !busy && batch.can_undo();
    let undo = ui.add_enabled(can, egui::Button::new("Undo the whole operation")).on_disabled_hover_text(why);
    if undo.on_hover_text("Undo every change of this bulk operation, as one step").clicked() {
        intents.commands.push(Command::History(HistoryCommand::UndoBatch(batch.id)));
    }
    ui.add_space(6.0);
    let Some(members) = &open.members else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading its contacts…");
        });
        return;
    };
    let height = if open.selected.is_some() { ui.available_height() * 0.4 } else { ui.available_height() };
    rows_ui(ui, "history_batch_rows", members.len() as u64, height, &mut None, &mut None, |ui, index, h| {
        let Some(entry) = members.get(index as usize) else { return };
        if row_ui(ui, &row(entry), open.selected == Some(entry.id), h).clicked() {
            intents.commands.push(Command::History(HistoryCommand::PickMember(entry.id)));
        }
    });
    if let Some(entry) = open.selected_entry() {
        ui.separator();
        entry_ui(ui, entry, busy, intents);
    }
}

/// One entry: what, when, how it ended, its Undo and its changes field by field.
pub(super) fn entry_ui(ui: &mut egui::Ui, entry: &Entry, undoing: bool, intents: &mut Intents) {
    ui.strong(format!("{} · {}", entry.operation.title(), entry.label));
    let when = entry.at.as_ref().map_or_else(String::new, date_time);
    ui.weak(format!("{when} · {}", outcome_text(entry.outcome)));
    if let Some(detail) = &entry.detail {
        ui.add(egui::Label::new(detail).wrap());
    }
    ui.horizontal(|ui| {
        let (can, why) = undo_state(entry, undoing);
        let undo = ui.add_enabled(can, egui::Button::new("Undo")).on_disabled_hover_text(why);
        if undo.on_hover_text(undo_hint(entry)).clicked() {
            intents.commands.push(Command::History(HistoryCommand::Undo(Box::new(entry.clone()))));
        }
        // Each side of an undo links to the other.
        if let Some(undo) = entry.undone_by
            && ui.link("Undone: see the undo").on_hover_text("Show the change that undid this one").clicked()
        {
            intents.commands.push(Command::History(HistoryCommand::Reveal(undo)));
        }
        if let Some(original) = entry.undo_of
            && ui.link("Undoes an earlier change").on_hover_text("Show the change this one undid").clicked()
        {
            intents.commands.push(Command::History(HistoryCommand::Reveal(original)));
        }
        if let Some(email) = entry_email(entry)
            && ui
                .button("Forget this person…")
                .on_hover_text("Remove every trace of this person from this computer's journal and drafts")
                .clicked()
        {
            let person = crate::app::forget::Person { email, name: entry.label.clone() };
            intents.commands.push(Command::Forget(crate::app::forget::ForgetCommand::Ask(person)));
        }
    });
    ui.add_space(6.0);
    let found = changes(entry);
    if found.is_empty() {
        ui.weak(if entry.operation == Operation::Password {
            "The journal keeps the fact, never the password."
        } else {
            "No field changed."
        });
        return;
    }
    // A created or deleted contact has one side only: no column of dashes for the other.
    let sides: Vec<&str> =
        [("Before", found.iter().any(|c| c.before.is_some())), ("After", found.iter().any(|c| c.after.is_some()))]
            .into_iter()
            .filter_map(|(side, any)| any.then_some(side))
            .collect();
    egui::ScrollArea::both().id_salt("history_diff").auto_shrink([false, true]).show(ui, |ui| {
        let grid = egui::Grid::new(("history_diff_grid", entry.id)).num_columns(1 + sides.len()).striped(true);
        grid.spacing([12.0, 4.0]).show(ui, |ui| {
            ui.weak("Field");
            for side in &sides {
                ui.weak(*side);
            }
            ui.end_row();
            for change in found {
                let field = field_title(&change.field).into_owned();
                ui.label(&field);
                // Each value named with its field, for screen readers (a bare value says little).
                for side in &sides {
                    let value = if *side == "Before" { &change.before } else { &change.after };
                    let value = value.as_deref().unwrap_or("—");
                    let named = format!("{field} {}: {value}", side.to_lowercase());
                    ui.label(value).widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &named));
                }
                ui.end_row();
            }
        });
    });
}

/// The email of the contact an entry is about, from the copies it keeps.
fn entry_email(entry: &Entry) -> Option<String> {
    let copies = [&entry.after, &entry.before, &entry.sent];
    let email = copies.into_iter().flatten().find_map(|copy| copy.get("Email")?.as_str().map(str::to_owned));
    email.filter(|e| !e.trim().is_empty())
}

fn undo_state(entry: &Entry, undoing: bool) -> (bool, &'static str) {
    if undoing {
        (false, "An undo is running")
    } else if entry.outcome != JournalOutcome::Done {
        (false, "Only a change that was done can be undone")
    } else if entry.undone_by.is_some() {
        (false, "Undone already")
    } else if entry.operation == Operation::Password {
        (false, "A password cannot be put back; set a new one instead")
    } else {
        (true, "")
    }
}

fn undo_hint(entry: &Entry) -> &'static str {
    match entry.operation {
        Operation::Save => {
            "Put the contact back as it was, in the pane (if it changed since, you choose field by field)"
        }
        Operation::Delete => "Create the contact again from its last copy, with its custom values and zones",
        Operation::Zones => "Put the contact's zones back as they were",
        Operation::Create => "Delete the contact again, if it is still as created",
        Operation::Password | Operation::Other => "",
    }
}

fn export_ui(ui: &mut egui::Ui, view: &mut HistoryView, intents: &mut Intents) {
    ui.horizontal(|ui| {
        if view.export_path.is_empty() {
            let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
            view.export_path = home.join("treepl-change-journal.jsonl").display().to_string();
        }
        let path = egui::TextEdit::singleline(&mut view.export_path).desired_width(360.0);
        ui.add(path).widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Export to"));
        if ui
            .button("Export as JSON lines")
            .on_hover_text("Write every entry, oldest first, one JSON object a line")
            .clicked()
        {
            intents.commands.push(Command::History(HistoryCommand::Export(view.export_path.clone().into())));
        }
    });
}
