//! What a feature module gets to start background work with ([`Effects`]), and how the
//! work's result comes back ([`TaskResult`]): wrapped with the connection it belongs to, so
//! that [`crate::app::AppState`] drops the results of a site no longer open, in one place.

use crate::api::ReadClient;

use super::journal::Writes;

use super::contact::EditorResult;
use super::delete::DeleteOutcome;
use super::export::ExportResult;
use super::grid::GridResult;
use super::history::HistoryResult;
use super::notifications::Notifications;
use super::password::PasswordResult;
use super::profiles::ProfilesResult;
use super::related::RelatedResult;
use super::site::SiteResult;
use super::tasks::TaskRunner;

/// A finished task's result.
pub struct TaskResult {
    /// The connection the work was about; `None` for work that outlives a switch of site.
    pub(super) connection: Option<u64>,
    pub(super) result: FeatureResult,
}

impl TaskResult {
    /// About the site open when the work started: dropped if another is open by the end.
    pub fn for_site(connection: u64, result: impl Into<FeatureResult>) -> Self {
        Self { connection: Some(connection), result: result.into() }
    }

    /// Wanted whatever site is open by then (a profile saved, an export written).
    pub fn for_app(result: impl Into<FeatureResult>) -> Self {
        Self { connection: None, result: result.into() }
    }
}

/// One result enum per feature, each wrapped in its variant (with `From`, so that a task
/// returns its feature's own result); `AppState` routes each to its feature's `fold`.
macro_rules! feature_results {
    ($($variant:ident($result:ty),)*) => {
        pub enum FeatureResult {
            $($variant($result),)*
        }

        $(impl From<$result> for FeatureResult {
            fn from(result: $result) -> Self {
                Self::$variant(result)
            }
        })*
    };
}

feature_results! {
    Site(SiteResult),
    Grid(GridResult),
    Related(RelatedResult),
    Delete(DeleteOutcome),
    Editor(EditorResult),
    Export(ExportResult),
    Profiles(ProfilesResult),
    Password(PasswordResult),
    History(HistoryResult),
    Bulk(super::bulk::BulkResult),
    Import(super::import::ImportResult),
    Forget(super::forget::ForgetResult),
    SiteCheck(super::site_check::SiteCheckDone),
}

impl FeatureResult {
    /// Whether the work may have written to the site (and so to the journal): not a grid
    /// page, not an export.
    pub fn may_have_written(&self) -> bool {
        match self {
            Self::Grid(_) | Self::Export(_) => false,
            Self::Related(result) => result.may_have_written(),
            Self::Import(result) => result.may_have_written(),
            _ => true,
        }
    }
}

/// What a feature's `execute` and `fold` may use: the task runner, the open site's client
/// (when connected) with its connection number, and the notifications.
pub struct Effects<'a> {
    pub tasks: &'a mut TaskRunner<TaskResult>,
    pub client: Option<ReadClient>,
    /// The client with the site's change journal: every write goes through it.
    pub writes: Option<Writes>,
    pub connection: u64,
    pub notifications: &'a mut Notifications,
}

/// What every feature does when the site it worked on closes (the user switches site): it
/// lets go of what belonged to that site: dialogs about its contacts, and work in flight,
/// whose results will be dropped. Called for every feature in one place,
/// `AppState::site_closed`.
pub trait Feature {
    fn on_site_closed(&mut self);
}
