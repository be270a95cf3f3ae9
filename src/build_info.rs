//! What this copy of the app is: its version, the commit it was built from, the site API it
//! was written for, and the licences of the crates built into it (all from `build.rs`).

use std::sync::OnceLock;

/// The package's version, e.g. `0.1.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The short hash of the commit this copy was built from, or `unknown` when it was built
/// outside a git checkout.
pub const COMMIT: &str = env!("TREEPL_COMMIT");

/// What `--version` prints after the program's name.
pub const VERSION_LINE: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("TREEPL_COMMIT"), ")");

/// The site API the app was written for: the contract (`treepl-api.md`) describes the
/// admin API v2 (its token endpoint is v1) as the vendor's reference v7.10.7 shows it.
pub const API_VERSION: &str = "Treepl admin API v2 (vendor reference v7.10.7)";

/// Where the project's README is read.
pub const README_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "#readme");

/// Every crate built into the binary with its licence and the text of its licence files, as
/// `treepl-contacts licences` prints it and the packages install it.
pub const LICENCES: &str = include_str!(concat!(env!("OUT_DIR"), "/licences.txt"));

/// Starts each crate's entry in [`LICENCES`], at the start of a line (`build.rs` moves a
/// licence text's line that starts so one space in).
const CRATE_MARK: &str = "\n==> ";

/// One crate built into the binary, as [`LICENCES`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippedCrate {
    pub name: &'static str,
    pub version: &'static str,
    /// The licence expression it declares, e.g. `MIT OR Apache-2.0`.
    pub licence: &'static str,
    /// Its entry whole: the lines above and the text of its licence files.
    pub text: &'static str,
}

/// The crates of [`LICENCES`], read from it once, on first use. Empty when the build could
/// not list them (then [`LICENCES`] says why).
pub fn shipped_crates() -> &'static [ShippedCrate] {
    static CRATES: OnceLock<Vec<ShippedCrate>> = OnceLock::new();
    CRATES.get_or_init(|| parse_licences(LICENCES))
}

fn parse_licences(text: &'static str) -> Vec<ShippedCrate> {
    let mut crates = Vec::new();
    // Entries start at a line beginning with the mark; the text before the first is the heading.
    for entry in text.split(CRATE_MARK).skip(1) {
        let entry = entry.trim_end_matches('\n');
        let mut lines = entry.lines();
        let Some((name, version)) = lines.next().and_then(|first| first.split_once(' ')) else { continue };
        let licence = lines.next().and_then(|line| line.strip_prefix("Licence: ")).unwrap_or("not declared");
        crates.push(ShippedCrate { name, version, licence, text: entry });
    }
    crates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_split_at_the_mark_and_keep_a_moved_in_line_of_a_licence_text() {
        let text = "heading\n\n==> anyhow 1.0.0\nLicence: MIT OR Apache-2.0\n--- LICENSE ---\n ==> not a crate\n\n\
                    ==> zip 9.8.2\nLicence: MIT\n(The package holds no licence file.)\n";
        let crates = parse_licences(text);
        let names: Vec<_> = crates.iter().map(|c| (c.name, c.version, c.licence)).collect();
        assert_eq!(names, [("anyhow", "1.0.0", "MIT OR Apache-2.0"), ("zip", "9.8.2", "MIT")]);
        assert!(crates[0].text.ends_with(" ==> not a crate"));
    }

    #[test]
    fn the_api_version_is_the_one_the_client_calls() {
        assert!(crate::api::assumed::CONTACTS_PATH.contains("/v2/") && API_VERSION.contains("API v2"));
    }
}
