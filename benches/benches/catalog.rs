//! Loading and validating catalogs, and writing Open311 payloads.

use std::hint::black_box;

use civic311::Catalog;
use civic311::open311::{Payload, ServiceList};
use criterion::{Criterion, criterion_group, criterion_main};

fn load(c: &mut Criterion) {
    let files: Vec<(String, String)> =
        civic311_benches::riverton_files().into_iter().map(|f| (f.path, f.text)).collect();
    c.bench_function("catalog/load/riverton", |b| {
        b.iter(|| {
            let catalog = Catalog::from_files(black_box(files.clone())).unwrap();
            assert_eq!(catalog.services().len(), 92);
            catalog
        })
    });
}

fn open311(c: &mut Criterion) {
    let catalog = Catalog::riverton().unwrap();
    let list = ServiceList::from_catalog(&catalog);
    c.bench_function("open311/services/json", |b| {
        b.iter(|| {
            let json = black_box(&list).to_json();
            assert!(json.len() > 10_000);
            json
        })
    });
    c.bench_function("open311/services/xml", |b| {
        b.iter(|| {
            let xml = black_box(&list).to_xml();
            assert!(xml.len() > 10_000);
            xml
        })
    });
    let xml = list.to_xml();
    c.bench_function("open311/services/read-xml", |b| {
        b.iter(|| {
            let read = ServiceList::from_xml(black_box(&xml)).unwrap();
            assert_eq!(read.0.len(), 90);
            read
        })
    });
}

criterion_group!(benches, load, open311);
criterion_main!(benches);
