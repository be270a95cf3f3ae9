//! What a feature module gets to start background work with ([`Effects`]), and how the
//! work's result comes back ([`TaskResult`]): wrapped with the connection it belongs to, so
//! that [`crate::app::AppState`] drops the results of a site no longer open, in one place.

use crate::api::ReadClient;

use super::journal::Writes;

use super::contact::EditorResult;
use super::delete::DeleteOutcome;
use super::export::ExportResult;
use super::history::HistoryResult;
use super::notifications::Notifications;
use super::password::PasswordResult;
use super::profiles::ProfilesResult;
use super::state::{GridResult, SiteResult};
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

/// One result enum per feature; `AppState` routes each to its feature's `fold`.
pub enum FeatureResult {
    Site(SiteResult),
    Grid(GridResult),
    Delete(DeleteOutcome),
    Editor(EditorResult),
    Export(ExportResult),
    Profiles(ProfilesResult),
    Password(PasswordResult),
    History(HistoryResult),
    Bulk(super::bulk::BulkResult),
    Forget(super::forget::ForgetResult),
    SiteCheck(super::site_check::SiteCheckDone),
}

impl From<super::site_check::SiteCheckDone> for FeatureResult {
    fn from(result: super::site_check::SiteCheckDone) -> Self {
        Self::SiteCheck(result)
    }
}

impl From<super::forget::ForgetResult> for FeatureResult {
    fn from(result: super::forget::ForgetResult) -> Self {
        Self::Forget(result)
    }
}

impl FeatureResult {
    /// Whether the work may have written to the site (and so to the journal): not a grid
    /// page, not an export.
    pub fn may_have_written(&self) -> bool {
        !matches!(self, Self::Grid(_) | Self::Export(_))
    }
}

impl From<SiteResult> for FeatureResult {
    fn from(result: SiteResult) -> Self {
        Self::Site(result)
    }
}

impl From<GridResult> for FeatureResult {
    fn from(result: GridResult) -> Self {
        Self::Grid(result)
    }
}

impl From<DeleteOutcome> for FeatureResult {
    fn from(result: DeleteOutcome) -> Self {
        Self::Delete(result)
    }
}

impl From<EditorResult> for FeatureResult {
    fn from(result: EditorResult) -> Self {
        Self::Editor(result)
    }
}

impl From<ExportResult> for FeatureResult {
    fn from(result: ExportResult) -> Self {
        Self::Export(result)
    }
}

impl From<PasswordResult> for FeatureResult {
    fn from(result: PasswordResult) -> Self {
        Self::Password(result)
    }
}

impl From<ProfilesResult> for FeatureResult {
    fn from(result: ProfilesResult) -> Self {
        Self::Profiles(result)
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

impl From<HistoryResult> for FeatureResult {
    fn from(result: HistoryResult) -> Self {
        Self::History(result)
    }
}
