//! Resident memory of engines: Riverton's and a synthetic catalog of
//! 100,000 articles, each built from its catalog and loaded from its bundle,
//! every case in a fresh process so that none inherits another's heap.
//!
//! `cargo run --release -p civic311-benches --bin memory` (set
//! CIVIC311_SCALE to change the number of synthetic articles). Linux only:
//! it reads VmRSS and VmHWM from /proc/self/status.

use std::process::Command;
use std::time::Instant;

use civic311::{Catalog, Engine, SearchOptions};
use civic311_benches::synthetic_articles;

/// (VmRSS, VmHWM) of this process, in bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn catalog(which: &str) -> Catalog {
    match which {
        "riverton" => Catalog::riverton().expect("Riverton loads"),
        _ => {
            let n = std::env::var("CIVIC311_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
            Catalog::from_files(synthetic_articles(n)).expect("the synthetic catalog is valid")
        }
    }
}

/// One case, in this process: prints one Markdown row.
fn case(which: &str, how: &str, bundle_path: &str) {
    let (before, _) = memory();
    let t = Instant::now();
    let engine = if how == "bundle" {
        // The bundle's bytes are read and let go: what stays is the engine's.
        Engine::load_bundle(bundle_path).expect("the bundle loads")
    } else {
        Engine::build(catalog(which)).expect("the catalog builds")
    };
    let took = t.elapsed();
    let (loaded, _) = memory();
    // A search and (where the catalog has service categories to classify
    // into) a classification touch what a working engine holds; the
    // zero-shot model is trained on first use.
    engine.search("report a pothole on maple avenue", &SearchOptions::default()).expect("it searches");
    if !engine.catalog().services().is_empty() {
        engine.classify("there is a pothole on maple avenue", 3).expect("it classifies");
    }
    let (working, peak) = memory();
    if how == "build" {
        std::fs::write(bundle_path, engine.to_bundle().expect("it saves")).expect("the bundle is written");
    }
    let size = std::fs::metadata(bundle_path).map(|m| m.len()).unwrap_or(0);
    println!(
        "| {which} ({} answers), {} | {} | {} | {} | {} | {:.2?} |",
        engine.answer_count(),
        if how == "build" { "built from its catalog" } else { "loaded from its bundle" },
        mb(size),
        mb(loaded.saturating_sub(before)),
        mb(working.saturating_sub(before)),
        mb(peak.saturating_sub(before)),
        took
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, which, how, path] = args.as_slice() {
        case(which, how, path);
        return;
    }
    let dir = std::env::temp_dir().join(format!("civic311-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let (idle, _) = memory();
    println!(
        "A process that has loaded nothing: {} resident. Below, each case's memory above its own process's before it loaded.\n",
        mb(idle)
    );
    println!(
        "| engine | bundle | resident after loading | after a search and a classification (where it has categories) | peak | load or build time |"
    );
    println!("|---|---|---|---|---|---|");
    let me = std::env::current_exe().expect("this program's path");
    for which in ["riverton", "synthetic"] {
        let path = dir.join(format!("{which}.c311"));
        for how in ["build", "bundle"] {
            let status = Command::new(&me).args([which, how, path.to_str().unwrap()]).status().expect("a case runs");
            assert!(status.success(), "{which} {how} failed");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
