//! The open site, and the work of opening one: starting the built-in sandbox, reading a saved
//! site's secret, building its client in the dialect the doctor learned, opening its change
//! journal, and settling the changes a stopped run left unfinished. Each switch bumps the
//! connection number, so that late results about the previous site are dropped (in
//! [`crate::app::AppState::poll`], the one place that does).

use std::path::PathBuf;

use secrecy::SecretString;

use crate::api::{ApiError, Client, ReadClient, SiteCredentials};
use crate::sandbox::{FaultSpec, Sandbox, SandboxConfig, SandboxError};

use super::command::Target;
use super::credentials::{self, SecretStoreError};
use super::effects::TaskResult;
use super::journal::{self, Journal, JournalResult, Writes};
use super::notifications::Level;
use super::profiles::{Profiles, SiteProfile, build_client};
use super::settings::Settings;
use super::shell::Shell;
use super::state::AppConfig;

#[derive(Clone, Debug, PartialEq)]
pub enum SiteStatus {
    Connecting,
    Connected,
    Failed(String),
}

/// The site the app works on.
pub struct Site {
    pub target: Target,
    pub name: String,
    pub status: SiteStatus,
    /// What features read with (none until connected).
    pub client: Option<ReadClient>,
    /// The client with the site's change journal: the path every write takes.
    pub writes: Option<Writes>,
    /// Bumped on every switch, so that late results for the previous site are dropped.
    pub(super) connection: u64,
    /// The built-in sandbox once started; kept when another site opens, to come back to.
    sandbox: Option<Sandbox>,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            target: Target::Sandbox,
            name: "Starting…".to_owned(),
            status: SiteStatus::Connecting,
            client: None,
            writes: None,
            connection: 0,
            sandbox: None,
        }
    }
}

impl Site {
    /// The key of the site's settings and files.
    pub fn key(&self) -> String {
        self.target.key()
    }

    /// The sandbox, when it runs (for tests and the banner).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// Leaves the open site for `target`: what was read or written through it is dropped.
    fn switch_to(&mut self, target: Target, name: String) {
        self.connection += 1;
        self.target = target;
        self.name = name;
        self.status = SiteStatus::Connecting;
        self.client = None;
        self.writes = None;
    }
}

/// Why part of opening a site failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("{}: {source}", folder.display())]
    DataFolder { folder: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    #[error(transparent)]
    Erase(#[from] std::io::Error),
    #[error("the work stopped: {0}")]
    Stopped(#[from] tokio::task::JoinError),
}

/// What the work of opening a site hands back.
pub enum SiteResult {
    SandboxStarted(Result<Sandbox, SiteError>),
    /// A client for the site was built (off the UI thread: it reads the system's certificates).
    ClientBuilt(Result<Writes, ApiError>),
    /// Unfinished changes found in the journal and checked against the site: how many.
    Settled(JournalResult<usize>),
    SecretFetched {
        profile: SiteProfile,
        result: Result<Option<SecretString>, SecretStoreError>,
    },
    /// A removed site's journal and drafts were erased, or why not.
    DataErased(Result<(), SiteError>),
}

/// What the rest of the app does after a site result.
#[must_use]
pub enum SiteEvent {
    /// The site is connected: the features load what they show.
    Opened,
}

/// `client` with the journal of `site_key` (or why it could not be opened).
async fn with_journal(client: Client, data_dir: PathBuf, site_key: String) -> Writes {
    let journal = tokio::task::spawn_blocking(move || Journal::open(&data_dir, &site_key))
        .await
        .unwrap_or_else(|stopped| Err(stopped.into()));
    Writes::new(client, journal)
}

/// The site lifecycle runs on the shell: it starts work and tells the user.
impl Shell {
    /// Opens `target`: the sandbox (started on first use) or a saved site (its secret read
    /// from the keyring first). The caller has let the features go of the old site.
    pub fn open_site(&mut self, target: Target, config: &AppConfig, profiles: &Profiles, settings: &mut Settings) {
        match &target {
            Target::Sandbox => {
                self.site.switch_to(Target::Sandbox, "Sandbox site".to_owned());
                settings.last_profile = None;
                match self.site.sandbox.as_ref().map(Sandbox::credentials) {
                    Some(credentials) => self.connect(Ok(credentials), config, profiles),
                    None => self.start_sandbox(config),
                }
            }
            Target::Profile(id) => {
                let Some(profile) = profiles.find(id).cloned() else {
                    self.notifications.error("Unknown site", "That site profile no longer exists.");
                    return;
                };
                self.site.switch_to(target.clone(), profile.name.clone());
                settings.last_profile = Some(profile.id.clone());
                let store = profiles.secret_store_for(&profile.id);
                let key = profile.id.clone();
                let connection = self.site.connection;
                self.tasks.spawn(format!("Reading the secret of {}", profile.name), async move {
                    let result = credentials::call_with_timeout(store, move |s| s.get(&key)).await;
                    TaskResult::for_site(connection, SiteResult::SecretFetched { profile, result })
                });
            }
        }
    }

    /// Opens a site the connect dialog has just checked, with the client it built.
    pub fn open_checked_site(&mut self, profile: &SiteProfile, client: Client, config: &AppConfig) {
        self.site.switch_to(Target::Profile(profile.id.clone()), profile.name.clone());
        let connection = self.site.connection;
        let (data_dir, site_key) = (config.data_dir.clone(), self.site.key());
        self.tasks.spawn("Opening the change journal", async move {
            let writes = with_journal(client, data_dir, site_key).await;
            TaskResult::for_site(connection, SiteResult::ClientBuilt(Ok(writes)))
        });
        self.notifications.push(Level::Success, "Site connected", format!("Now working on {}.", profile.name));
    }

    fn start_sandbox(&mut self, config: &AppConfig) {
        let mut sandbox = SandboxConfig::new(config.data_dir.join("sandbox.db"));
        sandbox.seed = config.sandbox_seed;
        match config.sandbox_faults.as_deref().map(FaultSpec::parse) {
            Some(Ok(faults)) => sandbox.faults = faults,
            Some(Err(error)) => self.notifications.error("Sandbox faults ignored", error),
            None => {}
        }
        let folder = config.data_dir.clone();
        let demo_contacts = sandbox.seed;
        self.tasks.spawn_with_progress("Preparing the sandbox site", move |progress| async move {
            let started = async {
                tokio::fs::create_dir_all(&folder)
                    .await
                    .map_err(|source| SiteError::DataFolder { folder: folder.clone(), source })?;
                let seeded = move |done| progress.set(done, Some(demo_contacts));
                Ok(Sandbox::start_with_progress(sandbox, seeded).await?)
            };
            // Kept whatever site is open by then: the sandbox is reused later.
            TaskResult::for_app(SiteResult::SandboxStarted(started.await))
        });
    }

    /// Builds a client for the open site in the background, in the dialect the doctor
    /// learned (the default for the sandbox), with the site's change journal beside it.
    fn connect(&mut self, credentials: Result<SiteCredentials, ApiError>, config: &AppConfig, profiles: &Profiles) {
        let (connection, options) = (self.site.connection, config.client_options.clone());
        let (data_dir, site_key) = (config.data_dir.clone(), self.site.key());
        let dialect = match &self.site.target {
            Target::Profile(id) => profiles.find(id).map(SiteProfile::dialect).unwrap_or_default(),
            Target::Sandbox => crate::api::Dialect::default(),
        };
        self.tasks.spawn("Connecting to the site", async move {
            let writes = match credentials {
                Ok(credentials) => match build_client(credentials, options).await {
                    Ok(client) => Ok(with_journal(client.with_dialect(dialect), data_dir, site_key).await),
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            };
            TaskResult::for_site(connection, SiteResult::ClientBuilt(writes))
        });
    }

    fn connected(&mut self, writes: Result<Writes, ApiError>, keep_days: u32) -> Option<SiteEvent> {
        let writes = match writes {
            Ok(writes) => writes,
            Err(error) => {
                self.site.status = SiteStatus::Failed(error.to_string());
                return None;
            }
        };
        if writes.journal().is_none() {
            self.notifications.error(
                "Changes are off",
                "The change journal could not be opened, so the app will not send changes to this site.",
            );
        }
        self.site.client = Some(writes.client().clone());
        self.site.writes = Some(writes.clone());
        let connection = self.site.connection;
        self.tasks.spawn("Checking unfinished changes", async move {
            TaskResult::for_site(connection, SiteResult::Settled(journal::tidy(&writes, keep_days).await))
        });
        self.site.status = SiteStatus::Connected;
        Some(SiteEvent::Opened)
    }

    /// Erases a removed site's journal and drafts, off the UI thread.
    pub fn erase_site_data(&mut self, site_key: String, config: &AppConfig) {
        let data_dir = config.data_dir.clone();
        self.tasks.spawn("Removing the site's data", async move {
            let erase = move || super::personal_data::erase_site(&data_dir, &site_key);
            let erased = match tokio::task::spawn_blocking(erase).await {
                Ok(erased) => erased.map_err(SiteError::from),
                Err(stopped) => Err(SiteError::from(stopped)),
            };
            TaskResult::for_app(SiteResult::DataErased(erased))
        });
    }

    pub fn fold_site(
        &mut self,
        result: SiteResult,
        config: &AppConfig,
        profiles: &Profiles,
        settings: &Settings,
    ) -> Option<SiteEvent> {
        match result {
            SiteResult::DataErased(Ok(())) => tracing::info!("a removed site's journal and drafts were erased"),
            SiteResult::DataErased(Err(error)) => {
                self.notifications.error("The removed site's journal and drafts could not be erased", error.to_string());
            }
            SiteResult::SandboxStarted(Ok(sandbox)) => {
                let credentials = sandbox.credentials();
                self.site.sandbox = Some(sandbox);
                if self.site.target == Target::Sandbox {
                    self.connect(Ok(credentials), config, profiles);
                }
            }
            SiteResult::SandboxStarted(Err(error)) => {
                self.site.status = SiteStatus::Failed(error.to_string());
                self.notifications.error("The sandbox site did not start", error.to_string());
            }
            SiteResult::ClientBuilt(writes) => return self.connected(writes, settings.journal_keep_days),
            SiteResult::Settled(Ok(0)) => {}
            SiteResult::Settled(Ok(settled)) => self.notifications.push(
                Level::Info,
                "Unfinished changes checked",
                format!(
                    "{} the app was sending when it last stopped {} checked against the site; History shows how each ended.",
                    crate::app::text::plural(settled as u64, "change", "changes"),
                    if settled == 1 { "was" } else { "were" }
                ),
            ),
            SiteResult::Settled(Err(error)) => {
                self.notifications.error("Unfinished changes not checked", error.to_string())
            }
            SiteResult::SecretFetched { profile, result } => match result {
                Ok(Some(secret)) => {
                    let credentials = SiteCredentials::new(&profile.site_url, &profile.client_id, secret);
                    self.connect(credentials, config, profiles);
                }
                Ok(None) => {
                    let message = format!("No Client Secret is stored for {}. Connect it again.", profile.name);
                    self.site.status = SiteStatus::Failed(message.clone());
                    self.notifications.push(Level::Warning, "Secret missing", message);
                }
                Err(error) => {
                    self.site.status = SiteStatus::Failed(error.to_string());
                    self.notifications
                        .error(format!("Could not read the secret of {}", profile.name), error.to_string());
                }
            },
        }
        None
    }
}
