//! The contact pane's Orders tab, headless (the real app in a bare egui context at
//! 1280x800, frames tessellated as a real frame is), against a sandbox site in its own
//! process, on its biggest customer (2,000 orders):
//! - time from opening the Orders tab until its first rows are drawn, against the one GET
//!   of the first page alone (the baseline);
//! - time until the customer summary is added up from all 2,000 orders (off the UI thread);
//! - frame CPU time scrolling the orders list with the mouse wheel (600 frames), against
//!   standing still.
//!
//! `cargo bench --bench related`

mod support;

use std::time::{Duration, Instant};

use treepl_contacts::api::{ListQuery, OrderBy, Where};
use treepl_contacts::app::related::{Related, Tab};
use treepl_contacts::sandbox::seed::BIGGEST_CUSTOMER_ORDERS;

use support::Headless;

const OPENINGS: usize = 20;

fn main() {
    println!("Machine: {}", support::machine());
    let site = support::SandboxProcess::start("related-40.db", 40, None);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let client = site.client();
    let mut app = Headless::open(&site.url, true);
    let customer = app.app.state().grid.peek(0).expect("the first contact").id;
    let orders = runtime.block_on(client.list_orders(customer, &ListQuery::new(Where::All).page(0, 1)));
    let total = orders.expect("the site answers").total_items_count;
    assert_eq!(total, Some(BIGGEST_CUSTOMER_ORDERS as u64), "the first demo contact is the biggest customer");
    app.app.state_mut().grid.click(0);
    app.until(Duration::from_secs(20), |app| {
        app.state().editor.open.as_ref().is_some_and(|o| o.id == customer && o.draft.is_some())
    });

    // Each opening starts from nothing: the tabs of the contact as a fresh pane has them.
    let mut first_rows = Vec::new();
    let mut summaries = Vec::new();
    for _ in 0..OPENINGS {
        app.app.state_mut().related = Related::default();
        app.frame(Vec::new());
        app.app.state_mut().related.tab = Tab::Orders;
        let started = Instant::now();
        app.until(Duration::from_secs(20), |app| app.state().related.orders.row(0).is_some());
        // One more frame: the one that draws the rows.
        app.frame(Vec::new());
        first_rows.push(started.elapsed());
        app.until(Duration::from_secs(60), |app| {
            app.state().related.history.as_ref().is_some_and(|h| h.data().is_some())
        });
        summaries.push(started.elapsed());
    }
    let mut gets = Vec::new();
    runtime.block_on(async {
        let query = ListQuery::new(Where::All).order_by(OrderBy::desc("CreatedDateTime")).page(0, 100);
        for _ in 0..OPENINGS {
            let started = Instant::now();
            client.list_orders(customer, &query).await.expect("the first page");
            gets.push(started.elapsed());
        }
    });

    let still = scroll(&mut app, 0.0);
    let wheel = scroll(&mut app, 100.0);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let spread = |samples: Vec<Duration>| {
        let mut sorted = samples;
        sorted.sort();
        format!(
            "p50 {:.1} ms, max {:.1} ms",
            ms(support::percentile(&sorted, 0.5)),
            ms(*sorted.last().unwrap_or(&Duration::ZERO))
        )
    };
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| Orders tab of a 2,000-order contact: first rows drawn ({OPENINGS} openings) | {} |",
        spread(first_rows)
    );
    println!("| baseline: the GET of the first page of 100 orders alone | {} |", spread(gets));
    println!("| customer summary added up from all 2,000 orders | {} |", spread(summaries));
    println!("| frame CPU time standing still on the Orders tab (600 frames) | {still} |");
    println!("| frame CPU time scrolling the orders, 100 points a frame (600 frames) | {wheel} |");
}

/// 600 frames with the wheel turning over the orders list at `speed` points a frame.
fn scroll(app: &mut Headless, speed: f32) -> String {
    let over_list = egui::pos2(support::SIZE.x - 200.0, support::SIZE.y * 0.55);
    app.frame(vec![egui::Event::PointerMoved(over_list)]);
    let mut times = Vec::with_capacity(600);
    for _ in 0..600 {
        let wheel = egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -speed),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        };
        times.push(app.frame(vec![wheel]));
        std::thread::sleep(Duration::from_millis(16));
    }
    let last = app.app.state().related.orders.visible.map_or(0, |(_, last)| last);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (down to order {last})",
        ms(support::percentile(&times, 0.5)),
        ms(support::percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    )
}
