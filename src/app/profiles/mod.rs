//! Site profiles, as a feature: the saved sites (the file in `file`, the secrets in the
//! keyring), the connect dialog, what the UI may ask ([`ProfilesCommand`]), what the
//! background work hands back ([`ProfilesResult`]), and what the app must do after
//! ([`ProfilesEvent`]: open a site, or leave a removed one).

mod file;

use std::collections::HashSet;
use std::sync::Arc;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

pub use file::{
    LoadedProfiles, ProfileFile, ProfileFileError, ProfileStore, ProfileStoreError, SiteProfile, Unwritable,
};

use crate::api::{ApiError, Client, ClientOptions, SiteCredentials};

use super::command::ProfileDraft;
use super::credentials::{self, SecretStore, SecretStoreError, SessionStore};
use super::effects::{Effects, TaskResult};
use super::notifications::Level;

/// What the connect dialog and the Site menu may ask for.
#[derive(Debug)]
pub enum ProfilesCommand {
    /// Signs in with the draft and reads one contact, saving nothing.
    Test(ProfileDraft),
    /// Tests, then stores the secret and the profile, then opens it. `session_only`: keep the
    /// secret in memory (when there is no keyring) and the profile for this session.
    Save { draft: ProfileDraft, session_only: bool },
    /// The connect dialog was closed while its save ran: stop it if it has not stored
    /// anything yet (a save that has is finished whole).
    CancelSave,
    /// Asks first whether to remove the site, and its data on this computer with it.
    AskRemove(String),
    /// The question was closed without removing anything.
    KeepSite,
    /// Forgets the site and its secret; with `erase_data`, its journal, drafts and views too.
    Remove { id: String, erase_data: bool },
    /// Keeps what a site check found (and the dialect it learned) with the profile `id`.
    SaveCheck { id: String, check: Box<crate::doctor::SiteCheck> },
}

/// The question before a site is removed: its data on this computer goes too unless unticked.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoveSite {
    pub id: String,
    pub name: String,
    pub erase_data: bool,
}

/// What the profiles' background work hands back.
pub enum ProfilesResult {
    Loaded(LoadedProfiles),
    Tested { draft: ProfileDraft, result: Result<u64, ApiError> },
    Saved { save: u64, result: Result<SavedProfile, SaveFailure> },
    Removed { id: String, erase_data: bool, result: Result<(), RemoveFailure> },
    CheckSaved { name: String, result: Result<(), ProfileStoreError> },
}

/// What the app does after a profile change.
pub enum ProfilesEvent {
    /// The saved profiles are in: open the last site.
    Loaded,
    /// A site was saved from the open dialog: open it with its client.
    Open { profile: SiteProfile, client: Client, session_only: bool },
    /// This profile is gone: leave it if it is open; with `erase_data`, remove its journal,
    /// drafts and views.
    Removed { id: String, erase_data: bool },
}

pub struct SavedProfile {
    profile: SiteProfile,
    client: Client,
    session_only: bool,
}

/// Why a profile was not saved (or its test did not connect); nothing of it was kept.
#[derive(Debug, thiserror::Error)]
pub enum SaveFailure {
    /// Stopped before anything was stored.
    #[error("The save was cancelled; nothing was kept.")]
    Cancelled,
    #[error(transparent)]
    Connection(ApiError),
    #[error(transparent)]
    Keyring(SecretStoreError),
    #[error(transparent)]
    File(ProfileStoreError),
}

/// Why a site was not removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveFailure {
    #[error(transparent)]
    File(#[from] ProfileStoreError),
    #[error(transparent)]
    Keyring(#[from] SecretStoreError),
}

/// A test that reached the site: how many contacts it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connected {
    pub contacts: u64,
}

impl std::fmt::Display for Connected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Connected: the site has {} contacts.", self.contacts)
    }
}

/// The connect dialog's data: the draft and how testing or saving it went.
#[derive(Default)]
pub struct ConnectDialog {
    pub draft: ProfileDraft,
    pub testing: bool,
    pub saving: bool,
    /// The save this dialog started, if any (a closed dialog's save may still be finishing).
    save: Option<u64>,
    /// The outcome of the last test (or why the last test or save failed), for the user.
    pub outcome: Option<Result<Connected, SaveFailure>>,
    /// Set when the keyring refused: the dialog offers to keep the secret for this session.
    pub keyring_problem: Option<String>,
    /// The Site URL field has lost the keyboard once: from then on what is wrong with the
    /// address shows under it, while typing too (not before: a half-typed address is no error).
    pub url_left: bool,
}

impl ConnectDialog {
    /// The fields that Test and Save still need, named as the dialog labels them.
    pub fn missing(&self) -> Vec<&'static str> {
        let draft = &self.draft;
        [
            ("Site URL", draft.site_url.trim().is_empty()),
            ("Client ID", draft.client_id.trim().is_empty()),
            ("Client Secret", draft.client_secret.is_empty()),
        ]
        .into_iter()
        .filter_map(|(name, empty)| empty.then_some(name))
        .collect()
    }

    /// What is wrong with the typed Site URL, once the field was left. An empty one is only
    /// missing, and said so with the other missing fields.
    pub fn url_problem(&self) -> Option<String> {
        let url = self.draft.site_url.trim();
        if !self.url_left || url.is_empty() {
            return None;
        }
        crate::api::parse_site_url(url).err().map(|error| error.to_string())
    }
}

pub struct Profiles {
    pub list: Vec<SiteProfile>,
    /// Profiles kept for this session only (no keyring): never written to the profiles file.
    session_only: HashSet<String>,
    session_secrets: Arc<SessionStore>,
    keyring: Arc<dyn SecretStore>,
    /// The one writer of the profiles file.
    store: ProfileStore,
    client_options: ClientOptions,
    pub dialog: Option<ConnectDialog>,
    /// The question before removing a site.
    pub removing: Option<RemoveSite>,
    /// Stops the save in flight, until it stores anything.
    save_in_flight: Option<(u64, CancellationToken)>,
    /// Numbers saves, so that each result finds the dialog that asked for it.
    saves_started: u64,
}

impl Profiles {
    pub fn new(file: ProfileFile, keyring: Arc<dyn SecretStore>, client_options: ClientOptions) -> Self {
        Self {
            list: Vec::new(),
            session_only: HashSet::new(),
            session_secrets: Arc::new(SessionStore::default()),
            keyring,
            store: ProfileStore::new(file),
            client_options,
            dialog: None,
            removing: None,
            save_in_flight: None,
            saves_started: 0,
        }
    }

    /// Starts reading the profiles file.
    pub fn load(&self, fx: &mut Effects) {
        let store = self.store.clone();
        fx.tasks.spawn("Reading site profiles", async move {
            TaskResult::for_app(ProfilesResult::Loaded(store.load().await))
        });
    }

    pub fn find(&self, id: &str) -> Option<&SiteProfile> {
        self.list.iter().find(|p| p.id == id)
    }

    pub fn is_session_only(&self, id: &str) -> bool {
        self.session_only.contains(id)
    }

    /// Where the secret of profile `id` is kept.
    pub fn secret_store_for(&self, id: &str) -> Arc<dyn SecretStore> {
        if self.session_only.contains(id) { self.session_secrets.clone() } else { Arc::clone(&self.keyring) }
    }

    /// For the connect dialog: where secrets go.
    pub fn keyring_description(&self) -> &'static str {
        self.keyring.describe()
    }

    pub fn execute(&mut self, command: ProfilesCommand, fx: &mut Effects) {
        match command {
            ProfilesCommand::Test(draft) => self.test(draft, fx),
            ProfilesCommand::Save { draft, session_only } => self.save(draft, session_only, fx),
            ProfilesCommand::CancelSave => {
                if let Some((_, cancel)) = &self.save_in_flight {
                    cancel.cancel();
                }
                self.dialog = None;
            }
            ProfilesCommand::AskRemove(id) => {
                let name = self.find(&id).map(|p| p.name.clone()).unwrap_or_default();
                self.removing = Some(RemoveSite { id, name, erase_data: true });
            }
            ProfilesCommand::KeepSite => self.removing = None,
            ProfilesCommand::Remove { id, erase_data } => {
                self.removing = None;
                self.remove(id, erase_data, fx);
            }
            ProfilesCommand::SaveCheck { id, check } => self.save_check(id, *check, fx),
        }
    }

    /// Keeps a site check with its profile: in the list at once (the connection uses it from
    /// now on), in the file unless the site is kept for this session only.
    fn save_check(&mut self, id: String, check: crate::doctor::SiteCheck, fx: &mut Effects) {
        let Some(profile) = self.list.iter_mut().find(|p| p.id == id) else { return };
        profile.site_check = Some(check.clone());
        if self.session_only.contains(&id) {
            return;
        }
        let (store, name) = (self.store.clone(), profile.name.clone());
        fx.tasks.spawn("Saving the site check", async move {
            let result = store
                .change(move |list| {
                    if let Some(profile) = list.iter_mut().find(|p| p.id == id) {
                        profile.site_check = Some(check);
                    }
                })
                .await;
            TaskResult::for_app(ProfilesResult::CheckSaved { name, result })
        });
    }

    pub fn fold(&mut self, result: ProfilesResult, fx: &mut Effects) -> Option<ProfilesEvent> {
        match result {
            ProfilesResult::Loaded(LoadedProfiles { profiles, problem }) => {
                self.list = profiles;
                if let Some(message) = problem {
                    fx.notifications.error("Could not read the site profiles", message);
                }
                Some(ProfilesEvent::Loaded)
            }
            ProfilesResult::Tested { draft, result } => {
                let dialog = self.dialog.as_mut()?;
                dialog.testing = false;
                if dialog.draft == draft {
                    dialog.outcome =
                        Some(result.map(|contacts| Connected { contacts }).map_err(SaveFailure::Connection));
                }
                None
            }
            ProfilesResult::Saved { save, result } => self.saved(save, result, fx),
            ProfilesResult::CheckSaved { name, result } => {
                if let Err(error) = result {
                    let title = format!("The check of {name} was not saved; it applies until the app closes");
                    fx.notifications.error(title, error.to_string());
                }
                None
            }
            ProfilesResult::Removed { id, erase_data, result } => match result {
                Ok(()) => {
                    let name = self.find(&id).map(|p| p.name.clone()).unwrap_or_default();
                    self.list.retain(|p| p.id != id);
                    self.session_only.remove(&id);
                    let what = if erase_data { "its secret, change journal, drafts and views" } else { "its secret" };
                    fx.notifications.push(Level::Info, "Site removed", format!("{name} and {what} were removed."));
                    Some(ProfilesEvent::Removed { id, erase_data })
                }
                Err(error) => {
                    fx.notifications.error("Could not remove the site", error.to_string());
                    None
                }
            },
        }
    }

    fn test(&mut self, draft: ProfileDraft, fx: &mut Effects) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        dialog.testing = true;
        dialog.outcome = None;
        let options = self.client_options.clone();
        fx.tasks.spawn("Testing the connection", async move {
            let result = async { client_for(&draft, options).await?.check_connection().await }.await;
            TaskResult::for_app(ProfilesResult::Tested { draft, result })
        });
    }

    /// Tests the draft, then stores the secret and the profile. Until the secret is stored a
    /// cancel stops it with nothing kept; from then on it finishes whole (secret, file and the
    /// app's list agree), and a failed file write takes the secret back out.
    fn save(&mut self, draft: ProfileDraft, session_only: bool, fx: &mut Effects) {
        let Some(dialog) = self.dialog.as_mut() else { return };
        dialog.saving = true;
        dialog.outcome = None;
        dialog.keyring_problem = None;
        let options = self.client_options.clone();
        let secrets: Arc<dyn SecretStore> =
            if session_only { self.session_secrets.clone() } else { Arc::clone(&self.keyring) };
        let profiles = self.store.clone();
        let cancel = CancellationToken::new();
        self.saves_started += 1;
        let save = self.saves_started;
        dialog.save = Some(save);
        self.save_in_flight = Some((save, cancel.clone()));
        fx.tasks.spawn("Saving the site", async move {
            let result = async {
                let checked = async {
                    let client = client_for(&draft, options).await?;
                    client.check_connection().await?;
                    Ok(client)
                };
                let client = tokio::select! {
                    biased;
                    () = cancel.cancelled() => return Err(SaveFailure::Cancelled),
                    checked = checked => checked.map_err(SaveFailure::Connection)?,
                };
                let profile = draft.profile();
                let (key, secret) = (profile.id.clone(), draft.client_secret.secret().clone());
                credentials::call_with_timeout(Arc::clone(&secrets), move |s| s.set(&key, &secret))
                    .await
                    .map_err(SaveFailure::Keyring)?;
                if !session_only {
                    let added = profile.clone();
                    if let Err(error) = profiles.change(move |list| list.push(added)).await {
                        // Nothing half-saved: take the secret back out of the keyring.
                        let key = profile.id.clone();
                        let _ = credentials::call_with_timeout(secrets, move |s| s.delete(&key)).await;
                        return Err(SaveFailure::File(error));
                    }
                }
                Ok(SavedProfile { profile, client, session_only })
            }
            .await;
            TaskResult::for_app(ProfilesResult::Saved { save, result })
        });
    }

    /// A save that stored the profile is taken in whole, even when its dialog was closed
    /// meanwhile: then the site is kept but not opened.
    fn saved(
        &mut self,
        save: u64,
        saved: Result<SavedProfile, SaveFailure>,
        fx: &mut Effects,
    ) -> Option<ProfilesEvent> {
        if self.save_in_flight.as_ref().is_some_and(|(current, _)| *current == save) {
            self.save_in_flight = None;
        }
        let Some(dialog) = self.dialog.as_mut().filter(|d| d.save == Some(save)) else {
            match saved {
                Ok(SavedProfile { profile, session_only, .. }) => {
                    let message =
                        format!("{} was saved before the cancel reached it; open it from the Site menu.", profile.name);
                    self.keep(profile, session_only);
                    fx.notifications.push(Level::Info, "Site saved", message);
                }
                Err(SaveFailure::Cancelled) => {}
                Err(failure) => fx.notifications.error("The site was not saved", failure.to_string()),
            }
            return None;
        };
        dialog.saving = false;
        match saved {
            Ok(SavedProfile { profile, client, session_only }) => {
                self.dialog = None;
                self.keep(profile.clone(), session_only);
                Some(ProfilesEvent::Open { profile, client, session_only })
            }
            Err(SaveFailure::Cancelled) => None,
            Err(SaveFailure::Keyring(error)) if error.offers_session_fallback() => {
                dialog.keyring_problem = Some(error.to_string());
                None
            }
            Err(failure) => {
                dialog.outcome = Some(Err(failure));
                None
            }
        }
    }

    fn keep(&mut self, profile: SiteProfile, session_only: bool) {
        if session_only {
            self.session_only.insert(profile.id.clone());
        }
        self.list.push(profile);
    }

    fn remove(&mut self, id: String, erase_data: bool, fx: &mut Effects) {
        let secrets = self.secret_store_for(&id);
        let profiles = self.store.clone();
        let session_only = self.session_only.contains(&id);
        let key = id.clone();
        fx.tasks.spawn("Removing the site", async move {
            let result = async {
                if !session_only {
                    let removed = key.clone();
                    profiles.change(move |list| list.retain(|p| p.id != removed)).await?;
                }
                credentials::call_with_timeout(secrets, move |s| s.delete(&key)).await?;
                Ok(())
            }
            .await;
            TaskResult::for_app(ProfilesResult::Removed { id, erase_data, result })
        });
    }
}

async fn client_for(draft: &ProfileDraft, options: ClientOptions) -> Result<Client, ApiError> {
    let secret: SecretString = draft.client_secret.secret().clone();
    let credentials = SiteCredentials::new(&draft.site_url, &draft.client_id, secret)?;
    build_client(credentials, options).await
}

/// A client, built on the blocking pool (it reads the system's certificates).
pub async fn build_client(credentials: SiteCredentials, options: ClientOptions) -> Result<Client, ApiError> {
    let built = tokio::task::spawn_blocking(move || Client::with_options(credentials, options)).await;
    built.unwrap_or_else(|stopped| {
        tracing::warn!(%stopped, "building a client stopped");
        Err(ApiError::Cancelled)
    })
}
