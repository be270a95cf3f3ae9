//! Resetting a contact's password: the dialog (the new password twice, checked as it is
//! typed), Generate and Copy, and the one request that sets it. The request is sent once and
//! never repeated on its own: after an ambiguous failure the dialog says the password may or
//! may not have been set and lets the user set it again.
//!
//! The password lives in the dialog's two [`SecretText`]s (wiped when the dialog goes) and in
//! the request while it runs; it is never logged, drafted, or put in a notification.

pub mod generate;
pub mod strength;

use std::sync::Arc;
use std::time::Duration;

use poll_promise::Promise;
use secrecy::{ExposeSecret as _, SecretString};

use crate::api::{ApiError, Contact, ContactId, SecureZone};

use super::clipboard::{CLIPBOARD_KEEPS, Clipboard, ClipboardError, Fingerprint, clear_if_holding, copy_for_a_while};
use super::effects::{Effects, Feature, TaskResult};
use super::notifications::{Level, Notifications};
use super::secret_text::SecretText;
use super::text::contact_name;
use strength::{Length, Strength};

/// How long closing the app waits for a copied password to leave the clipboard.
const CLOSING_WAIT: Duration = Duration::from_millis(500);

/// The contact whose password is set, frozen when the dialog opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordTarget {
    pub id: ContactId,
    pub name: String,
    pub email: String,
    first_name: String,
    last_name: String,
}

impl PasswordTarget {
    pub fn of(contact: &Contact) -> Self {
        Self {
            id: contact.id,
            name: contact_name(contact),
            email: contact.email.clone(),
            first_name: contact.first_name.clone().unwrap_or_default(),
            last_name: contact.last_name.clone().unwrap_or_default(),
        }
    }

    /// What a guesser would try first, for the strength estimate.
    fn hints(&self) -> Vec<&str> {
        let local_part = self.email.split('@').next().unwrap_or_default();
        [self.first_name.as_str(), self.last_name.as_str(), self.email.as_str(), local_part]
            .into_iter()
            .filter(|hint| !hint.is_empty())
            .collect()
    }
}

/// What the UI may ask of the password feature.
#[derive(Debug)]
pub enum PasswordCommand {
    Open(PasswordTarget),
    /// Fills both fields with a generated password, shown.
    Generate,
    /// Copies the password typed to the clipboard, for a while.
    Copy,
    /// Sends the password typed, once (also "Set it again" after an unknown outcome).
    Submit,
}

/// Where the dialog stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Stage {
    Editing,
    /// The request is out; `attempt` matches its result to this dialog.
    Sending {
        attempt: u64,
    },
    /// The site refused, or the request surely never arrived: nothing was set.
    Failed(String),
    /// The connection failed after the request may have reached the site.
    Unknown,
}

/// The open dialog.
pub struct PasswordDialog {
    pub target: PasswordTarget,
    pub password: SecretText,
    pub confirmation: SecretText,
    /// The password shows as text rather than dots.
    pub shown: bool,
    pub stage: Stage,
    /// The last Copy: whether the text reached the clipboard.
    pub copied: Option<Promise<Result<(), ClipboardError>>>,
    /// Why Generate gave nothing.
    pub generate_error: Option<String>,
    /// How long a copy stays on the clipboard (said in the dialog).
    pub clipboard_keeps: Duration,
    strength: Option<Strength>,
}

impl std::fmt::Debug for PasswordDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordDialog").field("target", &self.target).field("stage", &self.stage).finish()
    }
}

impl PasswordDialog {
    fn new(target: PasswordTarget, clipboard_keeps: Duration) -> Self {
        Self {
            target,
            password: SecretText::default(),
            confirmation: SecretText::default(),
            shown: false,
            stage: Stage::Editing,
            copied: None,
            generate_error: None,
            clipboard_keeps,
            strength: None,
        }
    }

    /// To call when either field changed: the checks follow the text, and a copy or a
    /// refusal no longer speaks for it. (An unknown outcome still does: the last password
    /// sent may be the contact's now.)
    pub fn edited(&mut self) {
        self.strength = Strength::estimate(self.password.secret(), &self.target.hints());
        self.copied = None;
        if matches!(self.stage, Stage::Failed(_)) {
            self.stage = Stage::Editing;
        }
    }

    pub fn length(&self) -> Length {
        Length::of(self.password.secret())
    }

    pub fn strength(&self) -> Option<&Strength> {
        self.strength.as_ref()
    }

    /// Whether the confirmation, once typed, differs from the password.
    pub fn mismatch(&self) -> bool {
        !self.confirmation.is_empty() && self.password != self.confirmation
    }

    pub fn is_sending(&self) -> bool {
        matches!(self.stage, Stage::Sending { .. })
    }

    /// Why it cannot be sent now, in words; `None` when it can.
    pub fn why_not(&self) -> Option<String> {
        let length = self.length();
        if self.is_sending() {
            Some("Setting the password…".to_owned())
        } else if !length.fits() {
            Some(length.describe())
        } else if self.confirmation.is_empty() {
            Some("Type the password again to confirm it.".to_owned())
        } else if self.mismatch() {
            Some("The two passwords differ.".to_owned())
        } else {
            None
        }
    }

    fn fill(&mut self, password: SecretString) {
        self.password = SecretText::from(password.expose_secret());
        self.confirmation = self.password.clone();
        self.shown = true;
        self.generate_error = None;
        self.edited();
    }
}

/// What setting a password hands back.
pub struct PasswordResult {
    attempt: u64,
    target: PasswordTarget,
    result: Result<Vec<SecureZone>, ApiError>,
}

/// The feature: the dialog when open, and the clipboard it copies to.
pub struct Passwords {
    pub dialog: Option<PasswordDialog>,
    clipboard: Arc<dyn Clipboard>,
    /// How long a copied password stays on the clipboard; tests shorten it.
    pub clipboard_keeps: Duration,
    attempts: u64,
    /// The last password copied (its fingerprint), to take off the clipboard if the app
    /// closes before its time.
    copied: Option<Fingerprint>,
}

impl Feature for Passwords {
    /// The dialog was about a contact of the old site; what was copied stays on its timer.
    fn on_site_closed(&mut self) {
        self.dialog = None;
    }
}

impl Passwords {
    pub fn new(clipboard: Arc<dyn Clipboard>) -> Self {
        Self { dialog: None, clipboard, clipboard_keeps: CLIPBOARD_KEEPS, attempts: 0, copied: None }
    }

    pub fn execute(&mut self, command: PasswordCommand, fx: &mut Effects) {
        if let PasswordCommand::Open(target) = command {
            self.dialog = Some(PasswordDialog::new(target, self.clipboard_keeps));
            return;
        }
        let Some(dialog) = self.dialog.as_mut() else { return };
        match command {
            PasswordCommand::Open(_) => {}
            PasswordCommand::Generate => match generate::generate() {
                Ok(password) => dialog.fill(password),
                Err(error) => dialog.generate_error = Some(error.to_string()),
            },
            PasswordCommand::Copy => {
                if dialog.password.is_empty() {
                    return;
                }
                let secret = dialog.password.secret().clone();
                self.copied = Some(Fingerprint::of(&secret));
                let copy = copy_for_a_while(Arc::clone(&self.clipboard), secret, self.clipboard_keeps);
                dialog.copied = Some(fx.tasks.promise(copy));
            }
            PasswordCommand::Submit => {
                if dialog.why_not().is_some() {
                    return;
                }
                let Some(writes) = fx.writes.clone() else {
                    dialog.stage =
                        Stage::Failed("Not connected to a site yet. Wait for it, then try again.".to_owned());
                    return;
                };
                self.attempts += 1;
                let attempt = self.attempts;
                dialog.stage = Stage::Sending { attempt };
                let (target, password) = (dialog.target.clone(), dialog.password.secret().clone());
                let label = format!("Setting the password of {}", target.name);
                fx.tasks.spawn(label, async move {
                    let result = writes.set_password(target.id, &target.name, &password).await;
                    // Reported whatever site is open by then: the user must hear whether a
                    // password was set, even after switching site.
                    TaskResult::for_app(PasswordResult { attempt, target, result })
                });
            }
        }
    }

    /// The app is closing: a password copied last is taken off the clipboard if it is still
    /// there (a clipboard manager would otherwise keep it after the app is gone). Waits for
    /// that at most `CLOSING_WAIT`, on a thread of its own (the runtime is about to stop, and
    /// would drop a blocking task that has not started).
    pub fn take_off_clipboard(&mut self) {
        let Some(fingerprint) = self.copied.take() else { return };
        let clipboard = Arc::clone(&self.clipboard);
        let (done, cleared) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(clear_if_holding(clipboard.as_ref(), fingerprint));
        });
        if let Ok(Err(error)) = cleared.recv_timeout(CLOSING_WAIT) {
            tracing::warn!(%error, "could not take the copied password off the clipboard");
        }
    }

    /// The dialog that sent it shows the outcome (and closes on success); a dialog closed
    /// meanwhile leaves it to a notification. Neither says the password.
    pub fn fold(&mut self, outcome: PasswordResult, notifications: &mut Notifications) {
        let PasswordResult { attempt, target, result } = outcome;
        let waiting = self
            .dialog
            .as_mut()
            .filter(|dialog| dialog.stage == Stage::Sending { attempt })
            .map(|dialog| &mut dialog.stage);
        match (result, waiting) {
            (Ok(zones), _) => {
                self.dialog = self.dialog.take().filter(|dialog| dialog.stage != Stage::Sending { attempt });
                notifications.push(Level::Success, "Password set", set_message(&target, &zones));
            }
            (Err(ApiError::OutcomeUnknown { .. }), Some(stage)) => *stage = Stage::Unknown,
            (Err(ApiError::OutcomeUnknown { .. }), None) => notifications.push(
                Level::Warning,
                format!("The password of {} may or may not have been set", target.name),
                "The connection failed after the request was sent. Reset the password again to be sure.",
            ),
            (Err(error), Some(stage)) => *stage = Stage::Failed(error.to_string()),
            (Err(error), None) => {
                notifications.error(format!("The password of {} was not set", target.name), error.to_string())
            }
        }
    }
}

/// "Åse Bråten signs in with the new password. Secure zones: Members, Wholesale."
fn set_message(target: &PasswordTarget, zones: &[SecureZone]) -> String {
    let zones = match zones {
        [] => "They are in no secure zone yet.".to_owned(),
        zones => format!("Secure zones: {}.", zones.iter().map(|z| z.name.as_str()).collect::<Vec<_>>().join(", ")),
    };
    format!("{} signs in with the new password from now on. {zones}", target.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> PasswordTarget {
        PasswordTarget {
            id: 7,
            name: "Åse Bråten".into(),
            email: "ase@example.com".into(),
            first_name: "Åse".into(),
            last_name: "Bråten".into(),
        }
    }

    fn dialog(password: &str, confirmation: &str) -> PasswordDialog {
        let mut dialog = PasswordDialog::new(target(), CLIPBOARD_KEEPS);
        dialog.password = password.into();
        dialog.confirmation = confirmation.into();
        dialog.edited();
        dialog
    }

    #[test]
    fn only_a_password_of_the_right_length_typed_twice_alike_can_be_sent() {
        assert_eq!(dialog("abc", "abc").why_not().unwrap(), "Too short: 3 of at least 6 characters.");
        assert_eq!(dialog("long enough", "").why_not().unwrap(), "Type the password again to confirm it.");
        assert_eq!(dialog("long enough", "long enougj").why_not().unwrap(), "The two passwords differ.");
        assert!(dialog("long enough", "long enougj").mismatch());
        assert_eq!(dialog("long enough", "long enough").why_not(), None);
    }

    #[test]
    fn generate_fills_both_fields_and_shows_the_password() {
        let mut dialog = dialog("", "");
        dialog.fill(generate::generate().unwrap());
        assert!(dialog.shown && dialog.why_not().is_none());
        assert!(dialog.strength().unwrap().is_strong());
    }

    #[test]
    fn the_dialog_and_the_commands_never_show_the_password_in_debug() {
        let dialog = dialog("Sup3r-Secret-Value", "Sup3r-Secret-Value");
        assert!(!format!("{dialog:?}").contains("Secret-Value"));
        assert!(!format!("{:?}", PasswordCommand::Submit).contains("Secret-Value"));
    }

    fn waiting(passwords: &mut Passwords, attempt: u64) {
        let mut open = dialog("long enough", "long enough");
        open.stage = Stage::Sending { attempt };
        passwords.dialog = Some(open);
    }

    fn outcome(attempt: u64, result: Result<Vec<SecureZone>, ApiError>) -> PasswordResult {
        PasswordResult { attempt, target: target(), result }
    }

    fn unknown() -> ApiError {
        ApiError::OutcomeUnknown { action: "setting the password".into(), detail: "connection reset".into() }
    }

    #[test]
    fn each_outcome_ends_in_one_place_the_dialog_that_sent_it_or_a_notification() {
        let clipboard = Arc::new(super::super::clipboard::MemoryClipboard::default());
        let mut passwords = Passwords::new(clipboard);
        let mut notes = Notifications::default();

        waiting(&mut passwords, 1);
        passwords.fold(outcome(1, Err(unknown())), &mut notes);
        assert_eq!(passwords.dialog.as_ref().unwrap().stage, Stage::Unknown, "said in the dialog");
        passwords.fold(outcome(2, Err(ApiError::Cancelled)), &mut notes);
        assert_eq!(passwords.dialog.as_ref().unwrap().stage, Stage::Unknown, "another attempt's result leaves it");
        assert_eq!(notes.history().len(), 1, "…and goes to a notification");

        waiting(&mut passwords, 3);
        passwords.fold(outcome(3, Err(ApiError::MissingScope)), &mut notes);
        assert!(matches!(&passwords.dialog.as_ref().unwrap().stage, Stage::Failed(m) if m.contains("scope")));

        waiting(&mut passwords, 4);
        passwords.fold(outcome(4, Ok(Vec::new())), &mut notes);
        assert!(passwords.dialog.is_none(), "closed on success");
        assert_eq!(notes.history().last().unwrap().title, "Password set");

        passwords.fold(outcome(5, Err(unknown())), &mut notes);
        let last = notes.history().last().unwrap();
        assert_eq!(last.title, "The password of Åse Bråten may or may not have been set");
        assert_eq!(notes.history().len(), 3);
    }

    #[test]
    fn the_success_message_names_the_contact_and_zones_only() {
        let zone =
            |name: &str| SecureZone { id: 1, name: name.into(), expiry_date_time: None, extra: Default::default() };
        assert_eq!(
            set_message(&target(), &[zone("Members"), zone("Wholesale")]),
            "Åse Bråten signs in with the new password from now on. Secure zones: Members, Wholesale."
        );
        assert!(set_message(&target(), &[]).ends_with("They are in no secure zone yet."));
    }
}
