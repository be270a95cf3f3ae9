//! Shared set-up for the integration tests: a sandbox site on a temporary SQLite file and
//! a client for it with a quick retry policy.

#![allow(dead_code)] // The suite and the two binaries of their own each use a subset.

pub mod app;
pub mod exported;
pub mod process;
pub mod reference;
pub mod workbook;

use std::time::Duration;

use tempfile::TempDir;
use treepl_contacts::api::{Client, ClientOptions, RetryPolicy};
use treepl_contacts::sandbox::{Sandbox, SandboxConfig};

/// The name the test harness knows `test` by, in the module whose `module_path!()` is `module`:
/// the path without the crate's name. For a test that runs itself again in a child process
/// (`current_exe()` with `--exact`).
pub fn harness_name(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{test}"),
        None => test.to_owned(),
    }
}

/// A running sandbox; its database lives as long as this does.
pub struct Site {
    pub sandbox: Sandbox,
    pub client: Client,
    _folder: TempDir,
}

/// Retries fast enough for tests, with the same shape as the default policy.
impl Site {
    /// The client with a change journal of its own (in the site's folder), as the app writes.
    #[allow(dead_code)]
    pub fn writes(&self) -> treepl_contacts::app::journal::Writes {
        let journal = treepl_contacts::app::journal::Journal::open(self._folder.path(), "test-site");
        treepl_contacts::app::journal::Writes::new(self.client.clone(), journal)
    }
}

pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
        max_total: Duration::from_secs(10),
    }
}

pub fn quick_options() -> ClientOptions {
    ClientOptions { retry: quick_retries(), ..ClientOptions::default() }
}

pub async fn site(seed: u64) -> Site {
    site_with(SandboxConfig::new(""), seed).await
}

/// A sandbox started from `config` (its `db_path` is replaced by a fresh temporary file).
pub async fn site_with(mut config: SandboxConfig, seed: u64) -> Site {
    let folder = tempfile::tempdir().expect("a temporary folder");
    config.db_path = folder.path().join("sandbox.db");
    config.seed = seed;
    let sandbox = Sandbox::start(config).await.expect("the sandbox starts");
    let client = Client::with_options(sandbox.credentials(), quick_options()).expect("a client");
    Site { sandbox, client, _folder: folder }
}

/// The site's reply to `GET path` (e.g. `/api/v2/admin/contacts?Limit=10`) as plain JSON,
/// signed in with the sandbox's default credentials: no typed client and no model in the way,
/// so that a test can take its expected values from what the site sent.
pub async fn raw_get(site: &Site, path: &str) -> serde_json::Value {
    let http = reqwest::Client::new();
    let base = site.sandbox.url().as_str().trim_end_matches('/').to_owned();
    let token = raw_token(site).await;
    let response = http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.json().await.expect("a JSON reply")
}

/// An access token of the site's, signed in with its default credentials over plain HTTP.
pub async fn raw_token(site: &Site) -> String {
    let base = site.sandbox.url().as_str().trim_end_matches('/').to_owned();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", treepl_contacts::sandbox::DEFAULT_CLIENT_ID),
        ("client_secret", treepl_contacts::sandbox::DEFAULT_CLIENT_SECRET),
    ];
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/oauth/token"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["access_token"].as_str().expect("an access token").to_owned()
}

/// `value` as a query-string parameter.
pub fn url_encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
