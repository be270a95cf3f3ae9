//! The file line: which file, how many rows, and how it was read (the encoding and the
//! delimiter of a CSV file, the sheet of a workbook), each changeable; or, before a file is
//! in, a box for its path.

use crate::app::import::{ImportCommand, ImportDialog, ImportStage};
use crate::app::text::thousands;
use crate::import::file::{Encoding, Source};

use super::labelled_combo_ui;

/// The delimiters offered, with how they are named.
const DELIMITERS: [(u8, &str); 4] = [(b',', "Comma"), (b';', "Semicolon"), (b'\t', "Tab"), (b'|', "Vertical bar")];

fn delimiter_name(delimiter: u8) -> String {
    DELIMITERS
        .iter()
        .find(|(d, _)| *d == delimiter)
        .map_or_else(|| format!("“{}”", char::from(delimiter)), |(_, name)| (*name).to_owned())
}

pub fn ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, command: &mut impl FnMut(ImportCommand)) {
    let busy = dialog.is_busy();
    let Some(table) = dialog.table.clone() else {
        path_ui(ui, dialog, command);
        return;
    };
    if dialog.typing_path {
        path_ui(ui, dialog, command);
    }
    ui.add_enabled_ui(!busy, |ui| {
        ui.horizontal_wrapped(|ui| {
            let rows = table.rows.len() as u64;
            ui.label(format!(
                "{} · {} {} · {} columns",
                dialog.file_name(),
                thousands(rows),
                if rows == 1 { "row" } else { "rows" },
                table.headers.len()
            ));
            ui.separator();
            match &table.source {
                Source::Csv { encoding, delimiter } => {
                    labelled_combo_ui(ui, "Encoding", "import_encoding", encoding.label(), 130.0, |ui| {
                        for choice in Encoding::ALL {
                            if ui.selectable_label(choice == *encoding, choice.label()).clicked() && choice != *encoding
                            {
                                command(ImportCommand::SetEncoding(choice));
                            }
                        }
                    })
                    .on_hover_text("The file is read again in the encoding chosen");
                    labelled_combo_ui(ui, "Delimiter", "import_delimiter", delimiter_name(*delimiter), 120.0, |ui| {
                        for (choice, name) in DELIMITERS {
                            if ui.selectable_label(choice == *delimiter, name).clicked() && choice != *delimiter {
                                command(ImportCommand::SetDelimiter(choice));
                            }
                        }
                    });
                }
                Source::Xlsx { sheet, sheets } => {
                    labelled_combo_ui(ui, "Sheet", "import_sheet", sheet.as_str(), 160.0, |ui| {
                        for choice in sheets {
                            if ui.selectable_label(choice == sheet, choice).clicked() && choice != sheet {
                                command(ImportCommand::SetSheet(choice.clone()));
                            }
                        }
                    });
                }
            }
            ui.separator();
            if ui.button("Another file…").on_hover_text("Import from another file").clicked() {
                command(ImportCommand::ChooseFile);
            }
        });
    });
}

/// Before a file is in: its path typed (where the desktop has no open dialog), or chosen.
fn path_ui(ui: &mut egui::Ui, dialog: &mut ImportDialog, command: &mut impl FnMut(ImportCommand)) {
    if dialog.table.is_none() {
        ui.label("A CSV file (any delimiter, UTF-8, UTF-16 or Windows-1252) or an Excel workbook (.xlsx).");
    }
    if dialog.stage == ImportStage::ChoosingFile {
        ui.weak("Choosing the file…");
        return;
    }
    ui.add_enabled_ui(!dialog.is_busy(), |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("File to import");
            let field = egui::TextEdit::singleline(&mut dialog.typed_file).hint_text("/path/to/contacts.csv");
            let field = ui.add(field.desired_width(420.0)).labelled_by(label.id);
            let enter = field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            let typed = dialog.typed_file.trim();
            let open = ui.add_enabled(!typed.is_empty(), egui::Button::new("Open"));
            if (open.on_hover_text("Read this file").clicked() || enter) && !typed.is_empty() {
                command(ImportCommand::Open(typed.into()));
            }
            if ui.button("Choose a file…").on_hover_text("Pick the file in the desktop's open dialog").clicked() {
                command(ImportCommand::ChooseFile);
            }
        });
    });
}
