//! `civic311 report`: volumes, trends and service levels over a store.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use civic311::{Catalog, Error, ErrorKind, Result};
use civic311_store::{Bucket, ReportOptions};
use clap::Args;
use jiff::civil::Date;

use crate::requests::{StoreArg, instant, io_error};

#[derive(Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The period's first day (YYYY-MM-DD); default: 27 days before --to.
    #[arg(long)]
    from: Option<String>,
    /// The period's last day, included (YYYY-MM-DD); default: yesterday.
    #[arg(long)]
    to: Option<String>,
    /// Count by day, week (from Monday) or month.
    #[arg(long, default_value = "week")]
    by: String,
    /// The moment open, overdue and age are measured at (RFC 3339); default: now.
    #[arg(long)]
    at: Option<String>,
    /// The city's catalog folder: residents' searches are grouped by what
    /// they ask, and those nothing answers get the department that should
    /// know; with --districts, requests are counted by district too.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// The kind of the catalog's boundaries that are districts (`council_district`).
    #[arg(long, requires = "catalog")]
    districts: Option<String>,
    /// How many rising categories to list.
    #[arg(long, default_value_t = 10)]
    rising: usize,
    /// Only this department's requests (repeat for several).
    #[arg(long)]
    department: Vec<String>,
    /// json (the whole report); html (one self-contained page with charts,
    /// for a person, to read or print); or csv (one file per table, named
    /// after -o: report.csv gives report-volumes.csv, report-changes.csv, ...).
    #[arg(long, default_value = "json")]
    format: String,
    /// The HTML report's title.
    #[arg(long, default_value = "311 report")]
    title: String,
    /// The file to write; standard output for json when not given.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn date(text: &str, what: &str) -> Result<Date> {
    text.trim().parse::<Date>().map_err(|e| {
        Error::new(ErrorKind::Query, format!("--{what} '{text}' is not a date ({e}); write it as YYYY-MM-DD"))
    })
}

pub(crate) fn report(args: ReportArgs, out: &mut impl Write) -> Result<ExitCode> {
    let now = instant(args.at.as_deref())?.unwrap_or_else(jiff::Timestamp::now);
    let (default_from, to) =
        ReportOptions::four_weeks_ending(args.to.as_deref().map(|t| date(t, "to")).transpose()?, now);
    let from = args.from.as_deref().map(|f| date(f, "from")).transpose()?.unwrap_or(default_from);
    let by = Bucket::parse(&args.by).ok_or_else(|| {
        Error::new(ErrorKind::Query, format!("--by '{}' is not a period; use day, week or month", args.by))
    })?;
    let catalog = args.catalog.as_ref().map(|dir| Catalog::load(dir).map(|c| (dir, c))).transpose()?;
    let districts = match (&catalog, &args.districts) {
        (Some((dir, catalog)), Some(kind)) => Some(
            ReportOptions::districts_of(catalog, kind)
                .map_err(|e| Error::new(ErrorKind::Query, format!("{}: {}", dir.display(), e.message())))?,
        ),
        _ => None,
    };
    let engine = catalog.map(|(_, c)| civic311::Engine::build(c).map(std::sync::Arc::new)).transpose()?;
    let options =
        ReportOptions { from, to, by, now, districts, rising: args.rising, departments: args.department, engine };
    let report = args.store.open()?.report(&options)?;
    match args.format.as_str() {
        "json" | "html" => {
            let text = if args.format == "json" {
                serde_json::to_string_pretty(&report).unwrap_or_default()
            } else {
                report.to_html(&args.title)
            };
            match &args.output {
                Some(path) => std::fs::write(path, text + "\n")
                    .map_err(|e| io_error(&format!("cannot write {}", path.display()), e))?,
                None => writeln!(out, "{text}").map_err(|e| io_error("cannot write", e))?,
            }
        }
        "csv" => {
            let Some(path) = &args.output else {
                return Err(Error::new(
                    ErrorKind::Query,
                    "a CSV report is one file per table: give -o FILE.csv (FILE-volumes.csv, FILE-changes.csv, ... are written)",
                ));
            };
            for table in report.tables() {
                let file = table_path(path, table.name);
                std::fs::write(&file, table.to_csv())
                    .map_err(|e| io_error(&format!("cannot write {}", file.display()), e))?;
                writeln!(out, "{}", file.display()).map_err(|e| io_error("cannot write", e))?;
            }
        }
        other => {
            return Err(Error::new(
                ErrorKind::Query,
                format!("unknown report format '{other}'; use json, html or csv"),
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `report.csv` and `volumes` give `report-volumes.csv`, beside it.
fn table_path(path: &Path, table: &str) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("report");
    path.with_file_name(format!("{stem}-{table}.csv"))
}
