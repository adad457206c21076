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
fn a_bundle_carries_the_catalog_already_read() {
    let loaded = Engine::from_bundle(&bundle()).unwrap();
    let (a, b) = (loaded.catalog(), riverton().catalog());
    assert_eq!(a.name(), b.name());
    assert_eq!(a.languages(), b.languages());
    assert_eq!(a.jurisdictions(), b.jurisdictions());
    assert_eq!(a.departments(), b.departments());
    assert_eq!(a.services(), b.services());
    assert_eq!(a.synonyms(), b.synonyms());
    assert_eq!(a.articles(), b.articles());
    assert_eq!(a.facilities(), b.facilities());
    assert_eq!(a.calendars(), b.calendars());
    assert_eq!(a.boundaries(), b.boundaries());
    assert_eq!(a.rules(), b.rules());
    assert_eq!(a.service_levels(), b.service_levels());
    assert!(a.source_files().is_empty(), "a bundle stores the catalog read, not its files");
    assert!(!sections(&bundle()).iter().any(|(kind, _, _)| *kind == 1), "no catalog files");
}

/// The bundle with the data of its first section of `kind` whose name ends
/// with `suffix` changed by `edit`, and a checksum that matches: what a
/// crafted bundle looks like.
fn with_section(kind: u8, suffix: &str, edit: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let bytes = bundle();
    let mut edit = Some(edit);
    let mut payload = bytes[32..36].to_vec();
    let mut pos = 36;
    while pos < bytes.len() {
        let n = u32::from_le_bytes(bytes[pos + 1..pos + 5].try_into().unwrap()) as usize;
        let len = u64::from_le_bytes(bytes[pos + 5 + n..pos + 13 + n].try_into().unwrap()) as usize;
        let (head, name) = (&bytes[pos..pos + 5 + n], &bytes[pos + 5..pos + 5 + n]);
        let mut data = bytes[pos + 13 + n..pos + 13 + n + len].to_vec();
        if bytes[pos] == kind
            && name.ends_with(suffix.as_bytes())
            && let Some(edit) = edit.take()
        {
            edit(&mut data);
        }
        payload.extend_from_slice(head);
        payload.extend_from_slice(&(data.len() as u64).to_le_bytes());
        payload.extend_from_slice(&data);
        pos += 13 + n + len;
    }
    assert!(edit.is_none(), "the bundle has a section named *{suffix}");
    let mut out = bytes[..16].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    out
}

/// The bundle with its catalog's JSON changed by `edit`.
fn crafted(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    with_section(5, "catalog.json", |data| {
        let mut value: serde_json::Value = serde_json::from_slice(data).unwrap();
        edit(&mut value);
        *data = serde_json::to_vec(&value).unwrap();
    })
}

#[test]
fn a_damaged_index_file_is_refused_even_with_the_bundle_checksum_redone() {
    // What the bundle fuzz target found first: two bytes of the term
    // dictionary changed and the bundle's checksum redone made tantivy index
    // out of bounds. Each index file's own checksum now refuses it.
    for suffix in [".term", ".idx", ".fast", ".fieldnorm", ".store"] {
        let bad = with_section(2, suffix, |data| {
            let at = data.len() / 2;
            data[at] ^= 0x5a;
            data[at + 1] = data[at + 1].wrapping_add(77);
        });
        let err = Engine::from_bundle(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Bundle);
        assert!(
            err.to_string().contains("search index is damaged") && err.to_string().contains(suffix),
            "{suffix}: {err}"
        );
    }
    let truncated = with_section(2, ".term", |data| data.truncate(data.len() - 3));
    assert!(Engine::from_bundle(&truncated).unwrap_err().to_string().contains("damaged"));
}

#[test]
fn an_index_schema_that_tantivy_would_panic_on_is_refused() {
    // What the bundle fuzz target found next: the index's meta.json (which
    // has no checksum of its own) with a field named twice made tantivy
    // panic while reading the schema. The schema is now compared first.
    let twice = with_section(2, "meta.json", |data| {
        let mut meta: serde_json::Value = serde_json::from_slice(data).unwrap();
        let fields = meta["schema"].as_array_mut().unwrap();
        let first = fields[0].clone();
        fields.push(first);
        *data = serde_json::to_vec(&meta).unwrap();
    });
    let gone = with_section(2, "meta.json", |data| *data = b"{}".to_vec());
    for bad in [twice, gone] {
        let err = Engine::from_bundle(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Bundle);
        assert!(err.to_string().contains("no schema or another one"), "{err}");
    }
}

#[test]
fn a_crafted_catalog_that_does_not_hold_together_is_refused() {
    assert!(Engine::from_bundle(&crafted(|_| {})).is_ok(), "the unedited copy loads");
    type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|c| c["services"][0]["department"] = "nobody".into()), "names the unknown department 'nobody'"),
        (Box::new(|c| c["articles"][0]["url"] = "javascript:alert(1)".into()), "is not a web address"),
        (
            Box::new(|c| c["facilities"][0]["hours"]["days"][0] = serde_json::json!(["09:00-12:00", "11:00-13:00"])),
            "overlap",
        ),
        (
            Box::new(|c| c["facilities"][0]["hours"]["days"][0] = serde_json::json!(["13:00-14:00", "09:00-12:00"])),
            "not in order",
        ),
        (Box::new(|c| c["facilities"][0]["hours"]["days"][0] = serde_json::json!(["17:00-09:00"])), "cross midnight"),
        (
            Box::new(|c| {
                let s = c["services"][0].clone();
                c["services"].as_array_mut().unwrap().push(s)
            }),
            "defined twice",
        ),
        (Box::new(|c| c["jurisdictions"][0]["time_zone"] = "Mars/Olympus".into()), "time zone 'Mars/Olympus'"),
        (Box::new(|c| c["languages"] = serde_json::json!([])), "languages"),
        (Box::new(|c| c["boundaries"][0]["polygons"][0][0].as_array_mut().unwrap().truncate(3)), "at least four"),
        (Box::new(|c| c["rules"][0]["sla"] = "3 fortnights".into()), "not a duration"),
        (
            Box::new(|c| c["rules"][0]["escalate"] = serde_json::json!({"to": "ghosts", "after": "1 hour"})),
            "unknown department 'ghosts'",
        ),
        (Box::new(|c| c["articles"][0]["id"] = "roads/potholes".into()), "article 'roads/potholes' is not well formed"),
        (Box::new(|c| c["services"][0]["code"] = "ST POTHOLE".into()), "service 'ST POTHOLE' is not well formed"),
        (Box::new(|c| c["surprise"] = true.into()), "unknown field"),
        (Box::new(|c| *c = serde_json::json!("a string")), "does not read"),
    ];
    for (edit, words) in cases {
        let err = Engine::from_bundle(&crafted(edit)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Bundle);
        let text = err.to_string();
        assert!(text.contains(words) && text.contains("rebuild the bundle"), "{words}: {text}");
    }
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

/// Ids as real exports write them (upper-case, ':', '.', 128 characters)
/// come back from search and from a bundle exactly as written.
#[test]
fn ids_as_exports_write_them_survive_a_bundle() {
    let long = format!("KB:{}", "Z9.".repeat(41) + "x2"); // 128 characters
    let ids = ["20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6", "faq.Roads:Potholes_01", long.as_str()];
    let files: Vec<(String, String)> = ids
        .iter()
        .zip(["Potholes on my street", "Bulky item pickup", "Library opening hours"])
        .map(|(id, title)| {
            (format!("articles/{title}.md"), format!("+++\nid = {id:?}\ntitle = {title:?}\n+++\n{title}.\n"))
        })
        .collect();
    let engine = Engine::build(civic311::Catalog::from_files(files).unwrap()).unwrap();
    let loaded = Engine::from_bundle(&engine.to_bundle().unwrap()).unwrap();
    for (id, q) in ids.iter().zip(["potholes", "bulky pickup", "library hours"]) {
        for e in [&engine, &loaded] {
            let answers = e.search(q, &SearchOptions::default()).unwrap();
            assert_eq!(answers[0].id, *id, "{q}");
        }
        assert_eq!(loaded.catalog().article(id).unwrap().id, *id);
    }
}
