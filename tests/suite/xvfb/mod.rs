//! A virtual X display (Xvfb) for the tests that need a real one, and a wait with a limit.

#![allow(dead_code)] // The suite and tests/clipboard_x11.rs each use a subset.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Display {
    number: u32,
    xvfb: Child,
}

impl Display {
    /// Xvfb on a display number it picks itself (`-displayfd`): a scan of `/tmp/.X11-unix` by
    /// the test would race with other Xvfbs and trip over the sockets a killed one left. Xvfb
    /// writes the number to the given descriptor (here its stdout) once it takes connections.
    pub fn start() -> Self {
        let mut xvfb = Command::new("Xvfb")
            .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (apt install xvfb)");
        let stdout = xvfb.stdout.take().expect("piped");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(Duration::from_secs(10)).expect("Xvfb names its display within 10 s");
        let number = line.trim().parse().unwrap_or_else(|_| panic!("Xvfb printed {line:?}, not a display number"));
        Self { number, xvfb }
    }

    pub fn name(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Display {
    /// SIGKILL leaves the socket and the lock file behind; they are removed once Xvfb is gone.
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.number));
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.number));
    }
}

pub fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
