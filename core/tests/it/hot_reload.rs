//! Hot reload: an engine handle swapped between two catalogs, by value and
//! from bundle files, while 8 threads search through it. Every answer list
//! must be exactly one catalog's, never a mix, and no search may fail.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use civic311::{Catalog, Engine, EngineHandle, ErrorKind, SearchOptions};

use crate::search::riverton;

/// Riverton with its pothole article retitled and one article added.
fn edited() -> Engine {
    let mut files: Vec<(String, String)> =
        Catalog::riverton().unwrap().source_files().iter().map(|f| (f.path.clone(), f.text.clone())).collect();
    let pothole = files.iter_mut().find(|(p, _)| p.ends_with("streets-report-a-pothole.md")).unwrap();
    pothole.1 = pothole.1.replacen("title = \"", "title = \"Updated: ", 1);
    files.push((
        "articles/en/hot-reload-pothole-blitz.md".into(),
        "+++\nid = \"pothole-blitz\"\ntitle = \"Pothole blitz week\"\nservices = [\"ST-POTHOLE\"]\n+++\nThis week crews fill every pothole reported by Friday.\n".into(),
    ));
    Engine::build(Catalog::from_files(files).unwrap()).unwrap()
}

#[test]
fn a_handle_swaps_catalogs_under_eight_searching_threads() {
    let options = SearchOptions { now: Some("2026-11-22T20:00:00Z".parse().unwrap()), ..SearchOptions::default() };
    let queries = ["potholes", "pothole blitz", "is the main library open on sunday", "couch pickup", "grafitti"];
    let old_engine = Engine::from_bundle(&riverton().to_bundle().unwrap()).unwrap();
    let new_engine = edited();
    let expected: Vec<(Vec<_>, Vec<_>)> = queries
        .iter()
        .map(|q| (old_engine.search(q, &options).unwrap(), new_engine.search(q, &options).unwrap()))
        .collect();
    assert!(expected.iter().any(|(a, b)| a != b), "the two catalogs answer differently");

    let dir = std::env::temp_dir().join(format!("civic311-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (old_file, new_file) = (dir.join("old.c311"), dir.join("new.c311"));
    old_engine.save_bundle(&old_file).unwrap();
    new_engine.save_bundle(&new_file).unwrap();

    let handle = Arc::new(EngineHandle::new(old_engine));
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (handle, stop, expected, options) = (handle.clone(), stop.clone(), expected.clone(), options.clone());
            std::thread::spawn(move || {
                let (mut old, mut new) = (0usize, 0usize);
                let mut i = t;
                while !stop.load(Ordering::Relaxed) || old + new < 50 {
                    let q = i % queries.len();
                    let answers = handle.search(queries[q], &options).expect("no search fails during a reload");
                    let (a, b) = &expected[q];
                    match (&answers == a, &answers == b) {
                        (true, true) => {}
                        (true, false) => old += 1,
                        (false, true) => new += 1,
                        (false, false) => panic!("a torn answer list for {:?}: {answers:?}", queries[q]),
                    }
                    i += 1;
                }
                (old, new)
            })
        })
        .collect();

    for round in 0..60 {
        match round % 3 {
            0 => drop(handle.reload_bundle(&new_file).unwrap()),
            1 => drop(handle.reload_bundle(&old_file).unwrap()),
            _ => drop(handle.replace(edited())),
        }
        // A reload that fails changes nothing.
        let before = Arc::as_ptr(&handle.current());
        let err = handle.reload_bundle(dir.join("missing.c311")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert_eq!(Arc::as_ptr(&handle.current()), before);
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    stop.store(true, Ordering::Relaxed);
    let (mut old, mut new) = (0, 0);
    for t in threads {
        let (o, n) = t.join().expect("no searching thread panicked");
        old += o;
        new += n;
    }
    assert!(old > 0 && new > 0, "both catalogs were seen by the searching threads: {old} old, {new} new answer lists");
    std::fs::remove_dir_all(&dir).unwrap();
}
