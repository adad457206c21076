//! How long the hostile inputs of docs/reliability.md take: the oversized
//! and crafted rows (R03, R06, R08, R11, R12) that the tests in
//! `core/tests/it/hostile.rs` check for their answers only, since tests
//! assert no durations. Each iteration checks its answer.
//!
//! `cargo bench -p civic311-benches --bench hostile`

use std::hint::black_box;

use civic311::open311::{NewRequest, Payload, RequestList};
use civic311::{Catalog, Engine, ErrorKind, SearchOptions};
use criterion::{Criterion, criterion_group, criterion_main};

fn oversized(c: &mut Criterion) {
    let engine = Engine::build(Catalog::riverton().unwrap()).unwrap();
    let opts = SearchOptions::default();
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);

    // R03: a 4.6 MB article is indexed and searched.
    let body = "The pothole crew fills holes on every street. ".repeat(100_000);
    let article = format!("+++\nid = \"big\"\ntitle = \"Big article\"\n+++\n{body}");
    group.bench_function("r03/build-4.6mb-article", |b| {
        b.iter(|| {
            let catalog = Catalog::from_files([("articles/big.md", black_box(article.as_str()))]).unwrap();
            let engine = Engine::build(catalog).unwrap();
            assert_eq!(engine.search("pothole crew", &opts).unwrap()[0].id, "big");
        })
    });

    // R06: a 1 MB query is searched by its first 2 kB.
    let query = "pothole ".repeat(131_072);
    group.bench_function("r06/search-1mb-query", |b| {
        b.iter(|| assert_eq!(engine.search(black_box(&query), &opts).unwrap()[0].id, "ST-POTHOLE"))
    });

    // R08: a 1 MB text is classified by its first 4 kB.
    let text = "my trash was not picked up ".repeat(40_000);
    engine.classify("warm up the zero-shot model", 3).unwrap();
    group.bench_function("r08/classify-1mb-text", |b| {
        b.iter(|| assert_eq!(engine.classify(black_box(&text), 3).unwrap().len(), 3))
    });

    // R11: JSON nested 100,000 deep is refused.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    group.bench_function("r11/json-nested-100k", |b| {
        b.iter(|| assert_eq!(NewRequest::from_json(black_box(&deep)).unwrap_err().kind(), ErrorKind::Format))
    });

    // R12: XML nested 100,000 deep, and the billion laughs, are refused.
    let deep = format!("<services>{}{}</services>", "<service>".repeat(100_000), "</service>".repeat(100_000));
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><service_requests><request><service_request_id>&lol2;</service_request_id></request></service_requests>";
    for (name, text) in [("r12/xml-nested-100k", deep.as_str()), ("r12/xml-entities", laughs)] {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(RequestList::from_xml(black_box(text)).unwrap_err().kind(), ErrorKind::Format))
        });
    }
    group.finish();
}

criterion_group!(benches, oversized);
criterion_main!(benches);
