//! The contact grid, headless (egui without a window, 1280x800, frames tessellated as a
//! real frame is), against sandbox sites in their own processes:
//! - frame CPU time while scrolling a 100k-contact query;
//! - time until rows show after a jump deep into a 1M-contact query (the grid told to show a
//!   row, the path the keyboard's moves take), and after dragging the scrollbar there with the
//!   pointer (the intermediate pages fetched and cancelled on the way);
//! - the app's memory with 1M contacts in the query against 10k.
//!
//! `cargo bench --bench grid` (the 1M database is seeded on first use: minutes, ~2 GB)

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{Headless, SIZE};

fn main() {
    match std::env::var("GRID_BENCH") {
        Ok(scenario) => {
            let url = std::env::var("GRID_BENCH_SITE").expect("GRID_BENCH_SITE");
            println!("{}", run_scenario(&scenario, &url));
        }
        Err(_) => compare(),
    }
}

/// Runs each scenario in a fresh process (so that memory figures are the scenario's own).
fn compare() {
    println!("Machine: {}", support::machine());
    let child = |scenario: &str, site: &support::SandboxProcess| -> String {
        let output = Command::new(std::env::current_exe().expect("this benchmark's path"))
            .env("GRID_BENCH", scenario)
            .env("GRID_BENCH_SITE", &site.url)
            .output()
            .expect("the scenario runs");
        assert!(output.status.success(), "{scenario}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().lines().last().unwrap_or_default().to_owned()
    };
    let site_100k = support::SandboxProcess::start("paging-100k.db", 100_000, None);
    let still = child("still", &site_100k);
    let wheel = child("wheel", &site_100k);
    let frames = child("frames", &site_100k);
    let fling = child("fling", &site_100k);
    drop(site_100k);
    let site_10k = support::SandboxProcess::start("grid-10k.db", 10_000, None);
    let memory_10k = child("memory", &site_10k);
    drop(site_10k);
    let site_1m = support::SandboxProcess::start("grid-1m.db", 1_000_000, None);
    let jump = child("jump", &site_1m);
    let drag = child("drag", &site_1m);
    let memory_1m = child("memory", &site_1m);
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| frame CPU time standing still on 100k contacts (600 frames) | {still} |");
    println!("| frame CPU time scrolling 100k contacts, 50 points a frame (600 frames) | {wheel} |");
    println!("| frame CPU time scrolling 100k contacts, 100 points a frame (600 frames) | {frames} |");
    println!("| frame CPU time flinging through 100k contacts, 400 points a frame (600 frames) | {fling} |");
    println!("| rows shown after a jump (scroll_to) in 1M contacts | {jump} |");
    println!("| rows shown after dragging the scrollbar in 1M contacts | {drag} |");
    println!("| memory after 40 jumps across 10k contacts | {memory_10k} |");
    println!("| memory after 40 jumps across 1M contacts | {memory_1m} |");
}

fn run_scenario(scenario: &str, url: &str) -> String {
    // The grid alone, as the figures before the contact pane were taken (and the
    // scrollbar at the window's right edge for the drag).
    let mut app = Headless::open(url, false);
    match scenario {
        "wheel" => frames(&mut app, 50.0),
        "frames" => frames(&mut app, 100.0),
        "fling" => frames(&mut app, 400.0),
        "still" => frames(&mut app, 0.0),
        "jump" => jumps(&mut app),
        "drag" => drags(&mut app),
        "memory" => memory(&mut app),
        other => panic!("unknown scenario {other}"),
    }
}

/// 600 frames of wheel scrolling at `speed` points a frame (~60 frames a second), with the
/// pages arriving from the site meanwhile.
fn frames(app: &mut Headless, speed: f32) -> String {
    app.frame(vec![egui::Event::PointerMoved(egui::pos2(640.0, 450.0))]);
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
    let first_visible = app.app.state().grid.visible.map_or(0, |(first, _)| first);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (scrolled to row {first_visible})",
        ms(support::percentile(&times, 0.5)),
        ms(support::percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    )
}

/// Jumps (the grid told to bring a row into view, as the keyboard's Home, End and Page keys
/// do, here to any row) and times until the target row is loaded and drawn.
fn jumps(app: &mut Headless) -> String {
    let total = app.app.state().grid.total().unwrap_or(0);
    let targets = [900_000, 450_123, 999_000, 12_345, 700_001, 900_500, 300_000];
    let mut times = Vec::new();
    for target in targets.into_iter().filter(|t| *t < total) {
        app.app.state_mut().grid.scroll_to = Some(target);
        let took = app.until(Duration::from_secs(20), |app| {
            let grid = &app.state().grid;
            grid.peek(target).is_some() && grid.visible.is_some_and(|(first, last)| (first..=last).contains(&target))
        });
        times.push((target, took));
    }
    let mut sorted: Vec<Duration> = times.iter().map(|(_, d)| *d).collect();
    sorted.sort();
    let each: Vec<String> = times.iter().map(|(t, d)| format!("{t}: {:.0} ms", d.as_secs_f64() * 1000.0)).collect();
    format!("median {:.0} ms ({})", support::percentile(&sorted, 0.5).as_secs_f64() * 1000.0, each.join(", "))
}

/// Where the grid's vertical scrollbar is: its x, and the y of two points on its track with
/// the first row shown when the track is pressed there (pressing the track moves the handle
/// under the pointer), found by pressing candidate points.
struct Scrollbar {
    x: f32,
    points: [(f32, f64); 2],
}

impl Scrollbar {
    fn find(app: &mut Headless) -> Self {
        let total = app.app.state().grid.total().unwrap_or(0) as f64;
        let mut x = SIZE.x - 1.0;
        while x > SIZE.x - 40.0 {
            // A press on the rows selects one and scrolls nothing; on the track, it jumps.
            let fraction = app.press(egui::pos2(x, 400.0)) / total;
            app.back_to_top();
            if fraction > 0.2 {
                let upper = app.press(egui::pos2(x, 300.0)) / total;
                app.back_to_top();
                let lower = app.press(egui::pos2(x, 500.0)) / total;
                app.back_to_top();
                return Self { x, points: [(300.0, upper), (500.0, lower)] };
            }
            x -= 2.0;
        }
        panic!("no scrollbar found at the right edge");
    }

    /// The y on the track that shows `fraction` of the query (a straight line through the
    /// two measured points).
    fn y_for(&self, fraction: f64) -> f32 {
        let [(y1, f1), (y2, f2)] = self.points;
        (f64::from(y1) + (fraction - f1) * f64::from(y2 - y1) / (f2 - f1)) as f32
    }
}

impl Headless {
    /// Presses and releases the primary button at `pos` (a few frames); returns the first
    /// row shown then.
    fn press(&mut self, pos: egui::Pos2) -> f64 {
        let button = |pressed| egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        self.frame(vec![egui::Event::PointerMoved(pos)]);
        self.frame(vec![button(true)]);
        self.frame(vec![button(false)]);
        self.frame(Vec::new());
        self.app.state().grid.visible.map_or(0, |(first, _)| first) as f64
    }

    fn back_to_top(&mut self) {
        self.app.state_mut().grid.scroll_to = Some(0);
        self.until(Duration::from_secs(20), |app| {
            let grid = &app.state().grid;
            grid.visible.is_some_and(|(first, _)| first == 0) && grid.peek(0).is_some()
        });
    }
}

/// Drags the scrollbar's handle from the top to 90% of the query and others, as a person
/// does: pressed, moved 30 frames at ~60 frames a second (the grid asks for the pages it
/// passes, and cancels them as it moves on), released. Times from the last move (the handle
/// where the person stops) until every row on screen is loaded and drawn.
fn drags(app: &mut Headless) -> String {
    let bar = Scrollbar::find(app);
    let mut times = Vec::new();
    let mut from = 0.0;
    for to in [0.9, 0.45, 0.999, 0.01, 0.7, 0.9005, 0.3] {
        let (start, end) = (bar.y_for(from), bar.y_for(to));
        let at = |y: f32| egui::pos2(bar.x, y);
        let button = |y, pressed| egui::Event::PointerButton {
            pos: at(y),
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        };
        app.frame(vec![egui::Event::PointerMoved(at(start))]);
        app.frame(vec![button(start, true)]);
        const STEPS: u32 = 30;
        for step in 1..STEPS {
            let y = start + (end - start) * step as f32 / STEPS as f32;
            app.frame(vec![egui::Event::PointerMoved(at(y))]);
            std::thread::sleep(Duration::from_millis(16));
        }
        let started = Instant::now();
        app.frame(vec![egui::Event::PointerMoved(at(end))]);
        app.until(Duration::from_secs(20), |app| {
            let grid = &app.state().grid;
            grid.visible.is_some_and(|(first, last)| grid.peek(first).is_some() && grid.peek(last).is_some())
        });
        let took = started.elapsed();
        app.frame(vec![button(end, false)]);
        let (first, _) = app.app.state().grid.visible.unwrap_or_default();
        times.push((first, took));
        from = to;
    }
    let mut sorted: Vec<Duration> = times.iter().map(|(_, d)| *d).collect();
    sorted.sort();
    let each: Vec<String> = times.iter().map(|(t, d)| format!("{t}: {:.0} ms", d.as_secs_f64() * 1000.0)).collect();
    format!(
        "median {:.0} ms, worst {:.0} ms after the last move ({})",
        support::percentile(&sorted, 0.5).as_secs_f64() * 1000.0,
        sorted.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        each.join(", ")
    )
}

/// 40 jumps spread over the whole query, each waiting for its rows; then the process's RSS.
fn memory(app: &mut Headless) -> String {
    let total = app.app.state().grid.total().unwrap_or(0);
    for step in 0..40u64 {
        let target = total * step / 40;
        app.app.state_mut().grid.scroll_to = Some(target);
        app.until(Duration::from_secs(20), |app| app.state().grid.peek(target).is_some());
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0);
    format!("{} MB RSS ({} contacts in the query)", rss / 1024, total)
}
