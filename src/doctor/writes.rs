//! The probes that write, run only when the user asks: on one contact the doctor creates
//! with a unique email and deletes again, every step through the change journal.

use tokio_util::sync::CancellationToken;

use crate::api::dialect::ZonesPut;
use crate::api::{ApiError, Contact, Dialect, ListQuery, SecureZone};
use crate::app::journal::{Context, Writes};

use super::{Probe, Verdict};

/// The domain of the doctor's contact's email (reserved: it can reach no one).
pub const WRITE_PROBE_DOMAIN: &str = "doctor.treepl-contacts.invalid";

/// How many contacts' zones are read, at most, to find two zones to subscribe to.
const CONTACTS_SEARCHED_FOR_ZONES: u32 = 50;

/// Creates a contact, saves a change to it, probes what the zones PUT does, and deletes the
/// contact again (also when a probe fails). Updates `dialect.zones_put`.
pub async fn check_writes(
    writes: &Writes,
    dialect: &mut Dialect,
    cancel: &CancellationToken,
    mut on_probe: impl FnMut(&Probe),
) -> Vec<Probe> {
    let mut probes = Vec::new();
    let mut add = |probe: Probe| {
        on_probe(&probe);
        probes.push(probe);
    };
    let email = format!("probe-{:016x}@{WRITE_PROBE_DOMAIN}", fastrand::u64(..));
    let draft = Contact { email: email.clone(), first_name: Some("Doctor".to_owned()), ..Contact::default() };
    let created = match writes.create(&draft, None, Context::default()).await {
        Ok(created) => {
            add(Probe::new("Create", format!("POST {email}"), format!("Id {}", created.id), Verdict::Honoured));
            created
        }
        Err(error) => {
            add(Probe::new("Create", format!("POST {email}"), error.to_string(), Verdict::Undecided));
            return probes;
        }
    };
    if !cancel.is_cancelled() {
        add(update_probe(writes, &created).await);
    }
    if !cancel.is_cancelled() {
        let (probe, zones_put) = zones_probe(writes, &created).await;
        add(probe);
        if let Some(zones_put) = zones_put {
            dialect.zones_put = zones_put;
        }
    }
    let removed = writes.delete(created.id, Context::default()).await;
    add(match removed {
        Ok(()) => Probe::new("Delete", format!("DELETE {}", created.id), "gone", Verdict::Honoured),
        Err(error) => Probe::new(
            "Delete",
            format!("DELETE {}", created.id),
            format!("{error} (delete {email} by hand)"),
            Verdict::Undecided,
        ),
    });
    probes
}

/// A PUT of one changed field: done (whatever its reply's shape) and read back as saved.
async fn update_probe(writes: &Writes, created: &Contact) -> Probe {
    let mut edited = created.clone();
    edited.last_name = Some("Checked".to_owned());
    let sent = format!("PUT {} LastName=Checked", created.id);
    match writes.update(created, &edited, Context::default()).await {
        Ok(_) => match writes.client().get_contact(created.id).await {
            Ok(read) if read.last_name.as_deref() == Some("Checked") => {
                Probe::new("Update", sent, "saved, and read back so", Verdict::Honoured)
            }
            Ok(read) => Probe::new(
                "Update",
                sent,
                format!("read back LastName={}", read.last_name.unwrap_or_default()),
                Verdict::Refused,
            ),
            Err(error) => Probe::new("Update", sent, error.to_string(), Verdict::Undecided),
        },
        Err(error) => Probe::new("Update", sent, error.to_string(), Verdict::Undecided),
    }
}

/// Subscribes the contact to one zone, then sends a list of another alone: a site that
/// replaces keeps the second, one that merges keeps both.
async fn zones_probe(writes: &Writes, contact: &Contact) -> (Probe, Option<ZonesPut>) {
    let choice = "Secure zones PUT replaces the list";
    let (first, second) = match two_zones(writes).await {
        Ok(Some(zones)) => zones,
        Ok(None) => {
            return (Probe::new(choice, "-", "the site has fewer than 2 zones in use", Verdict::Undecided), None);
        }
        Err(error) => return (Probe::new(choice, "-", error.to_string(), Verdict::Undecided), None),
    };
    let label = &contact.email;
    let sent = format!("PUT [{}] then PUT [{}]", first.id, second.id);
    let one = std::slice::from_ref(&first);
    let steps = async {
        writes.set_zones(contact.id, label, &[], one, Context::default()).await?;
        writes.set_zones(contact.id, label, one, std::slice::from_ref(&second), Context::default()).await?;
        writes.client().all_secure_zones(contact.id).await
    };
    match steps.await {
        Ok(now) => {
            let ids: Vec<i64> = now.iter().map(|z| z.id).collect();
            let came_back = format!("zones {ids:?}");
            if ids == [second.id] {
                (Probe::new(choice, sent, came_back, Verdict::Honoured), Some(ZonesPut::Replaces))
            } else if ids.contains(&first.id) && ids.contains(&second.id) {
                let text = format!("{came_back}: it merges; removing a zone is refused");
                (Probe::new(choice, sent, text, Verdict::Differs), Some(ZonesPut::Merges))
            } else {
                (Probe::new(choice, sent, came_back, Verdict::Undecided), None)
            }
        }
        Err(error) => (Probe::new(choice, sent, error.to_string(), Verdict::Undecided), None),
    }
}

/// Two zones in use on the site, from the zones of its first contacts.
async fn two_zones(writes: &Writes) -> Result<Option<(SecureZone, SecureZone)>, ApiError> {
    let client = writes.client();
    let page = client.list_contacts(&ListQuery::default().page(0, CONTACTS_SEARCHED_FOR_ZONES)).await?;
    let mut found: Vec<SecureZone> = Vec::new();
    for contact in page.items {
        for zone in client.all_secure_zones(contact.id).await? {
            if !found.iter().any(|z| z.id == zone.id) {
                found.push(SecureZone { expiry_date_time: None, ..zone });
            }
            if let [a, b] = &found[..] {
                return Ok(Some((a.clone(), b.clone())));
            }
        }
    }
    Ok(None)
}
