//! Background work: each task runs on the tokio runtime, sends its result back over a
//! channel and asks egui for a repaint; the next frame folds the result into the state.
//! The UI thread never waits on a task.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

use tokio_util::sync::CancellationToken;

pub type TaskId = u64;

/// What Cancel does to long work.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cancel {
    /// The work is dropped where it stands and returns nothing.
    DropsTheWork,
    /// The work sees its token, stops itself and returns what it did.
    TellsTheWork,
}

/// How long work still running may take to stop once the window has closed.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_millis(1500);

/// Stops the runtime once the window has closed, waiting at most [`SHUTDOWN_GRACE`]: a
/// keyring call or a save dialog that never answers is left behind, and the process exits
/// (a runtime dropped as it is would wait for such blocking work forever).
pub fn shut_down(runtime: tokio::runtime::Runtime) {
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
}

/// How far a long task has got: `done` of `total` (0 total: not known yet).
#[derive(Clone, Default)]
pub struct Progress {
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
    /// Asked for a repaint (at most ten a second) so that the bar moves.
    repaint: Option<egui::Context>,
}

impl Progress {
    fn new(repaint: egui::Context) -> Self {
        Self { repaint: Some(repaint), ..Self::default() }
    }

    pub fn set(&self, done: u64, total: Option<u64>) {
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total.unwrap_or(0), Ordering::Relaxed);
        if let Some(ctx) = &self.repaint {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// `(done, total)`, the total when known.
    pub fn get(&self) -> (u64, Option<u64>) {
        let total = self.total.load(Ordering::Relaxed);
        (self.done.load(Ordering::Relaxed), (total > 0).then_some(total))
    }
}

/// What the status area shows of a running task.
pub struct RunningTask {
    pub label: String,
    pub started: Instant,
    /// `Some` for long work the user may stop.
    pub cancel: Option<CancellationToken>,
    pub progress: Option<Progress>,
}

/// Hands out tasks and collects what they return (`R`: the app's result type).
pub struct TaskRunner<R> {
    runtime: tokio::runtime::Handle,
    repaint: egui::Context,
    sender: Sender<(TaskId, Option<R>)>,
    receiver: Receiver<(TaskId, Option<R>)>,
    running: BTreeMap<TaskId, RunningTask>,
    next_id: TaskId,
}

impl<R: Send + 'static> TaskRunner<R> {
    pub fn new(runtime: tokio::runtime::Handle, repaint: egui::Context) -> Self {
        let (sender, receiver) = channel();
        Self { runtime, repaint, sender, receiver, running: BTreeMap::new(), next_id: 0 }
    }

    /// Starts a short task (a spinner while it runs).
    pub fn spawn(&mut self, label: impl Into<String>, work: impl Future<Output = R> + Send + 'static) -> TaskId {
        self.start(label.into(), None, None, work)
    }

    /// Starts work the status area does not list (many small requests, such as grid pages,
    /// show in their own view); `cancel` stops it, and then it returns no result.
    pub fn spawn_unlisted(&mut self, cancel: CancellationToken, work: impl Future<Output = R> + Send + 'static) {
        let id = self.start(String::new(), Some(cancel), None, work);
        self.running.remove(&id);
    }

    /// Starts work that reports progress but cannot be stopped half-way.
    pub fn spawn_with_progress<F>(&mut self, label: impl Into<String>, work: impl FnOnce(Progress) -> F) -> TaskId
    where
        F: Future<Output = R> + Send + 'static,
    {
        let progress = Progress::new(self.repaint.clone());
        let future = work(progress.clone());
        self.start(label.into(), None, Some(progress), future)
    }

    /// Starts long work with progress and a Cancel button; `work` gets the token to watch
    /// and the progress to report. A cancelled task returns no result.
    pub fn spawn_cancellable<F>(
        &mut self,
        label: impl Into<String>,
        work: impl FnOnce(CancellationToken, Progress) -> F,
    ) -> TaskId
    where
        F: Future<Output = R> + Send + 'static,
    {
        self.spawn_with_cancel(label.into(), Cancel::DropsTheWork, work)
    }

    /// Starts long work with progress and a Cancel button that stops itself when its token
    /// is cancelled and still returns what it did (a delete says how many went before it
    /// stopped).
    pub fn spawn_stoppable<F>(
        &mut self,
        label: impl Into<String>,
        work: impl FnOnce(CancellationToken, Progress) -> F,
    ) -> TaskId
    where
        F: Future<Output = R> + Send + 'static,
    {
        self.spawn_with_cancel(label.into(), Cancel::TellsTheWork, work)
    }

    fn spawn_with_cancel<F>(
        &mut self,
        label: String,
        how: Cancel,
        work: impl FnOnce(CancellationToken, Progress) -> F,
    ) -> TaskId
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cancel = CancellationToken::new();
        let progress = Progress::new(self.repaint.clone());
        let future = work(cancel.clone(), progress.clone());
        let race = (how == Cancel::DropsTheWork).then(|| cancel.clone());
        let id = self.start(label, race, Some(progress), future);
        if let Some(task) = self.running.get_mut(&id) {
            task.cancel = Some(cancel);
        }
        id
    }

    fn start(
        &mut self,
        label: String,
        cancel: Option<CancellationToken>,
        progress: Option<Progress>,
        work: impl Future<Output = R> + Send + 'static,
    ) -> TaskId {
        self.next_id += 1;
        let id = self.next_id;
        let sender = self.sender.clone();
        let repaint = self.repaint.clone();
        let stop = cancel.clone();
        self.runtime.spawn(async move {
            let result = match stop {
                Some(stop) => tokio::select! {
                    () = stop.cancelled() => None,
                    result = work => Some(result),
                },
                None => Some(work.await),
            };
            // The receiver is gone only when the app is closing.
            let _ = sender.send((id, result));
            repaint.request_repaint();
        });
        self.running.insert(id, RunningTask { label, started: Instant::now(), cancel, progress });
        id
    }

    /// Results that arrived since the last call; their tasks are no longer running.
    pub fn finished(&mut self) -> Vec<(TaskId, Option<R>)> {
        let done: Vec<_> = self.receiver.try_iter().collect();
        for (id, _) in &done {
            self.running.remove(id);
        }
        done
    }

    pub fn cancel(&self, id: TaskId) {
        if let Some(cancel) = self.running.get(&id).and_then(|task| task.cancel.as_ref()) {
            cancel.cancel();
        }
    }

    /// Stops every task that can be stopped (the app is closing: an export must not leave
    /// half a file behind).
    pub fn cancel_all(&self) {
        for task in self.running.values() {
            if let Some(cancel) = &task.cancel {
                cancel.cancel();
            }
        }
    }

    pub fn running(&self) -> impl Iterator<Item = (TaskId, &RunningTask)> {
        self.running.iter().map(|(id, task)| (*id, task))
    }

    pub fn is_running(&self, id: TaskId) -> bool {
        self.running.contains_key(&id)
    }

    pub fn runtime(&self) -> &tokio::runtime::Handle {
        &self.runtime
    }

    /// Runs `work` for a view that loads one thing for itself: the view polls the promise
    /// while drawing, and its resolving asks for one repaint.
    pub fn promise<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> poll_promise::Promise<T> {
        let (sender, promise) = poll_promise::Promise::new();
        let repaint = self.repaint.clone();
        self.runtime.spawn(async move {
            sender.send(work.await);
            repaint.request_repaint();
        });
        promise
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Long enough for a loaded machine; only a test that fails waits this long.
    const PATIENCE: Duration = Duration::from_secs(30);

    /// The results of the first tasks to finish (the runner offers no blocking wait: the UI
    /// never waits, so the test polls it).
    fn wait_for<R: Send + 'static>(runner: &mut TaskRunner<R>) -> Vec<(TaskId, Option<R>)> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let done = runner.finished();
            if !done.is_empty() {
                return done;
            }
            assert!(Instant::now() < deadline, "no task finished within {PATIENCE:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn results_come_back_and_tasks_stop_running() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut runner = TaskRunner::new(runtime.handle().clone(), egui::Context::default());
        let id = runner.spawn("Adding", async { 40 + 2 });
        assert!(runner.is_running(id));
        assert_eq!(wait_for(&mut runner), vec![(id, Some(42))]);
        assert!(!runner.is_running(id));
    }

    #[test]
    fn progress_is_readable_while_work_runs() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let ctx = egui::Context::default();
        let mut runner = TaskRunner::new(runtime.handle().clone(), ctx.clone());
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let (reported, seen) = std::sync::mpsc::channel();
        let id = runner.spawn_with_progress("Seeding", |progress| async move {
            progress.set(250, Some(500));
            let _ = reported.send(());
            let _ = wait.await;
            7
        });
        seen.recv_timeout(PATIENCE).expect("the work runs and reports");
        let running =
            || runner.running().find(|(i, _)| *i == id).map(|(_, t)| (t.progress.clone(), t.cancel.is_some()));
        let (progress, cancellable) = running().unwrap();
        assert_eq!(progress.unwrap().get(), (250, Some(500)));
        assert!(!cancellable, "this work cannot be stopped half-way");
        release.send(()).unwrap();
        assert_eq!(wait_for(&mut runner), vec![(id, Some(7))]);
    }

    #[test]
    fn stoppable_work_sees_the_cancel_and_still_returns_its_result() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut runner = TaskRunner::new(runtime.handle().clone(), egui::Context::default());
        let id = runner.spawn_stoppable("Deleting", |cancel, _| async move {
            cancel.cancelled().await;
            "stopped after 3"
        });
        assert!(runner.running().any(|(i, t)| i == id && t.cancel.is_some()), "it offers Cancel");
        runner.cancel(id);
        assert_eq!(wait_for(&mut runner), vec![(id, Some("stopped after 3"))]);
    }

    #[test]
    fn cancelled_work_returns_nothing_and_reports_progress_until_then() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut runner = TaskRunner::new(runtime.handle().clone(), egui::Context::default());
        let (reported, seen) = std::sync::mpsc::channel();
        let id = runner.spawn_cancellable("Counting", |_, progress| async move {
            progress.set(3, Some(10));
            let _ = reported.send(());
            // Work that does not end on its own: only Cancel stops it.
            std::future::pending::<()>().await;
            1
        });
        seen.recv_timeout(PATIENCE).expect("the work runs and reports");
        let progress = runner.running().find(|(i, _)| *i == id).and_then(|(_, t)| t.progress.clone()).unwrap();
        assert_eq!(progress.get(), (3, Some(10)));
        runner.cancel(id);
        assert_eq!(wait_for(&mut runner), vec![(id, None)]);
    }
}
