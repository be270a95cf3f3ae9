//! The contact pane beside the grid (the contact under the cursor, edited in place), its
//! panels (one file each), the three-way view after a conflict, the question before leaving
//! unsaved changes, and the contact windows opened from the grid.

mod address;
mod conflict;
mod custom;
mod field;
mod identity;
mod window;

use crate::api::contact_fields::Field;
use crate::app::AppState;
use crate::app::command::{Command, UiCommand};
use crate::app::contact::{EditState, EditorCommand, LeaveAnswer, OpenContact};
use crate::app::grid::Grid;
use crate::app::grid::GridCommand;
use crate::app::history::HistoryCommand;
use crate::app::related::Tab;
use crate::app::text::contact_name;

use super::Intents;
pub use window::windows_ui;

/// What only the pane's drawing keeps.
#[derive(Default)]
pub struct PaneView {
    /// The billing address follows the postal one (for the contact shown).
    billing_same: bool,
    /// The first input takes the keyboard on the next frame it is drawn.
    pub focus_first_field: bool,
    /// The field being typed in, as of the last frame.
    pub focused_field: Option<String>,
    /// The contact the two below are about.
    visited_contact: Option<crate::api::ContactId>,
    /// Fields left once: their problems show.
    left_fields: std::collections::BTreeSet<String>,
    /// Save was asked for: every problem shows.
    pub reveal_problems: bool,
}

/// The pane; draws nothing while it is hidden or no contact is under the cursor.
pub fn pane_ui(ui: &mut egui::Ui, state: &mut AppState, view: &mut PaneView, intents: &mut Intents) {
    if !state.settings.pane_shown {
        return;
    }
    egui::Panel::right("contact_pane").resizable(true).default_size(460.0).min_size(320.0).show(ui, |ui| {
        // The content fills the panel: a narrower one would shrink the panel to fit it.
        ui.set_min_width(ui.available_width());
        let AppState { editor, grid, related, money, history, .. } = state;
        let Some(open) = editor.open.as_mut() else {
            ui.add_space(8.0);
            ui.weak("Click a contact to see and edit it here.");
            return;
        };
        open.forget_outdated_failure();
        if !contact_ready_ui(ui, open) {
            return;
        }
        let state = open.edit_state();
        header_ui(ui, open, &state, intents);
        // A conflict is settled in Details; a new contact has nothing else yet.
        if open.conflict.is_some() {
            related.tab = Tab::Details;
        }
        let tab =
            if related.contact() == Some(open.id) { super::related::tab_bar_ui(ui, related) } else { Tab::Details };
        if tab == Tab::Details {
            editor_ui(ui, open, state, grid, view, intents);
        } else {
            super::related::tab_ui(ui, related, money, history.undoing, intents);
        }
    });
}

/// The contact's load failure or spinner; whether it is ready to show.
fn contact_ready_ui(ui: &mut egui::Ui, open: &OpenContact) -> bool {
    if let Some(error) = &open.load_error {
        ui.colored_label(ui.visuals().error_fg_color, error);
        return false;
    }
    if open.is_loading() && open.draft.is_none() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading the contact…");
        });
        return false;
    }
    true
}

/// `grid`: the contacts loaded there tell which custom fields the site's contacts have.
fn editor_ui(
    ui: &mut egui::Ui,
    open: &mut OpenContact,
    state: EditState,
    grid: &Grid,
    view: &mut PaneView,
    intents: &mut Intents,
) {
    let EditState { changed, problems, .. } = state;
    if let Some(conflict) = open.conflict.as_mut() {
        conflict::ui(ui, conflict, intents);
        return;
    }
    let is_new = open.is_new();
    if view.visited_contact != Some(open.id) {
        view.visited_contact = Some(open.id);
        view.left_fields.clear();
        view.reveal_problems = false;
    }
    // What the site said of a field shows at once.
    view.left_fields.extend(open.site_field_errors.keys().cloned());
    let OpenContact { draft, first_password, .. } = open;
    let Some(draft) = draft.as_mut() else { return };
    let first_password = is_new.then_some(first_password);
    let unreadable = field::unreadable_fields(draft);
    let mut rows = field::Rows {
        unreadable: &unreadable,
        changed: &changed,
        problems: &problems,
        intents,
        focus_first: view.focus_first_field,
        focused: None,
        left: &mut view.left_fields,
        reveal_all: view.reveal_problems,
    };
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        // Room for the scroll bar, which would otherwise cover the Revert buttons.
        ui.set_max_width(ui.available_width() - 14.0);
        egui::CollapsingHeader::new("Identity")
            .default_open(true)
            .show(ui, |ui| identity::ui(ui, draft, first_password, grid, &mut rows));
        egui::CollapsingHeader::new("Address")
            .default_open(true)
            .show(ui, |ui| address::address_ui(ui, draft, &mut rows));
        egui::CollapsingHeader::new("Billing address")
            .default_open(true)
            .show(ui, |ui| address::billing_ui(ui, draft, &mut view.billing_same, &mut rows));
        custom::groups_ui(ui, draft, &mut rows);
        custom::add_field_ui(ui, draft, grid);
        egui::CollapsingHeader::new("Notes and consent").default_open(true).show(ui, |ui| {
            rows.text(ui, Field::Notes, draft, true);
            // "Data use" beside a box named "Allowed": the table's title would say it twice.
            rows.row(ui, Field::IsDataUsingAllowed.name(), "Data use", |ui, _| {
                field::tri_state_ui(ui, &mut draft.is_data_using_allowed, "Allowed")
                    .on_hover_text("The contact's consent to the use of their data")
            });
        });
        custom::unknown_ui(ui, draft, &mut rows);
    });
    let (focus_first, focused) = (rows.focus_first, rows.focused);
    view.focus_first_field = focus_first;
    view.focused_field = focused;
}

fn header_ui(ui: &mut egui::Ui, open: &OpenContact, state: &EditState, intents: &mut Intents) {
    let dirty = !state.changed.is_empty();
    let name = open.draft.as_ref().map(contact_name).filter(|n| !n.trim().is_empty());
    let name = name.unwrap_or_else(|| "New contact".to_owned());
    ui.add(egui::Label::new(egui::RichText::new(name).heading()).truncate());
    if !open.is_new() {
        ui.horizontal_wrapped(|ui| {
            if ui
                .small_button("Open in a window")
                .on_hover_text("Show this contact in a window, to compare it with another")
                .clicked()
            {
                intents.commands.push(Command::Grid(GridCommand::OpenContact(open.id)));
            }
            if ui
                .small_button("History")
                .on_hover_text("The changes this app made to this contact, with Undo")
                .clicked()
            {
                intents.commands.push(Command::History(HistoryCommand::Show(Some(open.id))));
            }
            let reset = egui::Button::new(UiCommand::ResetPassword.label()).small();
            let reset = ui
                .add_enabled(open.base.is_some(), reset)
                .on_hover_text("Set a new password for this contact, after you type it twice");
            if let Some(contact) = open.base.as_ref().filter(|_| reset.clicked()) {
                let target = crate::app::password::PasswordTarget::of(contact);
                intents.commands.push(Command::Password(crate::app::password::PasswordCommand::Open(target)));
            }
            if let Some(contact) = open.base.as_ref()
                && ui
                    .small_button("Forget…")
                    .on_hover_text("Remove this person from this computer's change journal and drafts")
                    .clicked()
            {
                let person = crate::app::forget::Person { email: contact.email.clone(), name: contact_name(contact) };
                intents.commands.push(Command::Forget(crate::app::forget::ForgetCommand::Ask(person)));
            }
            let delete =
                egui::Button::new(egui::RichText::new("Delete contact…").color(ui.visuals().error_fg_color)).small();
            let can_delete = open.base.is_some() && !open.saving;
            if ui
                .add_enabled(can_delete, delete)
                .on_hover_text("Delete this contact from the site, after you confirm")
                .clicked()
            {
                intents.delete_open_contact = true;
            }
        });
    }
    ui.horizontal_wrapped(|ui| {
        let save = UiCommand::SaveContact;
        let button = egui::Button::new(save.label()).shortcut_text(ui.ctx().format_shortcut(
            &save.shortcut().unwrap_or(egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::S)),
        ));
        let why_not = if open.saving {
            "Saving…".to_owned()
        } else if let Some(problem) = state.problems.values().next() {
            format!("Fix this first: {problem}")
        } else if !dirty {
            "Nothing changed".to_owned()
        } else {
            "Settle the changes made on the site first".to_owned()
        };
        if ui
            .add_enabled(state.can_save, button)
            .on_hover_text(save.tooltip())
            .on_disabled_hover_text(why_not)
            .clicked()
        {
            intents.ui_commands.push(save);
        }
        if open.is_new() {
            if ui
                .add_enabled(!open.saving, egui::Button::new("Cancel"))
                .on_hover_text("Drop this new contact without creating it")
                .clicked()
            {
                intents.commands.push(Command::Editor(EditorCommand::CancelNew));
            }
        } else if ui
            .add_enabled(dirty && !open.saving, egui::Button::new("Revert all"))
            .on_hover_text("Put every field back as it was loaded")
            .clicked()
        {
            intents.commands.push(Command::Editor(EditorCommand::RevertAll));
        }
        if open.saving {
            ui.spinner();
            ui.label("Saving…");
        } else if dirty {
            ui.weak(crate::app::text::plural(state.changed.len() as u64, "unsaved change", "unsaved changes"));
        }
    });
    if let Some(failure) = &open.save_error {
        let text = egui::RichText::new(format!("Not saved: {}", failure.message)).color(ui.visuals().error_fg_color);
        ui.add(egui::Label::new(text).wrap());
        ui.horizontal(|ui| {
            if failure.retry_helps
                && ui.add_enabled(state.can_save, egui::Button::new("Retry")).on_hover_text("Save again").clicked()
            {
                intents.ui_commands.push(UiCommand::SaveContact);
            }
            ui.weak("Your changes are kept here.");
        });
    }
    ui.separator();
}

/// Offers back the unsaved changes kept from last time (after a crash or a kill).
pub fn drafts_ui(ctx: &egui::Context, state: &AppState, intents: &mut Intents) {
    if state.editor.offered.is_empty() || state.editor.leaving_for.is_some() {
        return;
    }
    let modal = egui::Modal::new(egui::Id::unique("offered_drafts")).show(ctx, |ui| {
        ui.set_width(460.0);
        ui.heading("Unsaved changes from last time");
        ui.label(
            "Treepl Contacts closed before these edits were saved. Open one to review and save it, or discard it.",
        );
        ui.add_space(6.0);
        egui::Grid::new("offered_drafts_list").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
            for offered in &state.editor.offered {
                let name = Some(contact_name(&offered.draft)).filter(|n| !n.trim().is_empty());
                let name = name.unwrap_or_else(|| "a new contact".to_owned());
                let when = offered.saved_at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
                ui.label(format!("{name} ({when})"));
                let id = offered.draft.id;
                let open = ui.button("Open").on_hover_text("Show the edit in the contact pane");
                open.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Open the changes to {name}"))
                });
                if open.clicked() {
                    intents.commands.push(Command::Editor(EditorCommand::RestoreDraft(id)));
                }
                let discard = ui.button("Discard").on_hover_text("Drop these changes");
                discard.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Discard the changes to {name}"))
                });
                if discard.clicked() {
                    intents.commands.push(Command::Editor(EditorCommand::DiscardDraft(id)));
                }
                ui.end_row();
            }
        });
        ui.add_space(6.0);
        if ui.button("Later").on_hover_text("Keep them for the next start (Escape)").clicked() {
            intents.commands.push(Command::Editor(EditorCommand::LaterDrafts));
        }
    });
    // Escape (or a click outside) is "Later": nothing is lost.
    if modal.should_close() {
        intents.commands.push(Command::Editor(EditorCommand::LaterDrafts));
    }
}

/// Asks before leaving a contact with unsaved changes; closes once answered.
pub fn leave_ui(ctx: &egui::Context, state: &AppState, intents: &mut Intents) {
    let Some(open) = state.editor.open.as_ref().filter(|_| state.editor.leaving_for.is_some()) else { return };
    let name = open.draft.as_ref().map(contact_name).unwrap_or_default();
    let modal = egui::Modal::new(egui::Id::unique("leave_contact")).show(ctx, |ui| {
        ui.set_width(400.0);
        ui.heading(format!("Save the changes to {name}?"));
        ui.label("You changed this contact and did not save it.");
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let mut answer = |a| intents.commands.push(Command::Editor(EditorCommand::Leave(a)));
            if ui.button("Cancel").on_hover_text("Stay on this contact").clicked() {
                answer(LeaveAnswer::Cancel);
            }
            if ui.button("Discard").on_hover_text("Drop the changes").clicked() {
                answer(LeaveAnswer::Discard);
            }
            if ui.button("Save").on_hover_text("Save, then go on").clicked() {
                answer(LeaveAnswer::Save);
            }
        });
    });
    if modal.should_close() {
        intents.commands.push(Command::Editor(EditorCommand::Leave(LeaveAnswer::Cancel)));
    }
}
