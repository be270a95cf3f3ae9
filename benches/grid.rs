//! The contact grid, headless (egui without a window, 1280x800, frames tessellated as a
//! real frame is), against sandbox sites in their own processes:
//! - frame CPU time while scrolling a 100k-contact query;
//! - time until rows show after jumping deep into a 1M-contact query;
//! - the app's memory with 1M contacts in the query against 10k.
//!
//! `cargo bench --bench grid` (the 1M database is seeded on first use: minutes, ~2 GB)

mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::SecretString;
use treepl_contacts::api::ClientOptions;
use treepl_contacts::app::AppConfig;
use treepl_contacts::app::credentials::{KeyringStore, SecretStore};
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::app::settings::Settings;
use treepl_contacts::ui::TreeplApp;

const SIZE: egui::Vec2 = egui::vec2(1280.0, 800.0);

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
    let memory_1m = child("memory", &site_1m);
    println!();
    println!("| measurement | result |");
    println!("|---|---|");
    println!("| frame CPU time standing still on 100k contacts (600 frames) | {still} |");
    println!("| frame CPU time scrolling 100k contacts, 50 points a frame (600 frames) | {wheel} |");
    println!("| frame CPU time scrolling 100k contacts, 100 points a frame (600 frames) | {frames} |");
    println!("| frame CPU time flinging through 100k contacts, 400 points a frame (600 frames) | {fling} |");
    println!("| rows shown after a jump in 1M contacts | {jump} |");
    println!("| memory after 40 jumps across 10k contacts | {memory_10k} |");
    println!("| memory after 40 jumps across 1M contacts | {memory_1m} |");
}

/// The app in a bare egui context: what a real frame costs on the CPU, without a window.
struct Headless {
    ctx: egui::Context,
    app: TreeplApp,
    frame: eframe::Frame,
    started: Instant,
    _runtime: tokio::runtime::Runtime,
    _folder: tempfile::TempDir,
}

impl Headless {
    /// The app opened on the site at `url` (a saved profile, its secret in a mock keyring).
    fn open(url: &str) -> Self {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let folder = tempfile::tempdir().expect("a folder");
        let profile = SiteProfile::new("Bench site", url, "sandbox");
        ProfileFile::in_folder(folder.path()).save(std::slice::from_ref(&profile)).expect("profiles saved");
        let keyring = KeyringStore::mock();
        keyring.set(&profile.id, &SecretString::from("sandbox-secret")).expect("secret stored");
        let config = AppConfig {
            config_dir: folder.path().to_owned(),
            data_dir: folder.path().join("data"),
            keyring: Arc::new(keyring),
            sandbox_seed: 0,
            client_options: ClientOptions::default(),
            file_chooser: Arc::new(treepl_contacts::app::export::NativeFileChooser),
        };
        let ctx = egui::Context::default();
        let cc = eframe::CreationContext::_new_kittest(ctx.clone());
        let settings = Settings { last_profile: Some(profile.id.clone()), ..Settings::default() };
        let app = TreeplApp::with_settings(&cc, config, runtime.handle().clone(), settings);
        let mut headless = Self {
            ctx,
            app,
            frame: eframe::Frame::_new_kittest(),
            started: Instant::now(),
            _runtime: runtime,
            _folder: folder,
        };
        headless.until(Duration::from_secs(60), |app| app.state().grid.peek(0).is_some());
        headless
    }

    /// One frame with these input events; returns the CPU time this thread spent on it (UI
    /// and tessellation; time the thread waited for a core while the site and the network
    /// threads ran does not count).
    fn frame(&mut self, events: Vec<egui::Event>) -> Duration {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, SIZE)),
            time: Some(self.started.elapsed().as_secs_f64()),
            events,
            ..egui::RawInput::default()
        };
        let started = thread_cpu_time();
        let (app, frame) = (&mut self.app, &mut self.frame);
        let output = self.ctx.run_ui(input, |ui| eframe::App::ui(app, ui, frame));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        std::hint::black_box(primitives);
        thread_cpu_time().saturating_sub(started)
    }

    /// Runs frames (a millisecond apart) until `done`; returns how long it took.
    fn until(&mut self, limit: Duration, done: impl Fn(&TreeplApp) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            self.frame(Vec::new());
            if done(&self.app) {
                return started.elapsed();
            }
            assert!(started.elapsed() < limit, "timed out");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// CPU time of the calling thread.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for clock_gettime to fill in.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread CPU clock is readable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

fn run_scenario(scenario: &str, url: &str) -> String {
    let mut app = Headless::open(url);
    match scenario {
        "wheel" => frames(&mut app, 50.0),
        "frames" => frames(&mut app, 100.0),
        "fling" => frames(&mut app, 400.0),
        "still" => frames(&mut app, 0.0),
        "jump" => jumps(&mut app),
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

/// Jumps (as the keyboard's End or a scrollbar drag does) and times until the target row is
/// loaded and drawn.
fn jumps(app: &mut Headless) -> String {
    let total = app.app.state().grid.total.unwrap_or(0);
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

/// 40 jumps spread over the whole query, each waiting for its rows; then the process's RSS.
fn memory(app: &mut Headless) -> String {
    let total = app.app.state().grid.total.unwrap_or(0);
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
