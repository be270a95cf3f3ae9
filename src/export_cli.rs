//! `treepl-contacts export`: contacts to a file from a script, no window. The exit status
//! is 0 only when the whole file was written.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use tokio_util::sync::CancellationToken;

use crate::site_cli::{SiteArgs, chosen_site};
use treepl_contacts::api::fields::{all_fields, custom_fields_of, is_field};
use treepl_contacts::api::paging::PagingOptions;
use treepl_contacts::api::{ContactScope, ListQuery, OrderBy, ReadClient, Where};
use treepl_contacts::export::{DateFormat, Delimiter, ExportError, ExportSettings, Format, run_export};

#[derive(clap::Args)]
#[command(after_help = "The client secret is read from TREEPL_CLIENT_SECRET, or with --profile from the keyring.\n\
    Example: treepl-contacts export --site https://example.com --client-id ID --format csv --out contacts.csv \
    --where '{\"City\":{\"$eq\":\"Oslo\"}}' --order-by 'LastName' --columns FirstName,LastName,Email")]
pub struct ExportArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// csv, xlsx, json or vcf.
    #[arg(long, value_parser = Format::parse)]
    format: Format,
    /// The file to write; replaced only once the export is complete.
    #[arg(long)]
    out: PathBuf,
    /// A Where filter as JSON, e.g. '{"City":{"$eq":"Oslo"}}'.
    #[arg(long = "where")]
    filter: Option<String>,
    /// A sort: "Field" or "Field DESC".
    #[arg(long)]
    order_by: Option<String>,
    /// Fields to write, in order, e.g. FirstName,LastName,CustomCrmGroups.Membership.Level
    /// (default: every field, with the custom fields of the first contacts).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// CSV field separator.
    #[arg(long, value_enum, default_value = "comma")]
    delimiter: DelimiterArg,
    /// Start a CSV file with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    bom: bool,
    /// Write CSV cells exactly, without the apostrophe that stops formulas in spreadsheets.
    #[arg(long)]
    no_formula_guard: bool,
    /// How CSV and XLSX cells show dates.
    #[arg(long, value_enum, default_value = "iso")]
    dates: DatesArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DelimiterArg {
    Comma,
    Semicolon,
    Tab,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DatesArg {
    Iso,
    Local,
    LocalDate,
}

pub fn run(args: ExportArgs, config_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(export(args, config_dir))
}

async fn export(args: ExportArgs, config_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let filter = match &args.filter {
        Some(text) => where_arg(text)?,
        None => Where::All,
    };
    let mut query = ListQuery::new(filter);
    if let Some(text) = &args.order_by {
        query = query.order_by(OrderBy::parse(text).map_err(|e| anyhow::anyhow!("--order-by: {e}"))?);
    }
    if let Some(unknown) = args.columns.iter().find(|field| !is_field(field)) {
        bail!("--columns: `{unknown}` is not a contact field (custom fields are CustomCrmGroups.<Group>.<Field>)");
    }
    let client = chosen_site(&args.site, config_dir).await?.reads()?;

    let columns = if args.columns.is_empty() { default_columns(&client, &query).await? } else { args.columns };
    let settings = ExportSettings {
        format: args.format,
        columns,
        delimiter: match args.delimiter {
            DelimiterArg::Comma => Delimiter::Comma,
            DelimiterArg::Semicolon => Delimiter::Semicolon,
            DelimiterArg::Tab => Delimiter::Tab,
        },
        utf8_bom: args.bom,
        formula_guard: !args.no_formula_guard,
        dates: match args.dates {
            DatesArg::Iso => DateFormat::Iso8601,
            DatesArg::Local => DateFormat::LocalDateTime,
            DatesArg::LocalDate => DateFormat::LocalDate,
        },
    };

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let mut bar = ProgressLine::new();
    let scope = ContactScope::matching(query, Default::default());
    let result = run_export(
        &client,
        &scope,
        &settings,
        &args.out,
        &PagingOptions::for_site(client.dialect()),
        &cancel,
        |written, total| bar.show(written, total),
    )
    .await;
    bar.end();
    match result {
        Ok(summary) => {
            eprintln!("Exported {} contacts to {}", summary.contacts, summary.path.display());
            Ok(())
        }
        Err(ExportError::Cancelled) => bail!("interrupted; no file was written"),
        Err(error @ ExportError::Site(_)) => bail!("{error} No file was written."),
        Err(error) => Err(error.into()),
    }
}

/// `--where`: the dialect, or any other JSON object sent as it is, with a warning that the rows
/// cannot be checked against it.
fn where_arg(text: &str) -> anyhow::Result<Where> {
    match Where::parse_str(text) {
        Ok(filter) => Ok(filter),
        Err(error) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(value @ serde_json::Value::Object(_)) => {
                eprintln!(
                    "warning: --where is outside the filters this tool knows ({error}); it is sent as it is, and the \
                     exported rows cannot be checked against it"
                );
                Ok(Where::Raw(value))
            }
            _ => Err(anyhow::anyhow!("--where: {error}")),
        },
    }
}

/// Every field, with the custom fields found in the query's first contacts.
async fn default_columns(client: &ReadClient, query: &ListQuery) -> anyhow::Result<Vec<String>> {
    let first = client.list_contacts(&query.clone().page(0, 500)).await?;
    let custom: std::collections::BTreeSet<(String, String)> = first
        .items
        .iter()
        .flat_map(custom_fields_of)
        .map(|(group, field)| (group.to_owned(), field.to_owned()))
        .collect();
    Ok(all_fields(&custom))
}

/// `Exporting [#######-------------]  35%  35,000 of 100,000` on a terminal; nothing otherwise.
struct ProgressLine {
    terminal: bool,
    shown: bool,
    last: std::time::Instant,
}

impl ProgressLine {
    fn new() -> Self {
        Self { terminal: std::io::stderr().is_terminal(), shown: false, last: std::time::Instant::now() }
    }

    fn show(&mut self, written: u64, total: Option<u64>) {
        // A redraw ten times a second is plenty, and cheap next to the export.
        if !self.terminal || (self.shown && self.last.elapsed().as_millis() < 100) {
            return;
        }
        self.shown = true;
        self.last = std::time::Instant::now();
        let line = match total {
            Some(total) if total > 0 => {
                let fraction = (written as f64 / total as f64).min(1.0);
                let filled = (fraction * 30.0).round() as usize;
                format!(
                    "\rExporting [{}{}] {:>3.0}%  {written} of {total}",
                    "#".repeat(filled),
                    "-".repeat(30 - filled),
                    fraction * 100.0
                )
            }
            _ => format!("\rExporting {written} contacts"),
        };
        let mut stderr = std::io::stderr();
        let _ = stderr.write_all(line.as_bytes()).and_then(|()| stderr.flush());
    }

    fn end(&mut self) {
        if self.shown {
            eprintln!();
        }
    }
}
