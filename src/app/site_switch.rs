//! Switching site, where it crosses features: every feature lets go of the old site in one
//! place ([`AppState::site_closed`]) and loads from the new one once it is connected; the
//! profiles' events (loaded, a site connected, one removed) and a site check's dialect lead
//! here; and the per-site settings (the grid's layout) follow the open site.

use super::command::{Command, Target};
use super::contact::Leaving;
use super::contact::drafts::DraftFolder;
use super::effects::Feature;
use super::grid::GridCommand;
use super::layout::GridLayout;
use super::profiles::{ProfilesCommand, ProfilesEvent};
use super::state::AppState;

impl AppState {
    /// Leaves for another site, or quits, once the editor has let go of unsaved changes (or
    /// asked the user first: then [`AppState::proceed`] goes on after the answer).
    pub(super) fn leave(&mut self, to: Leaving) {
        if self.editor.may_leave(to.clone()) {
            self.proceed(to);
        }
    }

    /// Goes where the user was going once the editor let go of its unsaved changes.
    pub(super) fn proceed(&mut self, leaving: Leaving) {
        match leaving {
            Leaving::ToSite(target) => self.open(target),
            Leaving::Quit => self.quit_allowed = true,
            Leaving::ToContact(_) | Leaving::ToNewContact => {}
        }
    }

    /// The grid layout of the site open now.
    pub fn layout(&self) -> GridLayout {
        self.settings.layouts.get(&self.shell.site.key()).cloned().unwrap_or_default()
    }

    pub fn layout_mut(&mut self) -> &mut GridLayout {
        self.settings.layouts.entry(self.shell.site.key()).or_default()
    }

    pub(super) fn open(&mut self, target: Target) {
        self.site_closed();
        self.shell.open_site(target, &self.config, &self.profiles, &mut self.settings);
    }

    /// The one place where every feature lets go of the site that closes.
    fn site_closed(&mut self) {
        let features: [&mut dyn Feature; 10] = [
            &mut self.grid,
            &mut self.related,
            &mut self.editor,
            &mut self.history,
            &mut self.deletes,
            &mut self.bulk,
            &mut self.import,
            &mut self.passwords,
            &mut self.forgetting,
            &mut self.site_checks,
        ];
        for feature in features {
            feature.on_site_closed();
        }
    }

    /// The new site is connected: the features load what they show of it.
    pub(super) fn site_opened(&mut self) {
        self.grid.reload();
        self.history.site_opened();
        let folder = DraftFolder::new(&self.config.data_dir, &self.shell.site.key());
        self.editor.open_site(folder, &mut self.shell.effects());
    }

    /// Speaks the dialect a site check learned to the open site from now on, saves the check
    /// with the site's profile, and loads the grid again in that dialect.
    pub(super) fn apply_site_check(&mut self, check: crate::doctor::SiteCheck) {
        let site = &mut self.shell.site;
        site.client = site.client.take().map(|client| client.with_dialect(check.dialect.clone()));
        site.writes = site.writes.take().map(|writes| writes.with_dialect(check.dialect.clone()));
        if let Target::Profile(id) = &site.target {
            let command = ProfilesCommand::SaveCheck { id: id.clone(), check: Box::new(check) };
            self.send(Command::Profiles(command));
        }
        self.send(Command::Grid(GridCommand::Refresh));
    }

    pub(super) fn profiles_event(&mut self, event: ProfilesEvent) {
        match event {
            ProfilesEvent::Loaded => {
                let target = match &self.settings.last_profile {
                    Some(id) if self.profiles.find(id).is_some() => Target::Profile(id.clone()),
                    _ => Target::Sandbox,
                };
                self.open(target);
            }
            ProfilesEvent::Open { profile, client, session_only } => {
                self.site_closed();
                self.shell.open_checked_site(&profile, client, &self.config);
                self.settings.last_profile = (!session_only).then_some(profile.id);
            }
            ProfilesEvent::Removed { id, erase_data } => {
                if self.shell.site.target == Target::Profile(id.clone()) {
                    self.open(Target::Sandbox);
                }
                if erase_data {
                    self.settings.layouts.remove(&id);
                    self.shell.erase_site_data(id, &self.config);
                }
            }
        }
    }
}
