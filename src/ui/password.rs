//! The password reset dialog: the new password twice (checked as it is typed), its strength,
//! Show, Generate and Copy, and what the site does with it. Enter sets it, Escape closes.

use crate::app::command::Command;
use crate::app::password::strength::Length;
use crate::app::password::{PasswordCommand, PasswordDialog, Stage};

use super::Intents;

const FIELD_WIDTH: f32 = 300.0;

/// Draws the open dialog; `true` when it should close (its passwords are then wiped).
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut PasswordDialog, intents: &mut Intents) -> bool {
    let mut command = |c| intents.commands.push(Command::Password(c));
    // Enter in a field (or with nothing focused) sets the password; taken before the field
    // sees it, which would drop the focus. On a focused button, Enter stays that button's.
    let focus = ctx.memory(|memory| memory.focused());
    let fields = ctx.data(|data| data.get_temp::<[egui::Id; 2]>(fields_key()));
    let in_field = focus.is_none_or(|focus| fields.is_some_and(|fields| fields.contains(&focus)));
    let enter = in_field && ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Enter));
    if enter && dialog.why_not().is_none() {
        command(PasswordCommand::Submit);
    }
    let mut cancelled = false;
    let modal = egui::Modal::new(egui::Id::unique("password_dialog")).show(ctx, |ui| {
        ui.set_width(460.0);
        ui.heading(format!("Reset the password of {}", dialog.target.name));
        ui.weak(&dialog.target.email);
        ui.add_space(4.0);
        ui.label(
            "The site replaces this contact's password with the new one: they sign in with it to the \
             site's secure zones, and the old one stops working. Treepl Contacts does not send it to \
             them, so pass it on in a safe way.",
        );
        ui.add_space(8.0);
        ui.add_enabled_ui(!dialog.is_sending(), |ui| {
            fields_ui(ui, dialog);
            tools_ui(ui, dialog, &mut command);
        });
        ui.add_space(6.0);
        stage_ui(ui, dialog);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Cancel").on_hover_text("Close without setting a password").clicked() {
                cancelled = true;
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let label = if dialog.stage == Stage::Unknown { "Set it again" } else { "Set password" };
                let why_not = dialog.why_not();
                let set = ui
                    .add_enabled(why_not.is_none(), egui::Button::new(label))
                    .on_hover_text("Set this password on the site (Enter)")
                    .on_disabled_hover_text(why_not.unwrap_or_default());
                if set.clicked() {
                    command(PasswordCommand::Submit);
                }
            });
        });
    });
    cancelled || modal.should_close()
}

/// The two fields with what the checks say under each, and the strength meter.
fn fields_ui(ui: &mut egui::Ui, dialog: &mut PasswordDialog) {
    let focused_once = ui.data_mut(|data| data.get_temp::<bool>(focus_key()).unwrap_or(false));
    egui::Grid::new("password_fields").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
        let hidden = !dialog.shown;
        let label = ui.label("New password");
        let edit = egui::TextEdit::singleline(&mut dialog.password)
            .id_salt("new_password")
            .password(hidden)
            .desired_width(FIELD_WIDTH);
        let password = ui.add(edit).labelled_by(label.id);
        // Asked until it holds: a modal's first frame only measures, and focus asked then is lost.
        if !focused_once {
            password.request_focus();
            if password.has_focus() {
                ui.data_mut(|data| data.insert_temp(focus_key(), true));
            }
        }
        ui.end_row();
        ui.label("");
        let length = dialog.length();
        let too = matches!(length, Length::TooShort(_) | Length::TooLong(_));
        checked_line(ui, &length.describe(), too);
        ui.end_row();

        let label = ui.label("Confirm password");
        let edit = egui::TextEdit::singleline(&mut dialog.confirmation)
            .id_salt("confirm_password")
            .password(hidden)
            .hint_text("the same again")
            .desired_width(FIELD_WIDTH);
        let confirmation = ui.add(edit).labelled_by(label.id);
        ui.end_row();
        if dialog.mismatch() {
            ui.label("");
            checked_line(ui, "The two passwords differ.", true);
            ui.end_row();
        }
        if password.changed() || confirmation.changed() {
            dialog.edited();
        }
        ui.data_mut(|data| data.insert_temp(fields_key(), [password.id, confirmation.id]));
        // The fields keep no undo history: it would hold copies of the password.
        for id in [password.id, confirmation.id] {
            super::forget_typing_history(ui.ctx(), id);
        }

        ui.label("Strength");
        strength_ui(ui, dialog);
        ui.end_row();
        if let Some(advice) = dialog.strength().and_then(|strength| strength.advice.as_ref()) {
            ui.label("");
            ui.add(egui::Label::new(egui::RichText::new(advice).weak()).wrap());
            ui.end_row();
        }
    });
}

fn checked_line(ui: &mut egui::Ui, text: &str, wrong: bool) {
    if wrong {
        ui.colored_label(ui.visuals().error_fg_color, text);
    } else {
        ui.weak(text);
    }
}

/// zxcvbn's score as a bar.
fn strength_ui(ui: &mut egui::Ui, dialog: &PasswordDialog) {
    let Some(strength) = dialog.strength() else {
        ui.weak("Type or generate a password.");
        return;
    };
    let color = match strength.score {
        0 | 1 => ui.visuals().error_fg_color,
        2 => ui.visuals().warn_fg_color,
        // Greens the bar's text reads on: light text in the dark theme, dark in the light one.
        _ if ui.visuals().dark_mode => egui::Color32::from_rgb(46, 125, 50),
        _ => egui::Color32::from_rgb(130, 205, 140),
    };
    let bar = egui::ProgressBar::new(f32::from(strength.score + 1) / 5.0)
        .desired_width(FIELD_WIDTH)
        .fill(color)
        .text(strength.words());
    let name = format!("Strength: {}", strength.words());
    ui.add(bar).widget_info(|| egui::WidgetInfo::labeled(egui::Role::ProgressIndicator, true, &name));
}

/// Show, Generate and Copy, and what became of the last copy.
fn tools_ui(ui: &mut egui::Ui, dialog: &mut PasswordDialog, command: &mut impl FnMut(PasswordCommand)) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.checkbox(&mut dialog.shown, "Show password").on_hover_text("Show the password as text, not dots");
        if ui.button("Generate").on_hover_text("Fill in a strong random password of 20 letters and digits").clicked() {
            command(PasswordCommand::Generate);
        }
        let seconds = dialog.clipboard_keeps.as_secs();
        let copy = ui
            .add_enabled(!dialog.password.is_empty(), egui::Button::new("Copy"))
            .on_hover_text(format!("Copy the password; it is taken off the clipboard after {seconds} s"))
            .on_disabled_hover_text("Type or generate a password first");
        if copy.clicked() {
            command(PasswordCommand::Copy);
        }
    });
    if let Some(error) = &dialog.generate_error {
        ui.colored_label(ui.visuals().error_fg_color, error);
    }
    let seconds = dialog.clipboard_keeps.as_secs();
    match dialog.copied.as_ref().map(|copied| copied.ready()) {
        Some(Some(Ok(()))) => {
            ui.weak(format!(
                "Copied. It is taken off the clipboard after {seconds} s, unless you copy something else."
            ));
        }
        Some(Some(Err(error))) => {
            let text = format!("Not copied: {error} Show the password and note it down instead.");
            ui.colored_label(ui.visuals().error_fg_color, text);
        }
        Some(None) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("Copying…");
            });
        }
        None => {}
    }
}

/// The request in flight, or what became of the last one.
fn stage_ui(ui: &mut egui::Ui, dialog: &PasswordDialog) {
    match &dialog.stage {
        Stage::Editing => {}
        Stage::Sending { .. } => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Setting the password…");
            });
        }
        Stage::Failed(error) => {
            let text = egui::RichText::new(format!("Not set: {error}")).color(ui.visuals().error_fg_color);
            ui.add(egui::Label::new(text).wrap());
        }
        Stage::Unknown => {
            let text = egui::RichText::new(
                "The connection failed after the request was sent, so the password may or may not have been \
                 set. Set it again to be sure.",
            )
            .color(ui.visuals().warn_fg_color);
            ui.add(egui::Label::new(text).wrap());
        }
    }
}

/// Whether the first field has had the keyboard once (per dialog; cleared on close).
fn focus_key() -> egui::Id {
    egui::Id::unique("password_dialog_focused")
}

/// The ids of the two fields, as last drawn.
fn fields_key() -> egui::Id {
    egui::Id::unique("password_dialog_fields")
}

/// Forgets what only the drawing kept of a dialog, once it has closed.
pub fn closed(ctx: &egui::Context) {
    ctx.data_mut(|data| {
        data.remove::<bool>(focus_key());
        data.remove::<[egui::Id; 2]>(fields_key());
    });
}
