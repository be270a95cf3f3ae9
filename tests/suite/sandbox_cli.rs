//! `treepl-contacts sandbox`, run as a real process: what it prints.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

/// Starts the sandbox on a free port with `args` and `secret` in its environment; returns
/// what it printed up to its "ready" banner's last line.
fn banner(args: &[&str], secret: Option<&str>) -> String {
    let folder = tempfile::tempdir().unwrap();
    let db = folder.path().join("sandbox.db");
    let mut command = Command::new(env!("CARGO_BIN_EXE_treepl-contacts"));
    command
        .args(["sandbox", "--addr", "127.0.0.1:0", "--seed", "3", "--db", db.to_str().unwrap()])
        .args(args)
        .env_remove("TREEPL_SANDBOX_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(secret) = secret {
        command.env("TREEPL_SANDBOX_CLIENT_SECRET", secret);
    }
    let mut child = command.spawn().unwrap();
    let mut printed = String::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("Press Ctrl+C") {
            break;
        }
    }
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    printed
}

#[test]
fn a_secret_from_the_environment_is_never_printed() {
    let printed = banner(&[], Some("env-secret-4711"));
    assert!(printed.contains("Client Secret:"), "{printed}");
    assert!(!printed.contains("env-secret-4711"), "{printed}");
}

#[test]
fn a_secret_from_the_command_line_is_not_printed_back_and_the_demo_one_is() {
    let printed = banner(&["--client-secret", "flag-secret-815"], None);
    assert!(!printed.contains("flag-secret-815"), "{printed}");
    let printed = banner(&[], None);
    assert!(printed.contains(treepl_contacts::sandbox::DEFAULT_CLIENT_SECRET), "{printed}");
}

#[test]
fn the_page_cap_is_an_option_within_the_sandboxs_own() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_treepl-contacts")).args(["sandbox", "--max-limit", "0"]).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--max-limit"));
}
