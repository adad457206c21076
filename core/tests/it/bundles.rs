//! Bundles: saved and loaded back exactly; truncated, altered or foreign
//! bytes are refused with a clear error, never half-loaded.

use civic311::{Engine, ErrorKind, SearchOptions};

use crate::search::riverton;

fn bundle() -> Vec<u8> {
    riverton().to_bundle().unwrap()
}

#[test]
fn a_bundle_answers_like_the_engine_it_came_from() {
    let bytes = bundle();
    assert_eq!(&bytes[..8], b"CIVIC311");
    let loaded = Engine::from_bundle(&bytes).unwrap();
    assert_eq!(loaded.answer_count(), riverton().answer_count());
    let opts = SearchOptions { now: Some("2026-11-22T20:00:00Z".parse().unwrap()), ..SearchOptions::default() };
    for q in ["potole on maple", "bache", "is the main library open on sunday", "couch pickup"] {
        assert_eq!(loaded.search(q, &opts).unwrap(), riverton().search(q, &opts).unwrap(), "{q}");
    }
    assert_eq!(loaded.suggest("gra", 5), riverton().suggest("gra", 5));
    let again = loaded.to_bundle().unwrap();
    assert_eq!(sections(&again), sections(&bytes));
    assert!(again == bytes, "a bundle round-trips to the same bytes");
}

#[test]
fn a_bundle_carries_the_time_zones_its_catalog_names() {
    // The browser build has no tz database: it reads each zone's TZif data
    // from the bundle (Riverton names only America/Chicago).
    let bytes = bundle();
    let at = bytes.windows(15).position(|w| w == b"America/Chicago").expect("a section named America/Chicago");
    assert!(bytes[at..at + 64].windows(4).any(|w| w == b"TZif"), "its data is TZif");
    assert_eq!(bytes.windows(4).filter(|w| *w == b"TZif").count(), 2, "one zone, version 2+ TZif (two headers)");
}

#[test]
fn damaged_bundles_are_refused() {
    let bytes = bundle();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "too short"),
        (b"hello world, this is not a bundle at all".to_vec(), "does not start with CIVIC311"),
        (bytes[..bytes.len() / 2].to_vec(), "truncated"),
        (bytes[..40].to_vec(), "truncated"),
        ([bytes.as_slice(), b"extra"].concat(), "padded"),
        (
            {
                let mut b = bytes.clone();
                let mid = b.len() / 2;
                b[mid] ^= 0x40;
                b
            },
            "checksum",
        ),
        (
            {
                let mut b = bytes.clone();
                b[8] = 9;
                b
            },
            "format version 9",
        ),
    ];
    for (bad, words) in cases {
        let err = Engine::from_bundle(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Bundle);
        assert!(err.to_string().contains(words), "{words}: {err}");
    }
}

#[test]
fn bundles_are_saved_atomically_to_files() {
    let dir = std::env::temp_dir().join(format!("civic311-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("riverton.c311");
    riverton().save_bundle(&path).unwrap();
    let loaded = Engine::load_bundle(&path).unwrap();
    assert_eq!(loaded.answer_count(), riverton().answer_count());
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left: {leftovers:?}");
    let err = Engine::load_bundle(dir.join("missing.c311")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("missing.c311"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The section names of a bundle, for comparing two without printing megabytes.
pub fn sections(bytes: &[u8]) -> Vec<(u8, String, usize)> {
    let mut out = Vec::new();
    let mut pos = 32 + 4;
    while pos < bytes.len() {
        let kind = bytes[pos];
        let n = u32::from_le_bytes(bytes[pos + 1..pos + 5].try_into().unwrap()) as usize;
        let name = String::from_utf8_lossy(&bytes[pos + 5..pos + 5 + n]).into_owned();
        let len = u64::from_le_bytes(bytes[pos + 5 + n..pos + 13 + n].try_into().unwrap()) as usize;
        out.push((kind, name, len));
        pos += 13 + n + len;
    }
    out
}
