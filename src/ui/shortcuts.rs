//! Help > Keyboard shortcuts (F1): every command's shortcut, from the one command list, and
//! the keys that act in one place (the grid, the pane, dialogs).

use crate::app::command::{PLACE_KEYS, UiCommand};

/// Draws the window; `false` once it is closed (its ✕ or Escape).
pub fn window_ui(ctx: &egui::Context) -> bool {
    let mut open = true;
    egui::Window::new("Keyboard shortcuts")
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| {
            egui::Grid::new("shortcut_list").num_columns(2).striped(true).spacing([24.0, 4.0]).show(ui, |ui| {
                ui.strong("Commands");
                ui.end_row();
                for command in UiCommand::ALL {
                    let Some(shortcut) = command.shortcut() else { continue };
                    ui.label(ui.ctx().format_shortcut(&shortcut));
                    ui.label(command.label());
                    ui.end_row();
                }
                let mut place = "";
                for (where_, keys, what) in PLACE_KEYS {
                    if *where_ != place {
                        place = where_;
                        ui.end_row();
                        ui.strong(*where_);
                        ui.end_row();
                    }
                    ui.label(*keys);
                    ui.label(*what);
                    ui.end_row();
                }
            });
        });
    let escape = ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
    open && !escape
}
