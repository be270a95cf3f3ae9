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

        let modal = egui::Modal::new(egui::Id::unique("command_palette")).show(ctx, |ui| {
            ui.set_width(440.0);
            let label = ui.label("Run a command");
            let search =
                egui::TextEdit::singleline(&mut self.query).hint_text("Type to filter…").desired_width(f32::INFINITY);
            ui.add(search).labelled_by(label.id).request_focus();
            ui.add_space(6.0);
            if entries.is_empty() {
                ui.weak("No command matches.");
            }
            for (i, entry) in entries.iter().enumerate() {
                let (text, shortcut, tooltip) = match entry {
                    Entry::Ui(command) => (
                        command.label().to_owned(),
                        command.shortcut().map(|s| ctx.format_shortcut(&s)).unwrap_or_default(),
                        command.tooltip().to_owned(),
                    ),
                    Entry::Open(_, name) => (format!("Switch to {name}"), String::new(), "Open this site".to_owned()),
                };
                let mut button = egui::Button::selectable(i == self.selected, text);
                if !shortcut.is_empty() {
                    button = button.shortcut_text(shortcut);
                }
                let response = ui.add_sized([ui.available_width(), 24.0], button).on_hover_text(tooltip);
                if response.clicked() {
                    chosen = Some(i);
                }
            }
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
