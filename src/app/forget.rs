//! "Forget this contact": the person's every trace removed from this computer's change
//! journal and drafts of the open site (the contact on the site is not touched). Asked from
//! the pane or the History panel, confirmed in a dialog, carried out off the UI thread.

use super::contact::drafts::DraftFolder;
use super::effects::{Effects, Feature, TaskResult};
use super::journal::JournalError;
use super::notifications::Level;
use super::personal_data::{Forgot, forget};

/// Who is to be forgotten: the email finds them in the journal and the drafts.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub email: String,
    pub name: String,
}

#[derive(Debug)]
pub enum ForgetCommand {
    /// Asks first (the confirmation dialog).
    Ask(Person),
    Confirm(Person),
    Cancel,
}

pub struct ForgetResult {
    person: Person,
    result: Result<Forgot, JournalError>,
}

#[derive(Default)]
pub struct Forgetting {
    /// The person the confirmation dialog asks about.
    pub asking: Option<Person>,
}

impl Feature for Forgetting {
    fn on_site_closed(&mut self) {
        self.asking = None;
    }
}

impl Forgetting {
    /// `drafts`: the open site's draft folder. `editing`: the email of a contact with unsaved
    /// changes in the pane (its next draft would bring the person back).
    pub fn execute(&mut self, command: ForgetCommand, drafts: DraftFolder, editing: Option<&str>, fx: &mut Effects) {
        match command {
            ForgetCommand::Ask(person) => self.asking = Some(person),
            ForgetCommand::Cancel => self.asking = None,
            ForgetCommand::Confirm(person) => {
                self.asking = None;
                if editing.is_some_and(|email| email.trim().eq_ignore_ascii_case(person.email.trim())) {
                    let why = "Save or revert the changes to this contact in the pane first.";
                    fx.notifications.push(Level::Info, "Not forgotten", why);
                    return;
                }
                let Some(journal) = fx.writes.as_ref().and_then(|w| w.journal().cloned()) else { return };
                let connection = fx.connection;
                fx.tasks.spawn(format!("Forgetting {}", person.name), async move {
                    let email = person.email.clone();
                    let result = tokio::task::spawn_blocking(move || forget(&journal, &drafts, &email))
                        .await
                        .unwrap_or_else(|stopped| Err(stopped.into()));
                    TaskResult::for_site(connection, ForgetResult { person, result })
                });
            }
        }
    }

    pub fn fold(&mut self, done: ForgetResult, fx: &mut Effects) {
        match done.result {
            Ok(forgot) => fx.notifications.push(
                Level::Success,
                "Forgotten",
                format!(
                    "{} is gone from this computer's change journal ({}) and drafts ({}). The contact on the site \
                     is unchanged.",
                    done.person.name,
                    crate::app::text::plural(forgot.entries as u64, "entry", "entries"),
                    forgot.drafts
                ),
            ),
            Err(error) => fx.notifications.error(format!("{} was not forgotten", done.person.name), error.to_string()),
        }
    }
}
