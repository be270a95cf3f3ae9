//! What a bulk secure-zone change does to one contact's list of zones.

use crate::api::{SecureZone, Timestamp};

#[derive(Clone, Debug, PartialEq)]
pub enum ZoneAction {
    /// Subscribe to the zone, with this expiry (none: never expires). A contact already in
    /// the zone gets the expiry asked for.
    Grant {
        id: i64,
        name: String,
        expiry: Option<Timestamp>,
    },
    Revoke {
        id: i64,
        name: String,
    },
}

impl ZoneAction {
    /// The complete list to send, from the list just read.
    pub fn wanted(&self, current: &[SecureZone]) -> Vec<SecureZone> {
        match self {
            ZoneAction::Grant { id, name, expiry } => {
                let mut wanted = current.to_vec();
                match wanted.iter_mut().find(|zone| zone.id == *id) {
                    Some(zone) => zone.expiry_date_time = *expiry,
                    None => wanted.push(SecureZone {
                        id: *id,
                        name: name.clone(),
                        expiry_date_time: *expiry,
                        extra: Default::default(),
                    }),
                }
                wanted
            }
            ZoneAction::Revoke { id, .. } => current.iter().filter(|zone| zone.id != *id).cloned().collect(),
        }
    }

    /// "Grant Members (until 2027-01-01)", "Revoke Members".
    pub fn summary(&self) -> String {
        match self {
            ZoneAction::Grant { name, expiry: Some(at), .. } => {
                format!("Grant {name} (until {})", crate::app::text::date(at))
            }
            ZoneAction::Grant { name, expiry: None, .. } => format!("Grant {name}"),
            ZoneAction::Revoke { name, .. } => format!("Revoke {name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(id: i64) -> SecureZone {
        SecureZone { id, name: format!("Z{id}"), expiry_date_time: None, extra: Default::default() }
    }

    #[test]
    fn grant_adds_or_redates_and_revoke_removes_only_that_zone() {
        let expiry = Timestamp::parse("2027-01-01T00:00:00Z");
        let grant = ZoneAction::Grant { id: 2, name: "Z2".into(), expiry };
        let added = grant.wanted(&[zone(1)]);
        assert_eq!(added.iter().map(|z| z.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(added[1].expiry_date_time, expiry);
        assert_eq!(grant.wanted(&added), added, "granted twice: the same list");
        let revoke = ZoneAction::Revoke { id: 1, name: "Z1".into() };
        assert_eq!(revoke.wanted(&added).iter().map(|z| z.id).collect::<Vec<_>>(), [2]);
    }
}
