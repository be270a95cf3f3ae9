//! The integration tests, as one test binary: against real sandbox sites over real HTTP, the
//! real UI through egui_kittest, real SQLite files, and the CLI as a process.
//!
//! One binary rather than one per file: each test binary links the whole app (about 230 MB in
//! a debug build), so sixty of them took 9 GB of disk and sixty links, and a CI machine ran out
//! of disk while linking them. The two tests that change what the whole process shares (a
//! global log subscriber, `DISPLAY`) keep binaries of their own: `tests/password_ui.rs`,
//! `tests/clipboard_x11.rs`. Run one file's tests with `cargo test --test suite import_ui::`.

mod common;
mod scripted;
mod xvfb;

mod about;
mod app_ui;
mod bulk_edit;
mod bulk_pages;
mod bulk_ui;
mod client_fuzz;
mod client_sandbox;
mod contact_fields;
mod crash_midway;
mod crash_recovery;
mod daily_use;
mod dialogs_polish;
mod doctor;
mod editor_save;
mod editor_ui;
mod export_cli;
mod export_files;
mod export_ui;
mod faults_end_to_end;
mod grid_polish;
mod grid_ui;
mod guards;
mod guards_ui;
mod import;
mod import_cli;
mod import_file;
mod import_ui;
mod journal_ui;
mod journal_writes;
mod keyring_real;
mod loopback_proxy;
mod model_properties;
mod openapi_schema;
mod packaging;
mod packaging_cli;
mod privacy;
mod profiles_ui;
mod redirects;
mod related_ui;
mod reply_limits;
mod round_trip;
mod round_trip_ui;
mod safety_ui;
mod sandbox_cli;
mod sandbox_dialects;
mod sandbox_hardening;
mod sandbox_http;
mod sandbox_load;
mod sandbox_upgrade;
mod schemathesis;
mod secrets_workday;
mod selection_scope;
mod site_check_ui;
mod site_switch;
mod transport;
mod where_readers;
mod where_reference;
