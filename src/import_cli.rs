//! `treepl-contacts import`: contacts from a CSV or Excel file, from a script. Always a dry
//! run first; `--apply` then sends its creates and updates through the change journal as one
//! batch. The dry run's table (or the apply's results) goes to stdout or `--report` as CSV.
//! The exit status is 0 only when every row ended as asked.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use tokio_util::sync::CancellationToken;

use crate::site_cli::{SiteArgs, chosen_site};
use treepl_contacts::app::journal::settle_pending;
use treepl_contacts::app::tasks::Progress;
use treepl_contacts::import::apply::apply;
use treepl_contacts::import::file::{Encoding, ReadOptions, Table, read_table};
use treepl_contacts::import::mapping::{Mapping, MatchOn, Target};
use treepl_contacts::import::plan::{ImportOptions, Mode, OutcomeKind};
use treepl_contacts::import::planner::dry_run;
use treepl_contacts::import::values::EmptyCells;

#[derive(clap::Args)]
#[command(after_help = "The client secret is read from TREEPL_CLIENT_SECRET, or with --profile from the keyring.\n\
    A mapping file is JSON, each header of the file to a field: {\"E-mail\": \"Email\", \"Level\": \
    \"CustomCrmGroups.Membership.Level\", \"Ref\": \"match key\"}; headers it does not name are ignored.\n\
    Example: treepl-contacts import --profile Shop --file contacts.csv --dry-run --report plan.csv")]
pub struct ImportArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// The CSV or XLSX file to import.
    #[arg(long)]
    file: PathBuf,
    /// `auto` (guessed from the headers) or a JSON mapping file.
    #[arg(long, default_value = "auto")]
    mapping: String,
    /// What identifies a row's contact on the site.
    #[arg(long = "match", value_enum, default_value = "email")]
    match_on: MatchArg,
    #[arg(long, value_enum, default_value = "create-and-update")]
    mode: ModeArg,
    /// What an empty cell does to a contact that exists.
    #[arg(long, value_enum, default_value = "leave")]
    empty: EmptyArg,
    /// Only show what would happen; nothing is sent.
    #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
    dry_run: bool,
    /// Send the dry run's creates and updates.
    #[arg(long)]
    apply: bool,
    /// Where the table goes as CSV (default: stdout).
    #[arg(long)]
    report: Option<PathBuf>,
    /// The CSV file's encoding, when the guess is wrong.
    #[arg(long, value_enum)]
    encoding: Option<EncodingArg>,
    /// The CSV file's field separator, when the guess is wrong (one character).
    #[arg(long)]
    delimiter: Option<char>,
    /// The sheet of an XLSX file (default: the first).
    #[arg(long)]
    sheet: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MatchArg {
    Email,
    Id,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ModeArg {
    CreateAndUpdate,
    UpdateOnly,
    CreateOnly,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EmptyArg {
    Leave,
    Clear,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum EncodingArg {
    Utf8,
    Utf16le,
    Utf16be,
    Windows1252,
}

pub fn run(args: ImportArgs, config_dir: Option<PathBuf>, data_dir: Option<PathBuf>) -> anyhow::Result<bool> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(import(args, config_dir, data_dir))
}

/// Whether every row ended as asked.
async fn import(args: ImportArgs, config_dir: Option<PathBuf>, data_dir: Option<PathBuf>) -> anyhow::Result<bool> {
    let options = ImportOptions {
        match_on: match args.match_on {
            MatchArg::Email => MatchOn::Email,
            MatchArg::Id => MatchOn::Id,
        },
        mode: match args.mode {
            ModeArg::CreateAndUpdate => Mode::CreateAndUpdate,
            ModeArg::UpdateOnly => Mode::UpdateOnly,
            ModeArg::CreateOnly => Mode::CreateOnly,
        },
        empty: match args.empty {
            EmptyArg::Leave => EmptyCells::LeaveAsIs,
            EmptyArg::Clear => EmptyCells::Clear,
        },
    };
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });

    let table = read(&args, &cancel).await?;
    let chosen = chosen_site(&args.site, config_dir).await?;
    let client = chosen.reads()?;
    let known = treepl_contacts::import::lookup::custom_fields_seen(&client).await?;
    let mapping = match args.mapping.as_str() {
        "auto" => Mapping::guess(&table.headers, &known),
        path => mapping_file(Path::new(path), &table.headers)?,
    };
    for (header, target) in table.headers.iter().zip(&mapping.columns) {
        eprintln!("  {header:>24} → {}", target.label());
    }

    let progress = Progress::default();
    let planned = dry_run(&client, &table, &mapping, &options, &known, &cancel, &progress).await?;
    let counts = planned.counts();
    let summary: Vec<String> = counts.iter().map(|(kind, count)| format!("{count} {}", kind.label())).collect();
    eprintln!("Dry run of {} rows: {}", planned.rows.len(), summary.join(", "));
    let all_planned = counts[&OutcomeKind::Error] == 0 && counts[&OutcomeKind::Ambiguous] == 0;

    if !args.apply {
        write_report(args.report.as_deref(), |out| planned.write_csv(out))?;
        return Ok(all_planned);
    }

    let writes = chosen.writes(data_dir, chosen.dialect()).await?;
    // What an earlier run left pending (it was stopped mid-way) is settled from the site
    // first, as the app does when it opens a site.
    let settled = settle_pending(&writes).await.context("settling the change journal")?;
    if settled > 0 {
        eprintln!("Settled {settled} writes an earlier run left unfinished.");
    }
    let keep: BTreeSet<u64> = planned.rows.iter().map(|row| row.line).collect();
    let file_name = args.file.file_name().map_or_else(|| "a file".into(), |n| n.to_string_lossy());
    let title = format!("Import of {} rows from {file_name}", planned.to_send());
    let report = apply(&writes, &planned, &keep, &title, None, &cancel, &progress).await;
    let tally = report.tally();
    eprintln!(
        "Applied: {} done, {} already as asked, {} failed, {} not run",
        tally.done, tally.unchanged, tally.failed, tally.not_run
    );
    write_report(args.report.as_deref(), |out| report.write_csv(out))?;
    Ok(all_planned && tally.failed == 0 && tally.not_run == 0)
}

async fn read(args: &ImportArgs, cancel: &CancellationToken) -> anyhow::Result<Table> {
    let delimiter = match args.delimiter {
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => bail!("--delimiter: `{c}` is not one ASCII character"),
        None => None,
    };
    let options = ReadOptions {
        encoding: args.encoding.map(|e| match e {
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Utf16le => Encoding::Utf16Le,
            EncodingArg::Utf16be => Encoding::Utf16Be,
            EncodingArg::Windows1252 => Encoding::Windows1252,
        }),
        delimiter,
        sheet: args.sheet.clone(),
    };
    let (path, cancel) = (args.file.clone(), cancel.clone());
    let table = tokio::task::spawn_blocking(move || read_table(&path, &options, &cancel, |_, _| {}))
        .await
        .context("reading the file")??;
    Ok(table)
}

/// A mapping file: `{"header": "Field" | "CustomCrmGroups.G.F" | "match key" | "ignore"}`.
fn mapping_file(path: &Path, headers: &[String]) -> anyhow::Result<Mapping> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the mapping {}", path.display()))?;
    let named: BTreeMap<String, String> = serde_json::from_str(&text)
        .with_context(|| format!("{}: expected a JSON object of header to field", path.display()))?;
    if let Some(unknown) = named.keys().find(|header| !headers.contains(header)) {
        bail!("the mapping names the header `{unknown}`, which the file does not have");
    }
    let columns = headers
        .iter()
        .map(|header| match named.get(header).map(|t| t.trim()) {
            None => Ok(Target::Ignore),
            Some(t) if t.eq_ignore_ascii_case("ignore") => Ok(Target::Ignore),
            Some(t) if t.eq_ignore_ascii_case("match key") => Ok(Target::MatchKey),
            Some(t) if treepl_contacts::api::fields::is_field(t) => Ok(Target::Field(t.to_owned())),
            Some(t) => bail!("the mapping sends `{header}` to `{t}`, which is not a contact field"),
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Mapping { columns })
}

fn write_report(
    to: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match to {
        None => {
            let mut stdout = std::io::stdout().lock();
            write(&mut stdout).and_then(|()| stdout.flush()).context("writing the table to stdout")
        }
        Some(path) => {
            let mut file = treepl_contacts::export::AtomicFile::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            write(file.file_mut()).and_then(|()| file.commit()).with_context(|| format!("writing {}", path.display()))
        }
    }
}
