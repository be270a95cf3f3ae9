//! The customer summary above the orders: how many, spent, paid and pending in each
//! currency, the first and last order, and a small chart of order totals over time. All
//! of it is added up off the UI thread by the walk through the contact's orders.

use rust_decimal::prelude::ToPrimitive as _;

use crate::app::money::MoneyFormat;
use crate::app::related::history::CurrencyTotals;
use crate::app::related::{Related, Tab};
use crate::app::text::{maybe_date, thousands};

use super::{Intents, error_ui};

/// How often the count of orders read so far is drawn again while they are added up.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(150);

const CHART_HEIGHT: f32 = 90.0;

pub fn ui(ui: &mut egui::Ui, related: &Related, money: &MoneyFormat, intents: &mut Intents) {
    let Some(history) = &related.history else { return };
    let summary = match &history.outcome {
        None => {
            let (read, expected) = history.progress();
            ui.horizontal(|ui| {
                ui.spinner();
                let of = if expected > 0 {
                    format!(" ({} of {})", thousands(read), thousands(expected))
                } else {
                    String::new()
                };
                ui.weak(format!("Adding up the orders{of}…"));
            });
            ui.ctx().request_repaint_after(PROGRESS_EVERY);
            return;
        }
        Some(Err(error)) => return error_ui(ui, error, Tab::Orders, intents),
        Some(Ok(data)) => &data.summary,
    };
    if summary.orders == 0 {
        return;
    }
    egui::CollapsingHeader::new("Customer summary").default_open(true).show(ui, |ui| {
        let mut fields = vec![
            ("Orders", thousands(summary.orders)),
            ("First order", maybe_date(summary.first.as_ref())),
            ("Last order", maybe_date(summary.last.as_ref())),
        ];
        for totals in &summary.by_currency {
            let currency = totals.currency.as_deref();
            fields.push(("Spent", money.format(totals.total, currency)));
            fields.push(("Paid", money.format(totals.paid, currency)));
            fields.push(("Pending", money.format(totals.pending, currency)));
        }
        super::fields_ui(ui, "customer_summary", &fields);
        chart_ui(ui, &summary.by_currency);
    });
}

/// Order totals over time, one line per currency. The chart is a picture: its floats never
/// become a written amount.
fn chart_ui(ui: &mut egui::Ui, by_currency: &[CurrencyTotals]) {
    let day = |millis: i64| millis as f64 / 86_400_000.0;
    egui_plot::Plot::new("order_totals")
        .height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .show_axes([true, false])
        .x_axis_formatter(|mark, _| {
            let millis = (mark.value * 86_400_000.0) as i64;
            chrono::DateTime::from_timestamp_millis(millis).map_or_else(String::new, |at| at.format("%Y").to_string())
        })
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            for totals in by_currency {
                let points: Vec<[f64; 2]> = totals
                    .points
                    .iter()
                    .map(|(at, total)| [day(at.millis()), total.to_f64().unwrap_or_default()])
                    .collect();
                let name = totals.currency.clone().unwrap_or_else(|| "No currency".to_owned());
                plot.points(egui_plot::Points::new(name, points).radius(2.0));
            }
        });
}
