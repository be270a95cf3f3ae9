//! The Bookings tab: the contact's event bookings, newest first, and the one selected.

use crate::api::Booking;
use crate::app::related::{Related, Tab};
use crate::app::text::{maybe_date, plural};

use super::list::{Row, records_ui};
use super::{Intents, ListSplit, OpenRecord, fields_ui, groups_ui, order_link_ui, value_fields_ui};

pub fn ui(ui: &mut egui::Ui, related: &mut Related, intents: &mut Intents) -> OpenRecord {
    let split = ListSplit::new(ui, related.bookings.selected.is_some());
    let height = split.list_height;
    records_ui(ui, &mut related.bookings, Tab::Bookings, height, intents, row);
    let booking = related.bookings.selected_record()?.clone();
    split.line_ui(ui);
    let mut open = None;
    egui::ScrollArea::vertical().id_salt("booking_detail").auto_shrink([false, true]).show(ui, |ui| {
        open = detail_ui(ui, related, &booking);
    });
    open
}

fn event_name(booking: &Booking) -> String {
    let named = booking.event.as_ref().and_then(|event| event.name.clone());
    named.unwrap_or_else(|| {
        booking.event_id.map_or_else(|| format!("Booking {}", booking.id), |id| format!("Event {id}"))
    })
}

fn form_name(booking: &Booking) -> Option<String> {
    let form = booking.form.as_ref();
    form.and_then(|f| f.name.clone().or_else(|| f.alias.clone()))
        .or_else(|| booking.form_id.map(|id| format!("Form {id}")))
}

fn places(booking: &Booking) -> String {
    booking.allocation.map_or_else(String::new, |n| plural(n.max(0) as u64, "place", "places"))
}

fn row(booking: &Booking) -> Row {
    let detail = [form_name(booking), Some(places(booking)).filter(|p| !p.is_empty())];
    Row {
        title: event_name(booking),
        aside: maybe_date(booking.created_date_time.as_ref()),
        detail: detail.into_iter().flatten().collect::<Vec<_>>().join(" · "),
    }
}

fn detail_ui(ui: &mut egui::Ui, related: &Related, booking: &Booking) -> OpenRecord {
    ui.strong(event_name(booking));
    let fields = [
        ("Event", event_name(booking)),
        ("Form", form_name(booking).unwrap_or_else(|| "—".to_owned())),
        ("Allocation", places(booking)),
        ("Created", maybe_date(booking.created_date_time.as_ref())),
    ];
    fields_ui(ui, ("booking", booking.id), &fields);
    if !booking.event_booking_fields.is_empty() {
        ui.add_space(6.0);
        ui.label(egui::RichText::new("Booking fields").strong());
        value_fields_ui(ui, ("booking_fields", booking.id), &booking.event_booking_fields);
    }
    groups_ui(ui, ("booking_groups", booking.id), &booking.custom_crm_groups);
    ui.add_space(6.0);
    order_link_ui(ui, related, booking.order_id)
}
