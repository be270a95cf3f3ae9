//! What hangs off the contact in the pane, as the pane's tabs show it: its activity
//! timeline, bookings, cases, orders (with the customer summary), secure zones and its own
//! changes. A feature like the others: each tab loads when it is first shown (and again on
//! F5) through tasks the app starts at the end of a frame ([`Related::fetch`]); their
//! [`RelatedResult`]s fold back in [`Related::fold`], from `AppState::poll`. The UI only draws.
//! Each result names the visit (the pane's stay on one contact) it was for: what arrives
//! after the pane moved on is dropped, except a zones save, which is a write and is kept.

pub mod changes;
pub mod history;
pub mod list;
pub mod zones;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;

use tokio_util::sync::CancellationToken;

use crate::api::{ApiError, Booking, Case, ContactId, ListQuery, Order, Page, ReadClient, SecureZone, Where};
use crate::app::effects::{Effects, Feature, TaskResult};
use crate::app::journal::{Entry as JournalEntry, JournalResult};
use crate::app::tasks::TaskRunner;

pub use changes::ContactChanges;
pub use history::{ActivityHistory, Entry, HistoryData, OrderSummary, RecordKind};
pub use list::RecordList;
pub use zones::{ZoneChange, ZoneEditor};

/// The pane's tabs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    #[default]
    Details,
    Activity,
    Bookings,
    Cases,
    Orders,
    SecureZones,
    /// What this app changed of the contact (its change journal).
    Changes,
}

impl Tab {
    pub const ALL: [Tab; 7] =
        [Tab::Details, Tab::Activity, Tab::Bookings, Tab::Cases, Tab::Orders, Tab::SecureZones, Tab::Changes];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Details => "Details",
            Tab::Activity => "Activity",
            Tab::Bookings => "Bookings",
            Tab::Cases => "Cases",
            Tab::Orders => "Orders",
            Tab::SecureZones => "Secure zones",
            Tab::Changes => "Changes",
        }
    }

    /// The tab that lists records of `kind`.
    pub fn of(kind: RecordKind) -> Tab {
        match kind {
            RecordKind::Booking => Tab::Bookings,
            RecordKind::Case => Tab::Cases,
            RecordKind::Order => Tab::Orders,
        }
    }
}

/// What the UI may ask of the tabs.
#[derive(Clone, Debug, PartialEq)]
pub enum RelatedCommand {
    /// Load the tab's data again (its Retry, or F5).
    Reload(Tab),
    /// Send the user's list of zones.
    SaveZones,
}

/// How many records each list has, from one tiny request each (`Limit=1`), for the tab
/// titles before a tab is opened.
type Counts = BTreeMap<Tab, u64>;

/// The tabs of one contact; a new contact (or another site) starts afresh.
#[derive(Default)]
pub struct Related {
    contact: Option<(u64, ContactId)>,
    pub tab: Tab,
    pub bookings: RecordList<Booking>,
    pub cases: RecordList<Case>,
    pub orders: RecordList<Order>,
    pub zones: ZoneEditor,
    pub history: Option<ActivityHistory>,
    pub changes: ContactChanges,
    /// Bumped when the pane moves to another contact: results of an earlier visit are dropped.
    visit: u64,
    counting: bool,
    counted: Counts,
    /// Every zone seen on this site (id, name), to add one by name.
    pub known_zones: BTreeMap<i64, String>,
    /// Zone changes not saved of contacts the pane moved away from, until it comes back.
    parked_zones: HashMap<ContactId, ZoneEditor>,
}

impl Related {
    /// The contact whose tabs these are.
    pub fn contact(&self) -> Option<ContactId> {
        self.contact.map(|(_, id)| id)
    }

    /// Follows the pane: the tabs of `contact` on `connection` (none for a new contact).
    /// The tab shown and the zones seen on the site stay.
    pub fn follow(&mut self, connection: u64, contact: Option<ContactId>) {
        let wanted = contact.map(|id| (connection, id));
        if wanted == self.contact {
            return;
        }
        let same_site = self.contact.is_none_or(|(c, _)| c == connection);
        let (mut known_zones, mut parked_zones) = Default::default();
        if same_site {
            known_zones = std::mem::take(&mut self.known_zones);
            parked_zones = std::mem::take(&mut self.parked_zones);
            if let Some(left) = self.contact().filter(|_| self.zones.is_dirty()) {
                parked_zones.insert(left, std::mem::take(&mut self.zones));
            }
        }
        let zones = contact.and_then(|id| parked_zones.remove(&id)).unwrap_or_default();
        let visit = self.visit + 1;
        *self = Self { contact: wanted, tab: self.tab, known_zones, parked_zones, zones, visit, ..Self::default() };
    }

    /// What a tab's title says: "Orders (2,000)" once the count is known.
    pub fn count(&self, tab: Tab) -> Option<u64> {
        let listed = match tab {
            Tab::Bookings => self.bookings.total(),
            Tab::Cases => self.cases.total(),
            Tab::Orders => self.orders.total(),
            Tab::SecureZones => self.zones.loaded.as_ref().map(|z| z.len() as u64),
            Tab::Changes => self.changes.entries.as_ref().map(|e| e.len() as u64),
            Tab::Details | Tab::Activity => None,
        };
        listed.or_else(|| self.counted.get(&tab).copied())
    }

    /// Opens a record of the timeline (or a linked order) in its tab.
    pub fn show_record(&mut self, kind: RecordKind, index: u64) {
        self.tab = Tab::of(kind);
        match kind {
            RecordKind::Booking => self.bookings.show(index),
            RecordKind::Case => self.cases.show(index),
            RecordKind::Order => self.orders.show(index),
        }
    }

    /// Loads again what was loaded (F5): the lists keep their place.
    pub fn reload(&mut self) {
        for tab in [Tab::Bookings, Tab::Cases, Tab::Orders, Tab::SecureZones, Tab::Activity, Tab::Changes] {
            self.reload_tab(tab);
        }
        self.counted.clear();
    }

    fn reload_tab(&mut self, tab: Tab) {
        match tab {
            Tab::Bookings => self.bookings.reload(),
            Tab::Cases => self.cases.reload(),
            Tab::Orders => {
                self.orders.reload();
                self.history = None;
            }
            Tab::SecureZones => self.zones.reload(),
            Tab::Activity => self.history = None,
            Tab::Changes => self.changes.mark_stale(),
            Tab::Details => {}
        }
    }

    /// `label`: who the contact is, as the change journal names it.
    pub fn execute(&mut self, command: RelatedCommand, label: String, fx: &mut Effects) {
        match command {
            RelatedCommand::Reload(tab) => self.reload_tab(tab),
            RelatedCommand::SaveZones => {
                let (Some(writes), Some(contact)) = (fx.writes.clone(), self.contact()) else { return };
                let visit = &mut Visit { tasks: fx.tasks, connection: fx.connection, visit: self.visit };
                self.zones.save(&writes, contact, label, visit);
            }
        }
    }

    /// Starts what the shown tab needs (called at the end of each frame, after the pane
    /// told what it shows).
    pub fn fetch(&mut self, pane_shown: bool, fx: &mut Effects) {
        let (Some(client), Some(contact)) = (fx.client.clone(), self.contact()) else { return };
        if !pane_shown {
            return;
        }
        let journal = fx.writes.as_ref().and_then(|w| w.journal()).cloned();
        let visit = &mut Visit { tasks: fx.tasks, connection: fx.connection, visit: self.visit };
        if !self.counting && self.counted.is_empty() {
            self.counting = true;
            let counting = count_records(client.clone(), contact);
            visit.spawn(async move { RelatedPart::Counts(counting.await) });
        }
        let tab = self.tab;
        self.bookings.fetch(tab == Tab::Bookings, &client, contact, visit);
        self.cases.fetch(tab == Tab::Cases, &client, contact, visit);
        self.orders.fetch(tab == Tab::Orders, &client, contact, visit);
        self.zones.fetch(tab == Tab::SecureZones, &client, contact, visit);
        self.changes.fetch(tab == Tab::Changes, journal.as_ref(), contact, visit);
        // The walk through all records gives the summary, the timeline and the place of a
        // linked order.
        if !matches!(tab, Tab::Details | Tab::SecureZones | Tab::Changes) && self.history.is_none() {
            self.history = Some(ActivityHistory::start(&client, contact, visit));
        }
    }

    /// Folds what a tab's work brought in.
    pub fn fold(&mut self, result: RelatedResult) {
        let RelatedResult { visit, part } = result;
        match part {
            // A write: taken in whatever the pane shows now (see `zones_saved`).
            RelatedPart::ZonesSaved { contact, result } => self.zones_saved(contact, result),
            // Anything else read for an earlier visit is not this one's.
            _ if visit != self.visit => {}
            RelatedPart::Bookings { generation, page, result } => self.bookings.page_loaded(generation, page, result),
            RelatedPart::Cases { generation, page, result } => self.cases.page_loaded(generation, page, result),
            RelatedPart::Orders { generation, page, result } => self.orders.page_loaded(generation, page, result),
            RelatedPart::Activity(result) => {
                if let Some(history) = &mut self.history {
                    history.done(result);
                }
            }
            RelatedPart::Changes(result) => self.changes.read(result),
            RelatedPart::ZonesRead(result) => {
                self.zones.read(result);
                self.learn_zones();
            }
            RelatedPart::Counts(counts) => {
                self.counting = false;
                self.counted = counts;
            }
        }
    }

    /// A zones save was written whether or not the pane is still on its contact: it is taken
    /// in by that contact's zones, here or parked. (The Changes tab hears of it from
    /// `AppState::poll`, as of every write.)
    fn zones_saved(&mut self, contact: ContactId, result: Result<Vec<SecureZone>, ApiError>) {
        if self.contact() == Some(contact) {
            self.zones.saved(result);
            self.learn_zones();
        } else if let Some(parked) = self.parked_zones.get_mut(&contact) {
            parked.saved(result);
            // Saved as it was left: nothing of it waits any more.
            if !parked.is_dirty() {
                self.parked_zones.remove(&contact);
            }
        }
    }

    /// Every zone seen is offered by name when adding one.
    fn learn_zones(&mut self) {
        let zones = self.zones.loaded.iter().flatten();
        self.known_zones.extend(zones.map(|zone: &SecureZone| (zone.id, zone.name.clone())));
    }

    /// Unsaved zone changes, of this contact or of one the pane moved away from.
    pub fn is_dirty(&self) -> bool {
        self.zones.is_dirty() || !self.parked_zones.is_empty()
    }
}

impl Feature for Related {
    /// Another site: nothing of this one's contact stays, nor the zones seen on it.
    fn on_site_closed(&mut self) {
        *self = Self { tab: self.tab, visit: self.visit + 1, ..Self::default() };
    }
}

/// What the tabs' work hands back, for the visit it was started in.
pub struct RelatedResult {
    visit: u64,
    part: RelatedPart,
}

impl RelatedResult {
    /// Only a zones save writes (to the site, and so to the journal).
    pub fn may_have_written(&self) -> bool {
        matches!(self.part, RelatedPart::ZonesSaved { .. })
    }
}

/// One tab's result.
pub enum RelatedPart {
    Bookings {
        generation: u64,
        page: u64,
        result: Result<Page<Booking>, ApiError>,
    },
    Cases {
        generation: u64,
        page: u64,
        result: Result<Page<Case>, ApiError>,
    },
    Orders {
        generation: u64,
        page: u64,
        result: Result<Page<Order>, ApiError>,
    },
    /// The walk through every record: the timeline and the customer summary.
    Activity(Result<HistoryData, ApiError>),
    Changes(JournalResult<Vec<JournalEntry>>),
    ZonesRead(Result<Vec<SecureZone>, ApiError>),
    ZonesSaved {
        contact: ContactId,
        result: Result<Vec<SecureZone>, ApiError>,
    },
    Counts(Counts),
}

/// Starts the tabs' work for one visit, each result tagged with it.
pub struct Visit<'a> {
    tasks: &'a mut TaskRunner<TaskResult>,
    connection: u64,
    visit: u64,
}

impl Visit<'_> {
    fn tag(
        &self,
        work: impl Future<Output = RelatedPart> + Send + 'static,
    ) -> impl Future<Output = TaskResult> + 'static {
        let (connection, visit) = (self.connection, self.visit);
        async move { TaskResult::for_site(connection, RelatedResult { visit, part: work.await }) }
    }

    /// Work the status area does not list.
    pub fn spawn(&mut self, work: impl Future<Output = RelatedPart> + Send + 'static) {
        let tagged = self.tag(work);
        self.tasks.spawn_unlisted(CancellationToken::new(), tagged);
    }

    /// As [`Visit::spawn`], stopped (returning nothing) when `cancel` is.
    pub fn spawn_unlisted(
        &mut self,
        cancel: CancellationToken,
        work: impl Future<Output = RelatedPart> + Send + 'static,
    ) {
        let tagged = self.tag(work);
        self.tasks.spawn_unlisted(cancel, tagged);
    }
}

/// The number of records of each list (a failed count leaves its tab without one).
async fn count_records(client: ReadClient, contact: ContactId) -> Counts {
    let query = ListQuery::new(Where::All).page(0, 1);
    let (bookings, cases, orders, zones) = tokio::join!(
        client.list_bookings(contact, &query),
        client.list_cases(contact, &query),
        client.list_orders(contact, &query),
        client.list_secure_zones(contact, &query),
    );
    let totals = [
        (Tab::Bookings, bookings.ok().and_then(|p| p.total_items_count)),
        (Tab::Cases, cases.ok().and_then(|p| p.total_items_count)),
        (Tab::Orders, orders.ok().and_then(|p| p.total_items_count)),
        (Tab::SecureZones, zones.ok().and_then(|p| p.total_items_count)),
    ];
    totals.into_iter().filter_map(|(tab, total)| Some((tab, total?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: i64) -> SecureZone {
        SecureZone { id, name: format!("Zone {id}"), ..SecureZone::default() }
    }

    fn result(visit: u64, part: RelatedPart) -> RelatedResult {
        RelatedResult { visit, part }
    }

    #[test]
    fn what_arrives_for_an_earlier_visit_is_dropped() {
        let mut related = Related::default();
        related.follow(1, Some(5));
        let first = related.visit;
        related.follow(1, Some(6));
        related.follow(1, Some(5));
        related.fold(result(first, RelatedPart::ZonesRead(Ok(vec![zone(1)]))));
        assert!(related.zones.loaded.is_none(), "a read from the first visit is not this one's");
        related.fold(result(related.visit, RelatedPart::ZonesRead(Ok(vec![zone(2)]))));
        assert_eq!(related.zones.loaded, Some(vec![zone(2)]));
        assert_eq!(related.known_zones.get(&2).map(String::as_str), Some("Zone 2"));
    }

    #[test]
    fn a_zones_save_is_taken_in_by_its_contact_wherever_the_pane_is() {
        let mut related = Related::default();
        related.follow(1, Some(5));
        related.fold(result(related.visit, RelatedPart::ZonesRead(Ok(vec![zone(1)]))));
        related.zones.add(2, "Zone 2");
        let saving = related.visit;
        // The pane moves on before the save is back: the unsaved list is parked.
        related.follow(1, Some(6));
        assert!(related.is_dirty());
        let saved = RelatedPart::ZonesSaved { contact: 5, result: Ok(vec![zone(1), zone(2)]) };
        related.fold(result(saving, saved));
        assert!(!related.is_dirty(), "nothing is left unsaved once the save is in");
        related.follow(1, Some(5));
        related.fold(result(related.visit, RelatedPart::ZonesRead(Ok(vec![zone(1), zone(2)]))));
        assert_eq!(related.zones.loaded, Some(vec![zone(1), zone(2)]));
        assert!(!related.zones.is_dirty());
    }

    #[test]
    fn only_a_zones_save_counts_as_a_write() {
        let save = RelatedPart::ZonesSaved { contact: 5, result: Ok(Vec::new()) };
        assert!(result(0, save).may_have_written());
        assert!(!result(0, RelatedPart::ZonesRead(Ok(Vec::new()))).may_have_written());
        assert!(!result(0, RelatedPart::Counts(Counts::new())).may_have_written());
    }
}
