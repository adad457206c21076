//! Escalated questions in the store: a department's queue, one inquiry
//! (shown or changed), and a department's reply turned into a draft
//! article in catalog format.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use civic311::{Catalog, Error, ErrorKind, Result};
use civic311_store::{Inquiry, InquiryFilter, InquiryUpdate, Store};
use clap::Args;

use crate::Source;
use crate::requests::{StoreArg, instant, io_error};

#[derive(Args)]
pub(crate) struct InquiriesArgs {
    #[command(flatten)]
    store: StoreArg,
    /// Only this department's queue.
    #[arg(long)]
    department: Option<String>,
    /// open (default), closed or all.
    #[arg(long, default_value = "open")]
    status: String,
    #[arg(long, default_value_t = 1)]
    page: u32,
    #[arg(long, default_value_t = 50)]
    page_size: u32,
    /// One JSON object a line instead of text.
    #[arg(long)]
    json: bool,
}

/// A queue of inquiries, oldest first.
pub(crate) fn inquiries(args: InquiriesArgs, out: &mut impl Write) -> Result<ExitCode> {
    let open = match args.status.as_str() {
        "open" => Some(true),
        "closed" => Some(false),
        "all" => None,
        other => {
            return Err(Error::new(ErrorKind::Query, format!("--status is '{other}'; use open, closed or all")));
        }
    };
    let store = args.store.open()?;
    let filter = InquiryFilter { department: args.department, open, page: args.page, page_size: args.page_size };
    let now = jiff::Timestamp::now();
    for i in store.inquiries(&filter)? {
        let line = if args.json {
            serde_json::to_string(&i).unwrap_or_default()
        } else {
            let due = match &i.reply_by {
                Some(d) if i.is_overdue(now) => format!("OVERDUE since {d}"),
                Some(d) => format!("due {d}"),
                None => "no deadline".into(),
            };
            let state = if i.open { due } else { "replied".into() };
            format!("{}  {}  {}  {}", i.id, i.department.as_deref().unwrap_or("(unassigned)"), state, i.question)
        };
        writeln!(out, "{line}").map_err(|e| io_error("cannot write", e))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub(crate) struct InquiryArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The inquiry's id (Q1, Q2, ...).
    id: String,
    /// The reply to whoever asked: public, and it closes the inquiry.
    #[arg(long)]
    reply: Option<String>,
    /// An internal note.
    #[arg(long)]
    note: Option<String>,
    /// Transfer it to this department.
    #[arg(long)]
    transfer: Option<String>,
    /// Who makes the change.
    #[arg(long, default_value = "cli")]
    actor: String,
    /// The version it was read at: refused if it changed since.
    #[arg(long = "expected-version")]
    expected_version: Option<i64>,
    /// When (RFC 3339), instead of now.
    #[arg(long)]
    at: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// The catalog whose departments a transfer may name (Riverton by default).
    #[command(flatten)]
    source: Source,
}

/// One inquiry with its history; with --reply, --note or --transfer, changed first.
pub(crate) fn inquiry(args: InquiryArgs, out: &mut impl Write) -> Result<ExitCode> {
    let store = args.store.open()?;
    let changes = args.reply.is_some() || args.note.is_some() || args.transfer.is_some();
    let inquiry = if changes {
        let engine = args.source.engine()?;
        let update = InquiryUpdate {
            actor: args.actor,
            note: args.note,
            department: args.transfer,
            reply: args.reply,
            at: instant(args.at.as_deref())?,
            expected_version: args.expected_version,
        };
        store.update_inquiry(&engine, &args.id, update)?
    } else {
        find(&store, &args.id)?
    };
    let text = if args.json { serde_json::to_string_pretty(&inquiry).unwrap_or_default() } else { describe(&inquiry) };
    writeln!(out, "{text}").map_err(|e| io_error("cannot write", e))?;
    Ok(ExitCode::SUCCESS)
}

fn find(store: &Store, id: &str) -> Result<Inquiry> {
    store
        .inquiry(id)?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no inquiry has the id '{id}' in {}", store.label())))
}

fn describe(i: &Inquiry) -> String {
    let mut s = format!(
        "{} ({}, version {})\n  question: {}\n  department: {}\n  asked: {}\n",
        i.id,
        if i.open { "open" } else { "replied" },
        i.version,
        i.question,
        i.department.as_deref().unwrap_or("(unassigned)"),
        i.asked_datetime,
    );
    if let Some(d) = &i.reply_by {
        s.push_str(&format!("  reply by: {d}\n"));
    }
    s.push_str(&format!("  why escalated: {}\n", i.reason));
    for e in &i.history {
        let who = if e.public { "public" } else { "internal" };
        let what = e.note.as_deref().or(e.department.as_deref()).unwrap_or("");
        s.push_str(&format!("  {} {} {} ({who}): {what}\n", e.at, e.kind, e.actor));
    }
    s.trim_end().to_string()
}

#[derive(Args)]
pub(crate) struct DraftArgs {
    #[command(flatten)]
    store: StoreArg,
    /// The replied inquiry whose reply becomes the article.
    #[arg(long = "from-inquiry")]
    from_inquiry: String,
    /// Write it into this catalog folder (articles/LANG/ID.md), checking
    /// that the catalog still loads; otherwise print it.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Write it to this file instead.
    #[arg(short = 'o', long, conflicts_with = "catalog")]
    output: Option<PathBuf>,
}

/// A department's reply as a draft article: the question as its title and
/// first phrasing, the department, the service that named it, the reply
/// as its body. An editor finishes it.
pub(crate) fn draft_article(args: DraftArgs, out: &mut impl Write) -> Result<ExitCode> {
    let store = args.store.open()?;
    let inquiry = find(&store, &args.from_inquiry)?;
    let civic311_store::DraftArticle { id, lang, text } = inquiry.draft_article()?;
    match (&args.catalog, &args.output) {
        (Some(dir), _) => {
            let folder = dir.join("articles").join(&lang);
            std::fs::create_dir_all(&folder).map_err(|e| io_error(&format!("cannot make {}", folder.display()), e))?;
            let path = folder.join(format!("{id}.md"));
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
                io_error(&format!("cannot write {} (an article of that name may be there already)", path.display()), e)
            })?;
            file.write_all(text.as_bytes()).map_err(|e| io_error(&format!("cannot write {}", path.display()), e))?;
            drop(file);
            if let Err(err) = Catalog::load(dir) {
                let _ = std::fs::remove_file(&path);
                return Err(Error::new(
                    ErrorKind::Catalog,
                    format!("the draft would break the catalog, so it was not kept: {err}"),
                ));
            }
            writeln!(out, "{}", path.display()).map_err(|e| io_error("cannot write", e))?;
        }
        (None, Some(path)) => {
            std::fs::write(path, &text).map_err(|e| io_error(&format!("cannot write {}", path.display()), e))?;
        }
        (None, None) => write!(out, "{text}").map_err(|e| io_error("cannot write", e))?,
    }
    Ok(ExitCode::SUCCESS)
}
