//! The typed, async client for a Treepl site's admin API (`../shared/treepl-api.md`).
//! No UI here: the app, the command line and the tests all use it alike.

pub mod assumed;
mod auth;
mod client;
pub mod contact_fields;
pub mod dialect;
mod error;
pub mod fields;
pub mod filter_check;
#[doc(hidden)]
pub mod fuzzing;
mod guard;
pub mod model;
pub mod paging;
pub mod query;
mod received;
mod retry;
pub mod selection;
mod site;
mod transport;
pub mod wire;

pub use client::{Client, ClientOptions, EmailHolders, MAX_REPLY_BYTES, ReadClient};
pub use dialect::Dialect;
pub use error::{ApiError, FieldError};
pub use filter_check::{Checked, RowCheck};
pub use guard::Distrust;
pub use model::{Amount, Booking, Case, Change, Contact, ContactId, ContactInput, Order, Page, SecureZone, Timestamp};
pub use model::{DateForm, UpdateBody, WholeNumber};
pub use query::{FieldPath, ListQuery, Op, OrderBy, Where, WhereError};
pub use retry::{MAX_RETRY_AFTER, RetryPolicy};
pub use selection::{Confirmed, ContactScope, Rows, Selection};
pub use site::{SiteCredentials, parse_site_url};
