//! One test per kind of catalog mistake: each checks that the problem names
//! the file, the line, the field, the bad value and what would be accepted.

use civic311::Catalog;

use crate::util::*;

#[test]
fn the_base_catalog_is_valid() {
    let catalog = Catalog::from_files(base_files()).unwrap();
    assert_eq!(catalog.name(), "Testville 311");
    assert_eq!(catalog.articles().len(), 2);
    // Services list the articles that name them.
    assert_eq!(catalog.service("ST-POTHOLE").unwrap().articles, vec!["potholes"]);
    assert_eq!(catalog.facility("city-hall").unwrap().time_zone, "America/Chicago");
}

#[test]
fn a_folder_of_only_articles_is_a_catalog() {
    let catalog =
        Catalog::from_files([("articles/faq.md", "+++\nid = \"faq\"\ntitle = \"Hours\"\n+++\nOpen daily.\n")]).unwrap();
    assert_eq!(catalog.articles()[0].body_text, "Open daily.");
    assert!(catalog.services().is_empty());
}

#[test]
fn toml_syntax_error() {
    let text = "[catalog]\nname = \"x\"\n\n[[services]\ncode = 1\n";
    let p = one_problem(with_file("catalog.toml", text), "catalog.toml", Some(4), "", &[]);
    assert!(!p.message.is_empty());
}

#[test]
fn unknown_top_level_key() {
    let text = base_files()[0].1.replace("[[synonyms]]", "[[synonym]]");
    one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(34),
        "synonym",
        &["unknown key 'synonym'", "did you mean 'synonyms'?"],
    );
}

#[test]
fn misspelt_field() {
    let text = base_files()[0].1.replace("department = \"streets\"\nkeywords", "departmnet = \"streets\"\nkeywords");
    let found = problems(with_file("catalog.toml", &text));
    let p = &found[0];
    assert_eq!((p.file.as_str(), p.line, p.field.as_str()), ("catalog.toml", Some(24), "services[0]"), "{p}");
    assert!(p.message.contains("unknown field 'departmnet'") && p.message.contains("department"), "{p}");
}

#[test]
fn missing_required_field() {
    let text = base_files()[0].1.replace("name = \"Streets\"\n", "");
    let p = one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(13),
        "departments[0]",
        &["missing field 'name'"],
    );
    assert!(p.message.contains("add it"), "{p}");
}

#[test]
fn wrong_value_type() {
    let text = base_files()[0].1.replace("keywords = [\"pothole\"]", "keywords = \"pothole\"");
    one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(25),
        "services[0]",
        &["invalid type", "sequence"],
    );
}

#[test]
fn unknown_department_with_a_suggestion() {
    let text = base_files()[0].1.replace("department = \"streets\"", "department = \"street\"");
    one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(24),
        "services[0].department",
        &[
            "unknown department 'street'",
            "known: streets",
            "[[departments]] in catalog.toml",
            "did you mean 'streets'?",
        ],
    );
}

#[test]
fn unknown_service_code_in_an_article() {
    let text = "+++\nid = \"potholes\"\ntitle = \"Report a pothole\"\nservices = [\"PTH-9\"]\n+++\nBody.\n";
    one_problem(
        with_file("articles/potholes.md", text),
        "articles/potholes.md",
        Some(4),
        "services[0]",
        &["unknown service code 'PTH-9'", "ST-POTHOLE"],
    );
}

#[test]
fn a_url_that_is_not_a_web_address() {
    // Every page that shows the answer would link to it.
    for bad in ["javascript:alert(1)", "data:text/html,<b>x</b>", "www.city.example", "//evil.example/x", "https://a b"]
    {
        let text = format!("+++\nid = \"potholes\"\ntitle = \"Report a pothole\"\nurl = {bad:?}\n+++\nBody.\n");
        one_problem(
            with_file("articles/potholes.md", &text),
            "articles/potholes.md",
            Some(4),
            "url",
            &["is not a web address", "https://"],
        );
    }
    for good in ["https://city.example/potholes", "HTTP://city.example", "/streets/potholes"] {
        let text = format!("+++\nid = \"potholes\"\ntitle = \"Report a pothole\"\nurl = {good:?}\n+++\nBody.\n");
        assert!(Catalog::from_files(with_file("articles/potholes.md", &text)).is_ok(), "{good}");
    }
}

#[test]
fn unknown_jurisdiction_calendar_boundary_and_language() {
    let catalog = base_files()[0]
        .1
        .replace("\njurisdiction = \"testville\"", "\njurisdiction = \"testvile\"")
        .replace("calendar = \"city\"", "calendar = \"town\"")
        .replace("boundary = \"city-limits\"", "boundary = \"limits\"");
    let found = problems(with_file("catalog.toml", &catalog));
    let fields: Vec<&str> = found.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(
        fields,
        ["jurisdictions[0].boundary", "departments[0].jurisdiction", "departments[0].calendar"],
        "{found:#?}"
    );
    assert!(found[1].message.contains("did you mean 'testville'?"));
    assert!(found[2].message.contains("[[calendars]] in routing.toml"));

    let article = "+++\nid = \"a\"\ntitle = \"A\"\nlang = \"fr\"\n+++\nTexte.\n";
    one_problem(
        with_file("articles/a.md", article),
        "articles/a.md",
        Some(4),
        "lang",
        &["unknown language 'fr'", "known: en, es"],
    );
}

#[test]
fn duplicate_ids() {
    let text = format!(
        "{}\n[[departments]]\nid = \"streets\"\njurisdiction = \"testville\"\nname = \"Streets again\"\n",
        base_files()[0].1.replace("[[synonyms]]\nterms = [\"trash\", \"garbage\"]\n", "")
    );
    one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(36),
        "departments[1].id",
        &["duplicate department 'streets'", "first defined at catalog.toml:14"],
    );

    // The same article id in two files.
    let mut files = base_files();
    files.push(("articles/zz-copy.md", "+++\nid = \"potholes\"\ntitle = \"Copy\"\n+++\nBody.\n".into()));
    one_problem(
        files,
        "articles/zz-copy.md",
        Some(2),
        "id",
        &["duplicate article 'potholes'", "first defined at articles/potholes.md:2"],
    );
}

#[test]
fn badly_formed_ids_and_codes() {
    let text = base_files()[0]
        .1
        .replace("id = \"streets\"", "id = \"Street Works\"")
        .replace("department = \"streets\"", "department = \"Street Works\"");
    let found = problems(with_file("catalog.toml", &text));
    assert!(
        found.iter().any(|p| p.field == "departments[0].id"
            && p.line == Some(14)
            && p.message.contains("'Street Works' is not a valid department")
            && p.message.contains("whitespace (\\u{20})")),
        "{found:#?}"
    );
    let text = base_files()[0].1.replace("code = \"ST-POTHOLE\"", "code = \"ST POTHOLE\"");
    let found = problems(with_file("catalog.toml", &text));
    assert!(
        found
            .iter()
            .any(|p| p.field == "services[0].code" && p.message.contains("'ST POTHOLE' is not a valid service code")),
        "{found:#?}"
    );
}

#[test]
fn bad_attribute_definitions() {
    let base = &base_files()[0].1;
    let cases = [
        (
            "datatype = \"singlevaluelist\"",
            "datatype = \"dropdown\"",
            "services[0].attributes[0].datatype",
            "unknown datatype 'dropdown'; use one of: string, number",
        ),
        (
            "values = [{ key = \"small\", name = \"Small\" }, { key = \"large\", name = \"Large\" }]",
            "",
            "services[0].attributes[0].values",
            "has no values",
        ),
        (
            "datatype = \"singlevaluelist\"",
            "datatype = \"number\"",
            "services[0].attributes[0].values",
            "takes no list of values",
        ),
        (
            "{ key = \"large\", name = \"Large\" }",
            "{ key = \"small\", name = \"Large\" }",
            "services[0].attributes[0].values[1].key",
            "duplicate key 'small'",
        ),
        (
            "required = true",
            "required = true\nvariable = false",
            "services[0].attributes[0].required",
            "required but not variable",
        ),
        (
            "values = [{ key = \"small\", name = \"Small\" }, { key = \"large\", name = \"Large\" }]",
            "values = []",
            "services[0].attributes[0].values",
            "empty list of values",
        ),
    ];
    for (from, to, field, words) in cases {
        let text = base.replace(from, to);
        let found = problems(with_file("catalog.toml", &text));
        assert_eq!(found.len(), 1, "{field}: {found:#?}");
        assert_eq!(found[0].file, "catalog.toml");
        assert!(found[0].line.is_some());
        assert_eq!(found[0].field, field, "{:#?}", found[0]);
        assert!(found[0].message.contains(words), "{words}: {}", found[0]);
    }
    // Two attributes with the same code or the same order.
    let extra = "\n[[services.attributes]]\ncode = \"SIZE\"\ndescription = \"Again\"\ndatatype = \"text\"\n";
    let text = base.replace("[[synonyms]]", &format!("{extra}\n[[synonyms]]"));
    let found = problems(with_file("catalog.toml", &text));
    assert!(
        found
            .iter()
            .any(|p| p.field == "services[0].attributes[1].code"
                && p.message.contains("duplicate attribute code 'SIZE'")),
        "{found:#?}"
    );
    let extra =
        "\n[[services.attributes]]\ncode = \"DEPTH\"\ndescription = \"Depth\"\ndatatype = \"text\"\norder = 1\n";
    let text = base.replace("[[synonyms]]", &format!("{extra}\n[[synonyms]]"));
    let found = problems(with_file("catalog.toml", &text));
    assert!(
        found.iter().any(|p| p.field == "services[0].attributes[1].order" && p.message.contains("both have order 1")),
        "{found:#?}"
    );
}

#[test]
fn bad_service_type_and_jurisdiction_kind() {
    let text = base_files()[0]
        .1
        .replace("group = \"Streets\"", "group = \"Streets\"\ntype = \"instant\"")
        .replace("kind = \"city\"", "kind = \"town\"");
    let found = problems(with_file("catalog.toml", &text));
    assert!(found.iter().any(|p| p.field == "jurisdictions[0].kind"
        && p.message.contains("unknown kind 'town'; use one of: city, county, state, utility, other")));
    assert!(found.iter().any(|p| p.field == "services[0].type" && p.message.contains("realtime, batch, blackbox")));
}

#[test]
fn bad_hours() {
    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\n\n[facilities.hours]\nmon = [\"9:00-25:00\"]\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(7),
        "facilities[0].hours.mon",
        &["'9:00-25:00' is not a time range", "HH:MM-HH:MM"],
    );

    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\n\n[facilities.hours]\ntue = [\"09:00-13:00\", \"12:00-17:00\"]\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(7),
        "facilities[0].hours.tue",
        &["overlap"],
    );

    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\n\n[facilities.hours]\nmonday = [\"09:00-17:00\"]\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(7),
        "facilities[0]",
        &["unknown field 'monday'", "mon"],
    );

    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\n\n[[facilities.exceptions]]\ndate = \"2026-12-24\"\nclosed = true\nhours = [\"09:00-12:00\"]\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(6),
        "facilities[0].exceptions[0]",
        &["either closed = true or hours"],
    );

    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\n\n[[facilities.exceptions]]\ndate = \"2026-02-30\"\nclosed = true\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(7),
        "facilities[0].exceptions[0].date",
        &["'2026-02-30' is not a date", "YYYY-MM-DD"],
    );

    let text = "[[facilities]]\nid = \"city-hall\"\nname = \"City Hall\"\nkind = \"office\"\nlocation = { lat = 95.0, lon = 0.0 }\n";
    one_problem(
        with_file("facilities.toml", text),
        "facilities.toml",
        Some(5),
        "facilities[0].location",
        &["off the globe"],
    );
}

#[test]
fn bad_holidays() {
    let text = "[[calendars]]\nid = \"city\"\ntime_zone = \"America/Chicago\"\n\n[[calendars.holidays]]\nname = \"Thanksgiving\"\nmonth = 11\nweekday = \"thursday\"\nnth = 4\n";
    one_problem(
        with_file("routing.toml", text),
        "routing.toml",
        Some(8),
        "calendars[0].holidays[0].weekday",
        &["'thursday' is not a weekday", "thu"],
    );
    let text = "[[calendars]]\nid = \"city\"\ntime_zone = \"America/Chicago\"\n\n[[calendars.holidays]]\nname = \"Odd\"\nmonth = 2\nday = 30\n";
    one_problem(
        with_file("routing.toml", text),
        "routing.toml",
        Some(5),
        "calendars[0].holidays[0].day",
        &["day 30 does not exist in month 2"],
    );
    let text = "[[calendars]]\nid = \"city\"\ntime_zone = \"America/Chicago\"\n\n[[calendars.holidays]]\nname = \"Vague\"\nmonth = 5\n";
    one_problem(
        with_file("routing.toml", text),
        "routing.toml",
        Some(5),
        "calendars[0].holidays[0]",
        &["mixes or misses rule fields", "nth"],
    );
}

#[test]
fn unknown_time_zones() {
    let text = base_files()[0].1.replace("America/Chicago", "America/Chicgo");
    one_problem(
        with_file("catalog.toml", &text),
        "catalog.toml",
        Some(10),
        "jurisdictions[0].time_zone",
        &["unknown time zone 'America/Chicgo'", "did you mean 'America/Chicago'?"],
    );
    let text = base_files()[1].1.replace("America/Chicago", "Central Time");
    one_problem(
        with_file("routing.toml", &text),
        "routing.toml",
        Some(3),
        "calendars[0].time_zone",
        &["unknown time zone 'Central Time'", "IANA"],
    );
}

fn boundary(geometry: &str) -> String {
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{{\"type\": \"Feature\", \"properties\": {{\"id\": \"city-limits\", \"kind\": \"city_limits\"}},\n \"geometry\": {geometry}}}\n]}}\n"
    )
}

#[test]
fn bad_polygons() {
    let cases = [
        (r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}"#, "not closed"),
        (r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}"#, "at least four"),
        (r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}"#, "not a valid polygon"),
        (r#"{"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}"#, "off the globe"),
        (r#"{"type": "Point", "coordinates": [0, 0]}"#, "must be a Polygon or MultiPolygon"),
        (
            r#"{"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]}"#,
            "not a valid polygon",
        ),
    ];
    for (geometry, words) in cases {
        let p = one_problem(
            with_file("boundaries.geojson", &boundary(geometry)),
            "boundaries.geojson",
            Some(2),
            "features[0].geometry",
            &[words],
        );
        assert!(p.message.contains("boundary 'city-limits'"), "{p}");
    }
    let p = one_problem(
        with_file("boundaries.geojson", "{\"type\": \"FeatureCollection\",\n \"features\": [\n"),
        "boundaries.geojson",
        Some(3),
        "",
        &["not valid GeoJSON"],
    );
    assert!(p.message.contains("FeatureCollection"));
    let no_kind = boundary(r#"{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}"#)
        .replace(", \"kind\": \"city_limits\"", "");
    one_problem(
        with_file("boundaries.geojson", &no_kind),
        "boundaries.geojson",
        Some(2),
        "features[0].properties.kind",
        &["no properties.kind"],
    );
}

#[test]
fn polygons_with_holes_and_multipolygons_load() {
    let geometry = r#"{"type": "MultiPolygon", "coordinates": [[[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]], [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]]}"#;
    let catalog = Catalog::from_files(with_file("boundaries.geojson", &boundary(geometry))).unwrap();
    let b = catalog.boundary("city-limits").unwrap();
    assert!(b.contains(0.5, 0.5) && !b.contains(1.5, 1.5) && b.contains(10.5, 10.5) && !b.contains(5.0, 5.0));
}

#[test]
fn bad_articles() {
    one_problem(
        with_file("articles/extra.md", "# Potholes\n\nNo front matter."),
        "articles/extra.md",
        Some(1),
        "",
        &["does not start with front matter", "+++"],
    );
    one_problem(
        with_file("articles/extra.md", "+++\nid = \"extra\"\ntitle = \"x\"\n"),
        "articles/extra.md",
        Some(1),
        "",
        &["not closed"],
    );
    one_problem(
        with_file("articles/extra.md", "+++\nid = \"extra\"\ntitle = \"Potholes\"\n+++\n\n"),
        "articles/extra.md",
        Some(4),
        "body",
        &["no body"],
    );
    one_problem(
        with_file("articles/extra.md", "+++\nid = \"extra\"\n+++\nBody.\n"),
        "articles/extra.md",
        Some(2),
        "",
        &["missing field 'title'"],
    );
    one_problem(
        with_file("articles/extra.md", "+++\nid = \"extra\"\ntitle = \"x\"\ntags = [\"a\"]\n+++\nBody.\n"),
        "articles/extra.md",
        Some(4),
        "",
        &["unknown field 'tags'", "keywords"],
    );
    one_problem(
        with_file("articles/extra.md", "+++\nid = \"extra\"\ntitle = \"   \"\n+++\nBody.\n"),
        "articles/extra.md",
        Some(3),
        "title",
        &["title is empty"],
    );
}

#[test]
fn no_articles_at_all() {
    let files: Vec<_> = base_files().into_iter().filter(|(p, _)| !p.starts_with("articles/")).collect();
    one_problem(files, "articles/", None, "", &["no articles", "articles/"]);
}

#[test]
fn every_problem_is_reported_at_once() {
    let catalog = base_files()[0].1.replace("department = \"streets\"", "department = \"nope\"");
    let mut files = with_file("catalog.toml", &catalog);
    files.retain(|(p, _)| *p != "routing.toml");
    files.push(("articles/broken.md", "no front matter".into()));
    let found = problems(files);
    let summary: Vec<String> = found.iter().map(|p| format!("{}:{}", p.file, p.field)).collect();
    assert_eq!(
        summary,
        [
            "articles/broken.md:",
            "catalog.toml:departments[0].calendar",
            "catalog.toml:services[0].department",
            "facilities.toml:facilities[0].holidays",
        ],
        "{found:#?}"
    );
}

#[test]
fn folders_that_cannot_be_read() {
    let err = Catalog::load("/definitely/not/here").unwrap_err();
    assert!(err.problems()[0].message.contains("does not exist"), "{err}");

    let dir = std::env::temp_dir().join(format!("civic311-it-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("articles/sub")).unwrap();
    std::fs::write(dir.join("articles/sub/ok.md"), "+++\nid = \"ok\"\ntitle = \"Ok\"\n+++\nFine.\n").unwrap();
    std::fs::write(dir.join("articles/latin1.md"), b"+++\nid = \"x\"\ntitle = \"Caf\xe9\"\n+++\n").unwrap();
    std::fs::write(dir.join("README.md"), "not part of the catalog").unwrap();
    let err = Catalog::load(&dir).unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    let p = &err.problems()[0];
    assert_eq!((p.file.as_str(), p.line), ("articles/latin1.md", Some(3)));
    assert!(p.message.contains("not UTF-8"));
    std::fs::remove_file(dir.join("articles/latin1.md")).unwrap();
    let catalog = Catalog::load(&dir).unwrap();
    assert_eq!(catalog.article("ok").unwrap().source, "articles/sub/ok.md");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_error_message_lists_the_problems() {
    let err = Catalog::from_files(with_file("articles/extra.md", "nothing")).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("the catalog has 1 problem\n  articles/extra.md:1: "), "{text}");
}

/// Ids as real FAQ and CRM exports carry them load, and keep their case.
#[test]
fn ids_as_exports_write_them() {
    let guid = "20090318-DD2E5500-13C9-11DE-BCD9-98CDABA93CC6";
    let long = format!("faq:{}", "Ab9._-".repeat(20)); // 124 characters
    let ids = [guid, "KB0012345", "faq.v2:ROADS_01", "Señal-Ñandú", long.as_str()];
    let mut files: Vec<(String, String)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (format!("articles/a{i}.md"), format!("+++\nid = {id:?}\ntitle = \"Article {i}\"\n+++\nBody {i}.\n"))
        })
        .collect();
    // Case is kept: an id differing only in case is another article.
    files.push((
        "articles/lower.md".into(),
        format!("+++\nid = {:?}\ntitle = \"Lower\"\n+++\nBody.\n", guid.to_lowercase()),
    ));
    let catalog = Catalog::from_files(files).unwrap();
    for id in ids {
        assert_eq!(catalog.article(id).map(|a| a.id.as_str()), Some(id));
    }
    assert!(catalog.article(&guid.to_lowercase()).is_some());
    assert_ne!(catalog.article(guid).unwrap().title, catalog.article(&guid.to_lowercase()).unwrap().title);

    // Departments and facilities too, with references that must match exactly.
    let text = base_files()[0].1.replace("\"streets\"", "\"DEPT:Streets.01\"");
    let facilities =
        base_files()[2].1.replace("\"city-hall\"", "\"FAC_City-Hall\"").replace("\"streets\"", "\"DEPT:Streets.01\"");
    let mut files = with_file("catalog.toml", &text);
    files.retain(|(p, _)| *p != "facilities.toml" && *p != "articles/potholes.md");
    files.push(("facilities.toml", facilities));
    files.push((
        "articles/potholes.md",
        "+++\nid = \"potholes\"\ntitle = \"Report a pothole\"\ndepartment = \"DEPT:Streets.01\"\n+++\nBody.\n".into(),
    ));
    let catalog = Catalog::from_files(files).unwrap();
    assert_eq!(catalog.department("DEPT:Streets.01").unwrap().name, "Streets");
    assert!(catalog.department("dept:streets.01").is_none(), "no case folding");
    assert_eq!(catalog.facility("FAC_City-Hall").unwrap().department.as_deref(), Some("DEPT:Streets.01"));

    // A reference that differs only in case is an unknown id.
    let text = base_files()[0].1.replace("id = \"streets\"", "id = \"Streets\"");
    let found = problems(with_file("catalog.toml", &text));
    assert!(found.iter().any(|p| p.message.contains("unknown department 'streets'")), "{found:#?}");
}

/// Only what cannot work is refused, each with its reason, file and line.
#[test]
fn ids_that_cannot_work() {
    let too_long = "x".repeat(129);
    let cases: [(&str, &str); 6] = [
        ("\"\"", "it is empty"),
        ("\"faq 12\"", "whitespace (\\u{20})"),
        ("\"faq\\t12\"", "whitespace (\\u{9})"),
        ("\"faq\\u0007\"", "a control character (\\u{7})"),
        ("\"roads/potholes\"", "'/' (\\u{2f})"),
        ("TOO_LONG", "it has 129 characters, over the 128"),
    ];
    for (id, why) in cases {
        let id = if id == "TOO_LONG" { format!("{too_long:?}") } else { id.to_string() };
        let text = format!("+++\ntitle = \"A\"\nid = {id}\n+++\nBody.\n");
        let p = one_problem(
            vec![("articles/a.md", text)],
            "articles/a.md",
            Some(3),
            "id",
            &[why, "is not a valid article id"],
        );
        assert!(!p.message.chars().any(char::is_control), "the message escapes what it quotes: {p}");
    }
    // 128 characters is the most.
    let text = format!("+++\nid = {:?}\ntitle = \"A\"\n+++\nBody.\n", "x".repeat(128));
    Catalog::from_files([("articles/a.md", text)]).unwrap();
}

#[test]
fn triage_cue_problems_name_the_line_and_what_to_write() {
    let text = "[[cue]]\nname = \"sinkhole\"\nslots = [[\"sinkhole\"], [\"opened up\"]]\nwindow = 4\n";
    let p = one_problem(with_file("triage.toml", text), "triage.toml", Some(1), "cue[0].slots[1]", &["'opened up'"]);
    assert!(p.message.contains("two slots"), "{p}");
    let text = "[[warning]]\nname = \"shaft\"\nslots = [[\"shaft\"]]\nwindow = 30\n";
    one_problem(
        with_file("triage.toml", text),
        "triage.toml",
        Some(4),
        "warning[0].window",
        &["window = 30", "1 to 12"],
    );
    let text = "[[cue]]\nname = \"x\"\nslots = [[\"@missing\"]]\nwindow = 1\n";
    one_problem(
        with_file("triage.toml", text),
        "triage.toml",
        Some(1),
        "cue[0].slots[0]",
        &["'@missing' names no list"],
    );
    let text = "[now]\nphrases = [\"ahora\"]\n";
    one_problem(with_file("triage.toml", text), "triage.toml", Some(1), "now", &["the library's own"]);
    let text = "[[cue]]\nname = \"x\"\nslots = [[\"x\"]]\nwindow = 1\nwords = 3\n";
    one_problem(with_file("triage.toml", text), "triage.toml", Some(5), "cue[0]", &["unknown field 'words'"]);
}
