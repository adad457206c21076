//! `civic311`: the command line over the civic311 library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use civic311::Catalog;
use civic311::open311::{Format, Payload, ServiceDefinition, ServiceList};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "civic311", version, about = "311 catalogs, answers, classification and routing", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and validate a catalog folder; print every problem, one a line.
    ///
    /// Exits 0 when the catalog is clean, 1 when it has problems. With no
    /// folder, checks the embedded Riverton catalog.
    Check {
        /// The catalog folder (holding articles/ and optionally catalog.toml).
        dir: Option<PathBuf>,
        /// Print the problems as JSON lines instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the Open311 services list, or one service's definition.
    Services {
        /// A service code: print its Open311 service definition instead of the list.
        code: Option<String>,
        /// open311-json or open311-xml.
        #[arg(long, default_value = "open311-json")]
        format: String,
        /// A catalog folder; the embedded Riverton catalog by default.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("civic311: {err}");
            ExitCode::from(2)
        }
    }
}

fn load_catalog(dir: Option<&PathBuf>) -> civic311::Result<Catalog> {
    match dir {
        Some(dir) => Catalog::load(dir),
        None => Catalog::riverton(),
    }
}

fn run(cli: Cli) -> civic311::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cli.command {
        Command::Check { dir, json } => {
            let shown =
                dir.as_ref().map(|d| d.display().to_string()).unwrap_or_else(|| "the embedded Riverton catalog".into());
            match load_catalog(dir.as_ref()) {
                Ok(catalog) => {
                    if json {
                        let _ = writeln!(
                            out,
                            "{}",
                            serde_json::json!({"ok": true, "catalog": catalog.name(), "summary": summary(&catalog)})
                        );
                    } else {
                        let _ = writeln!(out, "{shown}: ok: {}", summary(&catalog));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(err) if err.kind() == civic311::ErrorKind::Catalog => {
                    for p in err.problems() {
                        if json {
                            let _ = writeln!(
                                out,
                                "{}",
                                serde_json::json!({"file": p.file, "line": p.line, "field": p.field, "message": p.message})
                            );
                        } else {
                            let _ = writeln!(out, "{p}");
                        }
                    }
                    if !json {
                        let n = err.problems().len();
                        eprintln!("{shown}: {n} problem{}", if n == 1 { "" } else { "s" });
                    }
                    Ok(ExitCode::from(1))
                }
                Err(err) => Err(err),
            }
        }
        Command::Services { code, format, catalog } => {
            let Some(format) = Format::parse(&format) else {
                return Err(civic311::Error::new(
                    civic311::ErrorKind::Query,
                    format!("unknown format '{format}'; use open311-json or open311-xml"),
                ));
            };
            let catalog = load_catalog(catalog.as_ref())?;
            let text = match code {
                Some(code) => ServiceDefinition::from_catalog(&catalog, &code)?.write(format),
                None => ServiceList::from_catalog(&catalog).write(format),
            };
            let _ = write!(out, "{}", text.trim_end());
            let _ = writeln!(out);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn summary(c: &Catalog) -> String {
    let langs: Vec<String> =
        c.languages().iter().map(|l| format!("{} {l}", c.articles().iter().filter(|a| &a.lang == l).count())).collect();
    format!(
        "{} jurisdictions, {} departments, {} services, {} articles ({}), {} facilities, {} calendars, {} boundaries",
        c.jurisdictions().len(),
        c.departments().len(),
        c.services().len(),
        c.articles().len(),
        langs.join(", "),
        c.facilities().len(),
        c.calendars().len(),
        c.boundaries().len()
    )
}
