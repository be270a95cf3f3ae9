//! The customer summary above the orders: how many, spent, paid and pending in each
//! currency, the first and last order, and a small chart of order totals over time. All
//! of it is added up off the UI thread by the walk through the contact's orders.

use rust_decimal::prelude::ToPrimitive as _;

use crate::app::money::MoneyFormat;
use crate::app::related::history::CurrencyTotals;
use crate::app::related::{Related, Tab};
use crate::app::text::{date, plural};

use super::{Intents, error_ui, walked};

const CHART_HEIGHT: f32 = 110.0;

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
        Some(Err(error)) => return error_ui(ui, &error.to_string(), Tab::Orders, intents),
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
        chart_ui(ui, &summary.by_currency, money);
    });
}

/// Order totals of each month, one colour per currency, over month labels and an amount
/// axis; hovering a bar shows its month and exact total. The chart is a picture: its floats
/// never become a written amount (the tooltip writes the exact decimal).
fn chart_ui(ui: &mut egui::Ui, by_currency: &[CurrencyTotals], money: &MoneyFormat) {
    let mut plot = egui_plot::Plot::new("order_totals");
    if by_currency.len() > 1 {
        plot = plot.legend(egui_plot::Legend::default());
    }
    if let [only] = by_currency {
        plot = plot.y_axis_label(only.currency.clone().unwrap_or_default());
    }
    plot.height(CHART_HEIGHT)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .show_axes([true, true])
        .include_y(0.0)
        .y_axis_min_width(36.0)
        .x_grid_spacer(month_marks)
        .x_axis_formatter(|mark, _| month_mark_label(mark.value, mark.step_size))
        .y_axis_formatter(|mark, _| compact_amount(mark.value))
        .show(ui, |plot| {
            for totals in by_currency {
                let currency = totals.currency.clone();
                let tips: std::collections::HashMap<i32, String> = totals
                    .by_month
                    .iter()
                    .map(|(month, total)| {
                        (*month, format!("{}: {}", month_label(*month), money.format(*total, currency.as_deref())))
                    })
                    .collect();
                let bars = totals.by_month.iter().map(|(month, total)| {
                    egui_plot::Bar::new(f64::from(*month), total.to_f64().unwrap_or_default()).width(0.7)
                });
                let name = totals.currency.clone().unwrap_or_else(|| "No currency".to_owned());
                let chart =
                    egui_plot::BarChart::new(name, bars.collect()).element_formatter(Box::new(move |bar, _| {
                        tips.get(&(bar.argument.round() as i32)).cloned().unwrap_or_default()
                    }));
                plot.bar_chart(chart);
            }
        });
}

/// "Mar 2024" for a month counted from year 0 (as the totals count them).
fn month_label(month: i32) -> String {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{} {}", NAMES[month.rem_euclid(12) as usize], month.div_euclid(12))
}

/// An x-axis mark: the month, or only the year when marks are a year or more apart.
fn month_mark_label(value: f64, step: f64) -> String {
    let month = value.round() as i32;
    if step >= 12.0 { month.div_euclid(12).to_string() } else { month_label(month) }
}

/// Marks on month starts, a month to five years apart, so that about six fit.
fn month_marks(input: egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (low, high) = input.bounds;
    let span = (high - low).max(1.0);
    let step = [1.0, 3.0, 6.0, 12.0, 24.0, 60.0].into_iter().find(|step| span / step <= 6.0).unwrap_or(120.0);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last.max(first))
        .take(200)
        .map(|n| egui_plot::GridMark { value: n as f64 * step, step_size: step })
        .collect()
}

/// An amount for an axis: 950, 1.2k, 35k, 1.5M (the exact amounts are in the tooltips).
fn compact_amount(value: f64) -> String {
    let size = value.abs();
    if size >= 1_000_000.0 {
        format!("{:.1}M", value / 1_000_000.0).replace(".0M", "M")
    } else if size >= 1_000.0 {
        format!("{:.1}k", value / 1_000.0).replace(".0k", "k")
    } else {
        format!("{value:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_amounts_read_on_the_axes() {
        assert_eq!(month_label(2024 * 12 + 2), "Mar 2024");
        assert_eq!(month_label(2023 * 12 + 11), "Dec 2023");
        assert_eq!(month_mark_label(f64::from(2024 * 12), 12.0), "2024");
        assert_eq!(month_mark_label(f64::from(2024 * 12 + 5), 3.0), "Jun 2024");
        assert_eq!(compact_amount(950.0), "950");
        assert_eq!(compact_amount(1_250.0), "1.2k");
        assert_eq!(compact_amount(35_000.0), "35k");
        assert_eq!(compact_amount(1_500_000.0), "1.5M");
    }

    #[test]
    fn month_marks_fall_on_months_about_six_across() {
        let input = |low: f64, high: f64| egui_plot::GridInput { bounds: (low, high), base_step_size: 0.1 };
        let year = f64::from(2024 * 12);
        let marks = month_marks(input(year - 0.5, year + 5.5));
        assert_eq!(marks.iter().map(|m| m.value - year).collect::<Vec<_>>(), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        let marks = month_marks(input(year, year + 60.0));
        assert!(marks.len() <= 7 && marks.iter().all(|m| m.value % 12.0 == 0.0), "{:?}", marks.len());
    }
}
