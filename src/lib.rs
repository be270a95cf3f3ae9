//! Treepl Contacts: a desktop app for the CRM contacts of a Treepl CMS site.
//!
//! - [`api`]: the typed client of the site's admin API.
//! - [`sandbox`]: a local Treepl-compatible site over SQLite (demo mode, tests, benchmarks).

pub mod api;
pub mod sandbox;
