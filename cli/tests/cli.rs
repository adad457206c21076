//! The `civic311` binary, run as a user runs it.

use std::process::{Command, Output};

fn civic311(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civic311")).args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn riverton_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/riverton").to_string()
}

#[test]
fn check_riverton_is_clean() {
    for args in [vec!["check", riverton_dir().as_str()], vec!["check"]] {
        let out = civic311(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = stdout(&out);
        assert!(text.contains(": ok: 4 jurisdictions, 25 departments, 92 services"), "{text}");
    }
}

#[test]
fn check_prints_every_problem_and_fails() {
    let dir = std::env::temp_dir().join(format!("civic311-cli-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("articles")).unwrap();
    std::fs::write(
        dir.join("catalog.toml"),
        "[[departments]]\nid = \"streets\"\njurisdiction = \"city\"\nname = \"Streets\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("articles/a.md"), "+++\nid = \"a\"\ntitle = \"A\"\nservices = [\"PTH-9\"]\n+++\nBody.\n")
        .unwrap();
    std::fs::write(dir.join("articles/b.md"), "no front matter").unwrap();
    // A catalog's own triage cues are checked with the rest.
    std::fs::write(dir.join("triage.toml"), "[[cue]]\nname = \"sinkhole\"\nslots = [[\"sinkhole\"]]\nwindow = 30\n")
        .unwrap();
    let d = dir.to_str().unwrap();
    let out = civic311(&["check", d]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    assert!(lines[0].starts_with("articles/a.md:4: services[0]: unknown service code 'PTH-9'"), "{}", lines[0]);
    assert!(lines[1].starts_with("articles/b.md:1: the article does not start with front matter"));
    assert!(lines[2].starts_with("catalog.toml:3: departments[0].jurisdiction: unknown jurisdiction 'city'"));
    assert!(lines[3].starts_with("triage.toml:4: cue[0].window: window = 30; use 1 to 12"), "{}", lines[3]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 problems"));

    let out = civic311(&["check", d, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let first: serde_json::Value = serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(first["file"], "articles/a.md");
    assert_eq!(first["line"], 4);
    assert_eq!(first["field"], "services[0]");
    std::fs::remove_dir_all(&dir).unwrap();

    let out = civic311(&["check", "/no/such/catalog"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("does not exist"));
}

#[test]
fn services_in_both_formats() {
    let out = civic311(&["services", "--format", "open311-json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 90);
    assert!(list.iter().all(|s| s["service_code"].is_string()));

    let out = civic311(&["services", "--format", "open311-xml"]);
    assert!(out.status.success());
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>"));
    assert_eq!(xml.matches("<service>").count(), 90);

    let out = civic311(&["services", "ST-POTHOLE", "--format", "xml", "--catalog", &riverton_dir()]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("<service_definition>"));
}

#[test]
fn usage_errors_say_what_to_do() {
    let out = civic311(&["services", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format 'yaml'; use open311-json or open311-xml"));
    let out = civic311(&["services", "NOPE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("service_code 'NOPE' not found"));
}

#[test]
fn ask_answers_in_text_and_json() {
    let out = civic311(&["ask", "how do i report a potole"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("1. "), "{text}");
    assert!(text.contains("ST-POTHOLE"), "{text}");
    assert!(!text.contains("<mark>"), "the terminal shows plain words");

    let out = civic311(&["ask", "bache", "--json", "--limit", "2", "--lang", "es"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["query"], "bache");
    let answers = v["answers"].as_array().unwrap();
    assert!(!answers.is_empty() && answers.len() <= 2);
    for a in answers {
        assert!(a["id"].is_string() && a["kind"].is_string() && a["snippet"].is_string());
    }

    let out =
        civic311(&["ask", "is the main library open", "--kind", "facility", "--at", "2026-11-22T20:00:00Z", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["answers"][0]["kind"], "facility");
    assert_eq!(v["answers"][0]["hours"]["status"], "Open now, closes at 5 pm");
}

#[test]
fn ask_reads_questions_from_stdin() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(["ask", "--json", "--limit", "3"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("grafitti on my garage\n\ncouch pickup\n¿dónde pago el agua?\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "one line out per line in, empty ones too");
    assert_eq!(lines[1]["answers"].as_array().unwrap().len(), 0);
    assert_eq!(lines[3]["query"], "¿dónde pago el agua?");
}

#[test]
fn bundles_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("civic311-cli-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("riverton.c311");
    let out = civic311(&["bundle", &riverton_dir(), "-o", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("261 answers"));
    let out = civic311(&["ask", "potholes", "--bundle", file.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("ST-POTHOLE"));
    std::fs::write(&file, b"not a bundle").unwrap();
    let out = civic311(&["ask", "potholes", "--bundle", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a civic311 bundle"));
    std::fs::remove_dir_all(&dir).unwrap();

    // Any folder holding only articles/ is a catalog.
    let faq = std::env::temp_dir().join(format!("civic311-cli-faq-{}", std::process::id()));
    std::fs::create_dir_all(faq.join("articles")).unwrap();
    std::fs::write(
        faq.join("articles/hours.md"),
        "+++\nid = \"hours\"\ntitle = \"Office hours\"\n+++\nWe open at nine.\n",
    )
    .unwrap();
    let out = civic311(&["ask", "when do you open", "--catalog", faq.to_str().unwrap(), "--json"]);
    assert!(stdout(&out).contains("\"id\":\"hours\""), "{}", stdout(&out));
    std::fs::remove_dir_all(&faq).unwrap();
}

#[test]
fn suggest_completes() {
    let out = civic311(&["suggest", "bulky"]);
    assert!(out.status.success());
    assert!(stdout(&out).to_lowercase().contains("bulky"));
    let out = civic311(&["ask", "x", "--kind", "video"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind 'video'"));
}

#[test]
fn classify_train_and_triage() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(["classify", "--json", "--top", "2"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("car with no plates parked for two weeks\n\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["suggestions"][0]["service_code"], "VH-ABANDONED");
    assert_eq!(lines[0]["suggestions"].as_array().unwrap().len(), 2);

    let dir = std::env::temp_dir().join(format!("civic311-cli-train-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("rows.jsonl");
    let mut text = String::new();
    for i in 0..10 {
        text.push_str(&format!("{{\"t\": \"pothole {i} on elm\", \"type\": \"roads\", \"split\": \"train\"}}\n"));
        text.push_str(&format!(
            "{{\"t\": \"graffiti {i} on the wall\", \"type\": \"graffiti\", \"split\": \"train\"}}\n"
        ));
    }
    text.push_str("{\"t\": \"held out\", \"type\": \"other\", \"split\": \"test\"}\n");
    std::fs::write(&data, text).unwrap();
    let model = dir.join("model.c311m");
    let out = civic311(&[
        "train",
        "--input",
        data.to_str().unwrap(),
        "--text",
        "t",
        "--label",
        "type",
        "--where",
        "split=train",
        "-o",
        model.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("20 rows, 2 labels"), "{}", stdout(&out));
    let out = civic311(&["train", "--input", data.to_str().unwrap(), "--text", "body", "-o", model.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no text field 'body'"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .args(["classify", "--model", model.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"deep pothole on main\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(stdout(&out).starts_with("roads ("), "{}", stdout(&out));
    std::fs::remove_dir_all(&dir).unwrap();

    let out = civic311(&["triage", "theres smoke comming from the house next door"]);
    assert!(out.status.success());
    assert!(stdout(&out).starts_with("emergency\nwhy: smoke\nCall 911 now"), "{}", stdout(&out));
    let out = civic311(&["triage", "the fire hydrant is leaking", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["kind"], "report");
}

fn route(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic311"))
        .arg("route")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn route_prints_the_routing_and_why() {
    // A pothole on State Route 9, filed on a Friday afternoon.
    let pothole = r#"{"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.96,
        "attribute": {"SIZE": "large", "LANE_POSITION": "wheel-path"},
        "requested_datetime": "2026-03-06T15:00:00-06:00"}"#;
    let out = route(&[], pothole);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("ST-POTHOLE -> lakeland / state-dot"), "{text}");
    assert!(text.contains("why: rule 'sr9-pavement' applies"), "{text}");
    // One a line, JSON out; an invalid request gets the Open311 errors and exit 1.
    let input = format!(
        "{}\n{}\n",
        pothole.replace('\n', " "),
        r#"{"service_code": "ST-POTHOLE", "lat": 38.95, "long": -90.96}"#
    );
    let out = route(&["--json", "--at", "2026-03-06T15:00:00-06:00"], &input);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["department"], "state-dot");
    assert_eq!(lines[0]["rule"], "sr9-pavement");
    assert!(lines[0]["expected_datetime"].as_str().unwrap().starts_with("2026-03-"));
    assert_eq!(lines[1]["errors"][0]["code"], 400);
}

#[test]
fn ask_with_an_encoder_ranks_by_meaning() {
    // A folder that is not an encoder: a clear error, exit 2.
    let out = civic311(&["ask", "--encoder", "/nonexistent/encoder", "potholes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("config.json") && err.contains("fetch-encoder.sh"), "{err}");

    let Some(encoder) = std::env::var("CIVIC311_ENCODER").ok().filter(|d| !d.is_empty()) else {
        let required = std::env::var("CIVIC311_REQUIRE_ENCODER").is_ok_and(|v| v == "1");
        assert!(!required, "CIVIC311_REQUIRE_ENCODER=1 but CIVIC311_ENCODER is not set");
        eprintln!("skipped the hybrid half: set CIVIC311_ENCODER (scripts/fetch-encoder.sh DIR)");
        return;
    };
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../kb-fixtures/open311-spec");
    let first = |extra: &[&str]| {
        let mut args = vec!["ask", "--json", "--catalog", spec, "trash bins left on the curb all week"];
        args.extend_from_slice(extra);
        let out = civic311(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        v["answers"][0]["id"].as_str().unwrap_or_default().to_string()
    };
    // Words alone find "curb"; meaning finds the cans left out.
    assert_eq!(first(&[]), "003");
    assert_eq!(first(&["--encoder", &encoder]), "cans");
}
