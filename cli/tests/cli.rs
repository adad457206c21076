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
    let d = dir.to_str().unwrap();
    let out = civic311(&["check", d]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].starts_with("articles/a.md:4: services[0]: unknown service code 'PTH-9'"), "{}", lines[0]);
    assert!(lines[1].starts_with("articles/b.md:1: the article does not start with front matter"));
    assert!(lines[2].starts_with("catalog.toml:3: departments[0].jurisdiction: unknown jurisdiction 'city'"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 problems"));

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
