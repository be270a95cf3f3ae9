//! The dialog that adds a site profile: test the connection, then save (the secret to the
//! keyring, the rest to the profiles file). Nothing is saved unless the site accepts the
//! credentials.

use crate::app::ConnectDialog;
use crate::app::command::Command;
use crate::app::profiles::ProfilesCommand;

use super::Intents;

const FIELD_WIDTH: f32 = 320.0;

/// Draws the dialog; `true` when it should close. Only Cancel and Escape close it (a stray
/// click outside would lose what was typed); closing it while it saves cancels the save.
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut ConnectDialog, keyring: &str, intents: &mut Intents) -> bool {
    let mut close = false;
    let busy = dialog.testing || dialog.saving;
    egui::Modal::new(egui::Id::unique("connect_dialog")).show(ctx, |ui| {
        ui.set_width(480.0);
        ui.heading("Connect a Treepl site");
        ui.label(
            "Create an API application under Settings > API Applications on the site, then enter its details here.",
        );
        ui.add_space(8.0);
        egui::Grid::new("connect_fields").num_columns(2).spacing([12.0, 8.0]).show(ui, |ui| {
            text_field(ui, "Name", &mut dialog.draft.name, "e.g. My shop", false);
            url_field(ui, dialog);
            let draft = &mut dialog.draft;
            text_field(ui, "Client ID", &mut draft.client_id, "", false);
            text_field(ui, "Client Secret", &mut draft.client_secret, "", true);
        });
        ui.add_space(4.0);
        ui.weak(format!("The Client Secret is kept in {keyring}, never in a file."));
        ui.add_space(8.0);

        match &dialog.outcome {
            Some(Ok(connected)) => {
                ui.colored_label(egui::Color32::from_rgb(0x3c, 0xa5, 0x5c), connected.to_string());
            }
            Some(Err(failure)) => {
                ui.colored_label(ui.visuals().error_fg_color, failure.to_string());
            }
            None => {}
        }
        if let Some(problem) = &dialog.keyring_problem {
            ui.colored_label(ui.visuals().warn_fg_color, format!("{problem} The secret cannot be stored safely."));
            ui.label("You can keep it in memory for this session only: you will enter it again next time.");
            let keep = ui.add_enabled(!busy, egui::Button::new("Keep for this session only"));
            if keep.on_hover_text("Use this site until Treepl Contacts closes; nothing is saved").clicked() {
                intents
                    .commands
                    .push(Command::Profiles(ProfilesCommand::Save { draft: dialog.draft.clone(), session_only: true }));
            }
        }

        ui.add_space(8.0);
        let missing = dialog.missing();
        let complete = missing.is_empty();
        // Why Test and Save are disabled, in words (a line kept even when empty: no jump).
        let why_not = if busy {
            Some(if dialog.saving { "Saving the site…".to_owned() } else { "Testing the connection…".to_owned() })
        } else if complete {
            None
        } else {
            Some(format!("Fill in {} to test the connection.", listed(&missing)))
        };
        let width = ui.available_width();
        reserved_line_ui(ui, width, why_not.as_deref().filter(|_| !busy), ui.visuals().weak_text_color());
        ui.horizontal(|ui| {
            let cancel = if busy { "Stop and close" } else { "Close without saving" };
            if ui.button("Cancel").on_hover_text(cancel).clicked() {
                close = true;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let why_not = why_not.as_deref().unwrap_or_default();
                let save = ui.add_enabled(!busy && complete, egui::Button::new("Save")).on_disabled_hover_text(why_not);
                if save.on_hover_text("Test the connection, then keep this site").clicked() {
                    intents.commands.push(Command::Profiles(ProfilesCommand::Save {
                        draft: dialog.draft.clone(),
                        session_only: false,
                    }));
                }
                let test = ui
                    .add_enabled(!busy && complete, egui::Button::new("Test connection"))
                    .on_disabled_hover_text(why_not);
                if test.on_hover_text("Sign in and read one contact, saving nothing").clicked() {
                    intents.commands.push(Command::Profiles(ProfilesCommand::Test(dialog.draft.clone())));
                }
                if busy {
                    ui.spinner();
                    ui.label(if dialog.saving { "Saving…" } else { "Testing…" });
                }
            });
        });
    });
    let escape = ctx.input(|input| input.key_pressed(egui::Key::Escape));
    if (close || escape) && dialog.saving {
        intents.commands.push(Command::Profiles(ProfilesCommand::CancelSave));
        return false;
    }
    close || escape
}

fn text_field(ui: &mut egui::Ui, name: &str, value: &mut dyn egui::TextBuffer, hint: &str, secret: bool) {
    let label = ui.label(name);
    let edit = egui::TextEdit::singleline(value).hint_text(hint).password(secret).desired_width(FIELD_WIDTH);
    let response = ui.add(edit).labelled_by(label.id);
    if secret {
        super::forget_typing_history(ui.ctx(), response.id);
    }
    ui.end_row();
}

/// The Site URL, with what is wrong with it under it in the error colour once the field was
/// left (and while typing after that). The line is there, empty, before: nothing moves.
fn url_field(ui: &mut egui::Ui, dialog: &mut ConnectDialog) {
    let label = ui.label("Site URL");
    let edit = egui::TextEdit::singleline(&mut dialog.draft.site_url)
        .hint_text("https://www.example.com")
        .desired_width(FIELD_WIDTH);
    if ui.add(edit).labelled_by(label.id).lost_focus() {
        dialog.url_left = true;
    }
    ui.end_row();
    // Its own row, under the field (an empty first cell): the label stays level with the field.
    ui.allocate_exact_size(egui::Vec2::ZERO, egui::Sense::hover());
    reserved_line_ui(ui, FIELD_WIDTH, dialog.url_problem().as_deref(), ui.visuals().error_fg_color);
    ui.end_row();
}

/// One line of text in `color`, or the same room left empty; a longer text ends in an
/// ellipsis and shows whole on hover.
fn reserved_line_ui(ui: &mut egui::Ui, width: f32, text: Option<&str>, color: egui::Color32) {
    let height = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let Some(text) = text else { return };
    let mut line =
        ui.new_child(egui::UiBuilder::new().max_rect(rect).layout(egui::Layout::left_to_right(egui::Align::Center)));
    line.add(egui::Label::new(egui::RichText::new(text).color(color)).truncate()).on_hover_text(text);
}

/// "the Site URL", "the Site URL and the Client ID", "the Site URL, the Client ID and the
/// Client Secret".
fn listed(names: &[&str]) -> String {
    let named: Vec<String> = names.iter().map(|name| format!("the {name}")).collect();
    match named.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
