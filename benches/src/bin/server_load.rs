//! `civic311 serve` under load from a second process (Debian's `wrk`), each
//! figure beside the same call made in-process on the same store, so that
//! what HTTP costs shows as a ratio.
//!
//! ```sh
//! cargo build --release -p civic311-cli
//! cargo run --release -p civic311-benches --bin server_load -- [REQUESTS...]
//! ```
//!
//! For each size (default 100000 and 1000000): a generated history is
//! imported into a new SQLite store; then, for GET services.json, GET
//! requests.json with filters, POST requests.json (the whole path:
//! validate, route, duplicates, write, commit) and /api/search, the call is
//! timed in-process with `CONNECTIONS` threads for `SECONDS` seconds, and
//! the server is loaded by `wrk -t2 -cCONNECTIONS -dSECONDS --latency` on
//! loopback. `CIVIC311_BIN` names the server binary (default
//! target/release/civic311). Prints markdown tables for docs/benchmarks.md.

#[path = "../history.rs"]
mod history;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use civic311::open311::{NewRequest, Payload, Request, RequestList, ServiceList};
use civic311::{AttributeAnswer, Catalog, Engine, SearchOptions};
use civic311_store::{Filter, ImportFormat, ImportOptions, Mapping, StatusFilter, Store, Submission};

const CONNECTIONS: usize = 8;
const SECONDS: u64 = 10;
const KEY: &str = "load-test-key";

/// The filters of the GET requests case: one complaint type, open, in a
/// 90-day window of the history.
const FILTER_QUERY: &str =
    "service_code=Pothole&status=open&start_date=2025-01-01T00:00:00Z&end_date=2025-03-31T00:00:00Z&page_size=50";

fn filter() -> Filter {
    Filter {
        service_codes: vec!["Pothole".into()],
        status: Some(StatusFilter::Open),
        start: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        end: Some("2025-03-31T00:00:00Z".parse().unwrap()),
        page_size: 50,
        ..Filter::default()
    }
}

const POTHOLE_FORM: &str = "api_key=load-test-key&service_code=ST-POTHOLE&lat=38.95&long=-90.94&\
     description=deep+pothole&attribute%5BSIZE%5D=large&attribute%5BLANE_POSITION%5D=edge";

fn pothole(i: usize) -> NewRequest {
    let mut r = NewRequest::new("ST-POTHOLE");
    (r.lat, r.long) = (Some(38.93 + (i % 400) as f64 * 0.0001), Some(-90.95));
    r.description = Some("deep pothole".into());
    r.attributes.insert("SIZE".into(), AttributeAnswer::One("large".into()));
    r.attributes.insert("LANE_POSITION".into(), AttributeAnswer::One("edge".into()));
    r
}

/// Calls a second for `f` on `CONNECTIONS` threads, with p50 and p99 in ms.
fn in_process(f: impl Fn(usize) + Sync) -> (f64, f64, f64) {
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let mut times: Vec<f64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|t| {
                let (f, stop) = (&f, &stop);
                s.spawn(move || {
                    let mut times = Vec::new();
                    let mut i = t * 1_000_000;
                    while !stop.load(Ordering::Relaxed) {
                        let t0 = Instant::now();
                        f(i);
                        times.push(t0.elapsed().as_secs_f64() * 1e3);
                        i += 1;
                    }
                    times
                })
            })
            .collect();
        std::thread::sleep(Duration::from_secs(SECONDS));
        stop.store(true, Ordering::Relaxed);
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let rate = times.len() as f64 / start.elapsed().as_secs_f64();
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    (rate, at(0.5), at(0.99))
}

/// wrk's requests a second, p50 and p99 in ms, and its non-2xx count.
fn wrk(url: &str, script: Option<&std::path::Path>) -> (f64, f64, f64, u64) {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", &format!("-c{CONNECTIONS}"), &format!("-d{SECONDS}s"), "--latency"]);
    if let Some(s) = script {
        cmd.args(["-s", s.to_str().unwrap()]);
    }
    let out = cmd.arg(url).output().expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let ms = |v: &str| -> f64 {
        let v = v.trim();
        if let Some(x) = v.strip_suffix("us") {
            x.parse::<f64>().unwrap() / 1e3
        } else if let Some(x) = v.strip_suffix("ms") {
            x.parse().unwrap()
        } else if let Some(x) = v.strip_suffix('s') {
            x.parse::<f64>().unwrap() * 1e3
        } else {
            f64::NAN
        }
    };
    let mut rate = 0.0;
    let (mut p50, mut p99, mut errors) = (f64::NAN, f64::NAN, 0);
    for line in text.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("Requests/sec:") {
            rate = v.trim().parse().unwrap_or(0.0);
        } else if let Some(v) = l.strip_prefix("50%") {
            p50 = ms(v);
        } else if let Some(v) = l.strip_prefix("99%") {
            p99 = ms(v);
        } else if let Some(v) = l.strip_prefix("Non-2xx or 3xx responses:") {
            errors = v.trim().parse().unwrap_or(u64::MAX);
        } else if l.starts_with("Socket errors:") {
            errors += 1;
        }
    }
    (rate, p50, p99, errors)
}

fn main() {
    let sizes: Vec<usize> = {
        let given: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
        if given.is_empty() { vec![100_000, 1_000_000] } else { given }
    };
    let bin = std::env::var("CIVIC311_BIN")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/civic311").to_string());
    let dir = std::env::temp_dir().join(format!("civic311-server-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let keys = dir.join("keys.toml");
    std::fs::write(
        &keys,
        format!("[[keys]]\nname = \"load\"\nrole = \"client\"\nsha256 = \"{}\"\n", civic311_server::hash_key(KEY)),
    )
    .unwrap();
    let post_script = dir.join("post.lua");
    // Each POST at another of the 400 places the in-process submissions
    // use, so that both see the same duplicates to compare.
    std::fs::write(
        &post_script,
        format!(
            "local n = 0\n\
             request = function()\n\
               n = n + 1\n\
               local body = string.gsub(\"{POTHOLE_FORM}\", \"lat=38.95\", string.format(\"lat=%.4f\", 38.93 + (n % 400) * 0.0001))\n\
               return wrk.format(\"POST\", nil, {{[\"Content-Type\"] = \"application/x-www-form-urlencoded\"}}, body)\n\
             end\n"
        ),
    )
    .unwrap();
    let engine = Arc::new(Engine::build(Catalog::riverton().unwrap()).unwrap());
    for n in sizes {
        let history = dir.join("history.csv");
        history::generated_history(n, &history);
        let db = dir.join(format!("store-{n}.db"));
        let url = format!("sqlite:{}", db.display());
        let store = Store::open(&url).unwrap();
        store
            .import(
                "history.csv",
                std::fs::File::open(&history).unwrap(),
                &ImportFormat::Csv(Mapping::builtin("nyc311").unwrap()),
                &ImportOptions::default(),
            )
            .unwrap();
        println!("\n### {n} stored requests (SQLite), {CONNECTIONS} connections, {SECONDS} s each\n");
        println!(
            "| call | in-process / s | p50 ms | p99 ms | server / s | p50 ms | p99 ms | non-2xx | in-process / server |"
        );
        println!("|---|---|---|---|---|---|---|---|---|");
        let inproc: Vec<(&str, (f64, f64, f64))> = vec![
            (
                "GET services.json",
                in_process(|_| {
                    let _ = ServiceList::from_catalog(engine.catalog()).to_json();
                }),
            ),
            (
                "GET requests.json (service_code, status, 90 days)",
                in_process(|_| {
                    let page = store.query(&filter()).unwrap();
                    let list = RequestList(
                        page.requests.iter().map(|r| Request::from_service_request(&r.to_service_request())).collect(),
                    );
                    let _ = list.to_json();
                }),
            ),
            (
                "POST requests.json",
                in_process(|i| {
                    store.submit(&engine, pothole(i), Submission::default()).unwrap();
                }),
            ),
            (
                "GET /api/search",
                in_process(|_| {
                    let _ = engine.search("when is the library open", &SearchOptions::default()).unwrap();
                }),
            ),
        ];
        drop(store);
        let mut server = Command::new(&bin)
            .args(["serve", "--store", &url, "--keys", keys.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .args(["--per-key", "100000000", "--per-address", "100000000"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{bin}: {e}; build it with cargo build --release -p civic311-cli"));
        let mut line = String::new();
        BufReader::new(server.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
        let base = line.trim().strip_prefix("listening on ").unwrap().to_string();
        let urls = [
            (format!("{base}/open311/v2/services.json"), None),
            (format!("{base}/open311/v2/requests.json?{FILTER_QUERY}"), None),
            (format!("{base}/open311/v2/requests.json"), Some(post_script.as_path())),
            (format!("{base}/api/search?q=when+is+the+library+open"), None),
        ];
        for ((label, (rate, p50, p99)), (u, script)) in inproc.iter().zip(urls) {
            let (srate, sp50, sp99, errors) = wrk(&u, script);
            println!(
                "| {label} | {rate:.0} | {p50:.2} | {p99:.2} | {srate:.0} | {sp50:.2} | {sp99:.2} | {errors} | {:.2}x |",
                rate / srate
            );
        }
        server.kill().unwrap();
        server.wait().unwrap();
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", db.display()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
