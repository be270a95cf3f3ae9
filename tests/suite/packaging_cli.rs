//! `treepl-contacts completions SHELL` and `treepl-contacts man-pages DIR`, run as a real
//! process. The subcommands they must cover are read from the binary's own `--help` (clap's
//! help renderer, not the generators under test), at every depth.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_treepl-contacts")).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The subcommands `--help` lists under "Commands:", without clap's `help`.
fn listed_subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every subcommand path at any depth, e.g. `["export"]`, `["journal", "forget"]`.
fn every_subcommand() -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut pending: Vec<Vec<String>> = vec![Vec::new()];
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        for name in listed_subcommands(&run(&args)) {
            let mut child = path.clone();
            child.push(name);
            found.push(child.clone());
            pending.push(child);
        }
    }
    found
}

fn words(text: &str) -> std::collections::HashSet<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).collect()
}

#[test]
fn the_help_lists_the_completions_command_and_hides_the_man_pages_one() {
    let top: Vec<String> = every_subcommand().into_iter().filter(|p| p.len() == 1).map(|p| p.join(" ")).collect();
    assert!(top.contains(&"completions".to_owned()), "{top:?}");
    assert!(top.contains(&"export".to_owned()), "{top:?}");
    assert!(!top.contains(&"man-pages".to_owned()), "{top:?}");
}

#[test]
fn the_completions_of_each_shell_name_every_subcommand() {
    let subcommands = every_subcommand();
    assert!(subcommands.iter().any(|p| p.len() == 2), "a nested subcommand to check: {subcommands:?}");
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        let words = words(&script);
        for path in &subcommands {
            let name = path.last().unwrap().as_str();
            assert!(words.contains(name), "{shell} completions lack {path:?}:\n{script}");
        }
    }
}

#[test]
fn an_unknown_shell_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_treepl-contacts")).args(["completions", "tcsh"]).output().unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}

#[test]
fn the_man_pages_are_one_roff_page_per_command_and_subcommand() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("man1");
    run(&["man-pages", dir.to_str().unwrap()]);

    let expected: Vec<String> = every_subcommand()
        .into_iter()
        .map(|path| format!("treepl-contacts-{}", path.join("-")))
        .chain(["treepl-contacts".to_owned()])
        .collect();
    let mut written: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    written.sort();
    let mut pages: Vec<String> = expected.iter().map(|name| format!("{name}.1")).collect();
    pages.sort();
    assert_eq!(written, pages);

    for name in &expected {
        let page = std::fs::read_to_string(dir.join(format!("{name}.1"))).unwrap();
        // The title line is the first request after clap_mangen's apostrophe string definition.
        let first_request = page.lines().find(|line| !line.starts_with(".ie") && !line.starts_with(".el")).unwrap();
        assert!(first_request.starts_with(&format!(".TH {name} 1 ")), "{name}: {first_request}");
        let after_name = page.split_once(".SH NAME\n").map(|(_, rest)| rest).unwrap_or_default();
        // roff escapes the hyphens of the name.
        assert!(after_name.starts_with(&name.replace('-', "\\-")), "{name}: {page}");
        assert!(page.contains(".SH SYNOPSIS"), "{name}: {page}");
    }
}
