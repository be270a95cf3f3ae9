//! A virtual X display (Xvfb) for the tests that need a real one, and a wait with a limit.

#![allow(dead_code)] // Each test binary uses its own subset.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Display {
    number: u32,
    xvfb: Child,
}

impl Display {
    pub fn start() -> Self {
        let number = (140..200).find(|n| !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()).expect("a free display");
        let xvfb = Command::new("Xvfb")
            .args([
                format!(":{number}"),
                "-screen".into(),
                "0".into(),
                "1280x800x24".into(),
                "-nolisten".into(),
                "tcp".into(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (apt install xvfb)");
        wait_until("the display is up", Duration::from_secs(10), || {
            Path::new(&format!("/tmp/.X11-unix/X{number}")).exists()
        });
        Self { number, xvfb }
    }

    pub fn name(&self) -> String {
        format!(":{}", self.number)
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

pub fn wait_until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
