//! The line a confirmation adds for a filter the app cannot check: why, and a box for the
//! number of contacts, which the action's button waits for.

use crate::app::text::thousands;
use crate::app::typed_count::TypedCount;

/// Draws the warning and the box, when the filter asks for them.
pub fn typed_count_ui(ui: &mut egui::Ui, typed: &mut TypedCount, count: u64) {
    if !typed.is_required() {
        return;
    }
    ui.add_space(6.0);
    ui.colored_label(
        ui.visuals().warn_fg_color,
        "This app cannot check which contacts match this filter (raw JSON outside the filters it knows), so it \
         cannot tell whether the site read it as meant.",
    );
    ui.horizontal(|ui| {
        let label = ui.label(format!("Type {} to confirm", thousands(count)));
        ui.add(egui::TextEdit::singleline(&mut typed.typed).desired_width(120.0)).labelled_by(label.id);
    });
}
