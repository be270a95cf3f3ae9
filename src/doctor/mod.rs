//! The doctor: what a site does with each choice the vendor's reference leaves open, found
//! with read-only requests (and, when asked, with writes to one contact it makes and deletes
//! again), and the [`Dialect`] the app then speaks to it.
//!
//! Used by `treepl-contacts doctor` and by Site > Check this site…; the result is saved with
//! the site's profile.

mod reads;
mod writes;

use serde::{Deserialize, Serialize};

use crate::api::Dialect;

pub use reads::check_reads;
pub use writes::{WRITE_PROBE_DOMAIN, check_writes};

/// What a probe found about one choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The site does what the app assumed.
    Honoured,
    /// The site does otherwise, and the app adapts (the dialect records how).
    Differs,
    /// The site does otherwise in a way the app's guards refuse to act on.
    Refused,
    /// The probe could not tell (an error, or too little data on the site).
    Undecided,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Honoured => "honoured",
            Verdict::Differs => "differs (adapted)",
            Verdict::Refused => "refused by the guards",
            Verdict::Undecided => "could not decide",
        }
    }
}

/// One row of the doctor's table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// The choice probed, e.g. "Offset moves".
    pub choice: String,
    /// What was sent, shortly.
    pub sent: String,
    /// What came back, shortly.
    pub came_back: String,
    pub verdict: Verdict,
}

impl Probe {
    pub fn new(choice: &str, sent: impl Into<String>, came_back: impl Into<String>, verdict: Verdict) -> Self {
        Self { choice: choice.to_owned(), sent: sent.into(), came_back: came_back.into(), verdict }
    }
}

/// A doctor's run: its table and the dialect learned from it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCheck {
    /// When it ran (RFC 3339).
    pub checked_at: String,
    pub probes: Vec<Probe>,
    pub dialect: Dialect,
}

/// The doctor's exit status: the site works with a known dialect.
pub const EXIT_WORKS: u8 = 0;
/// The doctor's exit status: a guard would refuse what the site does.
pub const EXIT_REFUSED: u8 = 1;
/// The doctor's exit status: it could not decide.
pub const EXIT_UNDECIDED: u8 = 2;

impl SiteCheck {
    pub fn new(probes: Vec<Probe>, dialect: Dialect) -> Self {
        Self { checked_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), probes, dialect }
    }

    /// 0 when the site works with a known dialect, 1 when a guard would refuse, 2 when the
    /// doctor could not decide.
    pub fn exit_status(&self) -> u8 {
        if self.probes.iter().any(|p| p.verdict == Verdict::Refused) {
            EXIT_REFUSED
        } else if self.probes.is_empty() || self.probes.iter().any(|p| p.verdict == Verdict::Undecided) {
            EXIT_UNDECIDED
        } else {
            EXIT_WORKS
        }
    }

    /// One line for a status bar or a log.
    pub fn summary(&self) -> String {
        let count = |verdict| self.probes.iter().filter(|p| p.verdict == verdict).count();
        match self.exit_status() {
            EXIT_WORKS if count(Verdict::Differs) == 0 => "Every choice is honoured.".to_owned(),
            EXIT_WORKS => format!("The site works; the app adapts to {} differences.", count(Verdict::Differs)),
            EXIT_REFUSED => format!(
                "{} of the site's answers would be refused by the app's guards: see the table.",
                count(Verdict::Refused)
            ),
            _ => format!("{} choices could not be decided: see the table.", count(Verdict::Undecided)),
        }
    }

    /// The table as plain text, one probe a line, columns aligned.
    pub fn table(&self) -> String {
        let header = ["Choice", "Sent", "Came back", "Verdict"];
        let rows: Vec<[&str; 4]> = std::iter::once(header)
            .chain(self.probes.iter().map(|p| [p.choice.as_str(), &p.sent, &p.came_back, p.verdict.label()]))
            .collect();
        let mut widths = [0usize; 4];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in rows {
            let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:width$}")).collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(verdicts: &[Verdict]) -> SiteCheck {
        let probes = verdicts.iter().map(|v| Probe::new("c", "s", "b", *v)).collect();
        SiteCheck::new(probes, Dialect::default())
    }

    #[test]
    fn the_exit_status_is_the_worst_verdict() {
        assert_eq!(check(&[Verdict::Honoured, Verdict::Differs]).exit_status(), EXIT_WORKS);
        assert_eq!(check(&[Verdict::Honoured, Verdict::Undecided]).exit_status(), EXIT_UNDECIDED);
        assert_eq!(check(&[Verdict::Undecided, Verdict::Refused]).exit_status(), EXIT_REFUSED);
        assert_eq!(check(&[]).exit_status(), EXIT_UNDECIDED);
    }

    #[test]
    fn the_table_aligns_its_columns() {
        let mut check = check(&[Verdict::Honoured]);
        check.probes[0] = Probe::new("Offset moves", "Offset=1", "the second row first", Verdict::Honoured);
        let table = check.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].find("Sent"), lines[1].find("Offset=1"));
        assert!(lines[1].ends_with("honoured"));
    }
}
