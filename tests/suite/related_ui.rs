//! The contact pane's tabs in the real app (egui_kittest, against its sandbox): each tab
//! lists what the site has for the contact (read over the API to compare), or says it has
//! none; the biggest customer's 2,000 orders are paged, not fetched at once; an order's
//! money is written in the user's locale for its currency; zone edits persist, and a
//! failed save keeps them.

use crate::common;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable};
use rust_decimal::Decimal;
use treepl_contacts::api::{Booking, Case, Client, Contact, ContactId, ListQuery, Order, OrderBy, SecureZone, Where};
use treepl_contacts::app::money::MoneyFormat;
use treepl_contacts::app::related::Tab;
use treepl_contacts::sandbox::{FaultRule, Forced, Route};

use treepl_contacts::sandbox::seed::ZONES;

use common::app::{AppUnderTest, TestKeyring};

/// What the site has for one contact, read page by page with a plain loop (newest first,
/// as the tabs list them).
struct OnSite {
    bookings: Vec<Booking>,
    cases: Vec<Case>,
    orders: Vec<Order>,
    zones: Vec<SecureZone>,
}

fn client(app: &AppUnderTest) -> Client {
    Client::with_options(app.state().shell.site.sandbox().unwrap().credentials(), common::quick_options()).unwrap()
}

fn on_site(app: &AppUnderTest, contact: ContactId) -> OnSite {
    let client = client(app);
    let newest_first = || ListQuery::new(Where::All).order_by(OrderBy::desc("CreatedDateTime"));
    macro_rules! all {
        ($list:ident, $query:expr) => {{
            let mut all = Vec::new();
            loop {
                let page = client.$list(contact, &$query.page(all.len() as u64, 250)).await.unwrap();
                let done = page.items.len() < 250;
                all.extend(page.items);
                if done {
                    break all;
                }
            }
        }};
    }
    app.runtime().block_on(async {
        OnSite {
            bookings: all!(list_bookings, newest_first()),
            cases: all!(list_cases, newest_first()),
            orders: all!(list_orders, newest_first()),
            zones: all!(list_secure_zones, ListQuery::new(Where::All).order_by(OrderBy::asc("Id"))),
        }
    })
}

/// The first contact of the grid (past the biggest customer) for which `wanted` holds.
fn contact_where(app: &AppUnderTest, wanted: impl Fn(&OnSite) -> bool) -> (Contact, OnSite) {
    (1..40)
        .filter_map(|row| app.state().grid.peek(row).cloned())
        .map(|contact| {
            let site = on_site(app, contact.id);
            (contact, site)
        })
        .find(|(_, site)| wanted(site))
        .expect("a seeded contact like that among the first rows")
}

/// Clicks the contact's row in the grid (scrolled to it first).
fn open_in_pane(app: &mut AppUnderTest, contact: &Contact) {
    let row = (0..40).find(|row| app.state().grid.peek(*row).is_some_and(|c| c.id == contact.id)).unwrap();
    app.state_mut().grid.scroll_to = Some(row);
    app.harness.run_steps(10);
    app.harness.get_by_label_contains(&contact.email).click();
    let id = contact.id;
    app.wait_until("the pane shows the contact", |app| {
        app.state().editor.open.as_ref().is_some_and(|open| open.id == id && open.draft.is_some())
    });
}

/// Clicks the tab titled `title` once its count is in.
fn open_tab(app: &mut AppUnderTest, tab: Tab, title: &str) {
    app.wait_until("the tabs have their counts", |app| app.state().related.count(Tab::Orders).is_some());
    app.harness.get_by_role_and_label(Role::Tab, title).click();
    app.settle();
    assert_eq!(app.state().related.tab, tab);
}

/// The rows a list shows at least, in the window of the tests.
const ROWS_ON_SCREEN: usize = 5;

fn rows(app: &AppUnderTest) -> Vec<String> {
    app.harness.query_all_by_role(Role::ListBoxOption).filter_map(|node| node.accesskit_node().label()).collect()
}

#[test]
fn each_tab_lists_the_contacts_records_as_the_site_has_them() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (contact, site) = contact_where(&app, |s| {
        !s.bookings.is_empty() && !s.cases.is_empty() && !s.orders.is_empty() && !s.zones.is_empty()
    });
    open_in_pane(&mut app, &contact);

    open_tab(&mut app, Tab::Bookings, &format!("Bookings ({})", site.bookings.len()));
    app.wait_until("the bookings load", |app| app.state().related.bookings.row(0).is_some());
    let listed = rows(&app);
    assert!(listed.len() >= site.bookings.len().min(ROWS_ON_SCREEN), "a row per booking: {listed:?}");
    for (row, booking) in listed.iter().zip(&site.bookings) {
        let event = booking.event.as_ref().and_then(|e| e.name.clone()).unwrap();
        assert!(row.starts_with(&event), "{row:?} is the booking of {event}, newest first");
    }
    app.harness.get_by_role_and_label(Role::ListBoxOption, &listed[0]).click();
    app.settle();
    for field in site.bookings[0].event_booking_fields.keys() {
        app.harness.get_by_label(field);
    }
    for group in site.bookings[0].custom_crm_groups.keys() {
        app.harness.get_by_label(group);
    }

    open_tab(&mut app, Tab::Cases, &format!("Cases ({})", site.cases.len()));
    app.wait_until("the cases load", |app| app.state().related.cases.row(0).is_some());
    assert!(rows(&app).len() >= site.cases.len().min(ROWS_ON_SCREEN));
    let first = rows(&app)[0].clone();
    app.harness.get_by_role_and_label(Role::ListBoxOption, &first).click();
    app.settle();
    app.harness.get_by_label("Case fields");
    for field in site.cases[0].case_fields.keys() {
        app.harness.get_by_label(field);
    }

    open_tab(&mut app, Tab::Orders, &format!("Orders ({})", site.orders.len()));
    app.wait_until("the orders load", |app| app.state().related.orders.row(0).is_some());
    let listed = rows(&app);
    assert!(listed.len() >= site.orders.len().min(ROWS_ON_SCREEN));
    for (row, order) in listed.iter().zip(&site.orders) {
        assert!(row.starts_with(&format!("Invoice {}", order.invoice_number.as_ref().unwrap())), "{row:?}");
    }
    app.wait_until("the summary is added up", |app| {
        app.state().related.history.as_ref().is_some_and(|h| h.data().is_some())
    });
    app.harness.get_by_label("Customer summary");
    // The order's detail; `run` also fails on any control without a name.
    app.harness.get_by_role_and_label(Role::ListBoxOption, &listed[0]).click();
    app.harness.run();
    app.harness.get_by_label("Lines");

    open_tab(&mut app, Tab::SecureZones, &format!("Secure zones ({})", site.zones.len()));
    app.wait_until("the zones load", |app| app.state().related.zones.loaded.is_some());
    for zone in &site.zones {
        app.harness.get_by_label(&format!("Remove {}", zone.name));
    }
    app.harness.run();

    let everything = site.bookings.len() + site.cases.len() + site.orders.len();
    open_tab(&mut app, Tab::Activity, "Activity");
    let listed = rows(&app);
    assert!(listed.len() >= everything.min(ROWS_ON_SCREEN), "every record on the timeline: {listed:?}");
    assert_eq!(app.state().related.history.as_ref().and_then(|h| h.data()).map(|d| d.timeline.len()), Some(everything));
    // Newest first: the dates (after the last comma) never go up.
    let dates: Vec<&str> = listed.iter().map(|row| &row.rsplit(", ").next().unwrap()[..10]).collect();
    assert!(dates.windows(2).all(|pair| pair[0] >= pair[1]), "{dates:?}");
    // An entry opens its record in its tab.
    let order_title = format!("Invoice {}", site.orders[0].invoice_number.as_ref().unwrap());
    let entry = listed.iter().find(|row| row.starts_with(&order_title)).unwrap().clone();
    app.harness.get_by_role_and_label(Role::ListBoxOption, &entry).click();
    app.settle();
    assert_eq!(app.state().related.tab, Tab::Orders);
    assert_eq!(app.state().related.orders.selected_record().map(|o| o.id), Some(site.orders[0].id));
}

#[test]
fn a_contact_without_records_says_it_has_none() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (contact, _) = contact_where(&app, |s| s.bookings.is_empty() && s.cases.is_empty());
    open_in_pane(&mut app, &contact);
    open_tab(&mut app, Tab::Bookings, "Bookings (0)");
    app.wait_until("the list is read", |app| app.state().related.bookings.total() == Some(0));
    app.harness.get_by_label("This contact has no bookings.");
    open_tab(&mut app, Tab::Cases, "Cases (0)");
    app.wait_until("the list is read", |app| app.state().related.cases.total() == Some(0));
    app.harness.get_by_label("This contact has no cases.");
}

#[test]
fn a_failed_load_says_so_and_retry_loads_the_tab() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (contact, site) = contact_where(&app, |s| !s.bookings.is_empty());
    let faults = std::sync::Arc::clone(app.state().shell.site.sandbox().unwrap().faults());
    open_in_pane(&mut app, &contact);
    app.wait_until("the tabs have their counts", |app| app.state().related.count(Tab::Orders).is_some());
    faults.set_route(Route::Bookings, FaultRule { error: 1.0, ..FaultRule::default() });
    open_tab(&mut app, Tab::Bookings, &format!("Bookings ({})", site.bookings.len()));
    app.wait_until("the load fails", |app| app.state().related.bookings.error().is_some());
    let error = app.state().related.bookings.error().unwrap().to_owned();
    app.harness.get_by_label(&error);
    faults.clear();
    app.harness.get_by_label("Retry").click();
    app.wait_until("the bookings load", |app| app.state().related.bookings.row(0).is_some());
    assert!(rows(&app).len() >= site.bookings.len().min(ROWS_ON_SCREEN));
}

#[test]
fn the_biggest_customers_orders_are_paged_and_scroll_to_the_last() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let contact = app.state().grid.peek(0).cloned().unwrap();
    let site = on_site(&app, contact.id);
    assert_eq!(site.orders.len(), 2_000, "the sandbox's biggest customer is first");
    let requests = std::sync::Arc::clone(app.state().shell.site.sandbox().unwrap().requests());
    open_in_pane(&mut app, &contact);
    app.wait_until("the tabs have their counts", |app| app.state().related.count(Tab::Orders).is_some());
    requests.clear();
    open_tab(&mut app, Tab::Orders, "Orders (2,000)");
    app.wait_until("the first orders show", |app| app.state().related.orders.row(0).is_some());
    app.wait_until("the summary is added up", |app| {
        app.state().related.history.as_ref().is_some_and(|h| h.data().is_some())
    });
    let limits = |requests: &treepl_contacts::sandbox::RequestLog| -> Vec<u64> {
        let orders = requests.to(Route::Orders);
        orders.iter().map(|r| r.query_param("Limit").and_then(|l| l.parse().ok()).unwrap_or(0)).collect()
    };
    let first = limits(&requests);
    assert!(first.iter().all(|limit| (1..=500).contains(limit)), "never everything at once: {first:?}");
    let list_pages = first.iter().filter(|limit| **limit == 100).count();
    assert!((1..=2).contains(&list_pages), "the list asked only for the rows on screen: {first:?}");
    let first_row = app.harness.query_all_by_role(Role::ListBoxOption).next().unwrap().rect().center();
    requests.clear();

    app.harness.hover_at(first_row);
    app.harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Page,
        delta: egui::vec2(0.0, -10_000.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    app.wait_until("the last order shows", |app| app.state().related.orders.row(1_999).is_some());
    let last = &site.orders[1_999];
    app.harness.get_by_label_contains(&format!("Invoice {}", last.invoice_number.as_ref().unwrap()));
    let pages = limits(&requests);
    assert!(
        (1..=3).contains(&pages.len()) && pages.iter().all(|l| *l == 100),
        "only the pages at the end were read: {pages:?}"
    );
}

/// `amount` as English writes it in `code`: `EUR 1,234.50`.
fn english(amount: Decimal, code: &str) -> String {
    let text = format!("{:.2}", amount.round_dp(2));
    let (whole, cents) = text.split_once('.').unwrap();
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{code}\u{a0}{sign}{grouped}.{cents}")
}

/// German: `1.234,50 EUR`.
fn german(amount: Decimal, code: &str) -> String {
    let english = english(amount, code);
    let number = english.split('\u{a0}').nth(1).unwrap();
    let swapped: String = number
        .chars()
        .map(|c| {
            if c == ',' {
                '.'
            } else if c == '.' {
                ','
            } else {
                c
            }
        })
        .collect();
    format!("{swapped}\u{a0}{code}")
}

fn shows_money(app: &AppUnderTest, text: &str) {
    assert!(app.harness.query_all_by_label(text).count() > 0, "{text:?} is shown");
}

#[test]
fn an_order_shows_its_lines_and_payments_in_the_users_locale_for_its_currency() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    // The newest order with lines and payments, and its currency.
    let full =
        |s: &OnSite| s.orders.iter().take(3).find(|o| !o.order_lines.is_empty() && !o.payments.is_empty()).cloned();
    let currency = |s: &OnSite| full(s).and_then(|o| o.currency);
    let (first, first_site) = contact_where(&app, |s| currency(s).is_some());
    let first_currency = currency(&first_site).unwrap();
    let (second, second_site) = contact_where(&app, |s| currency(s).is_some_and(|c| c != first_currency));
    for (contact, site, locale, written) in [
        (&first, &first_site, "en-NZ", english as fn(Decimal, &str) -> String),
        (&second, &second_site, "de-DE", german),
    ] {
        app.state_mut().money = MoneyFormat::for_locale(locale);
        open_in_pane(&mut app, contact);
        open_tab(&mut app, Tab::Orders, &format!("Orders ({})", site.orders.len()));
        app.wait_until("the orders load", |app| app.state().related.orders.row(0).is_some());
        // The summary above the list arrives on its own time and moves the rows down: wait for it.
        app.wait_until("the summary is added up", |app| {
            app.state().related.history.as_ref().is_some_and(|h| h.data().is_some())
        });
        let order = &full(site).unwrap();
        let code = order.currency.as_deref().unwrap();
        let invoice = format!("Invoice {}", order.invoice_number.as_ref().unwrap());
        app.harness
            .get_by_role_and_label(
                Role::ListBoxOption,
                &rows(&app).into_iter().find(|r| r.starts_with(&invoice)).unwrap(),
            )
            .click();
        let id = order.id;
        app.wait_until("the order is picked", |app| {
            app.state().related.orders.selected_record().is_some_and(|o| o.id == id)
        });
        app.harness.get_by_label("Lines");
        app.harness.get_by_label("Payments");
        shows_money(&app, &written(order.total_cost.unwrap().0, code));
        for line in &order.order_lines {
            assert!(app.harness.query_all_by_label(line.product_name.as_deref().unwrap()).count() > 0);
            shows_money(&app, &written(line.unit_price.unwrap().0, code));
            shows_money(&app, &written(line.total_price.unwrap().0, code));
        }
        for payment in &order.payments {
            shows_money(&app, &written(payment.amount.unwrap().0, code));
        }
    }
}

fn zones_now(app: &AppUnderTest, contact: ContactId) -> Vec<SecureZone> {
    on_site(app, contact).zones
}

fn open_zones(app: &mut AppUnderTest, contact: &Contact, count: usize) {
    open_in_pane(app, contact);
    open_tab(app, Tab::SecureZones, &format!("Secure zones ({count})"));
    app.wait_until("the zones load", |app| app.state().related.zones.loaded.is_some());
}

#[test]
fn added_removed_and_redated_zones_persist_and_a_failed_save_keeps_them() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let expiring = |s: &OnSite| s.zones.iter().any(|z| z.expiry_date_time.is_some());
    let (contact, site) = contact_where(&app, |s| (2..=ZONES.len() - 2).contains(&s.zones.len()) && expiring(s));
    // Another contact's zones first: the zones seen on this site, to add from.
    let (other, other_site) = contact_where(&app, |s| s.zones.iter().any(|z| !site.zones.iter().any(|m| m.id == z.id)));
    open_zones(&mut app, &other, other_site.zones.len());
    open_zones(&mut app, &contact, site.zones.len());

    let redated = site.zones.iter().find(|z| z.expiry_date_time.is_some()).unwrap().clone();
    let removed = site.zones.iter().find(|z| z.id != redated.id).unwrap().clone();
    let added = other_site.zones.iter().find(|z| !site.zones.iter().any(|m| m.id == z.id)).unwrap().clone();
    let by_id = ZONES
        .iter()
        .find(|(id, _)| *id != added.id && !site.zones.iter().any(|m| m.id == *id))
        .map(|(id, _)| *id)
        .unwrap();

    app.harness.get_by_label(&format!("Remove {}", removed.name)).click();
    app.settle();
    app.harness.get_by_label("Add a zone").click();
    app.settle();
    app.harness.get_by_role_and_label(Role::Button, &added.name).click();
    app.settle();
    app.fill(Role::TextInput, "Zone id", &by_id.to_string());
    app.harness.get_by_label("Add by id").click();
    app.settle();
    app.harness.get_by_label_contains(&format!("Expiry of {}:", redated.name)).click();
    app.settle();
    app.harness.get_by_label(">>>").click();
    app.settle();
    app.harness.get_by_label("Save").click();
    app.settle();
    assert_eq!(app.state().related.zones.changes().len(), 4, "{:?}", app.state().related.zones.changes());
    app.harness.get_by_label("removed");
    app.harness.get_by_label("new expiry");

    // The site refuses: the changes stay, marked, with the reason.
    let faults = std::sync::Arc::clone(app.state().shell.site.sandbox().unwrap().faults());
    faults.force(Route::SetSecureZones, Forced::Error(400), 1);
    app.harness.get_by_label("Save zones").click();
    app.wait_until("the save fails", |app| app.state().related.zones.save_error.is_some());
    assert_eq!(app.state().related.zones.changes().len(), 4);
    app.harness.get_by_label_contains("The zones were not saved");
    assert_eq!(zones_now(&app, contact.id), site.zones, "nothing changed on the site");

    app.harness.get_by_label("Save zones").click();
    app.wait_until("the save is read back", |app| {
        let zones = &app.state().related.zones;
        !zones.is_saving() && zones.save_error.is_none() && !zones.is_dirty()
    });
    let now = zones_now(&app, contact.id);
    let ids: Vec<i64> = now.iter().map(|z| z.id).collect();
    assert!(!ids.contains(&removed.id) && ids.contains(&added.id) && ids.contains(&by_id), "{ids:?}");
    let new_expiry = now.iter().find(|z| z.id == redated.id).unwrap().expiry_date_time.unwrap();
    let old_expiry = redated.expiry_date_time.unwrap();
    let days = (new_expiry.0 - old_expiry.0).num_days();
    assert!((364..=367).contains(&days), "a year later: {days} days");
    assert_eq!(app.state().related.zones.loaded.as_deref(), Some(now.as_slice()), "the tab shows what was read back");
}

#[test]
fn states_read_as_words_and_cases_are_titled_by_their_subject() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let partly = |order: &treepl_contacts::api::Order| order.payment_state.as_deref() == Some("PartiallyPaid");
    let (contact, site) = contact_where(&app, |s| s.orders.iter().take(3).any(partly) && !s.cases.is_empty());
    open_in_pane(&mut app, &contact);
    open_tab(&mut app, Tab::Orders, &format!("Orders ({})", site.orders.len()));
    app.wait_until("the orders load", |app| app.state().related.orders.row(2).is_some());
    let order = site.orders.iter().take(3).find(|o| partly(o)).unwrap();
    let invoice = format!("Invoice {}", order.invoice_number.as_ref().unwrap());
    let listed = rows(&app);
    let row = listed.iter().find(|row| row.starts_with(&invoice)).unwrap();
    assert!(row.contains("Partially paid"), "{row}");
    assert!(listed.iter().all(|row| !row.contains("PartiallyPaid") && !row.contains("None")), "{listed:?}");
    app.harness.get_by_role_and_label(Role::ListBoxOption, row).click();
    app.settle();
    assert!(app.harness.query_by_label_contains("PartiallyPaid").is_none());
    assert!(app.harness.query_by_label_contains("CreditCard").is_none());

    open_tab(&mut app, Tab::Cases, &format!("Cases ({})", site.cases.len()));
    app.wait_until("the cases load", |app| app.state().related.cases.row(0).is_some());
    let subject = site.cases[0].case_fields["Subject"].as_str().unwrap().to_owned();
    assert!(rows(&app)[0].starts_with(&subject), "{:?} is titled {subject}", rows(&app)[0]);
}

#[test]
fn the_line_between_a_list_and_its_record_drags_and_every_tab_keeps_the_share() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    let (contact, site) = contact_where(&app, |s| s.orders.len() > 3 && s.bookings.len() > 3);
    open_in_pane(&mut app, &contact);
    // Where the line of the Bookings tab is before anything is dragged.
    let bookings_line = |app: &mut AppUnderTest| {
        open_tab(app, Tab::Bookings, &format!("Bookings ({})", site.bookings.len()));
        app.wait_until("the bookings load", |app| app.state().related.bookings.row(0).is_some());
        let first = rows(app)[0].clone();
        app.harness.get_by_role_and_label(Role::ListBoxOption, &first).click();
        app.settle();
        app.harness.get_by_label("Resize the list").rect().center()
    };
    let bookings_before = bookings_line(&mut app);
    open_tab(&mut app, Tab::Orders, &format!("Orders ({})", site.orders.len()));
    app.wait_until("the orders load", |app| app.state().related.orders.row(0).is_some());
    let first = rows(&app)[0].clone();
    app.harness.get_by_role_and_label(Role::ListBoxOption, &first).click();
    app.settle();
    let line = app.harness.get_by_label("Resize the list").rect().center();
    app.harness.hover_at(line);
    app.harness.run_steps(2);
    app.harness.drag_at(line);
    app.harness.run_steps(2);
    for step in 1..=8 {
        app.harness.hover_at(line + egui::vec2(0.0, 10.0 * step as f32));
        app.harness.run_steps(1);
    }
    app.harness.drop_at(line + egui::vec2(0.0, 80.0));
    app.settle();
    let moved = app.harness.get_by_label("Resize the list").rect().center();
    assert!((moved.y - line.y - 80.0).abs() < 4.0, "the line followed the pointer: {line:?} -> {moved:?}");
    // The other tabs take the same share of their room.
    let bookings_after = bookings_line(&mut app);
    assert!(bookings_after.y - bookings_before.y > 40.0, "{bookings_before:?} -> {bookings_after:?}");
    open_tab(&mut app, Tab::Orders, &format!("Orders ({})", site.orders.len()));
    let again = app.harness.get_by_label("Resize the list").rect().center();
    assert!((again.y - moved.y).abs() < 2.0, "kept: {again:?}, {moved:?}");
}
