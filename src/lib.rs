//! Treepl Contacts: a desktop app for the CRM contacts of a Treepl CMS site.
//!
//! - [`api`]: the typed client of the site's admin API.
//! - [`sandbox`]: a local Treepl-compatible site over SQLite (demo mode, tests, benchmarks).
//! - [`app`]: the desktop app's state and effects; [`ui`]: its drawing (egui).
//! - [`build_info`]: the version, the commit and the licences of the crates built in.

pub mod api;
pub mod app;
pub mod build_info;
pub mod doctor;
pub mod export;
pub mod import;
pub mod sandbox;
pub mod ui;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Notes when the process started, for the time-to-first-frame figure. Call first in `main`.
pub fn mark_startup() {
    STARTED.get_or_init(Instant::now);
}

/// Time since [`mark_startup`] (zero if it was never called).
pub fn startup_elapsed() -> Duration {
    STARTED.get().map(Instant::elapsed).unwrap_or_default()
}
