//! The real binary in a real window (Xvfb), killed with SIGKILL in the middle of an edit: the
//! edit is on disk, and the next start offers it back. Ignored by `cargo test` (it needs Xvfb
//! and xdotool); `.ci/run` installs them and runs it.

use crate::xvfb;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use xvfb::{Display, wait_until};

/// One real app at a time: two would race for a free display number and share the CPU
/// while each seeds its sandbox.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The app on `display` with its own home; its log goes to `log`.
fn start_app(display: &Display, home: &Path, log: &Path) -> Child {
    start_app_with(display, home, log, None)
}

/// As [`start_app`], its built-in sandbox with `faults` (the sandbox's `--faults` syntax).
fn start_app_with(display: &Display, home: &Path, log: &Path, faults: Option<&str>) -> Child {
    let runtime_dir = home.join("runtime");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    std::fs::set_permissions(&runtime_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_treepl-contacts"))
        .env("DISPLAY", display.name())
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env("RUST_LOG", "treepl_contacts=info")
        .env("TREEPL_SANDBOX_FAULTS", faults.unwrap_or_default())
        .env_remove("WAYLAND_DISPLAY")
        // The home alone says where the app keeps its files (CI sets XDG_DATA_HOME).
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_CACHE_HOME")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("the app runs")
}

fn xdotool(display: &Display, args: &[&str]) -> String {
    let output = Command::new("xdotool").args(args).env("DISPLAY", display.name()).output().expect("xdotool runs");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// The first row, then Enter: the keyboard goes to the pane's first field once it shows.
/// Keys sent while the new window is still settling may be lost: they are sent until it opens.
fn open_first_contact(display: &Display, window: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !log_says(log, "contact open in the editor") {
        assert!(Instant::now() < deadline, "no contact opened; the app's log:\n{}", app_log(log));
        xdotool(display, &["windowfocus", "--sync", window]);
        xdotool(display, &["key", "--window", window, "Down", "Return"]);
        std::thread::sleep(Duration::from_millis(1500));
    }
}

fn app_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

fn log_says(log: &Path, line: &str) -> bool {
    std::fs::read_to_string(log).is_ok_and(|text| text.contains(line))
}

fn drafts(home: &Path) -> Vec<PathBuf> {
    let folder = home.join(".local/share/treepl-contacts/drafts/sandbox");
    std::fs::read_dir(folder).map(|e| e.filter_map(Result::ok).map(|e| e.path()).collect()).unwrap_or_default()
}

#[test]
#[ignore = "needs Xvfb and xdotool; .ci/run installs them and runs it"]
fn a_kill_9_mid_edit_leaves_the_draft_and_the_next_start_offers_it() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let display = Display::start();
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("first.log");
    let mut app = start_app(&display, home.path(), &log);
    wait_until("the contacts are on screen", Duration::from_secs(90), || log_says(&log, "contacts on screen"));
    let window = xdotool(&display, &["search", "--sync", "--pid", &app.id().to_string()]);
    let window = window.lines().last().expect("the app's window").to_owned();
    xdotool(&display, &["windowfocus", "--sync", &window]);
    open_first_contact(&display, &window, &log);
    let deadline = Instant::now() + Duration::from_secs(30);
    while drafts(home.path()).is_empty() {
        assert!(Instant::now() < deadline, "no draft was written; the app's log:\n{}", app_log(&log));
        xdotool(&display, &["key", "--window", &window, "End", "x"]);
        std::thread::sleep(Duration::from_millis(1500));
    }
    app.kill().unwrap(); // SIGKILL: no chance to save or clean up.
    app.wait().unwrap();
    let kept = drafts(home.path());
    assert_eq!(kept.len(), 1, "{kept:?}");
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    assert!(text.contains("\"Email\"") && text.contains('x'), "{text}");

    let log = home.path().join("second.log");
    let mut again = start_app(&display, home.path(), &log);
    wait_until("the draft is offered", Duration::from_secs(60), || {
        log_says(&log, "unsaved changes from last time offered")
    });
    again.kill().unwrap();
    again.wait().unwrap();
}

/// (outcome, detail) of every save in the sandbox site's change journal.
fn journaled_saves(home: &Path) -> Vec<(String, Option<String>)> {
    let path = home.join(".local/share/treepl-contacts/journal/sandbox.sqlite");
    let Ok(journal) = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return Vec::new();
    };
    let Ok(mut rows) = journal.prepare("SELECT outcome, detail FROM entries WHERE operation = 'save' ORDER BY id")
    else {
        return Vec::new();
    };
    rows.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .map(|r| r.filter_map(Result::ok).collect())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs Xvfb and xdotool; .ci/run installs them and runs it"]
fn a_kill_9_while_a_save_is_on_its_way_leaves_a_journal_entry_the_next_start_settles() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let display = Display::start();
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("first.log");
    // Updates take a minute: the save is surely on its way when the app is killed.
    let mut app = start_app_with(&display, home.path(), &log, Some("update:latency=60s"));
    wait_until("the contacts are on screen", Duration::from_secs(90), || log_says(&log, "contacts on screen"));
    let window = xdotool(&display, &["search", "--sync", "--pid", &app.id().to_string()]);
    let window = window.lines().last().expect("the app's window").to_owned();
    xdotool(&display, &["windowfocus", "--sync", &window]);
    open_first_contact(&display, &window, &log);
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&display, &["key", "--window", &window, "End", "x", "ctrl+s"]);
    wait_until("the save's intent is in the journal", Duration::from_secs(30), || {
        journaled_saves(home.path()).iter().any(|(outcome, _)| outcome == "pending")
    });
    app.kill().unwrap(); // SIGKILL: the outcome is never written.
    app.wait().unwrap();
    assert_eq!(journaled_saves(home.path()).len(), 1);

    let log = home.path().join("second.log");
    let mut again = start_app(&display, home.path(), &log);
    wait_until("the next start settles it", Duration::from_secs(60), || {
        journaled_saves(home.path()).iter().all(|(outcome, _)| outcome != "pending")
    });
    let settled = journaled_saves(home.path());
    let (outcome, detail) = &settled[0];
    assert!(outcome == "done" || outcome == "failed", "{outcome}");
    assert!(detail.as_deref().is_some_and(|d| d.contains("Checked after a restart")), "{detail:?}");
    again.kill().unwrap();
    again.wait().unwrap();
}
