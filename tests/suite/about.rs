//! What this copy is: `--version` with the commit it was built from, `licences` with every
//! crate built in, and Help > About showing both. Expected values come from git, Cargo.toml
//! and Cargo.lock, read here, not from the build script.

use crate::common;

use std::path::Path;
use std::process::Command;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;

use common::app::{AppUnderTest, TestKeyring};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The commit git says the checkout is at, or "unknown" where there is no git or no checkout.
fn expected_commit() -> String {
    let output = Command::new("git").arg("-C").arg(manifest_dir()).args(["rev-parse", "--short=12", "HEAD"]).output();
    match output {
        Ok(output) if output.status.success() => String::from_utf8(output.stdout).unwrap().trim().to_owned(),
        _ => "unknown".to_owned(),
    }
}

fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_treepl-contacts")).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The names of the dependencies in Cargo.toml's sections called `section` (with any
/// `[target.….section]`).
fn declared(section: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    let mut inside = false;
    let mut names = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == format!("[{section}]") || line.ends_with(&format!(".{section}]"));
        } else if inside && let Some((name, _)) = line.split_once('=').filter(|_| !line.starts_with('#')) {
            names.push(name.trim().to_owned());
        }
    }
    names
}

/// The versions Cargo.lock holds of the package `name`.
fn locked_versions(name: &str) -> Vec<String> {
    let lock = std::fs::read_to_string(manifest_dir().join("Cargo.lock")).unwrap();
    let mut lines = lock.lines();
    let mut versions = Vec::new();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"")
            && let Some(version) = lines.next().and_then(|v| v.strip_prefix("version = \"")?.strip_suffix('"'))
        {
            versions.push(version.to_owned());
        }
    }
    versions
}

/// Each crate `licences` lists: its name and version, and its licence line.
fn listed(licences: &str) -> Vec<(String, String, String)> {
    let mut crates = Vec::new();
    let mut lines = licences.lines();
    while let Some(line) = lines.next() {
        if let Some(entry) = line.strip_prefix("==> ") {
            let (name, version) = entry.split_once(' ').unwrap();
            let licence = lines.next().and_then(|l| l.strip_prefix("Licence: ")).unwrap_or("").to_owned();
            crates.push((name.to_owned(), version.to_owned(), licence));
        }
    }
    crates
}

#[test]
fn version_prints_the_version_and_the_commit_it_was_built_from() {
    let expected = format!("treepl-contacts {} (commit {})\n", env!("CARGO_PKG_VERSION"), expected_commit());
    assert_eq!(run(&["--version"]), expected);
}

#[test]
fn licences_lists_every_shipped_dependency_with_its_licence_and_no_test_only_crate() {
    let licences = run(&["licences"]);
    assert_eq!(licences, treepl_contacts::build_info::LICENCES, "the subcommand prints the built-in text");
    let crates = listed(&licences);
    let root = &crates[0];
    assert_eq!((root.0.as_str(), root.1.as_str()), ("treepl-contacts", env!("CARGO_PKG_VERSION")));
    // Every direct dependency, at a version Cargo.lock holds, with a licence.
    for name in declared("dependencies") {
        let versions = locked_versions(&name);
        let entry = crates.iter().find(|(n, v, _)| *n == name && versions.contains(v));
        let Some((_, _, licence)) = entry else { panic!("{name} ({versions:?}) is not listed") };
        assert!(!licence.is_empty() && licence != "not declared", "{name} has no licence");
    }
    for name in ["egui", "eframe", "rusqlite", "reqwest", "calamine"] {
        assert!(crates.iter().any(|(n, _, _)| n == name), "{name} is listed");
    }
    // What only the tests use is not shipped (tokio-rustls, also a dev-dependency, is: reqwest uses it).
    for name in ["egui_kittest", "kittest", "proptest", "ical", "jsonschema", "rcgen"] {
        assert!(crates.iter().all(|(n, _, _)| n != name), "{name} is for the tests only, yet listed");
    }
}

#[test]
fn help_about_shows_the_version_and_commit_and_searches_the_licences() {
    let mut app = AppUnderTest::start(TestKeyring::mock());
    app.harness.get_by_label("Help").click();
    app.settle();
    app.harness.get_by_label("About Treepl Contacts…").click();
    app.settle();
    app.harness.get_by_label(env!("CARGO_PKG_VERSION"));
    app.harness.get_by_label(&expected_commit());
    app.harness.get_by_label("The project's README");

    // Only the rows on screen are drawn: the first crates, not rusqlite nor zip further down.
    let row = |name: &str| format!("{name} {}", locked_versions(name)[0]);
    // A row reads "name version licence".
    let shown =
        |app: &AppUnderTest, name: &str| app.harness.query_by_label_contains(&format!("{} ", row(name))).is_some();
    assert!(shown(&app, "treepl-contacts") && !shown(&app, "rusqlite") && !shown(&app, "zip"));

    app.fill(Role::TextInput, "Search crates", "RusQLite");
    assert!(shown(&app, "rusqlite") && !shown(&app, "treepl-contacts") && !shown(&app, "zip"));
    app.harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    app.fill(Role::TextInput, "Search crates", "zip");
    assert!(shown(&app, "zip") && !shown(&app, "rusqlite"), "the search replaced, not added to");

    app.harness.get_by_label(&format!("{} MIT", row("zip"))).click();
    app.settle();
    app.harness.get_by_label_contains(&format!("{}\nLicence: MIT", row("zip")));

    app.harness.key_press(egui::Key::Escape);
    app.settle();
    assert!(app.harness.query_by_label("Search crates").is_none(), "Escape closed the dialog");
}
