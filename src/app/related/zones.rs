//! The contact's secure zones as the Secure zones tab edits them: the list as read, the
//! user's list, and the save, which rebuilds the user's changes on a fresh copy of the
//! site's list, sends the complete list in one PUT, then reads it back.

use std::collections::BTreeMap;

use crate::api::{ApiError, ContactId, ReadClient, SecureZone, Timestamp};
use crate::app::journal::{Context, Writes};

use super::{RelatedPart, Visit};

/// What the user did to one zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneChange {
    Added,
    Removed,
    /// The expiry differs from the one read.
    Redated,
}

type Zones = Result<Vec<SecureZone>, ApiError>;

#[derive(Default)]
pub struct ZoneEditor {
    /// The list as read from the site; `None` before it is.
    pub loaded: Option<Vec<SecureZone>>,
    /// The list the user wants.
    pub draft: Vec<SecureZone>,
    loading: bool,
    saving: bool,
    pub load_error: Option<String>,
    pub save_error: Option<String>,
    /// The "add by id" input.
    pub add_by_id: String,
    wanted: bool,
    /// Read the list again (F5) though it is loaded.
    stale: bool,
}

impl ZoneEditor {
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    pub fn is_saving(&self) -> bool {
        self.saving
    }

    /// The zones changed, by id.
    pub fn changes(&self) -> BTreeMap<i64, ZoneChange> {
        let Some(loaded) = &self.loaded else { return BTreeMap::new() };
        changes(loaded, &self.draft)
    }

    pub fn is_dirty(&self) -> bool {
        !self.changes().is_empty()
    }

    /// Zones read but taken out by the user (shown struck out until the save).
    pub fn removed(&self) -> Vec<&SecureZone> {
        let Some(loaded) = &self.loaded else { return Vec::new() };
        loaded.iter().filter(|zone| !self.draft.iter().any(|d| d.id == zone.id)).collect()
    }

    pub fn add(&mut self, id: i64, name: &str) {
        if !self.draft.iter().any(|zone| zone.id == id) {
            self.draft.push(SecureZone { id, name: name.to_owned(), ..SecureZone::default() });
        }
    }

    pub fn remove(&mut self, id: i64) {
        self.draft.retain(|zone| zone.id != id);
    }

    /// Puts a zone back as it was read (its removal, addition or new date undone).
    pub fn revert(&mut self, id: i64) {
        let read = self.loaded.as_ref().and_then(|loaded| loaded.iter().find(|z| z.id == id)).cloned();
        match read {
            Some(read) => match self.draft.iter_mut().find(|z| z.id == id) {
                Some(zone) => *zone = read,
                None => self.draft.push(read),
            },
            None => self.remove(id),
        }
    }

    /// A new date takes the form (with or without a zone) of the date it replaces, so a
    /// site that sends dates without a zone gets its own form back.
    pub fn set_expiry(&mut self, id: i64, expiry: Option<Timestamp>) {
        if let Some(zone) = self.draft.iter_mut().find(|z| z.id == id) {
            let form = zone.expiry_date_time.map(|old| old.form());
            zone.expiry_date_time = match (expiry, form) {
                (Some(new), Some(form)) => Some(new.in_form(form)),
                (new, _) => new,
            };
        }
    }

    /// Loads the list when the tab is first shown.
    pub fn fetch(&mut self, shown: bool, client: &ReadClient, contact: ContactId, visit: &mut Visit<'_>) {
        self.wanted |= shown;
        let needed = self.loaded.is_none() || self.stale;
        if self.wanted && needed && !self.loading && self.load_error.is_none() {
            self.stale = false;
            self.loading = true;
            let client = client.clone();
            visit.spawn(async move { RelatedPart::ZonesRead(client.all_secure_zones(contact).await) });
        }
    }

    /// Reads the list again (F5, Retry). Changes not saved are kept: they are rebuilt on the
    /// fresh list.
    pub fn reload(&mut self) {
        self.load_error = None;
        self.stale = true;
    }

    /// `label`: who the contact is, for the change journal.
    pub fn save(&mut self, writes: &Writes, contact: ContactId, label: String, visit: &mut Visit<'_>) {
        let Some(loaded) = self.loaded.clone().filter(|_| !self.saving) else { return };
        let draft = self.draft.clone();
        let writes = writes.clone();
        self.save_error = None;
        self.saving = true;
        visit.spawn(async move {
            let saved = async {
                let fresh = writes.client().all_secure_zones(contact).await?;
                let wanted = rebase(&loaded, &draft, &fresh);
                writes.set_zones(contact, &label, &fresh, &wanted, Context::default()).await?;
                writes.client().all_secure_zones(contact).await
            };
            RelatedPart::ZonesSaved { contact, result: saved.await }
        });
    }

    /// Takes the list read in: the user's changes not saved are rebuilt on it.
    pub fn read(&mut self, result: Zones) {
        self.loading = false;
        match result {
            Ok(zones) => {
                self.draft = match &self.loaded {
                    Some(loaded) => rebase(loaded, &self.draft, &zones),
                    None => zones.clone(),
                };
                self.loaded = Some(zones);
            }
            Err(error) => self.load_error = Some(error.to_string()),
        }
    }

    /// Takes a save's outcome in: the list as stored now, or why not (the user's list then
    /// stays as it is, to save again).
    pub fn saved(&mut self, result: Zones) {
        self.saving = false;
        match result {
            Ok(zones) => {
                self.draft = zones.clone();
                self.loaded = Some(zones);
            }
            Err(error) => self.save_error = Some(error.to_string()),
        }
    }
}

fn changes(loaded: &[SecureZone], draft: &[SecureZone]) -> BTreeMap<i64, ZoneChange> {
    let mut changes = BTreeMap::new();
    for zone in draft {
        match loaded.iter().find(|z| z.id == zone.id) {
            None => {
                changes.insert(zone.id, ZoneChange::Added);
            }
            Some(read) if read.expiry_date_time != zone.expiry_date_time => {
                changes.insert(zone.id, ZoneChange::Redated);
            }
            Some(_) => {}
        }
    }
    for zone in loaded.iter().filter(|z| !draft.iter().any(|d| d.id == z.id)) {
        changes.insert(zone.id, ZoneChange::Removed);
    }
    changes
}

/// The user's changes (from `loaded` to `draft`) made on `fresh`, the site's list now: a
/// zone someone else added meanwhile stays, one the user removed goes.
fn rebase(loaded: &[SecureZone], draft: &[SecureZone], fresh: &[SecureZone]) -> Vec<SecureZone> {
    let changes = changes(loaded, draft);
    let mut wanted: Vec<SecureZone> =
        fresh.iter().filter(|zone| changes.get(&zone.id) != Some(&ZoneChange::Removed)).cloned().collect();
    for zone in draft {
        match changes.get(&zone.id) {
            Some(ZoneChange::Added | ZoneChange::Redated) => match wanted.iter_mut().find(|z| z.id == zone.id) {
                Some(there) => there.expiry_date_time = zone.expiry_date_time,
                None => wanted.push(zone.clone()),
            },
            Some(ZoneChange::Removed) | None => {}
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: i64, expiry_day: Option<i64>) -> SecureZone {
        SecureZone {
            id,
            name: format!("Zone {id}"),
            expiry_date_time: expiry_day.and_then(|d| Timestamp::from_millis(d * 86_400_000)),
            ..SecureZone::default()
        }
    }

    #[test]
    fn changes_name_what_was_added_removed_and_redated() {
        let loaded = [zone(1, None), zone(2, Some(10)), zone(3, None)];
        let draft = [zone(1, None), zone(2, Some(11)), zone(4, None)];
        let found = changes(&loaded, &draft);
        assert_eq!(
            found.into_iter().collect::<Vec<_>>(),
            [(2, ZoneChange::Redated), (3, ZoneChange::Removed), (4, ZoneChange::Added)]
        );
    }

    #[test]
    fn a_save_keeps_what_others_did_meanwhile_and_applies_only_the_users_changes() {
        let loaded = [zone(1, None), zone(2, Some(10))];
        let draft = [zone(2, Some(20)), zone(5, None)];
        // Meanwhile someone added zone 3 and re-dated zone 1.
        let fresh = [zone(1, Some(99)), zone(2, Some(10)), zone(3, None)];
        let wanted = rebase(&loaded, &draft, &fresh);
        assert_eq!(wanted, [zone(2, Some(20)), zone(3, None), zone(5, None)]);
    }

    #[test]
    fn revert_puts_a_zone_back_as_read() {
        let mut editor = ZoneEditor { loaded: Some(vec![zone(1, Some(5))]), ..ZoneEditor::default() };
        editor.draft = editor.loaded.clone().unwrap();
        editor.set_expiry(1, None);
        editor.add(7, "Seven");
        assert_eq!(editor.changes().len(), 2);
        editor.revert(1);
        editor.revert(7);
        assert!(!editor.is_dirty());
        editor.remove(1);
        assert_eq!(editor.removed().len(), 1);
        editor.revert(1);
        assert!(!editor.is_dirty());
    }
}
