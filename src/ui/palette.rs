//! The command palette (Ctrl+K): every command by name, plus the sites to switch to.

use crate::app::AppState;
use crate::app::command::{Command, Target, UiCommand};

use super::Intents;

#[derive(Default)]
pub struct Palette {
    query: String,
    selected: usize,
}

/// One line of the palette.
enum Entry {
    Ui(UiCommand),
    Open(Target, String),
}

impl Palette {
    /// Draws the palette; `true` when it should close.
    pub fn ui(&mut self, ctx: &egui::Context, state: &AppState, intents: &mut Intents) -> bool {
        let entries = self.matching(state);
        self.selected = self.selected.min(entries.len().saturating_sub(1));
        let (up, down, enter) = ctx.input_mut(|input| {
            (
                input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                input.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                input.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
            )
        });
        if up {
            self.selected = self.selected.saturating_sub(1);
        }
        if down && self.selected + 1 < entries.len() {
            self.selected += 1;
        }
        let mut chosen = enter.then_some(self.selected).filter(|i| *i < entries.len());

        // Anchored by its top edge (a Modal is centred by default): the list shrinks as one
        // types, and the search box must not move under the cursor while it does.
        let id = egui::Id::unique("command_palette");
        let top = (ctx.content_rect().height() * 0.12).clamp(16.0, 120.0);
        let area = egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, top));
        let modal = egui::Modal::new(id).area(area).show(ctx, |ui| {
            ui.set_width(440.0);
            let label = ui.label("Run a command");
            let search =
                egui::TextEdit::singleline(&mut self.query).hint_text("Type to filter…").desired_width(f32::INFINITY);
            ui.add(search).labelled_by(label.id).request_focus();
            ui.add_space(6.0);
            if entries.is_empty() {
                ui.weak("No command matches.");
            }
            // The list scrolls when the window is short; the box above it stays put.
            let room = (ctx.content_rect().bottom() - ui.cursor().top() - 24.0).max(120.0);
            egui::ScrollArea::vertical().max_height(room).auto_shrink([false, true]).show(ui, |ui| {
                for (i, entry) in entries.iter().enumerate() {
                    let response = entry_ui(ui, entry, i == self.selected);
                    if i == self.selected && (up || down) {
                        response.scroll_to_me(None);
                    }
                    if response.clicked() {
                        chosen = Some(i);
                    }
                }
            });
        });
        if let Some(entry) = chosen.and_then(|i| entries.into_iter().nth(i)) {
            match entry {
                Entry::Ui(command) => intents.ui_commands.push(command),
                Entry::Open(target, _) => intents.commands.push(Command::Open(target)),
            }
            return true;
        }
        modal.should_close()
    }

    fn matching(&self, state: &AppState) -> Vec<Entry> {
        let query = self.query.trim().to_lowercase();
        let sites = state.profiles.list.iter().map(|p| Entry::Open(Target::Profile(p.id.clone()), p.name.clone()));
        UiCommand::ALL
            .into_iter()
            .filter(|c| *c != UiCommand::CommandPalette)
            .map(Entry::Ui)
            .chain(sites)
            .filter(|entry| {
                let text = match entry {
                    Entry::Ui(command) => command.label().to_lowercase(),
                    Entry::Open(_, name) => format!("switch to {}", name.to_lowercase()),
                };
                query.split_whitespace().all(|word| text.contains(word))
            })
            .collect()
    }
}

/// One line of the palette, full width: the label at the left edge, the shortcut (if any)
/// right-aligned. (Lines without a shortcut used to show their label centred.)
fn entry_ui(ui: &mut egui::Ui, entry: &Entry, selected: bool) -> egui::Response {
    let (text, shortcut, tooltip) = match entry {
        Entry::Ui(command) => (
            command.label().to_owned(),
            command.shortcut().map(|s| ui.ctx().format_shortcut(&s)),
            command.tooltip().to_owned(),
        ),
        Entry::Open(_, name) => (format!("Switch to {name}"), None, "Open this site".to_owned()),
    };
    let size = egui::vec2(ui.available_width(), 24.0);
    // The growing atom after the label holds the label at the left edge (a selectable button
    // centres its content otherwise) and pushes the shortcut to the right.
    let mut button = egui::Button::selectable(selected, (text, egui::Atom::grow())).min_size(size);
    if let Some(shortcut) = shortcut {
        button = button.shortcut_text(shortcut);
    }
    // A row of the button's height, so that the text sits in its middle.
    let layout = egui::Layout::left_to_right(egui::Align::Center);
    ui.allocate_ui_with_layout(size, layout, |ui| ui.add(button)).inner.on_hover_text(tooltip)
}
