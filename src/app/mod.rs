//! The app's state and effects: what the UI draws from and the one place that turns the
//! user's intents into background work. No drawing here (that is `ui`).

pub mod bulk;
pub mod clipboard;
pub mod command;
mod config;
pub mod contact;
pub mod credentials;
pub mod delete;
mod dialogs;
pub mod effects;
pub mod export;
pub mod filter;
pub mod forget;
pub mod grid;
pub mod history;
pub mod import;
pub mod journal;
pub mod layout;
pub mod money;
pub mod notifications;
pub mod pages;
pub mod password;
pub mod personal_data;
pub mod private;
pub mod profiles;
pub mod related;
pub mod secret_text;
pub mod settings;
pub mod shell;
pub mod site;
pub mod site_check;
mod site_switch;
mod startup;
mod state;
pub mod tasks;
pub mod text;
pub mod typed_count;

pub use effects::TaskResult;
pub use grid::ContactWindow;
pub use profiles::ConnectDialog;
pub use site::{Site, SiteStatus};
pub use state::{AppConfig, AppState};
pub use tasks::shut_down;
