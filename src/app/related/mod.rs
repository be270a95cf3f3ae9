//! What hangs off the contact in the pane, as the pane's tabs show it: its activity
//! timeline, bookings, cases, orders (with the customer summary) and secure zones. Each tab
//! loads when it is first shown (and again on F5) through its own promises; the app starts
//! them at the end of a frame ([`Related::fetch`]) and the drawing takes them in
//! ([`Related::poll`]).

pub mod changes;
pub mod history;
pub mod list;
pub mod zones;

use std::collections::{BTreeMap, HashMap};

use poll_promise::Promise;

use crate::api::{Booking, Case, ReadClient, ContactId, ListQuery, Order, SecureZone, Where};
use crate::app::effects::Effects;

pub use changes::ContactChanges;
pub use history::{Entry, History, HistoryData, OrderSummary, RecordKind};
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
    pub history: Option<History>,
    pub changes: ContactChanges,
    /// A zone change was saved since this was last taken (History reads the journal again).
    pub wrote: bool,
    counts: Option<Promise<Counts>>,
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
        *self = Self { contact: wanted, tab: self.tab, known_zones, parked_zones, zones, ..Self::default() };
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
                let (Some(writes), Some(contact)) = (fx.writes.as_ref(), self.contact()) else { return };
                self.zones.save(writes, contact, label, fx.tasks);
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
        if self.counts.is_none() && self.counted.is_empty() {
            self.counts = Some(fx.tasks.promise(count_records(client.clone(), contact)));
        }
        let tab = self.tab;
        self.bookings.fetch(tab == Tab::Bookings, &client, contact, fx.tasks);
        self.cases.fetch(tab == Tab::Cases, &client, contact, fx.tasks);
        self.orders.fetch(tab == Tab::Orders, &client, contact, fx.tasks);
        self.zones.fetch(tab == Tab::SecureZones, &client, contact, fx.tasks);
        let journal = fx.writes.as_ref().and_then(|w| w.journal());
        self.changes.fetch(tab == Tab::Changes, journal, contact, fx.tasks);
        // The walk through all records gives the summary, the timeline and the place of a
        // linked order.
        if !matches!(tab, Tab::Details | Tab::SecureZones | Tab::Changes) && self.history.is_none() {
            self.history = Some(History::start(&client, contact, fx.tasks));
        }
    }

    /// Takes in what arrived. Called while drawing.
    pub fn poll(&mut self) {
        self.changes.poll();
        self.bookings.poll();
        self.cases.poll();
        self.orders.poll();
        if let Some(history) = &mut self.history {
            history.poll();
        }
        if let Some(zones) = self.zones.poll() {
            self.known_zones.extend(zones.iter().map(|zone: &SecureZone| (zone.id, zone.name.clone())));
        }
        if std::mem::take(&mut self.zones.wrote) {
            self.changes.mark_stale();
            self.wrote = true;
        }
        if let Some(promise) = self.counts.take() {
            match promise.try_take() {
                Ok(counts) => self.counted = counts,
                Err(promise) => self.counts = Some(promise),
            }
        }
    }

    /// Unsaved zone changes, of this contact or of one the pane moved away from.
    pub fn is_dirty(&self) -> bool {
        self.zones.is_dirty() || !self.parked_zones.is_empty()
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
