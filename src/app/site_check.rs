//! Site > Check this site…: the doctor, run from the app on the open site. Its probes show
//! as they are decided; the dialect it learns is then spoken to the site, and saved with the
//! site's profile (the built-in sandbox keeps it for the session).

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use crate::api::ApiError;
use crate::doctor::{self, Probe, SiteCheck};

use super::effects::{Effects, Feature, TaskResult};
use super::tasks::TaskId;

#[derive(Debug)]
pub enum SiteCheckCommand {
    Open,
    /// Runs the doctor; `write_probes` as ticked in the dialog.
    Run,
    Cancel,
    Close,
}

/// What a run hands back: the check, or why there is none.
pub struct SiteCheckDone(Result<SiteCheck, SiteCheckError>);

/// Why a check did not finish.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SiteCheckError {
    #[error("The site is not connected yet.")]
    NotConnected,
    #[error(transparent)]
    Site(#[from] ApiError),
}

/// The dialog, while it is open.
#[derive(Default)]
pub struct CheckDialog {
    /// Also probe what writes do (on one contact of the doctor's own).
    pub write_probes: bool,
    /// The run in progress: its task, and the probes decided so far.
    running: Option<(TaskId, Arc<Mutex<Vec<Probe>>>)>,
    /// The last run's outcome.
    pub outcome: Option<Result<SiteCheck, SiteCheckError>>,
}

impl CheckDialog {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The probes of the run in progress, or of the last run.
    pub fn probes(&self) -> Vec<Probe> {
        match (&self.running, &self.outcome) {
            (Some((_, so_far)), _) => so_far.lock().map(|p| p.clone()).unwrap_or_default(),
            (None, Some(Ok(check))) => check.probes.clone(),
            _ => Vec::new(),
        }
    }
}

#[derive(Default)]
pub struct SiteChecks {
    pub dialog: Option<CheckDialog>,
}

impl Feature for SiteChecks {
    /// A check of the old site is of no use to the new one (its result will be dropped).
    fn on_site_closed(&mut self) {
        self.dialog = None;
    }
}

impl SiteChecks {
    pub fn execute(&mut self, command: SiteCheckCommand, fx: &mut Effects) {
        match command {
            SiteCheckCommand::Open => {
                self.dialog.get_or_insert_with(CheckDialog::default);
            }
            SiteCheckCommand::Close => {
                if let Some((task, _)) = self.dialog.take().and_then(|d| d.running) {
                    fx.tasks.cancel(task);
                }
            }
            SiteCheckCommand::Cancel => {
                if let Some((task, _)) = self.dialog.as_ref().and_then(|d| d.running.as_ref()) {
                    fx.tasks.cancel(*task);
                }
            }
            SiteCheckCommand::Run => self.run(fx),
        }
    }

    fn run(&mut self, fx: &mut Effects) {
        let Some(dialog) = self.dialog.as_mut().filter(|d| !d.is_running()) else { return };
        let Some(writes) = fx.writes.clone() else {
            dialog.outcome = Some(Err(SiteCheckError::NotConnected));
            return;
        };
        let write_probes = dialog.write_probes;
        let so_far = Arc::new(Mutex::new(Vec::new()));
        let shown = Arc::clone(&so_far);
        let connection = fx.connection;
        let task =
            fx.tasks.spawn_stoppable("Checking the site", move |cancel: CancellationToken, progress| async move {
                let note = |probe: &Probe| {
                    if let Ok(mut probes) = shown.lock() {
                        probes.push(probe.clone());
                        progress.set(probes.len() as u64, None);
                    }
                };
                let result = async {
                    let (mut probes, mut dialect) = doctor::check_reads(writes.client(), &cancel, note).await?;
                    if write_probes && !cancel.is_cancelled() {
                        let writes = writes.with_dialect(dialect.clone());
                        probes.extend(doctor::check_writes(&writes, &mut dialect, &cancel, note).await);
                    }
                    if cancel.is_cancelled() {
                        return Err(ApiError::Cancelled);
                    }
                    Ok(SiteCheck::new(probes, dialect))
                }
                .await;
                TaskResult::for_site(connection, SiteCheckDone(result.map_err(SiteCheckError::Site)))
            });
        dialog.running = Some((task, so_far));
        dialog.outcome = None;
    }

    /// Takes a finished run in; returns the check to apply to the site (not a failed or
    /// cancelled one).
    pub fn fold(&mut self, done: SiteCheckDone) -> Option<SiteCheck> {
        let SiteCheckDone(result) = done;
        if let Some(dialog) = self.dialog.as_mut() {
            dialog.running = None;
            dialog.outcome = Some(result.clone());
        }
        result.ok()
    }
}
