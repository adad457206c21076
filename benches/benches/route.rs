//! Routing throughput on Riverton, and the duplicate finder at a million
//! open requests.
//!
//! `cargo bench -p civic311-benches --bench route` (set
//! `CIVIC311_OPEN=100000` for a smaller finder).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use civic311::open311::NewRequest;
use civic311::route::{DuplicateFinder, DuplicateOptions, OpenRequest};
use civic311::{Catalog, Engine};
use civic311_benches::percentile;

fn main() {
    let engine = Engine::build(Catalog::riverton().unwrap()).unwrap();
    let now: jiff::Timestamp = "2026-03-04T15:00:00Z".parse().unwrap();

    // The request mix: every routable row of the Riverton routing table.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/it/routing_table.jsonl");
    let requests: Vec<NewRequest> = std::fs::read_to_string(path)
        .expect("routing table")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let row: serde_json::Value = serde_json::from_str(l).ok()?;
            let r = NewRequest::from_json_value(&row["request"]).ok()?;
            engine.route(&r, now).ok().map(|_| r)
        })
        .collect();
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0usize;
        while start.elapsed().as_secs_f64() < 1.0 {
            for r in &requests {
                black_box(engine.route(black_box(r), now).unwrap());
            }
            n += requests.len();
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "routing ({} requests in the mix, validation included, one thread): median {:.0} routings/s (runs {:.0} to {:.0})",
        requests.len(),
        rates[2],
        rates[0],
        rates[4]
    );

    // Validation alone, to show its share.
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed().as_secs_f64() < 1.0 {
        for r in &requests {
            assert!(black_box(civic311::open311::validate_request(engine.catalog(), black_box(r)).is_ok()));
        }
        n += requests.len();
    }
    println!("validation alone: {:.0} requests/s", n as f64 / start.elapsed().as_secs_f64());

    // The duplicate finder: open requests spread over the city, a few days
    // apart, in every public category, with residents' phrasings.
    let open: usize = std::env::var("CIVIC311_OPEN").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let catalog = Arc::new(Catalog::riverton().unwrap());
    let services: Vec<_> = catalog.services().iter().filter(|s| !s.phrasings.is_empty()).collect();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let start_time: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    let make = |i: usize, next: &mut dyn FnMut() -> u64| {
        let s = services[(next() % services.len() as u64) as usize];
        let phrasing = &s.phrasings[(next() % s.phrasings.len() as u64) as usize];
        OpenRequest {
            id: i.to_string(),
            service_code: s.code.clone(),
            lat: 38.895 + (next() % 100_000) as f64 / 100_000.0 * 0.11,
            lon: -91.025 + (next() % 100_000) as f64 / 100_000.0 * 0.15,
            requested: start_time + jiff::SignedDuration::from_secs((next() % (60 * 86_400)) as i64),
            description: phrasing.clone(),
        }
    };
    let mut finder = DuplicateFinder::new(catalog.clone(), DuplicateOptions::default());
    let t = Instant::now();
    for i in 0..open {
        finder.add(make(i, &mut next)).unwrap();
    }
    let load = t.elapsed();
    let queries: Vec<OpenRequest> = (0..20_000).map(|i| make(open + i, &mut next)).collect();
    for q in queries.iter().take(2_000) {
        black_box(finder.find(q).unwrap());
    }
    let mut us = Vec::with_capacity(queries.len());
    let mut found = 0usize;
    for q in &queries {
        let t = Instant::now();
        let d = black_box(finder.find(q).unwrap());
        us.push(t.elapsed().as_secs_f64() * 1e6);
        found += d.len();
    }
    us.sort_by(f64::total_cmp);
    println!(
        "duplicates: {open} open requests added in {:.1} s; {} queries: p50 {:.1} µs, p90 {:.1} µs, p99 {:.1} µs; {:.2} duplicates a query",
        load.as_secs_f64(),
        queries.len(),
        percentile(&us, 0.5),
        percentile(&us, 0.9),
        percentile(&us, 0.99),
        found as f64 / queries.len() as f64
    );
    let t = Instant::now();
    for q in queries.iter().take(10_000) {
        finder.remove(&((q.id.parse::<usize>().unwrap() - open) * 7).to_string());
    }
    println!("duplicates: 10000 removals in {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
}
