//! `civic311`: the command line over the civic311 library and its request store.

mod inquiries;
mod report;
mod requests;
mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use std::io::BufRead;

use civic311::open311::{Format, Payload, ServiceDefinition, ServiceList};
use civic311::{AnswerKind, Catalog, Engine, SearchOptions};
use clap::{Args, Parser, Subcommand};

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
    /// Answer a resident's question from the catalog's articles, services and facilities.
    ///
    /// With no question, reads one question a line from standard input and
    /// prints one JSON line of answers per question (for batch evaluation).
    Ask {
        /// The question, as a resident would type it.
        question: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// How many answers at most.
        #[arg(long, default_value_t = 5)]
        limit: usize,
        /// Only articles in this language (en, es); the question is read in it too.
        #[arg(long)]
        lang: Option<String>,
        /// Only answers of these kinds: article, service, facility (repeat or comma-separate).
        #[arg(long, value_delimiter = ',')]
        kind: Vec<String>,
        /// Only answers of this department.
        #[arg(long)]
        department: Option<String>,
        /// The instant "open now" is computed at (RFC 3339), instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Answer only when confident; otherwise name the department to ask,
        /// why, and by when it should reply (docs/answer.md).
        #[arg(long)]
        escalate: bool,
        /// With --escalate: the confidence (0 to 1) under which the question is escalated.
        #[arg(long, default_value_t = civic311::answer::DEFAULT_MIN_CONFIDENCE, requires = "escalate")]
        min_confidence: f32,
        /// With --escalate: keep each escalated question as an inquiry in
        /// this store (sqlite:PATH or postgres://...), in its department's queue.
        #[arg(long, requires = "escalate")]
        store: Option<String>,
        #[command(flatten)]
        source: Source,
    },
    /// Complete what a resident has typed so far (search-as-you-type).
    Suggest {
        /// The text typed so far.
        prefix: String,
        #[arg(long, default_value_t = 5)]
        limit: usize,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        source: Source,
    },
    /// Classify complaints: one text a line on standard input, one JSON line
    /// (or text line) of categories with probabilities out.
    Classify {
        #[arg(long)]
        json: bool,
        /// How many categories per text.
        #[arg(long, default_value_t = 3)]
        top: usize,
        /// A model made by `civic311 train` (default: the catalog's zero-shot model).
        #[arg(long)]
        model: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Train a classifier on labelled history (JSON lines) and save it.
    Train {
        /// A JSON-lines file, one labelled row an object.
        #[arg(long)]
        input: PathBuf,
        /// The field holding the text.
        #[arg(long, default_value = "text")]
        text: String,
        /// The field holding the label.
        #[arg(long, default_value = "label")]
        label: String,
        /// Only rows whose FIELD equals VALUE, such as split=train.
        #[arg(long, value_name = "FIELD=VALUE")]
        r#where: Option<String>,
        /// The seed of the shuffles (the same rows and seed give the same model).
        #[arg(long, default_value_t = 311)]
        seed: u64,
        /// The model file to write (replaced atomically).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Say whether a text is an emergency for 911, a report or a question.
    Triage {
        text: String,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        source: Source,
    },
    /// Route Open311 requests: read one request as JSON on standard input
    /// (or one a line) and print who delivers it, how urgently, by when and
    /// why. Exits 1 when any request was refused (invalid, or nowhere to go).
    Route {
        /// Print one JSON line a request (a routing, or the Open311 errors).
        #[arg(long)]
        json: bool,
        /// The time of requests without a requested_datetime (RFC 3339), instead of now.
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        source: Source,
    },
    /// Build the engine of a catalog folder and save it as one bundle file.
    Bundle {
        /// The catalog folder.
        dir: PathBuf,
        /// The bundle file to write (replaced atomically).
        #[arg(short, long)]
        output: PathBuf,
        /// A sentence encoder's folder: the bundle carries the answers'
        /// vectors (one byte a dimension), so that engines loading it with
        /// the same encoder search hybrid without encoding them again.
        #[arg(long)]
        encoder: Option<PathBuf>,
    },
    /// Validate, route and store Open311 POST requests (JSON, one a line on
    /// standard input); one JSON line out for each: its id, department,
    /// deadline and likely duplicates, or `{"errors": [...]}`. Exits 1 when
    /// any request was refused.
    Submit(requests::SubmitArgs),
    /// Print one stored request with its history.
    Request(requests::RequestArgs),
    /// List stored requests by the Open311 filters, as Open311 JSON or XML, or CSV.
    Requests(requests::RequestsArgs),
    /// Change a stored request: its status (as its lifecycle allows), its
    /// department, or add a note.
    Update(requests::UpdateArgs),
    /// Import request histories: city CSV exports through a column mapping,
    /// or Open311 GET payloads. Refused rows go to standard error with their
    /// line; exits 1 when there was any.
    Import(requests::ImportArgs),
    /// Record the escalations and service-level breaches that have fallen due
    /// (the monitor; run it every few minutes).
    Sweep(requests::SweepArgs),
    /// Report over the stored requests: volumes by category, department,
    /// jurisdiction, district, channel and reporter per day, week or month
    /// against the period before, the categories rising beyond chance, and
    /// service levels (within SLA, overdue, time to acknowledge and close,
    /// the backlog by age, reopened, referred, duplicates), as JSON or CSV.
    Report(report::ReportArgs),
    /// List escalated questions (inquiries): a department's queue, oldest first.
    Inquiries(inquiries::InquiriesArgs),
    /// Print one inquiry with its history; with --reply (which closes it),
    /// --note or --transfer, change it first.
    Inquiry(inquiries::InquiryArgs),
    /// Turn a department's reply to an inquiry into a draft article in
    /// catalog format (printed, written to a file, or added to a catalog).
    DraftArticle(inquiries::DraftArgs),
    /// Serve Open311 GeoReport v2 over the store, and the search widget's
    /// JSON API, until SIGTERM; SIGHUP reloads the catalog or bundle.
    Serve(serve::ServeArgs),
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

/// Where the engine comes from: a catalog folder, a bundle, or the embedded Riverton catalog.
#[derive(Args, Clone)]
pub(crate) struct Source {
    /// A catalog folder (any folder holding articles/ will do).
    #[arg(long, conflicts_with = "bundle")]
    catalog: Option<PathBuf>,
    /// A bundle file made by `civic311 bundle`.
    #[arg(long)]
    bundle: Option<PathBuf>,
    /// A sentence encoder's folder (`scripts/fetch-encoder.sh DIR` makes
    /// one): searches rank by meaning as well as words.
    #[arg(long)]
    encoder: Option<PathBuf>,
}

impl Source {
    pub(crate) fn engine(&self) -> civic311::Result<Engine> {
        let engine = match (&self.catalog, &self.bundle) {
            (_, Some(bundle)) => Engine::load_bundle(bundle)?,
            (Some(dir), None) => Engine::build(Catalog::load(dir)?)?,
            (None, None) => Engine::build(Catalog::riverton()?)?,
        };
        Ok(match &self.encoder {
            Some(dir) => engine.with_encoder(load_encoder(dir)?),
            None => engine,
        })
    }
}

/// The encoder of a folder, loaded once per process (the server's reloads
/// reuse it).
fn load_encoder(dir: &std::path::Path) -> civic311::Result<std::sync::Arc<civic311::Encoder>> {
    static LOADED: std::sync::Mutex<Vec<(PathBuf, std::sync::Arc<civic311::Encoder>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, e)) = loaded.iter().find(|(d, _)| d == dir) {
        return Ok(e.clone());
    }
    let encoder = std::sync::Arc::new(civic311::Encoder::load(dir)?);
    loaded.push((dir.to_path_buf(), encoder.clone()));
    Ok(encoder)
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
        Command::Ask { question, json, limit, lang, kind, department, at, escalate, min_confidence, store, source } => {
            let mut kinds = Vec::new();
            for k in &kind {
                kinds.push(AnswerKind::parse(k).ok_or_else(|| {
                    civic311::Error::new(
                        civic311::ErrorKind::Query,
                        format!("unknown kind '{k}'; use article, service or facility"),
                    )
                })?);
            }
            let now = match at {
                Some(at) => Some(civic311::DateTime::parse(&at)?.timestamp()),
                None => None,
            };
            if escalate {
                if !kinds.is_empty() || department.is_some() {
                    return Err(civic311::Error::new(
                        civic311::ErrorKind::Query,
                        "--kind and --department narrow a search; --escalate weighs every answer, so drop them",
                    ));
                }
                let engine = source.engine()?;
                let options = civic311::AnswerOptions { limit, lang, min_confidence, now };
                let questions: Vec<String> = match question {
                    Some(q) => vec![q],
                    None => std::io::stdin().lock().lines().collect::<std::io::Result<_>>().map_err(|e| {
                        civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read standard input: {e}"))
                    })?,
                };
                let batch = questions.len() != 1;
                let store = store.as_deref().map(civic311_store::Store::open).transpose()?;
                for q in questions {
                    let reply = engine.answer(&q, &options)?;
                    let inquiry = match (&store, &reply.escalation) {
                        (Some(store), Some(_)) => {
                            let asked =
                                civic311_store::Asked { channel: Some("phone".into()), at: now, ..Default::default() };
                            Some(store.escalate(&engine, &q, &reply, &asked)?)
                        }
                        _ => None,
                    };
                    if json || batch {
                        let mut v = serde_json::to_value(&reply).unwrap_or_default();
                        v["query"] = serde_json::Value::String(q);
                        v["inquiry"] = inquiry.as_ref().map(|i| serde_json::json!(i.id)).unwrap_or_default();
                        let _ = writeln!(out, "{v}");
                    } else {
                        print_reply(&mut out, &reply);
                        if let Some(i) = &inquiry {
                            let _ = writeln!(
                                out,
                                "Kept as inquiry {} in the queue of {}.",
                                i.id,
                                i.department.as_deref().unwrap_or("no department (a call-taker assigns one)")
                            );
                        }
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let options = SearchOptions { limit, lang, kinds, department, now };
            let engine = source.engine()?;
            match question {
                Some(q) => {
                    let answers = engine.search(&q, &options)?;
                    if json {
                        let _ = writeln!(out, "{}", serde_json::json!({"query": q, "answers": answers}));
                    } else {
                        print_answers(&mut out, &answers);
                    }
                }
                None => {
                    // One question a line in, one JSON line out, in order.
                    for line in std::io::stdin().lock().lines() {
                        let q = line.map_err(|e| {
                            civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read standard input: {e}"))
                        })?;
                        let answers = engine.search(&q, &options)?;
                        let _ = writeln!(out, "{}", serde_json::json!({"query": q, "answers": answers}));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest { prefix, limit, json, source } => {
            let engine = source.engine()?;
            let completions = engine.suggest(&prefix, limit);
            if json {
                let _ = writeln!(out, "{}", serde_json::json!({"prefix": prefix, "completions": completions}));
            } else {
                for c in completions {
                    let _ = writeln!(out, "{}  ({} {})", c.text, c.kind.as_str(), c.id);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Classify { json, top, model, source } => {
            let mut engine = source.engine()?;
            if let Some(path) = model {
                engine.set_classifier(civic311::classify::Classifier::load(path)?);
            }
            for line in std::io::stdin().lock().lines() {
                let text = line.map_err(|e| {
                    civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read standard input: {e}"))
                })?;
                let suggestions = engine.classify(&text, top)?;
                if json {
                    let _ = writeln!(out, "{}", serde_json::json!({"text": text, "suggestions": suggestions}));
                } else {
                    let parts: Vec<String> =
                        suggestions.iter().map(|s| format!("{} ({:.2})", s.service_code, s.score)).collect();
                    let _ = writeln!(out, "{}", parts.join("  "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Train { input, text, label, r#where, seed, output } => {
            let io = |e: std::io::Error| {
                civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read '{}': {e}", input.display()))
            };
            let file = std::fs::File::open(&input).map_err(io)?;
            let filter = match &r#where {
                None => None,
                Some(w) => Some(w.split_once('=').ok_or_else(|| {
                    civic311::Error::new(
                        civic311::ErrorKind::Query,
                        format!("--where '{w}' is not FIELD=VALUE, such as split=train"),
                    )
                })?),
            };
            let mut rows: Vec<(String, String)> = Vec::new();
            for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
                let line = line.map_err(io)?;
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                    civic311::Error::new(
                        civic311::ErrorKind::Format,
                        format!("{}:{}: not a JSON object: {e}", input.display(), n + 1),
                    )
                })?;
                if let Some((field, value)) = filter
                    && v.get(field).and_then(|x| x.as_str()) != Some(value)
                {
                    continue;
                }
                let get = |field: &str| {
                    v.get(field).and_then(|x| x.as_str()).map(str::to_string).ok_or_else(|| {
                        civic311::Error::new(
                            civic311::ErrorKind::Format,
                            format!(
                                "{}:{}: no text field '{field}'; name it with --text or --label",
                                input.display(),
                                n + 1
                            ),
                        )
                    })
                };
                rows.push((get(&text)?, get(&label)?));
            }
            let options = civic311::classify::TrainOptions { seed, ..Default::default() };
            let model =
                civic311::classify::Classifier::train(rows.iter().map(|(t, l)| (t.as_str(), l.as_str())), &options)?;
            model.save(&output)?;
            let _ = writeln!(
                out,
                "{}: {} rows, {} labels, temperature {:.2}",
                output.display(),
                rows.len(),
                model.labels().len(),
                model.temperature()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Triage { text, json, source } => {
            let triage = source.engine()?.triage(&text)?;
            if json {
                let _ = writeln!(out, "{}", serde_json::to_string(&triage).unwrap_or_default());
            } else {
                let flag = if triage.possible_emergency { " (possible emergency: ask first)" } else { "" };
                let _ = writeln!(out, "{}{flag}", triage.kind.as_str());
                if !triage.reasons.is_empty() {
                    let _ = writeln!(out, "why: {}", triage.reasons.join(", "));
                }
                if let Some(advice) = &triage.advice {
                    let _ = writeln!(out, "{advice}");
                }
                for s in &triage.suggestions {
                    let _ = writeln!(
                        out,
                        "  {} ({:.2}) {}",
                        s.service_code,
                        s.score,
                        s.service_name.as_deref().unwrap_or("")
                    );
                }
                for a in &triage.answers {
                    let _ = writeln!(out, "  answer: {} [{} {}]", a.title, a.kind.as_str(), a.id);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Route { json, at, source } => {
            let now = match at {
                Some(at) => civic311::DateTime::parse(&at)?.timestamp(),
                None => jiff::Timestamp::now(),
            };
            let engine = source.engine()?;
            let mut input = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut input).map_err(|e| {
                civic311::Error::new(civic311::ErrorKind::Io, format!("cannot read standard input: {e}"))
            })?;
            // One JSON document (pretty-printed or not), else one a line.
            let requests: Vec<&str> = match serde_json::from_str::<serde_json::Value>(&input) {
                Ok(_) => vec![input.as_str()],
                Err(_) => input.lines().filter(|l| !l.trim().is_empty()).collect(),
            };
            let mut refused = false;
            for text in requests {
                let routed = civic311::open311::NewRequest::from_json(text).and_then(|r| engine.route(&r, now));
                match routed {
                    Ok(routing) if json => {
                        let _ = writeln!(out, "{}", serde_json::to_string(&routing).unwrap_or_default());
                    }
                    Ok(r) => {
                        let department = r.department.as_deref().unwrap_or("-");
                        let due = r.expected_datetime.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
                        let _ = writeln!(
                            out,
                            "{} -> {} / {}, {} priority, due {due} (rule {})",
                            r.service_code,
                            r.jurisdiction,
                            department,
                            r.priority.as_str(),
                            r.rule
                        );
                        if let Some(referral) = &r.referral {
                            let _ = writeln!(out, "  referral: {}", referral.message);
                        }
                        if let Some(e) = &r.escalation {
                            let _ = writeln!(out, "  escalate to {} at {}", e.to, e.at);
                        }
                        for n in &r.notices {
                            let _ = writeln!(out, "  notice: {n}");
                        }
                        for t in &r.trace {
                            let _ = writeln!(out, "  why: {t}");
                        }
                    }
                    Err(err) => {
                        refused = true;
                        if json {
                            let line = if err.open311_errors().is_empty() {
                                serde_json::json!({"error": {"kind": err.kind().name(), "message": err.to_string()}})
                            } else {
                                serde_json::json!({"errors": err.open311_errors()})
                            };
                            let _ = writeln!(out, "{line}");
                        } else {
                            let _ = writeln!(out, "refused: {err}");
                            for e in err.open311_errors() {
                                let _ = writeln!(out, "  {} {}", e.code, e.description);
                            }
                        }
                    }
                }
            }
            Ok(if refused { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Bundle { dir, output, encoder } => {
            let mut engine = Engine::build(Catalog::load(&dir)?)?;
            if let Some(e) = encoder {
                engine = engine.with_encoder(load_encoder(&e)?);
            }
            engine.save_bundle(&output)?;
            let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
            let _ = writeln!(out, "{}: {} answers, {} bytes", output.display(), engine.answer_count(), size);
            Ok(ExitCode::SUCCESS)
        }
        Command::Submit(args) => requests::submit(args, &mut out),
        Command::Request(args) => requests::request(args, &mut out),
        Command::Requests(args) => requests::requests(args, &mut out),
        Command::Update(args) => requests::update(args, &mut out),
        Command::Import(args) => requests::import(args, &mut out),
        Command::Sweep(args) => requests::sweep(args, &mut out),
        Command::Report(args) => report::report(args, &mut out),
        Command::Inquiries(args) => inquiries::inquiries(args, &mut out),
        Command::Inquiry(args) => inquiries::inquiry(args, &mut out),
        Command::DraftArticle(args) => inquiries::draft_article(args, &mut out),
        Command::Serve(args) => {
            drop(out);
            serve::serve(args, &mut std::io::stdout())
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

/// Answers as text for a terminal: the snippet's HTML reduced to plain words.
/// An answer-or-escalate reply, for a person.
fn print_reply(out: &mut impl Write, reply: &civic311::Reply) {
    if let Some(advice) = &reply.emergency {
        let _ = writeln!(out, "{advice}");
        return;
    }
    if reply.answered {
        let _ = writeln!(out, "Answered (confidence {:.2}):", reply.confidence);
        print_answers(out, &reply.answers);
        return;
    }
    if let Some(e) = &reply.escalation {
        match (&e.department_name, &e.department) {
            (Some(name), Some(id)) => {
                let _ = writeln!(out, "Escalate to {name} ({id}).");
            }
            _ => {
                let _ = writeln!(out, "Escalate: a call-taker should choose the department.");
            }
        }
        let _ = writeln!(out, "Why: {}.", e.reason);
        match &e.reply_by {
            Some(by) => {
                let _ = writeln!(out, "Reply due within {}: by {by}.", e.reply_within);
            }
            None => {
                let _ = writeln!(out, "Reply due within {}.", e.reply_within);
            }
        }
        if e.candidates.len() > 1 {
            let others: Vec<String> =
                e.candidates.iter().map(|c| format!("{} ({:.2})", c.department, c.score)).collect();
            let _ = writeln!(out, "Candidates: {}.", others.join(", "));
        }
    }
    if !reply.answers.is_empty() {
        let _ = writeln!(out, "\nClosest answers (not confident):");
        print_answers(out, &reply.answers);
    }
}

fn print_answers(out: &mut impl Write, answers: &[civic311::Answer]) {
    if answers.is_empty() {
        let _ = writeln!(out, "no answer found; try other words, or call 311");
        return;
    }
    for (i, a) in answers.iter().enumerate() {
        let _ = writeln!(out, "{}. {} [{} {}]", i + 1, a.title, a.kind.as_str(), a.id);
        let snippet = a
            .snippet
            .replace("<mark>", "")
            .replace("</mark>", "")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        let _ = writeln!(out, "   {snippet}");
        if let Some(url) = &a.url {
            let _ = writeln!(out, "   {url}");
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
