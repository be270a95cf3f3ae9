//! Shared by the benchmarks: a sandbox site in its own process (as a real site would be),
//! on a database kept under `target/bench-data` so that it is seeded once.

#![allow(dead_code)] // Each benchmark uses its own subset.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use std::sync::Arc;
use std::time::Instant;

use secrecy::SecretString;
use treepl_contacts::api::{Client, ClientOptions, SiteCredentials};
use treepl_contacts::app::AppConfig;
use treepl_contacts::app::credentials::{KeyringStore, SecretStore};
use treepl_contacts::app::profiles::{ProfileFile, SiteProfile};
use treepl_contacts::app::settings::Settings;
use treepl_contacts::ui::TreeplApp;

/// The window the headless benchmarks draw.
pub const SIZE: egui::Vec2 = egui::vec2(1280.0, 800.0);

pub struct SandboxProcess {
    child: Child,
    pub url: String,
}

impl SandboxProcess {
    /// Starts `treepl-contacts sandbox` on a free port and waits until it serves.
    pub fn start(db_name: &str, seed: u64, faults: Option<&str>) -> Self {
        let db = bench_data().join(db_name);
        let mut command = Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
        command.args(["sandbox", "--addr", "127.0.0.1:0", "--seed", &seed.to_string()]).arg("--db").arg(&db);
        if let Some(faults) = faults {
            command.args(["--faults", faults]);
        }
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("the sandbox binary runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut url = None;
        for line in lines.by_ref() {
            let line = line.expect("sandbox output");
            if let Some(found) = line.trim().strip_prefix("Site URL:") {
                url = Some(found.trim().to_owned());
                break;
            }
        }
        // Keep reading, so that the sandbox never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, url: url.expect("the sandbox printed its URL") }
    }

    pub fn client(&self) -> Client {
        let credentials = SiteCredentials::new(&self.url, "sandbox", SecretString::from("sandbox-secret"))
            .expect("valid credentials");
        Client::new(credentials).expect("a client")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn bench_data() -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&folder).expect("a bench-data folder");
    folder
}

/// Median of a set of durations.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The value at `fraction` (0..=1) of sorted samples.
pub fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{cores} cores, {cpu}")
}

/// The app in a bare egui context: what a real frame costs on the CPU, without a window.
pub struct Headless {
    pub ctx: egui::Context,
    pub app: TreeplApp,
    frame: eframe::Frame,
    started: Instant,
    _runtime: tokio::runtime::Runtime,
    _folder: tempfile::TempDir,
}

impl Headless {
    /// The app opened on the site at `url` (a saved profile, its secret in a mock keyring),
    /// with the contact pane shown or not.
    pub fn open(url: &str, pane_shown: bool) -> Self {
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
            sandbox_faults: None,
            clipboard: Arc::new(treepl_contacts::app::clipboard::MemoryClipboard::default()),
        };
        let ctx = egui::Context::default();
        let cc = eframe::CreationContext::_new_kittest(ctx.clone());
        let settings = Settings { last_profile: Some(profile.id.clone()), pane_shown, ..Settings::default() };
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
    pub fn frame(&mut self, events: Vec<egui::Event>) -> Duration {
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
    pub fn until(&mut self, limit: Duration, done: impl Fn(&TreeplApp) -> bool) -> Duration {
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
pub fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for clock_gettime to fill in.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "the thread CPU clock is readable");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}
