//! The import dialog's state: the file as read, its mapping and options, the dry run made
//! for them with the rows kept, and the result table once applied.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::api::contact_fields::FIELDS;
use crate::app::tasks::TaskId;
use crate::app::typed_count::TypedCount;
use crate::import::apply::ImportReport;
use crate::import::file::{ReadOptions, Table};
use crate::import::mapping::{Mapping, MappingProblem, Target};
use crate::import::plan::{DryRun, ImportOptions, OutcomeKind};

/// From this many changes on, Apply asks for their count to be typed.
pub const TYPE_THE_COUNT_FROM: u64 = 1_000;

/// The rows shown of a file as samples of its columns.
const SAMPLE_ROWS: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStage {
    /// Waiting for the user.
    Idle,
    /// The open dialog of the desktop is asking for the file.
    ChoosingFile,
    Reading(TaskId),
    DryRunning(TaskId),
    Applying(TaskId),
    /// Asking where to save the dry run or the results.
    ChoosingSave,
}

/// Which table a save writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saving {
    DryRun,
    Results,
}

impl Saving {
    pub fn file_name(self) -> &'static str {
        match self {
            Saving::DryRun => "import-dry-run.csv",
            Saving::Results => "import-results.csv",
        }
    }
}

/// A dry run with what it was made for, and the user's choices on it.
pub struct Reviewed {
    pub mapping: Mapping,
    pub options: ImportOptions,
    pub run: Arc<DryRun>,
    /// The lines of the rows to send: every create and update at first, and never another
    /// row (only those have a Keep box), so that its size is what Apply sends.
    pub keep: BTreeSet<u64>,
    /// The outcomes the table shows.
    pub shown: BTreeSet<OutcomeKind>,
    /// The indexes into `run.rows` that `shown` lets through (kept in step by `filter`).
    pub visible: Vec<usize>,
    pub counts: BTreeMap<OutcomeKind, u64>,
}

impl Reviewed {
    pub fn new(mapping: Mapping, options: ImportOptions, run: DryRun) -> Self {
        let keep = run.rows.iter().filter(|row| row.planned.kind().sends()).map(|row| row.line).collect();
        let counts = run.counts();
        let mut reviewed = Self {
            mapping,
            options,
            run: Arc::new(run),
            keep,
            shown: OutcomeKind::ALL.into_iter().collect(),
            visible: Vec::new(),
            counts,
        };
        reviewed.filter();
        reviewed
    }

    /// Shows the rows whose outcome is in `shown`.
    pub fn filter(&mut self) {
        self.visible =
            (0..self.run.rows.len()).filter(|i| self.shown.contains(&self.run.rows[*i].planned.kind())).collect();
    }

    /// How many rows Apply sends (asked every frame: not counted over 100,000 rows).
    pub fn to_apply(&self) -> u64 {
        self.keep.len() as u64
    }
}

pub struct ImportDialog {
    /// The file, once chosen (the path box shows it until then).
    pub path: Option<PathBuf>,
    /// A path typed when there is no open dialog.
    pub typed_file: String,
    /// The desktop has no open dialog: the path box shows (with a file read too).
    pub typing_path: bool,
    /// The encoding, delimiter or sheet chosen over what the reader found.
    pub read: ReadOptions,
    pub table: Option<Arc<Table>>,
    pub mapping: Mapping,
    /// The mapping as first guessed, while the user has not changed it (it is guessed
    /// again when the site's custom fields come in later).
    pub guessed: Option<Mapping>,
    pub options: ImportOptions,
    /// The site's custom fields `(group, field)` the app knows of, offered as targets.
    pub custom: BTreeSet<(String, String)>,
    pub reviewed: Option<Reviewed>,
    /// The dry run applied and how each of its rows ended.
    pub report: Option<(Arc<DryRun>, ImportReport)>,
    pub stage: ImportStage,
    pub error: Option<String>,
    /// A path typed to save to when there is no save dialog.
    pub typed_save: Option<(Saving, String)>,
    pub saved_to: Option<PathBuf>,
    /// The count typed before a large Apply.
    pub typed_count: TypedCount,
}

impl ImportDialog {
    pub fn new(custom: BTreeSet<(String, String)>) -> Self {
        Self {
            path: None,
            typed_file: String::new(),
            typing_path: false,
            read: ReadOptions::default(),
            table: None,
            mapping: Mapping::default(),
            guessed: None,
            options: ImportOptions::default(),
            custom,
            reviewed: None,
            report: None,
            stage: ImportStage::Idle,
            error: None,
            typed_save: None,
            saved_to: None,
            typed_count: TypedCount::default(),
        }
    }

    pub fn is_busy(&self) -> bool {
        self.stage != ImportStage::Idle
    }

    pub fn is_applying(&self) -> bool {
        matches!(self.stage, ImportStage::Applying(_))
    }

    /// The running task, for its progress.
    pub fn task(&self) -> Option<TaskId> {
        match self.stage {
            ImportStage::Reading(task) | ImportStage::DryRunning(task) | ImportStage::Applying(task) => Some(task),
            _ => None,
        }
    }

    /// The file's name, for the heading and the journal.
    pub fn file_name(&self) -> String {
        let name = self.path.as_deref().and_then(|path| path.file_name());
        name.map_or_else(|| "a file".to_owned(), |name| name.to_string_lossy().into_owned())
    }

    /// What stops a dry run of the mapping as it is.
    pub fn problems(&self) -> Vec<MappingProblem> {
        match &self.table {
            Some(table) => self.mapping.problems(&table.headers, self.options.match_on),
            None => Vec::new(),
        }
    }

    /// The dry run, when it was made for the mapping and options as they are now (a
    /// changed mapping needs a new one).
    pub fn current(&self) -> Option<&Reviewed> {
        self.reviewed.as_ref().filter(|r| r.mapping == self.mapping && r.options == self.options)
    }

    pub fn current_mut(&mut self) -> Option<&mut Reviewed> {
        let (mapping, options) = (&self.mapping, &self.options);
        self.reviewed.as_mut().filter(|r| r.mapping == *mapping && r.options == *options)
    }

    /// The typed count Apply waits for, asked again when the number of changes moves.
    pub fn confirmation(&mut self) -> Option<&mut TypedCount> {
        let count = self.current()?.to_apply();
        if count < TYPE_THE_COUNT_FROM {
            return None;
        }
        if !self.typed_count.asks_for(count) {
            self.typed_count = TypedCount::of(count);
        }
        Some(&mut self.typed_count)
    }

    /// Whether Apply may go: a current dry run with something kept, and the count typed
    /// when it is large.
    pub fn may_apply(&self) -> bool {
        let Some(reviewed) = self.current().filter(|_| self.report.is_none()) else { return false };
        let count = reviewed.to_apply();
        count > 0
            && (count < TYPE_THE_COUNT_FROM || (self.typed_count.asks_for(count) && self.typed_count.is_satisfied()))
    }

    /// The first non-empty value of each column among the first rows.
    pub fn samples(&self) -> Vec<String> {
        let Some(table) = &self.table else { return Vec::new() };
        (0..table.headers.len())
            .map(|column| {
                let cell = |row: &crate::import::file::TableRow| row.cells.get(column).map(|c| c.trim().to_owned());
                table.rows.iter().take(SAMPLE_ROWS).filter_map(cell).find(|c| !c.is_empty()).unwrap_or_default()
            })
            .collect()
    }

    /// The targets a column may take: ignore, match key, every contact field (those the site
    /// sets among them, marked), the site's custom fields (and any the mapping names), and
    /// the password column that is never imported.
    pub fn targets(&self) -> Vec<Target> {
        let mut targets = vec![Target::Ignore, Target::MatchKey];
        targets.extend(FIELDS.iter().map(|spec| Target::field(spec.field)));
        targets.extend(self.custom.iter().map(|(group, field)| Target::custom(group, field)));
        for target in self.mapping.columns.iter().filter(|t| t.custom_parts().is_some()) {
            if !targets.contains(target) {
                targets.push(target.clone());
            }
        }
        targets.push(Target::Password);
        targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::file::{Source, TableRow};
    use crate::import::plan::{Planned, PlannedRow};

    fn row(line: u64, planned: Planned) -> PlannedRow {
        PlannedRow { line, key: format!("k{line}"), planned }
    }

    #[test]
    fn the_filter_and_the_kept_rows_decide_what_shows_and_what_applies() {
        let run = DryRun {
            rows: vec![
                row(2, Planned::Create { draft: Box::default(), changes: Vec::new() }),
                row(3, Planned::Unchanged { contact: 7, name: "A".into() }),
                row(4, Planned::Error("bad".into())),
                row(5, Planned::Create { draft: Box::default(), changes: Vec::new() }),
            ],
        };
        let mut reviewed = Reviewed::new(Mapping::default(), ImportOptions::default(), run);
        assert_eq!(reviewed.keep, BTreeSet::from([2, 5]));
        assert_eq!(reviewed.to_apply(), 2);
        reviewed.keep.remove(&5);
        assert_eq!(reviewed.to_apply(), 1);
        reviewed.shown = BTreeSet::from([OutcomeKind::Error, OutcomeKind::Unchanged]);
        reviewed.filter();
        assert_eq!(reviewed.visible, vec![1, 2]);
    }

    #[test]
    fn a_large_apply_waits_for_its_count_typed_and_asks_again_when_it_moves() {
        let creates = (2..1_003).map(|line| row(line, Planned::Create { draft: Box::default(), changes: Vec::new() }));
        let mut dialog = ImportDialog::new(BTreeSet::new());
        let run = DryRun { rows: creates.collect() };
        dialog.reviewed = Some(Reviewed::new(dialog.mapping.clone(), dialog.options, run));
        assert!(!dialog.may_apply());
        dialog.confirmation().expect("1,001 changes ask for their count").typed = "1,001".into();
        assert!(dialog.may_apply());
        dialog.current_mut().unwrap().keep.remove(&2);
        assert!(!dialog.may_apply(), "the count typed was for 1,001");
        dialog.confirmation().expect("1,000 changes ask too").typed = "1000".into();
        assert!(dialog.may_apply());
        dialog.current_mut().unwrap().keep.remove(&3);
        assert!(dialog.confirmation().is_none() && dialog.may_apply(), "999 changes go without");
    }

    #[test]
    fn a_changed_mapping_puts_the_dry_run_out_of_date_and_samples_skip_empty_cells() {
        let mut dialog = ImportDialog::new(BTreeSet::new());
        dialog.table = Some(Arc::new(Table {
            headers: vec!["Email".into(), "City".into()],
            rows: vec![
                TableRow { line: 2, cells: vec!["a@x.example".into(), " ".into()] },
                TableRow { line: 3, cells: vec!["b@x.example".into(), "Oslo".into()] },
            ],
            source: Source::Csv { encoding: crate::import::file::Encoding::Utf8, delimiter: b',' },
        }));
        assert_eq!(dialog.samples(), vec!["a@x.example", "Oslo"]);
        dialog.mapping = Mapping { columns: vec![Target::MatchKey, Target::Ignore] };
        dialog.reviewed = Some(Reviewed::new(dialog.mapping.clone(), dialog.options, DryRun::default()));
        assert!(dialog.current().is_some());
        dialog.mapping.columns[1] = Target::field(crate::api::contact_fields::Field::City);
        assert!(dialog.current().is_none() && !dialog.may_apply());
    }
}
