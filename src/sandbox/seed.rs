//! Deterministic demo data for the sandbox site (being written: see the helper's brief).

use crate::api::Timestamp;
use crate::api::model::{Booking, Case, Contact, Order};

/// The site's secure zones: (Id, Name).
pub const ZONES: &[(i64, &str)] = &[];

/// One demo contact with everything that hangs off it. Ids are 0: the store assigns them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DemoContact {
    pub contact: Contact,
    pub bookings: Vec<Booking>,
    pub cases: Vec<Case>,
    pub orders: Vec<Order>,
    pub zones: Vec<ZoneSubscription>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ZoneSubscription {
    pub zone_id: i64,
    pub expiry: Option<Timestamp>,
}

/// The demo contact at `index` (0-based): the same index always gives the same data.
pub fn demo_contact(index: u64) -> DemoContact {
    let _ = index;
    DemoContact::default()
}
