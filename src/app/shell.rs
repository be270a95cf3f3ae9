//! What every feature works through: the task runner, the notifications and the open site.
//! [`Shell::effects`] hands a feature its part of them for one command or result.

use super::effects::{Effects, TaskResult};
use super::notifications::Notifications;
use super::site::Site;
use super::tasks::TaskRunner;

pub struct Shell {
    pub tasks: TaskRunner<TaskResult>,
    pub notifications: Notifications,
    pub site: Site,
}

impl Shell {
    pub fn new(tasks: TaskRunner<TaskResult>) -> Self {
        Self { tasks, notifications: Notifications::default(), site: Site::default() }
    }

    /// A feature's effects on the site open now.
    pub fn effects(&mut self) -> Effects<'_> {
        Effects {
            tasks: &mut self.tasks,
            client: self.site.client.clone(),
            writes: self.site.writes.clone(),
            connection: self.site.connection,
            notifications: &mut self.notifications,
        }
    }
}
