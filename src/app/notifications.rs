//! What the app tells the user: each message once, as a toast that stays while hovered,
//! and in a history the notifications panel shows.

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Success,
    Info,
}

#[derive(Clone, Debug)]
pub struct Notification {
    pub id: u64,
    pub level: Level,
    /// What happened, in a few words ("Could not load contacts").
    pub title: String,
    /// The message, with what to do.
    pub detail: String,
    pub at: chrono::DateTime<chrono::Local>,
    /// Until when its toast shows; hovering pushes this back.
    toast_until: Option<Instant>,
}

impl Notification {
    pub fn toast_visible(&self, now: Instant) -> bool {
        self.toast_until.is_some_and(|until| now < until)
    }
}

#[derive(Default)]
pub struct Notifications {
    history: Vec<Notification>,
    next_id: u64,
    pub panel_open: bool,
    /// Notifications added since the panel was last opened.
    pub unread: usize,
}

impl Notifications {
    const HISTORY: usize = 200;

    pub fn push(&mut self, level: Level, title: impl Into<String>, detail: impl Into<String>) {
        let shown_for = match level {
            Level::Error | Level::Warning => Duration::from_secs(10),
            Level::Success | Level::Info => Duration::from_secs(4),
        };
        self.next_id += 1;
        self.history.push(Notification {
            id: self.next_id,
            level,
            title: title.into(),
            detail: detail.into(),
            at: chrono::Local::now(),
            toast_until: Some(Instant::now() + shown_for),
        });
        if self.history.len() > Self::HISTORY {
            self.history.remove(0);
        }
        if !self.panel_open {
            self.unread += 1;
        }
    }

    pub fn error(&mut self, title: impl Into<String>, detail: impl Into<String>) {
        self.push(Level::Error, title, detail);
    }

    /// Oldest first.
    pub fn history(&self) -> &[Notification] {
        &self.history
    }

    pub fn clear_history(&mut self) {
        self.history.clear();
        self.unread = 0;
    }

    /// The toasts to show now, oldest first.
    pub fn toasts(&self, now: Instant) -> impl Iterator<Item = &Notification> {
        self.history.iter().filter(move |n| n.toast_visible(now))
    }

    /// When the next toast disappears, so the UI can ask for a repaint then (and no sooner).
    pub fn next_expiry(&self, now: Instant) -> Option<Duration> {
        self.history.iter().filter_map(|n| n.toast_until).filter(|until| *until > now).min().map(|until| until - now)
    }

    /// Keeps a hovered toast up a little longer than the hover.
    pub fn hold(&mut self, id: u64, now: Instant) {
        if let Some(notification) = self.history.iter_mut().find(|n| n.id == id) {
            notification.toast_until = Some(now + Duration::from_secs(2));
        }
    }

    pub fn dismiss(&mut self, id: u64) {
        if let Some(notification) = self.history.iter_mut().find(|n| n.id == id) {
            notification.toast_until = None;
        }
    }

    pub fn toggle_panel(&mut self) {
        self.panel_open = !self.panel_open;
        if self.panel_open {
            self.unread = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toasts_expire_unless_held_and_history_stays() {
        let mut notes = Notifications::default();
        notes.error("Could not load contacts", "The site had a problem.");
        let now = Instant::now();
        assert_eq!(notes.toasts(now).count(), 1);
        let id = notes.history()[0].id;
        assert_eq!(notes.toasts(now + Duration::from_secs(11)).count(), 0, "gone after its time");
        notes.hold(id, now + Duration::from_secs(9));
        assert_eq!(notes.toasts(now + Duration::from_secs(10)).count(), 1, "hovering keeps it");
        notes.dismiss(id);
        assert_eq!(notes.toasts(now).count(), 0);
        assert_eq!(notes.history().len(), 1, "the history keeps it");
        assert_eq!(notes.unread, 1);
        notes.toggle_panel();
        assert_eq!(notes.unread, 0);
    }
}
