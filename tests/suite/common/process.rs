//! A sandbox site in its own process, as a real site is: a test can load it from outside,
//! kill it with SIGKILL and start it again on the same port and database, and read what it
//! wrote to stderr.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use treepl_contacts::api::{Client, ClientOptions, SiteCredentials};
use treepl_contacts::sandbox::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};

pub struct SandboxProcess {
    child: Option<Child>,
    db: PathBuf,
    port: u16,
    extra_args: Vec<String>,
    /// `RUST_LOG` for the process, when a test set one.
    log: Option<String>,
    stderr: Arc<Mutex<String>>,
}

impl SandboxProcess {
    /// `treepl-contacts sandbox` on `db` (seeded with `seed` contacts if empty) and a free
    /// port, with `extra_args` (e.g. `["--faults", "latency=20ms"]`); returns once it serves.
    pub fn start(db: &Path, seed: u64, extra_args: &[&str]) -> Self {
        Self::start_with_log(db, seed, extra_args, None)
    }

    /// As [`Self::start`], the sandbox logging what `filter` (`RUST_LOG` syntax) lets through,
    /// for a test that waits on what it logs ([`Self::wait_for_stderr`]).
    pub fn start_logging(db: &Path, seed: u64, extra_args: &[&str], filter: &str) -> Self {
        Self::start_with_log(db, seed, extra_args, Some(filter.to_owned()))
    }

    fn start_with_log(db: &Path, seed: u64, extra_args: &[&str], log: Option<String>) -> Self {
        let mut extra: Vec<String> = vec!["--seed".into(), seed.to_string()];
        extra.extend(extra_args.iter().map(|a| a.to_string()));
        let mut site = Self {
            child: None,
            db: db.to_owned(),
            port: free_port(),
            extra_args: extra,
            log,
            stderr: Arc::new(Mutex::new(String::new())),
        };
        site.spawn();
        site
    }

    fn spawn(&mut self) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
        command
            .args(["sandbox", "--addr", &format!("127.0.0.1:{}", self.port)])
            .arg("--db")
            .arg(&self.db)
            .args(&self.extra_args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(filter) = &self.log {
            command.env("RUST_LOG", filter);
        }
        let mut child = command.spawn().expect("the sandbox binary runs");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let collected = Arc::clone(&self.stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut text = collected.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines.by_ref().map_while(Result::ok).any(|line| line.trim().starts_with("Site URL:"));
        assert!(ready, "the sandbox did not start; stderr: {}", self.stderr());
        // Keep reading, so that the sandbox never writes into a closed pipe.
        std::thread::spawn(move || lines.for_each(drop));
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Path {
        &self.db
    }

    pub fn client(&self, options: ClientOptions) -> Client {
        let credentials =
            SiteCredentials::new(&self.url(), DEFAULT_CLIENT_ID, SecretString::from(DEFAULT_CLIENT_SECRET))
                .expect("valid credentials");
        Client::with_options(credentials, options).expect("a client")
    }

    /// SIGKILL, as a crash or a pulled plug would: no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and database (after [`Self::kill`]).
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + Duration::from_secs(10);
        // The old socket may linger for a moment after the kill.
        while TcpListener::bind(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "port {} stays taken", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
        self.spawn();
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// What the process wrote to stderr so far, every run of it.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until the process has written `needle` to stderr (any run of it); fails after a
    /// deadline generous enough for a loaded machine.
    pub fn wait_for_stderr(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.stderr().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "the sandbox did not log {needle:?} within 30 s; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The lines of stderr that hold `needle`, each with `context` lines either side (a
    /// 500's error id finds what the sandbox logged about it).
    pub fn stderr_around(&self, needle: &str, context: usize) -> String {
        let text = self.stderr();
        let lines: Vec<&str> = text.lines().collect();
        let mut shown = vec![false; lines.len()];
        for (i, line) in lines.iter().enumerate() {
            if line.contains(needle) {
                for flag in &mut shown[i.saturating_sub(context)..(i + context + 1).min(lines.len())] {
                    *flag = true;
                }
            }
        }
        lines.iter().zip(shown).filter(|(_, shown)| *shown).map(|(line, _)| *line).collect::<Vec<_>>().join("\n")
    }

    /// The lines of stderr at level WARN or ERROR (what the sandbox found wrong).
    pub fn stderr_problems(&self) -> String {
        let text = self.stderr();
        text.lines().filter(|l| l.contains(" WARN ") || l.contains(" ERROR ")).collect::<Vec<_>>().join("\n")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("a free port");
    listener.local_addr().expect("a bound address").port()
}
