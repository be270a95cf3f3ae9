//! Build information that only the build knows: the commit the binary is built from
//! (`TREEPL_COMMIT`), and the licences of every crate built into it (`$OUT_DIR/licences.txt`).
//!
//! It never fails the build: without git, outside a checkout, or when `cargo metadata` cannot
//! answer, it says "unknown" or that the list could not be generated.

use std::collections::{HashMap, HashSet, VecDeque};
use std::env;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Starts each crate's entry in `licences.txt`; `src/build_info.rs` splits the text on it.
const CRATE_MARK: &str = "==> ";
/// Licence files are read whole up to this size (the longest real ones are about 30 KB).
const MAX_LICENCE_FILE: u64 = 256 * 1024;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=Cargo.toml");
    // Our own licence file is listed with our own entry.
    println!("cargo:rerun-if-changed=LICENSE");

    let commit = commit(&manifest_dir).unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=TREEPL_COMMIT={commit}");

    let text = licences(&manifest_dir).unwrap_or_else(|why| {
        format!(
            "The list of the crates built into {} {} and their licences could not be generated when this copy \
             was built ({why}).\nEach crate's licence is on its page at https://crates.io.\n",
            env::var("CARGO_PKG_NAME").unwrap_or_default(),
            env::var("CARGO_PKG_VERSION").unwrap_or_default(),
        )
    });
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("licences.txt");
    if let Err(error) = std::fs::write(&out, text) {
        // `include_str!` then names the missing file: the one case that cannot go on.
        println!("cargo:warning=could not write {}: {error}", out.display());
    }
}

/// Runs git in `dir`; its trimmed output when it succeeded and said something.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// The short hash of HEAD when the package is the top of a git checkout (a source tree
/// unpacked inside some other repository is at none of our commits), and asks to run again
/// when HEAD moves.
fn commit(manifest_dir: &Path) -> Option<String> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != manifest_dir.canonicalize().ok()? {
        return None;
    }
    let hash = git(manifest_dir, &["rev-parse", "--short=12", "HEAD"])?;
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // HEAD names the branch; the branch's file (or packed-refs) holds the commit. In a
    // worktree these are in different folders, which `--git-path` knows.
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    watched.extend(git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", &name]) {
            let path = manifest_dir.join(path);
            // A path that does not exist would make the script run on every build.
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(hash)
}

/// The text of `licences.txt`: every crate in this package's normal dependency graph for the
/// target (no dev- or build-only crate), with its licence files.
fn licences(manifest_dir: &Path) -> Result<String, String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let target = env::var("TARGET").map_err(|_| "no TARGET from cargo".to_owned())?;
    // --frozen: never touch the network nor rewrite Cargo.lock from inside a build.
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--frozen", "--filter-platform", &target, "--manifest-path"])
        .arg(manifest_dir.join("Cargo.toml"))
        .output()
        .map_err(|e| format!("cargo metadata did not run: {e}"))?;
    if !output.status.success() {
        // `cargo metadata` reads every package's manifest, the tests' crates too, which a first
        // `cargo build` has not downloaded; `cargo tree` needs only what the build compiles.
        if let Some(text) = licences_from_tree(manifest_dir, &target) {
            return Ok(text);
        }
        let said = String::from_utf8_lossy(&output.stderr);
        let first = said.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("no message");
        return Err(format!("cargo metadata failed: {first}"));
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata's answer is not JSON: {e}"))?;
    let mut shipped = shipped_packages(&metadata).ok_or("cargo metadata's answer has no dependency graph")?;
    let compiled = compiled_packages(manifest_dir, &target);
    if let Some(compiled) = &compiled {
        let field = |p: &Value, key: &str| p[key].as_str().unwrap_or_default().to_owned();
        shipped.retain(|p| compiled.contains(&(field(p, "name"), field(p, "version"))));
    }
    Ok(write_licences(&shipped, &target, compiled.is_some(), true))
}

/// The list from `cargo tree` alone: each crate's name, version, licence and repository, but
/// not its licence files, whose folders only `cargo metadata` tells.
fn licences_from_tree(manifest_dir: &Path, target: &str) -> Option<String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let output = Command::new(cargo)
        .args(["tree", "--frozen", "--edges", "normal", "--prefix", "none", "--format", "{p}\t{l}\t{r}"])
        .args(["--target", target, "--manifest-path"])
        .arg(manifest_dir.join("Cargo.toml"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok().filter(|_| output.status.success())?;
    let mut seen = HashSet::new();
    let mut packages = Vec::new();
    for line in text.lines() {
        // A crate shown before ends its line with " (*)".
        let line = line.strip_suffix(" (*)").unwrap_or(line);
        let mut parts = line.split('\t');
        let mut package = parts.next()?.split_whitespace();
        let (name, version) = (package.next()?, package.next()?.strip_prefix('v')?);
        let mut next = || parts.next().map(str::trim).filter(|part| !part.is_empty());
        let (licence, repository) = (next(), next());
        if seen.insert((name.to_owned(), version.to_owned())) {
            packages.push(serde_json::json!({
                "name": name, "version": version, "license": licence, "repository": repository,
            }));
        }
    }
    // The root first, as `cargo tree` prints it, then by name and version.
    let field = |p: &Value, key: &str| p[key].as_str().unwrap_or_default().to_owned();
    packages.get_mut(1..)?.sort_by_key(|p| (field(p, "name"), field(p, "version")));
    let shipped: Vec<&Value> = packages.iter().collect();
    Some(write_licences(&shipped, target, true, false))
}

/// The name and version of every package a build of the binary compiles: `cargo tree -e normal`
/// resolves features as that build does, where `cargo metadata`'s graph also holds the
/// optional crates that only the dev-dependencies' features turn on.
fn compiled_packages(manifest_dir: &Path, target: &str) -> Option<HashSet<(String, String)>> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let output = Command::new(cargo)
        .args(["tree", "--frozen", "--edges", "normal", "--prefix", "none", "--format", "{p}", "--target", target])
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok().filter(|_| output.status.success())?;
    let packages: HashSet<_> = text
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?;
            let version = words.next()?.strip_prefix('v')?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect();
    (!packages.is_empty()).then_some(packages)
}

/// The packages reached from the root by normal dependencies only, the root first, then by
/// name and version.
fn shipped_packages(metadata: &Value) -> Option<Vec<&Value>> {
    let root = metadata["resolve"]["root"].as_str()?;
    let nodes: HashMap<&str, &Value> =
        metadata["resolve"]["nodes"].as_array()?.iter().filter_map(|n| Some((n["id"].as_str()?, n))).collect();
    let packages: HashMap<&str, &Value> =
        metadata["packages"].as_array()?.iter().filter_map(|p| Some((p["id"].as_str()?, p))).collect();
    let mut seen = HashSet::from([root]);
    let mut queue = VecDeque::from([root]);
    while let Some(id) = queue.pop_front() {
        let Some(deps) = nodes.get(id).and_then(|node| node["deps"].as_array()) else { continue };
        for dep in deps {
            // A kind of null is a normal dependency; "dev" and "build" are not shipped.
            let normal = dep["dep_kinds"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
            if let Some(pkg) = dep["pkg"].as_str().filter(|_| normal)
                && seen.insert(pkg)
            {
                queue.push_back(pkg);
            }
        }
    }
    let mut shipped: Vec<&Value> = seen.iter().filter_map(|id| packages.get(id).copied()).collect();
    let field = |p: &Value, key: &str| p[key].as_str().unwrap_or_default().to_owned();
    shipped.sort_by_key(|p| (p["id"].as_str() != Some(root), field(p, "name"), field(p, "version")));
    Some(shipped)
}

/// `with_files`: listed by `cargo metadata`, which tells where each package's licence files are.
fn write_licences(shipped: &[&Value], target: &str, features_resolved: bool, with_files: bool) -> String {
    let field = |p: &Value, key: &str| p[key].as_str().unwrap_or_default().to_owned();
    let mut text = String::new();
    let root = shipped.first().map(|p| format!("{} {}", field(p, "name"), field(p, "version"))).unwrap_or_default();
    let _ = writeln!(
        text,
        "The crates built into {root} and their licences: {} crates, listed from {} for {target} when this \
         copy was built, {}.",
        shipped.len(),
        if with_files { "`cargo metadata` and `cargo tree`" } else { "`cargo tree`" },
        if with_files {
            "each with the licence files its package holds"
        } else {
            "each with its licence and repository (the packages' licence files were not at hand)"
        }
    );
    if !features_resolved {
        let _ = writeln!(text, "(`cargo tree` did not answer: the list may hold crates that only the tests use.)");
    }
    // A text met before (most Apache-2.0 copies are the same) is named, not repeated.
    let mut texts_seen: HashMap<String, String> = HashMap::new();
    for package in shipped {
        let (name, version) = (field(package, "name"), field(package, "version"));
        let licence = package["license"].as_str().unwrap_or("not declared");
        let _ = write!(text, "\n{CRATE_MARK}{name} {version}\nLicence: {licence}\n");
        if let Some(repository) = package["repository"].as_str() {
            let _ = writeln!(text, "Repository: {repository}");
        }
        let files = licence_files(package);
        if files.is_empty() && with_files {
            let _ = writeln!(text, "(The package holds no licence file.)");
        }
        for (file_name, content) in files {
            let key = normalised(&content);
            match texts_seen.get(&key) {
                Some(first) => {
                    let _ = writeln!(text, "--- {file_name}: the same text as {first} ---");
                }
                None => {
                    let _ = writeln!(text, "--- {file_name} ---\n{}", escaped(&content));
                    texts_seen.insert(key, format!("{file_name} of {name} {version}"));
                }
            }
        }
    }
    text
}

/// The licence files beside a package's manifest (and the one its `license-file` names), by name.
fn licence_files(package: &Value) -> Vec<(String, String)> {
    let Some(folder) = package["manifest_path"].as_str().and_then(|m| Path::new(m).parent()) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().to_uppercase()).unwrap_or_default();
            ["LICENSE", "LICENCE", "COPYING", "NOTICE", "UNLICENSE", "COPYRIGHT"].iter().any(|p| name.starts_with(p))
        })
        .collect();
    if let Some(declared) = package["license_file"].as_str() {
        let declared = folder.join(declared);
        if !paths.iter().any(|p| same_file(p, &declared)) {
            paths.push(declared);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .filter(|path| path.metadata().is_ok_and(|m| m.is_file() && m.len() <= MAX_LICENCE_FILE))
        .filter_map(|path| {
            let content = String::from_utf8_lossy(&std::fs::read(&path).ok()?).into_owned();
            let shown = path.strip_prefix(folder).unwrap_or(&path).display().to_string();
            Some((shown, content))
        })
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    a.canonicalize().ok().is_some_and(|a| Some(a) == b.canonicalize().ok())
}

/// The text as compared for repeats: the same words with other line ends or trailing spaces.
fn normalised(text: &str) -> String {
    text.lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// The file's text, with a line that would read as a crate's start moved one space in.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for line in text.trim_end().lines() {
        if line.starts_with(CRATE_MARK.trim_end()) {
            out.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
