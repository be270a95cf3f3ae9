//! Shared by the benchmarks: a sandbox site in its own process (as a real site would be),
//! on a database kept under `target/bench-data` so that it is seeded once.

#![allow(dead_code)] // Each benchmark uses its own subset.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use secrecy::SecretString;
use treepl_contacts::api::{Client, SiteCredentials};

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
