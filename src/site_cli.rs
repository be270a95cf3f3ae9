//! The site a command-line subcommand talks to: `--site URL --client-id ID` with the secret
//! from the environment, or `--profile NAME` (a site saved in the app, its secret from the
//! keyring, and the dialect the doctor learned for it).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use secrecy::SecretString;

use treepl_contacts::api::{Client, Dialect, ReadClient, SiteCredentials};
use treepl_contacts::app::credentials::{SecretStore, SystemKeyring, call_with_timeout};
use treepl_contacts::app::journal::{Journal, Writes};
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};

/// The environment variable the client secret is read from.
pub const SECRET_VARIABLE: &str = "TREEPL_CLIENT_SECRET";

#[derive(clap::Args)]
pub struct SiteArgs {
    /// The site's address, e.g. https://example.com.
    #[arg(long, required_unless_present = "profile", requires = "client_id")]
    site: Option<String>,
    /// The Client ID of the site's API application.
    #[arg(long)]
    client_id: Option<String>,
    /// A site saved in the app (its name or id): its address, Client ID, keyring secret and
    /// the dialect the doctor learned for it.
    #[arg(long, conflicts_with_all = ["site", "client_id"])]
    profile: Option<String>,
}

/// The site named on the command line.
pub struct ChosenSite {
    pub credentials: SiteCredentials,
    /// The saved profile, when `--profile` named one (or `--site` matches one).
    pub profile: Option<SiteProfile>,
}

impl ChosenSite {
    /// The dialect the doctor learned for the saved site (the default one for an unsaved site).
    pub fn dialect(&self) -> Dialect {
        self.profile.as_ref().map(SiteProfile::dialect).unwrap_or_default()
    }

    /// A connection that can only read, in the site's dialect: all an export, a dry run or
    /// the doctor's read probes get.
    pub fn reads(&self) -> anyhow::Result<ReadClient> {
        let client = self.client(self.dialect())?;
        Ok(ReadClient::clone(&client))
    }

    /// The only way a command writes: through the site's change journal, in `dialect`. A saved
    /// site's journal is the app's, which shows the writes and undoes them; an unsaved site
    /// gets one of its own, named by its address and Client ID. Without a journal nothing is sent.
    pub async fn writes(&self, data_dir: Option<PathBuf>, dialect: Dialect) -> anyhow::Result<Writes> {
        let Some(data_dir) = data_dir else { bail!("no home folder, so no change journal: nothing was sent") };
        let key = match &self.profile {
            Some(profile) => profile.id.clone(),
            None => unsaved_site_key(self.credentials.site_url.as_str(), &self.credentials.client_id),
        };
        let journal = tokio::task::spawn_blocking(move || Journal::open(&data_dir, &key))
            .await
            .context("opening the change journal")?
            .map_err(|error| anyhow::anyhow!("the change journal could not be opened, so nothing was sent: {error}"))?;
        Ok(Writes::new(self.client(dialect)?, Ok(journal)))
    }

    /// Private: commands get [`Self::reads`] or [`Self::writes`], never a bare writing client.
    fn client(&self, dialect: Dialect) -> anyhow::Result<Client> {
        Ok(Client::new(self.credentials.clone())?.with_dialect(dialect))
    }
}

/// The journal of a site that is not saved in the app: one per address and Client ID.
fn unsaved_site_key(site_url: &str, client_id: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(format!("{site_url}\n{client_id}").as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("unsaved-{hex}")
}

/// The site, Client ID and secret: from the flags and the environment, or from a profile.
pub async fn chosen_site(args: &SiteArgs, config_dir: Option<PathBuf>) -> anyhow::Result<ChosenSite> {
    let from_environment = std::env::var(SECRET_VARIABLE).ok().filter(|s| !s.is_empty()).map(SecretString::from);
    let profiles = match &config_dir {
        Some(folder) => {
            let file = ProfileFile::in_folder(folder);
            tokio::task::spawn_blocking(move || file.load()).await.context("reading the saved sites")??
        }
        None => Vec::new(),
    };
    let Some(wanted) = &args.profile else {
        let (Some(site), Some(client_id)) = (&args.site, &args.client_id) else {
            bail!("give --site and --client-id, or --profile");
        };
        let Some(secret) = from_environment else {
            bail!("set {SECRET_VARIABLE} to the client secret of the site's API application");
        };
        let credentials = SiteCredentials::new(site, client_id, secret)?;
        let profile = profiles.into_iter().find(|p| {
            p.client_id == credentials.client_id
                && p.site_url.trim().trim_end_matches('/') == credentials.site_url.as_str().trim_end_matches('/')
        });
        return Ok(ChosenSite { credentials, profile });
    };
    if config_dir.is_none() {
        bail!("no home folder, so no saved sites");
    }
    let Some(profile) = profiles.into_iter().find(|p| p.name == *wanted || p.id == *wanted) else {
        bail!("no saved site is called `{wanted}`; add it in the app first, or use --site and --client-id");
    };
    let secret = match from_environment {
        Some(secret) => secret,
        None => {
            let store: Arc<dyn SecretStore> = Arc::new(SystemKeyring::default());
            let key = profile.id.clone();
            call_with_timeout(store, move |store| store.get(&key))
                .await
                .map_err(|e| anyhow::anyhow!("reading the client secret from the keyring: {e}"))?
                .with_context(|| {
                    format!("the keyring has no secret for `{}`; set {SECRET_VARIABLE} instead", profile.name)
                })?
        }
    };
    let credentials = SiteCredentials::new(&profile.site_url, &profile.client_id, secret)?;
    Ok(ChosenSite { credentials, profile: Some(profile) })
}
