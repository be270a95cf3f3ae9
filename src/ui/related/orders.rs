//! The Orders tab: the customer summary, the contact's orders newest first, and the
//! selected order in full: its lines, payments, shipping, discount, gift voucher, tax and
//! tracking link. Money keeps its currency and the site's exact decimals.

use rust_decimal::Decimal;

use crate::api::model::{OrderLine, Payment};
use crate::api::{Amount, Order};
use crate::app::money::MoneyFormat;
use crate::app::related::{Related, Tab};
use crate::app::text::{date_time, invoice, maybe_date, payment_state, readable};

use super::list::{Row, records_ui};
use super::{Intents, ListSplit, OpenRecord, fields_across_ui, fields_ui, groups_ui, summary};

pub fn ui(ui: &mut egui::Ui, related: &mut Related, money: &MoneyFormat, intents: &mut Intents) -> OpenRecord {
    summary::ui(ui, related, money, intents);
    let split = ListSplit::new(ui, related.orders.selected.is_some());
    let height = split.list_height;
    records_ui(ui, &mut related.orders, Tab::Orders, height, intents, |order| row(order, money));
    let order = related.orders.selected_record()?;
    split.line_ui(ui);
    // Both ways: a wide table of lines scrolls across rather than squeezing its columns.
    egui::ScrollArea::both().id_salt("order_detail").auto_shrink([false, true]).show(ui, |ui| {
        detail_ui(ui, order, money);
    });
    None
}

fn status(order: &Order) -> String {
    let named = order.status_short.as_ref().and_then(|s| s.name.clone());
    let named = named.filter(|n| !n.trim().is_empty()).map(|n| readable(&n));
    named.or_else(|| order.status_id.map(|id| format!("Status {id}"))).unwrap_or_else(|| "—".to_owned())
}

fn amount(money: &MoneyFormat, amount: Option<&Amount>, currency: Option<&str>) -> String {
    amount.map_or_else(|| "—".to_owned(), |a| money.format(a.0, currency))
}

/// A rate as the site wrote it (`8.875 %`), in the user's digits.
fn rate(money: &MoneyFormat, rate: Option<&Amount>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{}\u{a0}%", money.number(r.0, r.0.normalize().scale())))
}

fn text(value: Option<&String>) -> String {
    value.filter(|v| !v.trim().is_empty()).cloned().unwrap_or_else(|| "—".to_owned())
}

/// An identifier-like word the site sends ("CreditCard"), as people read it.
fn word(value: Option<&String>) -> String {
    value.filter(|v| !v.trim().is_empty() && v.trim() != "None").map_or_else(|| "—".to_owned(), |v| readable(v))
}

fn row(order: &Order, money: &MoneyFormat) -> Row {
    let currency = order.currency.as_deref();
    let name = order.order_name.as_deref().filter(|n| !n.trim().is_empty());
    let title = name.map_or_else(|| invoice(order), |name| format!("{} · {name}", invoice(order)));
    let payment = order.payment_state.as_deref().map(payment_state).filter(|p| p != "—").unwrap_or_default();
    let pending = order.amount_pending.as_ref().filter(|p| p.0 != Decimal::ZERO);
    // The date the list is sorted by (newest first); the invoice date is in the detail.
    let mut detail = vec![maybe_date(order.created_date_time.as_ref().or(order.invoice_date.as_ref())), status(order)];
    detail.extend((!payment.is_empty()).then_some(payment));
    // What is still owed matters more than what was paid: it comes first.
    detail.extend(pending.map(|p| format!("pending {}", money.format(p.0, currency))));
    detail.push(format!("paid {}", amount(money, order.amount_paid.as_ref(), currency)));
    Row { title, aside: amount(money, order.total_cost.as_ref(), currency), detail: detail.join(" · ") }
}

fn detail_ui(ui: &mut egui::Ui, order: &Order, money: &MoneyFormat) {
    let currency = order.currency.as_deref();
    ui.strong(invoice(order));
    let fields = [
        ("Invoice date", maybe_date(order.invoice_date.as_ref())),
        ("Order name", text(order.order_name.as_ref())),
        ("Status", status(order)),
        ("Payment state", order.payment_state.as_deref().map_or_else(|| "—".to_owned(), payment_state)),
        ("Total", amount(money, order.total_cost.as_ref(), currency)),
        ("Paid", amount(money, order.amount_paid.as_ref(), currency)),
        ("Pending", amount(money, order.amount_pending.as_ref(), currency)),
        ("Currency", text(order.currency.as_ref())),
    ];
    fields_across_ui(ui, ("order", order.id), &fields, 2);
    section(ui, "Lines", order.order_lines.is_empty(), |ui| lines_ui(ui, order, money));
    section(ui, "Payments", order.payments.is_empty(), |ui| {
        for payment in &order.payments {
            payment_ui(ui, payment, currency, money);
        }
    });
    extras_ui(ui, order, money);
    groups_ui(ui, ("order_groups", order.id), &order.custom_crm_groups);
}

/// A titled part of the order; "No lines" when it has nothing.
fn section(ui: &mut egui::Ui, title: &str, empty: bool, body: impl FnOnce(&mut egui::Ui)) {
    ui.add_space(8.0);
    ui.label(egui::RichText::new(title).strong());
    if empty {
        ui.weak(format!("No {}", title.to_lowercase()));
    } else {
        body(ui);
    }
}

fn lines_ui(ui: &mut egui::Ui, order: &Order, money: &MoneyFormat) {
    let currency = order.currency.as_deref();
    egui::Grid::new(("order_lines", order.id)).num_columns(5).striped(true).spacing([10.0, 4.0]).show(ui, |ui| {
        for title in ["Product", "Qty", "Unit price", "Total", "Tax"] {
            ui.weak(title);
        }
        ui.end_row();
        for line in &order.order_lines {
            ui.vertical(|ui| {
                ui.add(egui::Label::new(line_name(line)).extend());
                if line.is_download {
                    ui.weak(format!("Download: {}", text(line.file_name.as_ref())));
                }
                for attribute in &line.attributes {
                    let id = attribute.attribute_id.map_or_else(|| "—".to_owned(), |id| id.to_string());
                    ui.weak(format!("Attribute {id}: {}", attribute.options_ids.join(", ")));
                }
            });
            ui.label(line.quantity.map_or_else(|| "—".to_owned(), |q| q.to_string()));
            ui.label(amount(money, line.unit_price.as_ref(), currency));
            ui.label(amount(money, line.total_price.as_ref(), currency));
            ui.label(rate(money, line.tax_rate.as_ref()));
            ui.end_row();
        }
    });
}

fn line_name(line: &OrderLine) -> String {
    let named = line.product_name.clone().filter(|n| !n.trim().is_empty());
    named.unwrap_or_else(|| line.product_id.map_or_else(|| format!("Line {}", line.id), |id| format!("Product {id}")))
}

fn payment_ui(ui: &mut egui::Ui, payment: &Payment, currency: Option<&str>, money: &MoneyFormat) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let short = [
            ("Amount", amount(money, payment.amount.as_ref(), currency)),
            ("Captured", amount(money, payment.amount_captured.as_ref(), currency)),
            ("Status", word(payment.status.as_ref())),
            ("Type", word(payment.payment_type.as_ref())),
            ("Gateway", word(payment.payment_gateway_type.as_ref())),
            ("Date", payment.created_date_time.as_ref().map_or_else(|| "—".to_owned(), date_time)),
        ];
        fields_across_ui(ui, ("payment", payment.id), &short, 2);
        // Long texts take a row each, and only when there is something to say.
        let mut long = vec![("Transaction", text(payment.transaction_id.as_ref()))];
        long.extend(
            payment.gateway_reason.as_ref().filter(|r| !r.trim().is_empty()).map(|r| ("Gateway reason", r.clone())),
        );
        long.extend(payment.notes.as_ref().filter(|n| !n.trim().is_empty()).map(|n| ("Notes", n.clone())));
        fields_ui(ui, ("payment_notes", payment.id), &long);
    });
}

/// Shipping, discount, gift voucher, tax and the tracking link, each when the order has it.
fn extras_ui(ui: &mut egui::Ui, order: &Order, money: &MoneyFormat) {
    let currency = order.currency.as_deref();
    if let Some(shipping) = &order.shipping_info {
        let place = [&shipping.address, &shipping.city, &shipping.state, &shipping.zipcode, &shipping.country];
        let place: Vec<&str> =
            place.into_iter().flatten().map(String::as_str).filter(|p| !p.trim().is_empty()).collect();
        section(ui, "Shipping", false, |ui| {
            let fields = [
                ("Method", text(shipping.name.as_ref())),
                ("Cost", amount(money, shipping.cost.as_ref(), currency)),
                ("Address", if place.is_empty() { "—".to_owned() } else { place.join(", ") }),
            ];
            fields_ui(ui, ("shipping", order.id), &fields);
        });
    }
    let mut others = Vec::new();
    if let Some(discount) = &order.discount {
        others.push((
            "Discount",
            format!("{} ({})", text(discount.code.as_ref()), amount(money, discount.cost.as_ref(), currency)),
        ));
    }
    if let Some(voucher) = &order.gift_voucher {
        others.push((
            "Gift voucher",
            format!("{} ({})", text(voucher.name.as_ref()), amount(money, voucher.cost.as_ref(), currency)),
        ));
    }
    if let Some(tax) = &order.tax {
        others.push(("Tax", format!("{} {}", text(tax.code.as_ref()), rate(money, tax.rate.as_ref()))));
    }
    if let Some(awb) = order.awb_number.as_ref().filter(|a| !a.trim().is_empty()) {
        others.push(("Air waybill", awb.clone()));
    }
    if !others.is_empty() {
        ui.add_space(8.0);
        fields_ui(ui, ("order_extras", order.id), &others);
    }
    if let Some(url) = order.tracking_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        ui.add_space(6.0);
        // Only a web address opens in the browser; anything else is shown, not followed.
        if url.starts_with("https://") || url.starts_with("http://") {
            ui.hyperlink_to("Track the shipment", url).on_hover_text(url);
        } else {
            ui.label(format!("Tracking: {url}"));
        }
    }
}
