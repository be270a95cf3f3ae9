//! Help > About: what this copy is (version, commit, the site API it speaks, the README) and
//! the licences of every crate built into it, searchable.

use crate::build_info::{self, ShippedCrate};

/// The dialog while it is open.
#[derive(Default)]
pub struct AboutView {
    search: String,
    /// The crate whose licence texts show, as an index in [`build_info::shipped_crates`].
    selected: Option<usize>,
}

impl AboutView {
    /// Draws the dialog; `true` when it should close (Close, Escape or a click outside).
    pub fn ui(&mut self, ctx: &egui::Context) -> bool {
        // Read from the embedded text once, the first time the dialog opens.
        let crates = build_info::shipped_crates();
        // The two lists share what the window's height leaves them, so Close stays on screen.
        let room = (ctx.content_rect().height() - 320.0).max(100.0);
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("about_dialog")).show(ctx, |ui| {
            ui.set_width(620.0);
            ui.heading(format!("About {}", super::APP_TITLE));
            ui.label(env!("CARGO_PKG_DESCRIPTION"));
            ui.add_space(6.0);
            facts_ui(ui);
            ui.add_space(6.0);
            ui.separator();
            if crates.is_empty() {
                // The build could not list them; its text says why.
                ui.label(build_info::LICENCES);
            } else {
                self.licences_ui(ui, crates, room);
            }
            ui.separator();
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                close = ui.button("Close").on_hover_text("Close this window").clicked();
            });
        });
        close || modal.should_close()
    }

    fn licences_ui(&mut self, ui: &mut egui::Ui, crates: &'static [ShippedCrate], room: f32) {
        ui.strong(format!("Licences of the {} crates built into this program", crates.len()));
        let matching = matching(crates, &self.search);
        ui.horizontal(|ui| {
            let label = ui.label("Search crates");
            let search = egui::TextEdit::singleline(&mut self.search)
                .hint_text("Name or licence, e.g. Apache")
                .desired_width(300.0);
            ui.add(search).labelled_by(label.id);
            ui.weak(format!("{} of {}", matching.len(), crates.len()));
        });
        ui.add_space(4.0);
        let row_height = ui.spacing().interact_size.y + 4.0;
        ui.scope(|ui| {
            // Rows touch: every point of the list is some crate's row.
            ui.spacing_mut().item_spacing.y = 0.0;
            egui::ScrollArea::vertical()
                .id_salt("about_crates")
                .max_height((room * 0.45).min(250.0))
                .auto_shrink([false, false])
                .show_rows(ui, row_height, matching.len(), |ui, rows| {
                    for &index in &matching[rows] {
                        self.crate_row_ui(ui, index, &crates[index], row_height);
                    }
                });
        });
        ui.separator();
        // Always as tall, picked or not: the dialog does not move under the pointer.
        egui::ScrollArea::vertical()
            .id_salt("about_licence_text")
            .max_height((room * 0.55).min(300.0))
            .auto_shrink([false, false])
            .show(ui, |ui| match self.selected.and_then(|index| crates.get(index)) {
                Some(shipped) => {
                    ui.add(egui::Label::new(egui::RichText::new(shipped.text).monospace()).wrap());
                }
                None => {
                    ui.weak("Pick a crate to read its licence and the texts its package holds.");
                }
            });
    }

    /// A crate's row: its name and version, its licence at the right; a click shows its texts.
    fn crate_row_ui(&mut self, ui: &mut egui::Ui, index: usize, shipped: &ShippedCrate, height: f32) {
        let name = format!("{} {}", shipped.name, shipped.version);
        let button = egui::Button::selectable(self.selected == Some(index), name)
            .right_text(egui::RichText::new(shipped.licence).weak())
            .min_size(egui::vec2(ui.available_width(), height));
        if ui.add(button).on_hover_text("Show its licence texts").clicked() {
            self.selected = Some(index);
        }
    }
}

/// Version, commit, the site API and the README link.
fn facts_ui(ui: &mut egui::Ui) {
    egui::Grid::new("about_facts").num_columns(2).spacing([16.0, 4.0]).show(ui, |ui| {
        ui.weak("Version");
        ui.label(build_info::VERSION);
        ui.end_row();
        ui.weak("Commit");
        ui.label(build_info::COMMIT);
        ui.end_row();
        ui.weak("Written for");
        ui.label(build_info::API_VERSION);
        ui.end_row();
        ui.weak("Documentation");
        ui.hyperlink_to("The project's README", build_info::README_URL).on_hover_text(build_info::README_URL);
        ui.end_row();
    });
}

/// The indices of the crates whose name or licence holds `search`, ignoring case.
fn matching(crates: &[ShippedCrate], search: &str) -> Vec<usize> {
    let search = search.trim().to_lowercase();
    crates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.name.to_lowercase().contains(&search) || c.licence.to_lowercase().contains(&search))
        .map(|(index, _)| index)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_matches_a_name_or_a_licence_whatever_the_case() {
        let crate_of = |name, licence| ShippedCrate { name, version: "1.0.0", licence, text: "" };
        let crates =
            [crate_of("zip", "MIT"), crate_of("ring", "Apache-2.0 AND ISC"), crate_of("zerocopy", "BSD-2-Clause")];
        assert_eq!(matching(&crates, "ZIP"), [0]);
        assert_eq!(matching(&crates, " isc "), [1]);
        assert_eq!(matching(&crates, "z"), [0, 2]);
        assert_eq!(matching(&crates, ""), [0, 1, 2]);
    }
}
