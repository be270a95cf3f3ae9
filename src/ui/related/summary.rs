//! The customer summary above the orders: how many, spent, paid and pending in each
//! currency, the first and last order, and a small chart of order totals over time. All
//! of it is added up off the UI thread by the walk through the contact's orders.

use rust_decimal::prelude::ToPrimitive as _;

use crate::app::money::MoneyFormat;
use crate::app::related::history::CurrencyTotals;
use crate::app::related::{Related, Tab};
use crate::app::text::{date, plural};

use super::{Intents, error_ui, walked};

const CHART_HEIGHT: f32 = 80.0;

pub fn ui(ui: &mut egui::Ui, related: &Related, money: &MoneyFormat, intents: &mut Intents) {
    let Some(history) = &related.history else { return };
    let summary = match &history.outcome {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(format!("Adding up the orders{}…", walked(history)));
            });
            // About the room the summary will take, so that the orders below do not jump
            // (under a pointer about to click one) when it arrives.
            let line = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
            ui.add_space(CHART_HEIGHT + 3.0 * line + ui.spacing().item_spacing.y);
            ui.ctx().request_repaint_after(super::PROGRESS_EVERY);
            return;
        }
        Some(Err(error)) => return error_ui(ui, error, Tab::Orders, intents),
        Some(Ok(data)) => &data.summary,
    };
    if summary.orders == 0 {
        return;
    }
    egui::CollapsingHeader::new("Customer summary").default_open(true).show(ui, |ui| {
        let span = match (&summary.first, &summary.last) {
            (Some(first), Some(last)) => format!(", {} to {}", date(first), date(last)),
            _ => String::new(),
        };
        ui.label(format!("{}{span}", plural(summary.orders, "order", "orders")));
        egui::Grid::new("customer_totals").num_columns(3).spacing([14.0, 2.0]).show(ui, |ui| {
            for title in ["Spent", "Paid", "Pending"] {
                ui.weak(title);
            }
            ui.end_row();
            for totals in &summary.by_currency {
                let currency = totals.currency.as_deref();
                for amount in [totals.total, totals.paid, totals.pending] {
                    ui.label(money.format(amount, currency));
                }
                ui.end_row();
            }
        });
        chart_ui(ui, &summary.by_currency);
    });
}

/// Order totals of each month, one colour per currency. The chart is a picture: its floats never
/// become a written amount.
fn chart_ui(ui: &mut egui::Ui, by_currency: &[CurrencyTotals]) {
    let mut plot = egui_plot::Plot::new("order_totals");
    if by_currency.len() > 1 {
        plot = plot.legend(egui_plot::Legend::default());
    }
    plot.height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .show_axes([true, false])
        // The x axis counts years (a month is a twelfth).
        .x_axis_formatter(|mark, _| format!("{:.0}", mark.value.floor()))
        .show(ui, |plot| {
            for totals in by_currency {
                let bars = totals.by_month.iter().map(|(month, total)| {
                    egui_plot::Bar::new(f64::from(*month) / 12.0, total.to_f64().unwrap_or_default()).width(0.07)
                });
                let name = totals.currency.clone().unwrap_or_else(|| "No currency".to_owned());
                plot.bar_chart(egui_plot::BarChart::new(name, bars.collect()));
            }
        });
}
