//! The hostile-input table of docs/reliability.md, Rust rows (R01 ...): each
//! test names its row. Malformed, oversized and crafted input to every
//! public entry point gives an error of the right kind, or a bounded
//! answer, never a panic, a hang or unbounded memory. How long the
//! oversized rows take is measured by the `hostile` bench, not here: tests
//! assert no durations.

use civic311::classify::{Classifier, TrainOptions};
use civic311::open311::{NewRequest, Payload, RequestList, ServiceList, validate_request};
use civic311::{Catalog, Engine, ErrorKind, SearchOptions};

use crate::search::riverton;

fn kind<T: std::fmt::Debug>(result: civic311::Result<T>) -> (ErrorKind, String) {
    let err = result.expect_err("an error");
    (err.kind(), err.to_string())
}

#[test]
fn hostile_r01_a_catalog_folder_that_is_not_there() {
    let (k, m) = kind(Catalog::load("/nonexistent/civic311/catalog"));
    assert_eq!(k, ErrorKind::Catalog);
    assert!(m.contains("does not exist"), "{m}");
}

#[test]
fn hostile_r02_catalog_files_that_are_not_toml_markdown_or_geojson() {
    for (file, text) in [
        ("catalog.toml", "[catalog\nname = "),
        ("routing.toml", "\u{0}\u{1}\u{2}"),
        ("facilities.toml", "[[facilities]]\nid = 5"),
        ("boundaries.geojson", "{\"type\": \"FeatureCollection\", \"features\": [[[[[[["),
        ("articles/a.md", "no front matter at all"),
    ] {
        let files = [(file, text), ("articles/ok.md", "+++\nid = \"ok\"\ntitle = \"Ok\"\n+++\nBody.\n")];
        let (k, m) = kind(Catalog::from_files(files));
        assert_eq!(k, ErrorKind::Catalog, "{file}");
        assert!(m.contains(file), "{file}: {m}");
    }
}

#[test]
fn hostile_r03_an_oversized_article_loads_and_is_searched() {
    let body = "The pothole crew fills holes on every street. ".repeat(100_000); // 4.6 MB
    let article = format!("+++\nid = \"big\"\ntitle = \"Big article\"\n+++\n{body}");
    let engine = Engine::build(Catalog::from_files([("articles/big.md", article)]).unwrap()).unwrap();
    let answers = engine.search("pothole crew", &SearchOptions::default()).unwrap();
    assert_eq!(answers[0].id, "big");
    assert!(answers[0].snippet.len() < 1_000, "a snippet is a snippet: {} bytes", answers[0].snippet.len());
}

#[test]
fn hostile_r04_markup_and_script_in_an_article_come_out_escaped() {
    let article = "+++\nid = \"x\"\ntitle = \"<script>alert(1)</script> pothole\"\n+++\n<img src=x onerror=alert(1)> pothole &amp; \"quotes\"\n";
    let engine = Engine::build(Catalog::from_files([("articles/x.md", article)]).unwrap()).unwrap();
    for a in engine.search("pothole onerror script", &SearchOptions::default()).unwrap() {
        assert!(!a.snippet.contains("<img") && !a.snippet.contains("<script"), "{}", a.snippet);
    }
}

#[test]
fn hostile_r05_a_catalog_link_that_would_run_script() {
    let article = "+++\nid = \"x\"\ntitle = \"X\"\nurl = \"javascript:alert(1)\"\n+++\nBody.\n";
    let (k, m) = kind(Catalog::from_files([("articles/x.md", article)]));
    assert_eq!(k, ErrorKind::Catalog);
    assert!(m.contains("not a web address"), "{m}");
}

#[test]
fn hostile_r06_queries_oversized_binary_or_in_query_syntax() {
    let opts = SearchOptions::default();
    let megabyte = "pothole ".repeat(131_072);
    let answers = riverton().search(&megabyte, &opts).unwrap();
    assert_eq!(answers[0].id, "ST-POTHOLE", "searched by its first 2 kB");
    for q in ["\u{0}\u{1}\u{7f}\u{feff}", "title:* AND (((", "\u{202e}kcolb\u{200b}", &"é".repeat(5000)] {
        assert!(riverton().search(q, &opts).is_ok(), "{q:?}");
        assert!(riverton().answer(q, &civic311::AnswerOptions::default()).is_ok(), "{q:?}");
    }
    let reply = riverton().answer(&megabyte, &civic311::AnswerOptions::default()).unwrap();
    assert!(reply.answered, "a megabyte of 'pothole' is answered from its first 2 kB");
}

#[test]
fn hostile_r07_search_options_that_cannot_be_honoured() {
    for (opts, words) in [
        (SearchOptions { limit: 1_000_000_000, ..Default::default() }, "limit"),
        (SearchOptions { lang: Some("tlh".into()), ..Default::default() }, "tlh"),
        (SearchOptions { department: Some("../../etc".into()), ..Default::default() }, "../../etc"),
    ] {
        let (k, m) = kind(riverton().search("pothole", &opts));
        assert_eq!(k, ErrorKind::Query);
        assert!(m.contains(words), "{m}");
    }
}

#[test]
fn hostile_r08_texts_to_classify_oversized_or_empty() {
    let megabyte = "my trash was not picked up ".repeat(40_000);
    let top = riverton().classify(&megabyte, 3).unwrap();
    assert_eq!(top.len(), 3, "classified by its first 4 kB");
    assert!(riverton().classify("", 3).is_ok());
    assert!(riverton().triage(&"\u{0}".repeat(10_000)).is_ok());
}

#[test]
fn hostile_r09_model_bytes_damaged_truncated_or_foreign() {
    let model = Classifier::train([("pothole", "a"), ("graffiti", "b")], &TrainOptions::default()).unwrap();
    let bytes = model.to_bytes();
    let mut altered = bytes.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 1;
    for bad in [Vec::new(), bytes[..bytes.len() / 2].to_vec(), altered, b"CIVIC311 not a model".to_vec()] {
        assert_eq!(Classifier::from_bytes(&bad).unwrap_err().kind(), ErrorKind::Model);
    }
}

#[test]
fn hostile_r10_training_rows_that_cannot_train() {
    let none: [(&str, &str); 0] = [];
    assert_eq!(Classifier::train(none, &TrainOptions::default()).unwrap_err().kind(), ErrorKind::Model);
    assert_eq!(
        Classifier::train([("a", "x"), ("b", "x")], &TrainOptions::default()).unwrap_err().kind(),
        ErrorKind::Model
    );
}

#[test]
fn hostile_r11_open311_json_malformed_or_nested_without_end() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!(
        "{{\"service_code\": \"ST-POTHOLE\", \"attribute\": {}1{}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    // (A numeric service_code is read as its digits, as cities send them.)
    for text in ["", "[1, 2", "{\"service_code\": [5]}", "null", deep.as_str(), deep_object.as_str(), "\"\u{0}\""] {
        let (k, _) = kind(NewRequest::from_json(text));
        assert_eq!(k, ErrorKind::Format, "{:?}", &text[..text.len().min(40)]);
        assert_eq!(ServiceList::from_json(text).unwrap_err().kind(), ErrorKind::Format);
    }
}

#[test]
fn hostile_r12_open311_xml_malformed_nested_or_with_entities() {
    let deep = format!("<services>{}{}</services>", "<service>".repeat(100_000), "</service>".repeat(100_000));
    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><service_requests><request><service_request_id>&lol3;</service_request_id></request></service_requests>";
    let external = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><service_requests><request><service_request_id>&xxe;</service_request_id></request></service_requests>";
    for text in ["", "<services><service>", "<<<>>>", deep.as_str(), laughs, external] {
        // A DOCTYPE is refused before any entity is read; so is nesting past 32.
        let (k, m) = kind(RequestList::from_xml(text));
        assert_eq!(k, ErrorKind::Format, "{m}");
        assert_eq!(ServiceList::from_xml(text).unwrap_err().kind(), ErrorKind::Format);
    }
}

#[test]
fn hostile_r13_requests_with_values_out_of_range() {
    let catalog = riverton().catalog();
    for text in [
        r#"{"service_code": "ST-POTHOLE", "lat": 1e308, "long": -1e308}"#,
        r#"{"service_code": "ST-POTHOLE", "lat": 91, "long": 0}"#,
        r#"{"service_code": "no such service", "lat": 38.95, "long": -90.94}"#,
        r#"{"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.94, "attribute": {"SIZE": "enormous"}}"#,
    ] {
        let request = NewRequest::from_json(text).unwrap();
        let err = validate_request(catalog, &request).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "{text}: {err}");
        assert!(riverton().route(&request, jiff::Timestamp::now()).is_err(), "{text}");
    }
    let long = format!(
        r#"{{"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.94, "attribute": {{"SIZE": "small"}}, "description": "{}"}}"#,
        "x".repeat(1_000_000)
    );
    let err = validate_request(catalog, &NewRequest::from_json(&long).unwrap()).unwrap_err();
    assert!(err.to_string().contains("4000"), "{err}");
}

#[test]
fn hostile_r14_routing_at_the_edges_of_time() {
    let request = NewRequest::from_json(
        r#"{"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.94, "attribute": {"SIZE": "small"}}"#,
    )
    .unwrap();
    for now in [jiff::Timestamp::MIN, jiff::Timestamp::MAX, jiff::Timestamp::UNIX_EPOCH] {
        // An answer or an error, never a panic, at the ends of representable time.
        let _ = riverton().route(&request, now);
    }
}

#[test]
fn hostile_r15_bundles_damaged_truncated_or_of_another_version() {
    // The details are in bundles.rs; here, the bytes no bundle starts with.
    for bad in [&b""[..], b"CIVIC311", &[0xff; 64], b"PK\x03\x04 a zip file, not a bundle"] {
        assert_eq!(Engine::from_bundle(bad).unwrap_err().kind(), ErrorKind::Bundle);
    }
}

#[test]
fn hostile_r16_bundles_whose_lengths_lie() {
    let bytes = riverton().to_bundle().unwrap();
    let fix = |mut b: Vec<u8>| {
        let len = (b.len() - 32) as u64;
        b[16..24].copy_from_slice(&len.to_le_bytes());
        let sum = xxhash_rust::xxh3::xxh3_64(&b[32..]);
        b[24..32].copy_from_slice(&sum.to_le_bytes());
        b
    };
    // A section count of four billion with a few bytes of payload.
    let mut count = bytes.clone();
    count[32..36].copy_from_slice(&u32::MAX.to_le_bytes());
    // A first section whose length is 2^64 - 1.
    let mut length = bytes.clone();
    let n = u32::from_le_bytes(bytes[37..41].try_into().unwrap()) as usize;
    length[41 + n..49 + n].copy_from_slice(&u64::MAX.to_le_bytes());
    for bad in [fix(count), fix(length)] {
        let (k, m) = kind(Engine::from_bundle(&bad));
        assert_eq!(k, ErrorKind::Bundle);
        assert!(m.contains("runs past its end") || m.contains("too large"), "{m}");
    }
}

#[test]
fn every_row_of_the_table_has_its_test() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).unwrap();
    let table = read("docs/reliability.md");
    let tests = [
        read("core/tests/it/hostile.rs"),
        read("cli/tests/hostile.rs"),
        read("bindings-python/tests/test_hostile.py"),
        read("bindings-wasm/tests/hostile.test.mjs"),
        read("bindings-wasm/browser-tests/widget.test.mjs"),
        read("server/tests/it/hostile.rs"),
        read("cli/tests/serve.rs"),
    ]
    .join("\n");
    let ids = |text: &str, row: bool| -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for (i, _) in text.match_indices(|c: char| "RCPJWS".contains(c)) {
            let id = &text[i..(i + 3).min(text.len())];
            let before = text[..i].chars().last();
            let digits = id.len() == 3 && id[1..].bytes().all(|b| b.is_ascii_digit());
            let starts_row = before == Some('|') || before == Some(' ') && text[..i].ends_with("| ");
            let in_test = before.is_some_and(|c| c == '_' || c == '"' || c == '(');
            if digits && ((row && starts_row) || (!row && in_test)) {
                out.insert(id.to_string());
            }
        }
        out
    };
    let rows = ids(&table, true);
    let mut named = ids(&tests, false);
    // Test names write the id in lower case (hostile_r01_...).
    for (i, _) in tests.match_indices("hostile_") {
        let id = tests[i + 8..].get(..3).unwrap_or("").to_uppercase();
        if id.len() == 3 && "RCPJWS".contains(&id[..1]) && id[1..].bytes().all(|b| b.is_ascii_digit()) {
            named.insert(id);
        }
    }
    assert!(rows.len() >= 40, "the table has its rows: {rows:?}");
    assert_eq!(rows, named, "each row of docs/reliability.md has a test named with its id, and each such test a row");
}
