//! The Activity tab: the contact's bookings, cases and orders on one timeline, newest
//! first; a click opens the record in its tab.

use crate::app::money::MoneyFormat;
use crate::app::related::{Entry, RecordKind, Related, Tab};
use crate::app::text::maybe_date;

use super::list::{Row, row_ui, rows_ui};
use super::{Intents, OpenRecord, empty_ui, error_ui, loading_ui, walked};

pub fn ui(ui: &mut egui::Ui, related: &Related, money: &MoneyFormat, intents: &mut Intents) -> OpenRecord {
    let Some(history) = &related.history else {
        loading_ui(ui, "Loading the contact's activity…");
        return None;
    };
    let data = match &history.outcome {
        None => {
            loading_ui(ui, &format!("Loading the contact's activity{}…", walked(history)));
            ui.ctx().request_repaint_after(super::PROGRESS_EVERY);
            return None;
        }
        Some(Err(error)) => {
            error_ui(ui, &error.to_string(), Tab::Activity, intents);
            return None;
        }
        Some(Ok(data)) => data,
    };
    if data.timeline.is_empty() {
        empty_ui(ui, "Nothing yet: this contact has no bookings, cases or orders.");
        return None;
    }
    let mut open = None;
    let total = data.timeline.len() as u64;
    let height = ui.available_height();
    rows_ui(ui, "activity", total, height, &mut None, &mut None, |ui, index, row_height| {
        let Some(entry) = data.timeline.get(index as usize) else { return };
        if row_ui(ui, &row(entry, money), false, row_height).on_hover_text("Open it in its tab").clicked() {
            open = Some((entry.kind, entry.index));
        }
    });
    open
}

fn row(entry: &Entry, money: &MoneyFormat) -> Row {
    let kind = match entry.kind {
        RecordKind::Booking => "Booking",
        RecordKind::Case => "Case",
        RecordKind::Order => "Order",
    };
    let aside =
        entry.amount.as_ref().map_or_else(String::new, |(amount, currency)| money.format(*amount, currency.as_deref()));
    Row { title: entry.title.clone(), aside, detail: format!("{} · {kind}", maybe_date(entry.when.as_ref())) }
}
