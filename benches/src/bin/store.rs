//! The request store, measured side by side with the physical limit of the
//! same machine in the same run: bare inserts of the same rows through the
//! same driver with the same durability (one row, one commit).
//!
//! ```sh
//! cargo run --release -p civic311-benches --bin store -- [sqlite|postgres|all|split] [submit]
//! ```
//!
//! With `submit` after the engine, only the submissions are measured.
//! `store history N FILE` writes the generated history of N requests as a
//! CSV in NYC 311's schema, and nothing else.
//!
//! `questions N` records N searches on a SQLite file (the golden and the
//! unanswerable Riverton questions, asked with a Zipf-like skew) in batches
//! of 64 as the server does, and times recording them and the report's
//! "what residents asked" over them.
//!
//! `split` shows where one SQLite submission's time goes: routing alone,
//! the whole submission on a store in memory (no disk), on a file, and the
//! bare insert.
//!
//! PostgreSQL runs when `CIVIC311_BENCH_POSTGRES` names a server
//! (`postgres://postgres@127.0.0.1:PORT/postgres`, such as the one
//! `scripts/postgres.sh start DIR` prints); each run makes databases of its
//! own there. `CIVIC311_BENCH_REQUESTS` sets the size of the generated
//! history (default 1,000,000); `CIVIC311_BENCH_COUNCIL` names the NYC
//! Council case file (default `../shared/requests/nyc-council-constituent-cases.csv.gz`).
//! Prints markdown tables for docs/benchmarks.md.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use civic311::open311::NewRequest;
use civic311::{AttributeAnswer, Catalog, Engine};
use history::{Lcg, generated_history};
#[path = "../history.rs"]
mod history;

use civic311_store::{Filter, ImportFormat, ImportOptions, Mapping, Near, StatusFilter, Store, Submission};

/// Valid Riverton submissions: potholes, graffiti, missed trash and
/// streetlights across the city, each with a description.
fn submissions(n: usize, seed: u64) -> Vec<NewRequest> {
    let mut rng = Lcg(seed);
    let kinds: [(&str, &[(&str, &str)], &str); 3] = [
        ("ST-POTHOLE", &[("SIZE", "large"), ("LANE_POSITION", "edge")], "deep pothole by the curb"),
        ("ST-POTHOLE", &[("SIZE", "small"), ("LANE_POSITION", "center")], "pothole in the middle of the lane"),
        ("ST-POTHOLE", &[("SIZE", "medium"), ("LANE_POSITION", "wheel-path")], "hole where the tires go"),
    ];
    (0..n)
        .map(|i| {
            let (code, attributes, text) = kinds[i % kinds.len()];
            let mut r = NewRequest::new(code);
            (r.lat, r.long) = (Some(38.93 + rng.unit() * 0.04), Some(-90.956 + rng.unit() * 0.02));
            r.description = Some(format!("{text}, number {i}"));
            r.email = Some(format!("resident{i}@example.org"));
            for (k, v) in attributes {
                r.attributes.insert((*k).into(), AttributeAnswer::One((*v).into()));
            }
            r
        })
        .collect()
}

fn engine_of_store(url: &str) -> Store {
    Store::open(url).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// Submissions per second through `threads` threads.
fn submit_rate(store: &Store, engine: &Engine, rows: &[NewRequest], threads: usize) -> f64 {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = rows.get(i) else { break };
                    let out = store.submit(engine, r.clone(), Submission::default()).unwrap();
                    assert!(out.created);
                }
            });
        }
    });
    rows.len() as f64 / start.elapsed().as_secs_f64()
}

/// The bare physical limit: the same rows' columns inserted one row a
/// transaction, through the same driver with the same durability settings.
trait Bare: Send + Sync {
    fn insert_rate(&self, rows: &[NewRequest], threads: usize) -> f64;
}

struct BareSqlite(std::path::PathBuf);

impl Bare for BareSqlite {
    fn insert_rate(&self, rows: &[NewRequest], threads: usize) -> f64 {
        let open = || {
            let c = rusqlite::Connection::open(&self.0).unwrap();
            c.busy_timeout(Duration::from_secs(60)).unwrap();
            c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)).unwrap();
            c.execute_batch("PRAGMA synchronous = FULL").unwrap();
            c
        };
        open()
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, service_code TEXT, description TEXT, \
                 lat REAL, lon REAL, attributes TEXT, email TEXT, requested_at INTEGER)",
            )
            .unwrap();
        let next = AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let c = open();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(r) = rows.get(i) else { break };
                        c.execute_batch("BEGIN IMMEDIATE").unwrap();
                        c.prepare_cached("INSERT INTO bare (service_code, description, lat, lon, attributes, email, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
                            .unwrap()
                            .execute(rusqlite::params![r.service_code, r.description, r.lat, r.long, "{}", r.email, i as i64])
                            .unwrap();
                        c.execute_batch("COMMIT").unwrap();
                    }
                });
            }
        });
        rows.len() as f64 / start.elapsed().as_secs_f64()
    }
}

struct BarePostgres(String);

impl Bare for BarePostgres {
    fn insert_rate(&self, rows: &[NewRequest], threads: usize) -> f64 {
        let mut c = postgres::Client::connect(&self.0, postgres::NoTls).unwrap();
        c.batch_execute(
            "CREATE TABLE IF NOT EXISTS bare (id BIGSERIAL PRIMARY KEY, service_code TEXT, description TEXT, \
             lat DOUBLE PRECISION, lon DOUBLE PRECISION, attributes TEXT, email TEXT, requested_at BIGINT)",
        )
        .unwrap();
        let next = AtomicUsize::new(0);
        let start = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    let mut c = postgres::Client::connect(&self.0, postgres::NoTls).unwrap();
                    let stmt = c
                        .prepare("INSERT INTO bare (service_code, description, lat, lon, attributes, email, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                        .unwrap();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(r) = rows.get(i) else { break };
                        let mut tx = c.transaction().unwrap();
                        tx.execute(&stmt, &[&r.service_code, &r.description, &r.lat, &r.long, &"{}", &r.email, &(i as i64)])
                            .unwrap();
                        tx.commit().unwrap();
                    }
                });
            }
        });
        rows.len() as f64 / start.elapsed().as_secs_f64()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// p50 and p99 in ms of a query, run `runs` times with varying parameters.
fn query_times(store: &Store, runs: usize, filter: impl Fn(usize) -> Filter) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut found = 0;
    for i in 0..runs {
        let f = filter(i);
        let t = Instant::now();
        let page = std::hint::black_box(store.query(&f).unwrap());
        times.push(t.elapsed().as_secs_f64() * 1e3);
        found += page.requests.len();
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (percentile(&times, 0.5), percentile(&times, 0.99), found / runs)
}

fn disk_size(url: &str) -> u64 {
    if let Some(path) = url.strip_prefix("sqlite:") {
        ["", "-wal", "-shm"].iter().map(|s| std::fs::metadata(format!("{path}{s}")).map(|m| m.len()).unwrap_or(0)).sum()
    } else {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let row = c.query_one("SELECT pg_database_size(current_database())", &[]).unwrap();
        row.get::<_, i64>(0) as u64
    }
}

/// A new, empty store of an engine: a file in `dir`, or a new database.
fn new_store_url(engine: &str, dir: &std::path::Path, name: &str) -> String {
    match engine {
        "sqlite" => {
            let path = dir.join(format!("{name}.db"));
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{s}", path.display()));
            }
            format!("sqlite:{}", path.display())
        }
        _ => {
            let server = std::env::var("CIVIC311_BENCH_POSTGRES").unwrap();
            let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
            let db = format!("bench_{name}");
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db}")).unwrap();
            admin.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
            format!("{}/{db}", server.rsplit_once('/').unwrap().0)
        }
    }
}

/// Where a submission's time goes on SQLite: routing alone, the whole
/// submission on a store in memory (no disk), on a file, and the bare
/// insert on a file.
fn submit_split(engine: &Engine, dir: &std::path::Path) {
    let rows = submissions(2_000, 1);
    let t = Instant::now();
    for r in &rows {
        engine.route(r, jiff::Timestamp::now()).unwrap();
    }
    let route = rows.len() as f64 / t.elapsed().as_secs_f64();
    let memory = submit_rate(&engine_of_store("sqlite::memory:"), engine, &rows, 1);
    let file = submit_rate(&engine_of_store(&new_store_url("sqlite", dir, "split")), engine, &rows, 1);
    let bare_url = new_store_url("sqlite", dir, "split-bare");
    let bare = BareSqlite(bare_url.trim_start_matches("sqlite:").into()).insert_rate(&rows, 1);
    println!("| step | per second | µs each |");
    println!("|---|---|---|");
    for (label, rate) in [
        ("route alone", route),
        ("submit, store in memory", memory),
        ("submit, file", file),
        ("bare insert, file", bare),
    ] {
        println!("| {label} | {rate:.0} | {:.0} |", 1e6 / rate);
    }
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    if which == "history" {
        // `store history N FILE`: the generated history alone, as a CSV in
        // NYC 311's schema (for benches/compare/report_speed.py).
        let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).expect("store history N FILE");
        let file = std::env::args().nth(3).expect("store history N FILE");
        generated_history(n, std::path::Path::new(&file));
        return;
    }
    if which == "questions" {
        let n: usize = std::env::args().nth(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
        questions(n);
        return;
    }
    if which == "split" {
        let dir = std::env::temp_dir().join(format!("civic311-store-split-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        submit_split(&Engine::build(Catalog::riverton().unwrap()).unwrap(), &dir);
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    // `store ENGINE submit` measures submissions only.
    let only_submit = std::env::args().nth(2).as_deref() == Some("submit");
    let mut engines = Vec::new();
    if which == "all" || which == "sqlite" {
        engines.push("sqlite");
    }
    if (which == "all" || which == "postgres") && std::env::var("CIVIC311_BENCH_POSTGRES").is_ok() {
        engines.push("postgres");
    }
    let n_history: usize =
        std::env::var("CIVIC311_BENCH_REQUESTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let council = std::env::var("CIVIC311_BENCH_COUNCIL").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/requests/nyc-council-constituent-cases.csv.gz").to_string()
    });
    let dir = std::env::temp_dir().join(format!("civic311-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let engine = Engine::build(Catalog::riverton().unwrap()).unwrap();
    let history = dir.join("history.csv");
    if !only_submit {
        generated_history(n_history, &history);
    }

    for name in engines {
        println!("\n## {name}\n");
        // Submissions against the bare limit, 1 and 8 threads.
        println!("| submissions | threads | civic311 submit / s | bare insert / s | ratio |");
        println!("|---|---|---|---|---|");
        for threads in [1, 8] {
            let n = if threads == 1 { 2_000 } else { 4_000 };
            let rows = submissions(n, threads as u64);
            let url = new_store_url(name, &dir, &format!("submit{threads}"));
            let store = engine_of_store(&url);
            let ours = submit_rate(&store, &engine, &rows, threads);
            let bare_url = new_store_url(name, &dir, &format!("bare{threads}"));
            let bare: Box<dyn Bare> = match name {
                "sqlite" => Box::new(BareSqlite(bare_url.trim_start_matches("sqlite:").into())),
                _ => Box::new(BarePostgres(bare_url)),
            };
            let limit = bare.insert_rate(&rows, threads);
            println!("| {n} | {threads} | {ours:.0} | {limit:.0} | {:.2}x |", limit / ours);
        }
        if only_submit {
            continue;
        }

        // Imports.
        let url = new_store_url(name, &dir, "history");
        let store = engine_of_store(&url);
        let t = Instant::now();
        let report = store
            .import(
                "history.csv",
                std::fs::File::open(&history).unwrap(),
                &ImportFormat::Csv(Mapping::builtin("nyc311").unwrap()),
                &ImportOptions::default(),
            )
            .unwrap();
        let import_s = t.elapsed().as_secs_f64();
        println!("\n| import | rows | imported | seconds | rows / s |");
        println!("|---|---|---|---|---|");
        println!(
            "| generated history (nyc311 schema) | {} | {} | {import_s:.1} | {:.0} |",
            report.rows,
            report.imported,
            report.rows as f64 / import_s
        );
        if std::path::Path::new(&council).exists() {
            let curl = new_store_url(name, &dir, "council");
            let cstore = engine_of_store(&curl);
            let t = Instant::now();
            let file = std::io::BufReader::new(std::fs::File::open(&council).unwrap());
            let reader: Box<dyn std::io::Read> = if council.ends_with(".gz") {
                Box::new(flate2::bufread::MultiGzDecoder::new(file))
            } else {
                Box::new(file)
            };
            let report = cstore
                .import(
                    "council",
                    reader,
                    &ImportFormat::Csv(Mapping::builtin("nyc-council").unwrap()),
                    &ImportOptions::default(),
                )
                .unwrap();
            let s = t.elapsed().as_secs_f64();
            println!(
                "| NYC council cases | {} | {} | {s:.1} | {:.0} |",
                report.rows,
                report.imported,
                report.rows as f64 / s
            );
            println!("\ncouncil store on disk: {:.1} MB", disk_size(&curl) as f64 / 1e6);
        }
        println!("\nhistory store on disk: {:.1} MB ({} requests)", disk_size(&url) as f64 / 1e6, report.imported);

        // Queries at this size, each filter with varying parameters.
        let day = |i: usize| jiff::Timestamp::from_second(1_704_085_200 + (i as i64 % 700) * 86_400).unwrap();
        let codes = ["Pothole", "Graffiti", "Noise", "Rodent"];
        let agencies = ["DOT", "DSNY", "NYPD", "DEP"];
        println!("\n| query at {} requests (page of 50) | p50 ms | p99 ms | rows |", report.imported);
        println!("|---|---|---|---|");
        let runs = 60;
        let cases: Vec<(&str, Box<dyn Fn(usize) -> Filter>)> = vec![
            ("no filter (newest first)", Box::new(|_| Filter::default())),
            (
                "one id",
                Box::new(|i| Filter {
                    ids: vec![(10_000_000 + (i * 4999) % n_history).to_string()],
                    ..Filter::default()
                }),
            ),
            ("service_code", Box::new(|i| Filter { service_codes: vec![codes[i % 4].into()], ..Filter::default() })),
            ("status=open", Box::new(|_| Filter { status: Some(StatusFilter::Open), ..Filter::default() })),
            ("status=closed", Box::new(|_| Filter { status: Some(StatusFilter::Closed), ..Filter::default() })),
            (
                "start and end (one day)",
                Box::new(move |i| Filter {
                    start: Some(day(i)),
                    end: Some(day(i) + jiff::SignedDuration::from_hours(24)),
                    ..Filter::default()
                }),
            ),
            ("department", Box::new(|i| Filter { department: Some(agencies[i % 4].into()), ..Filter::default() })),
            ("updated_after", Box::new(move |i| Filter { updated_after: Some(day(i)), ..Filter::default() })),
            (
                "radius 300 m",
                Box::new(|i| Filter {
                    near: Some(Near { lat: 38.90 + (i % 97) as f64 * 0.001, long: -90.95, radius_m: 300.0 }),
                    ..Filter::default()
                }),
            ),
            (
                "service_code + status=open + department",
                Box::new(|i| Filter {
                    service_codes: vec![codes[i % 4].into()],
                    status: Some(StatusFilter::Open),
                    department: Some(agencies[i % 4].into()),
                    ..Filter::default()
                }),
            ),
            ("page 20", Box::new(|_| Filter { page: 20, ..Filter::default() })),
        ];
        for (label, filter) in cases {
            let (p50, p99, rows) = query_times(&store, runs, filter);
            println!("| {label} | {p50:.2} | {p99:.2} | {rows} |");
        }

        // The monitor over everything: the first sweep records every breach
        // of the open requests; the second finds nothing new.
        let t = Instant::now();
        let report = store.sweep(jiff::Timestamp::now()).unwrap();
        let first = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let again = store.sweep(jiff::Timestamp::now()).unwrap();
        let second = t.elapsed().as_secs_f64();
        println!(
            "\nsweep over {} requests: {first:.1} s recording {} breaches; again {:.3} s recording {}",
            n_history,
            report.breached.len(),
            second,
            again.breached.len()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Records `n` searches and reports over them (see the module's doc).
fn questions(n: usize) {
    let dir = std::env::temp_dir().join(format!("civic311-store-questions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = civic311_store::Store::open(&format!("sqlite:{}", dir.join("store.db").display())).unwrap();
    let mut asked: Vec<String> = civic311_benches::golden_questions().into_iter().map(|(q, _)| q).collect();
    let unanswered =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/riverton/unanswered.jsonl")).unwrap();
    for line in unanswered.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        asked.push(v["query"].as_str().unwrap().to_string());
    }
    // A Zipf-like skew: the k-th question is asked about 1/k as often.
    let weights: Vec<f64> = (1..=asked.len()).map(|k| 1.0 / k as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut state: u64 = 311;
    let start = jiff::Timestamp::from_second(1_796_000_000).unwrap();
    let events: Vec<civic311_store::SearchEvent> = (0..n)
        .map(|i| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut x = (state >> 11) as f64 / (1u64 << 53) as f64 * total;
            let mut k = 0;
            while k + 1 < weights.len() && x > weights[k] {
                x -= weights[k];
                k += 1;
            }
            civic311_store::SearchEvent {
                at: Some(start + jiff::SignedDuration::from_secs(i as i64 * 6)),
                query: asked[k].clone(),
                answers: Some(5),
                source: "api".into(),
                ..civic311_store::SearchEvent::default()
            }
        })
        .collect();
    let t = std::time::Instant::now();
    for batch in events.chunks(64) {
        store.record_searches(batch).unwrap();
    }
    let recorded = t.elapsed();
    let engine = std::sync::Arc::new(Engine::build(Catalog::riverton().unwrap()).unwrap());
    // The classifiers train on first use (about a second): not the report's time.
    engine.answer("warm up", &civic311::AnswerOptions::default()).unwrap();
    let end = start + jiff::SignedDuration::from_secs(n as i64 * 6);
    let day = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::get("America/Chicago").unwrap()).date();
    let options = civic311_store::ReportOptions {
        engine: Some(engine),
        now: end,
        ..civic311_store::ReportOptions::new(day(start), day(end))
    };
    let t = std::time::Instant::now();
    let report = store.report(&options).unwrap();
    let reported = t.elapsed();
    println!("| searches | distinct | record (batches of 64) | per second | report with questions |");
    println!("|---|---|---|---|---|");
    println!(
        "| {n} | {} | {:.2} s | {:.0} | {:.2} s |",
        report.questions.groups,
        recorded.as_secs_f64(),
        n as f64 / recorded.as_secs_f64(),
        reported.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
